"""Entry points of the general solvers ('milp' with HiGHS, 'cpsat' with OR-Tools CP-SAT)."""

from __future__ import annotations

import time

import numpy as np

from ..explain import explain_infeasibility, necessary_conditions
from ..messages import Message, SolverError, UnsupportedProblemError
from ..problem import AssignmentProblem
from ..result import AssignmentResult
from .base import SolveOptions, finish, infeasible_result, place_forced
from .fair import solve_fair
from .flow import default_candidates
from .milp import StageOutcome, initial_general_candidates, integer_stage
from .model import ModelSpec


def solve_general(
    problem: AssignmentProblem, options: SolveOptions, backend: str
) -> AssignmentResult:
    name = "cpsat" if backend == "cpsat" else "milp"
    started = time.perf_counter()
    if options.mode == "randomized":
        raise UnsupportedProblemError(
            Message(
                "general_not_randomized",
                f"'{name}' is deterministic; use the 'randomized' solver for a probability cap",
                f"{name} 是确定性求解器；随机模式请使用 randomized",
            )
        )
    remaining, findings = place_forced(problem)
    if remaining is None:
        return infeasible_result(name, options.mode, started, findings)
    findings = necessary_conditions(problem)
    if findings:
        return infeasible_result(name, options.mode, started, findings)
    deadline = started + options.time_limit
    per_item = options.candidates_per_item or default_candidates(problem)

    if options.mode == "total":
        spec = ModelSpec(problem, remaining, "total")
        cands = initial_general_candidates(problem, spec, per_item, None)
        out = integer_stage(spec, cands, options, backend, "total", None, _left(deadline))
        if out.pairs is None:
            return _no_solution(problem, options, name, started, out)
        return finish(
            problem,
            options,
            name,
            started,
            np.concatenate([out.pairs, remaining.forced]),
            out.bound + remaining.forced_affinity,
            proven_optimal=True,
            details={"candidate_pairs": int(len(out.cands.keys))},
        )
    return solve_fair(problem, options, backend, name, started, remaining, per_item, _no_solution)


def _no_solution(
    problem: AssignmentProblem,
    options: SolveOptions,
    name: str,
    started: float,
    out: StageOutcome,
) -> AssignmentResult:
    if out.bound == -np.inf:
        return infeasible_result(name, options.mode, started, explain_infeasibility(problem))
    raise SolverError(
        Message(
            "no_integer_solution",
            f"no assignment found within {options.time_limit}s although the LP relaxation is "
            "feasible; raise the time limit or the candidates per item",
            f"在 {options.time_limit} 秒内未找到分配方案，但线性松弛可行；请增加时限或候选人数",
        )
    )


def _left(deadline: float) -> float:
    return max(1.0, deadline - time.perf_counter())
