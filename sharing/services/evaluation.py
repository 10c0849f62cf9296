"""The annual open-sharing evaluation of instrument hosts.

Each host's year (from `sharing_stats.host_statistics`) is scored on the indicators of
`sharing/data/evaluation.json` — utilisation, services and user satisfaction, each with a weight
and a scale — and graded by the score bands there. `score_hosts` is the arithmetic alone (no
database), so it can be checked by hand; `run_evaluation` stores a draft with the parameters as
they were, replacing the year's earlier draft; publishing freezes the year.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import permissions
from core.choices import AuditAction
from core.exceptions import InvalidTransition, NotFound, ServiceError
from core.models import Job, Membership, Notification, User
from core.services import audit
from core.services.jobs import Progress, job_handler, start_job
from sharing.choices import EvaluationStatus
from sharing.models import HostGrade, SharingEvaluation

PARAMS_PATH = Path(__file__).resolve().parent.parent / "data" / "evaluation.json"
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
JOB_KIND = "sharing.evaluate"


def load_params() -> dict[str, Any]:
    with PARAMS_PATH.open(encoding="utf-8") as f:
        return json.load(f)


# -- the arithmetic -------------------------------------------------------------------------


@dataclass(frozen=True)
class Component:
    """One indicator of one host: its value, the points it gave and the rule that gave them."""

    key: str
    label: str
    value: Decimal | None
    value_text: str
    weight: Decimal
    points: Decimal
    rule: str
    note: str = ""
    short: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "short": self.short or self.label,
            "value": None if self.value is None else str(self.value),
            "value_text": self.value_text,
            "weight": str(self.weight),
            "points": str(self.points),
            "rule": self.rule,
            "note": self.note,
        }


@dataclass(frozen=True)
class ScoredHost:
    organisation_id: int
    name: str
    stats: Any
    components: tuple[Component, ...]
    score: Decimal
    grade: str
    grade_label: str
    rank: int


def _get(row, name: str):
    return row[name] if isinstance(row, dict) else getattr(row, name)


def _number(value) -> Decimal:
    return Decimal(str(value))


def value_text(indicator: dict[str, Any], value) -> str:
    if value is None:
        return "—"
    unit = indicator.get("unit")
    if unit == "percent":
        return f"{(_number(value) * 100).quantize(CENT, ROUND_HALF_UP)}%"
    if unit == "count":
        return _("%(n)s 次") % {"n": value}
    return f"{_number(value).quantize(CENT, ROUND_HALF_UP)}"


def indicator_points(indicator: dict[str, Any], value) -> tuple[Decimal, str]:
    """(points to the fen, a note when the value is missing) under the indicator's scale.

    linear: weight × min(value ÷ full_at, 1); range: weight × (value − low) ÷ (high − low),
    kept within 0 and the weight; no value: 0 points and the indicator's `missing` note."""
    weight = _number(indicator["weight"])
    if value is None:
        return ZERO, indicator.get("missing", _("无数据，按 0 分计。"))
    value = _number(value)
    kind = indicator.get("kind", "linear")
    if kind == "linear":
        share = value / _number(indicator["full_at"])
    elif kind == "range":
        low, high = _number(indicator["low"]), _number(indicator["high"])
        share = (value - low) / (high - low)
    else:
        raise ValueError(f"unknown scale {kind!r}")
    share = min(max(share, Decimal(0)), Decimal(1))
    return (weight * share).quantize(CENT, ROUND_HALF_UP), ""


def grade_for(score: Decimal, params: dict[str, Any]) -> tuple[str, str]:
    """The first band (highest minimum first) whose minimum the score reaches."""
    bands = sorted(params["grades"], key=lambda b: _number(b["min"]), reverse=True)
    for band in bands:
        if score >= _number(band["min"]):
            return band["key"], band["label"]
    last = bands[-1]
    return last["key"], last["label"]


def score_hosts(rows: Iterable[Any], params: dict[str, Any]) -> list[ScoredHost]:
    """Score and grade HostStats-like rows (objects or dicts with the indicators' keys,
    `organisation_id` and `name`); best first, ties sharing a rank (1, 1, 3 …)."""
    scored = []
    for row in rows:
        components = []
        for indicator in params["indicators"]:
            value = _get(row, indicator["key"])
            points, note = indicator_points(indicator, value)
            components.append(
                Component(
                    key=indicator["key"],
                    label=indicator["label"],
                    value=None if value is None else _number(value),
                    value_text=value_text(indicator, value),
                    weight=_number(indicator["weight"]),
                    points=points,
                    rule=indicator["rule"],
                    note=note,
                    short=indicator.get("short", ""),
                )
            )
        score = sum((c.points for c in components), ZERO)
        grade, label = grade_for(score, params)
        scored.append(
            (
                _get(row, "organisation_id"),
                _get(row, "name"),
                row,
                tuple(components),
                score,
                grade,
                label,
            )
        )
    scored.sort(key=lambda s: (-s[4], s[1], s[0]))
    result = []
    rank = 0
    previous = None
    for n, (org_id, name, row, components, score, grade, label) in enumerate(scored, 1):
        if score != previous:
            rank, previous = n, score
        result.append(
            ScoredHost(
                organisation_id=org_id,
                name=name,
                stats=row,
                components=components,
                score=score,
                grade=grade,
                grade_label=label,
                rank=rank,
            )
        )
    return result


def method(params: dict[str, Any]) -> dict[str, Any]:
    """The method in words, from a params snapshot: indicators, bands and the status note."""
    indicators = [
        {
            "label": i["label"],
            "weight": _number(i["weight"]),
            "rule": i["rule"],
            "missing": i.get("missing", ""),
        }
        for i in params.get("indicators", [])
    ]
    bands = sorted(params.get("grades", []), key=lambda b: _number(b["min"]), reverse=True)
    band_text = []
    for n, band in enumerate(bands):
        if n == 0:
            band_text.append(
                _("%(label)s：%(min)s 分及以上") % {"label": band["label"], "min": band["min"]}
            )
        elif n == len(bands) - 1:
            band_text.append(
                _("%(label)s：低于 %(max)s 分")
                % {"label": band["label"], "max": bands[n - 1]["min"]}
            )
        else:
            band_text.append(
                _("%(label)s：%(min)s 分及以上、低于 %(max)s 分")
                % {"label": band["label"], "min": band["min"], "max": bands[n - 1]["min"]}
            )
    return {
        "title": params.get("title", ""),
        "version": params.get("version", ""),
        "status": params.get("status", ""),
        "source": params.get("source", ""),
        "indicators": indicators,
        "total": sum((i["weight"] for i in indicators), Decimal(0)),
        "bands": band_text,
        "notes": params.get("notes", []),
    }


# -- runs and publishing --------------------------------------------------------------------


def _check_year(year) -> int:
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ServiceError(_("请填写评价年度，如 2026。"), code="invalid") from None
    if not 2000 <= year <= 2100:
        raise ServiceError(_("评价年度须在2000至2100之间。"), code="invalid")
    return year


def _refuse_if_published(year: int) -> None:
    if SharingEvaluation.objects.filter(year=year, status=EvaluationStatus.PUBLISHED).exists():
        raise InvalidTransition(_("该年度评价已发布"))


def run_evaluation(actor, year, progress: Progress | None = None) -> SharingEvaluation:
    """Score every host of the year and keep the result as the year's draft (replacing an
    earlier draft). `actor` None is the command line."""
    if actor is not None:
        permissions.require(actor, "sharing.manage", None, _("只有市科技局可以开展开放共享评价。"))
    year = _check_year(year)
    progress = progress or Progress()
    _refuse_if_published(year)
    from sharing.services.sharing_stats import host_statistics

    params = load_params()
    stats = host_statistics(year)
    progress.start(len(stats), _("%(year)s年度开放共享评价") % {"year": year})
    scored = score_hosts(stats, params)
    grades = []
    for host in scored:
        s = host.stats
        grades.append(
            HostGrade(
                organisation_id=host.organisation_id,
                instruments=_get(s, "instruments"),
                hours_offered=_get(s, "hours_offered"),
                hours_used=_get(s, "hours_used"),
                utilisation=_get(s, "utilisation") or ZERO,
                services=_get(s, "services"),
                outside_users=_get(s, "outside_users"),
                satisfaction=_get(s, "satisfaction"),
                fees=_get(s, "fees"),
                score=host.score,
                grade=host.grade,
                components=[c.as_json() for c in host.components],
                rank=host.rank,
            )
        )
        progress.advance(1, host.name)
    with transaction.atomic():
        drafts = list(SharingEvaluation.objects.select_for_update().filter(year=year))
        if any(e.status == EvaluationStatus.PUBLISHED for e in drafts):
            raise InvalidTransition(_("该年度评价已发布"))
        replaced = [e.pk for e in drafts]
        SharingEvaluation.objects.filter(pk__in=replaced).delete()
        evaluation = SharingEvaluation.objects.create(year=year, params=params, computed_by=actor)
        for grade in grades:
            grade.evaluation = evaluation
        HostGrade.objects.bulk_create(grades)
        audit.record(
            actor,
            AuditAction.CREATE,
            evaluation,
            note=(_("评价 %(n)d 家单位（替换原草稿）") if replaced else _("评价 %(n)d 家单位"))
            % {"n": len(grades)},
        )
    return evaluation


@job_handler(JOB_KIND, permission="sharing.manage")
def evaluation_job(params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    user = User.objects.filter(pk=params.get("user_id")).first()
    evaluation = run_evaluation(user, params["year"], progress)
    counts = {row["key"]: row["count"] for row in distribution(evaluation)}
    progress.advance(
        0,
        _("%(year)s年度评价完成：%(n)d 家单位。")
        % {"year": evaluation.year, "n": sum(counts.values())},
    )
    return {"evaluation_id": evaluation.pk, "year": evaluation.year, "grades": counts}


def start_evaluation(actor, year) -> Job:
    """The bureau starts the year's run as a background job."""
    permissions.require(actor, "sharing.manage", None, _("只有市科技局可以开展开放共享评价。"))
    year = _check_year(year)
    _refuse_if_published(year)
    return start_job(
        actor,
        JOB_KIND,
        _("%(year)s年度开放共享评价") % {"year": year},
        {"year": year, "user_id": actor.pk},
    )


def publish_evaluation(actor, evaluation: SharingEvaluation) -> SharingEvaluation:
    """Publish the draft: the year's result becomes public and can no longer change."""
    permissions.require(actor, "sharing.manage", None, _("只有市科技局可以发布评价结果。"))
    with transaction.atomic():
        locked = SharingEvaluation.objects.select_for_update().get(pk=evaluation.pk)
        if locked.status == EvaluationStatus.PUBLISHED:
            raise InvalidTransition(_("该年度评价已发布"))
        _refuse_if_published(locked.year)
        before = audit.snapshot(locked)
        locked.status = EvaluationStatus.PUBLISHED
        locked.published_at = timezone.now()
        try:
            with transaction.atomic():
                locked.save()
        except IntegrityError:
            raise InvalidTransition(_("该年度评价已发布")) from None
        audit.record(
            actor, AuditAction.TRANSITION, locked, audit.diff(before, audit.snapshot(locked))
        )
        url = reverse("sharing_evaluation", args=[locked.pk])
        grades = dict(locked.grades.values_list("organisation_id", "grade"))
        labels = {b["key"]: b["label"] for b in locked.params.get("grades", [])}
        notes = [
            Notification(
                user_id=user_id,
                title=(
                    _("%(year)s年度大型科研仪器开放共享评价结果已发布：贵单位评为%(grade)s。")
                    % {"year": locked.year, "grade": labels.get(grades[org_id], "")}
                )[:200],
                url=url,
            )
            for user_id, org_id in Membership.objects.filter(
                organisation_id__in=list(grades), is_active=True
            ).values_list("user_id", "organisation_id")
        ]
        Notification.objects.bulk_create(notes)
    return locked


# -- reading --------------------------------------------------------------------------------


def evaluations_for(user) -> QuerySet[SharingEvaluation]:
    """Published evaluations for everyone; drafts too for the bureau."""
    qs = SharingEvaluation.objects.select_related("computed_by")
    if not permissions.can(user, "sharing.manage"):
        qs = qs.filter(status=EvaluationStatus.PUBLISHED)
    return qs.order_by("-year", "-computed_at")


def get_evaluation_for(user, pk) -> SharingEvaluation:
    evaluation = evaluations_for(user).filter(pk=pk).first()
    if evaluation is None:
        raise NotFound(_("评价不存在或尚未发布。"))
    return evaluation


def grades_of(evaluation: SharingEvaluation) -> QuerySet[HostGrade]:
    return evaluation.grades.select_related("organisation").order_by("rank", "organisation__name")


def distribution(evaluation: SharingEvaluation) -> list[dict[str, Any]]:
    """How many hosts got each grade, in the order of the bands."""
    counts: dict[str, int] = {}
    for grade in evaluation.grades.values_list("grade", flat=True):
        counts[grade] = counts.get(grade, 0) + 1
    total = sum(counts.values())
    bands = sorted(
        evaluation.params.get("grades", []), key=lambda b: _number(b["min"]), reverse=True
    )
    return [
        {
            "key": b["key"],
            "label": b["label"],
            "count": counts.get(b["key"], 0),
            "percent": (
                (Decimal(counts.get(b["key"], 0)) * 100 / total).quantize(
                    Decimal("0.1"), ROUND_HALF_UP
                )
                if total
                else Decimal(0)
            ),
        }
        for b in bands
    ]


def export_headers(params: dict[str, Any]) -> list[str]:
    return [
        _("名次"),
        _("单位名称"),
        _("开放仪器数"),
        _("开放机时"),
        _("对外服务机时"),
        _("对外服务机时利用率"),
        _("对外服务次数"),
        _("服务单位数"),
        _("平均满意度"),
        _("服务收入（元）"),
        *[_("%(label)s得分") % {"label": i["label"]} for i in params.get("indicators", [])],
        _("综合得分"),
        _("等级"),
    ]


def export_rows(evaluation: SharingEvaluation):
    keys = [i["key"] for i in evaluation.params.get("indicators", [])]
    for g in grades_of(evaluation):
        points = {c["key"]: Decimal(c["points"]) for c in g.components}
        shown = {c["key"]: c["value_text"] for c in g.components}
        utilisation = shown.get(
            "utilisation", f"{(g.utilisation * 100).quantize(CENT, ROUND_HALF_UP)}%"
        )
        yield [
            g.rank,
            g.organisation.name,
            g.instruments,
            g.hours_offered,
            g.hours_used,
            utilisation,
            g.services,
            g.outside_users,
            g.satisfaction if g.satisfaction is not None else "",
            g.fees,
            *[points.get(k, ZERO) for k in keys],
            g.score,
            g.get_grade_display(),
        ]
