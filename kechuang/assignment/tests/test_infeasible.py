"""Infeasible problems are reported as such, with the reason in plain Chinese and English."""

import numpy as np
import pytest

from kechuang.assignment import (
    AssignmentProblem,
    CategoryQuota,
    GroupCap,
    explain_infeasibility,
    solve,
)


def codes(result):
    assert result.status == "infeasible"
    assert len(result.pairs) == 0  # never a partial answer
    assert result.explanation, "an infeasible run must say why"
    for message in result.explanation:
        assert message.en and message.zh
    return {m.code for m in result.explanation}


@pytest.mark.parametrize("solver", ["flow", "milp"])
def test_item_with_too_many_conflicts_is_named(solver):
    conflicts = np.zeros((4, 2), bool)
    conflicts[:3, 1] = True  # item 1 keeps a single eligible reviewer, needs two
    problem = AssignmentProblem(np.ones((4, 2)), per_item=2, max_load=2, conflicts=conflicts)
    result = solve(problem, solver)
    assert "too_many_conflicts" in codes(result)
    finding = next(m for m in result.explanation if m.code == "too_many_conflicts")
    assert finding.items == (1,)
    assert "回避" in finding.zh


def test_loads_too_tight_overall_are_explained_with_totals():
    problem = AssignmentProblem(np.ones((3, 4)), per_item=2, max_load=2)
    result = solve(problem, "flow")
    finding = next(m for m in result.explanation if m.code == "loads_too_tight")
    assert finding.data == {"demand": 8, "supply": 6}


def test_group_cap_that_leaves_an_item_short_is_explained():
    # four reviewers but only two organisations, one per organisation allowed, three needed
    groups = (GroupCap("organisation", np.array([0, 0, 1, 1]), 1),)
    problem = AssignmentProblem(np.ones((4, 1)), per_item=3, max_load=1, group_caps=groups)
    assert "group_cap_blocks" in codes(solve(problem, "flow"))


def test_impossible_quota_is_explained():
    quota = CategoryQuota("finance", np.array([True, False, False]), 2)
    problem = AssignmentProblem(np.ones((3, 1)), per_item=2, max_load=1, quotas=(quota,))
    assert "quota_impossible" in codes(solve(problem, "milp"))


def test_quota_members_without_enough_load_are_explained():
    quota = CategoryQuota("finance", np.array([True, False, False, False]), 1)
    problem = AssignmentProblem(np.ones((4, 2)), per_item=1, max_load=1, quotas=(quota,))
    assert "quota_supply" in codes(solve(problem, "milp"))


def test_minimum_load_nobody_can_reach_is_explained():
    conflicts = np.array([[True, True], [False, False], [False, False]])
    problem = AssignmentProblem(
        np.ones((3, 2)), per_item=1, max_load=2, min_load=[1, 0, 0], conflicts=conflicts
    )
    result = solve(problem, "flow")
    assert "min_load_unreachable" in codes(result)


def test_two_items_sharing_their_only_reviewer_are_named_by_the_cut():
    # each item alone looks fine (one eligible reviewer, needs one) but both need reviewer 0
    conflicts = np.array([[False, False, True], [True, True, False], [True, True, False]])
    problem = AssignmentProblem(np.ones((3, 3)), per_item=1, max_load=1, conflicts=conflicts)
    result = solve(problem, "flow")
    assert codes(result) == {"items_cannot_be_covered"}
    assert result.explanation[0].items == (0, 1)


def test_forced_pair_on_a_conflict_is_explained():
    problem = AssignmentProblem(
        np.ones((2, 1)),
        per_item=1,
        max_load=1,
        conflicts=np.array([[True], [False]]),
        forced=np.array([[0, 0]]),
    )
    assert "forced_conflict" in codes(solve(problem, "flow"))


def test_probability_cap_needs_enough_eligible_reviewers():
    problem = AssignmentProblem(np.ones((3, 1)), per_item=2, max_load=1)
    result = solve(problem, prob_cap=0.5, seed=1)
    assert "too_many_conflicts" in codes(result)
    assert "k/q" in result.explanation[0].en


def test_explanation_is_never_empty_even_for_combined_constraints():
    # two district caps and an organisation cap interact; no single count proves it
    orgs = GroupCap("organisation", np.array([0, 1, 2, 3]), 1)
    districts = GroupCap("district", np.array([0, 0, 1, 1]), 1)
    quota = CategoryQuota("finance", np.array([True, True, False, False]), 2)
    problem = AssignmentProblem(
        np.ones((4, 1)), per_item=2, max_load=1, group_caps=(orgs, districts), quotas=(quota,)
    )
    findings = explain_infeasibility(problem)
    assert findings
    assert solve(problem, "milp").status == "infeasible"
