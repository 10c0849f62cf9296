"""The exact flow solver on matrices small enough to know the answer."""

import numpy as np
import pytest
import scipy.sparse as sp

from kechuang.assignment import AssignmentProblem, GroupCap, solve

from .brute import best_total


def test_two_by_two_swap_beats_greedy_first_choice():
    # greedy would give item 0 its favourite (10) and leave item 1 with 0; the optimum swaps
    affinity = np.array([[10.0, 9.0], [8.0, 0.0]])
    result = solve(AssignmentProblem(affinity, per_item=1, max_load=1), "flow")
    assert result.status == "optimal"
    assert result.objective == pytest.approx(17.0)
    assert sorted(map(tuple, result.pairs)) == [(0, 1), (1, 0)]


def test_optimum_matches_exhaustive_search_on_random_small_matrices():
    rng = np.random.default_rng(7)
    for _ in range(20):
        affinity = rng.random((6, 3)).round(3)
        problem = AssignmentProblem(affinity, per_item=2, max_load=rng.integers(1, 3, 6))
        result = solve(problem, "flow")
        assert result.status == "optimal"
        assert result.objective == pytest.approx(best_total(problem), abs=1e-9)
        assert result.upper_bound >= result.objective - 1e-9


def test_group_cap_keeps_two_colleagues_off_one_item():
    # reviewers 0 and 1 are colleagues and the best pair for item 0; the cap splits them
    affinity = np.array([[9.0, 1.0], [9.0, 1.0], [5.0, 5.0], [4.0, 4.0]])
    groups = (GroupCap("organisation", np.array([0, 0, 1, 2]), 1),)
    problem = AssignmentProblem(affinity, per_item=2, max_load=1, group_caps=groups)
    result = solve(problem, "flow")
    panel = sorted(result.pairs[result.pairs[:, 1] == 0, 0])
    assert not {0, 1} <= set(panel)
    assert result.objective == pytest.approx(best_total(problem))
    assert result.report.ok


def test_conflicted_reviewer_is_never_assigned_even_when_best():
    affinity = np.array([[100.0], [1.0], [2.0]])
    conflicts = np.array([[True], [False], [False]])
    result = solve(AssignmentProblem(affinity, 2, 1, conflicts=conflicts), "flow")
    assert 0 not in result.pairs[:, 0]
    assert result.objective == pytest.approx(3.0)


def test_minimum_load_puts_a_weak_reviewer_to_work():
    affinity = np.array([[5.0, 5.0], [4.0, 4.0], [0.1, 0.1]])
    problem = AssignmentProblem(affinity, per_item=1, max_load=2, min_load=[0, 0, 1])
    result = solve(problem, "flow")
    assert 2 in result.pairs[:, 0]
    assert result.objective == pytest.approx(best_total(problem))


def test_forced_pair_is_kept_and_counted_in_the_objective():
    affinity = np.array([[5.0, 1.0], [1.0, 5.0], [3.0, 3.0]])
    forced = np.array([[2, 0]])
    problem = AssignmentProblem(affinity, per_item=1, max_load=1, forced=forced)
    result = solve(problem, "flow")
    assert (2, 0) in set(map(tuple, result.pairs))
    assert result.objective == pytest.approx(8.0)
    assert result.upper_bound == pytest.approx(8.0, abs=1e-6)


def test_per_item_override_gives_one_item_a_larger_panel():
    affinity = np.ones((5, 2))
    result = solve(AssignmentProblem(affinity, per_item=[3, 1], max_load=1), "flow")
    assert np.bincount(result.pairs[:, 1]).tolist() == [3, 1]


def test_pruning_to_one_candidate_per_item_still_reaches_the_optimum():
    # pricing must pull in every arc the top-1 start leaves out
    rng = np.random.default_rng(3)
    affinity = rng.random((12, 5))
    groups = (GroupCap("organisation", rng.integers(0, 4, 12), 1),)
    problem = AssignmentProblem(affinity, per_item=2, max_load=1, group_caps=groups)
    full = solve(problem, "flow", candidates_per_item=12)
    pruned = solve(problem, "flow", candidates_per_item=1)
    assert pruned.status == "optimal"
    assert pruned.objective == pytest.approx(full.objective, abs=1e-9)
    assert pruned.details["rounds"] > 1


def test_sparse_affinity_gives_the_same_answer_as_dense():
    rng = np.random.default_rng(5)
    dense = rng.random((10, 4)) * (rng.random((10, 4)) < 0.4)
    conflicts = rng.random((10, 4)) < 0.2
    a = solve(AssignmentProblem(dense, 2, 1, conflicts=conflicts), "flow")
    b = solve(
        AssignmentProblem(sp.csr_array(dense), 2, 1, conflicts=sp.coo_array(conflicts)), "flow"
    )
    assert a.objective == pytest.approx(b.objective)
    assert b.report.ok


def test_alternates_have_spare_load_and_no_conflict():
    rng = np.random.default_rng(1)
    affinity = rng.random((8, 3))
    conflicts = np.zeros((8, 3), bool)
    conflicts[7, 0] = True
    problem = AssignmentProblem(affinity, per_item=2, max_load=1, conflicts=conflicts)
    result = solve(problem, "flow", alternates=2)
    assigned = set(result.pairs[:, 0])
    for item, alternates in result.alternates.items():
        assert len(alternates) == 2
        assert not set(alternates) & assigned  # load 1: assigned reviewers have no room
        assert item != 0 or 7 not in alternates
        scores = affinity[alternates, item]
        assert list(scores) == sorted(scores, reverse=True)
