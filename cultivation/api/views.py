"""REST endpoints of enterprise cultivation, over the same services and permissions as the
pages: yearly figures, assessments, and (for the bureau) the tier pools."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework import permissions as drf_permissions
from rest_framework.decorators import action
from rest_framework.response import Response

from core import permissions
from core.choices import OrgType
from core.models import Organisation
from cultivation.api.serializers import (
    AdmitSerializer,
    AssessmentSerializer,
    AssessRequestSerializer,
    EnterpriseYearSerializer,
    ExitSerializer,
    PoolMembershipSerializer,
)
from cultivation.models import Assessment, EnterpriseYear, PoolMembership
from cultivation.services import assessment, figures, pools


def visible_enterprises(user):
    """Enterprises whose figures `user` may read: own, the district's, or all for the bureau."""
    orgs = Organisation.objects.filter(type=OrgType.ENTERPRISE)
    if permissions.can(user, "cultivation.manage_pools"):
        return orgs
    m = user.current_membership
    if m is None:
        return orgs.none()
    if permissions.can(user, "cultivation.view_pools"):
        return orgs.filter(region_id=m.region_id)
    return orgs.filter(pk=m.organisation_id)


class EnterpriseYearViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """企业年度数据：本企业用户和市科技局填报（同一企业同一年度再次提交即为修改），区县管理员只读本区。"""

    serializer_class = EnterpriseYearSerializer
    queryset = EnterpriseYear.objects.none()
    permission_classes = [drf_permissions.IsAuthenticated]
    filterset_fields = ["year"]

    def get_queryset(self):
        return EnterpriseYear.objects.filter(
            organisation__in=visible_enterprises(self.request.user)
        ).select_related("organisation")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        org = data.pop("organisation")
        existed = EnterpriseYear.objects.filter(organisation=org, year=data["year"]).exists()
        saved = figures.save_year(request.user, org, data)
        return Response(
            self.get_serializer(saved).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )


class AssessmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """评价记录：POST 按某规则对某企业在某基准日进行评价并留存结果。"""

    serializer_class = AssessmentSerializer
    queryset = Assessment.objects.none()
    permission_classes = [drf_permissions.IsAuthenticated]
    filterset_fields = ["ruleset", "status"]

    def get_queryset(self):
        return Assessment.objects.filter(
            organisation__in=visible_enterprises(self.request.user)
        ).select_related("organisation")

    @extend_schema(request=AssessRequestSerializer, responses={201: AssessmentSerializer})
    def create(self, request):
        data = AssessRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        made = assessment.assess_enterprise(request.user, v["organisation"], v["ruleset"], v["on"])
        return Response(self.get_serializer(made).data, status=status.HTTP_201_CREATED)


class MayViewPools(drf_permissions.BasePermission):
    message = gettext_lazy("只有市科技局和区县管理员可以查看培育库。")

    def has_permission(self, request, view) -> bool:
        return permissions.can(request.user, "cultivation.view_pools")


class PoolMembershipViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """培育库：市科技局办理入库、出库；区县管理员只读本区企业。"""

    serializer_class = PoolMembershipSerializer
    queryset = PoolMembership.objects.none()
    permission_classes = [drf_permissions.IsAuthenticated, MayViewPools]
    filterset_fields = ["tier"]

    def get_queryset(self):
        return pools.members_for(self.request.user)

    @extend_schema(request=AdmitSerializer, responses={201: PoolMembershipSerializer})
    def create(self, request):
        data = AdmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        stay = pools.admit(
            request.user,
            v.pop("organisation"),
            v.pop("tier"),
            v.pop("entered_on"),
            v.pop("reason"),
            **v,
        )
        return Response(self.get_serializer(stay).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ExitSerializer, responses=PoolMembershipSerializer)
    @action(detail=True, methods=["post"], url_path="exit")
    def exit(self, request, pk=None):
        """出库（须说明原因；默认按出库日重新评价并留存）。"""
        data = ExitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        stay = pools.remove(
            request.user, self.get_object(), v["exited_on"], v["reason"], reassess=v["reassess"]
        )
        return Response(self.get_serializer(stay).data)
