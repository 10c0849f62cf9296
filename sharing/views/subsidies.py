"""先用后补 pages: an organisation's terms, claimable records (with a live preview of the amount)
and claims; the bureau's policies, budget use, claims queue with decisions and the payment list.
Every change goes through `sharing.services.subsidies`."""

from __future__ import annotations

from django import forms
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
from core.exceptions import NotAllowed, ServiceError
from core.exports import EXPORT_FORMATS, export_response
from core.forms import refusal_on_form
from core.views import paginate, refusal_as_message
from sharing.choices import ClaimStatus
from sharing.services import subsidies
from sharing.services.common import yuan
from sharing.views.common import tabs

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY = {"max_digits": 14, "decimal_places": 2}


class PolicyForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=2000, max_value=2100)
    rate_percent = forms.DecimalField(
        label=gettext_lazy("补贴比例（%）"),
        min_value=0.1,
        max_value=100,
        max_digits=4,
        decimal_places=1,
        help_text=gettext_lazy("按双方确认的服务收费金额计算，如 30 表示补贴收费的 30%。"),
    )
    cap_per_user = forms.DecimalField(
        label=gettext_lazy("单位年度补贴上限（元）"), min_value=0.01, **MONEY
    )
    budget = forms.DecimalField(label=gettext_lazy("年度补贴总额（元）"), min_value=0.01, **MONEY)
    claims_from = forms.DateField(label=gettext_lazy("受理开始"), widget=DATE_INPUT)
    claims_until = forms.DateField(label=gettext_lazy("受理截止"), widget=DATE_INPUT)
    note = forms.CharField(
        label=gettext_lazy("政策依据"),
        required=False,
        max_length=300,
        help_text=gettext_lazy("如政策文件名称和文号。"),
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("claims_from"), data.get("claims_until")
        if start and end and end < start:
            self.add_error("claims_until", _("受理截止日期不能早于受理开始日期。"))
        return data

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data["rate"] = data.pop("rate_percent") / 100
        return data


class ApproveForm(forms.Form):
    amount = forms.DecimalField(
        label=gettext_lazy("批准金额（元）"), required=False, min_value=0.01, **MONEY
    )
    reason = forms.CharField(label=gettext_lazy("审核意见"), required=False, max_length=300)


class RefuseForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("不予批准的理由"), max_length=300)


def _year(request) -> int:
    raw = request.POST.get("year") or request.GET.get("year") or ""
    try:
        year = int(raw)
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


def _selected(request) -> list[int] | None:
    """The records ticked on the form (None when the form was not sent: all of them)."""
    if request.method != "POST":
        return None
    ids = []
    for raw in request.POST.getlist("records"):
        if raw.isdigit():
            ids.append(int(raw))
    return ids


def _require_section(user) -> None:
    if not (
        permissions.can(user, "sharing.claim_subsidy") or permissions.can(user, "sharing.manage")
    ):
        raise NotAllowed(_("先用后补面向企业、高校院所等单位用户和市科技局。"))


def _quote(user, year: int, selected) -> tuple[subsidies.Quote | None, str]:
    try:
        return subsidies.preview_claim(user, year, selected), ""
    except NotAllowed:
        raise
    except ServiceError as exc:
        return None, exc.message


def _organisation_context(request, year: int, selected=None) -> dict:
    user = request.user
    organisation = subsidies.claimant_organisation(user)
    policy = subsidies.policy_for(year)
    today = timezone.localdate()
    claims = list(subsidies.claims_for(user)[:50])
    for claim in claims:
        claim.number = subsidies.claim_number(claim)
    context = {"organisation": organisation, "policy": policy, "claims": claims}
    if policy is None:
        return context
    context["rate_text"] = subsidies.percent(policy.rate)
    records = list(subsidies.claimable_records(organisation, year))
    chosen = {r.pk for r in records} if selected is None else set(selected)
    context.update(
        {
            "terms": subsidies.terms_for(organisation, policy),
            "window_open": policy.claims_from <= today <= policy.claims_until,
            "records": records,
            "chosen": chosen,
        }
    )
    if records:
        context["quote"], context["quote_error"] = _quote(user, year, selected)
    return context


def _bureau_context(request, year: int, policy_form=None) -> dict:
    policy = subsidies.policy_for(year)
    if policy_form is None:
        initial = {"year": year}
        if policy is not None:
            initial.update(
                rate_percent=f"{(policy.rate * 100).normalize():f}",
                cap_per_user=policy.cap_per_user,
                budget=policy.budget,
                claims_from=policy.claims_from,
                claims_until=policy.claims_until,
                note=policy.note,
            )
        policy_form = PolicyForm(initial=initial)
    queue, query = paginate(
        request, subsidies.claims_for(request.user, status=ClaimStatus.SUBMITTED), per_page=10
    )
    for claim in queue:
        claim.number = subsidies.claim_number(claim)
    policies = list(subsidies.policies())
    for item in policies:
        item.rate_text = subsidies.percent(item.rate)
        item.use = subsidies.budget_use(item)
    decided = list(
        subsidies.claims_for(request.user, year=year)
        .exclude(status=ClaimStatus.SUBMITTED)
        .order_by("-decided_at", "-pk")[:20]
    )
    for claim in decided:
        claim.number = subsidies.claim_number(claim)
    return {
        "bureau_policy": policy,
        "budget": subsidies.budget_use(policy) if policy else None,
        "policy_locked": policy is not None and policy.claims.exists(),
        "policy_form": policy_form,
        "policies": policies,
        "queue": queue,
        "queue_query": query,
        "decided": decided,
        "approved_count": subsidies.claims_for(
            request.user, year=year, status=ClaimStatus.APPROVED
        ).count(),
    }


def _page(request, year: int, *, status=200, selected=None, policy_form=None, claim_error=""):
    user = request.user
    _require_section(user)
    this_year = timezone.localdate().year
    context = {
        "sharing_tabs": tabs(user, "subsidies"),
        "year": year,
        "years": list(range(this_year + 1, this_year - 4, -1)),
        "claim_error": claim_error,
        "is_bureau": permissions.can(user, "sharing.manage"),
        "is_claimant": permissions.can(user, "sharing.claim_subsidy"),
    }
    if context["is_claimant"]:
        context.update(_organisation_context(request, year, selected))
    if context["is_bureau"]:
        context.update(_bureau_context(request, year, policy_form))
    return render(request, "sharing/subsidy_home.html", context, status=status)


@login_required
@refuses
def subsidy_home(request):
    return _page(request, _year(request))


@login_required
@require_POST
@refuses
def subsidy_preview(request):
    """The amount for the ticked records: the quote alone for htmx, the whole page otherwise."""
    user = request.user
    year = _year(request)
    selected = _selected(request)
    if request.htmx:
        subsidies.claimant_organisation(user)
        quote, error = _quote(user, year, selected)
        return render(
            request,
            "sharing/subsidy_quote.html",
            {"quote": quote, "quote_error": error, "year": year},
        )
    return _page(request, year, selected=selected)


@login_required
@require_POST
@refuses
def subsidy_submit(request):
    year = _year(request)
    selected = _selected(request)
    try:
        claim = subsidies.submit_claim(request.user, year, selected)
    except NotAllowed:
        raise
    except ServiceError as exc:  # the integrity gate's refusal too (403), shown on the page
        return _page(request, year, status=exc.status, selected=selected, claim_error=exc.message)
    messages.success(
        request,
        _("已提交%(year)s年度先用后补申请：申请补贴 %(a)s 元，等待市科技局审核。")
        % {"year": year, "a": yuan(claim.amount)},
    )
    return redirect("sharing_subsidy_claim", pk=claim.pk)


@login_required
@require_POST
@refuses
def subsidy_policy(request):
    permissions.require(
        request.user, "sharing.manage", None, _("只有市科技局可以设置先用后补政策。")
    )
    form = PolicyForm(request.POST)
    year = _year(request)
    if form.is_valid():
        with refusal_on_form(form):
            policy = subsidies.save_policy(request.user, **form.values())
            messages.success(request, _("已保存%(year)s年度先用后补政策。") % {"year": policy.year})
            return redirect(f"{reverse('sharing_subsidies')}?year={policy.year}#policy")
    return _page(request, year, status=400, policy_form=form)


def _back(request, claim) -> str:
    if request.POST.get("back") == "list":
        return f"{reverse('sharing_subsidies')}?year={claim.policy.year}#queue"
    return reverse("sharing_subsidy_claim", args=[claim.pk])


@login_required
@require_POST
@refuses
def subsidy_approve(request, pk: int):
    claim = subsidies.get_claim_for(request.user, pk)
    form = ApproveForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(_back(request, claim))
    with refusal_as_message(request):
        decided = subsidies.approve_claim(
            request.user, claim, form.cleaned_data["amount"], form.cleaned_data["reason"]
        )
        messages.success(
            request,
            _("已批准%(org)s的申请，批准补贴 %(v)s 元。")
            % {"org": decided.organisation.name, "v": yuan(decided.approved_amount)},
        )
    return redirect(_back(request, claim))


@login_required
@require_POST
@refuses
def subsidy_refuse(request, pk: int):
    claim = subsidies.get_claim_for(request.user, pk)
    with refusal_as_message(request):
        decided = subsidies.refuse_claim(request.user, claim, request.POST.get("reason", ""))
        messages.success(
            request,
            _("已不予批准%(org)s的申请，所列使用记录可重新申请。")
            % {"org": decided.organisation.name},
        )
    return redirect(_back(request, claim))


@login_required
@refuses
def subsidy_claim(request, pk: int):
    claim = subsidies.get_claim_for(request.user, pk)
    lines = list(subsidies.claim_lines(claim))
    bureau = permissions.can(request.user, "sharing.manage")
    return render(
        request,
        "sharing/subsidy_claim.html",
        {
            "sharing_tabs": tabs(request.user, "subsidies"),
            "claim": claim,
            "number": subsidies.claim_number(claim),
            "rate_text": subsidies.percent(claim.policy.rate),
            "fee_sum": sum((line.fee for line in lines), subsidies.ZERO),
            "lines": lines,
            "may_decide": bureau and claim.status == ClaimStatus.SUBMITTED,
            "reduced": claim.approved_amount is not None and claim.approved_amount < claim.amount,
        },
    )


@login_required
@refuses
def subsidy_payments(request, year: int):
    fmt = request.GET.get("export", "xlsx")
    if fmt not in EXPORT_FORMATS:
        fmt = "xlsx"
    rows = subsidies.payment_rows(request.user, year)
    name = _("%(year)s年度先用后补补贴拨付清单") % {"year": year}
    return export_response(subsidies.payment_headers(), rows, name, fmt, _("拨付清单"))
