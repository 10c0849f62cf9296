"""Money on the cultivation pages: 元 with thousands separators (the Chinese locale has none)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def yuan(value) -> str:
    """1234567.5 → "1,234,567.50"; blank for None."""
    if value is None or value == "":
        return "—"
    try:
        return f"{Decimal(value):,.2f}"
    except (InvalidOperation, TypeError, ValueError):
        return str(value)


def wan(value) -> str:
    """An amount for a sentence: whole 百元 from 1万 up in 万元, otherwise in 元."""
    amount = Decimal(value)
    if amount >= 10000 and amount % 100 == 0:
        return _("%(n)s万元") % {"n": f"{(amount / 10000).normalize():,f}"}
    return _("%(n)s元") % {
        "n": f"{amount.normalize():,f}" if amount == amount.to_integral() else f"{amount:,.2f}"
    }


register.filter("wan", wan)
