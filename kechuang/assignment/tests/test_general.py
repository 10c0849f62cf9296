"""The general solvers (HiGHS MILP, CP-SAT): quotas, two group caps, fairness."""

import numpy as np
import pytest

from kechuang.assignment import (
    AssignmentProblem,
    CategoryQuota,
    GroupCap,
    UnsupportedProblemError,
    solve,
)

from .brute import best_fair, best_total


def small_problem(seed: int, **extra):
    rng = np.random.default_rng(seed)
    affinity = rng.random((7, 3)).round(3)
    return AssignmentProblem(affinity, per_item=2, max_load=1, **extra)


@pytest.mark.parametrize("solver", ["milp", "cpsat"])
def test_finance_quota_puts_a_finance_expert_on_every_item(solver):
    finance = np.array([True, True, True, False, False, False, False])
    problem = small_problem(1, quotas=(CategoryQuota("finance", finance, 1),))
    result = solve(problem, solver)
    assert result.status == "optimal"
    for item in range(3):
        panel = result.pairs[result.pairs[:, 1] == item, 0]
        assert finance[panel].sum() >= 1
    assert result.objective == pytest.approx(best_total(problem), abs=1e-9)


@pytest.mark.parametrize("solver", ["milp", "cpsat"])
def test_organisation_and_district_caps_hold_together(solver):
    orgs = GroupCap("organisation", np.array([0, 0, 1, 2, 3, 3, 4]), 1)
    districts = GroupCap("district", np.array([0, 0, 0, 1, 1, 1, 2]), 1)
    problem = small_problem(2, group_caps=(orgs, districts))
    result = solve(problem, solver)
    assert result.report.ok
    assert result.objective == pytest.approx(best_total(problem), abs=1e-9)


def test_flow_refuses_quotas_and_names_the_alternatives():
    problem = small_problem(3, quotas=(CategoryQuota("finance", np.ones(7, bool), 1),))
    with pytest.raises(UnsupportedProblemError, match="milp"):
        solve(problem, "flow")


def test_auto_routes_quota_problems_to_the_milp():
    problem = small_problem(3, quotas=(CategoryQuota("finance", np.ones(7, bool), 1),))
    assert solve(problem).solver == "milp"


@pytest.mark.parametrize("solver", ["milp", "cpsat"])
def test_fair_mode_gives_up_total_to_lift_the_worst_item(solver):
    # max total: reviewer 0 → item 0 (10) and reviewer 1 → item 1 (0): worst item scores 0.
    # fair: reviewer 0 → item 1 (4), reviewer 1 → item 0 (5): worst 4, total 9.
    problem = AssignmentProblem(np.array([[10.0, 4.0], [5.0, 0.0]]), per_item=1, max_load=1)
    assert solve(problem, "flow").report.min_item_mean == 0.0
    result = solve(problem, solver, fair=True)
    assert result.status == "optimal"
    assert result.details["min_item_mean"] == pytest.approx(4.0)
    assert result.objective == pytest.approx(9.0)


def test_fair_mode_matches_exhaustive_search_lexicographically():
    for seed in range(6):
        problem = small_problem(seed, group_caps=(GroupCap("org", np.arange(7) % 3, 1),))
        result = solve(problem, "milp", fair=True)
        worst, total = best_fair(problem)
        assert result.details["min_item_mean"] == pytest.approx(worst, abs=1e-9)
        assert result.objective == pytest.approx(total, abs=1e-9)
        assert result.details["fairness_gap"] >= 0


def test_milp_with_forced_pairs_and_minimum_loads_matches_exhaustive_search():
    problem = small_problem(
        4,
        forced=np.array([[6, 2]]),
        min_load=[0, 0, 0, 0, 0, 1, 0],
        quotas=(CategoryQuota("finance", np.array([1, 1, 1, 0, 0, 0, 0], bool), 1),),
    )
    result = solve(problem, "milp")
    assert (6, 2) in set(map(tuple, result.pairs))
    assert result.objective == pytest.approx(best_total(problem), abs=1e-9)


def test_milp_bound_holds_for_the_full_matrix_when_pruned_to_one_candidate():
    rng = np.random.default_rng(9)
    affinity = rng.random((15, 4))
    finance = np.arange(15) % 3 == 0
    problem = AssignmentProblem(
        affinity, per_item=3, max_load=1, quotas=(CategoryQuota("finance", finance, 1),)
    )
    full = solve(problem, "milp", candidates_per_item=15)
    pruned = solve(problem, "milp", candidates_per_item=1)
    assert pruned.upper_bound >= full.objective - 1e-9
    assert pruned.objective == pytest.approx(full.objective, abs=1e-9)
