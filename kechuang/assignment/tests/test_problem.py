"""Problem validation, file loading and the solver registry."""

import numpy as np
import pytest
import scipy.sparse as sp

from kechuang.assignment import (
    AssignmentProblem,
    ProblemError,
    UnknownSolverError,
    available_solvers,
    solve,
)
from kechuang.assignment.io import load_affinity_npz, load_groups_csv, save_sparse_npz


@pytest.mark.parametrize(
    "kwargs, code",
    [
        ({"affinity": np.ones(3)}, "affinity_not_2d"),
        ({"affinity": np.array([[1.0, np.nan]])}, "affinity_not_finite"),
        ({"per_item": 3}, "per_item_exceeds_reviewers"),
        ({"min_load": 2}, "min_load_above_max"),
        ({"max_load": [1, 1, 1]}, "max_load_shape"),
        ({"conflicts": np.zeros((3, 2), bool)}, "conflicts_shape"),
        ({"forced": np.array([[5, 0]])}, "forced_out_of_range"),
        ({"per_item": -1}, "per_item_negative"),
    ],
)
def test_malformed_problems_are_rejected_with_a_code_and_chinese_text(kwargs, code):
    args = {"affinity": np.ones((2, 3)), "per_item": 1, "max_load": 1, **kwargs}
    with pytest.raises(ProblemError) as caught:
        AssignmentProblem(**args)
    assert caught.value.message.code == code
    assert caught.value.message.zh


def test_sparse_pair_lookups_agree_with_dense():
    rng = np.random.default_rng(2)
    dense = rng.random((20, 7)) * (rng.random((20, 7)) < 0.3)
    conflicts = rng.random((20, 7)) < 0.2
    a = AssignmentProblem(dense, 1, 1, conflicts=conflicts)
    b = AssignmentProblem(sp.coo_array(dense), 1, 1, conflicts=sp.csr_array(conflicts))
    r, i = np.meshgrid(np.arange(20), np.arange(7), indexing="ij")
    r, i = r.ravel(), i.ravel()
    assert np.array_equal(a.pair_affinity(r, i), b.pair_affinity(r, i))
    assert np.array_equal(a.pair_conflict(r, i), b.pair_conflict(r, i))
    assert np.array_equal(a.eligible_counts(), b.eligible_counts())


def test_documented_sparse_layout_round_trips(tmp_path):
    dense = np.array([[0.0, 2.0], [3.0, 0.0], [0.0, 0.0]])
    conflicts = np.array([[True, False], [False, False], [False, True]])
    save_sparse_npz(tmp_path / "a.npz", dense, conflicts)
    affinity, loaded_conflicts = load_affinity_npz(tmp_path / "a.npz")
    assert np.array_equal(sp.csr_array(affinity).toarray(), dense)
    assert np.array_equal(sp.csr_array(loaded_conflicts).toarray(), conflicts)


def test_coo_layout_without_conflict_data_marks_every_entry(tmp_path):
    np.savez(
        tmp_path / "a.npz",
        affinity=np.ones((3, 2)),
        conflicts_row=np.array([0, 2]),
        conflicts_col=np.array([1, 0]),
        conflicts_shape=np.array([3, 2]),
    )
    _, conflicts = load_affinity_npz(tmp_path / "a.npz")
    assert sp.csr_array(conflicts).toarray().sum() == 2


def test_groups_csv_maps_names_to_labels_and_leaves_others_ungrouped(tmp_path):
    (tmp_path / "g.csv").write_text("reviewer,group\n0,吉林大学\n2,吉林大学\n3,一汽\n")
    labels, names = load_groups_csv(tmp_path / "g.csv", 5)
    assert labels.tolist() == [0, -1, 0, 1, -1]
    assert names == ("吉林大学", "一汽")


def test_reviewer_listed_in_two_groups_is_an_error(tmp_path):
    (tmp_path / "g.csv").write_text("reviewer,group\n0,a\n0,b\n")
    with pytest.raises(ProblemError, match="two groups"):
        load_groups_csv(tmp_path / "g.csv", 2)


def test_unknown_solver_name_is_an_error_listing_the_known_ones():
    with pytest.raises(UnknownSolverError) as caught:
        solve(AssignmentProblem(np.ones((2, 1)), 1, 1), "gurobi")
    for name in ("flow", "milp", "cpsat", "randomized"):
        assert name in str(caught.value)


def test_registry_lists_every_solver_with_a_description():
    solvers = available_solvers()
    assert set(solvers) == {"auto", "flow", "randomized", "milp", "cpsat"}
    assert all(solvers.values())


def test_fair_and_randomised_modes_cannot_be_combined():
    with pytest.raises(ProblemError):
        solve(AssignmentProblem(np.ones((2, 1)), 1, 1), fair=True, prob_cap=0.5, seed=1)
