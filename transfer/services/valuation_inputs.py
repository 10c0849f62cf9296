"""The inputs of the valuation calculators: the reference figures and their sources
(transfer/data/valuation.json), and the checking of what people type, with one Chinese message
per bad field (a ValidationError keyed by field, which the form and the API both show)."""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from transfer.services import valuation_math as vm

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "valuation.json"
MAX_AMOUNT = Decimal("1000000000000")  # 1万亿元: far above any contract, within the 16-digit field
MAX_HORIZON = 20

PROFIT_SPLIT, ROYALTY = "profit_split", "royalty"
BY_YEAR, BY_GROWTH = "list", "growth"
VARIANTS = {PROFIT_SPLIT: gettext_lazy("利润分成法"), ROYALTY: gettext_lazy("销售收入提成法")}
REVENUE_MODES = {
    BY_YEAR: gettext_lazy("逐年预测收入"),
    BY_GROWTH: gettext_lazy("首年收入 + 年增长率"),
}

LABELS = {
    "valuation_date": gettext_lazy("评估基准日"),
    "variant": gettext_lazy("收益分成方式"),
    "revenue_mode": gettext_lazy("收入预测方式"),
    "revenues": gettext_lazy("逐年销售收入预测（元）"),
    "base_revenue": gettext_lazy("第1年销售收入（元）"),
    "growth_rate": gettext_lazy("年增长率（%）"),
    "horizon": gettext_lazy("收益年限（年）"),
    "margin": gettext_lazy("销售利润率（%）"),
    "share": gettext_lazy("利润分成率（%）"),
    "royalty": gettext_lazy("销售收入提成率（%）"),
    "industry": gettext_lazy("行业"),
    "discount_rate": gettext_lazy("折现率（%）"),
    "materials": gettext_lazy("材料费 C（元）"),
    "labour": gettext_lazy("人工费 V（元）"),
    "multiplier": gettext_lazy("科研人员倍加系数 β₁"),
    "return_rate": gettext_lazy("投资报酬率 L（%）"),
    "risk": gettext_lazy("研发风险系数 β₂（%）"),
    "newness": gettext_lazy("成新率（%）"),
}


def _name(name: str) -> str:
    """A field's label without its unit, for sentences: "利润分成率（%）" → "利润分成率"."""
    return re.sub(r"\s*[（(][^）)]*[）)]$", "", str(LABELS[name]))


@cache
def reference() -> dict[str, Any]:
    """The reference figures and their sources (transfer/data/valuation.json)."""
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


def industries() -> list[dict[str, Any]]:
    """The UNIDO royalty ranges by industry, each with its midpoint."""
    rows = []
    for row in reference()["royalty"]["industries"]:
        low, high = Decimal(row["low"]), Decimal(row["high"])
        rows.append({**row, "low": low, "high": high, "mid": (low + high) / 2})
    return rows


def industry(code: str) -> dict[str, Any] | None:
    return next((row for row in industries() if row["code"] == code), None)


# -- reading the inputs ----------------------------------------------------------------------------
class _Errors:
    """Collects one Chinese message per field, so the form shows every problem at once."""

    def __init__(self, data: Mapping[str, Any]):
        self.data = data
        self.errors: dict[str, list[str]] = {}

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def raw(self, name: str):
        value = self.data.get(name)
        return None if value is None or (isinstance(value, str) and not value.strip()) else value

    def decimal(self, name: str, *, required: bool = True) -> Decimal | None:
        value = self.raw(name)
        label = _name(name)
        if value is None:
            if required:
                self.add(name, _("请填写%(label)s。") % {"label": label})
            return None
        try:
            number = Decimal(str(value).strip().replace(",", ""))
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite():
            self.add(name, _("%(label)s应为数字。") % {"label": label})
            return None
        return number

    def amount(self, name: str, *, required: bool = True) -> Decimal | None:
        number = self.decimal(name, required=required)
        if number is not None and not self.amount_ok(name, number, _name(name)):
            return None
        return number

    def amount_ok(self, name: str, number: Decimal, label) -> bool:
        if number < 0:
            self.add(name, _("%(label)s不能为负数。") % {"label": label})
            return False
        if number > MAX_AMOUNT:
            self.add(
                name, _("%(label)s超过1万亿元，请核对单位（本页按元填写）。") % {"label": label}
            )
            return False
        if number != vm.cents(number):
            self.add(name, _("%(label)s最多保留两位小数（分）。") % {"label": label})
            return False
        return True

    def rate(self, name: str, low, high, *, low_open: bool, high_open: bool, required=True):
        """A percentage within (low, high), each end open or closed as the rule says."""
        number = self.decimal(name, required=required)
        if number is None:
            return None
        too_low = number <= low if low_open else number < low
        too_high = number >= high if high_open else number > high
        if too_low or too_high:
            self.add(name, self.range_message(name, low, high, low_open, high_open))
            return None
        return number

    @staticmethod
    def range_message(name, low, high, low_open, high_open) -> str:
        label = _name(name)
        lower = _("大于%(n)s") if low_open else _("不小于%(n)s")
        upper = _("小于%(n)s") if high_open else _("不超过%(n)s")
        unit = "%" if "%" in str(LABELS[name]) else ""
        return _("%(label)s应%(lower)s且%(upper)s。") % {
            "label": label,
            "lower": lower % {"n": f"{vm.number(Decimal(low))}{unit}"},
            "upper": upper % {"n": f"{vm.number(Decimal(high))}{unit}"},
        }

    def choice(self, name: str, choices) -> str | None:
        value = self.raw(name)
        if value is None:
            self.add(name, _("请选择%(label)s。") % {"label": _name(name)})
            return None
        if str(value) not in choices:
            self.add(name, _("%(label)s的选项无效。") % {"label": _name(name)})
            return None
        return str(value)

    def horizon(self, name: str = "horizon") -> int | None:
        number = self.decimal(name)
        if number is None:
            return None
        if number != number.to_integral_value() or not 1 <= number <= MAX_HORIZON:
            self.add(name, _("收益年限应为1到%(max)d之间的整数年。") % {"max": MAX_HORIZON})
            return None
        return int(number)

    def check(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def _valuation_date(data: Mapping[str, Any], errors: _Errors) -> datetime.date:
    value = errors.raw("valuation_date")
    today = timezone.localdate()
    if value is None:
        return today
    if isinstance(value, datetime.datetime):
        value = value.date()
    if not isinstance(value, datetime.date):
        try:
            value = datetime.date.fromisoformat(str(value).strip())
        except ValueError:
            errors.add("valuation_date", _("评估基准日应为日期，如 2026-06-30。"))
            return today
    if value > today:
        errors.add("valuation_date", _("评估基准日不能晚于今天。"))
    return value


def _revenue_list(errors: _Errors) -> list[Decimal] | None:
    values = errors.raw("revenues")
    label = _name("revenues")
    if not values:
        errors.add("revenues", _("请逐年填写销售收入预测，每年一个数。"))
        return None
    if isinstance(values, str) or not hasattr(values, "__iter__"):
        errors.add("revenues", _("%(label)s应为逐年的数字列表。") % {"label": label})
        return None
    values = list(values)
    if len(values) > MAX_HORIZON:
        errors.add(
            "revenues",
            _("最多预测%(max)d年，现在填了%(n)d年。") % {"max": MAX_HORIZON, "n": len(values)},
        )
        return None
    revenues = []
    for year, value in enumerate(values, 1):
        year_label = _("第%(t)d年的销售收入") % {"t": year}
        try:
            number = Decimal(str(value).strip().replace(",", ""))
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite():
            errors.add("revenues", _("%(label)s应为数字。") % {"label": year_label})
            return None
        if not errors.amount_ok("revenues", number, year_label):
            return None
        revenues.append(number)
    if not any(revenues):
        errors.add("revenues", _("各年销售收入预测都为零，无法按收益法测算。"))
        return None
    return revenues


def clean_income(data: Mapping[str, Any]) -> dict[str, Any]:
    """The income approach's inputs, typed and checked; ValidationError names each bad field."""
    e = _Errors(data)
    inputs: dict[str, Any] = {"valuation_date": _valuation_date(data, e)}
    inputs["variant"] = variant = e.choice("variant", VARIANTS)
    inputs["revenue_mode"] = mode = e.choice("revenue_mode", REVENUE_MODES)
    if mode == BY_YEAR:
        inputs["revenues"] = _revenue_list(e)
    elif mode == BY_GROWTH:
        base = e.amount("base_revenue")
        if base == 0:
            e.add("base_revenue", _("第1年销售收入为零，无法按收益法测算。"))
        inputs["base_revenue"] = base
        inputs["growth_rate"] = e.rate(
            "growth_rate", -50, 100, low_open=False, high_open=False, required=False
        ) or Decimal(0)
        inputs["horizon"] = e.horizon()
    code = e.raw("industry")
    chosen = industry(str(code)) if code is not None else None
    if code is not None and chosen is None:
        e.add("industry", _("行业的选项无效。"))
    inputs["industry"] = chosen["code"] if chosen else ""
    if variant == PROFIT_SPLIT:
        inputs["margin"] = e.rate("margin", 0, 100, low_open=True, high_open=False)
        inputs["share"] = e.rate("share", 0, 100, low_open=True, high_open=False)
    elif variant == ROYALTY:
        inputs["margin"] = e.rate("margin", 0, 100, low_open=True, high_open=False, required=False)
        royalty = e.rate("royalty", 0, 100, low_open=True, high_open=False, required=False)
        if royalty is None and "royalty" not in e.errors:
            if chosen is None:
                e.add("royalty", _("请填写提成率，或选择行业以采用该行业参考区间的中值。"))
            else:
                royalty = chosen["mid"]
                inputs["royalty_default"] = True
        inputs["royalty"] = royalty
    inputs["discount_rate"] = e.rate("discount_rate", 0, 100, low_open=False, high_open=True)
    e.check()
    if mode == BY_GROWTH:
        inputs["revenues"] = vm.growth_revenues(
            inputs["base_revenue"], inputs["growth_rate"], inputs["horizon"]
        )
    inputs["horizon"] = len(inputs["revenues"])
    return inputs


def clean_cost(data: Mapping[str, Any]) -> dict[str, Any]:
    e = _Errors(data)
    inputs: dict[str, Any] = {"valuation_date": _valuation_date(data, e)}
    inputs["materials"] = e.amount("materials")
    inputs["labour"] = e.amount("labour")
    if inputs["materials"] == 0 and inputs["labour"] == 0:
        e.add("materials", _("材料费和人工费不能都为零。"))
    inputs["multiplier"] = e.rate("multiplier", 1, 10, low_open=False, high_open=False)
    inputs["return_rate"] = e.rate("return_rate", 0, 100, low_open=False, high_open=True)
    inputs["risk"] = e.rate("risk", 0, 100, low_open=False, high_open=True)
    newness = e.rate("newness", 0, 100, low_open=True, high_open=False, required=False)
    inputs["newness"] = vm.HUNDRED if newness is None else newness
    e.check()
    return inputs


def clean_market(data: Mapping[str, Any]) -> dict[str, Any]:
    e = _Errors(data)
    inputs = {"valuation_date": _valuation_date(data, e)}
    e.check()
    return inputs
