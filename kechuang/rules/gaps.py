"""What an enterprise would have to change: the gaps, in Chinese, with amounts.

Gaps follow the eligibility formula from the top, for enterprises not (yet) eligible: under
`all` every part that fails is a gap; under `any` the first way (the general route) is
explained and the other ways are named in one line. A failing score also lists, indicator by
indicator, the next band up and what it takes to reach it.

Amounts come from the criterion's `lever` (the input to change, and inputs that move with it:
one more technician is one more employee too). The quantity is evaluated with the lever moved
by d; for the ratios and growth rates of the rules, q(d) = (a + b·d) / (1 + c·d), so three
evaluations fit it and q(d) = threshold is solved exactly. The answer is checked by evaluating
once more; where the fit does not hold (e.g. a square root) a bisection finds d instead.
"""

from __future__ import annotations

import numpy as np

from . import fmt
from .engine import FAIL, MISSING, REVIEW, TRUE, UNDECIDED, BatchResult, compare, definitely_true
from .expr import Context
from .ruleset import Criterion, Node, ScoreGroup
from .schema import FIELDS, YEARS
from .table import EnterpriseTable


def compute_gaps(result: BatchResult, ctx: Context) -> list[list[str]]:
    n = len(result.ids)
    found: list[tuple[np.ndarray, list[str]]] = []
    undecided = result.eligible == UNDECIDED
    cache: dict[int, np.ndarray] = {}
    hinted: dict[str, np.ndarray] = {}  # a score hint is given once per enterprise

    def sure(node: Node) -> np.ndarray:
        key = id(node)
        if key not in cache:
            cache[key] = definitely_true(node, result.criteria)
        return cache[key]

    def walk(node: Node, active: np.ndarray) -> None:
        if not active.any():
            return
        if node.op == "leaf":
            found.extend(_leaf(result, ctx, node.criterion, active, undecided, hinted))
        elif node.op == "all":
            for child in node.children:
                walk(child, active & ~sure(child))
        else:
            walk(node.children[0], active & ~sure(node.children[0]))
            others = [child.route for child in node.children[1:]]
            if others:
                rows = np.flatnonzero(active)
                found.append((rows, ["或满足以下任一条件：" + "；".join(others)] * len(rows)))

    walk(result.ruleset.eligible, result.eligible != TRUE)
    if not found:
        return [[] for _ in range(n)]
    # every (enterprise, text) pair in formula order, grouped by enterprise with a stable sort
    rows = np.concatenate([r for r, _ in found])
    texts = [t for _, ts in found for t in ts]
    order = np.argsort(rows, kind="stable")
    ordered = [texts[k] for k in order.tolist()]
    ends = np.cumsum(np.bincount(rows, minlength=n)).tolist()
    starts = [0, *ends[:-1]]
    return [ordered[a:b] for a, b in zip(starts, ends, strict=True)]


def _leaf(result: BatchResult, ctx: Context, cid: str, active, undecided, hinted):
    columns = result.criteria[cid]
    c = columns.criterion
    state = columns.state
    out = []
    missing = np.flatnonzero(active & (state == MISSING))
    if missing.size:
        parts = _scored_parts(result, c) if c.special else []
        if c.special:  # which scored indicators are missing, enterprise by enterprise
            bits = np.zeros(missing.size, np.int64)
            for k, part in enumerate(parts):
                bits |= (result.criteria[part].state[missing] == MISSING).astype(np.int64) << k
        else:
            bits = columns.missing[missing]
        distinct, inverse = np.unique(bits, return_inverse=True)
        labels = [result.criteria[part].criterion.label for part in parts]
        texts = [_missing_text(c, int(b), labels) for b in distinct]
        out.append((missing, [texts[k] for k in inverse.reshape(-1).tolist()]))
    review = np.flatnonzero(active & (state == REVIEW) & undecided)
    if review.size:
        if columns.value_high is not None:
            need = f"，需 {c.op} {fmt.number(columns.threshold[review[0]], 'points')}，待专家评审"
            got = _points_texts(columns.value[review], columns.value_high[review])
            out.append((review, [f"{c.label}：已确定 {g}{need}" for g in got]))
        else:
            out.append((review, [f"{c.label}：待专家评审"] * review.size))
    failed = np.flatnonzero(active & (state == FAIL))
    if not failed.size:
        return out
    if columns.value_high is not None:
        out.append((failed, _score_texts(columns, failed)))
        out.extend(_score_hints(result, ctx, c, failed, hinted))
        return out
    undefined = columns.undefined[failed]
    if undefined.any():
        rows = failed[undefined]
        out.append((rows, [f"{c.label}：无法计算（相关数据为 0、为负或经营年度不足）"] * rows.size))
        failed = failed[~undefined]
    if failed.size:
        out.append((failed, _fail_texts(c, columns, ctx, failed)))
    return out


def _missing_text(c: Criterion, bits: int, parts: list[str]) -> str:
    if c.special:
        names = [parts[k] for k in range(len(parts)) if bits >> k & 1]
    else:
        names = [FIELDS[name].zh for k, name in enumerate(c.inputs) if bits >> k & 1]
    return f"{c.label}：缺少数据（{'、'.join(names) or '—'}）"


def _scored_parts(result: BatchResult, c: Criterion) -> list[str]:
    """The scored criteria behind a score condition."""
    kind, arg = c.special
    return [arg] if kind == "points" else _group_criteria(result.ruleset.score, arg or "total")


def _group_criteria(group: ScoreGroup, wanted: str, inside: bool = False) -> list[str]:
    inside = inside or group.id == wanted
    out: list[str] = []
    for part in group.parts:
        if isinstance(part, ScoreGroup):
            out.extend(_group_criteria(part, wanted, inside))
        elif inside:
            out.append(part)
    return out


def _fail_texts(c: Criterion, columns, ctx: Context, rows: np.ndarray) -> list[str]:
    if c.compare in ("is", "in"):
        if c.fail_text:
            return [c.fail_text] * rows.size
        field = c.quantity.fields[0]
        if c.compare == "is" and isinstance(c.threshold, bool):
            return [f"{c.label}：需为“{fmt.value(c.threshold, 'bool')}”"] * rows.size
        wanted = "、".join(
            fmt.value(v, "category", field)
            for v in (c.threshold if c.compare == "in" else [c.threshold])
        )
        choices = FIELDS[field].choices
        return [
            f"{c.label}：{fmt.value(choices[int(v)], 'category', field)}，需为 {wanted}"
            for v in columns.value[rows]
        ]
    values, thresholds = columns.value[rows], columns.threshold[rows]
    head, need = f"{c.label} ", f"，需 {c.op} "
    vals, thrs = fmt.numbers(values, c.unit), _distinct_numbers(thresholds, c.unit)
    if not c.lever:
        return [f"{head}{v}{need}{t}" for v, t in zip(vals, thrs, strict=True)]
    deltas = lever_amounts(c, ctx, rows, thresholds, c.compare == "min", c.inclusive)
    tails = _amount_texts(c, deltas)
    return [f"{head}{v}{need}{t}{a}" for v, t, a in zip(vals, thrs, tails, strict=True)]


def _distinct_numbers(values: np.ndarray, unit: str) -> list[str]:
    """Thresholds take few values: format each once."""
    distinct, inverse = np.unique(values, return_inverse=True)
    texts = fmt.numbers(distinct, unit)
    return [texts[k] for k in inverse.reshape(-1).tolist()]


def _amount_texts(c: Criterion, deltas: np.ndarray) -> list[str]:
    spec = FIELDS[c.lever.field]
    up, down = "，差额约 ", f"，{spec.zh}需减少约 "
    return [
        (up if d > 0 else down) + size if d == d and d != 0 else ""
        for d, size in zip(deltas.tolist(), fmt.amounts(deltas, spec.unit), strict=True)
    ]


def _score_texts(columns, rows: np.ndarray) -> list[str]:
    c = columns.criterion
    low, high, threshold = columns.value[rows], columns.value_high[rows], columns.threshold[rows]
    short = threshold - high if c.compare == "min" else np.zeros(rows.size)
    texts = []
    for lo, hi, gap, lo_s, hi_s, t_s, gap_s in zip(
        low.tolist(), high.tolist(), short.tolist(),
        fmt.numbers(low, "points"), fmt.numbers(high, "points"),
        fmt.numbers(threshold, "points"), fmt.numbers(short, "points"), strict=True,
    ):  # fmt: skip
        got = lo_s if lo == hi else f"最高 {hi_s}"
        tail = f"，至少差 {gap_s}" if gap > 0 else ""
        texts.append(f"{c.label} {got}，需 {c.op} {t_s}{tail}")
    return texts


def _score_hints(result: BatchResult, ctx: Context, c: Criterion, rows: np.ndarray, hinted: dict):
    kind, arg = c.special
    ids = [arg] if kind == "points" else _group_criteria(result.ruleset.score, arg or "total")
    out = []
    for cid in ids:
        columns = result.criteria[cid]
        sc = columns.criterion
        bands = sc.points.bands
        if not bands or sc.lever is None or bands[0].kind not in ("min", "max"):
            continue
        band = columns.band[rows]
        usable = (band > 0) & ~np.isnan(columns.value[rows]) & (columns.state[rows] != MISSING)
        better = np.maximum(band - 1, 0)
        lows = np.array([b.points[0] for b in bands])
        usable &= lows[better] > columns.high[rows]
        done = hinted.setdefault(cid, np.zeros(len(result.ids), bool))
        usable &= ~done[rows]
        picked = rows[usable]
        if not picked.size:
            continue
        done[picked] = True
        nxt = better[usable]
        targets = np.array([np.nan if b.bound is None else b.bound for b in bands])[nxt]
        deltas = np.full(picked.size, np.nan)
        for k in np.unique(nxt):  # one solve per target band keeps the inclusive flag exact
            sel = nxt == k
            deltas[sel] = lever_amounts(
                sc, ctx, picked[sel], targets[sel], bands[k].kind == "min", bands[k].inclusive
            )
        goals = [
            f"达到 {b.holds_text()} {fmt.number(b.bound, sc.unit)} 可得 {_points_texts([b.points[0]], [b.points[1]])[0]}"
            for b in bands
        ]
        texts = [
            f"可提分：{sc.label} {v}（{now}），{goals[k]}{a}"
            for v, now, k, a in zip(
                fmt.numbers(columns.value[picked], sc.unit),
                _points_texts(columns.low[picked], columns.high[picked]),
                nxt.tolist(),
                _amount_texts(sc, deltas),
                strict=True,
            )
        ]
        out.append((picked, texts))
    return out


def _points_texts(low, high) -> list[str]:
    low, high = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
    lows, highs = fmt.numbers(low, ""), fmt.numbers(high, "points")
    return [
        h if a == b else f"{lo}–{h}"
        for a, b, lo, h in zip(low.tolist(), high.tolist(), lows, highs, strict=True)
    ]


# -- amounts --------------------------------------------------------------------------------------
def lever_amounts(
    c: Criterion,
    ctx: Context,
    rows: np.ndarray,
    target: np.ndarray,
    at_least: bool,
    inclusive: bool,
) -> np.ndarray:
    """The change d of the lever input (and the inputs moving with it) that meets the target."""
    expr = c.quantity
    needed = {*expr.fields, c.lever.field, *c.lever.together, "year", "founded"}
    base = {name: ctx.table.columns[name][rows] for name in needed}
    sub = EnterpriseTable([str(i) for i in rows.tolist()], base, {}, {})
    moved = (c.lever.field, *c.lever.together)
    context = Context(sub, ctx.on)  # reads sub.columns afresh on every evaluation

    def q(d: np.ndarray) -> np.ndarray:
        columns = dict(base)
        for name in moved:
            col = base[name].copy()
            if col.ndim == 2:
                col[:, YEARS - 1] += d
            else:
                col += d
            columns[name] = col
        sub.columns = columns
        return expr.evaluate(context)[0]

    def meets(value: np.ndarray) -> np.ndarray:
        return compare("min" if at_least else "max", inclusive, value, target)

    lever_now = base[c.lever.field]
    lever_now = lever_now[:, YEARS - 1] if lever_now.ndim == 2 else lever_now
    step = np.maximum(np.abs(np.nan_to_num(lever_now)), 1.0)
    q0, q1, q2 = q(np.zeros(rows.size)), q(step), q(2 * step)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = (q2 - 2 * q1 + q0) / (2 * (q1 - q2))
        r = np.where(np.isfinite(r), r, 0.0)
        slope = q1 - q0 + q1 * r
        d = step * (target - q0) / (slope - target * r)
    integer = FIELDS[c.lever.field].integer
    d = np.where(np.isfinite(d), d, np.nan)
    with np.errstate(invalid="ignore"):  # the fit is exact only if q(d) lands on the target
        exact = np.abs(q(np.nan_to_num(d)) - target) <= 1e-7 * np.maximum(1.0, np.abs(target))
    d = np.where(exact, d, np.nan)
    if not inclusive:  # a strict bound: one unit (or a hair) beyond the exact point
        d = d + np.where(d >= 0, 1, -1) * (1.0 if integer else 1e-6 * step)
    if integer:
        d = np.where(d >= 0, np.ceil(d - 1e-9), np.floor(d + 1e-9))
    ok = meets(q(np.nan_to_num(d))) & np.isfinite(d)
    if not ok.all():
        d = np.where(ok, d, _bisect(q, meets, step, integer, ~ok))
    if FIELDS[c.lever.field].minimum is not None:  # no negative staff, R&D or liabilities
        d = np.where(np.nan_to_num(lever_now + d, nan=-1) >= 0, d, np.nan)
    return d


def _bisect(q, meets, step: np.ndarray, integer: bool, todo: np.ndarray) -> np.ndarray:
    """The smallest change (up, else down) meeting the target, where the exact fit failed."""
    out = np.full(step.size, np.nan)
    for sign in (1.0, -1.0):
        rows = todo & np.isnan(out)
        if not rows.any():
            break
        high = np.where(rows, step * sign, 0.0)
        hit = meets(q(high)) & rows
        for _ in range(40):  # widen until the target is met, up to 2^40 × the lever's size
            grow = rows & ~hit
            if not grow.any():
                break
            high = np.where(grow, high * 2, high)
            hit = meets(q(high)) & rows
        low = np.zeros(step.size)
        for _ in range(60):
            mid = (low + high) / 2
            ok = meets(q(mid))
            high = np.where(hit & ok, mid, high)
            low = np.where(hit & ~ok, mid, low)
        if integer:
            high = np.where(high >= 0, np.ceil(high - 1e-9), np.floor(high + 1e-9))
        out = np.where(hit, high, out)
    return out
