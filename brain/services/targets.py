"""目标监测: each indicator's baseline, latest city value, target and progress along the plan's
path, with the early warning. The arithmetic is `brain.services.progress.assess`; this module
finds the figures it works on.

The city's yearly value of an indicator is its value in use for the year; for a computed
indicator the current year's live figure stands in when none is stored. A quarterly or monthly
indicator's yearly value is the sum of that year's periods (the catalog's sub-annual indicators
are all flows: amounts and counts within the period).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy

from brain.choices import Frequency, Method
from brain.models import Indicator, IndicatorValue
from brain.services import computed, values
from brain.services.periods import containing
from brain.services.progress import (
    ON_TRACK,
    REACHED,
    SERIOUS,
    TREND,
    UNJUDGED,
    URGENCY,
    WARNING,
    TargetProgress,
    assess,
)

STATUS_LABELS = {
    REACHED: gettext_lazy("已达标"),
    SERIOUS: gettext_lazy("严重滞后"),
    WARNING: gettext_lazy("预警"),
    ON_TRACK: gettext_lazy("进度正常"),
    UNJUDGED: gettext_lazy("无基期"),
    TREND: gettext_lazy("趋势监测"),
}
STATUS_HELP = {
    REACHED: gettext_lazy("最新值已达到规划目标"),
    SERIOUS: gettext_lazy("落后于规划路径，且完成进度不足时间进度的 80%"),
    WARNING: gettext_lazy("落后于规划路径"),
    ON_TRACK: gettext_lazy("达到或超过规划路径"),
    UNJUDGED: gettext_lazy("有目标但无基期值，无法判断是否落后于路径"),
    TREND: gettext_lazy("无规划目标，仅监测趋势"),
}


@dataclass
class TargetRow:
    indicator: Indicator
    yearly: list[tuple[int, Decimal]]  # the city's yearly values, oldest first
    latest_live: bool  # the latest value is the live figure, not a stored one
    progress: TargetProgress | None  # None: no city value yet

    @property
    def status(self) -> str:
        if self.progress is None:
            return UNJUDGED if self.indicator.target_value is not None else TREND
        return self.progress.status

    @property
    def status_label(self) -> str:
        if self.progress is None:
            return str(gettext_lazy("暂无数据"))
        return str(STATUS_LABELS[self.status])

    @property
    def status_help(self) -> str:
        return str(STATUS_HELP[self.status])

    @property
    def urgency(self) -> int:
        return URGENCY[self.status] if self.progress is not None else len(URGENCY)

    @property
    def has_path(self) -> bool:
        i = self.indicator
        return i.baseline_value is not None and i.target_value is not None

    @property
    def trend(self) -> list[tuple[int, Decimal]]:
        """The last four yearly values, for a line of text where there is no path."""
        return self.yearly[-4:]


def city_yearly(indicator: Indicator) -> tuple[list[tuple[int, Decimal]], bool]:
    """The city's yearly values (oldest first), and whether the last one is live."""
    city = values.city_region()
    rows = IndicatorValue.objects.filter(
        indicator=indicator, region=city, is_current=True
    ).values_list("period", "value")
    by_year: dict[int, Decimal] = defaultdict(Decimal)
    for period, value in rows:
        by_year[int(period[:4])] += value
    live = False
    if indicator.method == Method.COMPUTED and indicator.computer:
        today = timezone.localdate()
        now = containing(today, indicator.frequency)
        stored_now = IndicatorValue.objects.filter(
            indicator=indicator, region=city, period=now.text, is_current=True
        ).exists()
        if not stored_now:
            func = computed.get(indicator.computer)
            if indicator.frequency == Frequency.YEAR:
                by_year[today.year] = func(city, now)
            else:
                # The year so far: stored periods plus the live figure of the current one.
                by_year[today.year] += func(city, now)
            live = True
    return sorted(by_year.items()), live


def target_row(indicator: Indicator) -> TargetRow:
    yearly, live = city_yearly(indicator)
    if not yearly:
        return TargetRow(indicator, [], False, None)
    year, actual = yearly[-1]
    progress = assess(
        direction=indicator.direction,
        year=year,
        actual=actual,
        baseline_year=indicator.baseline_year,
        baseline_value=indicator.baseline_value,
        target_year=indicator.target_year,
        target_value=indicator.target_value,
    )
    return TargetRow(indicator, yearly, live, progress)


def overview(user, sort: str = "catalog") -> list[TargetRow]:
    """Every active indicator's row; `sort` "warning" puts the most urgent first."""
    values.require_view(user)
    rows = [target_row(i) for i in Indicator.objects.filter(active=True)]
    if sort == "warning":
        rows.sort(key=lambda r: (r.urgency, r.indicator.sort_order))
    return rows


def counts(rows: list[TargetRow]) -> list[tuple[str, str, int]]:
    """(status, label, how many) for the statuses that occur, most urgent first."""
    found: dict[str, int] = defaultdict(int)
    for r in rows:
        if r.progress is not None:
            found[r.status] += 1
    return [(s, str(STATUS_LABELS[s]), found[s]) for s in sorted(found, key=lambda s: URGENCY[s])]


def export_headers() -> list[str]:
    return [
        str(x)
        for x in (
            gettext_lazy("指标代码"),
            gettext_lazy("指标名称"),
            gettext_lazy("计量单位"),
            gettext_lazy("方向"),
            gettext_lazy("基期年份"),
            gettext_lazy("基期值"),
            gettext_lazy("最新年份"),
            gettext_lazy("最新值"),
            gettext_lazy("目标年份"),
            gettext_lazy("目标值"),
            gettext_lazy("路径应达值"),
            gettext_lazy("与路径差距"),
            gettext_lazy("完成进度（%）"),
            gettext_lazy("时间进度（%）"),
            gettext_lazy("所需年均增量"),
            gettext_lazy("以往年均增量"),
            gettext_lazy("状态"),
        )
    ]


def _num(value: Decimal | None, places: int):
    return None if value is None else float(round(Decimal(value), places))


def export_rows(rows: list[TargetRow]):
    for r in rows:
        i, p = r.indicator, r.progress
        d = i.decimals
        yield (
            i.code,
            i.name,
            i.unit,
            i.get_direction_display(),
            i.baseline_year,
            _num(i.baseline_value, d),
            p.year if p else None,
            _num(p.actual, d) if p else None,
            i.target_year,
            _num(i.target_value, d),
            _num(p.expected, d) if p else None,
            _num(p.gap, d) if p else None,
            _num(p.percent, 1) if p else None,
            _num(p.elapsed, 1) if p else None,
            _num(p.required_pace, d + 1) if p else None,
            _num(p.average_pace, d + 1) if p else None,
            r.status_label,
        )
