"""Pieces every solver shares: options, progress, forced pairs, and turning pairs into a result."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from ..alternates import pick_alternates
from ..checker import check_assignment
from ..explain import explain_forced
from ..messages import Message, SolverError
from ..problem import AssignmentProblem
from ..result import OPTIMALITY_TOLERANCE, AssignmentResult, relative_gap

Mode = Literal["total", "fair", "randomized"]
ProgressFn = Callable[[str], None]


@dataclass
class SolveOptions:
    """How to solve, as opposed to what (the problem).

    `candidates_per_item` is the starting top-m per item; the flow solvers add whatever pricing
    shows is missing, so it only affects speed, never the answer or the bound.
    """

    mode: Mode = "total"
    prob_cap: float | None = None
    seed: int | None = None
    time_limit: float = 60.0
    alternates: int = 0
    candidates_per_item: int | None = None
    progress: ProgressFn | None = None

    def say(self, text: str) -> None:
        if self.progress is not None:
            self.progress(text)


@dataclass
class Remaining:
    """The problem left after forced pairs are placed first."""

    demand: np.ndarray
    max_load: np.ndarray
    min_load: np.ndarray
    forced: np.ndarray
    forced_keys: np.ndarray
    forced_affinity: float
    quota_left: list[np.ndarray]


def place_forced(problem: AssignmentProblem) -> tuple[Remaining | None, list[Message]]:
    """Subtract forced pairs from demands and loads; any impossibility is explained instead."""
    findings = explain_forced(problem)
    if findings:
        return None, findings
    forced = problem.forced
    r, i = forced[:, 0], forced[:, 1]
    per_item = np.bincount(i, minlength=problem.n_items)
    load = np.bincount(r, minlength=problem.n_reviewers)
    quota_left = [
        np.maximum(0, q.minimum - np.bincount(i[q.members[r]], minlength=problem.n_items))
        for q in problem.quotas
    ]
    return (
        Remaining(
            demand=problem.per_item - per_item,
            max_load=problem.max_load - load,
            min_load=np.maximum(0, problem.min_load - load),
            forced=forced,
            forced_keys=np.sort(i * problem.n_reviewers + r),
            forced_affinity=float(problem.pair_affinity(r, i).sum()),
            quota_left=quota_left,
        ),
        [],
    )


def totals_impossible(problem: AssignmentProblem, remaining: Remaining) -> bool:
    """Load totals alone rule the problem out (checked after forced pairs took their slots)."""
    return bool(
        remaining.min_load.sum() > remaining.demand.sum()
        or problem.max_load.sum() < problem.total_demand
    )


def infeasible_result(
    solver: str, mode: str, started: float, findings: list[Message], **details: object
) -> AssignmentResult:
    return AssignmentResult(
        status="infeasible",
        solver=solver,
        mode=mode,
        seconds=time.perf_counter() - started,
        explanation=findings,
        details=dict(details),
    )


def finish(
    problem: AssignmentProblem,
    options: SolveOptions,
    solver: str,
    started: float,
    pairs: np.ndarray,
    upper_bound: float | None,
    *,
    proven_optimal: bool = True,
    marginals: object = None,
    details: dict | None = None,
) -> AssignmentResult:
    """Check the pairs independently, then build the result; a rejected answer is a bug."""
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    order = np.lexsort((pairs[:, 0], pairs[:, 1]))
    pairs = pairs[order]
    report = check_assignment(problem, pairs)
    if not report.ok:
        raise SolverError(
            Message(
                "checker_rejected",
                f"solver '{solver}' returned an assignment that breaks constraints: "
                f"{report.summary()['violations']}",
                f"求解器“{solver}”给出的分配违反约束：{report.summary()['violations']}",
            )
        )
    objective = report.objective
    if upper_bound is not None and upper_bound < objective:
        # the bound is computed in floating point; never let rounding show a negative gap
        upper_bound = objective
    gap = relative_gap(objective, upper_bound)
    optimal = proven_optimal and gap is not None and gap <= OPTIMALITY_TOLERANCE
    details = dict(details or {})
    if report.min_item_mean is not None:
        details.setdefault("min_item_mean", report.min_item_mean)
    alternates = (
        pick_alternates(problem, pairs, options.alternates) if options.alternates > 0 else {}
    )
    return AssignmentResult(
        status="optimal" if optimal else "feasible",
        solver=solver,
        mode=options.mode,
        seconds=time.perf_counter() - started,
        pairs=pairs,
        objective=objective,
        upper_bound=upper_bound,
        report=report,
        alternates=alternates,
        marginals=marginals,
        details=details,
    )
