"""The 科创大脑 dashboard's figures as plain data: one dict per chart, the same numbers for the
chart, its table view and the API.

- `map_chart`: every unit of the city (districts, counties, county-level cities, development
  zones) with its current value of an indicator for a period. Only county-level units have
  polygons in the map data; development zones are listed, not drawn. Units without a value
  are listed as missing; units outside the viewer's reach (a district admin sees the city and
  their own district) are listed as not shown, never coloured.
- `ranking_chart`: the units with a value, best first (the indicator's direction).
- `trend_chart`: the city's values over the periods, the plan's path (the straight line from
  the baseline to the target, yearly indicators) and the province and nation from
  ComparisonValue when the indicator has a comparison key.
- `funnel_chart`: the transfer funnel by district (`transfer.services.statistics`).

Numbers go to JSON as floats rounded to the indicator's decimals and as display text.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from brain.choices import Direction, Frequency, Method
from brain.models import ComparisonValue, Indicator, IndicatorValue
from brain.services import values
from core.choices import RegionKind
from core.exceptions import NotAllowed
from core.models import Region

DRAWN_KINDS = (RegionKind.DISTRICT, RegionKind.COUNTY, RegionKind.COUNTY_CITY)
MAP_NAME = "长春"  # the map registered in the page (static vendor/charts/changchun.json)
# A comparison line this many times larger (or smaller) than the city's figures gets its own
# axis; a right-hand axis whose lines differ this much among themselves is logarithmic.
AXIS_SPREAD = 20
AREA_ORDER = ["吉林省", "吉林", "全国"]


# -- scope and units ------------------------------------------------------------------------


def scope_region(user) -> Region | None:
    """The one unit a district admin sees besides the city's totals; None: every unit
    (leaders, the bureau). `user` must hold brain.view."""
    visible = values.visible_regions(user)
    if len(visible) == len(values.all_regions()):
        return None
    own = [r for r in visible if r.kind != RegionKind.CITY]
    if not own:  # a district admin always has a region (a database constraint)
        raise NotAllowed(_("您的账号没有所属区域，无法查看区域数据。"))
    return own[0]


def visible_codes(user) -> set[str] | None:
    """The unit codes whose figures `user` sees; None: all."""
    region = scope_region(user)
    return None if region is None else {region.code}


def city_region() -> Region | None:
    return Region.objects.filter(kind=RegionKind.CITY).order_by("sort_order", "code").first()


def units() -> list[Region]:
    """The city's units in their reference order: districts, counties, cities, zones."""
    return [r for r in values.all_regions() if r.kind != RegionKind.CITY]


def indicators() -> list[Indicator]:
    return list(Indicator.objects.filter(active=True))


def periods(indicator: Indicator) -> list[str]:
    """Periods with a value in use of `indicator` (any region), newest first; a computed
    indicator also has the current period (its live figures)."""
    found = set(
        IndicatorValue.objects.filter(indicator=indicator, is_current=True)
        .values_list("period", flat=True)
        .distinct()
    )
    if indicator.method == Method.COMPUTED and indicator.computer:
        found.add(values.current_period(indicator).text)
    return sorted(found, reverse=True)


# -- values ---------------------------------------------------------------------------------


def current_values(indicator: Indicator, period: str) -> dict[str, Decimal]:
    """The value in use of each region for `period`, by region code (brain.services.values)."""
    return values.current_values(indicator.code, period)


def city_series(indicator: Indicator, city: Region | None) -> list[tuple[str, Decimal]]:
    if city is None:
        return []
    return values.series(indicator.code, city.code)


def _number(value: Decimal | None, decimals: int) -> float | None:
    if value is None:
        return None
    return float(round(Decimal(value), decimals))


def _text(value: Decimal | None, decimals: int) -> str:
    if value is None:
        return "—"
    return f"{Decimal(value):,.{decimals}f}"


def _indicator(indicator: Indicator) -> dict[str, Any]:
    return {
        "code": indicator.code,
        "name": indicator.name,
        "unit": indicator.unit,
        "decimals": indicator.decimals,
        "direction": indicator.direction,
        "source": indicator.source,
    }


# -- charts ---------------------------------------------------------------------------------


def map_chart(indicator: Indicator, period: str | None, visible: set[str] | None = None) -> dict:
    found = current_values(indicator, period) if period else {}
    rows = []
    for region in units():
        shown = visible is None or region.code in visible
        value = found.get(region.code) if shown else None
        rows.append(
            {
                "code": region.code,
                "name": region.name,
                "kind": region.kind,
                "kind_label": region.get_kind_display(),
                "drawn": region.kind in DRAWN_KINDS,
                "state": "hidden" if not shown else ("missing" if value is None else "value"),
                "value": _number(value, indicator.decimals),
                "text": _text(value, indicator.decimals),
            }
        )
    numbers = [r["value"] for r in rows if r["value"] is not None]
    city = city_region()
    city_value = found.get(city.code) if city else None
    return {
        "title": _("%(name)s 分区域分布") % {"name": indicator.name},
        "indicator": _indicator(indicator),
        "period": period,
        "map": MAP_NAME,
        "city": {
            "name": city.name if city else "",
            "value": _number(city_value, indicator.decimals),
            "text": _text(city_value, indicator.decimals),
        },
        "rows": rows,
        "drawn": [r for r in rows if r["drawn"]],
        "zones": [r for r in rows if not r["drawn"]],
        "missing": [r["name"] for r in rows if r["state"] == "missing"],
        "hidden": [r["name"] for r in rows if r["state"] == "hidden"],
        "min": min(numbers) if numbers else None,
        "max": max(numbers) if numbers else None,
        "source": _("%(source)s；平台指标值（现行值），期别 %(period)s")
        % {"source": indicator.source, "period": period or "—"},
    }


def ranking_chart(
    indicator: Indicator,
    period: str | None,
    visible: set[str] | None = None,
    rows: list[dict] | None = None,
) -> dict:
    """Units with a value, best first; ties keep the reference order. `rows`: the map chart's
    rows when already read."""
    if rows is None:
        rows = map_chart(indicator, period, visible)["rows"]
    shown = [dict(r) for r in rows if r["state"] == "value"]
    better_low = indicator.direction == Direction.LOWER
    shown.sort(key=lambda r: r["value"] if better_low else -r["value"])
    for rank, row in enumerate(shown, start=1):
        row["rank"] = rank
    return {
        "title": _("%(name)s 区域排名") % {"name": indicator.name},
        "indicator": _indicator(indicator),
        "period": period,
        "order": _("越低越好，数值小的在前") if better_low else _("越高越好，数值大的在前"),
        "rows": shown,
        "source": _("%(source)s；平台指标值（现行值），期别 %(period)s")
        % {"source": indicator.source, "period": period or "—"},
    }


def target_path(indicator: Indicator) -> dict[str, Decimal]:
    """The plan's straight line from the baseline to the target, one point a year."""
    by, bv = indicator.baseline_year, indicator.baseline_value
    ty, tv = indicator.target_year, indicator.target_value
    if ty is None or tv is None:
        return {}
    if by is None or bv is None or ty <= by:
        return {str(ty): Decimal(tv)}
    span = Decimal(ty - by)
    return {
        str(year): Decimal(bv) + (Decimal(tv) - Decimal(bv)) * Decimal(year - by) / span
        for year in range(by, ty + 1)
    }


def _area_key(area: str) -> tuple[int, str]:
    return (AREA_ORDER.index(area) if area in AREA_ORDER else len(AREA_ORDER), area)


def _spread(numbers: Iterable[Decimal]) -> Decimal | None:
    positive = [abs(v) for v in numbers if v]
    if not positive:
        return None
    return max(positive) / min(positive)


def trend_chart(indicator: Indicator) -> dict:
    city = city_region()
    decimals = indicator.decimals
    actual = dict(city_series(indicator, city))
    yearly = indicator.frequency == Frequency.YEAR
    path = target_path(indicator) if yearly else {}
    comparisons: dict[str, dict[str, ComparisonValue]] = {}
    if yearly and indicator.comparison_key:
        for c in ComparisonValue.objects.filter(key=indicator.comparison_key):
            comparisons.setdefault(c.area, {})[str(c.year)] = c
    categories = sorted(
        set(actual) | set(path) | {y for by_year in comparisons.values() for y in by_year}
    )

    own = [v for v in (*actual.values(), *path.values()) if v]
    own_top = max((abs(v) for v in own), default=None)
    series: list[dict[str, Any]] = [
        {
            "key": "city",
            "name": city.name if city else _("全市"),
            "kind": "actual",
            "unit": indicator.unit,
            "axis": 0,
            "values": [_number(actual.get(p), decimals) for p in categories],
            "texts": [_text(actual.get(p), decimals) for p in categories],
        }
    ]
    if path:
        series.append(
            {
                "key": "target",
                "name": _("规划目标路径"),
                "kind": "target",
                "unit": indicator.unit,
                "axis": 0,
                "values": [_number(path.get(p), decimals) for p in categories],
                "texts": [_text(path.get(p), decimals) for p in categories],
            }
        )
    right: list[Decimal] = []
    sources = [indicator.source]
    if indicator.target_note:
        sources.append(indicator.target_note)
    for area in sorted(comparisons, key=_area_key):
        by_year = comparisons[area]
        unit = next(iter(by_year.values())).unit
        top = max(abs(c.value) for c in by_year.values())
        same_axis = (
            unit == indicator.unit
            and own_top is not None
            and top
            and Decimal(1) / AXIS_SPREAD <= top / own_top <= AXIS_SPREAD
        )
        if not same_axis:
            right.extend(c.value for c in by_year.values())
        series.append(
            {
                "key": f"area:{area}",
                "name": area,
                "kind": "comparison",
                "unit": unit,
                "axis": 0 if same_axis else 1,
                "values": [
                    _number(by_year[p].value, decimals) if p in by_year else None
                    for p in categories
                ],
                "texts": [
                    _text(by_year[p].value, decimals) if p in by_year else "—" for p in categories
                ],
            }
        )
        for c in by_year.values():
            if c.source not in sources:
                sources.append(c.source)
    axes = [{"name": indicator.unit, "log": False}]
    if right:
        units_right = sorted({s["unit"] for s in series if s["axis"] == 1})
        spread = _spread(right)
        axes.append(
            {
                "name": _("%(unit)s（对比）") % {"unit": "、".join(units_right)},
                "log": bool(spread and spread > AXIS_SPREAD and min(right) > 0),
            }
        )
    return {
        "title": _("%(name)s 走势与规划目标") % {"name": indicator.name},
        "indicator": _indicator(indicator),
        "categories": categories,
        "series": series,
        "axes": axes,
        "rows": [
            {"period": p, "texts": [s["texts"][i] for s in series]}
            for i, p in enumerate(categories)
        ],
        "has_target": bool(path),
        "target_note": indicator.target_note,
        "source": "；".join(s for s in sources if s),
    }


def funnel_chart(region: Region | None = None) -> dict:
    """The transfer funnel by district (all of the city, or one district)."""
    from transfer.services import statistics

    data = statistics.transfer_funnel(by="district", region=region)
    labels = statistics.stage_labels()
    stages = [{"key": s, "name": labels[s], "value": data["totals"][s]} for s in statistics.STAGES]
    rows = [
        {
            "name": r["name"] or _("未填区域"),
            "values": [r[s] for s in statistics.STAGES],
            "amount": _text(r["registered_amount"], 2),
        }
        for r in data["rows"]
    ]
    return {
        "title": (
            _("%(region)s成果转化漏斗") % {"region": region.name} if region else _("成果转化漏斗")
        ),
        "unit": _("项（成果数）"),
        "stages": stages,
        "rows": rows,
        "amount_label": labels["registered_amount"],
        "total_amount": _text(data["totals"]["registered_amount"], 2),
        "source": _("平台成果转化记录：成果发布、筛选评价、成果目录、挂牌交易、技术合同认定登记"),
    }


def dashboard(user, indicator: Indicator | None, period: str | None) -> dict[str, Any]:
    """Every chart of the dashboard for `user` (who must hold brain.view)."""
    region = scope_region(user)
    visible = None if region is None else {region.code}
    charts: dict[str, Any] = {"scope": region.name if region else None}
    if indicator is not None:
        charts["map"] = map_chart(indicator, period, visible)
        charts["ranking"] = ranking_chart(indicator, period, visible, charts["map"]["rows"])
        charts["trend"] = trend_chart(indicator)
    charts["funnel"] = funnel_chart(region)
    return charts
