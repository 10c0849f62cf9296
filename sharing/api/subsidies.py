"""先用后补 through the API, over the same services and permissions as the pages: the yearly
policies (the bureau writes, every signed-in user reads), an organisation's claimable records
with the amount they would give, claims (an organisation's own, all for the bureau), the bureau's
approval or refusal and the payment list. Errors have the platform's one shape."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework import permissions as drf_permissions
from rest_framework.decorators import action
from rest_framework.response import Response

from core.exceptions import NotFound, ServiceError
from kechuang.api import SimpleRouter
from sharing.models import SubsidyClaim, SubsidyClaimLine, SubsidyPolicy, UsageRecord
from sharing.services import subsidies

MONEY = {"max_digits": 14, "decimal_places": 2}

# -- serializers ----------------------------------------------------------------------------


class SubsidyPolicySerializer(serializers.ModelSerializer):
    remaining = serializers.SerializerMethodField(help_text=_("年度预算余额（元）"))

    class Meta:
        model = SubsidyPolicy
        fields = [
            "year",
            "rate",
            "cap_per_user",
            "budget",
            "approved_total",
            "remaining",
            "claims_from",
            "claims_until",
            "note",
            "created_at",
        ]
        read_only_fields = fields

    def get_remaining(self, obj) -> str:
        return f"{obj.budget - obj.approved_total:.2f}"


class SubsidyPolicyWriteSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    rate = serializers.DecimalField(
        max_digits=4, decimal_places=3, help_text=_("补贴比例，如 0.3 表示 30%")
    )
    cap_per_user = serializers.DecimalField(help_text=_("单位年度补贴上限（元）"), **MONEY)
    budget = serializers.DecimalField(help_text=_("年度补贴总额（元）"), **MONEY)
    claims_from = serializers.DateField()
    claims_until = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class SubsidyPolicyUpdateSerializer(SubsidyPolicyWriteSerializer):
    year = None


class SubsidyClaimableSerializer(serializers.ModelSerializer):
    instrument = serializers.CharField(source="booking.slot.instrument.title", read_only=True)
    host = serializers.CharField(source="booking.slot.instrument.owner.name", read_only=True)
    started_at = serializers.DateTimeField(source="booking.slot.starts_at", read_only=True)

    class Meta:
        model = UsageRecord
        fields = ["id", "instrument", "host", "started_at", "hours", "fee", "service_summary"]
        read_only_fields = fields


class SubsidyQuoteSerializer(serializers.Serializer):
    records = serializers.IntegerField(help_text=_("所选记录数"))
    fee_total = serializers.DecimalField(help_text=_("服务收费合计（元）"), **MONEY)
    rate = serializers.DecimalField(max_digits=4, decimal_places=3)
    computed = serializers.DecimalField(help_text=_("按比例计算（元）"), **MONEY)
    cap = serializers.DecimalField(help_text=_("单位年度上限（元）"), **MONEY)
    approved = serializers.DecimalField(help_text=_("本年度已批准（元）"), **MONEY)
    pending = serializers.DecimalField(help_text=_("本年度审核中（元）"), **MONEY)
    remaining = serializers.DecimalField(help_text=_("尚可申请（元）"), **MONEY)
    amount = serializers.DecimalField(help_text=_("本次可申请补贴（元）"), **MONEY)
    capped = serializers.BooleanField(help_text=_("是否受单位上限限制"))
    working = serializers.ListField(child=serializers.CharField(), help_text=_("计算过程"))


class SubsidyClaimLineSerializer(serializers.ModelSerializer):
    instrument = serializers.CharField(source="usage.booking.slot.instrument.title", read_only=True)
    started_at = serializers.DateTimeField(source="usage.booking.slot.starts_at", read_only=True)

    class Meta:
        model = SubsidyClaimLine
        fields = ["usage", "instrument", "started_at", "fee", "active"]
        read_only_fields = fields


class SubsidyClaimSerializer(serializers.ModelSerializer):
    number = serializers.SerializerMethodField(help_text=_("申请编号"))
    year = serializers.IntegerField(source="policy.year", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    lines = serializers.SerializerMethodField()

    class Meta:
        model = SubsidyClaim
        fields = [
            "id",
            "number",
            "year",
            "organisation",
            "organisation_name",
            "fee_total",
            "computed",
            "amount",
            "working",
            "status",
            "status_label",
            "approved_amount",
            "reason",
            "submitted_at",
            "decided_at",
            "lines",
        ]
        read_only_fields = fields

    def get_number(self, obj) -> str:
        return subsidies.claim_number(obj)

    @extend_schema_field(SubsidyClaimLineSerializer(many=True))
    def get_lines(self, obj):
        return SubsidyClaimLineSerializer(subsidies.claim_lines(obj), many=True).data


class SubsidyClaimCreateSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    records = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        allow_null=True,
        help_text=_("使用记录编号；不填则为该年度全部可申请记录"),
    )


class SubsidyApproveSerializer(serializers.Serializer):
    amount = serializers.DecimalField(
        required=False, allow_null=True, help_text=_("批准金额（元），默认为申请金额"), **MONEY
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=300, help_text=_("核减时必填")
    )


class SubsidyRefuseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, help_text=_("不予批准的理由（必填）"))


class SubsidyYearQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)


# -- views ----------------------------------------------------------------------------------


class PolicyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """先用后补年度政策：登录用户可查看；市科技局设置和修改（已有申请后比例和上限不能修改）。"""

    serializer_class = SubsidyPolicySerializer
    queryset = SubsidyPolicy.objects.order_by("-year")
    permission_classes = [drf_permissions.IsAuthenticated]
    lookup_field = "year"
    http_method_names = ["get", "post", "patch", "head", "options"]

    @extend_schema(request=SubsidyPolicyWriteSerializer, responses={201: SubsidyPolicySerializer})
    def create(self, request):
        data = SubsidyPolicyWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        policy = subsidies.save_policy(request.user, **data.validated_data)
        return Response(SubsidyPolicySerializer(policy).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SubsidyPolicyUpdateSerializer, responses=SubsidyPolicySerializer)
    def partial_update(self, request, year=None):
        policy = self.get_object()
        data = SubsidyPolicyUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = {
            "rate": policy.rate,
            "cap_per_user": policy.cap_per_user,
            "budget": policy.budget,
            "claims_from": policy.claims_from,
            "claims_until": policy.claims_until,
            "note": policy.note,
            **data.validated_data,
        }
        policy = subsidies.save_policy(request.user, year=policy.year, **values)
        return Response(SubsidyPolicySerializer(policy).data)


class ClaimableViewSet(viewsets.ViewSet):
    """本单位某年度可申请补贴的使用记录，以及全部申请时的补贴金额和计算过程。"""

    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(parameters=[SubsidyYearQuerySerializer], responses=OpenApiTypes.OBJECT)
    def list(self, request):
        query = SubsidyYearQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        year = query.validated_data.get("year") or timezone.localdate().year
        organisation = subsidies.claimant_organisation(request.user)
        records = subsidies.claimable_records(organisation, year)
        quote, message = None, ""
        if records.exists():
            try:
                quote = SubsidyQuoteSerializer(subsidies.preview_claim(request.user, year)).data
            except ServiceError as exc:
                message = exc.message
        return Response(
            {
                "year": year,
                "records": SubsidyClaimableSerializer(records, many=True).data,
                "quote": quote,
                "message": message,
            }
        )


class ClaimViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """先用后补申请：单位用户申请并查看本单位的申请；市科技局查看全部申请并批准或不予批准。"""

    serializer_class = SubsidyClaimSerializer
    queryset = SubsidyClaim.objects.none()
    permission_classes = [drf_permissions.IsAuthenticated]
    filterset_fields = ["status"]

    def get_queryset(self):
        year = self.request.query_params.get("year")
        return subsidies.claims_for(
            self.request.user, year=int(year) if year and year.isdigit() else None
        )

    def _reply(self, claim, code=status.HTTP_200_OK):
        claim = subsidies.get_claim_for(self.request.user, claim.pk)
        return Response(SubsidyClaimSerializer(claim).data, status=code)

    @extend_schema(
        parameters=[OpenApiParameter("year", int, description="年度")],
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, pk=None):
        return self._reply(self._get(pk))

    def _get(self, pk) -> SubsidyClaim:
        if not str(pk).isdigit():
            raise NotFound(_("先用后补申请不存在。"))
        return subsidies.get_claim_for(self.request.user, int(pk))

    @extend_schema(request=SubsidyClaimCreateSerializer, responses={201: SubsidyClaimSerializer})
    def create(self, request):
        data = SubsidyClaimCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        claim = subsidies.submit_claim(request.user, v["year"], v.get("records"))
        return self._reply(claim, status.HTTP_201_CREATED)

    @extend_schema(request=SubsidyClaimCreateSerializer, responses=SubsidyQuoteSerializer)
    @action(detail=False, methods=["post"])
    def preview(self, request):
        """试算：所选记录（默认全部）可申请的补贴金额和计算过程，不提交申请。"""
        data = SubsidyClaimCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        quote = subsidies.preview_claim(request.user, v["year"], v.get("records"))
        return Response(SubsidyQuoteSerializer(quote).data)

    @extend_schema(request=SubsidyApproveSerializer, responses=SubsidyClaimSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """批准：金额默认为申请金额，可核减（须说明理由），不能提高。"""
        data = SubsidyApproveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        claim = subsidies.approve_claim(request.user, self._get(pk), v.get("amount"), v["reason"])
        return self._reply(claim)

    @extend_schema(request=SubsidyRefuseSerializer, responses=SubsidyClaimSerializer)
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        """不予批准（须写明理由），所列使用记录可重新申请。"""
        data = SubsidyRefuseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        claim = subsidies.refuse_claim(request.user, self._get(pk), data.validated_data["reason"])
        return self._reply(claim)

    @extend_schema(parameters=[SubsidyYearQuerySerializer], responses=OpenApiTypes.OBJECT)
    @action(detail=False, methods=["get"])
    def payments(self, request):
        """补贴拨付清单（市科技局）：某年度已批准的申请及合计。"""
        query = SubsidyYearQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        year = query.validated_data.get("year") or timezone.localdate().year
        rows = subsidies.payment_rows(request.user, year)
        keys = [
            "serial",
            "organisation",
            "uscc",
            "number",
            "records",
            "fee_total",
            "approved_amount",
            "decided_at",
        ]
        items = [dict(zip(keys, row, strict=True)) for row in rows[:-1]]
        total = rows[-1]
        return Response(
            {
                "year": year,
                "headers": subsidies.payment_headers(),
                "items": [
                    {
                        **item,
                        "fee_total": f"{item['fee_total']:.2f}",
                        "approved_amount": f"{item['approved_amount']:.2f}",
                    }
                    for item in items
                ],
                "total": {
                    "records": total[4],
                    "fee_total": f"{total[5]:.2f}",
                    "approved_amount": f"{total[6]:.2f}",
                },
            }
        )


router = SimpleRouter()
router.register("sharing/subsidies/policies", PolicyViewSet, basename="sharing-subsidy-policy")
router.register(
    "sharing/subsidies/claimable", ClaimableViewSet, basename="sharing-subsidy-claimable"
)
router.register("sharing/subsidies/claims", ClaimViewSet, basename="sharing-subsidy-claim")

urlpatterns = router.urls
