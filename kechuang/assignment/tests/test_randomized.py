"""The randomised mode: capped marginals, exact sampling, reproducible by seed."""

import numpy as np
import pytest

from kechuang.assignment import AssignmentProblem, GroupCap, check_marginals, solve
from kechuang.assignment.solvers.randomized import probability_units
from kechuang.assignment.solvers.rounding import dependent_round


@pytest.fixture
def problem():
    rng = np.random.default_rng(11)
    affinity = rng.random((12, 4))
    groups = (GroupCap("organisation", rng.integers(0, 5, 12), 1),)
    return AssignmentProblem(affinity, per_item=2, max_load=1, group_caps=groups)


def test_no_pair_gets_probability_above_the_cap(problem):
    result = solve(problem, prob_cap=0.5, seed=1)
    report = check_marginals(problem, result.marginals, 0.5)
    assert report.ok
    assert result.details["max_pair_probability"] <= 0.5
    assert result.report.ok


def test_same_seed_gives_the_same_draw_and_other_seeds_differ(problem):
    first = solve(problem, prob_cap=0.5, seed=42).pairs
    assert np.array_equal(first, solve(problem, prob_cap=0.5, seed=42).pairs)
    draws = {solve(problem, prob_cap=0.5, seed=s).pairs.tobytes() for s in range(8)}
    assert len(draws) > 1


def test_draw_frequencies_match_the_marginals(problem):
    result = solve(problem, prob_cap=0.5, seed=0)
    marginals = result.marginals.toarray()
    counts = np.zeros_like(marginals)
    draws = 300
    for seed in range(draws):
        pairs = solve(problem, prob_cap=0.5, seed=seed).pairs
        counts[pairs[:, 0], pairs[:, 1]] += 1
    # binomial standard error at p = 0.5 over 300 draws is 0.029; allow 5 of them
    assert np.abs(counts / draws - marginals).max() < 0.15
    assert counts[marginals == 0].sum() == 0


def test_expected_affinity_equals_the_capped_lp_and_stays_below_the_optimum(problem):
    deterministic = solve(problem)
    result = solve(problem, prob_cap=0.5, seed=3)
    assert result.details["expected_objective"] <= deterministic.objective + 1e-9
    assert result.upper_bound == pytest.approx(deterministic.upper_bound, rel=1e-6)
    assert result.status == "feasible"


def test_cap_of_one_reproduces_the_deterministic_optimum(problem):
    deterministic = solve(problem)
    result = solve(problem, prob_cap=1.0, seed=0)
    assert result.objective == pytest.approx(deterministic.objective)


def test_probability_cap_is_rounded_down_to_a_small_fraction():
    assert probability_units(0.5) == (2, 1)
    assert probability_units(0.3) == (10, 3)
    denominator, numerator = probability_units(0.333333)
    assert numerator / denominator <= 0.333333


def test_dependent_rounding_keeps_node_balance_on_a_cycle():
    # a 4-cycle s→a→t, s→b→t with half units everywhere: either way round, balance holds
    tail = np.array([0, 0, 1, 2])
    head = np.array([1, 2, 3, 3])
    flow = np.array([1, 1, 1, 1])  # in halves
    rng = np.random.default_rng(0)
    outcomes = set()
    for _ in range(20):
        rounded = dependent_round(tail, head, flow, 2, rng)
        assert rounded[0] == rounded[2] and rounded[1] == rounded[3]
        assert set(rounded.tolist()) <= {0, 2}
        outcomes.add(tuple(rounded))
    assert len(outcomes) == 2


def test_seed_is_required_with_a_probability_cap(problem):
    from kechuang.assignment import ProblemError

    with pytest.raises(ProblemError):
        solve(problem, prob_cap=0.5)
