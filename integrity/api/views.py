"""REST endpoints of the integrity records, over the same services and permissions as the pages.

The bureau registers, corrects and revokes records; district admins read them (with ID numbers
masked); `check` answers the gate question for one organisation or user.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework import permissions as drf_permissions
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.response import Response

from core import permissions
from integrity.api.serializers import (
    CheckQuerySerializer,
    CheckResultSerializer,
    IntegrityRecordSerializer,
    RevokeSerializer,
)
from integrity.choices import Activity
from integrity.filtersets import IntegrityRecordFilterSet
from integrity.models import IntegrityRecord
from integrity.services import records
from integrity.services.gate import check_integrity, long_date, restriction_message


class MayReadRecords(drf_permissions.BasePermission):
    message = gettext_lazy("只有市科技局和区县管理员可以查看科研失信记录。")

    def has_permission(self, request, view) -> bool:
        return permissions.can(request.user, "integrity.view_record")


class IntegrityRecordViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """科研失信记录：市科技局登记、修改、撤销；区县管理员只读（公民身份号码脱敏）。"""

    serializer_class = IntegrityRecordSerializer
    filterset_class = IntegrityRecordFilterSet
    queryset = IntegrityRecord.objects.none()  # for the schema; get_queryset() applies the rules
    permission_classes = [drf_permissions.IsAuthenticated, MayReadRecords]

    def get_queryset(self):
        return records.records_for(self.request.user)

    def perform_create(self, serializer):
        serializer.instance = records.create_record(
            self.request.user, dict(serializer.validated_data)
        )

    def perform_update(self, serializer):
        serializer.instance = records.update_record(
            self.request.user, serializer.instance, dict(serializer.validated_data)
        )

    @extend_schema(request=RevokeSerializer, responses=IntegrityRecordSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        """撤销（必须说明原因）；撤销后不再限制任何活动。"""
        data = RevokeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        record = records.revoke_record(
            request.user, self.get_object(), data.validated_data["reason"]
        )
        return Response(self.get_serializer(record).data)


@extend_schema(parameters=[CheckQuerySerializer], responses=CheckResultSerializer)
@api_view(["GET"])
@permission_classes([drf_permissions.IsAuthenticated, MayReadRecords])
def check(request):
    """某单位或某用户在某日能否从事某项活动：列出限制它的科研失信记录。"""
    query = CheckQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    subject = query.validated_data.get("organisation") or query.validated_data["user"]
    activity = query.validated_data["activity"]
    on_date = query.validated_data.get("on") or timezone.localdate()
    found = check_integrity(subject, activity, on_date)
    if found:
        message = restriction_message(found[0], activity)
    else:
        message = _("%(subject)s在%(date)s没有限制“%(activity)s”的科研失信记录。") % {
            "subject": subject,
            "date": long_date(on_date),
            "activity": Activity(activity).label,
        }
    context = {"request": request, "on_date": on_date}
    return Response(
        {
            "allowed": not found,
            "message": message,
            "records": IntegrityRecordSerializer(found, many=True, context=context).data,
        }
    )
