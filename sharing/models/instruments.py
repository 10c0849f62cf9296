"""Open slots of a large instrument, bookings of them by other organisations, and the usage
record both sides confirm after the service."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from sharing.choices import LIVE_BOOKING, BookingStatus, UsageStatus
from sharing.models.common import NON_NEGATIVE, YUAN


class OpenSlotManager(models.Manager):
    """Slots still offered: a withdrawn slot is kept only for the bookings it once had."""

    def get_queryset(self):
        return super().get_queryset().filter(withdrawn_at__isnull=True)


class AllSlotsManager(models.Manager):
    """Every slot, withdrawn ones included (the base manager)."""


class SharingSlot(models.Model):
    """A period the host opens its instrument to outside users.

    `objects` (the default, also behind `instrument.sharing_slots`) leaves out withdrawn slots;
    `all_objects` has them all. A booking always reaches its own slot, withdrawn or not."""

    instrument = models.ForeignKey(
        "resources.Instrument",
        models.CASCADE,
        related_name="sharing_slots",
        verbose_name=_("仪器"),
    )
    starts_at = models.DateTimeField(_("开始时间"), db_index=True)
    ends_at = models.DateTimeField(_("结束时间"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("发布人"),
    )
    created_at = models.DateTimeField(_("发布时间"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    objects = OpenSlotManager()
    all_objects = AllSlotsManager()

    class Meta:
        base_manager_name = "all_objects"
        ordering = ["starts_at", "pk"]
        verbose_name = _("开放时段")
        verbose_name_plural = _("开放时段")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="slot_ends_after_start"
            ),
            models.UniqueConstraint(
                fields=["instrument", "starts_at"],
                condition=Q(withdrawn_at__isnull=True),
                name="slot_start_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def hours(self):
        from decimal import Decimal

        seconds = (self.ends_at - self.starts_at).total_seconds()
        return (Decimal(seconds) / Decimal(3600)).quantize(Decimal("0.01"))


class Booking(models.Model):
    """A request by a user of another organisation to use one open slot."""

    slot = models.ForeignKey(
        SharingSlot, models.PROTECT, related_name="bookings", verbose_name=_("预约时段")
    )
    instrument = models.ForeignKey(
        "resources.Instrument", models.PROTECT, related_name="bookings", verbose_name=_("仪器")
    )
    organisation = models.ForeignKey(
        "core.Organisation", models.PROTECT, related_name="+", verbose_name=_("预约单位")
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("预约人")
    )
    sample_description = models.TextField(_("样品描述"))
    service_requested = models.TextField(_("服务需求"))
    sample_count = models.PositiveIntegerField(_("样品数量"), default=1)
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=BookingStatus.choices,
        default=BookingStatus.REQUESTED,
        db_index=True,
    )
    reason = models.CharField(_("处理意见"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("处理人"),
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("取消人"),
    )
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("已提醒时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("仪器预约")
        verbose_name_plural = _("仪器预约")
        constraints = [
            # The database, not only the service, refuses a second live booking of a slot.
            models.UniqueConstraint(
                fields=["slot"],
                condition=Q(status__in=LIVE_BOOKING),
                name="one_live_booking_per_slot",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "status"])]

    def __str__(self) -> str:
        return f"{self.slot} · {self.organisation}"


class UsageRecord(models.Model):
    """What was done in a booked slot, entered by the host and confirmed (or disputed) by the
    user; confirmed records count in the statistics and may be claimed under 先用后补."""

    booking = models.OneToOneField(
        Booking, models.PROTECT, related_name="usage", verbose_name=_("预约")
    )
    hours = models.DecimalField(
        _("机时（小时）"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(0.01)],
    )
    samples = models.PositiveIntegerField(_("样品数"))
    fee = models.DecimalField(_("收费金额（元）"), validators=NON_NEGATIVE, **YUAN)
    service_summary = models.TextField(_("服务内容"))
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=UsageStatus.choices,
        default=UsageStatus.RECORDED,
        db_index=True,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("登记人")
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("确认人"),
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    dispute_reason = models.CharField(_("异议说明"), max_length=300, blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        _("满意度（1–5）"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    comment = models.CharField(_("评价"), max_length=300, blank=True)

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        verbose_name = _("使用记录")
        verbose_name_plural = _("使用记录")
        constraints = [
            models.CheckConstraint(condition=Q(fee__gte=0), name="usage_fee_not_negative"),
            models.CheckConstraint(condition=Q(hours__gt=0), name="usage_hours_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.booking} · {self.hours}h"
