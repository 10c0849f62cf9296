"""Assessments of enterprises under the rule sets of `kechuang.rules`, kept as records: the
version and date, the data used and every criterion, so a page shows what was computed then."""

from __future__ import annotations

import dataclasses
import datetime
import math
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import permissions
from core.exceptions import NotFound, ServiceError
from core.models import Organisation
from cultivation.choices import HteField, ProductRole, RdInstitution
from cultivation.models import Assessment
from cultivation.services import figures
from integrity.services.gate import check_integrity, restriction_message
from kechuang import rules as engine

STATUS_LABELS = {
    "eligible": gettext_lazy("符合条件"),
    "not_eligible": gettext_lazy("不符合条件"),
    "needs_review": gettext_lazy("待专家评审"),
    "incomplete": gettext_lazy("数据不全"),
}
CRITERION_LABELS = {
    "passed": gettext_lazy("符合"),
    "failed": gettext_lazy("不符合"),
    "review": gettext_lazy("待专家评审"),
    "missing": gettext_lazy("缺少数据"),
    "not_applicable": gettext_lazy("不适用"),
}


UNIT_SUFFIX = {
    "item": gettext_lazy("项"),
    "person": gettext_lazy("人"),
    "year": gettext_lazy("年"),
    "day": gettext_lazy("天"),
    "points": gettext_lazy("分"),
}
CATEGORY_LABELS = {
    **dict(HteField.choices),
    **dict(RdInstitution.choices),
    **dict(ProductRole.choices),
}


def rulesets_in_force(on: datetime.date) -> list[engine.RuleSet]:
    """One version of each rule set, the one in force on `on`, in the book's order."""
    book = engine.RuleBook.load()
    out = []
    for name in book.names():
        try:
            out.append(book.in_force(name, on))
        except engine.NoVersionInForce:
            continue
    return out


def ruleset_in_force(name: str, on: datetime.date) -> engine.RuleSet:
    try:
        return engine.RuleBook.load().in_force(name, on)
    except engine.UnknownRuleSet:
        raise NotFound(_("没有名为“%(name)s”的评价规则。") % {"name": name}) from None
    except engine.NoVersionInForce:
        raise ServiceError(
            _("%(day)s 没有现行有效的“%(name)s”评价规则。") % {"day": on.isoformat(), "name": name}
        ) from None


def _json(value: Any) -> Any:
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 6)
    if isinstance(value, tuple):
        return [_json(v) for v in value]
    if isinstance(value, list):
        return [_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def result_dict(a: engine.Assessment) -> dict[str, Any]:
    """Everything a page or a PDF shows, as JSON: verdict, score, routes, criteria, gaps."""
    return {
        "ruleset": a.ruleset,
        "version": a.version,
        "title": a.title,
        "on": a.on.isoformat(),
        "eligible": a.eligible,
        "status": a.status,
        "score": _json(a.score),
        "score_range": _json(a.score_range),
        "routes": list(a.routes),
        "criteria": [_json(dataclasses.asdict(c)) for c in a.criteria],
        "gaps": list(a.gaps),
        "unconfirmed": list(a.unconfirmed),
    }


def save_assessment(
    actor, org: Organisation, result: engine.Assessment, record: dict[str, Any], refusal: str
) -> Assessment:
    return Assessment.objects.create(
        organisation=org,
        ruleset=result.ruleset,
        version=result.version,
        title=result.title,
        on=result.on,
        eligible=result.eligible,
        status=result.status,
        score=result.score,
        result=result_dict(result),
        record=record,
        integrity_refusal=refusal,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


def assess_enterprise(actor, org: Organisation, name: str, on: datetime.date) -> Assessment:
    """Assess `org` under the rule set `name` in force on `on` and keep the result.

    An integrity restriction on recognition shows as the failed 科研失信 criterion and, above
    the table, the decision that imposes it.
    """
    permissions.require(actor, "cultivation.self_assess", message=_("您无权进行资格自评。"))
    figures.require_view(actor, org)
    ruleset = ruleset_in_force(name, on)
    records = check_integrity(org, "recognition", on)
    record = figures.enterprise_record(org, on, restricted=bool(records))
    try:
        result = engine.assess(record, ruleset, on)
    except engine.InputError as exc:
        raise ServiceError(_("企业数据有误，无法评价：%(e)s") % {"e": exc.zh}) from None
    refusal = restriction_message(records[0], "recognition") if records else ""
    return save_assessment(actor, org, result, record, refusal)


def assessments_of(user, org: Organisation, ruleset: str | None = None):
    figures.require_view(user, org)
    qs = Assessment.objects.filter(organisation=org)
    return qs.filter(ruleset=ruleset) if ruleset else qs


def get_assessment(user, pk: int) -> Assessment:
    a = Assessment.objects.select_related("organisation").filter(pk=pk).first()
    if a is None:
        raise NotFound(_("评价记录不存在。"))
    figures.require_view(user, a.organisation)
    return a


def criteria_rows(a: Assessment) -> list[dict[str, Any]]:
    """The stored criteria with their verdicts in words, for pages and the PDF."""
    rows = []
    for c in a.result.get("criteria", []):
        row = dict(c)
        row["status_label"] = CRITERION_LABELS.get(c["status"], c["status"])
        row["value_text"] = format_value(c.get("value"), c.get("unit", ""))
        if c.get("value") is None and c.get("value_range"):
            # A score that experts still settle: the range the figures leave open.
            low, high = c["value_range"]
            unit = c.get("unit", "")
            suffixed = unit in ("ratio", "yuan")  # their numbers carry the unit themselves
            row["value_text"] = (
                format_value(low, unit)
                if low == high
                else f"{format_value(low, unit if suffixed else '')}–{format_value(high, unit)}"
            )
        row["threshold_text"] = format_threshold(c)
        row["points_text"] = format_points(c)
        rows.append(row)
    return rows


def format_value(value: Any, unit: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, list):
        return "、".join(format_value(v, unit) for v in value)
    if isinstance(value, (int, float)):
        if unit == "ratio":
            return f"{value * 100:.2f}%"
        if unit == "yuan":
            return _("%(v)s 万元") % {"v": f"{value / 10000:,.2f}"}
        text = f"{int(value):,}" if float(value).is_integer() else f"{value:,.4g}"
        suffix = UNIT_SUFFIX.get(unit, "")
        return f"{text} {suffix}".strip()
    return str(CATEGORY_LABELS.get(value, value))


def format_threshold(c: dict[str, Any]) -> str:
    threshold = c.get("threshold")
    if threshold is None:
        return "—"
    op = c.get("op") or ""
    return f"{op} {format_value(threshold, c.get('unit', ''))}".strip()


def format_points(c: dict[str, Any]) -> str:
    if c.get("max_points") is None:
        return ""
    if c.get("points") is not None:
        return f"{c['points']:g} / {c['max_points']:g}"
    low, high = c.get("points_range") or (None, None)
    if low is None:
        return f"— / {c['max_points']:g}"
    return f"{low:g}–{high:g} / {c['max_points']:g}"
