"""How much the ranking depends on the choices made: the index recomputed under alternatives,
one change at a time from the base run, and each unit's rank under every scenario with its
range (best–worst) and median.

Scenarios, in this order (`Scenario.kind`):
- "base": the definition as it stands;
- "equal_weights": every used indicator the same overall weight (as the EIS summary index);
- "weight_up" / "weight_down": one used indicator's overall weight × (1 ± `weight_step`), all
  weights renormalised to sum 1 — one pair per used indicator;
- "normalisation": z-scores instead of min-max (with the arithmetic mean, since z-scores can
  be negative), or min-max when the base uses z-scores;
- "aggregation": the geometric mean instead of the arithmetic one (on min-max values), or the
  arithmetic one when the base is geometric;
- "outliers": no outlier treatment, or winsorising at k·SD when the base has none.

Missing-data handling is the same in every scenario, so the same units are ranked throughout.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .index import CompositeResult, compute
from .spec import CompositeInput, Options


@dataclass(frozen=True, eq=False)
class Scenario:
    """One alternative: `key` is unique ("base", "equal_weights", "weight_up:<code>", …);
    `indicator` and `factor` are set for the weight scenarios."""

    key: str
    kind: str
    problem: CompositeInput
    options: Options
    indicator: str | None = None
    factor: float | None = None


@dataclass(frozen=True)
class UnitSensitivity:
    unit: str
    base_rank: int | None
    ranks: tuple[int | None, ...]
    best: int | None
    worst: int | None
    median: float | None

    @property
    def spread(self) -> int | None:
        return None if self.best is None else self.worst - self.best


@dataclass(frozen=True, eq=False)
class SensitivityResult:
    """`ranks` and `scores` are units × scenarios (rank 0 / NaN when not ranked), the first
    scenario being the base; `best`, `worst` and `median` summarise each unit's ranks over all
    scenarios (NaN for a unit never ranked)."""

    base: CompositeResult
    scenarios: tuple[Scenario, ...]
    results: tuple[CompositeResult, ...]
    ranks: np.ndarray
    scores: np.ndarray
    best: np.ndarray
    worst: np.ndarray
    median: np.ndarray

    @property
    def units(self) -> tuple[str, ...]:
        return self.base.units

    def unit_rows(self) -> list[UnitSensitivity]:
        """In the base ranking's order (see `CompositeResult.unit_rows`)."""
        position = {u: i for i, u in enumerate(self.units)}
        rows = []
        for row in self.base.unit_rows():
            i = position[row.unit]
            ranked = not np.isnan(self.median[i])
            rows.append(
                UnitSensitivity(
                    unit=row.unit,
                    base_rank=row.rank,
                    ranks=tuple(int(r) if r > 0 else None for r in self.ranks[i]),
                    best=int(self.best[i]) if ranked else None,
                    worst=int(self.worst[i]) if ranked else None,
                    median=float(self.median[i]) if ranked else None,
                )
            )
        return rows

    def changed(self, key: str) -> tuple[str, ...]:
        """The units whose rank under scenario `key` differs from their base rank."""
        s = [sc.key for sc in self.scenarios].index(key)
        moved = (self.ranks[:, s] != self.ranks[:, 0]) & (self.ranks[:, 0] > 0)
        return tuple(u for u, m in zip(self.units, moved, strict=True) if m)


def scenarios(base: CompositeResult) -> list[Scenario]:
    """The alternatives to `base` (see the module docstring)."""
    problem, options = base.problem, base.options
    weights = {rec.code: rec.weight for rec in base.record.used_indicators}
    out = [Scenario("base", "base", problem, options)]
    if not weights:
        return out
    equal = dict.fromkeys(weights, 1.0 / len(weights))
    out.append(
        Scenario("equal_weights", "equal_weights", problem.with_effective_weights(equal), options)
    )
    step = options.weight_step
    for code in weights:
        for kind, factor in (("weight_up", 1 + step), ("weight_down", 1 - step)):
            moved = dict(weights)
            moved[code] *= factor
            total = sum(moved.values())
            moved = {c: w / total for c, w in moved.items()}
            out.append(
                Scenario(
                    f"{kind}:{code}",
                    kind,
                    problem.with_effective_weights(moved),
                    options,
                    indicator=code,
                    factor=factor,
                )
            )
    if options.normalisation == "minmax":
        alt = options.replace(normalisation="zscore", aggregation="arithmetic")
    else:
        alt = options.replace(normalisation="minmax")
    out.append(Scenario("normalisation", "normalisation", problem, alt))
    if options.aggregation == "arithmetic":
        alt = options.replace(aggregation="geometric", normalisation="minmax")
    else:
        alt = options.replace(aggregation="arithmetic")
    out.append(Scenario("aggregation", "aggregation", problem, alt))
    alt = options.replace(outliers="none" if options.outliers == "sd" else "sd")
    out.append(Scenario("outliers", "outliers", problem, alt))
    return out


def sensitivity(base: CompositeResult) -> SensitivityResult:
    """Recompute `base` under every scenario and summarise the ranks."""
    cases = scenarios(base)
    results = tuple(
        base if case.key == "base" else compute(case.problem, case.options) for case in cases
    )
    ranks = np.stack([r.ranks for r in results], axis=1)
    scores = np.stack([r.scores for r in results], axis=1)
    n_units = len(base.units)
    best = np.full(n_units, np.nan)
    worst = np.full(n_units, np.nan)
    median = np.full(n_units, np.nan)
    for i in range(n_units):
        ranked = ranks[i][ranks[i] > 0]
        if len(ranked):
            best[i], worst[i], median[i] = ranked.min(), ranked.max(), np.median(ranked)
    for array in (ranks, scores, best, worst, median):
        array.setflags(write=False)
    return SensitivityResult(base, tuple(cases), results, ranks, scores, best, worst, median)
