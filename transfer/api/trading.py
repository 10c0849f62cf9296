"""Trading, 技术合同认定登记 and statistics through the API, over the same services and
permissions as the pages. Listings and their (masked) bid history are public; errors have the
platform's one shape ({code, message, errors})."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework import permissions as drf_permissions
from rest_framework.decorators import action
from rest_framework.response import Response

from core.models import HighTechField
from integrity.api.serializers import OrganisationCodeField
from kechuang.api import SimpleRouter
from resources.models import Achievement
from transfer.choices import ContractKind, ListingKind, ListingMode
from transfer.models import Listing, TechContract
from transfer.services import contracts, listings, statistics

MONEY = {"max_digits": 16, "decimal_places": 2}

# -- serializers ----------------------------------------------------------------------------


class ListingSerializer(serializers.ModelSerializer):
    achievement_title = serializers.CharField(source="achievement.title", read_only=True)
    owner = serializers.CharField(source="achievement.owner.name", read_only=True)
    mode_label = serializers.CharField(source="get_mode_display", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    phase = serializers.SerializerMethodField(help_text=_("upcoming、active、ended 或结束后的状态"))
    bid_count = serializers.SerializerMethodField()
    highest_bid = serializers.SerializerMethodField()
    buyer_name = serializers.SerializerMethodField(
        help_text=_("受让方；对挂牌方和市科技局以外的用户部分隐去")
    )

    class Meta:
        model = Listing
        fields = [
            "id",
            "achievement",
            "achievement_title",
            "owner",
            "mode",
            "mode_label",
            "kind",
            "kind_label",
            "reserve_price",
            "min_step",
            "starts_at",
            "ends_at",
            "terms",
            "status",
            "status_label",
            "phase",
            "bid_count",
            "highest_bid",
            "deal_price",
            "buyer_name",
            "closed_at",
            "result_note",
            "created_at",
        ]
        read_only_fields = fields

    def get_phase(self, obj) -> str:
        return listings.phase(obj)

    def get_bid_count(self, obj) -> int:
        return getattr(obj, "bid_count", None) or obj.bids.count()

    def get_highest_bid(self, obj) -> str | None:
        value = getattr(obj, "highest_bid", None)
        if value is None:
            value = obj.bids.order_by("-amount").values_list("amount", flat=True).first()
        return None if value is None else f"{value:.2f}"

    def get_buyer_name(self, obj) -> str:
        if obj.buyer_id is None:
            return ""
        user = self.context["request"].user
        m = getattr(user, "current_membership", None)
        if (m is not None and m.is_active and m.organisation_id == obj.buyer_id) or (
            listings.sees_bidders(user, obj)
        ):
            return obj.buyer.name
        return listings.mask_name(obj.buyer.name)


class ListingWriteSerializer(serializers.Serializer):
    achievement = serializers.PrimaryKeyRelatedField(
        queryset=Achievement.objects.all(), help_text=_("科技成果编号")
    )
    mode = serializers.ChoiceField(choices=ListingMode.choices)
    kind = serializers.ChoiceField(choices=ListingKind.choices, default=ListingKind.AUCTION)
    reserve_price = serializers.DecimalField(help_text=_("挂牌底价（元）"), **MONEY)
    min_step = serializers.DecimalField(
        required=False, allow_null=True, help_text=_("最小加价幅度（元），公开竞价必填"), **MONEY
    )
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    terms = serializers.CharField(required=False, allow_blank=True, default="")


class BidRequestSerializer(serializers.Serializer):
    amount = serializers.DecimalField(help_text=_("出价（元）"), **MONEY)


class BidLineSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    bidder = serializers.CharField(help_text=_("竞买单位；对挂牌方和市科技局以外的用户部分隐去"))
    amount = serializers.DecimalField(**MONEY)
    created_at = serializers.DateTimeField()
    mine = serializers.BooleanField()
    leading = serializers.BooleanField()


class ListingDealSerializer(serializers.Serializer):
    buyer = OrganisationCodeField(help_text=_("受让方统一社会信用代码"))
    price = serializers.DecimalField(help_text=_("成交价（元）"), **MONEY)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class ListingWithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class TaxLineSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    eligible = serializers.BooleanField()
    text = serializers.CharField()
    source = serializers.CharField()
    exempt = serializers.DecimalField(allow_null=True, **MONEY)
    half_rate = serializers.DecimalField(allow_null=True, **MONEY)


class TechContractSerializer(serializers.ModelSerializer):
    seller_name = serializers.CharField(source="seller.name", read_only=True)
    buyer = serializers.CharField(
        source="buyer.uscc", read_only=True, default=None, allow_null=True
    )
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    field_name = serializers.CharField(source="field.name", read_only=True, default=None)
    tax_benefits = serializers.SerializerMethodField(
        help_text=_("税收优惠（参考，以税务机关认定为准）")
    )

    class Meta:
        model = TechContract
        fields = [
            "id",
            "kind",
            "kind_label",
            "title",
            "subject",
            "seller",
            "seller_name",
            "buyer",
            "buyer_name",
            "buyer_in_city",
            "field",
            "field_name",
            "achievement",
            "listing",
            "total_amount",
            "declared_tech_amount",
            "non_tech_part",
            "related_to_transfer",
            "payment_terms",
            "signed_on",
            "valid_until",
            "status",
            "status_label",
            "registered_kind",
            "tech_amount",
            "registration_number",
            "registrar_note",
            "registered_at",
            "created_at",
            "tax_benefits",
        ]
        read_only_fields = fields

    def get_tax_benefits(self, obj) -> list[dict[str, Any]]:
        return TaxLineSerializer(contracts.tax_benefits(obj), many=True).data


class TechContractWriteSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ContractKind.choices, required=False)
    title = serializers.CharField(required=False, max_length=200)
    subject = serializers.CharField(required=False, allow_blank=True)
    buyer = OrganisationCodeField(
        required=False, allow_null=True, help_text=_("买方统一社会信用代码（平台注册单位）")
    )
    buyer_name = serializers.CharField(required=False, allow_blank=True, max_length=120)
    buyer_in_city = serializers.BooleanField(required=False)
    field = serializers.PrimaryKeyRelatedField(
        queryset=HighTechField.objects.all(), required=False, allow_null=True
    )
    total_amount = serializers.DecimalField(required=False, **MONEY)
    declared_tech_amount = serializers.DecimalField(required=False, **MONEY)
    non_tech_part = serializers.CharField(required=False, allow_blank=True, max_length=300)
    related_to_transfer = serializers.BooleanField(required=False)
    payment_terms = serializers.CharField(required=False, allow_blank=True)
    signed_on = serializers.DateField(required=False, allow_null=True)
    valid_until = serializers.DateField(required=False, allow_null=True)


class ContractRegisterSerializer(serializers.Serializer):
    registered_kind = serializers.ChoiceField(choices=ContractKind.choices, required=False)
    tech_amount = serializers.DecimalField(
        required=False, allow_null=True, help_text=_("认定技术交易额（元），默认为申报额"), **MONEY
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ContractRefuseSerializer(serializers.Serializer):
    reasons = serializers.CharField(help_text=_("不予登记的理由（必填）"))


# -- views ----------------------------------------------------------------------------------


class ListingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """成果挂牌：列表与详情公开；成果所属单位或市科技局挂牌、结束、录入协议成交、撤牌；注册单位出价。"""

    serializer_class = ListingSerializer
    queryset = Listing.objects.none()
    filterset_fields = ["status", "mode", "kind"]

    def get_queryset(self):
        return listings.listings_for(self.request.user)

    def _reply(self, listing, code=status.HTTP_200_OK):
        listing = self.get_queryset().get(pk=listing.pk)
        return Response(self.get_serializer(listing).data, status=code)

    @extend_schema(request=ListingWriteSerializer, responses={201: ListingSerializer})
    def create(self, request):
        data = ListingWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        listing = listings.create_listing(request.user, values.pop("achievement"), **values)
        return self._reply(listing, status.HTTP_201_CREATED)

    @extend_schema(request=BidRequestSerializer, responses={201: BidLineSerializer(many=True)})
    @action(detail=True, methods=["post"], pagination_class=None)
    def bid(self, request, pk=None):
        """出价：首次不低于底价，其后不低于当前最高价加最小加价幅度；返回最新竞价记录。"""
        data = BidRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        listing = listings.get_listing(pk)
        listings.place_bid(request.user, listing, data.validated_data["amount"])
        history = listings.bid_history(listing, request.user)
        return Response(BidLineSerializer(history, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=BidLineSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def bids(self, request, pk=None):
        """竞价记录，出价从高到低。"""
        history = listings.bid_history(listings.get_listing(pk), request.user)
        return Response(BidLineSerializer(history, many=True).data)

    @extend_schema(request=None, responses=ListingSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """挂牌截止后结束：最高出价成交并生成合同草稿，无人出价则流拍。"""
        return self._reply(listings.close_listing(request.user, listings.get_listing(pk)))

    @extend_schema(request=ListingDealSerializer, responses=ListingSerializer)
    @action(detail=True, methods=["post"])
    def negotiate(self, request, pk=None):
        """协议转让：录入受让方和成交价（不低于底价），生成合同草稿。"""
        data = ListingDealSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        listing = listings.record_deal(
            request.user, listings.get_listing(pk), v["buyer"], v["price"], v["note"]
        )
        return self._reply(listing)

    @extend_schema(request=ListingWithdrawSerializer, responses=ListingSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """撤牌（无人出价时）。"""
        data = ListingWithdrawSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        listing = listings.withdraw_listing(
            request.user, listings.get_listing(pk), data.validated_data["reason"]
        )
        return self._reply(listing)


class ContractViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """技术合同认定登记：卖方单位填报、修改、提交；登记员（市科技局）认定登记或不予登记。"""

    serializer_class = TechContractSerializer
    queryset = TechContract.objects.none()
    permission_classes = [drf_permissions.IsAuthenticated]
    filterset_fields = ["status", "kind"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return contracts.contracts_for(self.request.user)

    def _reply(self, contract, code=status.HTTP_200_OK):
        contract = contracts.get_contract_for_user(self.request.user, contract.pk)
        return Response(
            TechContractSerializer(contract, context={"request": self.request}).data, status=code
        )

    def retrieve(self, request, pk=None):
        return self._reply(contracts.get_contract_for_user(request.user, pk))

    @extend_schema(request=TechContractWriteSerializer, responses={201: TechContractSerializer})
    def create(self, request):
        data = TechContractWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        contract = contracts.create_contract(request.user, **data.validated_data)
        return self._reply(contract, status.HTTP_201_CREATED)

    @extend_schema(request=TechContractWriteSerializer, responses=TechContractSerializer)
    def partial_update(self, request, pk=None):
        contract = contracts.get_contract_for_user(request.user, pk, write=True)
        data = TechContractWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        return self._reply(contracts.update_contract(request.user, contract, **data.validated_data))

    @extend_schema(request=None, responses=TechContractSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """提交认定登记。"""
        contract = contracts.get_contract_for_user(request.user, pk, write=True)
        return self._reply(contracts.submit_contract(request.user, contract))

    @extend_schema(request=ContractRegisterSerializer, responses=TechContractSerializer)
    @action(detail=True, methods=["post"])
    def register(self, request, pk=None):
        """认定登记：核定类型和技术交易额，发给登记编号。"""
        data = ContractRegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        contract = contracts.get_contract_for_user(request.user, pk)
        return self._reply(
            contracts.register_contract(request.user, contract, **data.validated_data)
        )

    @extend_schema(request=ContractRefuseSerializer, responses=TechContractSerializer)
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        """不予登记（须写明理由）。"""
        data = ContractRefuseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        contract = contracts.get_contract_for_user(request.user, pk)
        return self._reply(
            contracts.refuse_contract(request.user, contract, data.validated_data["reasons"])
        )


def _plain(value):
    """Decimals as strings with two decimals and dates in ISO form, for JSON."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


class ContractPeriodSerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)


class FunnelQuerySerializer(serializers.Serializer):
    by = serializers.ChoiceField(
        choices=[("organisation", _("按单位")), ("district", _("按区域"))],
        required=False,
        default="organisation",
    )
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)


class StatisticsViewSet(viewsets.ViewSet):
    """成果转化统计（市科技局；区县管理员只含本区）。"""

    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(parameters=[ContractPeriodSerializer], responses=OpenApiTypes.OBJECT)
    @action(detail=False, methods=["get"])
    def contracts(self, request):
        """已登记技术合同按类型、领域、区域、卖方单位类型、买方所在地分组的合同数、金额和技术交易额。"""
        query = ContractPeriodSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        stats = statistics.contract_statistics_for(request.user, **query.validated_data)
        return Response(_plain(stats))

    @extend_schema(
        parameters=[
            FunnelQuerySerializer,
            OpenApiParameter("by", str, enum=["organisation", "district"]),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    @action(detail=False, methods=["get"])
    def funnel(self, request):
        """成果转化漏斗：各单位或各区域的成果发布、筛选、入目录、挂牌、出价、签约、登记数和登记技术交易额。"""
        query = FunnelQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(_plain(statistics.funnel_for(request.user, **query.validated_data)))


router = SimpleRouter()
router.register("transfer/listings", ListingViewSet, basename="transfer-listing")
router.register("transfer/contracts", ContractViewSet, basename="transfer-contract")
router.register("transfer/statistics", StatisticsViewSet, basename="transfer-statistics")

urlpatterns = router.urls
