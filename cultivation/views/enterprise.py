"""An enterprise's 培育档案: its yearly figures and standing facts, their change history, the
self-assessments made from them (with a PDF), and the import of figures. Every change goes
through the services, which also decide who may do what; the views ask `permissions.can` only
to choose which buttons to show."""

from __future__ import annotations

import datetime
from decimal import Decimal
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Max, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import permissions
from core.choices import OrgType
from core.decorators import refuses
from core.exceptions import NotAllowed, NotFound, ServiceError
from core.exports import EXPORT_FORMATS, export_response
from core.models import AuditEntry, Organisation
from core.services.audit import field_label
from core.views import import_page_job, paginate
from cultivation.forms import FIGURE_FIELDS, PROFILE_FIELDS, AssessForm, FiguresForm, ProfileForm
from cultivation.models import Assessment, EnterpriseProfile, EnterpriseYear
from cultivation.permissions import acts_for_enterprise
from cultivation.services import assessment, figures, pools
from cultivation.services.imports import columns as import_columns
from cultivation.services.imports import template_workbook

RECENT_ASSESSMENTS = 10

# The yearly figures in the groups the form and the table show them in.
FIGURE_GROUPS: list[tuple[str, list[str]]] = [
    (
        gettext_lazy("收入与成本"),
        ["revenue", "main_revenue", "total_cost", "total_income", "hightech_income", "net_profit"],
    ),
    (gettext_lazy("研发费用"), ["rd_expense", "rd_expense_hte", "rd_expense_hte_domestic"]),
    (gettext_lazy("资产"), ["total_assets", "total_liabilities", "net_assets", "equity_raised"]),
    (gettext_lazy("人员"), ["staff", "tech_staff", "rd_staff"]),
    (
        gettext_lazy("知识产权与成果转化"),
        [
            "ip_class1",
            "ip_class1_own",
            "ip_class1_high_value",
            "ip_class2",
            "ip_own",
            "ip_class1_main",
            "invention_patents_main",
            "conversions",
        ],
    ),
]
PROFILE_GROUPS: list[tuple[str, list[str]]] = [
    (
        gettext_lazy("登记与财务核算"),
        ["founded", "resident", "audited_tax", "rd_accounting", "hte_field", "hte_certified_on"],
    ),
    (
        gettext_lazy("合规情况"),
        [
            "restricted_industry",
            "rd_negative_list",
            "major_incident",
            "blacklisted",
            "serious_fraud",
        ],
    ),
    (
        gettext_lazy("创新能力与荣誉"),
        [
            "rd_institution",
            "tech_innovation_demo",
            "ip_demo",
            "strategic_emerging",
            "it_core_business",
            "quality_certified",
            "own_brand",
            "digital_level",
            "quality_items",
            "listing_standard",
        ],
    ),
    (
        gettext_lazy("专精特新"),
        ["product_role", "niche_years", "niche_market_share"],
    ),
]
# The ladder's order for the rule-set cards; rule sets not named here follow in the book's order.
RULESET_ORDER = [
    "sme_tech",
    "innovative_sme",
    "hte",
    "specialised_sme",
    "little_giant",
    "star_market",
]
VERDICT_CLASSES = {
    "eligible": "status-published",
    "not_eligible": "status-returned",
    "needs_review": "status-submitted",
    "incomplete": "status-draft",
}
STAT_CLASSES = {
    "eligible": "verdict-passed",
    "not_eligible": "verdict-failed",
    "needs_review": "verdict-concluded",
    "incomplete": "verdict-concluded",
}
CRITERION_CLASSES = {
    "passed": "status-published",
    "failed": "status-returned",
    "review": "status-submitted",
    "missing": "status-submitted",
    "not_applicable": "status-draft",
}
# Inputs of the rule engine that are not fields of the two models.
EXTRA_INPUT_LABELS = {
    "research_misconduct": gettext_lazy("科研严重失信行为"),
    "year": gettext_lazy("最近会计年度"),
    "standards": gettext_lazy("参与编制的国家标准、行业标准数"),
}


def _organisation(pk: int) -> Organisation:
    return get_object_or_404(Organisation.objects.select_related("region"), pk=pk)


def _grouped(all_fields: list[str], groups: list[tuple[str, list[str]]]):
    """The groups, and any field no group names in a last group, so none is ever left out."""
    named = {name for _label, names in groups for name in names}
    rest = [name for name in all_fields if name not in named]
    return groups + ([(gettext_lazy("其他"), rest)] if rest else [])


def _model_field(model, name: str):
    return model._meta.get_field(name)


def _is_amount(name: str) -> bool:
    return _model_field(EnterpriseYear, name).get_internal_type() == "DecimalField"


def format_figure(name: str, value) -> str:
    """A yearly figure as the table shows it: amounts in 万元 with 2 decimals, counts whole."""
    if value is None:
        return "—"
    if _is_amount(name):
        return f"{Decimal(value) / 10000:,.2f}"
    return f"{int(value):,}"


def format_fact(profile: EnterpriseProfile, name: str) -> str:
    field = _model_field(EnterpriseProfile, name)
    value = getattr(profile, name)
    if value in (None, ""):
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if field.choices:
        return str(getattr(profile, f"get_{name}_display")())
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


def input_label(name: str) -> str:
    for model in (EnterpriseYear, EnterpriseProfile):
        try:
            return str(model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            continue
    return str(EXTRA_INPUT_LABELS.get(name, name))


def figures_table(years: list[EnterpriseYear]):
    """Rows of the figures table: a group heading, then one row per figure with a cell a year."""
    rows = []
    for label, names in _grouped(FIGURE_FIELDS, FIGURE_GROUPS):
        rows.append({"group": label})
        for name in names:
            field = _model_field(EnterpriseYear, name)
            rows.append(
                {
                    "label": field.verbose_name,
                    "unit": _("万元") if _is_amount(name) else "",
                    "cells": [format_figure(name, getattr(y, name)) for y in years],
                }
            )
    return rows


def _verdict(status: str) -> dict:
    return {
        "status": status,
        "label": assessment.STATUS_LABELS.get(status, status),
        "css": VERDICT_CLASSES.get(status, ""),
        "stat_css": STAT_CLASSES.get(status, ""),
    }


def _score_text(a: Assessment) -> str:
    if a.score is not None:
        return _("%(s)s 分") % {"s": f"{float(a.score):g}"}
    low, high = a.result.get("score_range") or (None, None)
    if low is None:
        return ""
    if low == high:
        return _("%(s)s 分") % {"s": f"{low:g}"}
    return _("%(low)s–%(high)s 分") % {"low": f"{low:g}", "high": f"{high:g}"}


def _with_verdicts(items):
    for a in items:
        a.verdict = _verdict(a.status)
        a.score_text = _score_text(a)
    return items


# -- pages ------------------------------------------------------------------------------------


@login_required
def home(request):
    """The bureau and district admins search enterprises; an enterprise goes to its own page."""
    user = request.user
    admin = permissions.can(user, "cultivation.view_pools")
    if not admin:
        if acts_for_enterprise(user):
            return redirect("cultivation_enterprise", org=user.current_membership.organisation_id)
        raise PermissionDenied(_("资格自评只对企业用户和科技管理部门开放。"))
    q = request.GET.get("q", "").strip()[:120]
    # The bureau reads every enterprise; a district admin those of their district (the rule of
    # `cultivation.view_figures`, as a filter).
    whole_city = permissions.can(user, "cultivation.manage_pools")
    region = None if whole_city else user.current_membership.region
    page = query = None
    if q:
        qs = Organisation.objects.filter(type=OrgType.ENTERPRISE).select_related("region")
        if not whole_city:
            qs = qs.filter(region_id=user.current_membership.region_id)
        qs = qs.filter(Q(name__icontains=q) | Q(uscc__icontains=q.upper()))
        qs = qs.annotate(latest_year=Max("yearly_figures__year")).order_by("name")
        page, query = paginate(request, qs)
    return render(
        request,
        "cultivation/enterprise_search.html",
        {"q": q, "page": page, "query": query, "region": region},
    )


def _export_figures(org: Organisation, years: list[EnterpriseYear]):
    """The figures in the import template's columns, so the file can be changed and imported."""
    cols = import_columns()
    rows = []
    for y in sorted(years, key=lambda y: y.year):
        row = []
        for col in cols:
            if col.name == "organisation":
                row.append(org.uscc)
            else:
                value = getattr(y, col.name)
                row.append(float(value) if isinstance(value, Decimal) else value)
        rows.append(row)
    title = _("%(org)s 年度数据") % {"org": org.name}
    return [c.header for c in cols], rows, title


@login_required
@refuses
def enterprise(request, org: int):
    org = _organisation(org)
    user = request.user
    figures.require_view(user, org)
    years = list(figures.years_of(org))  # newest first, as 本期 before 上期 in a statement
    fmt = request.GET.get("export")
    if fmt in EXPORT_FORMATS:
        headers, rows, title = _export_figures(org, years)
        return export_response(headers, rows, title, fmt, _("企业年度数据"))
    profile = figures.profile_of(org)
    today = timezone.localdate()
    can_assess = permissions.can(user, "cultivation.self_assess")
    found = assessment.rulesets_in_force(today)
    order = {name: i for i, name in enumerate(RULESET_ORDER)}
    found.sort(key=lambda r: order.get(r.name, len(order)))
    cards = []
    for ruleset in found:
        latest = assessment.assessments_of(user, org, ruleset.name).first()
        if latest is not None:
            _with_verdicts([latest])
        cards.append({"ruleset": ruleset, "latest": latest})
    recent = _with_verdicts(
        list(assessment.assessments_of(user, org).select_related("created_by")[:RECENT_ASSESSMENTS])
    )
    facts = [
        (
            label,
            [
                (_model_field(EnterpriseProfile, n).verbose_name, format_fact(profile, n))
                for n in names
            ],
        )
        for label, names in _grouped(PROFILE_FIELDS, PROFILE_GROUPS)
    ]
    return render(
        request,
        "cultivation/enterprise_detail.html",
        {
            "org": org,
            "years": years,
            "rows": figures_table(years),
            "profile": profile,
            "facts": facts,
            "facts_filled": sum(1 for n in PROFILE_FIELDS if getattr(profile, n) not in (None, "")),
            "facts_total": len(PROFILE_FIELDS),
            "cards": cards,
            "recent": recent,
            "stays": pools.history_of(org),
            "today": today,
            "can_change": permissions.can(user, "cultivation.change_figures", org),
            "can_assess": can_assess,
            "is_admin": permissions.can(user, "cultivation.view_pools"),
        },
    )


def _fieldsets(form, groups):
    names = [n for n in form.fields if n != "year"]
    return [
        (label, [form[n] for n in fields if n in form.fields])
        for label, fields in _grouped(names, groups)
    ]


def _apply_validation_error(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _save_year(request, org: Organisation, instance: EnterpriseYear | None):
    figures.require_change(request.user, org)
    form = FiguresForm(request.POST or None, instance=instance, organisation=org)
    if request.method == "POST" and form.is_valid():
        try:
            saved = figures.save_year(request.user, org, form.cleaned_data)
        except ValidationError as exc:
            _apply_validation_error(form, exc)
        except NotAllowed:
            raise
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("%(year)d年度数据已保存。") % {"year": saved.year})
            return redirect("cultivation_enterprise", org=org.pk)
    return render(
        request,
        "cultivation/year_form.html",
        {
            "org": org,
            "form": form,
            "figures": instance,
            "fieldsets": _fieldsets(form, FIGURE_GROUPS),
        },
    )


@login_required
@refuses
def year_create(request, org: int):
    org = _organisation(org)
    return _save_year(request, org, None)


@login_required
@refuses
def year_edit(request, org: int, year: int):
    org = _organisation(org)
    figures.require_change(request.user, org)
    instance = get_object_or_404(EnterpriseYear, organisation=org, year=year)
    return _save_year(request, org, instance)


@login_required
@refuses
def profile_edit(request, org: int):
    org = _organisation(org)
    figures.require_change(request.user, org)
    form = ProfileForm(request.POST or None, instance=figures.profile_of(org))
    if request.method == "POST" and form.is_valid():
        try:
            figures.save_profile(request.user, org, form.cleaned_data)
        except ValidationError as exc:
            _apply_validation_error(form, exc)
        except NotAllowed:
            raise
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("企业基本情况已保存。"))
            return redirect("cultivation_enterprise", org=org.pk)
    return render(
        request,
        "cultivation/profile_form.html",
        {"org": org, "form": form, "fieldsets": _fieldsets(form, PROFILE_GROUPS)},
    )


HIDDEN_CHANGES = {"organisation", "updated_by"}


def _history_value(model, name: str, value):
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return _("是") if value else _("否")
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:  # a name the model no longer has
        return value
    if field.get_internal_type() == "DecimalField" and model is EnterpriseYear:
        try:
            return _("%(v)s 元") % {"v": f"{Decimal(str(value)):,.2f}"}
        except ArithmeticError:
            return value
    return value


@login_required
@refuses
def history(request, org: int):
    org = _organisation(org)
    figures.require_view(request.user, org)
    year_ids = [
        str(pk)
        for pk in EnterpriseYear.objects.filter(organisation=org).values_list("pk", flat=True)
    ]
    profile_ids = [
        str(pk)
        for pk in EnterpriseProfile.objects.filter(organisation=org).values_list("pk", flat=True)
    ]
    year_type = ContentType.objects.get_for_model(EnterpriseYear)
    profile_type = ContentType.objects.get_for_model(EnterpriseProfile)
    entries = AuditEntry.objects.filter(
        Q(content_type=year_type, object_id__in=year_ids)
        | Q(content_type=profile_type, object_id__in=profile_ids)
    ).select_related("content_type")
    page, query = paginate(request, entries)
    for entry in page:
        model = entry.content_type.model_class()
        entry.rows = [
            (
                field_label(entry, name),
                _history_value(model, name, old),
                _history_value(model, name, new),
            )
            for name, (old, new) in sorted(
                entry.changes.items(), key=lambda kv: _field_position(model, kv[0])
            )
            if name not in HIDDEN_CHANGES
        ]
    return render(request, "cultivation/history.html", {"org": org, "page": page, "query": query})


def _field_position(model, name: str) -> int:
    names = [f.name for f in model._meta.concrete_fields]
    return names.index(name) if name in names else len(names)


@login_required
@refuses
def assess(request, org: int, ruleset: str):
    org = _organisation(org)
    user = request.user
    permissions.require(user, "cultivation.self_assess", message=_("您无权进行资格自评。"))
    figures.require_view(user, org)
    today = timezone.localdate()
    form = AssessForm(request.POST or None, initial={"on": today})
    if request.method == "POST" and form.is_valid():
        try:
            a = assessment.assess_enterprise(user, org, ruleset, form.cleaned_data["on"])
        except (NotAllowed, NotFound):
            raise
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("cultivation_assessment", pk=a.pk)
    try:
        rules = assessment.ruleset_in_force(ruleset, today)  # NotFound: no such rule set
    except NotFound:
        raise
    except ServiceError:
        rules = None  # no version in force today; the date chosen may still have one
    return render(
        request,
        "cultivation/assessment_form.html",
        {"org": org, "form": form, "rules": rules, "name": ruleset, "today": today},
    )


def _detail_context(user, a: Assessment) -> dict:
    rows = assessment.criteria_rows(a)
    for row in rows:
        row["css"] = CRITERION_CLASSES.get(row["status"], "")
        row["missing_labels"] = [input_label(n) for n in row.get("missing") or []]
    return {
        "a": a,
        "org": a.organisation,
        "verdict": _verdict(a.status),
        "score_text": _score_text(a),
        "routes": a.result.get("routes") or [],
        "rows": rows,
        "gaps": a.result.get("gaps") or [],
        "has_review": any(r["status"] == "review" for r in rows),
        "has_unconfirmed": any(not r.get("confirmed", True) for r in rows),
        "can_assess": permissions.can(user, "cultivation.self_assess"),
    }


@login_required
@refuses
def assessment_detail(request, pk: int):
    a = assessment.get_assessment(request.user, pk)
    return render(request, "cultivation/assessment_detail.html", _detail_context(request.user, a))


@login_required
@refuses
def assessment_pdf(request, pk: int):
    from programs.services.pdf import render_pdf

    a = assessment.get_assessment(request.user, pk)
    context = {**_detail_context(request.user, a), "printed": timezone.localtime()}
    pdf = render_pdf(render_to_string("cultivation/assessment_pdf.html", context, request))
    filename = quote(
        _("%(org)s-%(title)s-%(on)s.pdf")
        % {"org": a.organisation.name, "title": a.title, "on": a.on.isoformat()}
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{filename}"
    return response


@login_required
def figures_import(request):
    if not permissions.can(request.user, "cultivation.self_assess"):
        raise PermissionDenied(_("您无权导入企业年度数据。"))
    done, job = import_page_job(
        request,
        "cultivation.import",
        _("导入企业年度数据：%(name)s"),
        reverse("cultivation_import"),
    )
    if done is not None:
        return done
    membership = request.user.current_membership
    own = membership.organisation if acts_for_enterprise(request.user) else None
    return render(
        request,
        "cultivation/import.html",
        {
            "job": job,
            "own": own,
            "is_bureau": permissions.can(request.user, "cultivation.manage_pools"),
        },
    )


@login_required
def import_template(request):
    if not permissions.can(request.user, "cultivation.self_assess"):
        raise PermissionDenied(_("您无权导入企业年度数据。"))
    response = HttpResponse(
        template_workbook(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    filename = quote(_("企业年度数据导入模板"))
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}.xlsx"
    return response
