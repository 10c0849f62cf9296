"""Numbers as a Chinese reader expects them — 3.2%、64 万元、1.5 亿元、12 人 — for whole columns.

Gap texts are written for hundreds of thousands of enterprises at once, so `numbers()` takes a
numpy array and returns a list of strings (plain list comprehensions: faster here than numpy's
string functions); `number()` is the one-value form.
"""

from __future__ import annotations

import math

import numpy as np

from .schema import UNITS_ZH, choice_label

DASH = "—"


def _ratio(x: float) -> str:
    if x != x:
        return DASH
    return f"{x * 100:.1f}".rstrip("0").rstrip(".") + "%"


def _yuan(x: float) -> str:
    if x != x:
        return DASH
    size = abs(x)
    if size >= 1e8:
        return f"{x / 1e8:.2f}".rstrip("0").rstrip(".") + " 亿元"
    if size >= 1e6:
        return f"{x / 1e4:.0f} 万元"
    if size >= 1e4:
        return f"{x / 1e4:.1f}".rstrip("0").rstrip(".") + " 万元"
    return f"{x:.0f} 元"


def _plain(x: float, suffix: str) -> str:
    if x != x:
        return DASH
    return f"{x:.2f}".rstrip("0").rstrip(".") + suffix


def numbers(values, unit: str) -> list[str]:
    values = np.asarray(values, dtype=float)
    if values.size > 64 and unit not in ("ratio", "yuan"):  # points, counts: few distinct values
        distinct, inverse = np.unique(values, return_inverse=True)
        texts = _format(distinct.tolist(), unit)
        return [texts[k] for k in inverse.reshape(-1).tolist()]
    return _format(values.tolist(), unit)


def _format(values: list[float], unit: str) -> list[str]:
    if unit == "ratio":
        return [_ratio(x) for x in values]
    if unit == "yuan":
        return [_yuan(x) for x in values]
    suffix = f" {UNITS_ZH[unit]}" if unit in UNITS_ZH else ""
    return [_plain(x, suffix) for x in values]


def amounts(deltas, unit: str) -> list[str]:
    """Sizes of changes to an input (sign dropped), whole persons or items rounded up."""
    size = np.abs(np.asarray(deltas, dtype=float))
    if unit in ("person", "item"):
        size = np.ceil(size - 1e-9)
    return numbers(size, unit)


def number(value: float, unit: str) -> str:
    return numbers(np.array([value]), unit)[0]


def value(v, unit: str, field: str = "") -> str:
    """Any criterion value: numbers with their unit, yes/no, a category's Chinese name."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return DASH
    if unit == "bool" or isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, str):
        return choice_label(field, v)
    return number(float(v), unit)
