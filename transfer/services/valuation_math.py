"""The arithmetic of the three valuation approaches, on Decimals and without Django.

Rates come in as percentages, as people type them (25 for 25%). Every step that a page shows is
rounded to the fen (0.01 元) before the next step uses it, so that the working on the page adds up
exactly when checked by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


def growth_revenues(base: Decimal, growth_pct: Decimal, horizon: int) -> list[Decimal]:
    """Year t's revenue = base × (1 + g)^(t−1): the base is the first forecast year's revenue."""
    factor = 1 + growth_pct / HUNDRED
    return [cents(base * factor ** (t - 1)) for t in range(1, horizon + 1)]


@dataclass(frozen=True)
class IncomeYear:
    year: int
    revenue: Decimal
    factor: Decimal  # (1 + r)^t, unrounded
    value: Decimal  # the year's present value, in fen


def income_years(
    revenues: Sequence[Decimal], discount_pct: Decimal, rate_pcts: Sequence[Decimal]
) -> list[IncomeYear]:
    """Each year's revenue × every rate (margin and share, or the royalty) ÷ (1 + r)^t."""
    fraction = Decimal(1)
    for rate in rate_pcts:
        fraction *= rate / HUNDRED
    base = 1 + discount_pct / HUNDRED
    return [
        IncomeYear(t, revenue, base**t, cents(revenue * fraction / base**t))
        for t, revenue in enumerate(revenues, 1)
    ]


def income_value(
    revenues: Sequence[Decimal], discount_pct: Decimal, rate_pcts: Sequence[Decimal]
) -> Decimal:
    """Σ_t revenue_t × rates ÷ (1 + r)^t, the sum of the years rounded to the fen."""
    return sum((y.value for y in income_years(revenues, discount_pct, rate_pcts)), Decimal(0))


def income_grid(
    revenues: Sequence[Decimal],
    fixed_pcts: Sequence[Decimal],
    axis_pcts: Sequence[Decimal],
    discount_pcts: Sequence[Decimal],
) -> list[list[Decimal]]:
    """The value for every (axis rate, discount rate): one row per axis rate (分成率 or 提成率),
    the other rates (the margin) held fixed."""
    return [[income_value(revenues, r, [*fixed_pcts, a]) for r in discount_pcts] for a in axis_pcts]


@dataclass(frozen=True)
class CostSteps:
    """倍加系数法: (C + β₁V)(1 + L) ÷ (1 − β₂), then × 成新率; each step in fen."""

    weighted_labour: Decimal  # β₁V
    direct: Decimal  # C + β₁V
    with_return: Decimal  # × (1 + L)
    replacement: Decimal  # ÷ (1 − β₂)
    value: Decimal  # × 成新率


def cost_value(
    materials: Decimal,
    labour: Decimal,
    multiplier: Decimal,
    return_pct: Decimal,
    risk_pct: Decimal,
    newness_pct: Decimal = HUNDRED,
) -> CostSteps:
    if risk_pct >= HUNDRED:
        raise ValueError("risk must be below 100%")
    weighted = cents(multiplier * labour)
    direct = materials + weighted
    with_return = cents(direct * (1 + return_pct / HUNDRED))
    replacement = cents(with_return / (1 - risk_pct / HUNDRED))
    value = cents(replacement * newness_pct / HUNDRED)
    return CostSteps(weighted, direct, with_return, replacement, value)


@dataclass(frozen=True)
class Quantile:
    """A quantile by linear interpolation between the order statistics x₁ ≤ … ≤ xₙ: the value at
    position 1 + p(n − 1), i.e. x_i + fraction × (x_{i+1} − x_i) (Excel's QUARTILE.INC)."""

    value: Decimal
    index: int  # i, 1-based
    fraction: Decimal


def quantile(ordered: Sequence[Decimal], p: Decimal) -> Quantile:
    if not ordered:
        raise ValueError("no values")
    position = p * (len(ordered) - 1)
    i = int(position)
    fraction = position - i
    value = ordered[i]
    if fraction:
        value = ordered[i] + fraction * (ordered[i + 1] - ordered[i])
    return Quantile(cents(value), i + 1, fraction)


def quartiles(values: Sequence[Decimal]) -> tuple[Quantile, Quantile, Quantile]:
    """Lower quartile, median and upper quartile of the values."""
    ordered = sorted(values)
    return tuple(quantile(ordered, Decimal(p)) for p in ("0.25", "0.5", "0.75"))  # type: ignore[return-value]


# -- how numbers read in the working ---------------------------------------------------------------
def money(value: Decimal) -> str:
    """3000000 → "3,000,000"; 81818.18 → "81,818.18"."""
    value = cents(Decimal(value))
    if value == value.to_integral_value():
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def number(value: Decimal) -> str:
    """A rate or a multiplier without trailing zeros: 12.50 → "12.5"."""
    text = f"{Decimal(value).normalize():f}"
    return text


def percent(value: Decimal) -> str:
    return f"{number(value)}%"


def growth_base(rate_pct: Decimal) -> str:
    """The base of the discount factor with at least two decimals: 10 → "1.10", 12.5 → "1.125"."""
    base = 1 + Decimal(rate_pct) / HUNDRED
    text = number(base)
    whole, _dot, decimals = text.partition(".")
    return f"{whole}.{decimals.ljust(2, '0')}"


def superscript(n: int) -> str:
    return str(n).translate(SUPERSCRIPT)
