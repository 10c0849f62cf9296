"""Usage records: after a booked slot has started the host records what was done (hours,
samples, fee, summary); the booking unit confirms it with a satisfaction score or disputes it;
the host may correct a recorded or disputed record. Confirmed records are final: they count in
the open-sharing statistics and may be claimed under 先用后补."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.choices import AuditAction
from core.exceptions import InvalidTransition, NotAllowed, NotFound, ServiceError
from core.services import audit
from sharing.choices import BookingStatus, UsageStatus
from sharing.models import Booking, UsageRecord
from sharing.services.bookings import _text, booking_url, is_booking_member, may_host, span
from sharing.services.common import member_ids, notify

FEN = Decimal("0.01")


def _decimal(value, label: str) -> Decimal:
    if isinstance(value, bool) or value in (None, ""):
        raise ServiceError(_("请填写%(f)s。") % {"f": label}, code="invalid")
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ServiceError(_("%(f)s须为数字。") % {"f": label}, code="invalid") from None
    if not number.is_finite():
        raise ServiceError(_("%(f)s须为数字。") % {"f": label}, code="invalid")
    return number.quantize(FEN, ROUND_HALF_UP)


def _values(booking: Booking, hours, samples, fee, service_summary) -> dict:
    hours = _decimal(hours, _("机时"))
    length = booking.slot.hours
    if hours <= 0 or hours > length:
        raise ServiceError(
            _("机时须大于0且不超过该时段的%(h)s小时，填写的是%(v)s小时。")
            % {"h": length, "v": hours},
            code="invalid",
        )
    try:
        samples = int(samples)
    except (TypeError, ValueError):
        raise ServiceError(_("样品数须为不小于0的整数。"), code="invalid") from None
    if samples < 0:
        raise ServiceError(_("样品数须为不小于0的整数。"), code="invalid")
    fee = _decimal(fee, _("收费金额"))
    if fee < 0:
        raise ServiceError(_("收费金额不能为负数。"), code="invalid")
    if fee >= Decimal("1e12"):
        raise ServiceError(_("收费金额过大，请核对。"), code="invalid")
    return {
        "hours": hours,
        "samples": samples,
        "fee": fee,
        "service_summary": _text(service_summary, _("服务内容")),
    }


def _what(booking: Booking) -> dict:
    return {
        "i": booking.instrument.title,
        "s": span(booking.slot.starts_at, booking.slot.ends_at),
        "org": booking.organisation.name,
        "host": booking.instrument.owner.name,
    }


def _lock_usage(usage: UsageRecord) -> UsageRecord:
    locked = (
        UsageRecord.objects.select_for_update()
        .select_related("booking__slot", "booking__instrument__owner", "booking__organisation")
        .filter(pk=usage.pk)
        .first()
    )
    if locked is None:
        raise NotFound(_("使用记录不存在。"))
    return locked


def record_usage(
    actor,
    booking: Booking,
    *,
    hours,
    samples,
    fee,
    service_summary: str,
    now: datetime.datetime | None = None,
) -> UsageRecord:
    """The host records the service of an approved booking once its slot has started; the
    booking becomes 已服务 and the booking unit is asked to confirm."""
    if not may_host(actor, booking.instrument):
        raise NotAllowed(_("只有仪器所属单位的用户可以登记使用记录。"))
    with transaction.atomic():
        locked = (
            Booking.objects.select_for_update()
            .select_related("slot", "instrument__owner", "organisation")
            .get(pk=booking.pk)
        )
        if locked.status == BookingStatus.USED:
            raise InvalidTransition(_("该预约已登记使用记录，如需修改请更正原记录。"))
        if locked.status != BookingStatus.APPROVED:
            raise InvalidTransition(
                _("只能为已确认的预约登记使用记录（当前状态：%(s)s）。")
                % {"s": locked.get_status_display()}
            )
        if locked.slot.starts_at > (now or timezone.now()):
            raise InvalidTransition(
                _("预约时段开始（%(s)s）后才能登记使用记录。")
                % {"s": timezone.localtime(locked.slot.starts_at).strftime("%Y-%m-%d %H:%M")}
            )
        values = _values(locked, hours, samples, fee, service_summary)
        try:
            with transaction.atomic():
                usage = UsageRecord.objects.create(booking=locked, recorded_by=actor, **values)
        except IntegrityError:
            raise InvalidTransition(_("该预约已登记使用记录，如需修改请更正原记录。")) from None
        before = audit.snapshot(locked)
        locked.status = BookingStatus.USED
        locked.save(update_fields=["status"])
        audit.record_create(actor, usage)
        audit.record(
            actor, AuditAction.TRANSITION, locked, audit.diff(before, audit.snapshot(locked))
        )
        notify(
            [locked.requester_id, *member_ids(locked.organisation_id)],
            _("请确认使用记录：“%(i)s”%(s)s，%(host)s登记了服务情况，请确认并评价。")
            % _what(locked),
            _("机时%(h)s小时，样品%(n)d个，收费%(fee)s元。")
            % {"h": values["hours"], "n": values["samples"], "fee": f"{values['fee']:,.2f}"},
            booking_url(locked),
        )
    return usage


def confirm_usage(actor, usage: UsageRecord, satisfaction, comment: str = "") -> UsageRecord:
    """The booking unit confirms the record with a satisfaction score of 1–5."""
    if not is_booking_member(actor, usage.booking):
        raise NotAllowed(_("只有预约单位的用户可以确认使用记录。"))
    try:
        score = int(satisfaction)
    except (TypeError, ValueError):
        score = 0
    if isinstance(satisfaction, bool) or not 1 <= score <= 5:
        raise ServiceError(_("请选择满意度（1–5分）。"), code="invalid")
    comment = (comment or "").strip()
    if len(comment) > 300:
        raise ServiceError(_("评价不能超过300个字。"), code="invalid")
    with transaction.atomic():
        locked = _lock_usage(usage)
        if locked.status == UsageStatus.CONFIRMED:
            raise InvalidTransition(_("该使用记录已确认。"))
        if locked.status != UsageStatus.RECORDED:
            raise InvalidTransition(_("您已对该使用记录提出异议，请等待仪器所属单位更正后再确认。"))
        before = audit.snapshot(locked)
        locked.status = UsageStatus.CONFIRMED
        locked.satisfaction = score
        locked.comment = comment
        locked.confirmed_by = actor
        locked.confirmed_at = timezone.now()
        locked.save()
        audit.record(
            actor, AuditAction.TRANSITION, locked, audit.diff(before, audit.snapshot(locked))
        )
        notify(
            member_ids(locked.booking.instrument.owner_id),
            _("使用记录已确认：%(org)s确认了“%(i)s”%(s)s的服务，满意度%(n)d分。")
            % {**_what(locked.booking), "n": score},
            comment,
            booking_url(locked.booking),
        )
    return locked


def dispute_usage(actor, usage: UsageRecord, reason: str) -> UsageRecord:
    """The booking unit disputes the record, saying why; the host is asked to correct it."""
    if not is_booking_member(actor, usage.booking):
        raise NotAllowed(_("只有预约单位的用户可以对使用记录提出异议。"))
    reason = _text(reason, _("异议说明"), 300)
    with transaction.atomic():
        locked = _lock_usage(usage)
        if locked.status == UsageStatus.CONFIRMED:
            raise InvalidTransition(_("已确认的使用记录不能修改"))
        if locked.status == UsageStatus.DISPUTED:
            raise InvalidTransition(_("已对该使用记录提出异议，请等待仪器所属单位更正。"))
        before = audit.snapshot(locked)
        locked.status = UsageStatus.DISPUTED
        locked.dispute_reason = reason
        locked.save()
        audit.record(
            actor,
            AuditAction.TRANSITION,
            locked,
            audit.diff(before, audit.snapshot(locked)),
            note=reason,
        )
        notify(
            member_ids(locked.booking.instrument.owner_id),
            _("使用记录有异议：%(org)s对“%(i)s”%(s)s的使用记录提出异议：%(r)s")
            % {**_what(locked.booking), "r": reason},
            url=booking_url(locked.booking),
        )
    return locked


def correct_usage(
    actor, usage: UsageRecord, *, hours, samples, fee, service_summary: str
) -> UsageRecord:
    """The host corrects a recorded or disputed record; it waits for confirmation again."""
    if not may_host(actor, usage.booking.instrument):
        raise NotAllowed(_("只有仪器所属单位的用户可以更正使用记录。"))
    with transaction.atomic():
        locked = _lock_usage(usage)
        if locked.status == UsageStatus.CONFIRMED:
            raise InvalidTransition(_("已确认的使用记录不能修改"))
        values = _values(locked.booking, hours, samples, fee, service_summary)
        before = audit.snapshot(locked)
        was_disputed = locked.status == UsageStatus.DISPUTED
        for field, value in values.items():
            setattr(locked, field, value)
        locked.status = UsageStatus.RECORDED
        locked.save()
        audit.record_update(
            actor,
            locked,
            before,
            note=_("更正使用记录（原异议：%(r)s）") % {"r": locked.dispute_reason}
            if was_disputed
            else _("更正使用记录"),
        )
        notify(
            [locked.booking.requester_id, *member_ids(locked.booking.organisation_id)],
            _("使用记录已更正：“%(i)s”%(s)s，请重新确认。") % _what(locked.booking),
            _("机时%(h)s小时，样品%(n)d个，收费%(fee)s元。")
            % {"h": locked.hours, "n": locked.samples, "fee": f"{locked.fee:,.2f}"},
            booking_url(locked.booking),
        )
    return locked
