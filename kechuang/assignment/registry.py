"""Solvers by name. An unknown name is an error, never a silent fallback."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .messages import Message, UnknownSolverError
from .problem import AssignmentProblem
from .result import AssignmentResult
from .solvers.base import SolveOptions

SolverFn = Callable[[AssignmentProblem, SolveOptions], AssignmentResult]


@dataclass(frozen=True)
class SolverInfo:
    name: str
    run: SolverFn
    description: str


def _flow(problem: AssignmentProblem, options: SolveOptions) -> AssignmentResult:
    from .solvers.flow import solve_min_cost_flow

    return solve_min_cost_flow(problem, options)


def _randomized(problem: AssignmentProblem, options: SolveOptions) -> AssignmentResult:
    from .solvers.randomized import solve_randomized

    return solve_randomized(problem, options)


def _milp(problem: AssignmentProblem, options: SolveOptions) -> AssignmentResult:
    from .solvers.general import solve_general

    return solve_general(problem, options, "highs")


def _cpsat(problem: AssignmentProblem, options: SolveOptions) -> AssignmentResult:
    from .solvers.general import solve_general

    return solve_general(problem, options, "cpsat")


def _auto(problem: AssignmentProblem, options: SolveOptions) -> AssignmentResult:
    return get_solver(choose_solver(problem, options)).run(problem, options)


_REGISTRY: dict[str, SolverInfo] = {
    info.name: info
    for info in (
        SolverInfo(
            "auto",
            _auto,
            "picks 'randomized' for a probability cap, 'flow' when the problem is a flow "
            "problem, else 'milp'",
        ),
        SolverInfo(
            "flow",
            _flow,
            "exact min-cost flow with pricing: conflicts, loads, forced pairs, one group cap",
        ),
        SolverInfo(
            "randomized",
            _randomized,
            "probability-capped LP (exact, as a flow) and dependent-rounding lottery, seeded",
        ),
        SolverInfo(
            "milp",
            _milp,
            "HiGHS MILP with an LP bound over the full matrix: quotas, several group caps, fair",
        ),
        SolverInfo(
            "cpsat",
            _cpsat,
            "OR-Tools CP-SAT on the same model as 'milp' (same LP bound)",
        ),
    )
}


def available_solvers() -> dict[str, str]:
    """Solver names and one-line descriptions."""
    return {name: info.description for name, info in _REGISTRY.items()}


def get_solver(name: str) -> SolverInfo:
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY))
        raise UnknownSolverError(
            Message(
                "unknown_solver",
                f"unknown solver '{name}'; choose one of: {known}",
                f"未知的求解器“{name}”；可选：{known}",
            )
        ) from None


def choose_solver(problem: AssignmentProblem, options: SolveOptions) -> str:
    """What 'auto' runs for this problem and mode."""
    from .solvers.flow import flow_unsupported

    if options.mode == "randomized":
        return "randomized"
    if options.mode == "total" and flow_unsupported(problem, options) is None:
        return "flow"
    return "milp"
