"""What a composite index is built from: the unit × indicator matrix, each indicator's direction,
weight and dimension, and the options of every construction step.

Weights are given at two levels, as the index definition states them: each dimension (group) has
a weight, and each indicator a weight inside its dimension. Both are normalised to sum to 1 over
what is actually used, so "40 / 35 / 25" and "0.4 / 0.35 / 0.25" mean the same.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Literal

import numpy as np

Direction = Literal["higher", "lower"]
DIRECTIONS = ("higher", "lower")
IMPUTATIONS = ("mean", "none")
OUTLIER_RULES = ("sd", "none")
NORMALISATIONS = ("minmax", "zscore")
CONSTANT_RULES = ("drop", "midpoint")
AGGREGATIONS = ("arithmetic", "geometric")


class CompositeError(ValueError):
    """The input is malformed (shapes, unknown names, option values). `code` is stable; the
    English text is for logs and developers, an application maps `code` to its own wording."""

    def __init__(self, code: str, detail: str):
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class IndicatorSpec:
    """One indicator: `direction` "higher" (more is better) or "lower"; `weight` inside its
    dimension `group` (any positive number, normalised later)."""

    code: str
    direction: Direction = "higher"
    weight: float = 1.0
    group: str = ""


@dataclass(frozen=True)
class GroupSpec:
    """One dimension (分项) and its weight among the dimensions."""

    code: str
    weight: float = 1.0


@dataclass(frozen=True)
class Options:
    """The documented choice at each step (defaults in brackets).

    - `imputation` ["mean"]: a missing value becomes the mean of the other units' values of that
      indicator (after outlier treatment, so one extreme unit does not drag the filled-in value),
      and is recorded as imputed. "none": the unit is scored on the indicators it has, their
      weights renormalised (available-case).
    - `max_missing_share` [0.3]: a unit lacking more than this share of the usable indicators is
      excluded from the index (no score, no rank) with the indicators it lacks as the reason.
    - `outliers` ["sd"]: a value beyond mean ± `outlier_k`·SD of its indicator (population SD of
      the observed values of the units kept) is winsorised to that bound, in one pass. "none":
      values are used as they are. With n units no value can lie beyond √(n−1) SDs, so with 15
      units and k = 3 only a single far-off value is caught.
    - `normalisation` ["minmax"]: (x − min)/(max − min)·100, or (max − x)/(max − min)·100 for
      "lower is better"; "zscore": (x − mean)/SD, sign reversed for "lower is better".
    - `constant` ["drop"]: an indicator with the same value for every unit carries no
      information and is dropped (its weight goes to the other indicators of its dimension);
      "midpoint" keeps it with 50 (z-score: 0) for every unit.
    - `aggregation` ["arithmetic"]: weighted arithmetic mean inside each dimension, then of the
      dimensions; "geometric": weighted geometric means, on min-max values mapped to
      [`geometric_floor`, 100] so that a 0 does not zero the whole score (needs min-max).
    - `tie_decimals` [6]: scores equal when rounded to this many decimals share a rank, and the
      next rank is skipped (1, 2, 2, 4).
    - `weight_step` [0.2]: the sensitivity analysis moves each indicator's weight by ± this share.
    """

    imputation: str = "mean"
    max_missing_share: float = 0.3
    outliers: str = "sd"
    outlier_k: float = 3.0
    normalisation: str = "minmax"
    constant: str = "drop"
    aggregation: str = "arithmetic"
    geometric_floor: float = 1.0
    tie_decimals: int = 6
    weight_step: float = 0.2

    def __post_init__(self) -> None:
        for name, allowed in (
            ("imputation", IMPUTATIONS),
            ("outliers", OUTLIER_RULES),
            ("normalisation", NORMALISATIONS),
            ("constant", CONSTANT_RULES),
            ("aggregation", AGGREGATIONS),
        ):
            if getattr(self, name) not in allowed:
                raise CompositeError(
                    "bad_option", f"{name} must be one of {allowed}, not {getattr(self, name)!r}"
                )
        if not 0 <= self.max_missing_share <= 1:
            raise CompositeError("bad_option", "max_missing_share must lie in [0, 1]")
        if self.outlier_k <= 0:
            raise CompositeError("bad_option", "outlier_k must be positive")
        if not 0 < self.geometric_floor < 100:
            raise CompositeError("bad_option", "geometric_floor must lie in (0, 100)")
        if not 0 < self.weight_step < 1:
            raise CompositeError("bad_option", "weight_step must lie in (0, 1)")
        if self.tie_decimals < 0:
            raise CompositeError("bad_option", "tie_decimals must not be negative")
        if self.aggregation == "geometric" and self.normalisation != "minmax":
            raise CompositeError(
                "bad_option", "geometric aggregation needs min-max values (z-scores can be < 0)"
            )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Options:
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise CompositeError("bad_option", f"unknown options {sorted(unknown)}")
        return cls(**dict(data))

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def replace(self, **changes: Any) -> Options:
        return replace(self, **changes)


@dataclass(frozen=True, eq=False)
class CompositeInput:
    """Units (rows) × indicators (columns); `values` is float with NaN for a missing value.

    Without `groups`, every distinct `IndicatorSpec.group` becomes a dimension of weight 1.
    """

    units: tuple[str, ...]
    indicators: tuple[IndicatorSpec, ...]
    values: np.ndarray
    groups: tuple[GroupSpec, ...] = ()

    def __post_init__(self) -> None:
        units = tuple(str(u) for u in self.units)
        indicators = tuple(self.indicators)
        values = np.array(self.values, dtype=np.float64, copy=True)
        if values.ndim != 2 or values.shape != (len(units), len(indicators)):
            raise CompositeError(
                "bad_shape",
                f"values must be {len(units)} units × {len(indicators)} indicators, "
                f"not {values.shape}",
            )
        if np.isinf(values).any():
            raise CompositeError("bad_value", "values must be finite or NaN")
        _unique("duplicate_unit", units)
        _unique("duplicate_indicator", [i.code for i in indicators])
        for spec in indicators:
            if spec.direction not in DIRECTIONS:
                raise CompositeError(
                    "bad_direction", f"{spec.code}: direction must be one of {DIRECTIONS}"
                )
            if not spec.weight > 0:
                raise CompositeError("bad_weight", f"{spec.code}: weight must be positive")
        groups = tuple(self.groups)
        if not groups:
            seen = dict.fromkeys(spec.group for spec in indicators)
            groups = tuple(GroupSpec(code) for code in seen)
        _unique("duplicate_group", [g.code for g in groups])
        for group in groups:
            if not group.weight > 0:
                raise CompositeError("bad_weight", f"dimension {group.code}: weight must be > 0")
        known = {g.code for g in groups}
        for spec in indicators:
            if spec.group not in known:
                raise CompositeError(
                    "unknown_group", f"{spec.code}: dimension {spec.group!r} is not defined"
                )
        values.setflags(write=False)
        object.__setattr__(self, "units", units)
        object.__setattr__(self, "indicators", indicators)
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "groups", groups)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(spec.code for spec in self.indicators)

    def group_index(self) -> np.ndarray:
        """For each indicator, the position of its dimension in `groups`."""
        position = {g.code: n for n, g in enumerate(self.groups)}
        return np.array([position[spec.group] for spec in self.indicators], dtype=np.int64)

    def with_effective_weights(self, weights: Mapping[str, float]) -> CompositeInput:
        """The same problem with overall indicator weights `weights` (code → weight; absent
        codes keep a nominal weight and matter only if used): each dimension's weight becomes
        the sum of its indicators' weights, each indicator's weight its share of that sum."""
        totals: dict[str, float] = {}
        for spec in self.indicators:
            if spec.code in weights:
                totals[spec.group] = totals.get(spec.group, 0.0) + float(weights[spec.code])
        indicators = tuple(
            replace(spec, weight=float(weights[spec.code]) / totals[spec.group])
            if spec.code in weights
            else spec
            for spec in self.indicators
        )
        groups = tuple(
            replace(g, weight=totals[g.code]) if g.code in totals else g for g in self.groups
        )
        return CompositeInput(self.units, indicators, self.values, groups)


def _unique(code: str, names: Sequence[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise CompositeError(code, f"{name!r} appears twice")
        seen.add(name)
