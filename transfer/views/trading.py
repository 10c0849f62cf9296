"""挂牌 pages: the public list and detail of listings with the (masked) bid history, bidding,
listing an achievement, and the owner's or the bureau's result: close, 协议成交, withdraw.
Every change goes through `transfer.services.listings`."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
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
from core.views import paginate, refusal_as_message
from integrity.forms import OrganisationCodeField
from resources.models import Achievement
from transfer.choices import ListingKind, ListingMode, ListingStatus
from transfer.models import TechContract
from transfer.services import contracts, listings

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
MONEY = {"max_digits": 16, "decimal_places": 2}


def tabs(user, active: str) -> list[dict]:
    """The trading and registration section's tabs, as far as the user may open them."""
    items = [
        ("home", gettext_lazy("成果转化"), reverse("transfer_home")),
        ("listings", gettext_lazy("挂牌交易"), reverse("transfer_listings")),
    ]
    if getattr(user, "is_authenticated", False):
        items.append(("contracts", gettext_lazy("技术合同"), reverse("transfer_contracts")))
    if permissions.can(user, "transfer.registrar"):
        items.append(("queue", gettext_lazy("待认定合同"), reverse("transfer_registrar")))
    if permissions.can(user, "transfer.view_statistics"):
        items.append(("statistics", gettext_lazy("合同登记统计"), reverse("transfer_statistics")))
        items.append(("funnel", gettext_lazy("转化监测"), reverse("transfer_funnel")))
    return [{"url": url, "label": label, "active": key == active} for key, label, url in items]


class ListingForm(forms.Form):
    mode = forms.ChoiceField(label=gettext_lazy("交易方式"), choices=ListingMode.choices)
    kind = forms.ChoiceField(
        label=gettext_lazy("成交方式"),
        choices=ListingKind.choices,
        help_text=gettext_lazy(
            "公开竞价：挂牌期内各单位公开加价，截止时最高价成交；协议转让：与意向方洽谈后录入成交结果。"
        ),
    )
    reserve_price = forms.DecimalField(
        label=gettext_lazy("挂牌底价（元）"), min_value=0.01, **MONEY
    )
    min_step = forms.DecimalField(
        label=gettext_lazy("最小加价幅度（元）"),
        min_value=0.01,
        required=False,
        help_text=gettext_lazy("公开竞价必填：每次出价至少比当前最高价高出此金额。"),
        **MONEY,
    )
    starts_at = forms.DateTimeField(label=gettext_lazy("挂牌开始"), widget=DATETIME_INPUT)
    ends_at = forms.DateTimeField(label=gettext_lazy("挂牌截止"), widget=DATETIME_INPUT)
    terms = forms.CharField(
        label=gettext_lazy("交易条件"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("如付款方式、技术交付与培训、受让方资质要求等。"),
    )

    def __init__(self, *args, achievement: Achievement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mode"].choices = [
            (value, label)
            for value, label in ListingMode.choices
            if getattr(achievement, listings.MODE_FLAG[value])
        ]

    def clean(self):
        data = super().clean()
        if data.get("kind") == ListingKind.AUCTION and not data.get("min_step"):
            self.add_error("min_step", _("公开竞价须填写最小加价幅度。"))
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("挂牌截止时间须晚于开始时间。"))
        return data


class BidForm(forms.Form):
    amount = forms.DecimalField(label=gettext_lazy("出价（元）"), min_value=0.01, **MONEY)


class DealForm(forms.Form):
    buyer = OrganisationCodeField(
        label=gettext_lazy("受让方统一社会信用代码"),
        required=True,
        help_text=gettext_lazy("受让方须为平台注册单位。"),
    )
    price = forms.DecimalField(label=gettext_lazy("成交价（元）"), min_value=0.01, **MONEY)
    note = forms.CharField(label=gettext_lazy("说明"), required=False, max_length=200)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("撤牌原因"), required=False, max_length=200)


class ListingFilterForm(forms.Form):
    STATUSES = [("", gettext_lazy("全部状态")), *ListingStatus.choices]
    status = forms.ChoiceField(label=gettext_lazy("状态"), choices=STATUSES, required=False)
    mode = forms.ChoiceField(
        label=gettext_lazy("交易方式"),
        choices=[("", gettext_lazy("全部方式")), *ListingMode.choices],
        required=False,
    )
    q = forms.CharField(label=gettext_lazy("成果名称"), required=False, max_length=100)

    def filter(self, qs):
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("status"):
            qs = qs.filter(status=data["status"])
        if data.get("mode"):
            qs = qs.filter(mode=data["mode"])
        if (data.get("q") or "").strip():
            qs = qs.filter(achievement__title__icontains=data["q"].strip())
        return qs


# -- pages ----------------------------------------------------------------------------------


def listing_list(request):
    form = ListingFilterForm(request.GET or None)
    qs = form.filter(listings.listings_for(request.user))
    fmt = request.GET.get("export")
    if fmt in EXPORT_FORMATS:
        headers = [
            _("成果名称"),
            _("挂牌单位"),
            _("交易方式"),
            _("成交方式"),
            _("挂牌底价（元）"),
            _("挂牌开始"),
            _("挂牌截止"),
            _("出价次数"),
            _("当前最高价（元）"),
            _("状态"),
            _("成交价（元）"),
        ]
        rows = (
            (
                item.achievement.title,
                item.achievement.owner.name,
                item.get_mode_display(),
                item.get_kind_display(),
                item.reserve_price,
                timezone.localtime(item.starts_at).strftime("%Y-%m-%d %H:%M"),
                timezone.localtime(item.ends_at).strftime("%Y-%m-%d %H:%M"),
                item.bid_count,
                item.highest_bid if item.highest_bid is not None else "",
                item.get_status_display(),
                item.deal_price if item.deal_price is not None else "",
            )
            for item in qs.iterator(chunk_size=2000)
        )
        return export_response(headers, rows, _("成果挂牌"), fmt, _("成果挂牌"))
    paged, query = paginate(request, qs)
    now = timezone.now()
    for item in paged:
        item.phase = listings.phase(item, now)
    return render(
        request,
        "transfer/listing_list.html",
        {"page": paged, "query": query, "form": form, "trade_tabs": tabs(request.user, "listings")},
    )


def _buyer_name(user, listing) -> str:
    if listing.buyer_id is None:
        return ""
    m = getattr(user, "current_membership", None)
    mine = m is not None and m.is_active and m.organisation_id == listing.buyer_id
    if mine or listings.sees_bidders(user, listing):
        return listing.buyer.name
    return listings.mask_name(listing.buyer.name)


def _contract_url(user, listing) -> str | None:
    contract = TechContract.objects.filter(listing=listing).first()
    if contract is None or not contracts.contracts_for(user).filter(pk=contract.pk).exists():
        return None
    return reverse("transfer_contract", args=[contract.pk])


def _detail_context(request, listing, **forms_) -> dict:
    user = request.user
    manage = listings.may_manage(user, listing)
    now = timezone.now()
    current_phase = listings.phase(listing, now)
    bid_refusal = None
    if listing.status == ListingStatus.OPEN and listing.kind == ListingKind.AUCTION:
        try:
            listings.bidding_organisation(user, listing)
        except NotAllowed as exc:
            bid_refusal = exc.message
    context = {
        "listing": listing,
        "achievement": listing.achievement,
        "phase": current_phase,
        "history": listings.bid_history(listing, user),
        "full_names": listings.sees_bidders(user, listing),
        "next_minimum": listings.next_minimum(listing),
        "manage": manage,
        "bid_refusal": bid_refusal,
        "buyer_name": _buyer_name(user, listing),
        "contract_url": _contract_url(user, listing),
        "result_note": listing.result_note,
        "trade_tabs": tabs(user, "listings"),
        "achievement_url": reverse(
            "resource_detail", args=["achievements", listing.achievement_id]
        ),
        "login_url": reverse("login") + "?next=" + request.path,
    }
    if listing.status == ListingStatus.OPEN:
        if listing.kind == ListingKind.AUCTION and current_phase == "active" and not bid_refusal:
            context["bid_form"] = forms_.get("bid_form") or BidForm(
                initial={"amount": context["next_minimum"]}
            )
        if manage and listing.kind == ListingKind.NEGOTIATION:
            context["deal_form"] = forms_.get("deal_form") or DealForm(
                initial={"price": listing.reserve_price}
            )
        if manage and not context["history"]:
            context["withdraw_form"] = forms_.get("withdraw_form") or WithdrawForm()
        context["may_close"] = manage and current_phase == "ended"
    return context


@refuses
def listing_detail(request, pk: int):
    listing = listings.get_listing(pk)
    return render(request, "transfer/listing_detail.html", _detail_context(request, listing))


@login_required
@refuses
def listing_create(request, achievement: int):
    record = get_object_or_404(Achievement.objects.select_related("owner"), pk=achievement)
    permissions.require(
        request.user,
        "transfer.list",
        record,
        _("只有成果所属单位的用户或市科技局可以挂牌该成果。"),
    )
    now = timezone.localtime().replace(second=0, microsecond=0)
    form = ListingForm(
        request.POST or None,
        achievement=record,
        initial={
            "kind": ListingKind.AUCTION,
            "starts_at": now,
            "ends_at": now + datetime.timedelta(days=30),
            "reserve_price": (record.asking_price * 10000) if record.asking_price else None,
        },
    )
    if request.method == "POST" and form.is_valid():
        with refusal_on_form(form):
            listing = listings.create_listing(request.user, record, **form.cleaned_data)
            messages.success(
                request,
                _("“%(t)s”已挂牌（%(mode)s，%(kind)s）。")
                % {
                    "t": record.title,
                    "mode": listing.get_mode_display(),
                    "kind": listing.get_kind_display(),
                },
            )
            return redirect("transfer_listing", pk=listing.pk)
    open_listing = record.listings.filter(status=ListingStatus.OPEN).first()
    return render(
        request,
        "transfer/listing_form.html",
        {
            "form": form,
            "achievement": record,
            "open_listing": open_listing,
            "no_modes": not form.fields["mode"].choices,
            "trade_tabs": tabs(request.user, "listings"),
        },
    )


@login_required
@require_POST
@refuses
def listing_bid(request, pk: int):
    listing = listings.get_listing(pk)
    form = BidForm(request.POST)
    if form.is_valid():
        # One who may not bid at all (the bureau, the listing's owner) gets the 403 page, as
        # from the API; a bid that is too low or too late goes back on the form.
        with refusal_on_form(form):
            bid = listings.place_bid(request.user, listing, form.cleaned_data["amount"])
            messages.success(
                request, _("出价成功：%(a)s元，当前为最高价。") % {"a": f"{bid.amount:,.2f}"}
            )
            return redirect("transfer_listing", pk=listing.pk)
    listing = listings.get_listing(pk)
    return render(
        request,
        "transfer/listing_detail.html",
        _detail_context(request, listing, bid_form=form),
        status=400,
    )


@login_required
@require_POST
@refuses
def listing_close(request, pk: int):
    listing = listings.get_listing(pk)
    with refusal_as_message(request):
        closed = listings.close_listing(request.user, listing)
        if closed.status == ListingStatus.SOLD:
            messages.success(
                request,
                _("已成交：%(b)s，成交价%(p)s元；合同草稿已生成。")
                % {"b": closed.buyer.name, "p": f"{closed.deal_price:,.2f}"},
            )
        else:
            messages.info(request, closed.result_note)
    return redirect("transfer_listing", pk=listing.pk)


@login_required
@require_POST
@refuses
def listing_deal(request, pk: int):
    listing = listings.get_listing(pk)
    if not listings.may_manage(request.user, listing):
        raise NotAllowed(_("只有挂牌方或市科技局可以录入协议成交结果。"))
    form = DealForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        with refusal_on_form(form):
            closed = listings.record_deal(
                request.user, listing, data["buyer"], data["price"], data.get("note") or ""
            )
            messages.success(
                request,
                _("协议成交已录入：%(b)s，成交价%(p)s元；合同草稿已生成。")
                % {"b": closed.buyer.name, "p": f"{closed.deal_price:,.2f}"},
            )
            return redirect("transfer_listing", pk=listing.pk)
    listing = listings.get_listing(pk)
    return render(
        request,
        "transfer/listing_detail.html",
        _detail_context(request, listing, deal_form=form),
        status=400,
    )


@login_required
@require_POST
@refuses
def listing_withdraw(request, pk: int):
    listing = listings.get_listing(pk)
    form = WithdrawForm(request.POST)
    form.is_valid()
    with refusal_as_message(request):
        listings.withdraw_listing(request.user, listing, form.cleaned_data.get("reason") or "")
        messages.success(request, _("已撤牌。"))
    return redirect("transfer_listing", pk=listing.pk)
