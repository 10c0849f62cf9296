"""研发投入后补助: schemes, their rules in a sentence, the computed lines with the working shown,
approval, and the payment list. Every change goes through the services."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.decorators import http_errors
from core.exceptions import ServiceError
from core.exports import EXPORT_FORMATS, export_response
from core.views import paginate
from cultivation.choices import SchemeStatus, SubsidyBasis, Tier
from cultivation.forms import SubsidySchemeForm
from cultivation.models import SubsidyScheme
from cultivation.services import subsidies
from cultivation.templatetags.yuan import wan
from cultivation.views.pools import page, require

PERM = "cultivation.manage_subsidies"


def rule_sentence(scheme: SubsidyScheme) -> str:
    """E.g. 按2025年度研发费用较2024年度增量的10%补助，单户最高50万元，研发费用低于100万元的
    不予补助，总额2000万元（超出时按比例核减）；适用于：科技型中小企业。"""
    rate = f"{scheme.rate.normalize():f}"
    if scheme.basis == SubsidyBasis.INCREMENT:
        text = _("按%(year)d年度研发费用较%(prev)d年度增量的%(rate)s%%补助") % {
            "year": scheme.year,
            "prev": scheme.year - 1,
            "rate": rate,
        }
    else:
        text = _("按%(year)d年度研发费用的%(rate)s%%补助") % {"year": scheme.year, "rate": rate}
    text += _("，单户最高%(cap)s") % {"cap": wan(scheme.cap)}
    if scheme.min_rd_expense:
        text += _("，研发费用低于%(min)s的不予补助") % {"min": wan(scheme.min_rd_expense)}
    if scheme.budget:
        text += _("，总额%(budget)s（超出时按比例核减）") % {"budget": wan(scheme.budget)}
    else:
        text += _("，不设总额")
    if scheme.tiers:
        labels = "、".join(str(Tier(t).label) for t in scheme.tiers if t in Tier.values)
        text += _("；适用于%(year)d年末在库的%(tiers)s。") % {"year": scheme.year, "tiers": labels}
    else:
        text += _("；所有报送了该年度研发费用的企业均参与测算。")
    return text


@login_required
def scheme_list(request):
    require(request, PERM)
    with http_errors():
        schemes = (
            subsidies.schemes_for(request.user)
            .annotate(
                paid=Count("lines", filter=Q(lines__amount__gt=0)),
                total=Sum("lines__amount"),
            )
            .order_by("-year", "-pk")  # aggregation drops Meta.ordering
        )
    paged, query = paginate(request, schemes)
    return page(
        request,
        "cultivation/subsidy_list.html",
        {"page": paged, "query": query},
        section="subsidies",
    )


def _save(request, scheme: SubsidyScheme | None):
    initial = {}
    if scheme is None:
        initial = {"year": timezone.localdate().year - 1, "basis": SubsidyBasis.INCREMENT}
    form = SubsidySchemeForm(request.POST or None, instance=scheme, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.fields}
        try:
            if scheme is None:
                scheme = subsidies.create_scheme(request.user, data)
                messages.success(
                    request, _("补助“%(title)s”已创建，请测算补助金额。") % {"title": scheme}
                )
            else:
                scheme = subsidies.update_scheme(request.user, scheme, data)
                messages.success(
                    request,
                    _("补助“%(title)s”已保存，原测算结果已清除，请重新测算。") % {"title": scheme},
                )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("cultivation_subsidy", pk=scheme.pk)
    return page(
        request,
        "cultivation/subsidy_form.html",
        {"form": form, "scheme": scheme},
        section="subsidies",
    )


@login_required
def scheme_create(request):
    require(request, PERM)
    return _save(request, None)


def _get(request, pk: int) -> SubsidyScheme:
    require(request, PERM)
    with http_errors():
        return subsidies.get_scheme(request.user, pk)


@login_required
def scheme_edit(request, pk: int):
    scheme = _get(request, pk)
    if scheme.status != SchemeStatus.DRAFT:
        messages.error(request, _("补助已审定，不能再修改。"))
        return redirect("cultivation_subsidy", pk=scheme.pk)
    return _save(request, scheme)


def _export(scheme: SubsidyScheme, fmt: str):
    if scheme.status == SchemeStatus.APPROVED:
        headers = [
            _("序号"),
            _("企业名称"),
            _("统一社会信用代码"),
            _("所在区域"),
            _("研发费用（元）"),
            _("补助基数（元）"),
            _("补助金额（元）"),
            _("计算过程"),
        ]
        rows = subsidies.payment_rows(scheme)
        name = _("%(title)s拨付名单") % {"title": scheme.title}
        return export_response(headers, rows, name, fmt, _("拨付名单"))
    headers = [
        _("序号"),
        _("企业名称"),
        _("统一社会信用代码"),
        _("所在区域"),
        _("研发费用（元）"),
        _("上年研发费用（元）"),
        _("补助基数（元）"),
        _("按比例测算（元）"),
        _("补助金额（元）"),
        _("计算过程"),
    ]
    lines = scheme.lines.select_related("organisation__region").order_by(
        "-amount", "organisation__name"
    )
    rows = (
        (
            n,
            line.organisation.name,
            line.organisation.uscc,
            line.organisation.region.name,
            line.rd_expense,
            line.previous_rd_expense if line.previous_rd_expense is not None else "",
            line.base,
            line.computed,
            line.amount,
            line.working,
        )
        for n, line in enumerate(lines.iterator(chunk_size=2000), 1)
    )
    name = _("%(title)s测算表（未审定）") % {"title": scheme.title}
    return export_response(headers, rows, name, fmt, _("测算表"))


@login_required
def scheme_detail(request, pk: int):
    scheme = _get(request, pk)
    fmt = request.GET.get("export")
    if fmt in EXPORT_FORMATS:
        return _export(scheme, fmt)
    lines = scheme.lines.select_related("organisation__region").order_by(
        "-amount", "organisation__name"
    )
    paged, query = paginate(request, lines)
    summary = subsidies.summary_of(scheme)
    capped = scheme.lines.filter(computed__gt=scheme.cap).count()
    # Before any scaling to the budget each line is its computed amount up to the cap.
    uncapped = scheme.lines.filter(computed__lte=scheme.cap).aggregate(t=Sum("computed"))["t"]
    before_budget = (uncapped or Decimal(0)) + capped * scheme.cap
    over_budget = scheme.budget is not None and before_budget > scheme.budget
    return page(
        request,
        "cultivation/subsidy_detail.html",
        {
            "scheme": scheme,
            "sentence": rule_sentence(scheme),
            "summary": summary,
            "capped": capped,
            "over_budget": over_budget,
            "before_budget": before_budget,
            "page": paged,
            "query": query,
            "is_draft": scheme.status == SchemeStatus.DRAFT,
        },
        section="subsidies",
    )


@login_required
@require_POST
def scheme_compute(request, pk: int):
    scheme = _get(request, pk)
    try:
        summary = subsidies.compute(request.user, scheme)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        text = _("测算完成：%(n)d 户参与测算，%(paid)d 户获得补助，合计 %(total)s 元。") % {
            "n": summary["lines"],
            "paid": summary["paid"],
            "total": f"{summary['total']:,.2f}",
        }
        if summary.get("barred"):
            text += _("另有 %(b)d 户因科研失信记录限制申报科技计划项目，不予补助。") % {
                "b": summary["barred"]
            }
        messages.success(request, text)
    return redirect("cultivation_subsidy", pk=scheme.pk)


@login_required
@require_POST
def scheme_approve(request, pk: int):
    scheme = _get(request, pk)
    try:
        subsidies.approve(request.user, scheme)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("补助已审定，可导出拨付名单。"))
    return redirect("cultivation_subsidy", pk=scheme.pk)
