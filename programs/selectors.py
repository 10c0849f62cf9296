"""Read-only helpers the pages need on top of the services: phases, counts, tables, history."""

from __future__ import annotations

import ast
import datetime
import re
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from core.choices import Role
from core.models import AuditEntry, Job
from core.services.audit import field_label
from programs.choices import ApplicationStatus, BudgetCategory, CallStatus
from programs.models import Application, Call
from programs.services.decision import ON_THE_LIST, proposed_projects


def managed_district(user) -> int | None:
    """The region a district admin acts for (None for everyone else)."""
    m = getattr(user, "current_membership", None) if user.is_authenticated else None
    if m is None or not m.is_active or m.role != Role.DISTRICT_ADMIN:
        return None
    return m.region_id


def call_phase(call: Call, at=None) -> tuple[str, str]:
    """(key, label) of where a call stands: draft, not yet open, open, or closed."""
    if call.status != CallStatus.PUBLISHED:
        return call.status, call.get_status_display()
    at = at or timezone.now()
    if at < call.opens_at:
        return "upcoming", _("未开始")
    if at < call.closes_at:
        return "open", _("申报中")
    return "closed", _("已截止")


def status_counts(queryset) -> list[tuple[str, str, int]]:
    """(status, label, count) for each status present, in workflow order."""
    counts = dict(queryset.order_by().values_list("status").annotate(n=Count("id")))
    return [(s.value, s.label, counts[s.value]) for s in ApplicationStatus if s.value in counts]


def budget_table(application: Application) -> dict[str, Any]:
    """Every category with its amount and basis, the sum, and the funding it must equal."""
    lines = {line.category: line for line in application.budget_lines.all()}
    rows = [
        (label, lines[c].amount if c in lines else None, lines[c].note if c in lines else "")
        for c, label in BudgetCategory.choices
    ]
    total = sum((line.amount for line in lines.values()), Decimal(0))
    return {
        "rows": rows,
        "total": total,
        "funding": application.total_budget,
        "balanced": bool(lines) and total == application.total_budget,
    }


_STATUS_LABELS = dict(ApplicationStatus.choices)
_ISO_DATETIME = re.compile(r"^\d{4}-\d\d-\d\d[T ]\d\d:\d\d")


def _readable(value: Any) -> Any:
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, str) and _ISO_DATETIME.match(value):
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return moment.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, str) and value[:1] in ("[", "{"):
        # The audit snapshot keeps JSON fields (team, criteria) as the repr of the list.
        try:
            value = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            return value
    if isinstance(value, dict):
        return "，".join(f"{k} {v}" for k, v in value.items()) or None
    if isinstance(value, list):
        parts = [
            "｜".join(str(v) for v in item.values() if v) if isinstance(item, dict) else str(item)
            for item in value
        ]
        return "；".join(parts) or None
    return value


def change_history(obj) -> list[AuditEntry]:
    """The audit entries of one object, newest first, each with readable `rows`."""
    entries = list(
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
        ).select_related("content_type")
    )
    extra = {"budget": _("预算表")}
    for entry in entries:
        entry.rows = []
        for name, (old, new) in entry.changes.items():
            if name in ("status", "状态"):
                # Some services record the raw status value rather than its label.
                old, new = _STATUS_LABELS.get(old, old), _STATUS_LABELS.get(new, new)
            label = extra.get(name) or field_label(entry, name)
            entry.rows.append((label, _readable(old), _readable(new)))
    return entries


# -- 立项 and after -------------------------------------------------------------------------

AFTER_FUNDING = ON_THE_LIST[1:]


def publicity_projects(publicity):
    """The projects of a 公示, still listed after they have moved on to their 任务书 and beyond."""
    return proposed_projects(publicity)


def contract_budget(contract) -> list[tuple[str, Decimal | None]]:
    return [
        (label, Decimal(contract.budget[c]) if c in contract.budget else None)
        for c, label in BudgetCategory.choices
    ]


def describe_change(change) -> str:
    """The new value a change request asks for, as a reader would say it."""
    proposed = change.proposed or {}
    if "pi_name" in proposed:
        return _("项目负责人改为%(v)s") % {"v": proposed["pi_name"]}
    if "end_date" in proposed:
        return _("结束日期延至%(v)s") % {"v": proposed["end_date"]}
    if "budget" in proposed:
        labels = dict(BudgetCategory.choices)
        return "，".join(f"{labels.get(k, k)} {v}" for k, v in proposed["budget"].items())
    return str(proposed.get("content", ""))


def acceptance_panel_job(application):
    """The latest job building this project's acceptance panel (its progress, or why it failed)."""
    return Job.objects.filter(
        kind="programs.panel", params__stage="acceptance", params__only=[application.pk]
    ).first()


def indicator_results(contract, acceptance) -> list[tuple[str, str, str]]:
    """(indicator, target in the 任务书, result reported at acceptance), in the 任务书's order."""
    results = {r.get("name", ""): r.get("result", "") for r in acceptance.indicators_met or []}
    rows = []
    for indicator in contract.indicators if contract is not None else []:
        name = indicator.get("name", "")
        rows.append((name, indicator.get("target", ""), results.pop(name, "")))
    rows += [(name, "", result) for name, result in results.items()]
    return rows
