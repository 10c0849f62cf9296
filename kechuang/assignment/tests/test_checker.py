"""The independent checker catches every kind of broken assignment on its own."""

import numpy as np
import pytest

from kechuang.assignment import (
    AssignmentProblem,
    CategoryQuota,
    GroupCap,
    check_assignment,
    check_marginals,
)


@pytest.fixture
def problem():
    affinity = np.arange(12, dtype=float).reshape(4, 3)
    conflicts = np.zeros((4, 3), bool)
    conflicts[3, 2] = True
    return AssignmentProblem(
        affinity,
        per_item=1,
        max_load=1,
        min_load=[0, 0, 0, 0],
        conflicts=conflicts,
        group_caps=(GroupCap("organisation", np.array([0, 0, 1, -1]), 1),),
        quotas=(CategoryQuota("finance", np.array([False, True, False, False]), [0, 0, 0]),),
        forced=np.array([[0, 0]]),
    )


def test_a_valid_assignment_passes_and_its_objective_is_recounted(problem):
    report = check_assignment(problem, np.array([[0, 0], [1, 1], [2, 2]]))
    assert report.ok
    assert report.objective == pytest.approx(0 + 4 + 8)
    assert report.min_item_mean == pytest.approx(0.0)


def test_conflict_is_reported_with_reviewer_and_item(problem):
    report = check_assignment(problem, np.array([[0, 0], [1, 1], [3, 2]]))
    assert report.counts["conflict"] == 1
    message = next(m for m in report.violations if m.code == "conflict_assigned")
    assert message.reviewers == (3,) and message.items == (2,)
    assert "回避" in message.zh


def test_missing_and_extra_reviewers_break_coverage(problem):
    report = check_assignment(problem, np.array([[0, 0], [1, 0], [2, 2]]))
    assert report.counts["coverage"] == 2  # item 0 has two, item 1 none


def test_overloaded_reviewer_is_caught(problem):
    report = check_assignment(problem, np.array([[0, 0], [0, 1], [2, 2]]))
    assert report.counts["max_load"] == 1


def test_two_colleagues_on_one_item_break_the_group_cap():
    affinity = np.ones((3, 1))
    groups = (GroupCap("organisation", np.array([5, 5, 1]), 1, None),)
    problem = AssignmentProblem(affinity, per_item=2, max_load=1, group_caps=groups)
    report = check_assignment(problem, np.array([[0, 0], [1, 0]]))
    assert report.counts["group:organisation"] == 1
    assert check_assignment(problem, np.array([[0, 0], [2, 0]])).ok


def test_quota_shortfall_and_missing_forced_pair_are_reported():
    affinity = np.ones((3, 1))
    problem = AssignmentProblem(
        affinity,
        per_item=1,
        max_load=1,
        quotas=(CategoryQuota("finance", np.array([False, False, True]), 1),),
        forced=np.array([[1, 0]]),
    )
    report = check_assignment(problem, np.array([[0, 0]]))
    assert report.counts["quota:finance"] == 1
    assert report.counts["forced"] == 1


def test_duplicates_and_out_of_range_pairs_are_reported(problem):
    report = check_assignment(problem, np.array([[0, 0], [0, 0], [9, 1]]))
    assert report.counts["duplicate"] == 1
    assert report.counts["range"] == 1
    assert not report.ok


def test_minimum_load_shortfall_is_reported():
    problem = AssignmentProblem(np.ones((2, 1)), per_item=1, max_load=1, min_load=[1, 0])
    assert check_assignment(problem, np.array([[1, 0]])).counts["min_load"] == 1


def test_marginals_above_the_cap_are_reported():
    problem = AssignmentProblem(np.ones((2, 1)), per_item=1, max_load=1)
    assert check_marginals(problem, np.array([[0.5], [0.5]]), 0.5).ok
    report = check_marginals(problem, np.array([[0.8], [0.2]]), 0.5)
    assert report.counts["probability_cap"] == 1
