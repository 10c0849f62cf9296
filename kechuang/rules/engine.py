"""The engine: one rule set over a whole table of enterprises, with numpy, column by column.

For every criterion it computes, for all enterprises at once, the value, the threshold, the
state (passed, failed, needs review, missing data, not applicable) and, for scored criteria, the
points as an interval [low, high] — equal unless the rule leaves experts to pick inside a band.
Score groups add (or take the best of) their parts' intervals and apply their caps. The
eligibility formula is then evaluated in three-valued logic twice: once with missing data as
"unknown" and once as "not shown". The second gives the verdict (null only where a judgement
still decides it); the first tells which failures are only for want of data.

There is no per-enterprise path: `assess()` runs this on a table of one, so a single
assessment and a batch cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from .errors import InputError
from .expr import Context
from .ruleset import Band, Criterion, Node, RuleSet, ScoreGroup
from .schema import FIELDS
from .table import EnterpriseTable

FAIL, PASS, REVIEW, MISSING, NA = 0, 1, 2, 3, 4
STATUS = {
    PASS: "passed",
    FAIL: "failed",
    REVIEW: "review",
    MISSING: "missing",
    NA: "not_applicable",
}
TRUE, FALSE, UNDECIDED = 1, 0, 2


@dataclass
class CriterionColumns:
    criterion: Criterion
    state: np.ndarray  # int8, see STATUS
    value: np.ndarray  # float; for a score condition the low end of the score
    threshold: np.ndarray  # float, NaN when not numeric or not applicable
    missing: np.ndarray  # int64 bits over the criterion's expression fields
    undefined: np.ndarray  # bool: inputs present but the quantity cannot be computed
    value_high: np.ndarray | None = None  # score conditions: high end of the score
    low: np.ndarray | None = None  # scored criteria: points interval
    high: np.ndarray | None = None
    band: np.ndarray | None = None  # scored criteria with bands: index of the band reached
    reviewed: np.ndarray | None = None  # an expert's review decided it


@dataclass
class GroupColumns:
    group: ScoreGroup
    low: np.ndarray
    high: np.ndarray
    known_high: np.ndarray  # the best reachable without the missing data
    missing: np.ndarray  # bool: a part is missing


@dataclass
class BatchResult:
    """A rule set's results for every enterprise of a table, as columns; see `assessment(i)`."""

    ruleset: RuleSet
    on: dt.date
    ids: list[str]
    criteria: dict[str, CriterionColumns]
    groups: dict[str, GroupColumns]
    eligible: np.ndarray  # int8: TRUE, FALSE or UNDECIDED
    incomplete: np.ndarray  # bool: not eligible for want of data
    routes: list[tuple[Node, np.ndarray]]  # each `any` with the first way that holds (−1: none)
    gaps: list[list[str]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def score(self) -> GroupColumns | None:
        return self.groups.get("total")

    def assessment(self, i: int):
        from .result import assessment_from_batch

        return assessment_from_batch(self, i)

    def __iter__(self):
        return (self.assessment(i) for i in range(len(self.ids)))


def evaluate(
    ruleset: RuleSet, table: EnterpriseTable, on: dt.date, *, gaps: bool = True
) -> BatchResult:
    """Assess every enterprise of `table` under `ruleset` on date `on`."""
    ctx = Context(table, on)
    reviews = _reviews(ruleset, table)
    columns: dict[str, CriterionColumns] = {}
    for criterion in ruleset.criteria:
        if criterion.scored:
            columns[criterion.id] = _scored(criterion, ctx, reviews.get(criterion.id))
    groups: dict[str, GroupColumns] = {}
    if ruleset.score is not None:
        _group(ruleset.score, columns, groups)
    for criterion in ruleset.criteria:
        if not criterion.scored:
            columns[criterion.id] = _condition(
                criterion, ctx, reviews.get(criterion.id), columns, groups
            )
    ordered = {c.id: columns[c.id] for c in ruleset.criteria}
    shown = _formula(ruleset.eligible, ordered, missing_as_false=True)
    unknown = _formula(ruleset.eligible, ordered, missing_as_false=False)
    eligible = np.where(shown[0] & ~shown[1], TRUE, np.where(shown[0], UNDECIDED, FALSE))
    routes: list[tuple[Node, np.ndarray]] = []
    _routes(ruleset.eligible, ordered, routes)
    result = BatchResult(
        ruleset=ruleset,
        on=on,
        ids=list(table.ids),
        criteria=ordered,
        groups=groups,
        eligible=eligible.astype(np.int8),
        incomplete=(eligible == FALSE) & unknown[0],
        routes=routes,
    )
    if gaps:
        from .gaps import compute_gaps

        result.gaps = compute_gaps(result, ctx)
    return result


# -- reviews --------------------------------------------------------------------------------------
def _reviews(ruleset: RuleSet, table: EnterpriseTable) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for i, given in table.reviews.items():
        for cid, verdict in (given.get(ruleset.name) or {}).items():
            try:
                criterion = ruleset.criterion(cid)
            except KeyError:
                raise InputError(
                    i,
                    f'reviews: rule set {ruleset.name} has no criterion "{cid}"',
                    f"reviews：规则集 {ruleset.name} 没有指标“{cid}”",
                ) from None
            out.setdefault(cid, np.full(table.n, np.nan))[i] = _review_value(i, criterion, verdict)
    return out


def _review_value(i: int, criterion: Criterion, verdict) -> float:
    if criterion.scored:
        points = criterion.points
        ranged = points.bands and any(b.points[0] < b.points[1] for b in points.bands)
        if criterion.judgement or ranged:
            if isinstance(verdict, int | float) and not isinstance(verdict, bool):
                if 0 <= verdict <= points.high:
                    return float(verdict)
            raise InputError(
                i,
                f"reviews: {criterion.id} takes points from 0 to {points.high:g}",
                f"reviews：{criterion.label} 的评审分应在 0 至 {points.high:g} 之间",
            )
    elif criterion.judgement:
        if isinstance(verdict, bool):
            return float(verdict)
        raise InputError(
            i,
            f"reviews: {criterion.id} takes true or false",
            f"reviews：{criterion.label} 的评审结论应为 true 或 false",
        )
    raise InputError(
        i,
        f"reviews: {criterion.id} is decided by the figures, not by review",
        f"reviews：{criterion.label} 由数据决定，不接受评审结论",
    )


# -- scored criteria ------------------------------------------------------------------------------
def _scored(criterion: Criterion, ctx: Context, review: np.ndarray | None) -> CriterionColumns:
    n = ctx.n
    points = criterion.points
    if criterion.quantity is not None:
        value, miss = criterion.quantity.evaluate(ctx)
        miss = _bits(criterion, criterion.quantity, miss)
    else:
        value, miss = np.full(n, np.nan), np.zeros(n, np.int64)
    missing = miss != 0
    undefined = np.isnan(value) & ~missing & (criterion.quantity is not None)
    band = None
    threshold = np.full(n, np.nan)
    if points.bands:
        band = _band_index(points.bands, value)
        lows = np.array([b.points[0] for b in points.bands])
        highs = np.array([b.points[1] for b in points.bands])
        low, high = lows[band], highs[band]
        bounds = np.array([np.nan if b.bound is None else b.bound for b in points.bands])
        scoring = [k for k, b in enumerate(points.bands) if b.points[1] > 0]
        lowest = scoring[-1] if scoring else len(points.bands) - 1
        threshold = np.where(highs[band] > 0, bounds[band], bounds[lowest])
    elif points.per is not None:
        with np.errstate(invalid="ignore"):
            low = np.minimum(points.top, np.floor(value / points.per) * points.each)
        low = np.where(np.isnan(low), 0.0, np.maximum(low, 0.0))
        high = low.copy()
        threshold = np.where(
            low < points.top, (np.floor(np.nan_to_num(value) / points.per) + 1) * points.per, np.nan
        )
    else:  # judged by experts within [0, max]
        low, high = np.zeros(n), np.full(n, points.top)
    unknown = missing | (undefined & (criterion.if_undefined == "review"))
    low = np.where(unknown, points.low, low)
    high = np.where(unknown, points.high, high)
    reviewed = np.zeros(n, bool)
    if review is not None:
        reviewed = ~np.isnan(review) & (high > low) & ~missing
        picked = np.clip(np.nan_to_num(review), low, high)
        low = np.where(reviewed, picked, low)
        high = np.where(reviewed, picked, high)
    state = np.where(low > 0, PASS, np.where(high <= 0, FAIL, REVIEW))
    state = np.where(missing & (high > low), MISSING, state)
    if criterion.applies_if is not None:
        applies, _ = criterion.applies_if.evaluate(ctx)
        off = applies == 0
        state = np.where(off, NA, state)
        low, high = np.where(off, 0.0, low), np.where(off, 0.0, high)
    return CriterionColumns(
        criterion, state.astype(np.int8), value, threshold, miss, undefined,
        low=low.astype(float), high=high.astype(float), band=band, reviewed=reviewed,
    )  # fmt: skip


def _band_index(bands: tuple[Band, ...], value: np.ndarray) -> np.ndarray:
    index = np.full(value.shape, len(bands) - 1, np.int64)
    open_ = np.ones(value.shape, bool)
    with np.errstate(invalid="ignore"):
        for k, band in enumerate(bands[:-1]):
            hit = open_ & band_holds(band, value)
            index[hit] = k
            open_ &= ~hit
    return index


def tolerance(threshold) -> np.ndarray | float:
    """Figures at a threshold count as at it: ½(1.15 + 1.15) − 1 is 0.1499999… in floating point."""
    return 1e-9 * np.maximum(1.0, np.abs(threshold))


def compare(kind: str, inclusive: bool, value: np.ndarray, bound) -> np.ndarray:
    tol = tolerance(bound)
    with np.errstate(invalid="ignore"):
        if kind == "min":
            return value >= bound - tol if inclusive else value > bound + tol
        return value <= bound + tol if inclusive else value < bound - tol


def band_holds(band: Band, value: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        if band.kind in ("min", "max"):
            return compare(band.kind, band.inclusive, value, band.bound)
        if band.kind == "in":
            return np.isin(value, band.codes)
    return np.ones(value.shape, bool)


def _group(
    group: ScoreGroup, columns: dict[str, CriterionColumns], out: dict[str, GroupColumns]
) -> GroupColumns:
    lows, highs, knowns, misses = [], [], [], []
    for part in group.parts:
        if isinstance(part, ScoreGroup):
            g = _group(part, columns, out)
            (
                lows.append(g.low),
                highs.append(g.high),
                knowns.append(g.known_high),
                misses.append(g.missing),
            )
        else:
            c = columns[part]
            missing = c.state == MISSING
            lows.append(c.low), highs.append(c.high)
            knowns.append(np.where(missing, c.low, c.high)), misses.append(missing)
    reduce = np.max if group.combine == "best" else np.sum
    low, high, known = (reduce(np.stack(v), axis=0) for v in (lows, highs, knowns))
    if group.top is not None:
        low, high, known = (np.minimum(v, group.top) for v in (low, high, known))
    result = GroupColumns(group, low, high, known, np.any(np.stack(misses), axis=0))
    out[group.id] = result
    return result


# -- conditions -----------------------------------------------------------------------------------
def _condition(criterion, ctx, review, columns, groups) -> CriterionColumns:
    n = ctx.n
    miss = np.zeros(n, np.int64)
    high = None
    if criterion.special:
        kind, arg = criterion.special
        if kind == "score":
            g = groups[arg or "total"]
            value, high, known, missing = g.low, g.high, g.known_high, g.missing
        else:
            c = columns[arg]
            value, high = c.low, c.high
            missing = c.state == MISSING
            known = np.where(missing, c.low, c.high)
    elif criterion.quantity is not None:
        value, miss = criterion.quantity.evaluate(ctx)
        missing = miss != 0
        miss = _bits(criterion, criterion.quantity, miss)
    else:  # a pure judgement
        value, missing = np.full(n, np.nan), np.zeros(n, bool)
    threshold = np.full(n, np.nan)
    if criterion.threshold_by is not None:
        by, bands = criterion.threshold_by
        by_value, by_miss = by.evaluate(ctx)
        picked = np.array([b.threshold for b in bands])[_band_index(bands, by_value)]
        threshold = np.where(np.isnan(by_value), np.nan, picked)
        missing = missing | (by_miss != 0)
        miss = miss | _bits(criterion, by, by_miss)
    elif isinstance(criterion.threshold, float):
        threshold = np.full(n, criterion.threshold)
    undefined = np.zeros(n, bool)
    if criterion.compare is None:
        state = np.full(n, REVIEW)
    elif high is not None:  # a score: decided when the whole interval is on one side
        sure = _holds(criterion, value, threshold)
        possible = _holds(criterion, high, threshold)
        reachable = _holds(criterion, known, threshold)
        state = np.where(
            sure, PASS, np.where(~possible, FAIL, np.where(reachable, REVIEW, MISSING))
        )
        missing = np.zeros(n, bool)
    else:
        undefined = np.isnan(value) & ~missing
        state = np.where(_holds(criterion, value, threshold), PASS, FAIL)
        state = np.where(undefined, REVIEW if criterion.if_undefined == "review" else FAIL, state)
        if criterion.judgement:
            state = np.where(state == PASS, REVIEW, state)
        state = np.where(missing, MISSING, state)
    reviewed = np.zeros(n, bool)
    if review is not None:
        reviewed = ~np.isnan(review) & (state == REVIEW)
        state = np.where(reviewed, np.where(review == 1, PASS, FAIL), state)
    if criterion.applies_if is not None:
        applies, applies_miss = criterion.applies_if.evaluate(ctx)
        state = np.where(
            applies == 0, NA, np.where(np.isnan(applies) & (state != PASS), MISSING, state)
        )
        miss = miss | np.where(
            np.isnan(applies), _bits(criterion, criterion.applies_if, applies_miss), 0
        )
    return CriterionColumns(
        criterion, state.astype(np.int8), value, threshold, miss, undefined,
        value_high=high, reviewed=reviewed,
    )  # fmt: skip


def _bits(criterion: Criterion, expr, bits: np.ndarray) -> np.ndarray:
    """Missing bits of one expression, renumbered over the criterion's `inputs`."""
    inputs = criterion.inputs
    out = np.zeros_like(bits)
    for k, name in enumerate(expr.fields):
        out |= ((bits >> k) & 1) << inputs.index(name)
    return out


def _holds(criterion: Criterion, value: np.ndarray, threshold: np.ndarray) -> np.ndarray:
    if criterion.compare in ("min", "max"):
        return compare(criterion.compare, criterion.inclusive, value, threshold)
    with np.errstate(invalid="ignore"):
        if criterion.compare == "is":
            if isinstance(criterion.threshold, bool):
                return value == float(criterion.threshold)
            return value == _code(criterion, criterion.threshold)
        return np.isin(value, [_code(criterion, c) for c in criterion.threshold])


def _code(criterion: Criterion, choice: str) -> float:
    return float(FIELDS[criterion.quantity.fields[0]].choices.index(choice))


# -- the formula ----------------------------------------------------------------------------------
def _formula(node: Node, columns: dict[str, CriterionColumns], *, missing_as_false: bool):
    """(can be true, can be false) for every enterprise: Kleene logic on two booleans."""
    if node.op == "leaf":
        state = columns[node.criterion].state
        can_true = (state == PASS) | (state == REVIEW) | (state == NA)
        can_false = (state == FAIL) | (state == REVIEW)
        if missing_as_false:
            can_false = can_false | (state == MISSING)
        else:
            can_true, can_false = can_true | (state == MISSING), can_false | (state == MISSING)
        return can_true, can_false
    parts = [_formula(child, columns, missing_as_false=missing_as_false) for child in node.children]
    trues, falses = np.stack([p[0] for p in parts]), np.stack([p[1] for p in parts])
    if node.op == "all":
        return trues.all(axis=0), falses.any(axis=0)
    return trues.any(axis=0), falses.all(axis=0)


def definitely_true(node: Node, columns: dict[str, CriterionColumns]) -> np.ndarray:
    can_true, can_false = _formula(node, columns, missing_as_false=True)
    return can_true & ~can_false


def _routes(node: Node, columns, out: list) -> None:
    if node.op == "any":
        chosen = np.full(len(next(iter(columns.values())).state), -1, np.int64)
        for k in reversed(range(len(node.children))):
            chosen = np.where(definitely_true(node.children[k], columns), k, chosen)
        out.append((node, chosen))
    for child in node.children:
        _routes(child, columns, out)
