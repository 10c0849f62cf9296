"""General solvers: MILP (HiGHS) or CP-SAT on a candidate set priced against the full matrix.

Used when the flow model cannot express the problem: category quotas, several group caps
(organisation and district), or the fairness mode. The LP relaxation is solved by column
generation (`model.py`) so its bound holds for every pair; the integer problem is then solved
on the final candidate set, warm-started when a good assignment is known.

Fair mode is lexicographic: first the largest t such that every item's mean affinity is at
least t, then the largest total among assignments meeting that floor. The max-total
assignment is computed first: when its worst item already reaches the LP bound on t (common:
the worst item is limited by its own conflicts, not by competition), both stages are proven
at once and no integer program runs.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass

import highspy
import numpy as np

from ..messages import Message, SolverError
from ..problem import AssignmentProblem
from .base import SolveOptions
from .candidates import Candidates, top_pairs
from .model import ModelSpec, PairModel
from .model_pricing import price_model

#: LP column generation stops at this relative distance between LP value and bound
LP_STOP = 1e-7
#: the fairness bound needs less precision: its gap is reported, not used for "optimal"
FAIR_LP_STOP = 1e-5


@dataclass
class StageOutcome:
    pairs: np.ndarray | None  # (reviewer, item) excluding forced pairs; None = none found
    value: float | None  # stage objective (total affinity or floor t), forced pairs included
    bound: float  # proven bound on the stage objective over the full matrix
    cands: Candidates


def run_highs(
    model: PairModel,
    integer: bool,
    time_limit: float,
    warm: np.ndarray | None = None,
) -> dict:
    lp = highspy.HighsLp()
    lp.num_col_ = model.n_cols
    lp.num_row_ = model.n_rows
    lp.col_cost_ = model.col_cost
    lp.col_lower_ = model.col_lower
    lp.col_upper_ = model.col_upper
    lp.row_lower_ = model.row_lower
    lp.row_upper_ = model.row_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = model.matrix.indptr
    lp.a_matrix_.index_ = model.matrix.indices
    lp.a_matrix_.value_ = model.matrix.data
    if integer:
        kinds = [highspy.HighsVarType.kContinuous] * model.n_cols
        kinds[: model.n_x] = [highspy.HighsVarType.kInteger] * model.n_x
        lp.integrality_ = kinds
    h = _new_highs()
    h.setOptionValue("time_limit", float(max(1.0, time_limit)))
    h.setOptionValue("mip_rel_gap", 1e-7)
    h.setOptionValue("random_seed", 0)
    if not integer and "fair" in model.blocks:
        # measured: the max-min LP is degenerate; interior point (with crossover, so duals
        # stay basic) solves it ~4× faster than dual simplex on the 500 × 5,000 instance
        h.setOptionValue("solver", "ipm")
    h.passModel(lp)
    if integer and warm is not None:
        sol = highspy.HighsSolution()
        sol.col_value = list(warm)
        sol.value_valid = True
        h.setSolution(sol)
    h.run()
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kModelEmpty:
        # nothing left to decide (every demand met by forced pairs, or none at all)
        zeros = np.zeros(model.n_cols)
        return {
            "status": "Optimal",
            "x": zeros,
            "row_dual": np.zeros(model.n_rows),
            "objective": 0.0,
        }
    solution = h.getSolution()
    info = h.getInfo()
    has_values = bool(solution.value_valid)
    return {
        "status": h.modelStatusToString(status),
        "x": np.asarray(solution.col_value) if has_values else None,
        "row_dual": np.asarray(solution.row_dual) if solution.dual_valid else None,
        "objective": info.objective_function_value if has_values else None,
    }


def _new_highs() -> highspy.Highs:
    """A silent HiGHS instance. The first construction prints a banner on file descriptor 1
    before any option can be set; send it to stderr so stdout stays machine-readable."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    return h


def lp_bound(
    spec: ModelSpec,
    cands: Candidates,
    options: SolveOptions,
    label: str,
    time_limit: float | None = None,
    stop_gap: float = LP_STOP,
) -> dict:
    """Column generation until the LP over the candidates is the LP over the whole matrix.

    Every round's bound is valid for the full problem, so stopping early (time) only keeps
    the best bound seen rather than the exact LP value.
    """
    started = time.perf_counter()
    limit = options.time_limit if time_limit is None else time_limit
    add_per_item = 10
    rounds = 0
    best_lower = -np.inf
    last_value = np.inf
    while True:
        rounds += 1
        model = PairModel(spec, cands)
        out = run_highs(model, integer=False, time_limit=max(1.0, limit))
        if out["row_dual"] is None or out["x"] is None:
            raise SolverError(
                Message(
                    "lp_failed",
                    f"the LP relaxation ({label}) ended with status {out['status']}",
                    f"线性松弛（{label}）求解失败：{out['status']}",
                )
            )
        y = model.clip_duals(out["row_dual"])
        outside, add = price_model(spec, model, y, add_per_item)
        best_lower = max(best_lower, model.bound_inside(y) + outside)
        value = float(out["objective"])
        slack = model.slack_used(out["x"])
        options.say(
            f"{label} LP round {rounds}: {len(cands.keys):,} pairs, value {-value:.6g}, "
            f"bound {-best_lower:.6g}, {len(add[0]):,} pairs to add"
        )
        done = not len(add[0]) or value - best_lower <= stop_gap * max(1.0, abs(value))
        if done or time.perf_counter() - started > limit:
            return {
                "model": model,
                "x": out["x"],
                "value": -value,
                "bound": -best_lower,
                "slack": slack,
                "converged": done,
                "rounds": rounds,
            }
        if value >= last_value - stop_gap * max(1.0, abs(value)):
            # LP value stalled, only the bound moves: degenerate duals, ask for more per item
            add_per_item = min(add_per_item * 2, 1024)
        last_value = value
        cands.add(*add)


def initial_general_candidates(
    problem: AssignmentProblem, spec: ModelSpec, per_item: int, warm: np.ndarray | None
) -> Candidates:
    rem = spec.remaining
    rs, its = [], []
    r, i = top_pairs(problem, rem, per_item)
    rs.append(r)
    its.append(i)
    k = int(problem.per_item.max())
    for quota in problem.quotas:
        # each quota needs enough members per item from the start
        need = int(np.max(quota.minimum, initial=0))
        if need > 0:
            r, i = top_pairs(problem, rem, 3 * need + k, 0, rows_allowed=quota.members)
            rs.append(r)
            its.append(i)
    if warm is not None and len(warm):
        rs.append(warm[:, 0])
        its.append(warm[:, 1])
    reviewers = np.concatenate(rs).astype(np.int64)
    items = np.concatenate(its).astype(np.int64)
    keep = ~np.isin(items * problem.n_reviewers + reviewers, rem.forced_keys)
    keep &= rem.demand[items] > 0
    for fam in spec.families:
        labels = fam.group.labels[reviewers]
        keep &= ~((labels >= 0) & (fam.cap_left(items * fam.n_groups + labels) <= 0))
    reviewers, items = reviewers[keep], items[keep]
    return Candidates(
        reviewers, items, problem.pair_affinity(reviewers, items), problem.n_reviewers
    )


def integer_stage(
    spec: ModelSpec,
    cands: Candidates,
    options: SolveOptions,
    backend: str,
    label: str,
    warm: np.ndarray | None,
    time_limit: float,
    lp: dict | None = None,
    lp_time: float | None = None,
) -> StageOutcome:
    """LP bound over the full matrix, then the integer program on the final candidates."""
    lp = lp or lp_bound(spec, cands, options, label, lp_time)
    if lp["slack"] > 1e-6:
        proven = _phase_one_infeasible(spec, lp["model"].cands, options)
        if proven:
            return StageOutcome(None, None, -np.inf, cands)
    model = PairModel(spec, cands)
    warm_x = _warm_vector(model, warm, spec)
    options.say(f"{label}: integer program on {len(cands.keys):,} pairs ({backend})")
    if backend == "cpsat":
        from .cpsat import solve_cpsat

        x = solve_cpsat(model, time_limit, warm_x)
    else:
        out = run_highs(model, integer=True, time_limit=time_limit, warm=warm_x)
        x = out["x"]
    if x is None or model.slack_used(x) > 0.5:
        return StageOutcome(None, None, lp["bound"], cands)
    chosen = x[: model.n_x] > 0.5
    pairs = np.stack([cands.reviewers[chosen], cands.items[chosen]], 1)
    value = float(x[model.t_col]) if model.t_col is not None else float(cands.scores[chosen].sum())
    if spec.stage == "total":
        value += spec.remaining.forced_affinity
    return StageOutcome(pairs, value, lp["bound"], cands)


def _warm_vector(model: PairModel, warm: np.ndarray | None, spec: ModelSpec) -> np.ndarray | None:
    if warm is None or not len(warm):
        return None
    x = np.zeros(model.n_cols)
    keys = warm[:, 1] * spec.problem.n_reviewers + warm[:, 0]
    at = np.searchsorted(model.cands.keys, keys)
    ok = (at < len(model.cands.keys)) & (
        model.cands.keys[np.minimum(at, len(model.cands.keys) - 1)] == keys
    )
    x[at[ok]] = 1.0
    if model.t_col is not None:
        x[model.t_col] = min(min_item_mean(spec, warm), spec.t_hi)
    return x


def _phase_one_infeasible(spec: ModelSpec, cands: Candidates, options: SolveOptions) -> bool:
    """Minimise total slack over the full matrix; a positive bound proves infeasibility."""
    phase = ModelSpec(spec.problem, spec.remaining, "phase1", spec.floor)
    out = lp_bound(phase, cands, options, "feasibility")
    # "bound" is in maximisation form: −(lower bound on the least total slack)
    return -out["bound"] > 1e-6


def min_item_mean(spec: ModelSpec, pairs: np.ndarray) -> float:
    """Worst mean affinity over items that need reviewers, forced reviewers included."""
    p = spec.problem
    scores = p.pair_affinity(pairs[:, 0], pairs[:, 1])
    totals = np.bincount(pairs[:, 1], weights=scores, minlength=p.n_items) + spec.forced_score
    needed = p.per_item > 0
    return float(np.min(totals[needed] / spec.k[needed], initial=np.inf))
