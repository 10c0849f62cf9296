"""创新券 and 科技服务机构 through the API, over the same services and permissions as the pages:
programs (public list; the bureau creates, edits, opens and closes them), eligibility for the
caller's organisation, applications (enterprises apply and withdraw; the bureau issues or
refuses), vouchers (the holder's and the bureau's), public verification by number, and the
provider directory, application and the bureau's decisions. Errors have the platform's one
shape ({code, message, errors})."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework import permissions as drf_permissions
from rest_framework.decorators import action
from rest_framework.response import Response

from core import permissions
from core.models import Region
from kechuang.api import SimpleRouter
from sharing.choices import ProviderStatus, ServiceCategory, VoucherStatus
from sharing.models import ServiceProvider, Voucher, VoucherApplication, VoucherProgram
from sharing.services import providers, vouchers

MONEY = {"max_digits": 14, "decimal_places": 2}

# -- serializers ------------------------------------------------------------------------------


class VoucherProgramSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    phase = serializers.SerializerMethodField(
        help_text=_("draft、upcoming、open、ended（受理中但已截止）或 closed")
    )
    available = serializers.DecimalField(read_only=True, **MONEY)
    category_labels = serializers.SerializerMethodField()
    tier_labels = serializers.SerializerMethodField()
    regions = serializers.SerializerMethodField(help_text=_("限定区域的行政区划代码"))
    providers = serializers.SerializerMethodField(help_text=_("指定服务机构编号"))

    class Meta:
        model = VoucherProgram
        fields = [
            "id",
            "name",
            "year",
            "description",
            "budget",
            "committed",
            "redeemed",
            "available",
            "face_values",
            "max_share",
            "eligible_tiers",
            "tier_labels",
            "regions",
            "categories",
            "category_labels",
            "providers",
            "apply_from",
            "apply_until",
            "valid_days",
            "per_enterprise",
            "status",
            "status_label",
            "phase",
            "created_at",
        ]
        read_only_fields = fields

    def get_phase(self, obj) -> str:
        return vouchers.program_phase(obj)

    def get_category_labels(self, obj) -> list[str]:
        return vouchers.category_labels(obj.categories)

    def get_tier_labels(self, obj) -> list[str]:
        return vouchers.tier_labels(obj.eligible_tiers)

    def get_regions(self, obj) -> list[str]:
        return [r.code for r in obj.regions.all()]

    def get_providers(self, obj) -> list[int]:
        return [p.pk for p in obj.providers.all()]


class VoucherProgramWriteSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True)
    year = serializers.IntegerField(required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    budget = serializers.CharField(required=False, help_text=_("预算总额（元）"))
    face_values = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text=_("券面额（元，正整数），如 [10000, 30000, 50000]"),
    )
    max_share = serializers.CharField(required=False, help_text=_("抵扣比例上限，如 0.5"))
    eligible_tiers = serializers.ListField(
        child=serializers.CharField(), required=False, help_text=_("培育库代码，如 sme_tech")
    )
    regions = serializers.ListField(
        child=serializers.CharField(), required=False, help_text=_("行政区划代码")
    )
    categories = serializers.ListField(
        child=serializers.CharField(), required=False, help_text=_("服务类别代码")
    )
    providers = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text=_("指定服务机构编号")
    )
    apply_from = serializers.DateField(required=False)
    apply_until = serializers.DateField(required=False)
    valid_days = serializers.IntegerField(required=False)
    per_enterprise = serializers.IntegerField(required=False)


class VoucherReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class VoucherEligibilityQuerySerializer(serializers.Serializer):
    face_value = serializers.CharField(required=False, help_text=_("拟申领面额（元）"))
    category = serializers.CharField(required=False, help_text=_("拟购买服务类别代码"))


class ServiceProviderQuerySerializer(serializers.Serializer):
    category = serializers.CharField(required=False, allow_blank=True)
    q = serializers.CharField(required=False, allow_blank=True)
    region = serializers.CharField(required=False, allow_blank=True)
    status = serializers.CharField(required=False, allow_blank=True)


class VoucherEligibilitySerializer(serializers.Serializer):
    organisation = serializers.CharField()
    eligible = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())


class VoucherApplicationSerializer(serializers.ModelSerializer):
    program_name = serializers.CharField(source="program.name", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    voucher = serializers.SerializerMethodField(help_text=_("发放的创新券编号"))

    class Meta:
        model = VoucherApplication
        fields = [
            "id",
            "program",
            "program_name",
            "organisation",
            "organisation_name",
            "face_value",
            "category",
            "purpose",
            "status",
            "status_label",
            "reason",
            "submitted_at",
            "decided_at",
            "voucher",
        ]
        read_only_fields = fields

    def get_voucher(self, obj) -> int | None:
        return Voucher.objects.filter(application=obj).values_list("pk", flat=True).first()


class VoucherApplicationWriteSerializer(serializers.Serializer):
    program = serializers.PrimaryKeyRelatedField(queryset=VoucherProgram.objects.all())
    face_value = serializers.CharField(help_text=_("申领面额（元），须为项目券面额之一"))
    category = serializers.CharField(help_text=_("拟购买服务类别代码，须为项目适用类别之一"))
    purpose = serializers.CharField(allow_blank=True)


class VoucherRedemptionLineSerializer(serializers.Serializer):
    provider = serializers.CharField(source="provider.organisation.name")
    contract_number = serializers.CharField()
    amount = serializers.DecimalField(**MONEY)
    redeemed_at = serializers.DateTimeField()


class VoucherSerializer(serializers.ModelSerializer):
    program_name = serializers.CharField(source="program.name", read_only=True)
    holder_name = serializers.CharField(source="holder.name", read_only=True)
    remaining = serializers.DecimalField(read_only=True, **MONEY)
    state = serializers.SerializerMethodField(
        help_text=_("实际状态：active、used_up、expired（含已过有效期尚未处理的）或 cancelled")
    )
    state_label = serializers.SerializerMethodField()
    redemptions = serializers.SerializerMethodField()

    class Meta:
        model = Voucher
        fields = [
            "id",
            "code",
            "program",
            "program_name",
            "holder",
            "holder_name",
            "face_value",
            "redeemed",
            "remaining",
            "released",
            "issued_at",
            "expires_on",
            "status",
            "state",
            "state_label",
            "redemptions",
        ]
        read_only_fields = fields

    def get_state(self, obj) -> str:
        return vouchers.voucher_state(obj)

    def get_state_label(self, obj) -> str:
        return vouchers.state_label(vouchers.voucher_state(obj))

    def get_redemptions(self, obj) -> list[dict]:
        lines = obj.redemptions.select_related("provider__organisation").order_by("-redeemed_at")
        return VoucherRedemptionLineSerializer(lines, many=True).data


class VoucherVerificationSerializer(serializers.Serializer):
    code = serializers.CharField()
    program = serializers.CharField()
    holder = serializers.CharField(help_text=_("持券企业；对持券企业和市科技局以外的用户部分隐去"))
    face_value = serializers.DecimalField(**MONEY)
    remaining = serializers.DecimalField(**MONEY)
    expires_on = serializers.DateField()
    state = serializers.CharField(help_text=_("active、used_up、expired 或 cancelled"))
    state_label = serializers.CharField()


class ProviderQualificationSerializer(serializers.Serializer):
    name = serializers.CharField()
    number = serializers.CharField()
    valid_until = serializers.CharField(allow_blank=True)
    expired = serializers.BooleanField()


class ServiceProviderSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    region = serializers.CharField(source="organisation.region.code", read_only=True)
    region_name = serializers.CharField(source="organisation.region.name", read_only=True)
    category_labels = serializers.SerializerMethodField()
    qualifications = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    rating = serializers.SerializerMethodField(help_text=_("平均评价（1–5），无评价时为空"))
    rating_count = serializers.SerializerMethodField()
    completed = serializers.SerializerMethodField(help_text=_("完成服务次数"))

    class Meta:
        model = ServiceProvider
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "region",
            "region_name",
            "categories",
            "category_labels",
            "services",
            "qualifications",
            "contact_name",
            "contact_phone",
            "status",
            "status_label",
            "reason",
            "registered_at",
            "rating",
            "rating_count",
            "completed",
        ]
        read_only_fields = fields

    def _stats(self, obj):
        cache = self.context.setdefault("stats", {})
        if obj.pk not in cache:
            cache.update(providers.provider_stats([obj]))
        return cache[obj.pk]

    def get_category_labels(self, obj) -> list[str]:
        return providers.category_labels(obj.categories)

    def get_qualifications(self, obj) -> list[dict]:
        return ProviderQualificationSerializer(providers.qualification_rows(obj), many=True).data

    def get_rating(self, obj) -> str | None:
        rating = self._stats(obj).rating
        return None if rating is None else f"{rating:.1f}"

    def get_rating_count(self, obj) -> int:
        return self._stats(obj).rating_count

    def get_completed(self, obj) -> int:
        return self._stats(obj).completed


class ServiceProviderApplySerializer(serializers.Serializer):
    categories = serializers.ListField(
        child=serializers.CharField(), allow_empty=True, help_text=_("服务类别代码")
    )
    services = serializers.CharField(allow_blank=True)
    qualifications = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("每行一项：资质名称 | 证书编号 | 有效期至(YYYY-MM-DD)"),
    )
    contact_name = serializers.CharField(allow_blank=True)
    contact_phone = serializers.CharField(allow_blank=True)


class ServiceProviderDecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=[
            ("register", _("入库")),
            ("refuse", _("不予入库")),
            ("suspend", _("暂停")),
            ("reinstate", _("恢复")),
        ]
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


# -- views ------------------------------------------------------------------------------------


class VoucherProgramViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """创新券项目：受理中和已结束的项目公开；市科技局新建、修改、开始受理、结束受理。"""

    serializer_class = VoucherProgramSerializer
    queryset = VoucherProgram.objects.none()
    filterset_fields = ["status", "year"]

    def get_queryset(self):
        return vouchers.programs_for(self.request.user).prefetch_related("regions", "providers")

    def _reply(self, program, code=status.HTTP_200_OK):
        program = vouchers.get_program(self.request.user, program.pk)
        return Response(self.get_serializer(program).data, status=code)

    def retrieve(self, request, pk=None):
        return self._reply(vouchers.get_program(request.user, pk))

    @extend_schema(request=VoucherProgramWriteSerializer, responses={201: VoucherProgramSerializer})
    def create(self, request):
        data = VoucherProgramWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        program = vouchers.create_program(request.user, **data.validated_data)
        return self._reply(program, status.HTTP_201_CREATED)

    @extend_schema(request=VoucherProgramWriteSerializer, responses=VoucherProgramSerializer)
    def partial_update(self, request, pk=None):
        program = vouchers.get_program(request.user, pk)
        data = VoucherProgramWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        return self._reply(vouchers.update_program(request.user, program, **data.validated_data))

    @extend_schema(request=None, responses=VoucherProgramSerializer)
    @action(detail=True, methods=["post"])
    def open(self, request, pk=None):
        """开始受理（草稿 → 受理中）。"""
        program = vouchers.get_program(request.user, pk)
        return self._reply(vouchers.open_program(request.user, program))

    @extend_schema(request=VoucherReasonSerializer, responses=VoucherProgramSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """结束受理：待审核的申领不予办理，已发放的创新券在有效期内仍可使用。"""
        data = VoucherReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        program = vouchers.get_program(request.user, pk)
        return self._reply(
            vouchers.close_program(request.user, program, data.validated_data["reason"])
        )

    @extend_schema(
        parameters=[VoucherEligibilityQuerySerializer], responses=VoucherEligibilitySerializer
    )
    @action(detail=True, methods=["get"], permission_classes=[drf_permissions.IsAuthenticated])
    def eligibility(self, request, pk=None):
        """调用者所在企业能否申领本项目创新券，列出每一条不符合的原因。"""
        program = vouchers.get_program(request.user, pk)
        query = VoucherEligibilityQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        permissions.require(
            request.user,
            "sharing.apply_voucher",
            None,
            str(_("只有企业用户可以查询本单位的申领条件。")),
        )
        organisation = request.user.current_membership.organisation
        reasons = vouchers.check_eligibility(
            organisation,
            program,
            query.validated_data.get("face_value"),
            query.validated_data.get("category"),
        )
        return Response(
            VoucherEligibilitySerializer(
                {"organisation": organisation.name, "eligible": not reasons, "reasons": reasons}
            ).data
        )


class VoucherApplicationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """创新券申领：企业用户申领、撤回；市科技局发券或不予发券。企业只看到本单位的申领。"""

    serializer_class = VoucherApplicationSerializer
    queryset = VoucherApplication.objects.none()
    permission_classes = [drf_permissions.IsAuthenticated]
    filterset_fields = ["status", "program"]

    def get_queryset(self):
        return vouchers.applications_for(self.request.user)

    def _reply(self, application, code=status.HTTP_200_OK):
        application = vouchers.get_application(self.request.user, application.pk)
        return Response(VoucherApplicationSerializer(application).data, status=code)

    def retrieve(self, request, pk=None):
        return self._reply(vouchers.get_application(request.user, pk))

    @extend_schema(
        request=VoucherApplicationWriteSerializer, responses={201: VoucherApplicationSerializer}
    )
    def create(self, request):
        data = VoucherApplicationWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        program = vouchers.get_program(request.user, values.pop("program").pk)
        application = vouchers.apply_for_voucher(request.user, program, **values)
        return self._reply(application, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={201: VoucherSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """发券：复核申领条件和项目预算余额，生成券号。"""
        application = vouchers.get_application(request.user, pk)
        voucher = vouchers.approve_application(request.user, application)
        return Response(VoucherSerializer(voucher).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=VoucherReasonSerializer, responses=VoucherApplicationSerializer)
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        """不予发券（须填写理由）。"""
        data = VoucherReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        application = vouchers.get_application(request.user, pk)
        return self._reply(
            vouchers.refuse_application(request.user, application, data.validated_data["reason"])
        )

    @extend_schema(request=None, responses=VoucherApplicationSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """撤回待审核的申领。"""
        application = vouchers.get_application(request.user, pk)
        return self._reply(vouchers.withdraw_application(request.user, application))


class VoucherViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """创新券：持券企业的用户看到本单位的，市科技局看到全部并可作废；券号查验公开。"""

    serializer_class = VoucherSerializer
    queryset = Voucher.objects.none()
    permission_classes = [drf_permissions.IsAuthenticated]
    filterset_fields = ["program"]

    def get_queryset(self):
        state = self.request.query_params.get("state") or None
        if state not in VoucherStatus.values:
            state = None
        return vouchers.vouchers_for(self.request.user, status=state)

    @extend_schema(
        parameters=[
            OpenApiParameter("state", str, enum=VoucherStatus.values, description="实际状态")
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, pk=None):
        return Response(VoucherSerializer(vouchers.get_voucher(request.user, pk)).data)

    @extend_schema(request=VoucherReasonSerializer, responses=VoucherSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """作废（须填写理由），未使用额度退回项目预算。"""
        data = VoucherReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        voucher = vouchers.get_voucher(request.user, pk)
        cancelled = vouchers.cancel_voucher(request.user, voucher, data.validated_data["reason"])
        return Response(VoucherSerializer(cancelled).data)

    @extend_schema(
        parameters=[OpenApiParameter("code", str, required=True, description="券号")],
        responses=VoucherVerificationSerializer,
    )
    @action(detail=False, methods=["get"], permission_classes=[drf_permissions.AllowAny])
    def verify(self, request):
        """券号查验（公开）：项目、持券企业（部分隐去）、面额、余额、有效期和实际状态。"""
        result = vouchers.verify(request.query_params.get("code") or "", request.user)
        return Response(VoucherVerificationSerializer(result).data)


class ServiceProviderViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """科技服务机构：名录公开；单位用户申请入库或修改；市科技局审核、暂停、恢复。"""

    serializer_class = ServiceProviderSerializer
    queryset = ServiceProvider.objects.none()

    def get_queryset(self):
        # Read through a serializer: its text fields refuse a NUL character, which PostgreSQL
        # cannot even compare (a server error, found by the API fuzz test).
        query = ServiceProviderQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        region = None
        if params.get("region"):
            region = Region.objects.filter(code=params["region"]).first() or Region(pk=0)
        return providers.directory(
            self.request.user,
            category=params.get("category") or None,
            keyword=params.get("q") or None,
            region=region,
            status=params.get("status") or None,
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("category", str, enum=ServiceCategory.values),
            OpenApiParameter("q", str, description="机构名称或服务内容关键词"),
            OpenApiParameter("region", str, description="行政区划代码"),
            OpenApiParameter(
                "status",
                str,
                enum=[*ProviderStatus.values, "all"],
                description="其他状态仅市科技局可查",
            ),
        ]
    )
    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        context = {**self.get_serializer_context(), "stats": providers.provider_stats(page)}
        return self.get_paginated_response(
            ServiceProviderSerializer(page, many=True, context=context).data
        )

    def retrieve(self, request, pk=None):
        return Response(ServiceProviderSerializer(providers.get_provider(request.user, pk)).data)

    @extend_schema(request=ServiceProviderApplySerializer, responses=ServiceProviderSerializer)
    @action(detail=False, methods=["post"], permission_classes=[drf_permissions.IsAuthenticated])
    def apply(self, request):
        """为本单位申请入库，或修改入库信息（修改服务类别的已入库机构重新审核）。"""
        data = ServiceProviderApplySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        existed = providers.own_provider(request.user) is not None
        provider = providers.apply(request.user, **data.validated_data)
        return Response(
            ServiceProviderSerializer(provider).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )

    @extend_schema(request=ServiceProviderDecisionSerializer, responses=ServiceProviderSerializer)
    @action(detail=True, methods=["post"], permission_classes=[drf_permissions.IsAuthenticated])
    def decide(self, request, pk=None):
        """市科技局：入库、不予入库、暂停或恢复（后三者须填写理由）。"""
        data = ServiceProviderDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        provider = providers.get_provider(request.user, pk)
        decided = providers.decide(
            request.user,
            provider,
            data.validated_data["decision"],
            data.validated_data["reason"],
        )
        return Response(ServiceProviderSerializer(decided).data)


router = SimpleRouter()
router.register("sharing/programs", VoucherProgramViewSet, basename="sharing-program")
router.register(
    "sharing/voucher-applications",
    VoucherApplicationViewSet,
    basename="sharing-voucher-application",
)
router.register("sharing/vouchers", VoucherViewSet, basename="sharing-voucher")
router.register("sharing/providers", ServiceProviderViewSet, basename="sharing-provider")

urlpatterns = router.urls
