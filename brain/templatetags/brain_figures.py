"""Numbers of an indicator as the brain's pages show them: `{{ value|num:indicator }}` with the
indicator's decimals, `{{ gap|signed:indicator }}` with its sign, `{{ pace|pace:indicator }}`
with one more decimal; "—" where there is no number."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


def _format(value, decimals: int, sign: bool) -> str:
    if value is None or value == "":
        return "—"
    spec = f"{'+' if sign else ''},.{decimals}f"
    return format(Decimal(value), spec)


@register.filter
def num(value, indicator) -> str:
    return _format(value, indicator.decimals, False)


@register.filter
def signed(value, indicator) -> str:
    return _format(value, indicator.decimals, True)


@register.filter
def pace(value, indicator) -> str:
    return _format(value, indicator.decimals + 1, True)
