"""Deterministic maximum-affinity assignment as an exact min-cost flow.

Covers conflicts, per-item demands, minimum and maximum loads, forced pairs and one group cap
(organisation *or* district): each reviewer belongs to at most one group, so "at most g of one
group on an item" is a capacity on an (item, group) node and the problem stays a flow problem,
whose optimum is integral. Quotas, a second group cap or fairness need the MILP solvers.
"""

from __future__ import annotations

import time

import numpy as np

from ..explain import explain_infeasibility
from ..messages import Message, SolverError, UnsupportedProblemError
from ..problem import AssignmentProblem
from ..result import AssignmentResult
from .base import SolveOptions, finish, infeasible_result, place_forced, totals_impossible
from .network import FlowSpec, solve_flow


def flow_unsupported(problem: AssignmentProblem, options: SolveOptions) -> Message | None:
    """Why the flow model cannot express this problem and mode, or None if it can."""
    if options.mode == "fair":
        return Message(
            "flow_no_fairness",
            "the flow solver maximises total affinity only; use 'milp' or 'cpsat' for --fair",
            "网络流求解器只能最大化总亲和度；公平模式请使用 milp 或 cpsat",
        )
    if problem.quotas:
        return Message(
            "flow_no_quotas",
            "category quotas are not a flow constraint; use 'milp' or 'cpsat'",
            "类别配额无法用网络流表达；请使用 milp 或 cpsat",
        )
    if len(problem.group_caps) > 1:
        return Message(
            "flow_one_group_cap",
            "the flow solver supports one group cap (e.g. organisation or district), not "
            f"{len(problem.group_caps)}; use 'milp' or 'cpsat'",
            f"网络流求解器只支持一种同组上限（单位或区县），当前有 {len(problem.group_caps)} 种；"
            "请使用 milp 或 cpsat",
        )
    return None


def default_candidates(problem: AssignmentProblem) -> int:
    # measured on the city-shaped benchmark: 4·k starts close enough that pricing adds only
    # a few thousand pairs; the answer does not depend on it
    return int(max(20, 4 * int(problem.per_item.max())))


def solve_min_cost_flow(problem: AssignmentProblem, options: SolveOptions) -> AssignmentResult:
    started = time.perf_counter()
    reason = flow_unsupported(problem, options)
    if reason is None and options.mode == "randomized":
        reason = Message(
            "flow_not_randomized",
            "use the 'randomized' solver for a probability cap",
            "随机模式请使用 randomized 求解器",
        )
    if reason is not None:
        raise UnsupportedProblemError(reason)
    remaining, findings = place_forced(problem)
    if remaining is None:
        return infeasible_result("flow", options.mode, started, findings)
    if totals_impossible(problem, remaining):
        return infeasible_result("flow", options.mode, started, explain_infeasibility(problem))
    group = problem.group_caps[0] if problem.group_caps else None
    spec = FlowSpec(problem, remaining, group)
    per_item = options.candidates_per_item or default_candidates(problem)
    out = solve_flow(spec, options, per_item)
    net, flows = out["network"], out["flows"]
    details = {
        "rounds": len(out["rounds"]),
        "candidate_pairs": int(len(out["candidates"].keys)),
        "history": out["rounds"],
    }
    if out["slack"] > 0:
        if not out["converged"]:
            raise SolverError(
                Message(
                    "time_limit_no_feasible",
                    f"time limit of {options.time_limit}s reached before a feasible assignment",
                    f"在 {options.time_limit} 秒时限内未找到可行分配",
                )
            )
        uncovered = np.flatnonzero(flows[net.kinds["slack"]] > 0)
        options.say("infeasible: explaining")
        return infeasible_result(
            "flow",
            options.mode,
            started,
            explain_infeasibility(problem, uncovered=uncovered),
            **{k: v for k, v in details.items() if k != "history"},
        )
    chosen = flows[net.kinds["pair"]] > 0
    cands = out["candidates"]
    pairs = np.concatenate(
        [np.stack([cands.reviewers[chosen], cands.items[chosen]], 1), remaining.forced]
    )
    return finish(
        problem,
        options,
        "flow",
        started,
        pairs,
        out["upper_bound"] + remaining.forced_affinity,
        proven_optimal=out["converged"],
        details=details,
    )
