"""Benchmark of the expert-assignment solvers on seeded city-shaped instances.

    .venv/bin/python bench/assignment.py              # both sizes, writes docs/benchmarks.md
    .venv/bin/python bench/assignment.py --small      # 500 × 5,000 only, prints the table

Instances: items (applications) × experts, k = 5 reviewers per item, each expert at most
`--max-load` items (1, as in the measurements of RULES.md B1), experts and applicants drawn
from one skewed set of organisations (a few large universities, many small firms),
same-organisation conflicts plus 1 % declared ones, and at most one reviewer per organisation
on an item. Affinity is the cosine of sparse topic mixtures scaled by a seniority factor, so
senior experts are wanted by many items and their loads bind.

Each mode runs in its own process, which loads the instance from an npz as the command line
would, so the peak RSS reported is that process's whole footprint (matrix included). The
baseline is plain OR-Tools min-cost flow over every eligible pair, without the organisation
cap, in the same run. The large group-capped case is also run through `kechuang assign`.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
SECTION = "assignment"
SIZES = {"small": (500, 5_000), "large": (2_000, 30_000)}
MODES = ("baseline", "plain", "grouped", "fair", "randomized")
SEED = 2026


def make_instance(
    n_items: int,
    n_experts: int,
    seed: int,
    *,
    per_item: int = 5,
    experts_per_org: float = 12.0,
    declared_rate: float = 0.01,
    n_topics: int = 40,
) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    n_orgs = max(2, int(n_experts / experts_per_org))
    weight = rng.lognormal(0.0, 1.2, n_orgs)
    weight /= weight.sum()
    expert_org = rng.choice(n_orgs, n_experts, p=weight)
    item_org = rng.choice(n_orgs, n_items, p=weight)
    experts = rng.dirichlet(np.full(n_topics, 0.25), n_experts).astype(np.float32)
    items = rng.dirichlet(np.full(n_topics, 0.25), n_items).astype(np.float32)
    experts /= np.linalg.norm(experts, axis=1, keepdims=True)
    items /= np.linalg.norm(items, axis=1, keepdims=True)
    seniority = (0.4 + rng.beta(2.0, 5.0, n_experts)).astype(np.float32)
    affinity = (experts @ items.T) * seniority[:, None]
    conflicts = expert_org[:, None] == item_org[None, :]
    for start in range(0, n_items, 256):
        stop = min(n_items, start + 256)
        block = rng.random((n_experts, stop - start), dtype=np.float32) < declared_rate
        conflicts[:, start:stop] |= block
    return {
        "affinity": affinity.astype(np.float64),
        "conflicts": conflicts,
        "orgs": expert_org.astype(np.int64),
        "per_item": np.int64(per_item),
    }


# -- one mode in a worker process ----------------------------------------------------------------
def worker(mode: str, data: Path, max_load: int, time_limit: float) -> dict:
    from kechuang.assignment import AssignmentProblem, GroupCap, check_assignment, solve
    from kechuang.assignment.io import load_affinity_npz

    affinity, conflicts = load_affinity_npz(data / "A.npz")
    orgs = np.load(data / "orgs.npy")
    capped = AssignmentProblem(
        affinity,
        per_item=5,
        max_load=max_load,
        conflicts=conflicts,
        group_caps=(GroupCap("organisation", orgs, 1),),
    )
    started = time.perf_counter()
    if mode == "baseline":
        pairs, solved = _plain_ortools(affinity, conflicts, 5, max_load)
        report = check_assignment(capped, pairs)
        return {
            "solver": "OR-Tools SimpleMinCostFlow, full graph",
            "status": "optimal (no org cap)" if solved else "failed",
            "seconds": time.perf_counter() - started,
            "objective": report.objective,
            "upper_bound": None,
            "org_violations": report.counts.get("group:organisation", 0),
            "min_item_mean": report.min_item_mean,
        }
    if mode == "plain":
        problem = AssignmentProblem(affinity, per_item=5, max_load=max_load, conflicts=conflicts)
        result = solve(problem, "flow")
    elif mode == "grouped":
        result = solve(capped, "flow")
    elif mode == "fair":
        result = solve(capped, "milp", fair=True, time_limit=time_limit)
    else:
        result = solve(capped, prob_cap=0.5, seed=SEED)
    report = check_assignment(capped, result.pairs)
    out = {
        "solver": result.solver,
        "status": result.status,
        "seconds": result.seconds,
        "objective": result.objective,
        "upper_bound": result.upper_bound,
        "org_violations": report.counts.get("group:organisation", 0),
        "min_item_mean": report.min_item_mean,
    }
    for key in ("rounds", "candidate_pairs", "fairness_bound", "max_total_min_item_mean"):
        if key in result.details:
            out[key] = result.details[key]
    if mode == "randomized":
        out["expected_objective"] = result.details["expected_objective"]
        out["deterministic_optimum"] = result.details["deterministic_optimum"]
    return out


def _plain_ortools(affinity, conflicts, k: int, max_load: int) -> tuple[np.ndarray, bool]:
    """The straightforward model: every eligible pair an arc, no organisation cap."""
    from ortools.graph.python import min_cost_flow

    n_rev, n_items = affinity.shape
    rows, cols = np.nonzero(~conflicts)
    cost = -np.rint(affinity[rows, cols] * 1e6).astype(np.int64)
    flow = min_cost_flow.SimpleMinCostFlow()
    ones = np.ones
    flow.add_arcs_with_capacity_and_unit_cost(
        np.zeros(n_rev, np.int64),
        2 + np.arange(n_rev),
        ones(n_rev, np.int64) * max_load,
        np.zeros(n_rev, np.int64),
    )
    first_pair = flow.num_arcs()
    flow.add_arcs_with_capacity_and_unit_cost(
        2 + rows, 2 + n_rev + cols, ones(len(rows), np.int64), cost
    )
    flow.add_arcs_with_capacity_and_unit_cost(
        2 + n_rev + np.arange(n_items),
        ones(n_items, np.int64),
        ones(n_items, np.int64) * k,
        np.zeros(n_items, np.int64),
    )
    supply = np.zeros(2 + n_rev + n_items, np.int64)
    supply[0], supply[1] = k * n_items, -k * n_items
    flow.set_nodes_supplies(np.arange(len(supply)), supply)
    solved = flow.solve() == flow.OPTIMAL
    used = np.asarray(flow.flows(first_pair + np.arange(len(rows)))) > 0
    return np.stack([rows[used], cols[used]], 1), solved


# -- the driver ---------------------------------------------------------------------------------
def run_mode(mode: str, data: Path, max_load: int, time_limit: float) -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--worker",
        mode,
        "--data",
        str(data),
        "--max-load",
        str(max_load),
        "--fair-time",
        str(time_limit),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, cwd=ROOT)
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{mode} worker failed with exit code {proc.returncode}")
    result = json.loads(output.decode().strip().splitlines()[-1])
    result["peak_mb"] = usage.ru_maxrss / 1024
    return result


def run_cli(data: Path, max_load: int, matrix: str = "A.npz") -> dict:
    exe = Path(sys.executable).parent / "kechuang"
    cmd = [str(exe), "assign", "--affinity", str(data / matrix), "--per-item", "5"]
    cmd += ["--max-load", str(max_load), "--groups", str(data / "G.csv")]
    cmd += ["--max-per-group", "1", "--out", str(data / "assignment.csv")]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=ROOT)
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    line = json.loads(output.decode().strip())
    return {"wall": wall, "peak_mb": usage.ru_maxrss / 1024, "exit": status, **line}


def write_sparse(directory: Path) -> dict:
    import scipy.sparse as sp

    sys.path.insert(0, str(ROOT))
    from kechuang.assignment.io import save_sparse_npz

    with np.load(directory / "A.npz") as npz:
        affinity, conflicts = npz["affinity"], npz["conflicts"]
    kept = np.where(affinity >= np.quantile(affinity, 0.95), affinity, 0.0)
    matrix = sp.csr_array(kept)
    save_sparse_npz(directory / "S.npz", matrix, sp.csr_array(conflicts))
    return {"nnz": int(matrix.nnz), "file_mb": (directory / "S.npz").stat().st_size / 2**20}


def prepare(size: str, directory: Path) -> dict:
    n_items, n_experts = SIZES[size]
    inst = make_instance(n_items, n_experts, SEED)
    np.savez(directory / "A.npz", affinity=inst["affinity"], conflicts=inst["conflicts"])
    np.save(directory / "orgs.npy", inst["orgs"])
    with (directory / "G.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["reviewer", "group"])
        writer.writerows((r, f"org{g}") for r, g in enumerate(inst["orgs"]))
    orgs_per_item = inst["conflicts"].mean()
    return {
        "eligible": int((~inst["conflicts"]).sum()),
        "items": n_items,
        "experts": n_experts,
        "organisations": int(len(np.unique(inst["orgs"]))),
        "conflict_share": float(orgs_per_item),
        "matrix_mb": (inst["affinity"].nbytes + inst["conflicts"].nbytes) / 2**20,
    }


def fmt(value, digits: int = 2) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def table(rows: list[dict]) -> str:
    head = (
        "| instance | mode | solver | status | time (s) | objective | bound | obj / bound "
        "| org-cap violations | worst item mean | peak RSS (MB) |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    lines = []
    for row in rows:
        ratio = (
            f"{100 * row['objective'] / row['upper_bound']:.4f} %"
            if row.get("upper_bound")
            else "–"
        )
        lines.append(
            f"| {row['instance']} | {row['mode']} | {row['solver']} | {row['status']} "
            f"| {row['seconds']:.2f} | {fmt(row['objective'])} | {fmt(row['upper_bound'])} "
            f"| {ratio} | {row['org_violations']} | {fmt(row['min_item_mean'], 4)} "
            f"| {row['peak_mb']:,.0f} |"
        )
    return head + "\n".join(lines)


def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    return (
        f"{os.cpu_count()} cores, {cpu}, {mem_kb / 2**20:.0f} GiB RAM, "
        f"Python {platform.python_version()}"
    )


def write_section(body: str) -> None:
    start, end = f"<!-- bench:{SECTION}:start -->", f"<!-- bench:{SECTION}:end -->"
    stamp = f"_Measured {datetime.date.today().isoformat()} on {machine()}._\n\n"
    block = f"{start}\n{stamp}{body.strip()}\n{end}"
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    DOC.write_text(text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="500 × 5,000 only, no docs update")
    parser.add_argument("--max-load", type=int, default=1)
    parser.add_argument("--fair-time", type=float, default=60.0, help="fair mode time limit")
    parser.add_argument("--worker", choices=MODES, help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        sys.path.insert(0, str(ROOT))
        print(json.dumps(worker(args.worker, args.data, args.max_load, args.fair_time)))
        return 0

    sizes = ["small"] if args.small else ["small", "large"]
    load_before = os.getloadavg()[0]
    rows, notes, cli = [], [], None
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="kc-assign-") as tmp:
            data = Path(tmp)
            print(
                f"{size}: generating {SIZES[size][0]:,} items × {SIZES[size][1]:,} experts",
                file=sys.stderr,
            )
            info = prepare(size, data)
            label = f"{info['items']:,} × {info['experts']:,}"
            notes.append(
                f"- {label}: {info['organisations']:,} organisations, "
                f"{100 * info['conflict_share']:.1f} % of pairs in conflict, "
                f"matrices {info['matrix_mb']:,.0f} MB."
            )
            for mode in MODES:
                print(f"  {mode} …", file=sys.stderr)
                row = run_mode(mode, data, args.max_load, args.fair_time)
                row.update(instance=label, mode=mode, eligible=info["eligible"])
                rows.append(row)
                print(f"    {row['seconds']:.2f}s obj {fmt(row['objective'])}", file=sys.stderr)
            if size == "large" or args.small:
                cli = run_cli(data, args.max_load)
                cli["instance"] = label
                # the same program with only the top 5 % of scores stored, as a sparse file
                # (absent pairs score 0 and stay allowed), through the same command
                sparse_info = write_sparse(data)
                cli["sparse"] = {**run_cli(data, args.max_load, "S.npz"), **sparse_info}
    notes.append(
        f"- 1-minute load average {load_before:.1f} at the start and {os.getloadavg()[0]:.1f} "
        "at the end: other work shared the 2 cores, so times are upper figures."
    )
    body = render(rows, notes, cli, args)
    print(body)
    if not args.small:
        write_section(body)
        print(f"\nwrote section '{SECTION}' in {DOC}", file=sys.stderr)
    return 0


def render(rows: list[dict], notes: list[str], cli: dict | None, args) -> str:
    parts = [
        "## Expert assignment (issue 5)",
        "",
        "Seeded synthetic city programs (seed "
        f"{SEED}): k = 5 reviewers per item, each expert at most {args.max_load} item(s), "
        "same-organisation conflicts plus 1 % declared, at most one reviewer per organisation "
        "on an item (except the baseline and `plain`, which have no organisation cap). "
        "`bench/assignment.py` regenerates this section.",
        "",
        *notes,
        "",
        table(rows),
        "",
    ]
    by = {(r["instance"], r["mode"]): r for r in rows}
    for instance in dict.fromkeys(r["instance"] for r in rows):
        grouped, rand = by[(instance, "grouped")], by[(instance, "randomized")]
        fair = by[(instance, "fair")]
        gap = 100 * (grouped["upper_bound"] - grouped["objective"]) / grouped["upper_bound"]
        kept = rand["expected_objective"] / grouped["objective"]
        drawn = rand["objective"] / grouped["objective"]
        plain = by[(instance, "plain")]
        parts.append(
            f"- {instance}, pruning: the flow solver kept {plain['candidate_pairs']:,} of "
            f"{plain['eligible']:,} eligible pairs "
            f"({100 * plain['candidate_pairs'] / plain['eligible']:.2f} %) over "
            f"{plain['rounds']} pricing rounds and still proved optimality over all of them; "
            f"objective vs the full-graph baseline: {plain['objective']:.6f} vs "
            f"{by[(instance, 'baseline')]['objective']:.6f}."
        )
        parts.append(
            f"- {instance}: organisation-capped optimum within {gap:.2g} % of its bound in "
            f"{grouped['seconds']:.1f} s; the randomised lottery (q = 0.5) keeps "
            f"{100 * kept:.1f} % of the optimal affinity in expectation ({100 * drawn:.1f} % in "
            f"the seeded draw); fair mode lifts the worst item's mean from "
            f"{fair.get('max_total_min_item_mean', float('nan')):.4f} to "
            f"{fair['min_item_mean']:.4f} (LP bound {fair.get('fairness_bound', float('nan')):.4f}) "
            f"for {100 * (1 - fair['objective'] / grouped['objective']):.3f} % of the total."
        )
    if cli is not None:
        parts.append(
            f"- Command line, {cli['instance']} with organisation cap: `kechuang assign` took "
            f"{cli['wall']:.1f} s wall (load {cli.get('load_seconds', 0):.1f} s, solve "
            f"{cli.get('solve_seconds', 0):.1f} s), status {cli['status']}, peak RSS "
            f"{cli['peak_mb']:,.0f} MB."
        )
        sparse = cli["sparse"]
        parts.append(
            f"- Command line, same program with only the top 5 % of scores stored sparse "
            f"({sparse['nnz']:,} entries, {sparse['file_mb']:,.0f} MB file; absent pairs score 0): "
            f"{sparse['wall']:.1f} s wall, {sparse.get('rounds', '?')} pricing rounds, status "
            f"{sparse['status']}, gap {sparse.get('gap')}, peak RSS {sparse['peak_mb']:,.0f} MB."
        )
    parts += [
        "",
        "The randomised time includes a second, deterministic flow that supplies the bound; "
        f"fair mode runs under a {args.fair_time:.0f} s time limit. "
        "Targets: 2,000 × 30,000 with conflicts and organisation caps within 0.5 % of the LP "
        "bound in ≤ 10 s; randomised mode at q = 0.5 keeps ≥ 90 % of the optimal affinity. "
        "Bounds are LP-duality bounds over the full matrix (see docs/assignment.md); the "
        "baseline has no bound column because it solves a different (uncapped) problem.",
    ]
    return "\n".join(parts)


if __name__ == "__main__":
    sys.exit(main())
