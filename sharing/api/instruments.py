"""仪器共享 through the API, over the same services and permissions as the pages: instruments
with free slots and their slots (public), opening slots (hosts), bookings and their decisions,
usage records and the open-sharing statistics. Errors have the platform's one shape
({code, message, errors}); a slot someone else booked first is a 409."""

from __future__ import annotations

import datetime
from dataclasses import asdict
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework import permissions as drf_permissions
from rest_framework.decorators import action
from rest_framework.response import Response

from core.exceptions import NotAllowed, NotFound
from core.models import Organisation
from kechuang.api import SimpleRouter
from resources.models import Instrument
from sharing.choices import BookingStatus
from sharing.models import Booking, SharingSlot, UsageRecord
from sharing.services import bookings, sharing_stats, usage

MONEY = {"max_digits": 14, "decimal_places": 2}
STATE_LABELS = {
    bookings.FREE: _("可预约"),
    bookings.BOOKED: _("已被预约"),
    bookings.MINE: _("本单位已预约"),
    bookings.PAST: _("已过期"),
}

# -- serializers ----------------------------------------------------------------------------


class SharedInstrumentSerializer(serializers.ModelSerializer):
    owner_name = serializers.CharField(source="owner.name", read_only=True)
    free_slots = serializers.IntegerField(read_only=True, help_text=_("将来可预约的时段数"))
    next_free = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text=_("最近的可预约时段开始时间")
    )

    class Meta:
        model = Instrument
        fields = [
            "id",
            "title",
            "model_number",
            "owner",
            "owner_name",
            "fee",
            "sharing_terms",
            "free_slots",
            "next_free",
        ]
        read_only_fields = fields


class SharingSlotSerializer(serializers.ModelSerializer):
    hours = serializers.DecimalField(max_digits=8, decimal_places=2, read_only=True)
    state = serializers.SerializerMethodField(
        help_text=_("free 可预约、booked 已被预约、mine 本单位已预约、past 已过期")
    )
    state_label = serializers.SerializerMethodField()

    class Meta:
        model = SharingSlot
        fields = [
            "id",
            "instrument",
            "starts_at",
            "ends_at",
            "hours",
            "note",
            "state",
            "state_label",
        ]
        read_only_fields = fields

    def _state(self, obj) -> str:
        states = self.context.get("states") or {}
        if obj.pk not in states:
            states.update(bookings.slot_states([obj], self.context["request"].user))
        return states[obj.pk]

    def get_state(self, obj) -> str:
        return self._state(obj)

    def get_state_label(self, obj) -> str:
        return str(STATE_LABELS[self._state(obj)])


class SharingSlotWriteSerializer(serializers.Serializer):
    """One slot (starts_at, ends_at) or a batch (date_from, date_to, periods, weekdays,
    workdays_only)."""

    starts_at = serializers.DateTimeField(required=False)
    ends_at = serializers.DateTimeField(required=False)
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    periods = serializers.CharField(
        required=False, help_text=_("每天的开放时间段，如“09:00-12:00, 13:30-17:30”")
    )
    weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6),
        required=False,
        help_text=_("0 为星期一，6 为星期日；不填表示每天"),
    )
    workdays_only = serializers.BooleanField(required=False, default=False)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)

    def validate(self, attrs):
        single = "starts_at" in attrs or "ends_at" in attrs
        batch = "date_from" in attrs or "date_to" in attrs or "periods" in attrs
        if single == batch:
            raise serializers.ValidationError(
                _(
                    "请填写单个时段（starts_at、ends_at）或批量开放（date_from、date_to、periods）之一。"
                )
            )
        needed = ("starts_at", "ends_at") if single else ("date_from", "date_to", "periods")
        missing = {f: [_("该字段是必填项。")] for f in needed if f not in attrs}
        if missing:
            raise serializers.ValidationError(missing)
        return attrs


class UsageRecordSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = UsageRecord
        fields = [
            "id",
            "hours",
            "samples",
            "fee",
            "service_summary",
            "status",
            "status_label",
            "satisfaction",
            "comment",
            "dispute_reason",
            "recorded_at",
            "confirmed_at",
        ]
        read_only_fields = fields


class BookingSerializer(serializers.ModelSerializer):
    instrument_title = serializers.CharField(source="instrument.title", read_only=True)
    host_name = serializers.CharField(source="instrument.owner.name", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    requester_name = serializers.StringRelatedField(source="requester")
    starts_at = serializers.DateTimeField(source="slot.starts_at", read_only=True)
    ends_at = serializers.DateTimeField(source="slot.ends_at", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    usage = serializers.SerializerMethodField()

    class Meta:
        model = Booking
        fields = [
            "id",
            "slot",
            "instrument",
            "instrument_title",
            "host_name",
            "organisation",
            "organisation_name",
            "requester_name",
            "starts_at",
            "ends_at",
            "sample_description",
            "service_requested",
            "sample_count",
            "status",
            "status_label",
            "reason",
            "decided_at",
            "cancelled_at",
            "created_at",
            "usage",
        ]
        read_only_fields = fields

    @extend_schema_field(UsageRecordSerializer(allow_null=True))
    def get_usage(self, obj) -> dict | None:
        record = UsageRecord.objects.filter(booking=obj).first()
        return None if record is None else UsageRecordSerializer(record).data


class BookingWriteSerializer(serializers.Serializer):
    slot = serializers.IntegerField(help_text=_("开放时段编号"))
    sample_description = serializers.CharField(help_text=_("样品描述"))
    service_requested = serializers.CharField(help_text=_("服务需求"))
    sample_count = serializers.IntegerField(min_value=1, default=1)


class BookingReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, help_text=_("理由（必填）"))


class BookingCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=300,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("取消原因；仪器所属单位取消时必填"),
    )


class UsageRecordWriteSerializer(serializers.Serializer):
    hours = serializers.DecimalField(max_digits=6, decimal_places=2, help_text=_("机时（小时）"))
    samples = serializers.IntegerField(min_value=0)
    fee = serializers.DecimalField(help_text=_("收费金额（元）"), **MONEY)
    service_summary = serializers.CharField()


class UsageConfirmSerializer(serializers.Serializer):
    satisfaction = serializers.IntegerField(help_text=_("满意度 1–5"))
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class SharingBookingQuerySerializer(serializers.Serializer):
    side = serializers.ChoiceField(
        choices=[("mine", _("本单位的预约")), ("host", _("本单位仪器的预约"))],
        required=False,
        default="mine",
    )
    status = serializers.ChoiceField(choices=BookingStatus.choices, required=False)


class SharedInstrumentQuerySerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, default="")
    owner = serializers.IntegerField(required=False)
    free = serializers.BooleanField(required=False, default=False)


class SharingSlotQuerySerializer(serializers.Serializer):
    date_from = serializers.DateField(required=False, help_text=_("起始日期，默认今天"))
    date_to = serializers.DateField(required=False)


class SharingStatisticsQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    host = serializers.IntegerField(required=False, help_text=_("单位编号：返回该单位各仪器的明细"))


# -- views ----------------------------------------------------------------------------------


class SharedInstrumentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """共享仪器：已发布的仪器及其可预约时段（公开）；仪器所属单位开放时段。"""

    serializer_class = SharedInstrumentSerializer
    queryset = Instrument.objects.none()

    def get_queryset(self):
        query = SharedInstrumentQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        v = query.validated_data
        return bookings.instruments_for(
            self.request.user, q=v["q"], owner=v.get("owner"), free_only=v["free"]
        )

    @extend_schema(parameters=[SharedInstrumentQuerySerializer])
    def list(self, request, *args, **kwargs):
        """已发布的仪器，含将来可预约的时段数和最近的可预约时段。"""
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, pk=None):
        """一台已发布的仪器；尚未发布的仅所属单位可见。"""
        instrument = bookings.shared_instrument(request.user, int(pk))
        return Response(self.get_serializer(instrument).data)

    @extend_schema(
        methods=["GET"],
        parameters=[SharingSlotQuerySerializer],
        responses=SharingSlotSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        request=SharingSlotWriteSerializer,
        # A plain list (the GET is paginated, so many=True would document a page).
        responses={201: {"type": "array", "items": {"$ref": "#/components/schemas/SharingSlot"}}},
    )
    @action(detail=True, methods=["get", "post"])
    def slots(self, request, pk=None):
        """GET：仪器的开放时段及其状态（公开）；POST：开放单个时段或批量开放（仪器所属单位）。"""
        instrument = bookings.get_instrument(request.user, int(pk))
        if request.method == "POST":
            data = SharingSlotWriteSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            v = data.validated_data
            if "starts_at" in v:
                created = bookings.open_slots(
                    request.user, instrument, [(v["starts_at"], v["ends_at"])], v["note"]
                )
            else:
                created = bookings.open_batch(
                    request.user,
                    instrument,
                    date_from=v["date_from"],
                    date_to=v["date_to"],
                    periods=v["periods"],
                    weekdays=v.get("weekdays"),
                    workdays_only=v["workdays_only"],
                    note=v["note"],
                )
            states = bookings.slot_states(created, request.user)
            return Response(
                SharingSlotSerializer(
                    created, many=True, context={"request": request, "states": states}
                ).data,
                status=status.HTTP_201_CREATED,
            )
        query = SharingSlotQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        day_from = query.validated_data.get("date_from") or timezone.localdate()
        qs = SharingSlot.objects.filter(
            instrument=instrument,
            starts_at__gte=timezone.make_aware(
                datetime.datetime.combine(day_from, datetime.time())
            ),
        ).order_by("starts_at")
        if query.validated_data.get("date_to"):
            end = query.validated_data["date_to"] + datetime.timedelta(days=1)
            qs = qs.filter(
                starts_at__lt=timezone.make_aware(datetime.datetime.combine(end, datetime.time()))
            )
        page = self.paginate_queryset(qs)
        states = bookings.slot_states(page, request.user)
        data = SharingSlotSerializer(
            page, many=True, context={"request": request, "states": states}
        ).data
        return self.get_paginated_response(data)


class SharingSlotViewSet(viewsets.GenericViewSet):
    """开放时段：撤销没有预约的将来时段（仪器所属单位）。"""

    queryset = SharingSlot.objects.none()
    serializer_class = SharingSlotSerializer
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """撤销时段；已有预约的时段须先处理预约。"""
        slot = SharingSlot.objects.select_related("instrument").filter(pk=pk).first()
        if slot is None:
            raise NotFound(_("该时段已撤销。"))
        bookings.withdraw_slot(request.user, slot)
        return Response(status=status.HTTP_204_NO_CONTENT)


class BookingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """仪器预约：单位用户预约其他单位仪器的开放时段；仪器所属单位确认、拒绝、取消并登记使用记录；
    预约单位取消、确认或对使用记录提出异议。"""

    serializer_class = BookingSerializer
    queryset = Booking.objects.none()
    permission_classes = [drf_permissions.IsAuthenticated]

    def get_queryset(self):
        query = SharingBookingQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        v = query.validated_data
        return bookings.bookings_for(self.request.user, v["side"], v.get("status"))

    def _reply(self, booking, code=status.HTTP_200_OK):
        booking = bookings.get_booking_for(self.request.user, booking.pk)
        return Response(self.get_serializer(booking).data, status=code)

    @extend_schema(parameters=[SharingBookingQuerySerializer])
    def list(self, request, *args, **kwargs):
        """mine：本单位提交的预约；host：本单位仪器收到的预约（市科技局为全部）。"""
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, pk=None):
        return self._reply(bookings.get_booking_for(request.user, pk))

    @extend_schema(request=BookingWriteSerializer, responses={201: BookingSerializer})
    def create(self, request):
        """预约一个可预约的时段；该时段已被其他单位预约时返回 409。"""
        data = BookingWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        slot = SharingSlot.objects.select_related("instrument__owner").filter(pk=v.pop("slot"))
        slot = slot.first()
        if slot is None:
            raise NotFound(_("该时段不存在或已被撤销。"))
        booking = bookings.book(request.user, slot, **v)
        return self._reply(booking, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=BookingSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """确认预约（仪器所属单位）。"""
        return self._reply(
            bookings.approve(request.user, bookings.get_booking_for(request.user, pk))
        )

    @extend_schema(request=BookingReasonSerializer, responses=BookingSerializer)
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        """拒绝预约并说明理由（仪器所属单位），时段重新开放。"""
        data = BookingReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        booking = bookings.get_booking_for(request.user, pk)
        return self._reply(bookings.refuse(request.user, booking, data.validated_data["reason"]))

    @extend_schema(request=BookingCancelSerializer, responses=BookingSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """取消预约：预约单位在期限前取消；仪器所属单位说明原因后取消已确认的预约。"""
        data = BookingCancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        booking = bookings.get_booking_for(request.user, pk)
        return self._reply(bookings.cancel(request.user, booking, data.validated_data["reason"]))

    @extend_schema(
        methods=["POST"], request=UsageRecordWriteSerializer, responses={201: BookingSerializer}
    )
    @extend_schema(
        methods=["PATCH"], request=UsageRecordWriteSerializer, responses=BookingSerializer
    )
    @action(detail=True, methods=["post", "patch"])
    def usage(self, request, pk=None):
        """POST：时段开始后登记使用记录；PATCH：更正待确认或有异议的记录（仪器所属单位）。"""
        data = UsageRecordWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        booking = bookings.get_booking_for(request.user, pk)
        if request.method == "POST":
            usage.record_usage(request.user, booking, **data.validated_data)
            return self._reply(booking, status.HTTP_201_CREATED)
        usage.correct_usage(request.user, self._usage(booking), **data.validated_data)
        return self._reply(booking)

    def _usage(self, booking) -> UsageRecord:
        record = UsageRecord.objects.filter(booking=booking).first()
        if record is None:
            raise NotFound(_("该预约还没有使用记录。"))
        return record

    @extend_schema(request=UsageConfirmSerializer, responses=BookingSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """确认使用记录并评价满意度 1–5（预约单位）。"""
        data = UsageConfirmSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        booking = bookings.get_booking_for(request.user, pk)
        usage.confirm_usage(
            request.user,
            self._usage(booking),
            data.validated_data["satisfaction"],
            data.validated_data["comment"],
        )
        return self._reply(booking)

    @extend_schema(request=BookingReasonSerializer, responses=BookingSerializer)
    @action(detail=True, methods=["post"])
    def dispute(self, request, pk=None):
        """对使用记录提出异议（预约单位）。"""
        data = BookingReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        booking = bookings.get_booking_for(request.user, pk)
        usage.dispute_usage(request.user, self._usage(booking), data.validated_data["reason"])
        return self._reply(booking)


def _plain(value):
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    return value


class SharingStatisticsViewSet(viewsets.ViewSet):
    """仪器开放共享统计（市科技局、领导为全部单位；区县管理员为本区单位；仪器所属单位为本单位）。"""

    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(
        parameters=[
            SharingStatisticsQuerySerializer,
            OpenApiParameter("year", int, description="年度，默认今年"),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def list(self, request):
        """各开放单位的仪器数、开放机时、对外服务机时、利用率（0–1）、服务次数、服务单位数、服务收入和平均满意度，及合计；
        指定 host 时另附该单位各仪器的明细。"""
        query = SharingStatisticsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        year = query.validated_data.get("year") or timezone.localdate().year
        scope = sharing_stats.visible_hosts(request.user)
        result = {
            "year": year,
            "hosts": [asdict(r) for r in sharing_stats.host_statistics(year, scope)],
            "totals": sharing_stats.summary(year, scope),
        }
        host = query.validated_data.get("host")
        if host is not None:
            if not sharing_stats.may_see_host(scope, host) or not (
                Organisation.objects.filter(pk=host).exists()
            ):
                raise NotAllowed(_("您不能查看该单位的共享统计。"))
            result["instruments"] = [
                asdict(r) for r in sharing_stats.instrument_statistics(year, host)
            ]
        return Response(_plain(result))


router = SimpleRouter()
router.register("sharing/instruments", SharedInstrumentViewSet, basename="sharing-instrument")
router.register("sharing/slots", SharingSlotViewSet, basename="sharing-slot")
router.register("sharing/bookings", BookingViewSet, basename="sharing-booking")
router.register("sharing/statistics", SharingStatisticsViewSet, basename="sharing-statistics")

urlpatterns = router.urls
