"""Progress toward a planned target: the arithmetic alone, no database and no Django.

The plan's path is the straight line from (baseline year, baseline value) to (target year,
target value). For the latest year with a city value:

    elapsed share  = (year − baseline year) / (target year − baseline year), kept within 0…1
    expected       = baseline + (target − baseline) × elapsed share
    gap            = actual − expected
    percent of way = (actual − baseline) / (target − baseline)
    required pace  = (target − actual) / (target year − year)      (only before the target year)
    average pace   = (actual − baseline) / (year − baseline year)  (only after the baseline year)

Status, first match wins:
    reached   已达标    the target is reached (higher: actual ≥ target; lower: actual ≤ target)
    serious   严重滞后  behind the path and percent of way < 0.8 × elapsed share
    warning   预警      behind the path (higher: actual < expected; lower: actual > expected);
                        exactly on the path is not behind
    on_track  进度正常  on or ahead of the path
    unjudged  无基期    a target but no baseline: no path to be behind
    trend     趋势监测  no target: the trend only
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

REACHED, SERIOUS, WARNING, ON_TRACK, UNJUDGED, TREND = (
    "reached",
    "serious",
    "warning",
    "on_track",
    "unjudged",
    "trend",
)
# Most urgent first: the targets page sorts by this.
URGENCY = {SERIOUS: 0, WARNING: 1, ON_TRACK: 2, UNJUDGED: 3, REACHED: 4, TREND: 5}
SERIOUS_RATIO = Decimal("0.8")
HUNDRED = Decimal("100")


@dataclass(frozen=True)
class TargetProgress:
    year: int
    actual: Decimal
    status: str
    expected: Decimal | None = None
    gap: Decimal | None = None  # actual − expected
    target_gap: Decimal | None = None  # actual − target
    percent: Decimal | None = None  # percent of the way, 0–100 (may fall outside)
    elapsed: Decimal | None = None  # elapsed share of the plan period, 0–100
    required_pace: Decimal | None = None  # per year, from the actual to the target
    average_pace: Decimal | None = None  # per year, from the baseline to the actual

    @property
    def behind(self) -> bool:
        return self.status in (WARNING, SERIOUS)

    @property
    def bar(self) -> Decimal:
        """The percent of the way kept within 0–100, for a progress bar."""
        if self.percent is None:
            return Decimal(0)
        return min(max(self.percent, Decimal(0)), HUNDRED)


def _reached(direction: str, actual: Decimal, target: Decimal) -> bool:
    return actual <= target if direction == "lower" else actual >= target


def assess(
    *,
    direction: str,
    year: int,
    actual: Decimal,
    baseline_year: int | None = None,
    baseline_value: Decimal | None = None,
    target_year: int | None = None,
    target_value: Decimal | None = None,
) -> TargetProgress:
    """Where `actual` in `year` stands against the plan (see the module docstring)."""
    actual = Decimal(actual)
    if target_year is None or target_value is None:
        return TargetProgress(year, actual, TREND)
    target = Decimal(target_value)
    required = (target - actual) / Decimal(target_year - year) if year < target_year else None
    reached = _reached(direction, actual, target)
    if baseline_year is None or baseline_value is None or target_year <= baseline_year:
        return TargetProgress(
            year,
            actual,
            REACHED if reached else UNJUDGED,
            target_gap=actual - target,
            required_pace=required,
        )
    baseline = Decimal(baseline_value)
    span = Decimal(target_year - baseline_year)
    share = min(max(Decimal(year - baseline_year) / span, Decimal(0)), Decimal(1))
    expected = baseline + (target - baseline) * share
    percent = (actual - baseline) / (target - baseline) if target != baseline else None
    average = (actual - baseline) / Decimal(year - baseline_year) if year > baseline_year else None
    behind = actual > expected if direction == "lower" else actual < expected
    if reached:
        status = REACHED
    elif behind and percent is not None and percent < SERIOUS_RATIO * share:
        status = SERIOUS
    elif behind:
        status = WARNING
    else:
        status = ON_TRACK
    return TargetProgress(
        year,
        actual,
        status,
        expected=expected,
        gap=actual - expected,
        target_gap=actual - target,
        percent=percent * HUNDRED if percent is not None else None,
        elapsed=share * HUNDRED,
        required_pace=required,
        average_pace=average,
    )
