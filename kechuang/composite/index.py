"""One run of the composite index, following the OECD/JRC handbook's construction steps:

1. data selection: an indicator no unit has a value for is dropped ("no_values");
2. missing data: a unit lacking more than `max_missing_share` of the remaining indicators is
   excluded; an indicator fewer than two kept units have is dropped ("too_few_values");
3. outliers: values beyond mean ± k·SD winsorised to the bound (per indicator, one pass);
4. imputation: a missing value becomes the mean of the other kept units' (treated) values;
5. normalisation: min-max to 0–100 (or z-scores), direction-aware; a constant indicator is
   dropped (or scores 50);
6. weighting: dimension weights and weights within a dimension, normalised over what is used;
7. aggregation: weighted arithmetic (or geometric) mean inside each dimension, then of the
   dimensions — for the arithmetic mean the same as Σ overall weight × score;
8. ranking: competition ranking, ties share a rank.

Everything is deterministic, and every step is kept in `CompositeResult.record`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import steps
from .record import (
    Exclusion,
    GroupRecord,
    Imputation,
    IndicatorRecord,
    Record,
    Winsorisation,
)
from .spec import CompositeInput, Options


@dataclass(frozen=True)
class UnitScore:
    """One unit's outcome: `score` and `rank` are None for an excluded unit."""

    unit: str
    score: float | None
    rank: int | None
    group_scores: dict[str, float | None]
    exclusion: Exclusion | None
    imputed: tuple[str, ...]
    winsorised: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class CompositeResult:
    """Scores, ranks and the record of one run.

    Arrays follow the input's order: `treated` (units × indicators) holds the values after
    outlier treatment and imputation, `normalised` the scores per indicator (NaN for excluded
    units, dropped indicators and, without imputation, missing values), `group_scores`
    (units × dimensions) the dimension sub-scores, `scores` the index (NaN when excluded) and
    `ranks` the rank (0 when not ranked).
    """

    problem: CompositeInput
    options: Options
    included: np.ndarray
    treated: np.ndarray
    normalised: np.ndarray
    group_scores: np.ndarray
    scores: np.ndarray
    ranks: np.ndarray
    record: Record

    @property
    def units(self) -> tuple[str, ...]:
        return self.problem.units

    @property
    def computed(self) -> bool:
        """False when no indicator or no unit was usable, so nobody has a score."""
        return bool((self.ranks > 0).any())

    def unit_rows(self) -> list[UnitScore]:
        """One row per unit, ranked units first by rank (input order among ties), then the
        unranked in input order."""
        excluded = {e.unit: e for e in self.record.exclusions}
        imputed: dict[str, list[str]] = {}
        for imp in self.record.imputations:
            imputed.setdefault(imp.unit, []).append(imp.indicator)
        winsorised: dict[str, list[str]] = {}
        for win in self.record.winsorisations:
            winsorised.setdefault(win.unit, []).append(win.indicator)
        groups = [g.code for g in self.problem.groups]
        rows = []
        for i, unit in enumerate(self.units):
            ranked = self.ranks[i] > 0
            rows.append(
                UnitScore(
                    unit=unit,
                    score=float(self.scores[i]) if ranked else None,
                    rank=int(self.ranks[i]) if ranked else None,
                    group_scores={
                        g: (
                            None
                            if np.isnan(self.group_scores[i, n])
                            else float(self.group_scores[i, n])
                        )
                        for n, g in enumerate(groups)
                    },
                    exclusion=excluded.get(unit),
                    imputed=tuple(imputed.get(unit, ())),
                    winsorised=tuple(winsorised.get(unit, ())),
                )
            )
        order = sorted(range(len(rows)), key=lambda i: (rows[i].rank is None, rows[i].rank or 0, i))
        return [rows[i] for i in order]


def compute(problem: CompositeInput, options: Options | None = None) -> CompositeResult:
    """Build the index for `problem` under `options` (defaults: see `Options`)."""
    options = options or Options()
    values = np.array(problem.values, dtype=np.float64)
    n_units, n_ind = values.shape
    specs = problem.indicators
    units = problem.units
    observed = ~np.isnan(values)
    dropped: dict[int, str] = {}

    # 1. data selection
    for j in range(n_ind):
        if not observed[:, j].any():
            dropped[j] = "no_values"
    live = [j for j in range(n_ind) if j not in dropped]

    # 2. missing data: exclude units, then indicators too few kept units have
    included = np.ones(n_units, dtype=bool)
    exclusions: list[Exclusion] = []
    if not live:
        included[:] = False
    for i in range(n_units):
        if not live:
            break
        missing = [j for j in live if not observed[i, j]]
        share = len(missing) / len(live)
        if share > options.max_missing_share + 1e-12:
            included[i] = False
            exclusions.append(Exclusion(units[i], tuple(specs[j].code for j in missing), share))
    for j in live:
        if observed[included, j].sum() < 2:
            dropped[j] = "too_few_values"
    used = [j for j in range(n_ind) if j not in dropped]

    stats: dict[int, dict[str, float | None]] = {j: {} for j in range(n_ind)}
    treated = np.full_like(values, np.nan)
    treated[included] = values[included]

    # 3. outliers (on observed values of the kept units)
    winsorisations: list[Winsorisation] = []
    for j in used:
        column = treated[:, j]
        mean, sd, lower, upper = steps.outlier_bounds(column, options.outlier_k)
        stats[j].update(mean=mean, sd=sd)
        if options.outliers == "none" or sd == 0:
            continue
        stats[j].update(lower_bound=lower, upper_bound=upper)
        clipped = steps.winsorise(column, lower, upper)
        for i in np.flatnonzero(~np.isnan(column) & (clipped != column)):
            side = "upper" if column[i] > upper else "lower"
            winsorisations.append(
                Winsorisation(units[i], specs[j].code, float(column[i]), float(clipped[i]), side)
            )
        treated[:, j] = clipped

    # 4. imputation
    imputations: list[Imputation] = []
    if options.imputation == "mean":
        for j in used:
            column = treated[:, j]
            gaps = np.flatnonzero(included & np.isnan(column))
            if not len(gaps):
                continue
            present = column[~np.isnan(column)]
            fill = float(present.mean())
            for i in gaps:
                imputations.append(Imputation(units[i], specs[j].code, fill, len(present)))
            column[gaps] = fill

    # 5. normalisation
    normalised = np.full_like(values, np.nan)
    for j in list(used):
        column = treated[:, j]
        lo, hi = float(np.nanmin(column)), float(np.nanmax(column))
        stats[j].update(minimum=lo, maximum=hi)
        if steps.is_constant(column[included]) and options.constant == "drop":
            dropped[j] = "constant"
            used.remove(j)
            continue
        if options.normalisation == "zscore":
            scores, mean, sd = steps.zscore(column, specs[j].direction)
            stats[j].update(norm_mean=mean, norm_sd=sd)
        else:
            scores, _, _ = steps.minmax(column, specs[j].direction)
        normalised[:, j] = scores

    # 6. weights
    group_of = problem.group_index()
    n_groups = len(problem.groups)
    within = np.zeros(n_ind)
    for g in range(n_groups):
        members = [j for j in used if group_of[j] == g]
        total = sum(specs[j].weight for j in members)
        for j in members:
            within[j] = specs[j].weight / total
    group_used = np.array([any(group_of[j] == g for j in used) for g in range(n_groups)])
    given = np.array([grp.weight for grp in problem.groups], dtype=np.float64)
    group_weight = np.where(group_used, given, 0.0)
    if group_weight.sum() > 0:
        group_weight = group_weight / group_weight.sum()
    overall = np.array([group_weight[group_of[j]] * within[j] for j in range(n_ind)])

    # 7. aggregation
    geometric = options.aggregation == "geometric"
    inputs = normalised
    if geometric:
        floor = options.geometric_floor
        inputs = floor + (100.0 - floor) / 100.0 * normalised
    group_scores = np.full((n_units, n_groups), np.nan)
    for g in range(n_groups):
        if not group_used[g]:
            continue
        members = [j for j in used if group_of[j] == g]
        group_scores[:, g] = steps.weighted_mean(inputs[:, members], within[members], geometric)
    scores = np.full(n_units, np.nan)
    if group_used.any():
        scores = steps.weighted_mean(
            group_scores[:, group_used], group_weight[group_used], geometric
        )
    scores[~included] = np.nan
    group_scores[~included] = np.nan

    # 8. ranking
    ranks = steps.competition_ranks(scores, options.tie_decimals)

    indicator_records = tuple(
        IndicatorRecord(
            code=spec.code,
            group=spec.group,
            direction=spec.direction,
            weight_given=float(spec.weight),
            weight_within=float(within[j]),
            weight=float(overall[j]),
            observed=int(observed[included, j].sum()),
            missing=tuple(units[i] for i in range(n_units) if included[i] and not observed[i, j]),
            dropped=dropped.get(j),
            **stats[j],
        )
        for j, spec in enumerate(specs)
    )
    group_records = tuple(
        GroupRecord(
            code=grp.code,
            weight_given=float(grp.weight),
            weight=float(group_weight[g]),
            indicators=tuple(specs[j].code for j in range(n_ind) if group_of[j] == g),
        )
        for g, grp in enumerate(problem.groups)
    )
    record = Record(
        options=options,
        indicators=indicator_records,
        groups=group_records,
        exclusions=tuple(exclusions),
        imputations=tuple(imputations),
        winsorisations=tuple(winsorisations),
    )
    for array in (included, treated, normalised, group_scores, scores, ranks):
        array.setflags(write=False)
    return CompositeResult(
        problem=problem,
        options=options,
        included=included,
        treated=treated,
        normalised=normalised,
        group_scores=group_scores,
        scores=scores,
        ranks=ranks,
        record=record,
    )
