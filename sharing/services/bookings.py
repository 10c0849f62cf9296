"""Open slots of an instrument, bookings of them by other organisations, cancellation and
reminders.

A host (a member of the organisation owning the instrument, or the bureau) opens slots one at a
time or in a batch (dates × weekdays × daily periods, optionally only official working days).
Slots are checked for overlap under the instrument's row lock, so two hosts opening slots at once
cannot both pass. A user of another organisation books a free future slot: the slot row is locked
and the `one_live_booking_per_slot` constraint backs the check up, so of two simultaneous
requests exactly one holds the slot and the other is told it was taken.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Min, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import permissions
from core.choices import AuditAction
from core.exceptions import InvalidTransition, NotAllowed, NotFound, ServiceError
from core.models import CalendarDay
from core.services import audit, workdays
from resources.choices import RecordStatus
from resources.models import Instrument
from sharing.choices import LIVE_BOOKING, BookingStatus
from sharing.models import Booking, SharingSlot
from sharing.services.common import member_ids, notify, organisation_id_of

MAX_BATCH = 500
TAKEN = gettext_lazy("该时段已被其他单位预约，请选择其他时段。")

# How a slot looks to a viewer on the calendar.
FREE, BOOKED, MINE, PAST = "free", "booked", "mine", "past"


# -- small helpers ----------------------------------------------------------------------------


def when(value: datetime.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def span(starts_at: datetime.datetime, ends_at: datetime.datetime) -> str:
    """2026-05-11 09:00–12:00 (the end's date only when it differs)."""
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    tail = end.strftime("%H:%M") if start.date() == end.date() else end.strftime("%Y-%m-%d %H:%M")
    return f"{start:%Y-%m-%d %H:%M}–{tail}"


def _aware(value, label: str) -> datetime.datetime:
    if not isinstance(value, datetime.datetime):
        raise ServiceError(_("请填写%(f)s（日期和时间）。") % {"f": label}, code="invalid")
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _text(value, label: str, max_length: int | None = None) -> str:
    text = (value or "").strip() if isinstance(value, str) else ""
    if not text:
        raise ServiceError(_("请填写%(f)s。") % {"f": label}, code="invalid")
    if max_length and len(text) > max_length:
        raise ServiceError(
            _("%(f)s不能超过%(n)d个字。") % {"f": label, "n": max_length}, code="invalid"
        )
    return text


def booking_url(booking: Booking) -> str:
    return reverse("sharing_booking", args=[booking.pk])


# -- instruments -------------------------------------------------------------------------------


def may_host(user, instrument) -> bool:
    return permissions.can(user, "sharing.host", instrument)


def instruments_for(user=None, *, q: str = "", owner=None, free_only: bool = False):
    """Published instruments with the number of free future slots and the next free one."""
    qs = _with_free_slots(Instrument.objects.filter(status=RecordStatus.PUBLISHED))
    if q.strip():
        words = q.strip()
        qs = qs.filter(
            Q(title__icontains=words)
            | Q(model_number__icontains=words)
            | Q(owner__name__icontains=words)
        )
    if owner:
        qs = qs.filter(owner_id=owner)
    if free_only:
        qs = qs.filter(free_slots__gt=0)
    return qs.order_by("next_free", "title", "pk")


def shared_instrument(user, pk: int) -> Instrument:
    """One instrument as `instruments_for` lists it; a draft only for its own host."""
    get_instrument(user, pk)
    return _with_free_slots(Instrument.objects.filter(pk=pk)).get()


def _with_free_slots(qs):
    free = (
        Q(sharing_slots__starts_at__gt=timezone.now())
        & Q(sharing_slots__withdrawn_at__isnull=True)
        & ~Q(sharing_slots__in=_live_slot_ids())
    )
    return qs.select_related("owner").annotate(
        free_slots=Count("sharing_slots", filter=free, distinct=True),
        next_free=Min("sharing_slots__starts_at", filter=free),
    )


def _live_slot_ids():
    return Booking.objects.filter(status__in=LIVE_BOOKING).values("slot_id")


def get_instrument(user, pk: int) -> Instrument:
    """A published instrument (or any of the user's own, for its host)."""
    instrument = Instrument.objects.filter(pk=pk).select_related("owner").first()
    if instrument is None or (
        instrument.status != RecordStatus.PUBLISHED and not may_host(user, instrument)
    ):
        raise NotFound(_("仪器不存在或尚未发布。"))
    return instrument


def slot_states(slots: Sequence[SharingSlot], user, now=None) -> dict[int, str]:
    """free / booked / mine / past for each slot, as the viewer sees it."""
    now = now or timezone.now()
    org = organisation_id_of(user)
    holders = dict(
        Booking.objects.filter(slot__in=[s.pk for s in slots], status__in=LIVE_BOOKING).values_list(
            "slot_id", "organisation_id"
        )
    )
    states = {}
    for slot in slots:
        holder = holders.get(slot.pk)
        if holder is not None and org is not None and holder == org:
            states[slot.pk] = MINE
        elif slot.starts_at <= now:
            states[slot.pk] = PAST
        elif holder is not None:
            states[slot.pk] = BOOKED
        else:
            states[slot.pk] = FREE
    return states


def live_booking_of(slot: SharingSlot) -> Booking | None:
    return slot.bookings.filter(status__in=LIVE_BOOKING).select_related("organisation").first()


# -- slots ---------------------------------------------------------------------------------

_PERIOD = re.compile(r"^(\d{1,2})[:：](\d{2})\s*(?:-|–|—|~|～|至|到)\s*(\d{1,2})[:：](\d{2})$")


def parse_periods(text: str) -> list[tuple[datetime.time, datetime.time]]:
    """ "09:00-12:00, 13:30-17:30" → [(09:00, 12:00), (13:30, 17:30)]."""
    parts = [p.strip() for p in re.split(r"[,，、;；\n]+", text or "") if p.strip()]
    if not parts:
        raise ServiceError(
            _("请填写每天的开放时间段，如“09:00-12:00, 13:30-17:30”。"), code="invalid"
        )
    periods = []
    for part in parts:
        m = _PERIOD.match(part)
        try:
            if m is None:
                raise ValueError
            h1, m1, h2, m2 = (int(g) for g in m.groups())
            start, end = datetime.time(h1, m1), datetime.time(h2, m2)
        except ValueError:
            raise ServiceError(
                _("无法识别时间段“%(p)s”，请按“09:00-12:00”的格式填写，多个时间段用逗号分隔。")
                % {"p": part},
                code="invalid",
            ) from None
        if end <= start:
            raise ServiceError(
                _("时间段“%(p)s”的结束时间须晚于开始时间。") % {"p": part}, code="invalid"
            )
        periods.append((start, end))
    return periods


def plan_batch(
    date_from: datetime.date,
    date_to: datetime.date,
    periods: Sequence[tuple[datetime.time, datetime.time]],
    *,
    weekdays: Iterable[int] | None = None,
    workdays_only: bool = False,
) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """The (start, end) pairs of a batch: every day of the range on the chosen weekdays
    (0 = Monday; none chosen = every day), only official working days when asked (法定节假日
    left out, 调休 make-up days kept), each daily period."""
    if not isinstance(date_from, datetime.date) or not isinstance(date_to, datetime.date):
        raise ServiceError(_("请填写开放的起止日期。"), code="invalid")
    if date_to < date_from:
        raise ServiceError(
            _("结束日期（%(to)s）不能早于开始日期（%(from)s）。")
            % {"to": date_to.isoformat(), "from": date_from.isoformat()},
            code="invalid",
        )
    days = (date_to - date_from).days + 1
    if days * max(len(periods), 1) > MAX_BATCH * 4:
        raise ServiceError(
            _("一次最多开放%(max)d个时段，请缩短日期范围。") % {"max": MAX_BATCH}, code="invalid"
        )
    chosen = {int(d) for d in weekdays} if weekdays else set()
    if any(d not in range(7) for d in chosen):
        raise ServiceError(_("星期的取值为0（星期一）到6（星期日）。"), code="invalid")
    overrides = (
        dict(
            CalendarDay.objects.filter(date__gte=date_from, date__lte=date_to).values_list(
                "date", "is_workday"
            )
        )
        if workdays_only
        else {}
    )
    pairs = []
    for n in range(days):
        day = date_from + datetime.timedelta(days=n)
        if chosen and day.weekday() not in chosen:
            continue
        if workdays_only and not workdays.is_workday(day, overrides):
            continue
        for start, end in periods:
            pairs.append(
                (
                    timezone.make_aware(datetime.datetime.combine(day, start)),
                    timezone.make_aware(datetime.datetime.combine(day, end)),
                )
            )
    return pairs


def open_slots(
    actor,
    instrument: Instrument,
    pairs: Sequence[tuple[datetime.datetime, datetime.datetime]],
    note: str = "",
    *,
    now: datetime.datetime | None = None,
) -> list[SharingSlot]:
    """Open the given (start, end) slots of the instrument, all or none."""
    permissions.require(
        actor, "sharing.host", instrument, _("只有仪器所属单位的用户可以开放预约时段。")
    )
    if instrument.status != RecordStatus.PUBLISHED:
        raise InvalidTransition(
            _("仪器发布后才能开放预约（当前状态：%(s)s）。")
            % {"s": instrument.get_status_display()}
        )
    if not pairs:
        raise ServiceError(
            _("所选日期和时间内没有可开放的时段，请检查日期、星期和时间段。"), code="invalid"
        )
    if len(pairs) > MAX_BATCH:
        raise ServiceError(
            _("一次最多开放%(max)d个时段，本次为%(n)d个，请缩短日期范围或减少时间段。")
            % {"max": MAX_BATCH, "n": len(pairs)},
            code="invalid",
        )
    note = (note or "").strip()[:200]
    now = now or timezone.now()
    checked = []
    for starts_at, ends_at in pairs:
        starts_at = _aware(starts_at, _("开始时间"))
        ends_at = _aware(ends_at, _("结束时间"))
        if ends_at <= starts_at:
            raise ServiceError(
                _("时段 %(s)s 的结束时间须晚于开始时间。") % {"s": span(starts_at, ends_at)},
                code="invalid",
            )
        if starts_at <= now:
            raise ServiceError(
                _("时段 %(s)s 的开始时间已过，只能开放将来的时段。")
                % {"s": span(starts_at, ends_at)},
                code="invalid",
            )
        checked.append((starts_at, ends_at))
    checked.sort()
    for (s1, e1), (s2, e2) in zip(checked, checked[1:], strict=False):
        if s2 < e1:
            raise ServiceError(
                _("时段 %(a)s 与 %(b)s 重叠，请检查每天的时间段。")
                % {"a": span(s1, e1), "b": span(s2, e2)},
                code="invalid",
            )
    with transaction.atomic():
        # Lock the instrument: two hosts opening overlapping slots at once are checked in turn.
        locked = Instrument.objects.select_for_update().get(pk=instrument.pk)
        existing = list(
            SharingSlot.objects.filter(
                instrument=locked, starts_at__lt=checked[-1][1], ends_at__gt=checked[0][0]
            ).order_by("starts_at")
        )
        for starts_at, ends_at in checked:
            clash = next(
                (s for s in existing if s.starts_at < ends_at and s.ends_at > starts_at), None
            )
            if clash is not None:
                raise InvalidTransition(
                    _("时段 %(new)s 与已开放的时段 %(old)s 重叠。")
                    % {"new": span(starts_at, ends_at), "old": span(clash.starts_at, clash.ends_at)}
                )
        try:
            with transaction.atomic():
                slots = SharingSlot.objects.bulk_create(
                    [
                        SharingSlot(
                            instrument=locked,
                            starts_at=s,
                            ends_at=e,
                            note=note,
                            created_by=actor,
                        )
                        for s, e in checked
                    ]
                )
        except IntegrityError:
            raise InvalidTransition(_("所选时段与已开放的时段重叠，请刷新后重试。")) from None
        if len(slots) == 1:
            slot = SharingSlot.objects.get(instrument=locked, starts_at=checked[0][0])
            audit.record_create(actor, slot)
            return [slot]
        audit.record(
            actor,
            AuditAction.CREATE,
            locked,
            {"sharing_slots": [None, len(slots)]},
            note=_("批量开放%(n)d个预约时段：%(first)s 至 %(last)s")
            % {
                "n": len(slots),
                "first": span(*checked[0]),
                "last": span(*checked[-1]),
            },
        )
    return list(
        SharingSlot.objects.filter(
            instrument=instrument, starts_at__in=[s for s, _e in checked]
        ).order_by("starts_at")
    )


def open_slot(actor, instrument, starts_at, ends_at, note: str = "") -> SharingSlot:
    starts_at = _aware(starts_at, _("开始时间"))
    ends_at = _aware(ends_at, _("结束时间"))
    return open_slots(actor, instrument, [(starts_at, ends_at)], note)[0]


def open_batch(
    actor,
    instrument,
    *,
    date_from,
    date_to,
    periods: str,
    weekdays=None,
    workdays_only: bool = False,
    note: str = "",
) -> list[SharingSlot]:
    """Slots for every chosen day of a date range and each daily period."""
    permissions.require(
        actor, "sharing.host", instrument, _("只有仪器所属单位的用户可以开放预约时段。")
    )
    pairs = plan_batch(
        date_from,
        date_to,
        parse_periods(periods),
        weekdays=weekdays,
        workdays_only=workdays_only,
    )
    return open_slots(actor, instrument, pairs, note)


def withdraw_slot(actor, slot: SharingSlot, *, now=None) -> None:
    """撤销 a free future slot; one with a live booking must have it handled first."""
    permissions.require(
        actor, "sharing.host", slot.instrument, _("只有仪器所属单位的用户可以撤销开放时段。")
    )
    with transaction.atomic():
        locked = SharingSlot.objects.select_for_update().filter(pk=slot.pk).first()
        if locked is None:
            raise NotFound(_("该时段已撤销。"))
        if locked.bookings.filter(status__in=LIVE_BOOKING).exists():
            raise InvalidTransition(_("该时段已有预约，请先处理预约"))
        if locked.starts_at <= (now or timezone.now()):
            raise InvalidTransition(_("该时段已开始或已过期，不能撤销。"))
        before = audit.snapshot(locked)
        if locked.bookings.exists():
            # Refused or cancelled bookings keep their slot: it is marked withdrawn, not deleted.
            locked.withdrawn_at = timezone.now()
            locked.save(update_fields=["withdrawn_at"])
            audit.record_update(actor, locked, before, note=_("撤销开放时段"))
        else:
            audit.record_delete(actor, locked, before, object_repr=str(locked))
            locked.delete()


# -- bookings ------------------------------------------------------------------------------


def book(
    user,
    slot: SharingSlot,
    sample_description: str,
    service_requested: str,
    sample_count=1,
    *,
    now: datetime.datetime | None = None,
) -> Booking:
    """A user of another organisation asks for a free future slot; the host's members are told."""
    if not getattr(user, "is_authenticated", False):
        raise NotAllowed(_("请先登录，以单位用户身份预约仪器。"))
    permissions.require(user, "sharing.book", None, _("只有企业、高校院所等单位用户可以预约仪器。"))
    org_id = organisation_id_of(user)
    instrument = slot.instrument
    if org_id == instrument.owner_id:
        raise NotAllowed(_("不能预约本单位的仪器"))
    if instrument.status != RecordStatus.PUBLISHED:
        raise InvalidTransition(_("该仪器已停止共享，不能预约。"))
    description = _text(sample_description, _("样品描述"))
    service = _text(service_requested, _("服务需求"))
    try:
        count = int(sample_count)
    except (TypeError, ValueError):
        raise ServiceError(_("样品数量须为正整数。"), code="invalid") from None
    if count < 1 or count > 100000:
        raise ServiceError(_("样品数量须为正整数。"), code="invalid")
    with transaction.atomic():
        locked = SharingSlot.objects.select_for_update().filter(pk=slot.pk).first()
        if locked is None:
            raise NotFound(_("该时段已被仪器所属单位撤销，请选择其他时段。"))
        if locked.starts_at <= (now or timezone.now()):
            raise InvalidTransition(
                _("该时段（%(s)s）已开始或已过期，不能预约。") % {"s": when(locked.starts_at)}
            )
        if _held(locked):
            raise InvalidTransition(str(TAKEN))
        try:
            with transaction.atomic():
                booking = Booking.objects.create(
                    slot=locked,
                    instrument=instrument,
                    organisation_id=org_id,
                    requester=user,
                    sample_description=description,
                    service_requested=service,
                    sample_count=count,
                )
        except IntegrityError:
            raise InvalidTransition(str(TAKEN)) from None
        audit.record_create(user, booking)
        notify(
            member_ids(instrument.owner_id),
            _("新的仪器预约：%(org)s预约了“%(i)s”%(s)s，请确认。")
            % {
                "org": booking.organisation.name,
                "i": instrument.title,
                "s": span(locked.starts_at, locked.ends_at),
            },
            _("样品：%(d)s（%(n)d个）；服务需求：%(r)s")
            % {"d": description, "n": count, "r": service},
            booking_url(booking),
        )
    return booking


def _held(slot: SharingSlot) -> bool:
    """Whether a live booking holds the slot (read under the slot's lock)."""
    return Booking.objects.filter(slot=slot, status__in=LIVE_BOOKING).exists()


def _lock(booking: Booking) -> Booking:
    locked = (
        Booking.objects.select_for_update()
        .select_related("slot", "instrument__owner", "organisation")
        .filter(pk=booking.pk)
        .first()
    )
    if locked is None:
        raise NotFound(_("预约不存在。"))
    return locked


def _require_host(user, booking: Booking, message: str) -> None:
    permissions.require(user, "sharing.host", booking.instrument, message)


def is_booking_member(user, booking: Booking) -> bool:
    org = organisation_id_of(user)
    return org is not None and org == booking.organisation_id


def approve(actor, booking: Booking) -> Booking:
    """The host accepts a requested booking; the requester is told."""
    _require_host(actor, booking, _("只有仪器所属单位的用户可以确认预约。"))
    with transaction.atomic():
        locked = _lock(booking)
        if locked.status != BookingStatus.REQUESTED:
            raise InvalidTransition(
                _("只能处理待确认的预约（当前状态：%(s)s）。") % {"s": locked.get_status_display()}
            )
        before = audit.snapshot(locked)
        locked.status = BookingStatus.APPROVED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.save()
        audit.record(
            actor, AuditAction.TRANSITION, locked, audit.diff(before, audit.snapshot(locked))
        )
        notify(
            [locked.requester_id],
            _("预约已确认：“%(i)s”%(s)s，请按时携带样品前往。")
            % {"i": locked.instrument.title, "s": span(locked.slot.starts_at, locked.slot.ends_at)},
            url=booking_url(locked),
        )
    return locked


def refuse(actor, booking: Booking, reason: str) -> Booking:
    """The host declines a requested booking with a reason; the slot is free again."""
    _require_host(actor, booking, _("只有仪器所属单位的用户可以拒绝预约。"))
    reason = _text(reason, _("拒绝理由"), 300)
    with transaction.atomic():
        locked = _lock(booking)
        if locked.status != BookingStatus.REQUESTED:
            raise InvalidTransition(
                _("只能处理待确认的预约（当前状态：%(s)s）。") % {"s": locked.get_status_display()}
            )
        before = audit.snapshot(locked)
        locked.status = BookingStatus.REFUSED
        locked.reason = reason
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.save()
        audit.record(
            actor,
            AuditAction.TRANSITION,
            locked,
            audit.diff(before, audit.snapshot(locked)),
            note=reason,
        )
        notify(
            [locked.requester_id],
            _("预约未被接受：“%(i)s”%(s)s。理由：%(r)s")
            % {
                "i": locked.instrument.title,
                "s": span(locked.slot.starts_at, locked.slot.ends_at),
                "r": reason,
            },
            url=booking_url(locked),
        )
    return locked


def cancel_deadline(booking: Booking) -> datetime.datetime:
    """Until when the booking unit may cancel an approved booking online."""
    return booking.slot.starts_at - datetime.timedelta(hours=settings.SHARING_CANCEL_HOURS)


def may_cancel(user, booking: Booking, now=None) -> bool:
    """Whether the page should offer `user` a cancel button (the service decides for real)."""
    now = now or timezone.now()
    if booking.slot.starts_at <= now:
        return False
    if is_booking_member(user, booking):
        if booking.status == BookingStatus.REQUESTED:
            return True
        return booking.status == BookingStatus.APPROVED and now <= cancel_deadline(booking)
    return booking.status == BookingStatus.APPROVED and may_host(user, booking.instrument)


def cancel(actor, booking: Booking, reason: str = "", *, now=None) -> Booking:
    """The booking unit cancels before the deadline; the host cancels an approved booking with a
    reason (e.g. 仪器故障) any time before the start. The slot is free again."""
    requester_side = is_booking_member(actor, booking)
    host_side = not requester_side and may_host(actor, booking.instrument)
    if not requester_side and not host_side:
        raise NotAllowed(_("只有预约单位或仪器所属单位的用户可以取消预约。"))
    if host_side:
        reason = _text(reason, _("取消原因"), 300)
    else:
        reason = (reason or "").strip()[:300]
    with transaction.atomic():
        locked = _lock(booking)
        now = now or timezone.now()
        if locked.status not in (BookingStatus.REQUESTED, BookingStatus.APPROVED):
            raise InvalidTransition(
                _("该预约%(s)s，不能再取消。") % {"s": locked.get_status_display()}
            )
        if locked.slot.starts_at <= now:
            raise InvalidTransition(_("预约时段已开始，不能取消。"))
        if host_side and locked.status != BookingStatus.APPROVED:
            raise InvalidTransition(_("待确认的预约请直接拒绝并说明理由。"))
        deadline = cancel_deadline(locked)
        if requester_side and locked.status == BookingStatus.APPROVED and now > deadline:
            owner = locked.instrument.owner
            values = {
                "deadline": when(deadline),
                "h": settings.SHARING_CANCEL_HOURS,
                "org": owner.name,
                "phone": owner.contact_phone,
            }
            if owner.contact_phone:
                message = _(
                    "已超过在线取消期限（%(deadline)s，即开始前%(h)d小时）。"
                    "如需取消，请致电仪器所属单位%(org)s：%(phone)s。"
                )
            else:
                message = _(
                    "已超过在线取消期限（%(deadline)s，即开始前%(h)d小时）。"
                    "如需取消，请联系仪器所属单位%(org)s。"
                )
            raise InvalidTransition(message % values)
        before = audit.snapshot(locked)
        locked.status = BookingStatus.CANCELLED
        locked.cancelled_by = actor
        locked.cancelled_at = timezone.now()
        if reason:
            locked.reason = reason
        locked.save()
        audit.record(
            actor,
            AuditAction.TRANSITION,
            locked,
            audit.diff(before, audit.snapshot(locked)),
            note=reason,
        )
        what = {
            "i": locked.instrument.title,
            "s": span(locked.slot.starts_at, locked.slot.ends_at),
            "org": locked.organisation.name,
            "r": reason,
        }
        if host_side:
            notify(
                [locked.requester_id, *member_ids(locked.organisation_id)],
                _("预约已被仪器所属单位取消：“%(i)s”%(s)s。原因：%(r)s") % what,
                url=booking_url(locked),
            )
        else:
            notify(
                member_ids(locked.instrument.owner_id),
                (
                    _("%(org)s取消了预约：“%(i)s”%(s)s。原因：%(r)s")
                    if reason
                    else _("%(org)s取消了预约：“%(i)s”%(s)s，该时段已重新开放。")
                )
                % what,
                url=booking_url(locked),
            )
    return locked


# -- who sees which bookings ------------------------------------------------------------------


def bookings_for(user, side: str = "mine", status: str | None = None) -> QuerySet[Booking]:
    """`mine`: the bookings of the user's organisation; `host`: bookings of its instruments
    (all bookings for the bureau)."""
    qs = Booking.objects.select_related(
        "slot", "instrument__owner", "organisation", "requester", "usage"
    )
    org = organisation_id_of(user)
    if side == "host":
        if permissions.can(user, "sharing.manage"):
            pass
        elif org is None:
            return qs.none()
        else:
            qs = qs.filter(instrument__owner_id=org)
    else:
        if org is None:
            return qs.none()
        qs = qs.filter(organisation_id=org)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-slot__starts_at", "-pk")


def may_view_booking(user, booking: Booking) -> bool:
    return (
        is_booking_member(user, booking)
        or may_host(user, booking.instrument)
        or permissions.can(user, "sharing.manage")
    )


def get_booking_for(user, pk: int) -> Booking:
    """The booking, for its two organisations and the bureau only."""
    booking = (
        Booking.objects.select_related(
            "slot", "instrument__owner", "organisation", "requester", "decided_by", "cancelled_by"
        )
        .filter(pk=pk)
        .first()
    )
    if booking is None:
        raise NotFound(_("预约不存在。"))
    if not may_view_booking(user, booking):
        raise NotAllowed(_("只有预约单位、仪器所属单位和市科技局可以查看该预约。"))
    return booking


# -- reminders -----------------------------------------------------------------------------


def send_reminders(now: datetime.datetime | None = None) -> int:
    """Remind the requester and the host's members, once, of each approved booking starting
    within SHARING_REMINDER_HOURS. Returns how many bookings were reminded."""
    now = now or timezone.now()
    horizon = now + datetime.timedelta(hours=settings.SHARING_REMINDER_HOURS)
    due = Booking.objects.filter(
        status=BookingStatus.APPROVED,
        reminded_at__isnull=True,
        slot__starts_at__gt=now,
        slot__starts_at__lte=horizon,
    ).select_related("slot", "instrument__owner", "organisation")
    sent = 0
    for booking in due:
        with transaction.atomic():
            # Claim the booking first: a second run (or a parallel one) finds it reminded.
            claimed = Booking.objects.filter(
                pk=booking.pk, status=BookingStatus.APPROVED, reminded_at__isnull=True
            ).update(reminded_at=now)
            if not claimed:
                continue
            what = {
                "i": booking.instrument.title,
                "s": span(booking.slot.starts_at, booking.slot.ends_at),
                "org": booking.organisation.name,
                "host": booking.instrument.owner.name,
            }
            notify(
                [booking.requester_id],
                _("预约提醒：“%(i)s”%(s)s（%(host)s），请按时前往。") % what,
                url=booking_url(booking),
            )
            notify(
                member_ids(booking.instrument.owner_id),
                _("预约提醒：%(org)s将于%(s)s使用“%(i)s”。") % what,
                url=booking_url(booking),
            )
            sent += 1
    return sent
