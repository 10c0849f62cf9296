"""成果筛选评价: the bureau opens a screening of an achievement in a round and assigns experts
(recusing those of the owner's unit or with a declared relation to it); each expert hands in
one score sheet (0–100 per indicator, with a comment; resubmission allowed until decided); the
screening's score is the mean of the sheets' weighted totals, graded by bands; the bureau then
decides 入选/不入选 with reasons, which freezes it.

The indicator system is data (transfer/data/indicators.json): weights summing to 100, grade
bands, and the grade a selection should reach (`select_at_least`).

Arithmetic: a sheet's weighted total is Σ weight × score / 100; the screening's score is the
mean of the exact totals, rounded half-up to 2 decimals (sheets store their total rounded the
same way for display).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import permissions
from core.exceptions import InvalidTransition, NotAllowed, NotFound, ServiceError
from core.services import audit
from resources.choices import RecordStatus
from resources.models import Achievement, Expert
from transfer.choices import Grade, ScreeningDecision
from transfer.models import Screening, ScreeningScore
from transfer.services.trl import expert_of, recusal_reasons

INDICATOR_FILE = Path(__file__).resolve().parent.parent / "data" / "indicators.json"
CENT = Decimal("0.01")
SCORE_STEP = Decimal("0.1")
COMMENT_MIN = 10  # characters
ROUND_MAX = 60


@cache
def indicator_system() -> dict[str, Any]:
    """transfer/data/indicators.json, checked: weights sum to 100, bands from high to low."""
    data = json.loads(INDICATOR_FILE.read_text(encoding="utf-8"))
    total = sum(Decimal(str(i["weight"])) for i in data["indicators"])
    if total != 100:
        raise ImproperlyConfigured(f"{INDICATOR_FILE}: weights sum to {total}, not 100")
    codes = [i["code"] for i in data["indicators"]]
    if len(set(codes)) != len(codes):
        raise ImproperlyConfigured(f"{INDICATOR_FILE}: duplicate indicator codes")
    grades = {g["grade"] for g in data["grades"]}
    if not grades <= set(Grade.values) or data["select_at_least"] not in grades:
        raise ImproperlyConfigured(f"{INDICATOR_FILE}: unknown grade")
    data["grades"] = sorted(data["grades"], key=lambda g: -Decimal(str(g["min"])))
    return data


def indicators() -> list[dict[str, Any]]:
    return indicator_system()["indicators"]


def indicator_version() -> str:
    return indicator_system()["version"]


def select_at_least() -> str:
    return indicator_system()["select_at_least"]


# -- arithmetic ------------------------------------------------------------------------------


def weighted_total(scores: dict[str, Any], indicator_list: list[dict] | None = None) -> Decimal:
    """Σ weight × score / 100, exact (not rounded)."""
    indicator_list = indicator_list or indicators()
    return sum(
        (Decimal(str(i["weight"])) * Decimal(str(scores[i["code"]])) / 100 for i in indicator_list),
        Decimal(0),
    )


def mean_score(sheets: list[dict[str, Any]]) -> Decimal | None:
    """The mean of the sheets' exact weighted totals, rounded half-up to 2 decimals."""
    if not sheets:
        return None
    totals = [weighted_total(s) for s in sheets]
    return (sum(totals, Decimal(0)) / len(totals)).quantize(CENT, ROUND_HALF_UP)


def grade_for(score: Decimal | None) -> str:
    """The band: A ≥ 85, B ≥ 70, C ≥ 60, otherwise D (as indicators.json says)."""
    if score is None:
        return ""
    for band in indicator_system()["grades"]:
        if score >= Decimal(str(band["min"])):
            return band["grade"]
    return indicator_system()["grades"][-1]["grade"]


def grade_rank(grade: str) -> int:
    """0 for the best grade; higher is worse."""
    order = [g["grade"] for g in indicator_system()["grades"]]
    return order.index(grade) if grade in order else len(order)


def below_selection_grade(screening: Screening) -> bool:
    """True when the current grade is worse than the grade a selection should reach."""
    return bool(screening.grade) and grade_rank(screening.grade) > grade_rank(select_at_least())


def _recompute(screening: Screening) -> None:
    sheets = list(screening.scores.values_list("scores", flat=True))
    screening.score = mean_score(sheets)
    screening.grade = grade_for(screening.score)
    screening.save(update_fields=["score", "grade"])


# -- who may see what --------------------------------------------------------------------------


def require_manage(actor) -> None:
    permissions.require(
        actor, "transfer.manage_screening", message=_("只有市科技局可以组织成果筛选评价。")
    )


def may_manage(user) -> bool:
    return permissions.can(user, "transfer.manage_screening")


def screenings_for(user):
    """The bureau's list of every screening."""
    require_manage(user)
    return Screening.objects.select_related("achievement__owner", "created_by", "decided_by")


def tasks_for(user):
    """The screenings `user` (an expert) is assigned to, with `my_sheet` set on each."""
    expert = expert_of(user)
    if expert is None:
        raise NotAllowed(_("您还没有专家身份，没有成果筛选评价任务。"))
    return (
        Screening.objects.filter(experts=expert)
        .select_related("achievement__owner")
        .annotate(sheet_count=Count("scores", distinct=True))
    )


def visible_screenings(user):
    """The bureau sees every screening; an expert the ones assigned to them; others none."""
    if may_manage(user):
        return screenings_for(user)
    expert = expert_of(user)
    if expert is None:
        return Screening.objects.none()
    return Screening.objects.filter(experts=expert).select_related(
        "achievement__owner", "created_by", "decided_by"
    )


def get_screening(user, pk: int) -> Screening:
    found = visible_screenings(user).filter(pk=pk).first()
    if found is None:
        if Screening.objects.filter(pk=pk).exists():
            raise NotAllowed(_("只有市科技局和受邀的评价专家可以查看该筛选评价。"))
        raise NotFound(_("筛选评价不存在。"))
    return found


def sheet_of(screening: Screening, user) -> ScreeningScore | None:
    expert = expert_of(user)
    if expert is None:
        return None
    return screening.scores.filter(expert=expert).first()


def decided_screenings_of(achievement: Achievement):
    """The results an achievement's page may show anyone who sees it: decided screenings."""
    return achievement.screenings.exclude(decision=ScreeningDecision.PENDING).order_by(
        "-decided_at", "-pk"
    )


def rounds() -> list[str]:
    """Every round a screening was opened in, newest first."""
    seen: list[str] = []
    for name in Screening.objects.order_by("-created_at", "-pk").values_list("round", flat=True):
        if name not in seen:
            seen.append(name)
    return seen


def selected_in_round(round_name: str):
    """The screenings decided 入选 in a round, best score first (for catalogs)."""
    return (
        Screening.objects.filter(round=round_name, decision=ScreeningDecision.SELECTED)
        .select_related("achievement__owner")
        .order_by("-score", "achievement__title", "pk")
    )


def latest_selection(achievement: Achievement) -> Screening | None:
    """The achievement's most recent 入选 decision, if any."""
    return (
        achievement.screenings.filter(decision=ScreeningDecision.SELECTED)
        .order_by("-decided_at", "-pk")
        .first()
    )


# -- experts ---------------------------------------------------------------------------------


def candidate_experts():
    """Experts who can be invited: published, available, with a platform account to score."""
    return (
        Expert.objects.filter(status=RecordStatus.PUBLISHED, available=True, user__isnull=False)
        .select_related("owner")
        .order_by("title", "pk")
    )


def recusals(achievement: Achievement, experts) -> dict[int, list[str]]:
    """expert pk → reasons they may not evaluate this achievement (empty dict: none)."""
    out = {}
    for expert in experts:
        reasons = recusal_reasons(expert, achievement.owner)
        if reasons:
            out[expert.pk] = reasons
    return out


def _check_panel(achievement: Achievement, experts: list[Expert]) -> None:
    problems = []
    for expert in experts:
        problems += recusal_reasons(expert, achievement.owner)
        if expert.user_id is None:
            problems.append(_("专家%(e)s没有平台账号，无法在线评分") % {"e": expert.title})
        elif expert.status != RecordStatus.PUBLISHED:
            problems.append(_("专家%(e)s未在专家库中发布") % {"e": expert.title})
        elif not expert.available:
            problems.append(_("专家%(e)s目前不参加评审") % {"e": expert.title})
    if problems:
        raise ServiceError(
            _("以下专家不能评价该成果：") + "；".join(problems) + "。", code="recusal"
        )


def _clean_round(round_name: str) -> str:
    round_name = (round_name or "").strip()
    if not round_name:
        raise ServiceError(_("请填写筛选批次，如“2026年第4季度”。"), code="invalid")
    if len(round_name) > ROUND_MAX:
        raise ServiceError(_("筛选批次不能超过%(n)d个字。") % {"n": ROUND_MAX}, code="invalid")
    return round_name


def open_screening(
    actor, achievement: Achievement, round_name: str, experts: list[Expert] | None = None
) -> Screening:
    """Open a screening of a published achievement in a round, with its (non-recused) experts."""
    require_manage(actor)
    round_name = _clean_round(round_name)
    if achievement.status != RecordStatus.PUBLISHED:
        raise ServiceError(
            _("“%(t)s”尚未发布，只有已发布的科技成果才能进行筛选评价。") % {"t": achievement.title}
        )
    experts = list(dict.fromkeys(experts or []))
    _check_panel(achievement, experts)
    if Screening.objects.filter(achievement=achievement, round=round_name).exists():
        raise InvalidTransition(
            _("“%(t)s”已在“%(r)s”批次中进行筛选评价，不能重复发起。")
            % {"t": achievement.title, "r": round_name}
        )
    try:
        with transaction.atomic():
            screening = Screening.objects.create(
                achievement=achievement,
                round=round_name,
                indicator_version=indicator_version(),
                created_by=actor,
            )
            screening.experts.set(experts)
            audit.record_create(
                actor,
                screening,
                note=_("发起筛选评价，邀请专家%(n)d名") % {"n": len(experts)},
            )
    except IntegrityError:  # opened by someone else a moment ago
        raise InvalidTransition(
            _("“%(t)s”已在“%(r)s”批次中进行筛选评价，不能重复发起。")
            % {"t": achievement.title, "r": round_name}
        ) from None
    return screening


def _locked(screening: Screening) -> Screening:
    locked = Screening.objects.select_for_update().get(pk=screening.pk)
    if locked.decision != ScreeningDecision.PENDING:
        raise InvalidTransition(
            _("该筛选评价已作出“%(d)s”的结论，不能再修改。") % {"d": locked.get_decision_display()}
        )
    return locked


def set_experts(actor, screening: Screening, experts: list[Expert]) -> Screening:
    """Replace the panel; experts who already handed in a sheet stay on it."""
    require_manage(actor)
    experts = list(dict.fromkeys(experts))
    with transaction.atomic():
        locked = _locked(screening)
        scored = {s.expert_id: s.expert.title for s in locked.scores.select_related("expert")}
        kept = {e.pk for e in experts}
        removed = [name for pk, name in scored.items() if pk not in kept]
        if removed:
            raise ServiceError(
                _("专家%(names)s已提交评分，不能移出评价专家。") % {"names": "、".join(removed)}
            )
        new = [e for e in experts if e.pk not in set(locked.experts.values_list("pk", flat=True))]
        _check_panel(locked.achievement, new)
        before = audit.snapshot(locked)
        locked.experts.set(experts)
        audit.record_update(actor, locked, before, note=_("调整评价专家"))
    return locked


# -- score sheets ------------------------------------------------------------------------------


def _plain(value: Decimal) -> str:
    """80 → "80", 82.50 → "82.5": the score as entered, one decimal at most."""
    text = f"{value.quantize(SCORE_STEP):f}"
    return text[:-2] if text.endswith(".0") else text


def clean_scores(scores: dict[str, Any], comment: str) -> tuple[dict[str, str], str]:
    """Every indicator scored 0–100 (one decimal at most) and a comment of 10+ characters."""
    problems = []
    clean: dict[str, str] = {}
    scores = scores if isinstance(scores, dict) else {}
    for indicator in indicators():
        raw = scores.get(indicator["code"])
        if raw is None or raw == "" or isinstance(raw, bool):
            problems.append(_("“%(n)s”未评分") % {"n": indicator["name"]})
            continue
        try:
            value = Decimal(str(raw))
        except (InvalidOperation, ValueError):
            problems.append(_("“%(n)s”的得分应为数字") % {"n": indicator["name"]})
            continue
        if not value.is_finite() or not 0 <= value <= 100:
            problems.append(_("“%(n)s”的得分须在0到100分之间") % {"n": indicator["name"]})
            continue
        if value != value.quantize(SCORE_STEP, ROUND_HALF_UP):
            problems.append(_("“%(n)s”的得分最多保留一位小数") % {"n": indicator["name"]})
            continue
        clean[indicator["code"]] = _plain(value)
    unknown = sorted(set(scores) - {i["code"] for i in indicators()})
    if unknown:
        problems.append(_("没有这些评价指标：%(c)s") % {"c": "、".join(map(str, unknown))})
    comment = (comment or "").strip()
    if len(comment) < COMMENT_MIN:
        problems.append(_("评价意见不少于%(n)d个字") % {"n": COMMENT_MIN})
    if problems:
        raise ServiceError(_("评分表还不能提交：") + "；".join(problems) + "。", code="invalid")
    return clean, comment


def submit_sheet(actor, screening: Screening, scores: dict[str, Any], comment: str):
    """Hand in or replace the expert's sheet; the screening's score and grade follow."""
    expert = expert_of(actor)
    if expert is None or not screening.experts.filter(pk=expert.pk).exists():
        raise NotAllowed(_("您不是该成果的评价专家，不能评分。"))
    if screening.indicator_version != indicator_version():
        raise InvalidTransition(
            _("该筛选使用的指标体系（%(old)s版）已更新为%(new)s版，请联系市科技局重新发起。")
            % {"old": screening.indicator_version, "new": indicator_version()}
        )
    clean, comment = clean_scores(scores, comment)
    total = weighted_total(clean).quantize(CENT, ROUND_HALF_UP)
    with transaction.atomic():
        locked = _locked(screening)
        sheet = ScreeningScore.objects.filter(screening=locked, expert=expert).first()
        if sheet is None:
            sheet = ScreeningScore.objects.create(
                screening=locked, expert=expert, scores=clean, total=total, comment=comment
            )
            audit.record_create(
                actor, sheet, note=_("提交评分，加权得分%(t)s") % {"t": f"{total:.2f}"}
            )
        else:
            before = audit.snapshot(sheet)
            sheet.scores, sheet.total, sheet.comment = clean, total, comment
            sheet.save()
            audit.record_update(
                actor, sheet, before, note=_("修改评分，加权得分%(t)s") % {"t": f"{total:.2f}"}
            )
        before = audit.snapshot(locked)
        _recompute(locked)
        audit.record_update(actor, locked, before, note=_("按专家评分重新计算综合得分"))
    return sheet


@dataclass(frozen=True)
class SheetRow:
    sheet: ScreeningScore
    cells: list[tuple[dict, Decimal | None, str]]  # (indicator, score, weighted points as text)


def _exact(value: Decimal | None) -> str:
    """22.500 → "22.5", 12.00 → "12", 15.125 → "15.125": nothing rounded away, nothing added."""
    if value is None:
        return "—"
    return f"{value.normalize():f}"


def sheet_rows(screening: Screening) -> list[SheetRow]:
    """Each sheet with, per indicator, the score and its weighted points (weight × score / 100)."""
    rows = []
    for sheet in screening.scores.select_related("expert__owner").order_by("submitted_at", "pk"):
        cells = []
        for i in indicators():
            raw = sheet.scores.get(i["code"])
            score = Decimal(str(raw)) if raw is not None else None
            points = Decimal(str(i["weight"])) * score / 100 if score is not None else None
            cells.append((i, score, _exact(points)))
        rows.append(SheetRow(sheet, cells))
    return rows


# -- the decision ------------------------------------------------------------------------------


def decide(actor, screening: Screening, decision: str, reasons: str) -> Screening:
    """入选 or 不入选, with reasons (always); needs at least one sheet; freezes the screening."""
    require_manage(actor)
    if decision not in (ScreeningDecision.SELECTED, ScreeningDecision.NOT_SELECTED):
        raise ServiceError(_("请选择“入选”或“不入选”。"), code="invalid")
    reasons = (reasons or "").strip()
    if not reasons:
        raise ServiceError(_("请填写结论理由。"), code="invalid")
    with transaction.atomic():
        locked = _locked(screening)
        if not locked.scores.exists():
            raise InvalidTransition(_("还没有专家提交评分，不能作出筛选结论。"))
        _recompute(locked)
        before = audit.snapshot(locked)
        locked.decision = decision
        locked.reasons = reasons
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.save(update_fields=["decision", "reasons", "decided_by", "decided_at"])
        note = _("筛选结论：%(d)s（综合得分%(s)s，%(g)s级）") % {
            "d": locked.get_decision_display(),
            "s": f"{locked.score:.2f}",
            "g": locked.grade,
        }
        if decision == ScreeningDecision.SELECTED and below_selection_grade(locked):
            note += _("；低于%(g)s级入选") % {"g": select_at_least()}
        audit.record_update(actor, locked, before, note=note)
    return locked


def filter_screenings(qs, *, round_name: str = "", decision: str = "", text: str = ""):
    if round_name:
        qs = qs.filter(round=round_name)
    if decision:
        qs = qs.filter(decision=decision)
    if text:
        qs = qs.filter(
            Q(achievement__title__icontains=text) | Q(achievement__owner__name__icontains=text)
        )
    return qs
