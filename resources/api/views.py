"""REST endpoints of the resource library: one viewset per record kind, built from the registry.

Anyone lists and reads published records; owners create, update and submit theirs; the same
FilterSet as the catalog page filters the lists; the same services do the work.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core import permissions
from core.masking import mask_contact
from core.models import ChainNode, Discipline, HighTechField, Organisation, Region
from kechuang.api import SlugRelatedField
from resources import permissions as record_permissions
from resources.choices import RecordStatus
from resources.filtersets import filterset_for
from resources.models import Patent
from resources.registry import KINDS, Kind
from resources.services import records

_SLUG_RELATIONS = {
    "region": (Region, "code"),
    "disciplines": (Discipline, "code"),
    "chain_nodes": (ChainNode, "code"),
    "hightech_field": (HighTechField, "code"),
    "co_owners": (Organisation, "uscc"),
    "patents": (Patent, "application_number"),
}


class ReviewReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(label="原因", max_length=500, required=False, allow_blank=True)


class VersionSerializer(serializers.Serializer):
    number = serializers.IntegerField(source="version.number")
    status = serializers.CharField(source="version.status")
    created_at = serializers.DateTimeField(source="version.created_at")
    reviewed_at = serializers.DateTimeField(source="version.reviewed_at", allow_null=True)
    reason = serializers.CharField(source="version.reason")
    changes = serializers.ListField(child=serializers.DictField())


def serializer_for(kind: Kind) -> type[serializers.ModelSerializer]:
    editable = [f.name for f in records.editable_fields(kind.model) if f.name != "user"]
    attrs = {}
    for name in editable:
        if name in _SLUG_RELATIONS:
            model, slug = _SLUG_RELATIONS[name]
            field = kind.model._meta.get_field(name)
            attrs[name] = SlugRelatedField(
                slug_field=slug,
                queryset=model.objects.all(),
                many=field.many_to_many,
                # The region defaults to the owner's, as on the page.
                required=not field.blank and not field.many_to_many and name != "region",
                allow_null=field.null,
            )
    attrs["owner"] = serializers.CharField(source="owner.name", read_only=True)
    attrs["status_display"] = serializers.CharField(source="get_status_display", read_only=True)

    def to_representation(self, instance):
        data = serializers.ModelSerializer.to_representation(self, instance)
        request = self.context.get("request")
        if not permissions.can(getattr(request, "user", None), "resources.view_contact", instance):
            for name in kind.contact_fields:
                data[name] = mask_contact(name, data.get(name) or "")
            data.pop("relations", None)
        return data

    meta = type(
        "Meta",
        (),
        {
            "model": kind.model,
            "fields": ["id", *editable, "owner", "status", "status_display", "published_at"],
            "read_only_fields": ["status", "published_at"],
        },
    )
    attrs.update({"Meta": meta, "to_representation": to_representation})
    return type(f"{kind.model.__name__}Serializer", (serializers.ModelSerializer,), attrs)


class RecordViewSet(viewsets.ModelViewSet):
    kind: Kind
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        many = [f.name for f in records.editable_fields(self.kind.model) if f.many_to_many]
        qs = self.kind.model.objects.select_related("owner", "region").prefetch_related(*many)
        if self.action == "list":
            mine = self.request.query_params.get("mine")
            if mine and self.request.user.is_authenticated and self.request.user.current_membership:
                return qs.filter(
                    owner_id=self.request.user.current_membership.organisation_id
                ).order_by("-updated_at")
            return qs.filter(status=RecordStatus.PUBLISHED)
        return record_permissions.visible(qs, self.request.user)

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        fs = filterset_for(self.kind)(
            self.request.query_params, queryset=queryset, request=self.request
        )
        if not fs.is_valid():
            raise serializers.ValidationError(fs.errors)
        return fs.listing()

    def perform_create(self, serializer):
        serializer.instance = records.create_record(
            self.request.user, self.kind.model, serializer.validated_data
        )

    def perform_update(self, serializer):
        result = records.update_record(
            self.request.user, serializer.instance, serializer.validated_data
        )
        serializer.instance = result if isinstance(result, self.kind.model) else serializer.instance

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """提交审核。"""
        record = records.submit_record(request.user, self.get_object())
        return Response(self.get_serializer(record).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """审核通过：发布新提交的记录，或采用已发布记录的待审修改。"""
        record = records.approve_record(request.user, self.get_object())
        return Response(self.get_serializer(record).data)

    @extend_schema(request=ReviewReasonSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        """退回（必须说明原因）。"""
        reason = ReviewReasonSerializer(data=request.data)
        reason.is_valid(raise_exception=True)
        record = records.return_record(
            request.user, self.get_object(), reason.validated_data.get("reason", "")
        )
        return Response(self.get_serializer(record).data)

    @extend_schema(request=ReviewReasonSerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        """归档（不再公开展示）。"""
        reason = ReviewReasonSerializer(data=request.data)
        reason.is_valid(raise_exception=True)
        record = records.archive_record(
            request.user, self.get_object(), reason.validated_data.get("reason", "")
        )
        return Response(self.get_serializer(record).data)

    @extend_schema(responses=VersionSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def history(self, request, pk=None):
        """版本记录，每版与上一版的差异。"""
        record = self.get_object()
        versions = records.history(record)
        if not (
            permissions.can(request.user, "resources.change_record", record)
            or permissions.can(request.user, "resources.review_record", record)
        ):
            versions = [v for v in versions if v["version"].status == "approved"]
        return Response(VersionSerializer(versions, many=True).data)


def viewsets_for_router():
    for kind in KINDS.values():
        cls = type(
            f"{kind.model.__name__}ViewSet",
            (RecordViewSet,),
            {
                "kind": kind,
                "serializer_class": serializer_for(kind),
                "queryset": kind.model.objects.none(),
                "__doc__": (
                    f"{kind.label}：公开检索已发布记录；单位用户新建、修改、提交本单位记录。"
                    "列表可用目录页的筛选参数（q 为全文检索；匹配很多时只列出并计数其中最新发布的"
                    " 5,000 条，按相关度排序，sort=newest 按发布时间）。"
                ),
            },
        )
        yield kind.key, cls
