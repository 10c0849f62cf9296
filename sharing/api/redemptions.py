"""核销, 兑付, 异常核查 and 关联关系 through the API, over the same services and permissions as
the pages. A refusal keeps the platform's one error shape ({code, message, errors}): 400 for
bad input, 403 for who may not, 409 for a voucher or claim whose state refuses the action."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework import permissions as drf_permissions
from rest_framework.decorators import action
from rest_framework.response import Response

from core import permissions
from core.exceptions import NotAllowed
from kechuang.api import SimpleRouter
from sharing.choices import FlagStatus, RelationKind, ServiceCategory
from sharing.models import AbuseFlag, OrgRelation, Redemption, SettlementClaim, VoucherProgram
from sharing.services import abuse, settlement
from sharing.services import redemptions as service

MONEY = {"max_digits": 14, "decimal_places": 2}


# -- serializers ----------------------------------------------------------------------------


class RedemptionSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="voucher.code", read_only=True)
    program = serializers.IntegerField(source="voucher.program_id", read_only=True)
    program_name = serializers.CharField(source="voucher.program.name", read_only=True)
    holder = serializers.CharField(source="voucher.holder.name", read_only=True)
    holder_uscc = serializers.CharField(source="voucher.holder.uscc", read_only=True)
    provider_name = serializers.CharField(source="provider.organisation.name", read_only=True)
    category_label = serializers.SerializerMethodField()
    remaining = serializers.SerializerMethodField(
        help_text=gettext_lazy("券的剩余可核销金额（元）")
    )

    class Meta:
        model = Redemption
        fields = [
            "id",
            "code",
            "program",
            "program_name",
            "holder",
            "holder_uscc",
            "provider",
            "provider_name",
            "category",
            "category_label",
            "contract_number",
            "contract_amount",
            "signed_on",
            "service_description",
            "amount",
            "remaining",
            "redeemed_at",
            "rating",
            "rating_comment",
            "rated_at",
        ]
        read_only_fields = fields

    def get_category_label(self, obj) -> str:
        return str(dict(ServiceCategory.choices).get(obj.category, obj.category))

    def get_remaining(self, obj) -> str:
        return f"{obj.voucher.remaining:.2f}"


class RedeemSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=gettext_lazy("券号，如 2026-7K3QD9XM-R"))
    holder_uscc = serializers.CharField(
        help_text=gettext_lazy("合同委托方（持券企业）统一社会信用代码")
    )
    contract_number = serializers.CharField(max_length=60)
    signed_on = serializers.DateField()
    category = serializers.ChoiceField(choices=ServiceCategory.choices)
    contract_amount = serializers.DecimalField(help_text=gettext_lazy("合同金额（元）"), **MONEY)
    service_description = serializers.CharField()
    amount = serializers.DecimalField(help_text=gettext_lazy("核销金额（元）"), **MONEY)


class RateSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5, help_text=gettext_lazy("1–5 分"))
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class SettlementClaimSerializer(serializers.ModelSerializer):
    number = serializers.SerializerMethodField(help_text=gettext_lazy("兑付申请编号"))
    program_name = serializers.CharField(source="program.name", read_only=True)
    provider_name = serializers.CharField(source="provider.organisation.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    redemptions = serializers.SerializerMethodField()

    class Meta:
        model = SettlementClaim
        fields = [
            "id",
            "number",
            "program",
            "program_name",
            "provider",
            "provider_name",
            "total",
            "status",
            "status_label",
            "reason",
            "submitted_at",
            "decided_at",
            "redemptions",
        ]
        read_only_fields = fields

    def get_number(self, obj) -> str:
        return settlement.claim_number(obj)

    def get_redemptions(self, obj) -> list[int]:
        return [line.redemption_id for line in obj.lines.all()]


class ClaimCreateSerializer(serializers.Serializer):
    program = serializers.PrimaryKeyRelatedField(queryset=VoucherProgram.objects.all())
    redemptions = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        default=list,
        help_text=gettext_lazy("核销记录编号；不填则为该项目全部未兑付的核销"),
    )


class RefuseSerializer(serializers.Serializer):
    reason = serializers.CharField(
        allow_blank=True, default="", help_text=gettext_lazy("不予兑付的理由（必填）")
    )


class FlagSerializer(serializers.ModelSerializer):
    rule_name = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    code = serializers.CharField(source="voucher.code", read_only=True, default=None)
    provider_name = serializers.CharField(
        source="provider.organisation.name", read_only=True, default=None
    )

    class Meta:
        model = AbuseFlag
        fields = [
            "id",
            "rule",
            "rule_name",
            "key",
            "program",
            "voucher",
            "code",
            "redemption",
            "provider",
            "provider_name",
            "message",
            "details",
            "status",
            "status_label",
            "review_note",
            "reviewed_at",
            "created_at",
        ]
        read_only_fields = fields

    def get_rule_name(self, obj) -> str:
        return abuse.rule_name(obj.rule)


class ReviewSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[(s.value, s.label) for s in abuse.REVIEW_OUTCOMES])
    note = serializers.CharField(allow_blank=True, default="", max_length=300)


class RelationSerializer(serializers.ModelSerializer):
    first_name = serializers.CharField(source="first.name", read_only=True)
    first_uscc = serializers.CharField(source="first.uscc", read_only=True)
    second_name = serializers.CharField(source="second.name", read_only=True)
    second_uscc = serializers.CharField(source="second.uscc", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = OrgRelation
        fields = [
            "id",
            "first",
            "first_name",
            "first_uscc",
            "second",
            "second_name",
            "second_uscc",
            "kind",
            "kind_label",
            "note",
            "created_at",
        ]
        read_only_fields = fields


class RelationCreateSerializer(serializers.Serializer):
    first = serializers.CharField(help_text=gettext_lazy("单位一统一社会信用代码"))
    second = serializers.CharField(help_text=gettext_lazy("单位二统一社会信用代码"))
    kind = serializers.ChoiceField(choices=RelationKind.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


# -- views ----------------------------------------------------------------------------------


class RedemptionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """创新券核销：服务机构核销并查看本单位的核销；持券企业查看并评价；市科技局查看全部。"""

    serializer_class = RedemptionSerializer
    queryset = Redemption.objects.none()
    permission_classes = [drf_permissions.IsAuthenticated]

    def get_queryset(self):
        qs = service.redemptions_for(self.request.user)
        program = self.request.query_params.get("program", "")
        if program.isdigit():
            qs = qs.filter(voucher__program_id=int(program))
        return qs

    def retrieve(self, request, pk=None):
        redemption = service.get_redemption(request.user, pk)
        return Response(self.get_serializer(redemption).data)

    @extend_schema(request=RedeemSerializer, responses={201: RedemptionSerializer})
    def create(self, request):
        """核销：409 表示券的状态不允许（已过期、已用完、余额不足等），400 表示填写有误。"""
        service.acting_provider(request.user)
        data = RedeemSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        redemption = service.redeem(request.user, **data.validated_data)
        redemption = service.get_redemption(request.user, redemption.pk)
        return Response(self.get_serializer(redemption).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RateSerializer, responses=RedemptionSerializer)
    @action(detail=True, methods=["post"])
    def rate(self, request, pk=None):
        """持券企业评价服务（1–5 分，每笔核销一次）。"""
        data = RateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        redemption = service.get_redemption(request.user, pk)
        service.rate(
            request.user, redemption, data.validated_data["rating"], data.validated_data["comment"]
        )
        return Response(self.get_serializer(service.get_redemption(request.user, pk)).data)


class SettlementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """兑付申请：服务机构申请，市科技局批准或不予批准。"""

    serializer_class = SettlementClaimSerializer
    queryset = SettlementClaim.objects.none()
    permission_classes = [drf_permissions.IsAuthenticated]
    filterset_fields = ["status", "program"]

    def get_queryset(self):
        return settlement.claims_for(self.request.user).prefetch_related("lines")

    def retrieve(self, request, pk=None):
        return self._reply(settlement.get_claim(request.user, pk))

    def _reply(self, claim, code=status.HTTP_200_OK):
        claim = self.get_queryset().get(pk=claim.pk)
        return Response(self.get_serializer(claim).data, status=code)

    @extend_schema(request=ClaimCreateSerializer, responses={201: SettlementClaimSerializer})
    def create(self, request):
        data = ClaimCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        claim = settlement.claim_settlement(
            request.user,
            data.validated_data["program"],
            data.validated_data["redemptions"] or None,
        )
        return self._reply(claim, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=SettlementClaimSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """批准兑付（市科技局）。"""
        claim = settlement.get_claim(request.user, pk)
        return self._reply(settlement.approve_claim(request.user, claim))

    @extend_schema(request=RefuseSerializer, responses=SettlementClaimSerializer)
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        """不予兑付（须写明理由）；相关核销记录可重新申请。"""
        data = RefuseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        claim = settlement.get_claim(request.user, pk)
        return self._reply(
            settlement.refuse_claim(request.user, claim, data.validated_data["reason"])
        )


class BureauOnly(drf_permissions.BasePermission):
    message = gettext_lazy("只有市科技局可以使用该接口。")

    def has_permission(self, request, view):
        if not permissions.can(request.user, "sharing.manage"):
            raise NotAllowed(str(self.message))
        return True


class FlagViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """创新券异常核查（市科技局）：待核查的在前；可按规则、核查状态、项目筛选。"""

    serializer_class = FlagSerializer
    queryset = AbuseFlag.objects.none()
    permission_classes = [drf_permissions.IsAuthenticated, BureauOnly]

    def get_queryset(self):
        params = self.request.query_params
        program = params.get("program", "")
        status_ = params.get("status") or None
        if status_ and status_ not in FlagStatus.values:
            status_ = "-"
        return abuse.flags(
            rule=params.get("rule") or None,
            status=status_,
            program=int(program) if program.isdigit() else None,
        )

    @extend_schema(request=ReviewSerializer, responses=FlagSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """核查结论：cleared（核查正常）或 confirmed（确认异常），须填写核查意见。"""
        data = ReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        flag = abuse.review_flag(
            request.user,
            abuse.get_flag(pk),
            data.validated_data["status"],
            data.validated_data["note"],
        )
        return Response(self.get_serializer(abuse.get_flag(flag.pk)).data)


class RelationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """单位关联关系（市科技局）：登记、查看、删除。"""

    serializer_class = RelationSerializer
    queryset = OrgRelation.objects.none()
    permission_classes = [drf_permissions.IsAuthenticated, BureauOnly]

    def get_queryset(self):
        return abuse.relations()

    @extend_schema(request=RelationCreateSerializer, responses={201: RelationSerializer})
    def create(self, request):
        data = RelationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        relation = abuse.record_relation(
            request.user, v["first"], v["second"], v["kind"], v["note"]
        )
        return Response(self.get_serializer(relation).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, pk=None):
        abuse.delete_relation(request.user, abuse.get_relation(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


router = SimpleRouter()
router.register("sharing/redemptions", RedemptionViewSet, basename="sharing-redemption")
router.register("sharing/settlements", SettlementViewSet, basename="sharing-settlement")
router.register("sharing/flags", FlagViewSet, basename="sharing-flag")
router.register("sharing/relations", RelationViewSet, basename="sharing-relation")

urlpatterns = router.urls
