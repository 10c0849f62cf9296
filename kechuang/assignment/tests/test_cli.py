"""`kechuang assign`: the command-line contract, run through `main()` on temporary files."""

import csv
import json

import numpy as np
import pytest
import scipy.sparse as sp

from kechuang.assignment.cli import main
from kechuang.assignment.io import save_sparse_npz


@pytest.fixture
def instance():
    rng = np.random.default_rng(4)
    affinity = rng.random((12, 4))
    conflicts = rng.random((12, 4)) < 0.15
    orgs = np.arange(12) % 5
    return affinity, conflicts, orgs


def write_groups(path, orgs):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["reviewer", "group"])
        writer.writerows((r, f"单位{g}") for r, g in enumerate(orgs))


def read_pairs(path):
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["reviewer", "item"]
    return np.array([[int(r), int(i)] for r, i in rows[1:]])


def run(capsys, affinity, out_csv, options="--per-item 2 --max-load 1"):
    argv = ["--affinity", str(affinity), *options.split(), "--out", str(out_csv)]
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def json_line(out):
    lines = out.strip().splitlines()
    assert len(lines) == 1, "stdout must hold exactly one JSON line"
    data = json.loads(lines[0])
    assert list(data)[:4] == ["status", "objective", "upper_bound", "seconds"]
    return data


def test_dense_input_with_groups_writes_a_valid_assignment(tmp_path, capsys, instance):
    affinity, conflicts, orgs = instance
    np.savez(tmp_path / "A.npz", affinity=affinity, conflicts=conflicts)
    write_groups(tmp_path / "G.csv", orgs)
    out_csv = tmp_path / "assignment.csv"
    options = f"--per-item 2 --max-load 1 --groups {tmp_path / 'G.csv'} --max-per-group 1"
    code, out, err = run(capsys, tmp_path / "A.npz", out_csv, options)
    assert code == 0, err
    data = json_line(out)
    assert data["status"] == "optimal"
    pairs = read_pairs(out_csv)
    assert len(pairs) == 8
    assert not conflicts[pairs[:, 0], pairs[:, 1]].any()
    assert np.bincount(pairs[:, 0]).max() == 1
    for item in range(4):
        panel_orgs = orgs[pairs[pairs[:, 1] == item, 0]]
        assert len(set(panel_orgs)) == len(panel_orgs)
    assert data["objective"] == pytest.approx(affinity[pairs[:, 0], pairs[:, 1]].sum())
    assert "loading" in err  # progress goes to stderr


def test_sparse_layouts_give_the_same_objective_as_dense(tmp_path, capsys, instance):
    affinity, conflicts, _ = instance
    affinity = affinity * (affinity > 0.5)  # sparse-looking: absent entries score 0
    np.savez(tmp_path / "dense.npz", affinity=affinity, conflicts=conflicts)
    save_sparse_npz(tmp_path / "layout.npz", affinity, conflicts)
    np.savez(tmp_path / "dense_free.npz", affinity=affinity)
    sp.save_npz(tmp_path / "scipy.npz", sp.csr_array(affinity))
    objectives = {}
    for name in ("dense", "layout", "dense_free", "scipy"):
        code, out, err = run(capsys, tmp_path / f"{name}.npz", tmp_path / f"{name}.csv")
        assert code == 0, err
        objectives[name] = json_line(out)["objective"]
    assert objectives["layout"] == pytest.approx(objectives["dense"])
    assert objectives["scipy"] == pytest.approx(objectives["dense_free"])


def test_randomised_run_is_reproducible_for_a_seed(tmp_path, capsys, instance):
    affinity, conflicts, _ = instance
    np.savez(tmp_path / "A.npz", affinity=affinity, conflicts=conflicts)
    texts = []
    for name in ("a.csv", "b.csv"):
        options = "--per-item 2 --max-load 2 --prob-cap 0.5 --seed 7"
        code, out, _ = run(capsys, tmp_path / "A.npz", tmp_path / name, options)
        assert code == 0
        assert json_line(out)["status"] == "feasible"
        texts.append((tmp_path / name).read_text())
    assert texts[0] == texts[1]


def test_fair_flag_runs_the_fair_mode(tmp_path, capsys):
    np.savez(tmp_path / "A.npz", affinity=np.array([[10.0, 4.0], [5.0, 0.0]]))
    options = "--per-item 1 --max-load 1 --fair"
    code, out, _ = run(capsys, tmp_path / "A.npz", tmp_path / "o.csv", options)
    assert code == 0
    data = json_line(out)
    assert data["objective"] == pytest.approx(9.0)
    assert data["mode"] == "fair"


def test_infeasible_input_prints_the_reason_and_writes_nothing(tmp_path, capsys):
    conflicts = np.zeros((3, 2), bool)
    conflicts[:, 1] = True
    np.savez(tmp_path / "A.npz", affinity=np.ones((3, 2)), conflicts=conflicts)
    options = "--per-item 1 --max-load 1"
    code, out, err = run(capsys, tmp_path / "A.npz", tmp_path / "o.csv", options)
    assert code == 1
    assert json_line(out)["status"] == "infeasible"
    assert "回避" in err and "conflicts" in err
    assert not (tmp_path / "o.csv").exists()


def make_bad_input(case, tmp_path):
    """Write the files for one bad-input case; return the command-line options."""
    options = "--per-item 1 --max-load 1"
    groups = f" --groups {tmp_path / 'G.csv'} --max-per-group 1"
    (tmp_path / "G.csv").write_text("reviewer,group\n0,a\n1,b\n2,c\n")
    if case == "wrong_conflict_shape":
        np.savez(tmp_path / "A.npz", affinity=np.ones((3, 2)), conflicts=np.ones((2, 3), bool))
    elif case == "pickled_affinity":
        matrix = sp.csr_array(np.ones((3, 2)))
        np.savez(tmp_path / "A.npz", affinity=np.array([matrix], dtype=object))
    elif case != "missing_file":
        np.savez(tmp_path / "A.npz", affinity=np.ones((3, 2)))
    if case == "unknown_reviewer_in_groups":
        (tmp_path / "G.csv").write_text("reviewer,group\n99,x\n")
        options += groups
    elif case == "bad_groups_header":
        (tmp_path / "G.csv").write_text("id,org\n0,x\n")
        options += groups
    elif case == "k_above_reviewers":
        options = "--per-item 4 --max-load 1"
    elif case == "groups_without_cap":
        options += f" --groups {tmp_path / 'G.csv'}"
    elif case == "cap_without_seed":
        options += " --prob-cap 0.5"
    elif case == "unknown_solver":
        options += " --solver simplex-magic"
    elif case == "missing_option":
        options = "--per-item 1"
    return options


@pytest.mark.parametrize(
    "case, message",
    [
        ("missing_file", "not found"),
        ("wrong_conflict_shape", "shape"),
        ("unknown_reviewer_in_groups", "reviewer '99'"),
        ("bad_groups_header", "header"),
        ("k_above_reviewers", "only 3"),
        ("groups_without_cap", "--max-per-group"),
        ("cap_without_seed", "seed"),
        ("unknown_solver", "unknown solver"),
        ("pickled_affinity", "cannot read"),
        ("missing_option", "--max-load"),
    ],
)
def test_bad_input_fails_clearly_and_writes_nothing(tmp_path, capsys, case, message):
    options = make_bad_input(case, tmp_path)
    code, out, err = run(capsys, tmp_path / "A.npz", tmp_path / "o.csv", options)
    assert code == 2
    assert out == ""
    assert message in err
    assert "错误" in err
    assert not (tmp_path / "o.csv").exists()
