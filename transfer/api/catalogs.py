"""REST endpoints of the 优秀科技成果目录, over the same services as the pages: anyone reads the
published catalogs; the bureau creates one, adds, removes and orders entries while it is a draft,
and publishes it. The valuation endpoints (transfer.api.valuation) are routed here too."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework import permissions as drf_permissions
from rest_framework.decorators import action
from rest_framework.response import Response

from core.exceptions import NotFound
from kechuang.api import DefaultRouter
from transfer.api import valuation
from transfer.choices import CatalogStatus
from transfer.models import Catalog, Screening
from transfer.services import catalogs as svc


class CatalogCandidateQuerySerializer(serializers.Serializer):
    round = serializers.CharField(required=False, allow_blank=True, default="")
    q = serializers.CharField(required=False, allow_blank=True, default="")


class CatalogSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    entry_count = serializers.IntegerField(read_only=True)
    page_url = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()
    xlsx_url = serializers.SerializerMethodField()

    class Meta:
        model = Catalog
        fields = [
            "id",
            "title",
            "period",
            "introduction",
            "status",
            "status_display",
            "entry_count",
            "published_at",
            "page_url",
            "pdf_url",
            "xlsx_url",
        ]
        read_only_fields = ["status", "published_at"]

    def _url(self, name: str, obj: Catalog) -> str | None:
        request = self.context.get("request")
        path = reverse(name, args=[obj.pk])
        return request.build_absolute_uri(path) if request else path

    def get_page_url(self, obj: Catalog) -> str | None:
        return self._url("transfer_catalog", obj)

    def get_pdf_url(self, obj: Catalog) -> str | None:
        if obj.status != CatalogStatus.PUBLISHED:
            return None
        return self._url("transfer_catalog_pdf", obj)

    def get_xlsx_url(self, obj: Catalog) -> str | None:
        if obj.status != CatalogStatus.PUBLISHED:
            return None
        return self._url("transfer_catalog_xlsx", obj)


class CatalogEntrySerializer(serializers.Serializer):
    """One entry as the catalog shows it: frozen at publication, live while a draft."""

    id = serializers.IntegerField(source="entry.pk")
    number = serializers.IntegerField(help_text=_("序号"))
    achievement_id = serializers.IntegerField()
    title = serializers.CharField()
    owner = serializers.CharField()
    region = serializers.CharField()
    field = serializers.CharField(help_text=_("技术领域"))
    trl = serializers.IntegerField(allow_null=True)
    trl_basis = serializers.CharField()
    grade = serializers.CharField()
    grade_label = serializers.CharField()
    score = serializers.CharField()
    round = serializers.CharField(help_text=_("筛选批次"))
    summary = serializers.CharField()
    contact_name = serializers.CharField()
    contact_phone = serializers.CharField()
    modes = serializers.ListField(child=serializers.CharField(), help_text=_("合作方式"))
    asking_price = serializers.CharField(allow_null=True, help_text=_("意向价格（万元），空为面议"))


class CatalogDetailSerializer(CatalogSerializer):
    entries = serializers.SerializerMethodField()

    class Meta(CatalogSerializer.Meta):
        fields = [*CatalogSerializer.Meta.fields, "entries"]

    @extend_schema(responses=CatalogEntrySerializer(many=True))
    def get_entries(self, obj: Catalog) -> list[dict]:
        return CatalogEntrySerializer(svc.entry_views(obj), many=True).data


class CatalogAddEntrySerializer(serializers.Serializer):
    screening = serializers.PrimaryKeyRelatedField(
        queryset=Screening.objects.all(), help_text=_("入选的筛选评价编号")
    )


class CatalogReorderSerializer(serializers.Serializer):
    entries = serializers.ListField(
        child=serializers.IntegerField(), help_text=_("目录中每一条的编号，按新的顺序")
    )


class CatalogCandidateSerializer(serializers.ModelSerializer):
    achievement_title = serializers.CharField(source="achievement.title")
    owner = serializers.CharField(source="achievement.owner.name")
    field = serializers.CharField(source="achievement.hightech_field.name", default="")

    class Meta:
        model = Screening
        fields = [
            "id",
            "achievement",
            "achievement_title",
            "owner",
            "field",
            "round",
            "grade",
            "score",
        ]


class CatalogViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """优秀科技成果目录：任何人可读已发布的目录；市科技局编制（新建、增删条目、排序）和发布。"""

    serializer_class = CatalogSerializer
    queryset = Catalog.objects.none()  # for the schema; get_queryset() applies the rules
    permission_classes = [drf_permissions.IsAuthenticatedOrReadOnly]
    filterset_fields = ["status"]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return svc.catalogs_for(self.request.user)

    def get_serializer_class(self):
        return CatalogDetailSerializer if self.action == "retrieve" else CatalogSerializer

    def get_object(self):
        """The catalog with its entry count; a draft is not found except by the bureau."""
        catalog = self.get_queryset().filter(pk=self.kwargs["pk"]).first()
        if catalog is None:
            raise NotFound(gettext("成果目录不存在。"))
        self.check_object_permissions(self.request, catalog)
        return catalog

    def perform_create(self, serializer):
        catalog = svc.create_catalog(self.request.user, dict(serializer.validated_data))
        serializer.instance = self.get_queryset().get(pk=catalog.pk)  # with its entry count

    def perform_update(self, serializer):
        svc.require_manage(self.request.user)
        catalog = svc.update_catalog(
            self.request.user, serializer.instance, dict(serializer.validated_data)
        )
        serializer.instance = self.get_queryset().get(pk=catalog.pk)  # with its entry count

    def _detail(self, catalog: Catalog, code=status.HTTP_200_OK) -> Response:
        catalog = self.get_queryset().get(pk=catalog.pk)
        data = CatalogDetailSerializer(catalog, context=self.get_serializer_context()).data
        return Response(data, status=code)

    @extend_schema(request=CatalogAddEntrySerializer, responses={201: CatalogDetailSerializer})
    @action(detail=True, methods=["post"])
    def entries(self, request, pk=None):
        """列入一项筛选评价入选的成果（仅编制中的目录）。"""
        svc.require_manage(request.user)
        catalog = self.get_object()
        data = CatalogAddEntrySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        svc.add_entry(request.user, catalog, data.validated_data["screening"])
        return self._detail(catalog, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: CatalogDetailSerializer})
    @action(detail=True, methods=["delete"], url_path=r"entries/(?P<entry>\d+)")
    def remove_entry(self, request, pk=None, entry=None):
        """移出一条（仅编制中的目录）。"""
        svc.require_manage(request.user)
        catalog = self.get_object()
        svc.remove_entry(request.user, catalog, int(entry))
        return self._detail(catalog)

    @extend_schema(request=CatalogReorderSerializer, responses={200: CatalogDetailSerializer})
    @action(detail=True, methods=["post"])
    def reorder(self, request, pk=None):
        """按给定顺序排列目录中的全部条目（页面和 PDF 中先按技术领域分组）。"""
        svc.require_manage(request.user)
        catalog = self.get_object()
        data = CatalogReorderSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        svc.reorder(request.user, catalog, data.validated_data["entries"])
        return self._detail(catalog)

    @extend_schema(request=None, responses={200: CatalogDetailSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """发布：固定每一条的内容，生成 PDF 版和 Excel 版；空目录不能发布。"""
        svc.require_manage(request.user)
        catalog = svc.publish(request.user, self.get_object())
        return self._detail(catalog)

    @extend_schema(
        parameters=[
            OpenApiParameter("round", str, description=_("筛选批次")),
            OpenApiParameter("q", str, description=_("成果名称包含")),
        ],
        responses=CatalogCandidateSerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def candidates(self, request, pk=None):
        """可列入本目录的成果：筛选评价入选、处于发布状态且尚未列入。"""
        svc.require_manage(request.user)
        catalog = self.get_object()
        # Read through a serializer: its text fields refuse a NUL character, which PostgreSQL
        # cannot even compare (a server error, found by the API fuzz test).
        query = CatalogCandidateQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        found = svc.candidates(catalog, **query.validated_data)
        page = self.paginate_queryset(found)
        return self.get_paginated_response(CatalogCandidateSerializer(page, many=True).data)


router = DefaultRouter()
router.register("transfer/catalogs", CatalogViewSet, basename="transfer-catalog")

urlpatterns = [*router.urls, *valuation.urlpatterns]
