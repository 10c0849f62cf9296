"""定价参考: the income, cost and market approaches for one achievement, with the working shown
step by step, a sensitivity table for the income approach, and dated reports kept on the record.

The arithmetic is in `valuation_math` (no Django); the reference figures (分成率, the UNIDO
royalty ranges by industry, the cost formula and what is still unconfirmed about it) are data in
transfer/data/valuation.json, read, like the inputs, by `valuation_inputs`. Every figure here is decision support for the two parties, never an
appraisal: every page and report carries DISCLAIMER.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import permissions
from core.exceptions import NotFound, ServiceError
from core.services import audit
from resources.models import Achievement
from transfer.choices import ContractKind, ContractStatus, ValuationMethod
from transfer.models import TechContract, ValuationReport
from transfer.services import valuation_math as vm
from transfer.services.valuation_inputs import (
    BY_GROWTH,
    LABELS,
    PROFIT_SPLIT,
    REVENUE_MODES,
    VARIANTS,
    clean_cost,
    clean_income,
    clean_market,
    industry,
    reference,
)

DISCLAIMER = gettext_lazy("本测算仅供交易双方参考，不能替代具有资质的资产评估机构出具的评估报告。")
COMPARABLE_KINDS = (ContractKind.TRANSFER, ContractKind.LICENSE)


# -- who may value which achievement ---------------------------------------------------------------
def require_value(user, achievement: Achievement) -> None:
    permissions.require(
        user,
        "transfer.value",
        achievement,
        message=_("只有成果所属单位和市科技局可以为该成果测算价格。"),
    )


def get_achievement(user, pk: int) -> Achievement:
    """The achievement, if `user` may value it (NotFound if there is none, else NotAllowed)."""
    achievement = (
        Achievement.objects.filter(pk=pk).select_related("owner", "hightech_field").first()
    )
    if achievement is None:
        raise NotFound(_("科技成果不存在。"))
    require_value(user, achievement)
    return achievement


def achievements_for(user) -> QuerySet[Achievement]:
    """Achievements `user` may value: their organisation's, or every one for the bureau."""
    records = Achievement.objects.select_related("owner").order_by("-updated_at", "-pk")
    if permissions.is_bureau(user):
        return records
    m = user.current_membership if getattr(user, "is_authenticated", False) else None
    if m is None or not m.is_active:
        return records.none()
    return records.filter(owner_id=m.organisation_id)


def visible_reports(user) -> QuerySet[ValuationReport]:
    """Every report `user` may read: their organisation's achievements', or all for the bureau."""
    reports = ValuationReport.objects.select_related("achievement__owner", "created_by")
    if permissions.is_bureau(user):
        return reports
    m = user.current_membership if getattr(user, "is_authenticated", False) else None
    if m is None or not m.is_active:
        return reports.none()
    return reports.filter(achievement__owner_id=m.organisation_id)


def reports_for(user, achievement: Achievement) -> QuerySet[ValuationReport]:
    require_value(user, achievement)
    return achievement.valuations.select_related("created_by")


def get_report(user, pk: int) -> ValuationReport:
    report = (
        ValuationReport.objects.filter(pk=pk)
        .select_related("achievement__owner", "achievement__hightech_field", "created_by")
        .first()
    )
    if report is None:
        raise NotFound(_("定价参考报告不存在。"))
    require_value(user, report.achievement)
    return report


# -- the working -----------------------------------------------------------------------------------
@dataclass
class Valuation:
    """A computed valuation: what a page shows and what a saved report keeps."""

    method: str
    valuation_date: datetime.date
    inputs: dict[str, Any]  # JSON-ready: amounts and rates as strings
    value: Decimal | None  # None: the approach gives no value (too few comparables)
    working: list[dict[str, str]]  # {label, expr, result} or {label, text}
    sensitivity: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # warnings shown beside the result
    refusal: str = ""  # why no value can be saved


def _step(label, expr: str = "", result: str = "", text: str = "") -> dict[str, str]:
    step = {"label": str(label)}
    if text:
        step["text"] = text
    if expr:
        step["expr"], step["result"] = expr, result
    return step


def _json(value):
    if isinstance(value, Decimal):
        return vm.number(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_json(v) for v in value]
    return value


def _share_note(share: Decimal) -> str:
    ref = reference()["profit_split"]
    low, high = Decimal(ref["low"]), Decimal(ref["high"])
    if low <= share <= high:
        return ""
    return _(
        "利润分成率 %(s)s 不在常用区间 %(low)s–%(high)s（四分法 25%%、三分法 33%%）之内，请在报告中说明依据。"
    ) % {"s": vm.percent(share), "low": vm.percent(low), "high": vm.percent(high)}


def _income(inputs: dict[str, Any]) -> Valuation:
    revenues: list[Decimal] = inputs["revenues"]
    rate = inputs["discount_rate"]
    chosen = industry(inputs["industry"]) if inputs["industry"] else None
    working = []
    if inputs["revenue_mode"] == BY_GROWTH:
        working.append(
            _step(
                _("第1年销售收入"),
                text=_("%(base)s 元（填报的首年收入）") % {"base": vm.money(revenues[0])},
            )
        )
        for t, revenue in enumerate(revenues[1:], 2):
            working.append(
                _step(
                    _("第%(t)d年销售收入") % {"t": t},
                    f"{vm.money(revenues[0])} × (1 + {vm.percent(inputs['growth_rate'])})"
                    f"{vm.superscript(t - 1)}",
                    vm.money(revenue),
                )
            )
    if inputs["variant"] == PROFIT_SPLIT:
        rates = [inputs["margin"], inputs["share"]]
    else:
        rates = [inputs["royalty"]]
        if inputs.get("royalty_default"):
            working.append(
                _step(
                    _("提成率"),
                    text=_(
                        "未填写提成率，按%(name)s行业参考区间 %(low)s–%(high)s 的中值 %(mid)s 计算"
                    )
                    % {
                        "name": chosen["name"],
                        "low": vm.percent(chosen["low"]),
                        "high": vm.percent(chosen["high"]),
                        "mid": vm.percent(chosen["mid"]),
                    },
                )
            )
    years = vm.income_years(revenues, rate, rates)
    rate_text = " × ".join(vm.percent(r) for r in rates)
    base = vm.growth_base(rate)
    for y in years:
        working.append(
            _step(
                _("第%(t)d年") % {"t": y.year},
                f"{vm.money(y.revenue)} × {rate_text} ÷ {base}{vm.superscript(y.year)}",
                vm.money(y.value),
            )
        )
    value = sum((y.value for y in years), Decimal(0))
    terms = " + ".join(vm.money(y.value) for y in years)
    working.append(_step(_("合计（各年现值之和）"), terms, vm.money(value)))
    working.extend(_conversion(inputs, chosen))
    data = _income_json(inputs)
    return Valuation(
        ValuationMethod.INCOME,
        inputs["valuation_date"],
        data,
        value,
        working,
        sensitivity=_sensitivity(inputs),
        notes=notes_for(ValuationMethod.INCOME, data),
    )


def _conversion(inputs: dict[str, Any], chosen: dict | None) -> list[dict[str, str]]:
    """The textbook identity 销售收入提成率 = 利润分成率 × 销售利润率, applied both ways."""
    identity = reference()["conversion"]["identity"]
    if inputs["variant"] == PROFIT_SPLIT:
        royalty = inputs["margin"] * inputs["share"] / vm.HUNDRED
        text = _("相当于销售收入提成率 %(m)s × %(s)s = %(r)s（%(identity)s）") % {
            "m": vm.percent(inputs["margin"]),
            "s": vm.percent(inputs["share"]),
            "r": vm.percent(royalty.quantize(Decimal("0.0001"))),
            "identity": identity,
        }
        if chosen:
            text += _("；%(name)s行业的参考提成率为 %(low)s–%(high)s") % {
                "name": chosen["name"],
                "low": vm.percent(chosen["low"]),
                "high": vm.percent(chosen["high"]),
            }
        return [_step(_("折算"), text=text)]
    if inputs.get("margin"):
        share = inputs["royalty"] / inputs["margin"] * vm.HUNDRED
        text = _(
            "按销售利润率 %(m)s 折算，相当于利润分成率 %(r)s ÷ %(m)s = %(s)s（%(identity)s）"
        ) % {
            "m": vm.percent(inputs["margin"]),
            "r": vm.percent(inputs["royalty"]),
            "s": vm.percent(share.quantize(Decimal("0.01"))),
            "identity": identity,
        }
        return [_step(_("折算"), text=text)]
    return []


def _income_json(inputs: dict[str, Any]) -> dict[str, Any]:
    keep = ["variant", "revenue_mode", "revenues", "horizon", "discount_rate", "industry"]
    if inputs["revenue_mode"] == BY_GROWTH:
        keep += ["base_revenue", "growth_rate"]
    keep += ["margin", "share"] if inputs["variant"] == PROFIT_SPLIT else ["royalty", "margin"]
    data = {k: _json(inputs[k]) for k in keep if inputs.get(k) not in (None, "")}
    if inputs.get("royalty_default"):
        data["royalty_default"] = True
    return data


def _axis(chosen: Decimal, defaults) -> list[Decimal]:
    return sorted({Decimal(d) for d in defaults} | {chosen})


def _sensitivity(inputs: dict[str, Any]) -> dict[str, Any]:
    """Value for each (分成率 or 提成率) × discount rate at the chosen horizon, and for each horizon
    × discount rate at the chosen 分成率; the chosen inputs are always among the rows and columns."""
    ref = reference()["sensitivity"]
    revenues: list[Decimal] = inputs["revenues"]
    horizon = len(revenues)
    rates = _axis(inputs["discount_rate"], ref["rates"])
    if inputs["variant"] == PROFIT_SPLIT:
        axis_label, fixed, chosen = _("利润分成率"), [inputs["margin"]], inputs["share"]
        axis = _axis(chosen, ref["shares"])
    else:
        axis_label, fixed, chosen = _("销售收入提成率"), [], inputs["royalty"]
        known = industry(inputs["industry"]) if inputs["industry"] else None
        if known:
            axis = _axis(chosen, [known["low"], known["mid"], known["high"]])
        else:
            axis = _axis(chosen, [vm.cents(chosen * Decimal(k)) for k in ("0.8", "1.2")])
    grid = vm.income_grid(revenues, fixed, axis, rates)

    def revenues_for(h: int) -> list[Decimal]:
        if inputs["revenue_mode"] == BY_GROWTH:
            return vm.growth_revenues(inputs["base_revenue"], inputs["growth_rate"], h)
        return revenues[:h]

    horizons = sorted(
        {h for h in ref["horizons"] if inputs["revenue_mode"] == BY_GROWTH or h <= horizon}
        | {horizon}
    )
    by_horizon = [vm.income_grid(revenues_for(h), fixed, [chosen], rates)[0] for h in horizons]
    return {
        "axis_label": str(axis_label),
        "axis": [vm.number(a) for a in axis],
        "rates": [vm.number(r) for r in rates],
        "horizon": horizon,
        "grid": [[vm.number(v) for v in row] for row in grid],
        "horizons": horizons,
        "by_horizon": [[vm.number(v) for v in row] for row in by_horizon],
        "chosen": {"axis": vm.number(chosen), "rate": vm.number(inputs["discount_rate"])},
    }


def _cost(inputs: dict[str, Any]) -> Valuation:
    c, v, b1 = inputs["materials"], inputs["labour"], inputs["multiplier"]
    L, b2, newness = inputs["return_rate"], inputs["risk"], inputs["newness"]
    steps = vm.cost_value(c, v, b1, L, b2, newness)
    working = [
        _step(
            _("计入创造性劳动"),
            f"C + β₁V = {vm.money(c)} + {vm.number(b1)} × {vm.money(v)}",
            vm.money(steps.direct),
        ),
        _step(
            _("计入投资报酬"),
            f"{vm.money(steps.direct)} × (1 + {vm.percent(L)})",
            vm.money(steps.with_return),
        ),
        _step(
            _("计入研发风险（β₂ 的符号待核实）"),
            f"{vm.money(steps.with_return)} ÷ (1 − {vm.percent(b2)})",
            vm.money(steps.replacement),
        ),
    ]
    if newness != vm.HUNDRED:
        working.append(
            _step(
                _("按成新率折算"),
                f"{vm.money(steps.replacement)} × {vm.percent(newness)}",
                vm.money(steps.value),
            )
        )
    working.append(_step(_("参考价值"), text=_("%(v)s 元") % {"v": vm.money(steps.value)}))
    data = {
        k: _json(inputs[k])
        for k in ("materials", "labour", "multiplier", "return_rate", "risk", "newness")
    }
    return Valuation(
        ValuationMethod.COST,
        inputs["valuation_date"],
        data,
        steps.value,
        working,
        notes=notes_for(ValuationMethod.COST, data),
    )


def comparable_contracts(achievement: Achievement) -> QuerySet[TechContract]:
    """Registered 技术转让/技术许可 contracts in the achievement's 高新技术领域 (by the registrar's
    classification when it made one), with the registered technology amount."""
    if achievement.hightech_field_id is None:
        return TechContract.objects.none()
    kinds = [k.value for k in COMPARABLE_KINDS]
    return (
        TechContract.objects.filter(
            status=ContractStatus.REGISTERED,
            field_id=achievement.hightech_field_id,
            tech_amount__isnull=False,
        )
        .filter(Q(registered_kind__in=kinds) | Q(registered_kind="", kind__in=kinds))
        .order_by("tech_amount", "signed_on", "pk")
    )


def _quantile_expr(q: vm.Quantile, ordered: list[Decimal]) -> str:
    i = q.index
    if not q.fraction:
        return _("第%(i)d个") % {"i": i}
    return _("第%(i)d个 + %(f)s ×（第%(j)d个 − 第%(i)d个）= %(a)s + %(f)s × (%(b)s − %(a)s)") % {
        "i": i,
        "j": i + 1,
        "f": vm.number(q.fraction),
        "a": vm.money(ordered[i - 1]),
        "b": vm.money(ordered[i]),
    }


def _market(achievement: Achievement, inputs: dict[str, Any]) -> Valuation:
    minimum = reference()["market"]["minimum"]
    data: dict[str, Any] = {"minimum": minimum, "kinds": [k.value for k in COMPARABLE_KINDS]}
    working: list[dict[str, str]] = []
    field_obj = achievement.hightech_field
    if field_obj is None:
        refusal = _("该成果未填写高新技术领域，无法查找同领域的可比交易。")
        return Valuation(
            ValuationMethod.MARKET, inputs["valuation_date"], data, None, working, refusal=refusal
        )
    contracts = list(comparable_contracts(achievement))
    kinds = dict(ContractKind.choices)
    data["field"] = field_obj.name
    data["contracts"] = [
        {
            "id": c.pk,
            "kind": str(kinds.get(c.registered_kind or c.kind, c.kind)),
            "signed_on": c.signed_on.isoformat(),
            "tech_amount": vm.number(c.tech_amount),
        }
        for c in contracts
    ]
    n = len(contracts)
    working.append(
        _step(
            _("可比交易"),
            text=_("“%(field)s”领域已认定登记的技术转让、技术许可合同 %(n)d 份")
            % {"field": field_obj.name, "n": n},
        )
    )
    if n < minimum:
        refusal = _(
            "同领域已登记的技术转让、技术许可合同只有 %(n)d 份，少于 %(min)d 份，可比交易不足，不能按市场法给出参考价值。"
        ) % {"n": n, "min": minimum}
        return Valuation(
            ValuationMethod.MARKET, inputs["valuation_date"], data, None, working, refusal=refusal
        )
    ordered = [c.tech_amount for c in contracts]
    working.append(_step(_("认定技术交易额从小到大"), text="、".join(vm.money(a) for a in ordered)))
    q1, median, q3 = vm.quartiles(ordered)
    for label, q in ((_("下四分位数"), q1), (_("中位数"), median), (_("上四分位数"), q3)):
        working.append(_step(label, _quantile_expr(q, ordered), vm.money(q.value)))
    data["q1"], data["median"], data["q3"] = (vm.number(q.value) for q in (q1, median, q3))
    working.append(
        _step(_("参考价值（取中位数）"), text=_("%(v)s 元") % {"v": vm.money(median.value)})
    )
    return Valuation(
        ValuationMethod.MARKET,
        inputs["valuation_date"],
        data,
        median.value,
        working,
        notes=notes_for(ValuationMethod.MARKET, data),
    )


CLEANERS = {
    ValuationMethod.INCOME: clean_income,
    ValuationMethod.COST: clean_cost,
    ValuationMethod.MARKET: clean_market,
}


def compute(achievement: Achievement, method: str, data: Mapping[str, Any]) -> Valuation:
    """The valuation of `achievement` by `method` from the raw inputs, without saving anything."""
    if method not in CLEANERS:
        raise ServiceError(_("未知的测算方法：%(m)s") % {"m": method}, code="unknown_method")
    inputs = CLEANERS[method](data)
    if method == ValuationMethod.INCOME:
        return _income(inputs)
    if method == ValuationMethod.COST:
        return _cost(inputs)
    return _market(achievement, inputs)


def preview(user, achievement: Achievement, method: str, data: Mapping[str, Any]) -> Valuation:
    require_value(user, achievement)
    return compute(achievement, method, data)


def save_report(
    user, achievement: Achievement, method: str, data: Mapping[str, Any]
) -> ValuationReport:
    """Compute and keep a dated report; refused (nothing saved) when the approach gives no value."""
    require_value(user, achievement)
    result = compute(achievement, method, data)
    if result.value is None:
        raise ServiceError(result.refusal, code="no_value")
    with transaction.atomic():
        report = ValuationReport(
            achievement=achievement,
            method=method,
            valuation_date=result.valuation_date,
            inputs=result.inputs,
            value=result.value,
            working=result.working,
            sensitivity=result.sensitivity,
            created_by=user,
        )
        report.full_clean(exclude=["sensitivity"])  # empty for the cost and market approaches
        report.save()
        audit.record_create(user, report)
    return report


def notes_for(method: str, inputs: Mapping[str, Any]) -> list[str]:
    """Warnings shown beside a result (and again on the saved report) for its inputs."""
    if method == ValuationMethod.INCOME:
        share = inputs.get("share")
        note = (
            _share_note(Decimal(share)) if share and inputs.get("variant") == PROFIT_SPLIT else ""
        )
        return [note] if note else []
    if method == ValuationMethod.COST:
        ref = reference()["cost"]
        return [
            _("待核实：%(what)s（%(source)s），结果仅作参考。")
            % {"what": ref["unconfirmed"], "source": ref["source"]}
        ]
    if inputs.get("median") is None:
        return []
    return [
        _(
            "可比合同的标的、规模和交易条件与本成果不尽相同，中位数只说明同领域成交的一般水平；四分位区间 %(q1)s–%(q3)s 元可作为议价参考。"
        )
        % {"q1": vm.money(Decimal(inputs["q1"])), "q3": vm.money(Decimal(inputs["q3"]))}
    ]


# -- showing a report ------------------------------------------------------------------------------
def input_rows(method: str, inputs: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The inputs of a valuation as (label, value) lines for a page."""
    rows: list[tuple[str, str]] = []

    def money(name):
        if inputs.get(name) not in (None, ""):
            rows.append((str(LABELS[name]), vm.money(Decimal(inputs[name]))))

    def rate(name, suffix=""):
        if inputs.get(name) not in (None, ""):
            label = str(LABELS[name]).replace("（%）", "")
            rows.append((label, vm.percent(Decimal(inputs[name])) + suffix))

    if method == ValuationMethod.INCOME:
        rows.append((str(LABELS["variant"]), str(VARIANTS.get(inputs.get("variant"), ""))))
        rows.append(
            (str(LABELS["revenue_mode"]), str(REVENUE_MODES.get(inputs.get("revenue_mode"), "")))
        )
        if inputs.get("revenue_mode") == BY_GROWTH:
            money("base_revenue")
            rate("growth_rate")
        revenues = inputs.get("revenues") or []
        rows.append(
            (
                str(LABELS["revenues"]),
                "、".join(vm.money(Decimal(r)) for r in revenues),
            )
        )
        rows.append((_("收益年限"), _("%(n)d年") % {"n": len(revenues)}))
        rate("margin")
        rate("share")
        default = _("（按行业参考区间中值）") if inputs.get("royalty_default") else ""
        rate("royalty", default)
        if inputs.get("industry") and (known := industry(inputs["industry"])):
            rows.append(
                (
                    str(LABELS["industry"]),
                    _("%(name)s（参考提成率 %(low)s–%(high)s）")
                    % {
                        "name": known["name"],
                        "low": vm.percent(known["low"]),
                        "high": vm.percent(known["high"]),
                    },
                )
            )
        rate("discount_rate")
    elif method == ValuationMethod.COST:
        money("materials")
        money("labour")
        rows.append((str(LABELS["multiplier"]), vm.number(Decimal(inputs["multiplier"]))))
        rate("return_rate")
        rate("risk", _("（符号待核实）"))
        rate("newness")
    else:
        rows.append((_("技术领域"), inputs.get("field") or _("未填写")))
        rows.append((_("可比合同"), _("%(n)d 份") % {"n": len(inputs.get("contracts") or [])}))
    return rows


def sensitivity_rows(sensitivity: Mapping[str, Any]) -> dict[str, Any] | None:
    """The sensitivity table laid out for a template: header cells and rows of (value, chosen)."""
    if not sensitivity:
        return None
    chosen = sensitivity["chosen"]
    rates = sensitivity["rates"]

    def cells(row, chosen_row: bool):
        return [
            {
                "value": Decimal(v),
                "wan": vm.cents(Decimal(v) / 10000),
                "chosen": chosen_row and r == chosen["rate"],
            }
            for v, r in zip(row, rates, strict=True)
        ]

    grid = [
        {
            "label": vm.percent(Decimal(a)),
            "chosen": a == chosen["axis"],
            "cells": cells(row, a == chosen["axis"]),
        }
        for a, row in zip(sensitivity["axis"], sensitivity["grid"], strict=True)
    ]
    by_horizon = [
        {
            "label": _("%(n)d年") % {"n": h},
            "chosen": h == sensitivity["horizon"],
            "cells": cells(row, h == sensitivity["horizon"]),
        }
        for h, row in zip(sensitivity["horizons"], sensitivity["by_horizon"], strict=True)
    ]
    return {
        "axis_label": sensitivity["axis_label"],
        "rates": [vm.percent(Decimal(r)) for r in rates],
        "horizon": sensitivity["horizon"],
        "chosen_axis": vm.percent(Decimal(chosen["axis"])),
        "grid": grid,
        "by_horizon": by_horizon,
    }
