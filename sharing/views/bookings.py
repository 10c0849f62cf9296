"""预约与使用 pages: the bookings of the user's organisation (cancel, confirm or dispute the usage
record) and of its instruments (approve, refuse, cancel, record usage), and one booking's page
for the two organisations and the bureau. Every change goes through the services."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core import permissions
from core.decorators import refuses
from core.exceptions import NotAllowed
from core.forms import refusal_on_form
from core.views import paginate, redirect_next, refusal_as_message
from sharing.choices import BookingStatus, UsageStatus
from sharing.models import UsageRecord
from sharing.services import bookings, usage
from sharing.services.hosting import hosts_any_instrument
from sharing.views.common import tabs

MONEY = {"max_digits": 14, "decimal_places": 2}
SATISFACTION = [
    (5, gettext_lazy("5分 非常满意")),
    (4, gettext_lazy("4分 满意")),
    (3, gettext_lazy("3分 一般")),
    (2, gettext_lazy("2分 不满意")),
    (1, gettext_lazy("1分 非常不满意")),
]


class StatusFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("状态"),
        choices=[("", gettext_lazy("全部状态")), *BookingStatus.choices],
        required=False,
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("拒绝理由"),
        max_length=300,
        error_messages={"required": gettext_lazy("请填写拒绝理由。")},
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("取消原因"), max_length=300, required=False)


class UsageForm(forms.Form):
    hours = forms.DecimalField(
        label=gettext_lazy("机时（小时）"),
        min_value=0.01,
        max_digits=6,
        decimal_places=2,
        error_messages={
            "required": gettext_lazy("请填写机时。"),
            "invalid": gettext_lazy("机时须为数字。"),
            "min_value": gettext_lazy("机时须大于0。"),
        },
    )
    samples = forms.IntegerField(
        label=gettext_lazy("样品数"),
        min_value=0,
        error_messages={
            "required": gettext_lazy("请填写样品数。"),
            "invalid": gettext_lazy("样品数须为不小于0的整数。"),
            "min_value": gettext_lazy("样品数须为不小于0的整数。"),
        },
    )
    fee = forms.DecimalField(
        label=gettext_lazy("收费金额（元）"),
        min_value=0,
        error_messages={
            "required": gettext_lazy("请填写收费金额。"),
            "invalid": gettext_lazy("收费金额须为数字。"),
            "min_value": gettext_lazy("收费金额不能为负数。"),
        },
        **MONEY,
    )
    service_summary = forms.CharField(
        label=gettext_lazy("服务内容"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("请填写服务内容。")},
    )


class ConfirmForm(forms.Form):
    satisfaction = forms.TypedChoiceField(
        label=gettext_lazy("满意度"),
        choices=SATISFACTION,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("请选择满意度（1–5分）。")},
    )
    comment = forms.CharField(label=gettext_lazy("评价"), max_length=300, required=False)


class DisputeForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("异议说明"),
        max_length=300,
        error_messages={"required": gettext_lazy("请填写异议说明。")},
    )


def _side(request) -> str:
    return "host" if request.GET.get("side") == "host" else "mine"


@login_required
@refuses
def booking_list(request):
    user = request.user
    bureau = permissions.can(user, "sharing.manage")
    hosts = bureau or hosts_any_instrument(user)
    if not (permissions.can(user, "sharing.book") or hosts):
        raise NotAllowed(_("只有单位用户可以预约仪器。"))
    side = _side(request)
    if side == "host" and not hosts:
        raise NotAllowed(_("本单位没有共享仪器。"))
    if side == "mine" and not permissions.can(user, "sharing.book"):
        side = "host"
    form = StatusFilterForm(request.GET or None)
    status = form.cleaned_data.get("status") if form.is_valid() else ""
    qs = bookings.bookings_for(user, side, status or None)
    paged, query = paginate(request, qs)
    now = timezone.now()
    rows = []
    for b in paged:
        usage_record = getattr(b, "usage", None) if b.status == BookingStatus.USED else None
        rows.append(
            {
                "b": b,
                "usage": usage_record,
                "may_cancel": side == "mine" and bookings.may_cancel(user, b, now),
                "may_decide": side == "host" and b.status == BookingStatus.REQUESTED,
                "to_record": side == "host"
                and b.status == BookingStatus.APPROVED
                and b.slot.starts_at <= now,
                "to_confirm": side == "mine"
                and usage_record is not None
                and usage_record.status == UsageStatus.RECORDED,
            }
        )
    return render(
        request,
        "sharing/booking_list.html",
        {
            "sharing_tabs": tabs(user, "bookings"),
            "side": side,
            "may_book": permissions.can(user, "sharing.book"),
            "hosts": hosts,
            "form": form,
            "page": paged,
            "rows": rows,
            "query": query,
            "filtered": bool(status),
        },
    )


def _detail_context(request, booking, **given) -> dict:
    user = request.user
    now = timezone.now()
    host = bookings.may_host(user, booking.instrument)
    member = bookings.is_booking_member(user, booking)
    record = UsageRecord.objects.filter(booking=booking).first()
    started = booking.slot.starts_at <= now
    context = {
        "sharing_tabs": tabs(user, "bookings"),
        "booking": booking,
        "slot": booking.slot,
        "instrument": booking.instrument,
        "usage": record,
        "is_host": host,
        "is_member": member,
        "started": started,
        "deadline": bookings.cancel_deadline(booking),
        "cancel_hours": settings.SHARING_CANCEL_HOURS,
        "owner": booking.instrument.owner,
    }
    live = booking.status in (BookingStatus.REQUESTED, BookingStatus.APPROVED)
    if host and booking.status == BookingStatus.REQUESTED:
        context["refuse_form"] = given.get("refuse_form") or ReasonForm()
    if live and not started:
        if member:
            if bookings.may_cancel(user, booking, now):
                context["cancel_form"] = given.get("cancel_form") or CancelForm()
            elif booking.status == BookingStatus.APPROVED:
                phone = booking.instrument.owner.contact_phone
                context["late_cancel"] = (
                    _(
                        "已超过在线取消期限（%(d)s，即开始前%(h)d小时）。如需取消，请致电仪器所属单位%(org)s：%(p)s。"
                    )
                    if phone
                    else _(
                        "已超过在线取消期限（%(d)s，即开始前%(h)d小时）。如需取消，请联系仪器所属单位%(org)s。"
                    )
                ) % {
                    "d": bookings.when(context["deadline"]),
                    "h": settings.SHARING_CANCEL_HOURS,
                    "org": booking.instrument.owner.name,
                    "p": phone,
                }
        elif host and booking.status == BookingStatus.APPROVED:
            form = given.get("cancel_form") or CancelForm()
            form.fields["reason"].required = True
            form.fields["reason"].help_text = _("如仪器故障、停电检修等，将通知预约单位。")
            context["host_cancel_form"] = form
    if host and booking.status == BookingStatus.APPROVED and started:
        context["usage_form"] = given.get("usage_form") or UsageForm(
            initial={"hours": booking.slot.hours, "samples": booking.sample_count}
        )
    if host and record is not None and record.status != UsageStatus.CONFIRMED:
        context["correct_form"] = given.get("correct_form") or UsageForm(
            initial={
                "hours": record.hours,
                "samples": record.samples,
                "fee": record.fee,
                "service_summary": record.service_summary,
            }
        )
    if member and record is not None and record.status == UsageStatus.RECORDED:
        context["confirm_form"] = given.get("confirm_form") or ConfirmForm()
        context["dispute_form"] = given.get("dispute_form") or DisputeForm()
    return context


@login_required
@refuses
def booking_detail(request, pk: int):
    booking = bookings.get_booking_for(request.user, pk)
    return render(request, "sharing/booking_detail.html", _detail_context(request, booking))


def _redisplay(request, pk, form_name, form, exc=None):
    """The booking page again with the form's errors; when the form no longer applies (e.g.
    the deadline passed meanwhile) the refusal is shown above the page instead."""
    booking = bookings.get_booking_for(request.user, pk)
    context = _detail_context(request, booking, **{form_name: form})
    if form_name not in context and form_name.replace("cancel_form", "host_cancel_form") not in (
        context
    ):
        messages.error(request, getattr(exc, "message", None) or _("该操作已不适用，请刷新页面。"))
        return redirect("sharing_booking", pk=pk)
    status = getattr(exc, "status", 400) if exc is not None else 400
    return render(request, "sharing/booking_detail.html", context, status=status)


def _back(request, pk):
    return redirect_next(request, reverse("sharing_booking", args=[pk]))


@login_required
@require_POST
@refuses
def booking_approve(request, pk: int):
    booking = bookings.get_booking_for(request.user, pk)
    with refusal_as_message(request):
        bookings.approve(request.user, booking)
        messages.success(
            request, _("已确认%(org)s的预约，已通知预约人。") % {"org": booking.organisation.name}
        )
    return _back(request, pk)


@login_required
@require_POST
@refuses
def booking_refuse(request, pk: int):
    booking = bookings.get_booking_for(request.user, pk)
    form = ReasonForm(request.POST)
    with refusal_on_form(form) as refusal:
        if form.is_valid():
            bookings.refuse(request.user, booking, form.cleaned_data["reason"])
            messages.success(request, _("已拒绝该预约，时段已重新开放。"))
            return redirect("sharing_booking", pk=pk)
    return _redisplay(request, pk, "refuse_form", form, refusal.error)


@login_required
@require_POST
@refuses
def booking_cancel(request, pk: int):
    booking = bookings.get_booking_for(request.user, pk)
    form = CancelForm(request.POST)
    with refusal_on_form(form) as refusal:
        if form.is_valid():
            bookings.cancel(request.user, booking, form.cleaned_data.get("reason") or "")
            messages.success(request, _("预约已取消，该时段已重新开放。"))
            return _back(request, pk)
    return _redisplay(request, pk, "cancel_form", form, refusal.error)


@login_required
@require_POST
@refuses
def booking_usage(request, pk: int):
    """Record the usage of an approved booking, or correct the recorded one."""
    booking = bookings.get_booking_for(request.user, pk)
    form = UsageForm(request.POST)
    record = UsageRecord.objects.filter(booking=booking).first()
    form_name = "correct_form" if record is not None else "usage_form"
    with refusal_on_form(form) as refusal:
        if form.is_valid():
            if record is None:
                usage.record_usage(request.user, booking, **form.cleaned_data)
                done = _("已登记使用记录，等待预约单位确认。")
            else:
                usage.correct_usage(request.user, record, **form.cleaned_data)
                done = _("使用记录已更正，等待预约单位重新确认。")
            messages.success(request, done)
            return redirect("sharing_booking", pk=pk)
    return _redisplay(request, pk, form_name, form, refusal.error)


def _usage_of(request, pk):
    booking = bookings.get_booking_for(request.user, pk)
    record = UsageRecord.objects.filter(booking=booking).first()
    if record is None:
        raise NotAllowed(_("该预约还没有使用记录。"))
    return booking, record


@login_required
@require_POST
@refuses
def usage_confirm(request, pk: int):
    booking, record = _usage_of(request, pk)
    form = ConfirmForm(request.POST)
    with refusal_on_form(form) as refusal:
        if form.is_valid():
            usage.confirm_usage(
                request.user,
                record,
                form.cleaned_data["satisfaction"],
                form.cleaned_data.get("comment") or "",
            )
            messages.success(request, _("已确认使用记录，感谢您的评价。"))
            return redirect("sharing_booking", pk=pk)
    return _redisplay(request, pk, "confirm_form", form, refusal.error)


@login_required
@require_POST
@refuses
def usage_dispute(request, pk: int):
    booking, record = _usage_of(request, pk)
    form = DisputeForm(request.POST)
    with refusal_on_form(form) as refusal:
        if form.is_valid():
            usage.dispute_usage(request.user, record, form.cleaned_data["reason"])
            messages.success(request, _("已提出异议，等待仪器所属单位更正。"))
            return redirect("sharing_booking", pk=pk)
    return _redisplay(request, pk, "dispute_form", form, refusal.error)
