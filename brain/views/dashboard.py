"""The 科创大脑 dashboard: the district map, the trend against the plan, the ranking and the
transfer funnel, each with a table of the same numbers. Leaders, the bureau and district admins
(the city's totals and their own district) may look."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from brain.models import Indicator, IndicatorValue
from brain.services import charts
from brain.services.navigation import section_tabs, tab
from brain.services.values import require_view
from core.decorators import refuses

tab("dashboard", gettext_lazy("监测看板"), "brain_dashboard", order=5)


def choose(query) -> tuple[list[Indicator], Indicator | None, list[str], str | None]:
    """The indicators, the chosen one (default: the first with values), its periods with
    values (newest first) and the chosen period (default: the newest)."""
    indicators = charts.indicators()
    code = query.get("indicator")
    indicator = next((i for i in indicators if i.code == code), None)
    if indicator is None and indicators:
        with_values = set(
            IndicatorValue.objects.filter(is_current=True)
            .values_list("indicator_id", flat=True)
            .distinct()
        )
        indicator = next((i for i in indicators if i.pk in with_values), indicators[0])
    periods = charts.periods(indicator) if indicator else []
    period = query.get("period")
    if period not in periods:
        period = periods[0] if periods else None
    return indicators, indicator, periods, period


def labels() -> dict[str, str]:
    """Words the page's script puts into the charts (translated here, not in the script)."""
    return {
        "noData": _("暂无数据"),
        "noFunnel": _("所选范围内还没有发布的成果或转化记录。"),
        "hidden": _("不在查看范围"),
        "high": _("高"),
        "low": _("低"),
        "mapMissing": _("地图数据未安装（运行 make setup），数值见下方表格。"),
        "chartsMissing": _("图表组件未安装（运行 make setup），数值见各图下方表格。"),
    }


@login_required
@refuses
def dashboard(request):
    require_view(request.user)
    indicators, indicator, periods, period = choose(request.GET)
    data = charts.dashboard(request.user, indicator, period)
    data["labels"] = labels()
    return render(
        request,
        "brain/dashboard.html",
        {
            "indicators": indicators,
            "indicator": indicator,
            "periods": periods,
            "period": period,
            "charts": data,
            "scope": data["scope"],
            "map": data.get("map"),
            "ranking": data.get("ranking"),
            "trend": data.get("trend"),
            "funnel": data["funnel"],
            "brain_tabs": section_tabs(request.user, "dashboard"),
        },
    )
