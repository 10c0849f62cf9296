from django.contrib.auth import authenticate
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework import permissions as drf_permissions
from rest_framework.authtoken.models import Token
from rest_framework.decorators import api_view, permission_classes
from rest_framework.response import Response

from core.api.serializers import (
    ChainNodeSerializer,
    JobSerializer,
    MeSerializer,
    OrganisationSerializer,
    RegionSerializer,
    TokenRequestSerializer,
)
from core.filtersets import OrganisationFilterSet
from core.models import ChainNode, Job, Organisation, Region
from core.services import jobs, organisations
from kechuang.api import error_response


class OrganisationViewSet(viewsets.ModelViewSet):
    """单位名录：任何人可查询；新建、修改、删除按权限由服务层判断。"""

    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilterSet
    queryset = (
        Organisation.objects.select_related("region", "industry")
        .prefetch_related("chain_nodes")
        .order_by("name")
    )

    def perform_create(self, serializer):
        serializer.instance = organisations.create_organisation(
            self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = organisations.update_organisation(
            self.request.user, serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        organisations.delete_organisation(self.request.user, instance)


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    """行政区域（本市各县级单位）。"""

    serializer_class = RegionSerializer
    queryset = Region.objects.all()
    lookup_field = "code"
    pagination_class = None


class ChainNodeViewSet(viewsets.ReadOnlyModelViewSet):
    """产业链节点。"""

    serializer_class = ChainNodeSerializer
    queryset = ChainNode.objects.select_related("chain")
    lookup_field = "code"
    pagination_class = None


class JobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """后台任务及其进度（本人发起的任务；管理员可见全部）。"""

    serializer_class = JobSerializer
    queryset = Job.objects.none()  # for the schema; get_queryset() gives each user theirs
    permission_classes = [drf_permissions.IsAuthenticated]

    def get_queryset(self):
        return jobs.visible_jobs(self.request.user)


@extend_schema(responses=MeSerializer)
@api_view(["GET"])
@permission_classes([drf_permissions.IsAuthenticated])
def me(request):
    """当前登录用户。"""
    return Response(MeSerializer(request.user).data)


@extend_schema(
    request=TokenRequestSerializer,
    responses=inline_serializer("TokenResponse", {"token": serializers.CharField()}),
)
@api_view(["POST"])
@permission_classes([drf_permissions.AllowAny])
def obtain_token(request):
    """用用户名和密码换取 API 令牌（与网页登录相同的锁定规则）。"""
    data = TokenRequestSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    user = authenticate(request, **data.validated_data)
    if user is None:
        blocked_until = getattr(request, "login_address_blocked_until", None)
        if blocked_until is not None:
            message = _("此网络地址登录失败次数过多，请于 %(time)s 之后再试。") % {
                "time": timezone.localtime(blocked_until).strftime("%H:%M")
            }
            return error_response("address_blocked", message, 429)
        locked_until = getattr(request, "login_locked_until", None)
        if locked_until is not None:
            message = _("登录失败次数过多，账号已锁定，请于 %(time)s 之后再试。") % {
                "time": timezone.localtime(locked_until).strftime("%H:%M")
            }
            return error_response("locked", message, 403)
        return error_response("invalid_login", _("用户名或密码错误。"), 400)
    token, _created = Token.objects.get_or_create(user=user)
    return Response({"token": token.key})
