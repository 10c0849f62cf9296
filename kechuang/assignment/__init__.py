"""Expert assignment: reviewers × items, with conflicts, loads, caps, quotas and fairness.

Plain arrays in, an `AssignmentResult` out; no Django. Typical use:

    from kechuang.assignment import AssignmentProblem, GroupCap, solve
    problem = AssignmentProblem(affinity, per_item=5, max_load=3, conflicts=conflicts,
                                group_caps=(GroupCap("organisation", org_of_reviewer, 1),))
    result = solve(problem)                    # exact, with a proven bound
    result.status, result.pairs, result.report.ok, result.explanation
"""

from .api import solve
from .checker import CheckReport, check_assignment, check_marginals
from .explain import explain_infeasibility
from .messages import (
    AssignmentError,
    Message,
    ProblemError,
    SolverError,
    UnknownSolverError,
    UnsupportedProblemError,
)
from .problem import AssignmentProblem, CategoryQuota, GroupCap
from .registry import available_solvers, choose_solver, get_solver
from .result import AssignmentResult

__all__ = [
    "AssignmentError",
    "AssignmentProblem",
    "AssignmentResult",
    "CategoryQuota",
    "CheckReport",
    "GroupCap",
    "Message",
    "ProblemError",
    "SolverError",
    "UnknownSolverError",
    "UnsupportedProblemError",
    "available_solvers",
    "check_assignment",
    "check_marginals",
    "choose_solver",
    "explain_infeasibility",
    "get_solver",
    "solve",
]
