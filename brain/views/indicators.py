"""科创大脑 pages of indicators, targets and values: 目标监测 (progress toward the plan's targets
with the early warning), the catalog, one indicator's definition, values by region and period
with every revision and the province/nation comparison, value entry, snapshots and import.

Leaders and the bureau read everything; district admins read the city and their own district
and enter their own district's values; everyone else is refused. The rules are in the services.
"""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brain.choices import Method
from brain.forms import ValueForm
from brain.models import Indicator
from brain.services import catalog, comparisons, imports, targets, values
from brain.services import computed as computers
from brain.services.navigation import section_tabs
from brain.services.periods import format_hint
from core import permissions
from core.decorators import refuses
from core.exceptions import ServiceError
from core.exports import EXPORT_FORMATS, export_response
from core.services.imports import ImportRejected
from core.views import import_page_job, paginate

PERIODS_SHOWN = 8  # latest periods in the values table; the export has them all


def page(request, template: str, context: dict, tab: str = "", status: int = 200):
    context = {**context, "brain_tabs": section_tabs(request.user, tab)}
    return render(request, template, context, status=status)


def _add_errors(form, exc: Exception) -> None:
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    elif isinstance(exc, ValidationError):
        form.add_error(None, exc.messages)
    else:
        form.add_error(None, exc.message)


@login_required
@refuses
def home(request):
    """科创大脑's entry: the dashboard where it exists, else 目标监测."""
    values.require_view(request.user)
    try:
        return redirect(reverse("brain_dashboard"))
    except NoReverseMatch:
        return redirect("brain_targets")


# -- 目标监测 -----------------------------------------------------------------------------------


@login_required
@refuses
def target_overview(request):
    sort = "warning" if request.GET.get("sort") == "warning" else "catalog"
    view = "table" if request.GET.get("view") == "table" else "cards"
    rows = targets.overview(request.user, sort)
    fmt = request.GET.get("export")
    if fmt in EXPORT_FORMATS:
        return export_response(
            targets.export_headers(),
            targets.export_rows(rows),
            _("科创大脑目标监测"),
            fmt,
            _("目标监测"),
        )
    return page(
        request,
        "brain/targets.html",
        {
            "rows": rows,
            "counts": targets.counts(rows),
            "sort": sort,
            "view": view,
            "catalog_empty": not Indicator.objects.exists(),
            "may_manage": permissions.can(request.user, "brain.manage_catalog"),
        },
        "targets",
    )


# -- catalog --------------------------------------------------------------------------------


@login_required
@refuses
def catalog_list(request):
    values.require_view(request.user)
    may_manage = permissions.can(request.user, "brain.manage_catalog")
    indicators = Indicator.objects.all() if may_manage else Indicator.objects.filter(active=True)
    return page(
        request,
        "brain/catalog.html",
        {"indicators": indicators, "may_manage": may_manage},
        "catalog",
    )


@login_required
@require_POST
@refuses
def catalog_load(request):
    try:
        counts = catalog.load_catalog(request.user)
    except ImportRejected as exc:
        messages.error(request, exc.message)
        for error in getattr(exc, "errors", [])[:20]:
            messages.error(request, error)
    else:
        messages.success(request, catalog.summary(counts))
    return redirect("brain_catalog")


# -- one indicator -----------------------------------------------------------------------------


def _value_columns(table, show_all: bool):
    periods = sorted(table)
    return periods if show_all else periods[-PERIODS_SHOWN:]


def _export_values(indicator, regions, history):
    headers = [
        _("指标代码"),
        _("指标名称"),
        _("区域代码"),
        _("区域"),
        _("期别"),
        _("数值"),
        _("计量单位"),
        _("修订次数"),
        _("现行值"),
        _("说明"),
        _("填报人"),
        _("填报时间"),
    ]
    rows = (
        (
            indicator.code,
            indicator.name,
            v.region.code,
            v.region.name,
            v.period,
            float(v.value),
            indicator.unit,
            v.revision,
            _("是") if v.is_current else _("否"),
            v.note,
            str(v.entered_by),
            v.entered_at.astimezone().strftime("%Y-%m-%d %H:%M"),
        )
        for v in history.order_by("period", "region__sort_order", "revision")
    )
    return headers, rows


@login_required
@refuses
def indicator_detail(request, code: str):
    user = request.user
    regions = values.visible_regions(user)
    indicator = values.get_indicator(code)
    if not indicator.active and not permissions.can(user, "brain.manage_catalog"):
        raise PermissionDenied(_("该指标已停用。"))
    table = values.table(indicator, regions)
    computed = indicator.method == Method.COMPUTED and bool(indicator.computer)
    live_period = values.current_period(indicator) if computed else None
    live = values.live_values(indicator, live_period) if computed else {}
    show_all = request.GET.get("periods") == "all"
    periods = _value_columns(table, show_all)
    grid = [
        (
            region,
            [(period, table.get(period, {}).get(region.code)) for period in periods],
            live.get(region.code),
        )
        for region in regions
    ]
    # One cell's revisions (?region=…&period=…), or the indicator's latest entries.
    region_code = request.GET.get("region", "")
    chosen = next((r for r in regions if r.code == region_code), None)
    period = request.GET.get("period", "").strip()[:10]
    history = values.history(indicator, regions, chosen, period)
    fmt = request.GET.get("export")
    if fmt in EXPORT_FORMATS:
        headers, rows = _export_values(indicator, regions, values.history(indicator, regions))
        return export_response(headers, rows, f"{indicator.name}{_('数值')}", fmt, _("指标数值"))
    history_page, query = paginate(request, history, 20)
    form = None
    if values.may_enter(user) and indicator.active:
        form = ValueForm(user=user, indicator=indicator)
    return page(
        request,
        "brain/indicator_detail.html",
        {
            "indicator": indicator,
            "target": targets.target_row(indicator),
            "periods": periods,
            "more_periods": not show_all and len(table) > PERIODS_SHOWN,
            "grid": grid,
            "live_period": live_period,
            "history": history_page,
            "history_query": query,
            "history_region": chosen,
            "history_period": period,
            "comparison": comparisons.comparison_table(indicator),
            "form": form,
            "period_hint": format_hint(indicator.frequency),
            "computer_label": computed_label(indicator),
            "may_snapshot": computed and permissions.can(user, "brain.manage_catalog"),
            "district_only": len(regions) <= 2,
        },
        "catalog",
    )


def computed_label(indicator) -> str:
    if indicator.computer in computers.COMPUTERS:
        return str(computers.COMPUTERS[indicator.computer].label)
    return indicator.computer


@login_required
@require_POST
@refuses
def indicator_snapshot(request, code: str):
    indicator = values.get_indicator(code)
    try:
        counts = values.snapshot(request.user, indicator, request.POST.get("period") or None)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except ServiceError as exc:
        if exc.status == 403:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("已保存平台数据快照：%(s)d 个区域的数值更新，%(u)d 个与已保存的相同。")
            % {"s": counts["saved"], "u": counts["unchanged"]},
        )
    return redirect("brain_indicator", code=indicator.code)


# -- entering values --------------------------------------------------------------------------


@login_required
@refuses
def value_enter(request):
    user = request.user
    if not values.may_enter(user):
        raise PermissionDenied(_("只有市科技局和区县管理员可以填报指标数值。"))
    code = request.POST.get("indicator") or request.GET.get("indicator") or ""
    indicator = Indicator.objects.filter(code=code, active=True).first()
    form = ValueForm(request.POST or None, user=user, indicator=indicator)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = values.enter_value(
                user, data["indicator"], data["region"], data["period"], data["value"], data["note"]
            )
        except (ValidationError, ServiceError) as exc:
            if getattr(exc, "status", 400) == 403:
                raise
            _add_errors(form, exc)
        else:
            if saved.revision:
                text = _("已修订 %(r)s %(p)s 的数值为 %(v)s（第 %(n)d 次修订），原值已保留。")
            else:
                text = _("已保存 %(r)s %(p)s 的数值 %(v)s。")
            messages.success(
                request,
                text
                % {
                    "r": saved.region.name,
                    "p": saved.period,
                    "v": values.display(saved.indicator, saved.value),
                    "n": saved.revision,
                },
            )
            return redirect(
                f"{reverse('brain_indicator', args=[saved.indicator.code])}"
                f"?region={saved.region.code}&period={saved.period}#history"
            )
    return page(
        request,
        "brain/value_form.html",
        {
            "form": form,
            "indicator": indicator,
            "hint": format_hint(indicator.frequency) if indicator else "",
            "hints": [format_hint(f) for f in ("year", "quarter", "month")],
            "import_url": reverse("brain_import"),
        },
        "import",
        status=400 if request.method == "POST" else 200,
    )


# -- import -----------------------------------------------------------------------------------


@login_required
@refuses
def value_import(request):
    user = request.user
    if not permissions.can(user, "brain.enter_value"):
        raise PermissionDenied(_("只有市科技局和区县管理员可以导入指标数值。"))
    done, job = import_page_job(
        request, "brain.import_values", _("导入指标数值：%(name)s"), reverse("brain_import")
    )
    if done is not None:
        return done
    return page(
        request,
        "brain/import.html",
        {
            "job": job,
            "is_bureau": permissions.can(user, "brain.manage_catalog"),
            "regions": values.enterable_regions(user),
            "indicators": Indicator.objects.filter(active=True),
        },
        "import",
    )


@login_required
def import_template(request):
    if not permissions.can(request.user, "brain.enter_value"):
        raise PermissionDenied(_("只有市科技局和区县管理员可以导入指标数值。"))
    response = HttpResponse(
        imports.template_workbook(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    filename = quote(_("指标数值导入模板"))
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}.xlsx"
    return response
