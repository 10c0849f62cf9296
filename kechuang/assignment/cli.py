"""`kechuang assign`: the command-line contract used by external benchmarks.

    kechuang assign --affinity A.npz --per-item k --max-load L [--min-load l]
                    [--groups G.csv --max-per-group g] [--prob-cap q --seed s] [--fair]
                    --out assignment.csv

Stdout carries exactly one JSON line whose first keys are status, objective, upper_bound and
seconds (wall time of the whole command; `solve_seconds` is the solver alone). Progress and
explanations go to stderr. Exit codes: 0 solved, 1 infeasible (JSON line, no file), 2 bad
input (message only, nothing written), 3 solver failure.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from .api import solve
from .io import load_affinity_npz, load_groups_csv, write_assignment_csv
from .messages import (
    AssignmentError,
    Message,
    ProblemError,
    SolverError,
    UnknownSolverError,
    UnsupportedProblemError,
    problem_error,
)
from .problem import AssignmentProblem, GroupCap
from .registry import available_solvers

EXIT_OK, EXIT_INFEASIBLE, EXIT_BAD_INPUT, EXIT_SOLVER = 0, 1, 2, 3


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise problem_error("usage", message, f"参数错误：{message}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="kechuang assign",
        description="Assign reviewers to items (reviewers × items affinity matrix).",
    )
    parser.add_argument("--affinity", required=True, help="npz with 'affinity' [+ 'conflicts']")
    parser.add_argument("--per-item", type=int, required=True, help="reviewers per item (k)")
    parser.add_argument("--max-load", type=int, required=True, help="items per reviewer, max")
    parser.add_argument("--min-load", type=int, default=0, help="items per reviewer, min")
    parser.add_argument("--groups", help="CSV with header reviewer,group")
    parser.add_argument("--max-per-group", type=int, help="at most g reviewers of a group")
    parser.add_argument("--prob-cap", type=float, help="randomised: P(pair) ≤ q")
    parser.add_argument("--seed", type=int, help="seed of the randomised draw")
    parser.add_argument("--fair", action="store_true", help="maximise the worst item first")
    parser.add_argument("--out", required=True, help="output CSV (reviewer,item)")
    parser.add_argument(
        "--solver", default="auto", help=f"one of: {', '.join(available_solvers())}"
    )
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds (default 60)")
    return parser


def main(argv: list[str] | None = None) -> int:
    started = time.perf_counter()

    def say(text: str) -> None:
        print(f"[assign {time.perf_counter() - started:6.2f}s] {text}", file=sys.stderr)

    try:
        args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
        problem = _load(args, say)
        out = Path(args.out)
        if not out.parent.is_dir():
            raise problem_error(
                "out_dir_missing",
                f"output directory does not exist: {out.parent}",
                f"输出目录不存在：{out.parent}",
            )
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    except AssignmentError as exc:
        return _fail(exc.message, EXIT_BAD_INPUT)

    loaded = time.perf_counter()
    try:
        with _stdout_to_stderr():
            result = solve(
                problem,
                args.solver,
                fair=args.fair,
                prob_cap=args.prob_cap,
                seed=args.seed,
                time_limit=args.time_limit,
                progress=say,
            )
    except (ProblemError, UnknownSolverError, UnsupportedProblemError) as exc:
        return _fail(exc.message, EXIT_BAD_INPUT)
    except SolverError as exc:
        return _fail(exc.message, EXIT_SOLVER)

    summary = result.summary()
    summary["seconds"] = round(time.perf_counter() - started, 3)
    summary["solve_seconds"] = round(result.seconds, 3)
    summary["load_seconds"] = round(loaded - started, 3)
    if result.status == "infeasible":
        for finding in result.explanation:
            print(f"infeasible: {finding.en}", file=sys.stderr)
            print(f"无解原因：{finding.zh}", file=sys.stderr)
        _emit(summary)
        return EXIT_INFEASIBLE
    write_assignment_csv(out, result.pairs)
    say(f"{result.status}: {len(result.pairs)} pairs written to {out}")
    summary["seconds"] = round(time.perf_counter() - started, 3)
    _emit(summary)
    return EXIT_OK


def _load(args: argparse.Namespace, say) -> AssignmentProblem:
    if (args.groups is None) != (args.max_per_group is None):
        raise problem_error(
            "groups_and_cap_together",
            "--groups and --max-per-group go together",
            "--groups 与 --max-per-group 必须同时给出",
        )
    if args.per_item < 1:
        raise problem_error("per_item_min", "--per-item must be at least 1", "--per-item 至少为 1")
    if args.max_load < 0 or args.min_load < 0:
        raise problem_error("load_negative", "loads must not be negative", "评审量不能为负数")
    say(f"loading {args.affinity}")
    affinity, conflicts = load_affinity_npz(args.affinity)
    shape = getattr(affinity, "shape", ())
    if len(shape) != 2:
        raise problem_error(
            "affinity_not_2d",
            f"affinity must be 2-D (reviewers × items), got shape {shape}",
            f"亲和度必须是二维矩阵（专家 × 项目），实际形状 {shape}",
        )
    groups = ()
    if args.groups is not None:
        labels, names = load_groups_csv(args.groups, shape[0])
        groups = (GroupCap("group", labels, args.max_per_group, names),)
    problem = AssignmentProblem(
        affinity,
        per_item=args.per_item,
        max_load=args.max_load,
        min_load=args.min_load,
        conflicts=conflicts,
        group_caps=groups,
    )
    kind = "sparse" if problem.is_sparse else "dense"
    say(f"{problem.n_reviewers:,} reviewers × {problem.n_items:,} items ({kind})")
    return problem


def _fail(message: Message, code: int) -> int:
    print(f"error: {message.en}", file=sys.stderr)
    print(f"错误：{message.zh}", file=sys.stderr)
    return code


def _emit(summary: dict) -> None:
    clean = {
        k: (None if isinstance(v, float) and not math.isfinite(v) else v)
        for k, v in summary.items()
    }
    sys.stdout.write(json.dumps(clean, ensure_ascii=False) + "\n")
    sys.stdout.flush()


@contextlib.contextmanager
def _stdout_to_stderr() -> Iterator[None]:
    """Native solvers may print to file descriptor 1; keep stdout for the one JSON line."""
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no real stdout (embedded use): nothing to protect
        yield
        return
    try:
        os.dup2(2, 1)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
