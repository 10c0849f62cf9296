"""核销与兑付 pages: a provider's members redeem vouchers, follow their redemptions and claim
settlement; the holder's members rate the service; the bureau decides settlement claims,
reads the redemptions of each program and downloads the payment list. Every change goes
through `sharing.services.redemptions` and `sharing.services.settlement`."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core import permissions
from core.decorators import refuses
from core.exceptions import NotAllowed, ServiceError
from core.exports import EXPORT_FORMATS, export_response
from core.forms import add_errors, refusal_on_form
from core.views import paginate, refusal_as_message
from sharing.choices import ClaimStatus, ProviderStatus, ServiceCategory
from sharing.models import AbuseFlag, SettlementLine, VoucherProgram
from sharing.services import redemptions as service
from sharing.services import settlement
from sharing.services.common import organisation_id_of, yuan
from sharing.views.common import tabs

MONEY = {"max_digits": 14, "decimal_places": 2}
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SETTLEMENT_LABELS = {
    None: gettext_lazy("未申请兑付"),
    ClaimStatus.SUBMITTED: gettext_lazy("兑付审核中"),
    ClaimStatus.APPROVED: gettext_lazy("已兑付"),
}


class RedeemForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("券号"),
        max_length=30,
        help_text=gettext_lazy("如 2026-7K3QD9XM-R，字母不分大小写，可省略连字符。"),
    )
    holder_uscc = forms.CharField(
        label=gettext_lazy("合同委托方统一社会信用代码"),
        max_length=30,
        help_text=gettext_lazy("须为持券企业本身。"),
    )
    contract_number = forms.CharField(label=gettext_lazy("服务合同编号"), max_length=60)
    signed_on = forms.DateField(label=gettext_lazy("合同签订日期"), widget=DATE_INPUT)
    category = forms.ChoiceField(label=gettext_lazy("服务类别"))
    contract_amount = forms.DecimalField(label=gettext_lazy("合同金额（元）"), **MONEY)
    amount = forms.DecimalField(label=gettext_lazy("本次核销金额（元）"), **MONEY)
    service_description = forms.CharField(
        label=gettext_lazy("服务内容"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def __init__(self, *args, provider=None, **kwargs):
        super().__init__(*args, **kwargs)
        offered = provider.categories if provider is not None else []
        self.fields["category"].choices = [
            (value, label) for value, label in ServiceCategory.choices if value in offered
        ]


class LookupForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("券号"), max_length=30)


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=gettext_lazy("服务评价"),
        coerce=int,
        choices=[
            (5, gettext_lazy("5 分 · 非常满意")),
            (4, gettext_lazy("4 分 · 满意")),
            (3, gettext_lazy("3 分 · 一般")),
            (2, gettext_lazy("2 分 · 不满意")),
            (1, gettext_lazy("1 分 · 很不满意")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=gettext_lazy("评价说明"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RedemptionFilterForm(forms.Form):
    program = forms.ModelChoiceField(
        label=gettext_lazy("创新券项目"),
        queryset=VoucherProgram.objects.all(),
        required=False,
        empty_label=gettext_lazy("全部项目"),
    )
    q = forms.CharField(label=gettext_lazy("券号、企业或服务机构"), required=False, max_length=100)

    def filter(self, qs):
        from django.db.models import Q

        data = self.cleaned_data if self.is_valid() else {}
        if data.get("program"):
            qs = qs.filter(voucher__program=data["program"])
        text = (data.get("q") or "").strip()
        if text:
            qs = qs.filter(
                Q(voucher__code__icontains=text)
                | Q(voucher__holder__name__icontains=text)
                | Q(provider__organisation__name__icontains=text)
                | Q(contract_number__icontains=text)
            )
        provider = self.data.get("provider", "")
        if provider.isdigit():
            qs = qs.filter(provider_id=int(provider))
        return qs


def with_settlement(qs):
    """Each redemption with the status of the claim its active settlement line is on."""
    line = SettlementLine.objects.filter(redemption=OuterRef("pk"), active=True)
    return qs.annotate(
        claim_status=Subquery(line.values("claim__status")[:1]),
        claim_id=Subquery(line.values("claim_id")[:1]),
    )


def _label_settlement(items):
    for r in items:
        r.settlement_label = SETTLEMENT_LABELS.get(getattr(r, "claim_status", None), "")
    return items


def _export_redemptions(qs, fmt):
    headers = [
        _("核销时间"),
        _("创新券项目"),
        _("券号"),
        _("持券企业"),
        _("持券企业统一社会信用代码"),
        _("服务机构"),
        _("服务类别"),
        _("服务合同编号"),
        _("合同金额（元）"),
        _("核销金额（元）"),
        _("服务评价"),
        _("兑付状态"),
    ]
    labels = dict(ServiceCategory.choices)
    rows = (
        (
            timezone.localtime(r.redeemed_at).strftime("%Y-%m-%d %H:%M"),
            r.voucher.program.name,
            r.voucher.code,
            r.voucher.holder.name,
            r.voucher.holder.uscc,
            r.provider.organisation.name,
            str(labels.get(r.category, r.category)),
            r.contract_number,
            r.contract_amount,
            r.amount,
            r.rating if r.rating is not None else "",
            str(SETTLEMENT_LABELS.get(r.claim_status, "")),
        )
        for r in qs.iterator(chunk_size=2000)
    )
    return export_response(headers, rows, _("创新券核销记录"), fmt, _("核销记录"))


def _provider_context(request, provider, redeem_form=None, lookup=None, lookup_form=None):
    user = request.user
    context = {"provider": provider}
    if provider.status != ProviderStatus.REGISTERED:
        try:
            service.acting_provider(user)
        except NotAllowed as exc:
            context["provider_refusal"] = exc.message
        return context
    context["redeem_form"] = redeem_form or RedeemForm(
        provider=provider,
        initial={"signed_on": timezone.localdate(), **({"code": lookup["code"]} if lookup else {})},
    )
    context["lookup_form"] = lookup_form or LookupForm(prefix="lookup")
    context["lookup"] = lookup
    context["unsettled"] = [
        {**row, "items": list(settlement.unsettled(provider, row["program"]))}
        for row in settlement.unsettled_by_program(provider)
    ]
    context["claims"] = settlement.claims_for(user)[:20]
    return context


@login_required
@refuses
def redemption_list(request, redeem_form=None, status=200):
    user = request.user
    bureau = permissions.can(user, "sharing.manage")
    provider = service.provider_of(user)
    holder = service.holds_vouchers(user)
    if not (bureau or provider or holder):
        raise NotAllowed(_("只有入库科技服务机构、持券企业和市科技局可以查看核销与兑付。"))
    context = {"sharing_tabs": tabs(user, "redemptions"), "bureau": bureau, "holder": holder}
    qs = with_settlement(service.redemptions_for(user))
    if bureau:
        form = RedemptionFilterForm(request.GET or None)
        qs = form.filter(qs)
        fmt = request.GET.get("export")
        if fmt in EXPORT_FORMATS:
            return _export_redemptions(qs, fmt)
        context["filter_form"] = form
        context["queue"] = settlement.claims_for(user).filter(status=ClaimStatus.SUBMITTED)
        context["programs"] = VoucherProgram.objects.filter(vouchers__redemptions__isnull=False)
        context["programs"] = context["programs"].distinct().order_by("-year", "-pk")
        context["open_flags"] = AbuseFlag.objects.filter(status="open").count()
    if provider is not None:
        lookup, lookup_form = None, None
        if request.GET.get("lookup-code"):
            lookup_form = LookupForm(request.GET, prefix="lookup")
            if lookup_form.is_valid():
                try:
                    lookup = service.lookup(user, lookup_form.cleaned_data["code"])
                except NotAllowed:
                    raise
                except ServiceError as exc:
                    lookup_form.add_error("code", exc.message)
        context.update(_provider_context(request, provider, redeem_form, lookup, lookup_form))
    page, query = paginate(request, qs)
    _label_settlement(page)
    context.update({"page": page, "query": query})
    return render(request, "sharing/redemption_list.html", context, status=status)


@login_required
@require_POST
@refuses
def redemption_create(request):
    provider = service.acting_provider(request.user)
    form = RedeemForm(request.POST, provider=provider)
    if form.is_valid():
        try:
            redemption = service.redeem(request.user, **form.cleaned_data)
        except (ServiceError, ValidationError) as exc:
            # Every refusal (a designated provider, an integrity record, an expired voucher…)
            # is shown on the form with what was typed.
            add_errors(form, exc)
        else:
            voucher = redemption.voucher
            messages.success(
                request,
                _("核销成功：创新券 %(code)s 核销 %(a)s 元，剩余 %(r)s 元。")
                % {
                    "code": voucher.code,
                    "a": yuan(redemption.amount),
                    "r": yuan(voucher.remaining),
                },
            )
            return redirect("sharing_redemption", pk=redemption.pk)
    return redemption_list(request, redeem_form=form, status=400)


def _detail_context(request, redemption, rating_form=None):
    user = request.user
    bureau = permissions.can(user, "sharing.manage")
    lines = redemption.settlement_lines.select_related("claim").order_by("-pk")
    context = {
        "sharing_tabs": tabs(user, "redemptions"),
        "r": redemption,
        "voucher": redemption.voucher,
        "category_label": dict(ServiceCategory.choices).get(redemption.category, ""),
        "lines": [
            {"line": line, "number": settlement.claim_number(line.claim), "claim": line.claim}
            for line in lines
        ],
        "bureau": bureau,
        "is_provider": organisation_id_of(user) == redemption.provider.organisation_id,
        "may_rate": service.may_rate(user, redemption) and redemption.rating is None,
        "stars": range(1, 6),
    }
    if context["may_rate"]:
        context["rating_form"] = rating_form or RatingForm()
    elif rating_form is not None:  # refused, e.g. rated in the meantime: say why
        context["rating_errors"] = rating_form.non_field_errors()
    if bureau:
        context["flags"] = redemption.flags.all()
    return context


@login_required
@refuses
def redemption_detail(request, pk: int):
    redemption = service.get_redemption(request.user, pk)
    return render(request, "sharing/redemption_detail.html", _detail_context(request, redemption))


@login_required
@require_POST
@refuses
def redemption_rate(request, pk: int):
    redemption = service.get_redemption(request.user, pk)
    form = RatingForm(request.POST)
    if form.is_valid():
        with refusal_on_form(form):
            service.rate(
                request.user, redemption, form.cleaned_data["rating"], form.cleaned_data["comment"]
            )
            messages.success(request, _("感谢评价，服务评价已提交。"))
            return redirect("sharing_redemption", pk=redemption.pk)
    redemption = service.get_redemption(request.user, pk)
    return render(
        request,
        "sharing/redemption_detail.html",
        _detail_context(request, redemption, rating_form=form),
        status=400,
    )


# -- settlement -----------------------------------------------------------------------------


@login_required
@require_POST
@refuses
def settlement_create(request):
    service.acting_provider(request.user)
    program = VoucherProgram.objects.filter(pk=request.POST.get("program") or 0).first()
    if program is None:
        messages.error(request, _("请选择创新券项目。"))
        return redirect("sharing_redemptions")
    ids = [int(v) for v in request.POST.getlist("redemptions") if v.isdigit()]
    if request.POST.get("choose") and not ids:
        messages.error(request, _("请至少选择一笔核销记录。"))
        return redirect(reverse("sharing_redemptions") + "#settle")
    with refusal_as_message(request):
        claim = settlement.claim_settlement(request.user, program, ids or None)
        messages.success(
            request,
            _("兑付申请 %(no)s 已提交：%(n)d 笔核销，共 %(a)s 元，等待市科技局审核。")
            % {
                "no": settlement.claim_number(claim),
                "n": claim.lines.count(),
                "a": yuan(claim.total),
            },
        )
        return redirect("sharing_settlement", pk=claim.pk)
    return redirect(reverse("sharing_redemptions") + "#settle")


@login_required
@refuses
def settlement_detail(request, pk: int):
    claim = settlement.get_claim(request.user, pk)
    lines = list(settlement.lines_of(claim))
    return render(
        request,
        "sharing/settlement_detail.html",
        {
            "sharing_tabs": tabs(request.user, "redemptions"),
            "claim": claim,
            "number": settlement.claim_number(claim),
            "lines": lines,
            "may_decide": permissions.can(request.user, "sharing.manage")
            and claim.status == ClaimStatus.SUBMITTED,
        },
    )


@login_required
@require_POST
@refuses
def settlement_decide(request, pk: int, action: str):
    claim = settlement.get_claim(request.user, pk)
    number = settlement.claim_number(claim)
    with refusal_as_message(request):
        if action == "approve":
            settlement.approve_claim(request.user, claim)
            messages.success(
                request,
                _("兑付申请 %(no)s 已批准：%(a)s 元，已列入兑付清单。")
                % {"no": number, "a": yuan(claim.total)},
            )
        else:
            settlement.refuse_claim(request.user, claim, request.POST.get("reason", ""))
            messages.success(
                request,
                _("兑付申请 %(no)s 未予批准，相关核销记录可重新申请。") % {"no": number},
            )
    back = request.POST.get("next")
    if back == "queue":
        return redirect(reverse("sharing_redemptions") + "#queue")
    return redirect("sharing_settlement", pk=claim.pk)


@login_required
@refuses
def settlement_payments(request):
    permissions.require(request.user, "sharing.manage", None, _("只有市科技局可以查看兑付清单。"))
    programs = list(VoucherProgram.objects.filter(settlements__isnull=False).distinct())
    chosen = request.GET.get("program", "")
    program = None
    if chosen.isdigit():
        program = get_object_or_404(VoucherProgram, pk=int(chosen))
    elif programs:
        program = programs[0]
    rows, total = settlement.payment_rows(program) if program else ([], None)
    fmt = request.GET.get("export")
    if program is not None and fmt in EXPORT_FORMATS:
        name = _("%(p)s兑付清单") % {"p": program.name}
        return export_response(
            [str(h) for h in settlement.PAYMENT_HEADERS],
            [*rows, total],
            name,
            fmt,
            _("兑付清单"),
        )
    return render(
        request,
        "sharing/settlement_payments.html",
        {
            "sharing_tabs": tabs(request.user, "redemptions"),
            "programs": programs,
            "program": program,
            "rows": rows,
            "total": total,
        },
    )
