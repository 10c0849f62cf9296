"""Document metadata as columns, and filters turned into boolean masks over the rows.

A filter is a dict field → condition:
- a value: the field equals it                       {"status": "published"}
- a list, tuple or set: the field is one of them      {"region": ["朝阳区", "南关区"]}
- `Range(lo, hi)` or {"min": lo, "max": hi}: inclusive  {"trl": Range(4, 9)}
A list-valued field (e.g. several chain nodes) passes when any of its values passes. A
document without the field fails every condition on it. Conditions on different fields all
have to hold. The engine applies the mask to the whole corpus before it takes the top k, so
a filtered list is as long as the matching documents allow.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .documents import Range


class FilterError(ValueError):
    """A filter that cannot mean anything (wrong shape, empty range, text in a range)."""


@dataclass
class _FieldIndex:
    """One field flattened to entries: a list value gives one entry per element."""

    entry_row: np.ndarray  # row of each entry
    entry_code: np.ndarray  # code of each entry's value in `codes`
    entry_number: np.ndarray  # numeric value of each entry, NaN when not a number
    codes: dict[Any, int]
    one_per_row: bool  # every row has exactly one entry, in row order: a hit is a row


class MetaTable:
    def __init__(self, columns: dict[str, list[Any]] | None = None, n: int = 0) -> None:
        self.columns: dict[str, list[Any]] = columns or {}
        self.n = n
        self._interned: dict[str, str] = {}
        self._indexes: dict[str, _FieldIndex] = {}

    def append(self, metas: Sequence[Mapping[str, Any]]) -> None:
        for field in {key for meta in metas for key in meta}:
            self.columns.setdefault(field, [None] * self.n)
        for field, column in self.columns.items():
            column.extend(self._clean(meta.get(field), field) for meta in metas)
        self.n += len(metas)
        self._indexes.clear()

    def delete(self, rows: np.ndarray) -> None:
        if len(rows) == 0:
            return
        drop = set(int(r) for r in rows)
        for field, column in list(self.columns.items()):
            kept = [value for i, value in enumerate(column) if i not in drop]
            if any(value is not None for value in kept):
                self.columns[field] = kept
            else:
                del self.columns[field]
        self.n -= len(drop)
        self._indexes.clear()

    def row(self, i: int) -> dict[str, Any]:
        out = {}
        for field, column in self.columns.items():
            value = column[i]
            if value is not None:
                out[field] = list(value) if isinstance(value, tuple) else value
        return out

    def value(self, i: int, field: str) -> Any:
        column = self.columns.get(field)
        return None if column is None else column[i]

    # -- filters -------------------------------------------------------------------------

    def mask(self, filters: Mapping[str, Any] | None) -> np.ndarray:
        allowed = np.ones(self.n, dtype=bool)
        for field, condition in (filters or {}).items():
            allowed &= self._field_mask(field, condition)
        return allowed

    def _field_mask(self, field: str, condition: Any) -> np.ndarray:
        if field not in self.columns:
            _check_condition(field, condition)
            return np.zeros(self.n, dtype=bool)
        index = self._index(field)
        if isinstance(condition, Mapping):
            unknown = set(condition) - {"min", "max"}
            if unknown:
                raise FilterError(f"filter on {field!r}: a range takes 'min' and 'max' only")
            condition = Range(condition.get("min"), condition.get("max"))
        if isinstance(condition, Range):
            hit = ~np.isnan(index.entry_number)
            if condition.min is not None:
                hit &= index.entry_number >= _number(field, condition.min)
            if condition.max is not None:
                hit &= index.entry_number <= _number(field, condition.max)
        else:
            values = (
                condition if isinstance(condition, list | tuple | set | frozenset) else [condition]
            )
            wanted = [index.codes[v] for v in values if _hashable(v) and v in index.codes]
            lookup = np.zeros(len(index.codes) + 1, dtype=bool)
            lookup[wanted] = True
            hit = lookup[index.entry_code]
        if index.one_per_row:
            return hit
        rows = np.zeros(self.n, dtype=bool)
        rows[index.entry_row[hit]] = True
        return rows

    def _index(self, field: str) -> _FieldIndex:
        index = self._indexes.get(field)
        if index is None:
            rows, codes_of, numbers, codes = [], [], [], {}
            for i, value in enumerate(self.columns[field]):
                for item in value if isinstance(value, tuple) else (value,):
                    if item is None:
                        continue
                    rows.append(i)
                    codes_of.append(codes.setdefault(item, len(codes)))
                    is_number = isinstance(item, int | float) and not isinstance(item, bool)
                    numbers.append(float(item) if is_number else np.nan)
            entry_row = np.asarray(rows, dtype=np.int64)
            index = _FieldIndex(
                entry_row,
                np.asarray(codes_of, dtype=np.int32),
                np.asarray(numbers, dtype=np.float64),
                codes,
                one_per_row=len(entry_row) == self.n
                and bool(np.all(entry_row == np.arange(self.n))),
            )
            self._indexes[field] = index
        return index

    # -- values in, values out ---------------------------------------------------------------

    def _clean(self, value: Any, field: str) -> Any:
        """Values stored compactly: repeated strings shared, lists frozen as tuples."""
        if value is None or isinstance(value, bool | int | float):
            return value
        if isinstance(value, str):
            return self._interned.setdefault(value, value)
        if isinstance(value, list | tuple | set | frozenset):
            items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
            cleaned = tuple(self._clean(item, field) for item in items)
            if any(isinstance(item, tuple) for item in cleaned):
                raise ValueError(f"meta field {field!r}: lists of lists are not supported")
            return cleaned or None
        raise ValueError(f"meta field {field!r}: cannot store a {type(value).__name__}")

    def save(self, path: Path) -> None:
        payload = {
            "n": self.n,
            "columns": {
                field: [list(v) if isinstance(v, tuple) else v for v in column]
                for field, column in self.columns.items()
            },
        }
        path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> MetaTable:
        payload = json.loads(path.read_text(encoding="utf-8"))
        table = cls(n=payload["n"])
        table.columns = {
            field: [table._clean(v, field) for v in column]
            for field, column in payload["columns"].items()
        }
        return table


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _number(field: str, bound: Any) -> float:
    if not isinstance(bound, int | float) or isinstance(bound, bool):
        raise FilterError(f"filter on {field!r}: range bound {bound!r} is not a number")
    return float(bound)


def _check_condition(field: str, condition: Any) -> None:
    if isinstance(condition, Mapping) and set(condition) - {"min", "max"}:
        raise FilterError(f"filter on {field!r}: a range takes 'min' and 'max' only")


def shared_values(query_value: Any, doc_value: Any) -> list[Any]:
    """Values a query's metadata field and a document's have in common, query order kept."""
    if query_value is None or doc_value is None:
        return []
    wanted = _as_list(query_value)
    have = set(_as_list(doc_value))
    return [value for value in wanted if _hashable(value) and value in have]


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list | tuple | set | frozenset):
        return list(value)
    return [value]
