"""仪器共享 pages: the public list of instruments with free slots, an instrument's week calendar
with the booking form, the host's slot management and the open-sharing statistics. Every change
goes through `sharing.services.bookings`."""

from __future__ import annotations

import datetime
from dataclasses import asdict

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core import permissions
from core.decorators import refuses
from core.exceptions import NotAllowed
from core.exports import EXPORT_FORMATS, export_response
from core.forms import refusal_on_form
from core.models import Organisation
from core.views import paginate, refusal_as_message
from resources.choices import RecordStatus
from sharing.models import Booking, SharingSlot
from sharing.services import bookings, sharing_stats
from sharing.services.common import organisation_id_of
from sharing.services.hosting import hosted_instruments
from sharing.views.common import tabs

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
WEEKDAYS = [
    (0, gettext_lazy("星期一")),
    (1, gettext_lazy("星期二")),
    (2, gettext_lazy("星期三")),
    (3, gettext_lazy("星期四")),
    (4, gettext_lazy("星期五")),
    (5, gettext_lazy("星期六")),
    (6, gettext_lazy("星期日")),
]
STATE_LABELS = {
    bookings.FREE: gettext_lazy("可预约"),
    bookings.BOOKED: gettext_lazy("已被预约"),
    bookings.MINE: gettext_lazy("本单位已预约"),
    bookings.PAST: gettext_lazy("已过期"),
}


# -- forms ----------------------------------------------------------------------------------


class InstrumentFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("关键词"), required=False, max_length=100)
    owner = forms.ModelChoiceField(
        label=gettext_lazy("所属单位"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=gettext_lazy("全部单位"),
    )
    free = forms.BooleanField(label=gettext_lazy("只看有可预约时段的仪器"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from resources.models import Instrument

        owners = Instrument.objects.filter(status=RecordStatus.PUBLISHED).values("owner_id")
        self.fields["owner"].queryset = Organisation.objects.filter(pk__in=owners).order_by("name")


class BookingForm(forms.Form):
    sample_description = forms.CharField(
        label=gettext_lazy("样品描述"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("样品名称、形态、数量、是否有毒有害等。"),
        error_messages={"required": gettext_lazy("请填写样品描述。")},
    )
    service_requested = forms.CharField(
        label=gettext_lazy("服务需求"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("测试项目、条件和需要的结果形式。"),
        error_messages={"required": gettext_lazy("请填写服务需求。")},
    )
    sample_count = forms.IntegerField(
        label=gettext_lazy("样品数量"),
        min_value=1,
        max_value=100000,
        initial=1,
        error_messages={
            "required": gettext_lazy("请填写样品数量。"),
            "invalid": gettext_lazy("样品数量须为正整数。"),
            "min_value": gettext_lazy("样品数量须为正整数。"),
        },
    )


class SlotForm(forms.Form):
    starts_at = forms.DateTimeField(label=gettext_lazy("开始时间"), widget=DATETIME_INPUT)
    ends_at = forms.DateTimeField(label=gettext_lazy("结束时间"), widget=DATETIME_INPUT)
    note = forms.CharField(label=gettext_lazy("说明"), required=False, max_length=200)


class BatchForm(forms.Form):
    date_from = forms.DateField(label=gettext_lazy("开始日期"), widget=DATE_INPUT)
    date_to = forms.DateField(label=gettext_lazy("结束日期"), widget=DATE_INPUT)
    weekdays = forms.TypedMultipleChoiceField(
        label=gettext_lazy("星期"),
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("不选表示每天。"),
    )
    periods = forms.CharField(
        label=gettext_lazy("每天的开放时间段"),
        max_length=300,
        initial="09:00-12:00, 13:30-17:30",
        help_text=gettext_lazy("如“09:00-12:00, 13:30-17:30”，多个时间段用逗号分隔。"),
    )
    workdays_only = forms.BooleanField(
        label=gettext_lazy("仅工作日"),
        required=False,
        help_text=gettext_lazy("按国家法定节假日安排，节假日不开放，调休上班日开放。"),
    )
    note = forms.CharField(label=gettext_lazy("说明"), required=False, max_length=200)


class YearForm(forms.Form):
    year = forms.IntegerField(
        label=gettext_lazy("年度"),
        min_value=2000,
        max_value=2100,
        error_messages={
            "invalid": gettext_lazy("年度须为2000到2100之间的整数，如2026。"),
            "min_value": gettext_lazy("年度须为2000到2100之间的整数，如2026。"),
            "max_value": gettext_lazy("年度须为2000到2100之间的整数，如2026。"),
        },
    )


# -- helpers --------------------------------------------------------------------------------


def _week_start(request, instrument, now) -> datetime.date:
    """Monday of ?week=, else of the week of the next free slot, else of this week."""
    raw = request.GET.get("week")
    day = None
    if raw:
        try:
            day = datetime.date.fromisoformat(raw)
        except ValueError:
            day = None
    if day is None:
        next_free = (
            SharingSlot.objects.filter(instrument=instrument, starts_at__gt=now)
            .exclude(pk__in=Booking.objects.filter(status__in=bookings.LIVE_BOOKING).values("slot"))
            .order_by("starts_at")
            .values_list("starts_at", flat=True)
            .first()
        )
        day = timezone.localtime(next_free).date() if next_free else timezone.localdate()
    return day - datetime.timedelta(days=day.weekday())


def _booking_refusal(user, instrument) -> str | None:
    """Why the viewer cannot book this instrument (None when they can)."""
    if not getattr(user, "is_authenticated", False):
        return None  # asked to log in instead
    if organisation_id_of(user) == instrument.owner_id:
        return _("这是本单位的仪器，不能预约；可以在“管理开放时段”中开放或撤销时段。")
    if not permissions.can(user, "sharing.book"):
        return _("只有企业、高校院所等单位用户可以预约仪器。")
    return None


def _calendar_context(request, instrument, form=None, chosen=None) -> dict:
    user = request.user
    now = timezone.now()
    monday = _week_start(request, instrument, now)
    start = timezone.make_aware(datetime.datetime.combine(monday, datetime.time()))
    end = start + datetime.timedelta(days=7)
    slots = list(
        SharingSlot.objects.filter(instrument=instrument, starts_at__gte=start, starts_at__lt=end)
    )
    states = bookings.slot_states(slots, user, now)
    today = timezone.localdate()
    days = []
    for n in range(7):
        day = monday + datetime.timedelta(days=n)
        items = [
            {"slot": s, "state": states[s.pk], "label": STATE_LABELS[states[s.pk]]}
            for s in slots
            if timezone.localtime(s.starts_at).date() == day
        ]
        days.append({"date": day, "weekday": WEEKDAYS[n][1], "slots": items, "today": day == today})
    refusal = _booking_refusal(user, instrument)
    may_book = getattr(user, "is_authenticated", False) and refusal is None
    if chosen is None and request.GET.get("slot", "").isdigit():
        chosen = SharingSlot.objects.filter(
            instrument=instrument, pk=int(request.GET["slot"])
        ).first()
    chosen_state = None
    if chosen is not None:
        chosen_state = bookings.slot_states([chosen], user, now)[chosen.pk]
    week_param = monday.isoformat()
    return {
        "sharing_tabs": tabs(user, "instruments"),
        "instrument": instrument,
        "days": days,
        "monday": monday,
        "sunday": monday + datetime.timedelta(days=6),
        "week": week_param,
        "prev_week": (monday - datetime.timedelta(days=7)).isoformat(),
        "next_week": (monday + datetime.timedelta(days=7)).isoformat(),
        "this_week": (today - datetime.timedelta(days=today.weekday())).isoformat(),
        "has_slots": bool(slots),
        "may_book": may_book,
        "booking_refusal": refusal,
        "is_host": bookings.may_host(user, instrument),
        "chosen": chosen,
        "chosen_state": chosen_state,
        "chosen_label": STATE_LABELS.get(chosen_state, ""),
        "form": form or (BookingForm() if chosen_state == bookings.FREE and may_book else None),
        "login_url": reverse("login") + "?next=" + request.get_full_path(),
        "cancel_hours": _cancel_hours(),
    }


def _cancel_hours() -> int:
    from django.conf import settings

    return settings.SHARING_CANCEL_HOURS


# -- pages ----------------------------------------------------------------------------------


def instrument_list(request):
    user = request.user
    form = InstrumentFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    owner = data.get("owner")
    qs = bookings.instruments_for(
        user,
        q=data.get("q") or "",
        owner=owner.pk if owner else None,
        free_only=bool(data.get("free")),
    )
    paged, query = paginate(request, qs)
    hosted = None
    if getattr(user, "is_authenticated", False):
        hosted = list(
            hosted_instruments(user).filter(status=RecordStatus.PUBLISHED).order_by("title")[:20]
        )
    return render(
        request,
        "sharing/instrument_list.html",
        {
            "sharing_tabs": tabs(user, "instruments"),
            "form": form,
            "page": paged,
            "query": query,
            "filtered": bool(request.GET.get("q") or request.GET.get("owner") or data.get("free")),
            "hosted": hosted,
        },
    )


@refuses
def instrument_calendar(request, pk: int):
    instrument = bookings.get_instrument(request.user, pk)
    return render(
        request, "sharing/instrument_calendar.html", _calendar_context(request, instrument)
    )


@login_required
@require_POST
@refuses
def slot_book(request, pk: int):
    slot = SharingSlot.objects.select_related("instrument__owner").filter(pk=pk).first()
    if slot is None:
        raise Http404(_("该时段已被仪器所属单位撤销，请选择其他时段。"))
    instrument = bookings.get_instrument(request.user, slot.instrument_id)
    form = BookingForm(request.POST)
    with refusal_on_form(form) as refusal:
        if form.is_valid():
            booking = bookings.book(request.user, slot, **form.cleaned_data)
            messages.success(
                request,
                _("已提交预约：“%(i)s”%(s)s，等待仪器所属单位确认。")
                % {"i": instrument.title, "s": bookings.span(slot.starts_at, slot.ends_at)},
            )
            return redirect("sharing_booking", pk=booking.pk)
    status = getattr(refusal.error, "status", 400)
    request.GET = request.GET.copy()
    request.GET["week"] = timezone.localtime(slot.starts_at).date().isoformat()
    context = _calendar_context(request, instrument, form=form, chosen=slot)
    context["form"] = form
    return render(request, "sharing/instrument_calendar.html", context, status=status)


@login_required
@refuses
def instrument_slots(request, pk: int):
    """The host's slot management: open one slot or a batch, withdraw free ones."""
    instrument = bookings.get_instrument(request.user, pk)
    permissions.require(
        request.user,
        "sharing.host",
        instrument,
        _("只有仪器所属单位的用户可以管理开放时段。"),
    )
    today = timezone.localdate()
    one = SlotForm(prefix="one")
    batch = BatchForm(
        prefix="batch",
        initial={
            "date_from": today + datetime.timedelta(days=1),
            "date_to": today + datetime.timedelta(days=14),
            "weekdays": [0, 1, 2, 3, 4],
            "workdays_only": True,
        },
    )
    status = 200
    if request.method == "POST":
        which = request.POST.get("form")
        form = SlotForm(request.POST, prefix="one") if which == "one" else None
        if which == "batch":
            form = BatchForm(request.POST, prefix="batch")
        if form is None:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            with refusal_on_form(form):
                if which == "one":
                    created = bookings.open_slots(
                        request.user,
                        instrument,
                        [(data["starts_at"], data["ends_at"])],
                        data.get("note") or "",
                    )
                else:
                    created = bookings.open_batch(request.user, instrument, **data)
                messages.success(
                    request,
                    _("已开放%(n)d个预约时段（%(first)s 起）。")
                    % {
                        "n": len(created),
                        "first": bookings.span(created[0].starts_at, created[0].ends_at),
                    },
                )
                return redirect("sharing_instrument_slots", pk=instrument.pk)
        status = 400
        if which == "one":
            one = form
        else:
            batch = form
    now = timezone.now()
    future = SharingSlot.objects.filter(instrument=instrument, ends_at__gt=now).order_by(
        "starts_at"
    )
    paged, query = paginate(request, future)
    slots = list(paged)
    live = {
        b.slot_id: b
        for b in Booking.objects.filter(
            slot__in=[s.pk for s in slots], status__in=bookings.LIVE_BOOKING
        ).select_related("organisation")
    }
    rows = [{"slot": s, "booking": live.get(s.pk), "started": s.starts_at <= now} for s in slots]
    return render(
        request,
        "sharing/instrument_slots.html",
        {
            "sharing_tabs": tabs(request.user, "instruments"),
            "instrument": instrument,
            "one_form": one,
            "batch_form": batch,
            "page": paged,
            "query": query,
            "rows": rows,
            "max_batch": bookings.MAX_BATCH,
        },
        status=status,
    )


@login_required
@require_POST
@refuses
def slot_withdraw(request, pk: int):
    slot = get_object_or_404(SharingSlot.objects.select_related("instrument"), pk=pk)
    with refusal_as_message(request):
        bookings.withdraw_slot(request.user, slot)
        messages.success(
            request,
            _("已撤销时段 %(s)s。") % {"s": bookings.span(slot.starts_at, slot.ends_at)},
        )
    return redirect("sharing_instrument_slots", pk=slot.instrument_id)


# -- statistics -----------------------------------------------------------------------------


def _percent(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


@login_required
@refuses
def statistics(request):
    """开放共享统计: the bureau and leaders see every host, a district admin the hosts of the
    district, a host's members their own organisation."""
    user = request.user
    scope = sharing_stats.visible_hosts(user)
    this_year = timezone.localdate().year
    form = YearForm(request.GET or None, initial={"year": this_year})
    year = form.cleaned_data["year"] if form.is_valid() else this_year
    rows = sharing_stats.host_statistics(year, scope)
    totals = sharing_stats.summary(year, scope)
    host_id = request.GET.get("host", "")
    if not host_id and isinstance(scope, list) and len(scope) == 1:
        host_id = str(scope[0])
    host = None
    instruments = []
    if host_id.isdigit():
        if not sharing_stats.may_see_host(scope, int(host_id)):
            raise NotAllowed(_("您不能查看该单位的共享统计。"))
        host = Organisation.objects.filter(pk=int(host_id)).first()
        if host is not None:
            instruments = sharing_stats.instrument_statistics(year, host.pk)
    fmt = request.GET.get("export")
    if fmt in EXPORT_FORMATS:
        headers = [
            _("单位"),
            _("仪器数"),
            _("开放机时（小时）"),
            _("对外服务机时（小时）"),
            _("利用率"),
            _("服务次数"),
            _("服务单位数"),
            _("服务收入（元）"),
            _("平均满意度"),
        ]

        def line(name, r, count):
            v = r if isinstance(r, dict) else asdict(r)
            return (
                name,
                count,
                v["hours_offered"],
                v["hours_used"],
                _percent(v["utilisation"]),
                v["services"],
                v["outside_users"],
                v["fees"],
                v["satisfaction"] if v["satisfaction"] is not None else "",
            )

        if host is not None and request.GET.get("host"):
            headers[0] = _("仪器")
            headers[1] = _("开放时段数")
            data = [line(i.title, i, i.slots) for i in instruments]
            name = _("%(year)d年%(host)s仪器共享统计") % {"year": year, "host": host.name}
        else:
            data = [line(r.name, r, r.instruments) for r in rows]
            data.append(line(_("合计"), totals, totals["instruments"]))
            name = _("%(year)d年仪器开放共享统计") % {"year": year}
        return export_response(headers, data, name, fmt, _("开放共享统计"))
    regions = dict(
        Organisation.objects.filter(pk__in=[r.organisation_id for r in rows]).values_list(
            "pk", "region__name"
        )
    )
    table = [
        {"row": r, "region": regions.get(r.organisation_id, ""), "pct": _percent(r.utilisation)}
        for r in rows
    ]
    host_totals = None
    if host is not None:
        host_totals = sharing_stats.summary(year, [host.pk])
        host_totals["pct"] = _percent(host_totals["utilisation"])
    query = request.GET.copy()
    query.pop("export", None)
    return render(
        request,
        "sharing/statistics.html",
        {
            "sharing_tabs": tabs(user, "statistics"),
            "form": form,
            "year": year,
            "table": table,
            "totals": totals,
            "total_pct": _percent(totals["utilisation"]),
            "host": host,
            "instruments": [{"row": i, "pct": _percent(i.utilisation)} for i in instruments],
            "host_totals": host_totals,
            "query": query.urlencode(),
            "single_host": isinstance(scope, list),
        },
    )
