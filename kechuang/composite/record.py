"""What was done at each step, kept so that a methodology page can show exactly what was computed:
which units were excluded and why, which values were imputed or winsorised, each indicator's
statistics, normalisation range and the weights actually used.

Reasons are stable codes, not sentences; the application words them in its own language:
- exclusion: "too_many_missing";
- a dropped indicator: "no_values" (no unit has a value), "too_few_values" (fewer than two of
  the units kept have one), "constant" (every unit has the same value, with `constant="drop"`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .spec import Options


@dataclass(frozen=True)
class Exclusion:
    unit: str
    missing: tuple[str, ...]
    share: float
    reason: str = "too_many_missing"


@dataclass(frozen=True)
class Imputation:
    """`value` was filled in for `unit` on `indicator`: the mean of `based_on` other units."""

    unit: str
    indicator: str
    value: float
    based_on: int


@dataclass(frozen=True)
class Winsorisation:
    """`original` lay beyond the outlier bound on `side` ("upper"/"lower") and became
    `treated`, the bound itself."""

    unit: str
    indicator: str
    original: float
    treated: float
    side: str


@dataclass(frozen=True)
class IndicatorRecord:
    """One indicator through the steps.

    `mean`/`sd` describe the observed values of the units kept, before treatment (they set the
    outlier bounds `lower_bound`/`upper_bound`); `minimum`/`maximum` are the normalisation range
    after treatment and imputation, and `norm_mean`/`norm_sd` the z-score parameters.
    `weight_within` is the normalised weight inside the dimension, `weight` the overall one
    (dimension weight × weight within); both are 0 for a dropped indicator.
    """

    code: str
    group: str
    direction: str
    weight_given: float
    weight_within: float
    weight: float
    observed: int
    missing: tuple[str, ...]
    dropped: str | None = None
    mean: float | None = None
    sd: float | None = None
    lower_bound: float | None = None
    upper_bound: float | None = None
    minimum: float | None = None
    maximum: float | None = None
    norm_mean: float | None = None
    norm_sd: float | None = None

    @property
    def used(self) -> bool:
        return self.dropped is None


@dataclass(frozen=True)
class GroupRecord:
    code: str
    weight_given: float
    weight: float
    indicators: tuple[str, ...]

    @property
    def used(self) -> bool:
        return self.weight > 0


@dataclass(frozen=True)
class Record:
    options: Options
    indicators: tuple[IndicatorRecord, ...]
    groups: tuple[GroupRecord, ...]
    exclusions: tuple[Exclusion, ...]
    imputations: tuple[Imputation, ...]
    winsorisations: tuple[Winsorisation, ...]

    def indicator(self, code: str) -> IndicatorRecord:
        for rec in self.indicators:
            if rec.code == code:
                return rec
        raise KeyError(code)

    @property
    def used_indicators(self) -> tuple[IndicatorRecord, ...]:
        return tuple(rec for rec in self.indicators if rec.used)

    @property
    def dropped_indicators(self) -> tuple[IndicatorRecord, ...]:
        return tuple(rec for rec in self.indicators if not rec.used)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (floats rounded to 10 significant digits, NaN as None)."""
        return {
            "options": self.options.as_dict(),
            "indicators": [_plain(rec.__dict__) for rec in self.indicators],
            "groups": [_plain(rec.__dict__) for rec in self.groups],
            "exclusions": [_plain(rec.__dict__) for rec in self.exclusions],
            "imputations": [_plain(rec.__dict__) for rec in self.imputations],
            "winsorisations": [_plain(rec.__dict__) for rec in self.winsorisations],
        }


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    return {key: plain_value(value) for key, value in data.items()}


def plain_value(value: Any) -> Any:
    if isinstance(value, tuple):
        return [plain_value(v) for v in value]
    if isinstance(value, float):
        return None if math.isnan(value) else float(f"{value:.10g}")
    return value
