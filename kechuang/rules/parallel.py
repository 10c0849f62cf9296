"""Both cores for the command line: enterprises split into slices, one forked process each.

Each process builds the table of its slice, assesses it under every rule set and writes its
output lines to a part file; the parts are joined in order. The engine looks at one
enterprise's figures only, so the file is byte for byte the one a single process writes (a
test holds them together). The records reach the processes by fork; only file names and
counts come back, so gigabytes of output are never pickled between processes. (Sending the
result columns back instead was measured slower than one process.)
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .engine import evaluate
from .errors import InputError
from .ruleset import RuleSet
from .table import build_table

_JOB: dict = {}  # what the forked processes read: records, rule sets, date, folder


def slices(n: int, workers: int) -> list[tuple[int, int]]:
    bounds = np.linspace(0, n, workers + 1).round().astype(int)
    return [(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:], strict=True) if b > a]


def available_workers() -> int:
    return max(1, min(2, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1))


def _pool(workers: int):
    return multiprocessing.get_context("fork").Pool(workers)


def _run(task, n: int, workers: int) -> tuple[list, InputError | None]:
    """Results of every slice, and the first bad record's error (whichever process met it)."""
    parts = slices(n, workers)
    with _pool(len(parts)) as pool:
        results = pool.starmap(task, parts)
    errors = [r for r in results if isinstance(r, tuple) and r and r[0] == "error"]
    if not errors:
        return results, None
    _, index, en, zh = min(errors, key=lambda e: -1 if e[1] is None else e[1])
    return [r for r in results if r not in errors], InputError(index, en, zh)


def _error(error: InputError, start: int) -> tuple:
    # exceptions with their own __init__ do not survive pickling: send the parts instead
    return ("error", None if error.index is None else error.index + start, error.en, error.zh)


# -- output written where it is made --------------------------------------------------------------
def write_slices(
    records: Sequence[dict], rulesets: list[RuleSet], on: dt.date, out: Path, workers: int
) -> list[np.ndarray]:
    """Write every output line to `out` (in order); returns eligible counts per rule set."""
    from .jsonl import write_lines

    _JOB.update(
        records=records,
        rulesets=rulesets,
        on=on,
        folder=out.parent,
        name=out.name,
        write=write_lines,
    )
    try:
        parts, error = _run(_write_part, len(records), workers)
    finally:
        _JOB.clear()
    try:
        if error:
            raise error
        with out.open("wb") as target:
            for path, _ in parts:
                with open(path, "rb") as source:
                    shutil.copyfileobj(source, target, 16 << 20)
    finally:
        for path, _ in parts:
            Path(path).unlink(missing_ok=True)
    return [sum(counts[k] for _, counts in parts) for k in range(len(rulesets))]


def _write_part(start: int, stop: int):
    try:
        table = build_table(_JOB["records"][start:stop])
        batches = [evaluate(ruleset, table, _JOB["on"]) for ruleset in _JOB["rulesets"]]
    except InputError as error:
        return _error(error, start)
    path = _JOB["folder"] / f".{_JOB['name']}.part{start}"
    with path.open("w", encoding="utf-8") as handle:
        _JOB["write"](handle, batches)
    return str(path), [int((b.eligible == 1).sum()) for b in batches]
