"""Output lines straight from the columns, without building an object per criterion.

100,000 enterprises × six rule sets is about 11 million criterion entries. Making a dict for
each and calling json.dumps would take longer than the assessment itself, so each entry is
assembled from strings: the fixed parts once per criterion, the value from one json.dumps of
the whole column, and threshold / passed / points from the few distinct values they take.
The result is byte for byte what `json.dumps(assessment.to_dict(), ensure_ascii=False)` gives
(a test holds the two together).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import repeat

import numpy as np

from .engine import FAIL, NA, PASS, BatchResult, CriterionColumns
from .result import _criterion, _json

_PASSED = np.array(["null"] * 5, dtype=object)
_PASSED[PASS], _PASSED[FAIL] = "true", "false"


CHUNK = 5_000  # enterprises formatted and written at a time


def write_lines(handle, batches: list[BatchResult]) -> None:
    """Every line of the batches to an open text file, a chunk of enterprises at a time."""
    n = len(batches[0])
    for start in range(0, n, CHUNK):
        handle.write("\n".join(lines(batches, start, min(n, start + CHUNK))) + "\n")


def dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def lines(batches: list[BatchResult], start: int = 0, stop: int | None = None) -> Iterator[str]:
    """Lines for enterprises start..stop, each enterprise under every batch's rule set in turn."""
    stop = len(batches[0]) if stop is None else stop
    per_batch = [_batch_lines(batch, start, stop) for batch in batches]
    for group in zip(*per_batch, strict=True):
        yield from group


def _batch_lines(batch: BatchResult, start: int, stop: int) -> list[str]:
    rows = np.arange(start, stop)
    ruleset = batch.ruleset
    parts: list = []
    first = True
    for columns in batch.criteria.values():
        head, value_parts, tail = _criterion_parts(columns, rows)
        parts.append(repeat(("" if first else ", ") + head))
        parts.append(value_parts)
        parts.append(tail)
        first = False
    criteria = ["".join(p) for p in zip(*parts)] if parts else [""] * rows.size  # noqa: B905 - repeat() is endless
    middle = (
        f', "ruleset": {dumps(ruleset.name)}, "version": {dumps(ruleset.version)}, "eligible": '
    )
    eligible = np.array(["false", "true", "null"], dtype=object)[batch.eligible[rows]]
    score = _score_texts(batch, rows)
    gaps = [dumps(g) for g in batch.gaps[start:stop]] if batch.gaps else ["[]"] * rows.size
    ids = [dumps(i) for i in batch.ids[start:stop]]
    return [
        f'{{"enterprise": {e}{middle}{el}, "score": {s}, "criteria": [{c}], "gaps": {g}}}'
        for e, el, s, c, g in zip(ids, eligible, score, criteria, gaps, strict=True)
    ]


def _score_texts(batch: BatchResult, rows: np.ndarray) -> list[str]:
    score = batch.score
    if score is None:
        return ["null"] * rows.size
    low, high = score.low[rows], score.high[rows]
    return _numbers(np.where(low == high, low, np.nan))


def _criterion_parts(columns: CriterionColumns, rows: np.ndarray):
    c = columns.criterion
    head = f'{{"id": {dumps(c.id)}, "value": '
    source = f', "source": {dumps(c.source)}}}'
    state = columns.state[rows]
    if (
        c.unit == "bool"
        or columns.value_high is not None
        or (c.quantity is not None and c.quantity.kind == "category")
    ):
        values = _by_distinct(
            columns,
            rows,
            lambda i: dumps(_json(_criterion(columns, i).value)),
            _value_key(columns, rows),
        )
    else:
        values = _numbers(columns.value[rows])
    # threshold, passed and points take few distinct values: format each combination once
    key = _value_key_tail(columns, rows, state)
    tails = _by_distinct(
        columns,
        rows,
        lambda i: _tail(_criterion(columns, i), source),
        key,
    )
    return head, values, tails


def _tail(result, source: str) -> str:
    return (
        f', "threshold": {dumps(_json(result.threshold))}, "passed": {dumps(result.passed)}'
        f', "points": {dumps(_json(result.points))}{source}'
    )


def _value_key(columns: CriterionColumns, rows: np.ndarray) -> np.ndarray:
    high = columns.value_high[rows] if columns.value_high is not None else columns.value[rows]
    return np.stack([columns.value[rows], high], axis=1)


def _value_key_tail(columns: CriterionColumns, rows: np.ndarray, state: np.ndarray) -> np.ndarray:
    parts = [columns.threshold[rows], state.astype(float), (state == NA).astype(float)]
    if columns.low is not None:
        parts += [columns.low[rows], columns.high[rows]]
    if columns.band is not None:
        parts.append(columns.band[rows].astype(float))
    return np.stack(parts, axis=1)


def _by_distinct(columns, rows: np.ndarray, render, key: np.ndarray) -> list[str]:
    """Render once per distinct key row (NaN-safe), then spread to every row."""
    if rows.size == 0:
        return []
    code = np.zeros(rows.size, np.int64)
    for column in key.T:  # mixed-radix code of the distinct values, column by column
        _, inverse = np.unique(np.where(np.isnan(column), np.inf, column), return_inverse=True)
        _, code = np.unique(code * (int(inverse.max()) + 1) + inverse, return_inverse=True)
    _, first = np.unique(code, return_index=True)
    texts = np.array([render(int(rows[k])) for k in first], dtype=object)
    return texts[code].tolist()


def _numbers(values: np.ndarray) -> list[str]:
    """JSON numbers as `_json` writes them: whole numbers as integers, else 6 decimals."""
    out = np.array(
        json.dumps(np.round(values, 6).tolist(), allow_nan=True)[1:-1].split(", "), dtype=object
    )
    if out.size == 1 and out[0] == "":
        return []
    whole = np.isfinite(values) & (values == np.floor(values)) & (np.abs(values) < 2**53)
    if whole.any():
        out[whole] = [str(int(v)) for v in values[whole].tolist()]
    out[np.isnan(values)] = "null"
    return out.tolist()
