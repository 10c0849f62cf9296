"""Property tests: whatever a solver returns satisfies every constraint of its problem.

Problems are tiny enough for exhaustive search, so the tests also check the solver against
the truth: an infeasible verdict only when nothing is feasible, the optimum when it says
optimal, and an upper bound that really bounds.
"""

import numpy as np
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kechuang.assignment import (
    AssignmentProblem,
    CategoryQuota,
    GroupCap,
    check_assignment,
    check_marginals,
    solve,
)

from .brute import best_fair, best_total

SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def problems(draw, groups: bool = True, quotas: bool = False, forced: bool = True):
    n_rev = draw(st.integers(2, 6))
    n_items = draw(st.integers(1, 3))
    affinity = np.array(
        draw(st.lists(st.integers(0, 9), min_size=n_rev * n_items, max_size=n_rev * n_items)),
        dtype=float,
    ).reshape(n_rev, n_items)
    conflicts = np.array(
        draw(st.lists(st.booleans(), min_size=n_rev * n_items, max_size=n_rev * n_items))
    ).reshape(n_rev, n_items) & (draw(st.integers(0, 3)) == 0)
    per_item = np.array(draw(st.lists(st.integers(0, 2), min_size=n_items, max_size=n_items)))
    loads = st.sampled_from([0, 1, 1, 2, 2, 3])
    max_load = np.array(draw(st.lists(loads, min_size=n_rev, max_size=n_rev)))
    min_load = np.minimum(
        max_load, np.array(draw(st.lists(st.integers(0, 1), min_size=n_rev, max_size=n_rev)))
    )
    if draw(st.booleans()):
        min_load[:] = 0
    group_caps = ()
    if groups and draw(st.booleans()):
        labels = np.array(draw(st.lists(st.integers(-1, 2), min_size=n_rev, max_size=n_rev)))
        group_caps = (GroupCap("organisation", labels, draw(st.integers(1, 2))),)
    quota_list = ()
    if quotas and draw(st.booleans()):
        members = np.array(draw(st.lists(st.booleans(), min_size=n_rev, max_size=n_rev)))
        quota_list = (CategoryQuota("finance", members, draw(st.integers(0, 1))),)
    forced_pairs = None
    if forced and draw(st.integers(0, 3)) == 0:
        forced_pairs = np.array(
            [[draw(st.integers(0, n_rev - 1)), draw(st.integers(0, n_items - 1))]]
        )
    if draw(st.booleans()):
        affinity = sp.csr_array(affinity)
        conflicts = sp.csc_array(conflicts)
    return AssignmentProblem(
        affinity,
        per_item=per_item,
        max_load=max_load,
        min_load=min_load,
        conflicts=conflicts,
        group_caps=group_caps,
        quotas=quota_list,
        forced=forced_pairs,
    )


def assert_consistent_with_truth(problem, result, truth):
    if truth is None:
        assert result.status == "infeasible"
        assert result.explanation
        return
    assert result.status in ("optimal", "feasible"), result.explanation
    assert check_assignment(problem, result.pairs).ok
    assert result.upper_bound >= truth - 1e-6
    assert result.objective <= truth + 1e-9
    if result.status == "optimal":
        assert abs(result.objective - truth) <= 1e-6 * max(1.0, abs(truth))


@settings(max_examples=60, **SETTINGS)
@given(problems())
def test_flow_answers_are_valid_and_optimal(problem):
    assert_consistent_with_truth(problem, solve(problem, "flow"), best_total(problem))


@settings(max_examples=30, **SETTINGS)
@given(problems(quotas=True))
def test_milp_answers_are_valid_and_optimal(problem):
    assert_consistent_with_truth(problem, solve(problem, "milp"), best_total(problem))


@settings(max_examples=15, **SETTINGS)
@given(problems(quotas=True))
def test_cpsat_answers_are_valid(problem):
    assert_consistent_with_truth(problem, solve(problem, "cpsat"), best_total(problem))


@settings(max_examples=40, **SETTINGS)
@given(problems(), st.sampled_from([0.5, 0.34, 1.0]), st.integers(0, 1000))
def test_randomised_draws_satisfy_every_constraint(problem, cap, seed):
    result = solve(problem, prob_cap=cap, seed=seed)
    if result.status == "infeasible":
        assert result.explanation
        return
    assert check_assignment(problem, result.pairs).ok
    assert check_marginals(problem, result.marginals, cap).ok


@settings(max_examples=20, **SETTINGS)
@given(problems(forced=False))
def test_fair_answers_are_valid_and_never_worse_than_the_truth_allows(problem):
    truth = best_fair(problem)
    result = solve(problem, "milp", fair=True)
    if truth is None:
        assert result.status == "infeasible"
        return
    assert check_assignment(problem, result.pairs).ok
    if not (problem.per_item > 0).any():
        return  # no item needs anyone: nothing to be fair about
    worst, total = truth
    assert result.details["min_item_mean"] <= worst + 1e-9
    assert result.details["fairness_bound"] >= worst - 1e-6
    if result.status == "optimal":
        assert abs(result.details["min_item_mean"] - worst) <= 1e-6
        assert abs(result.objective - total) <= 1e-6 * max(1.0, total)
