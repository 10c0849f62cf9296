"""`solve()`: the one call the rest of the platform needs."""

from __future__ import annotations

from .messages import problem_error
from .problem import AssignmentProblem
from .registry import get_solver
from .result import AssignmentResult
from .solvers.base import ProgressFn, SolveOptions


def solve(
    problem: AssignmentProblem,
    solver: str = "auto",
    *,
    fair: bool = False,
    prob_cap: float | None = None,
    seed: int | None = None,
    time_limit: float = 60.0,
    alternates: int = 0,
    candidates_per_item: int | None = None,
    progress: ProgressFn | None = None,
) -> AssignmentResult:
    """Assign reviewers to items.

    Modes: maximum total affinity (default); `fair=True` maximises the worst item's mean
    affinity, then the total; `prob_cap=q, seed=s` draws a reproducible lottery in which no
    pair has probability above q. `alternates=n` adds up to n stand-ins per item.
    Raises `ProblemError` for inconsistent options, `UnknownSolverError` for a bad name and
    `UnsupportedProblemError` when the named solver cannot express the problem.
    """
    info = get_solver(solver)
    if fair and prob_cap is not None:
        raise problem_error(
            "fair_and_randomized",
            "the fair and the randomised modes cannot be combined",
            "公平模式与随机模式不能同时使用",
        )
    if (prob_cap is None) != (seed is None):
        raise problem_error(
            "cap_and_seed_together",
            "a probability cap and a seed go together: randomness is always seeded, and a seed "
            "means nothing without a cap",
            "概率上限与随机种子必须同时给出：随机分配总要指定种子，而没有上限时种子无意义",
        )
    if time_limit <= 0 or alternates < 0:
        raise problem_error(
            "bad_limits",
            "time limit must be positive and alternates not negative",
            "时限必须为正数，候补人数不能为负",
        )
    mode = "fair" if fair else ("randomized" if prob_cap is not None else "total")
    options = SolveOptions(
        mode=mode,
        prob_cap=prob_cap,
        seed=seed,
        time_limit=time_limit,
        alternates=alternates,
        candidates_per_item=candidates_per_item,
        progress=progress,
    )
    result = info.run(problem, options)
    result.details.setdefault("requested_solver", solver)
    return result
