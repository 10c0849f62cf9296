"""技术就绪水平 (TRL): the nine-level scale as data, the owner's self-assessment with evidence,
and an expert's (or the bureau's) confirmation or correction.

The level is the highest L such that levels 1..L are all met; a level marked met above a gap
does not count. Every self-assessment is a new `TrlAssessment` row, so the history stays.
The confirmed level is shown on the transfer pages as the achievement's effective level; the
resource library's own `Achievement.trl` (what the owner declared) is never written here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import permissions
from core.exceptions import InvalidTransition, NotAllowed, NotFound, ServiceError
from core.services import audit
from resources.models import Achievement, Expert
from resources.permissions import visible
from transfer.models import TrlAssessment

SCALE_FILE = Path(__file__).resolve().parent.parent / "data" / "trl.json"
EVIDENCE_MAX = 1000  # characters of evidence per level


@cache
def scale() -> dict[str, Any]:
    """The scale from transfer/data/trl.json: version, source, confirmed, levels 1–9."""
    data = json.loads(SCALE_FILE.read_text(encoding="utf-8"))
    numbers = [lv["level"] for lv in data["levels"]]
    if numbers != list(range(1, 10)):
        raise ImproperlyConfigured(f"{SCALE_FILE}: levels must be 1..9 in order, got {numbers}")
    return data


def levels() -> list[dict[str, Any]]:
    return scale()["levels"]


def scale_version() -> str:
    return scale()["version"]


def scale_confirmed() -> bool:
    """False while the level texts are the platform's own wording, not yet checked (待核实)."""
    return bool(scale().get("confirmed"))


def level_name(level: int | None) -> str:
    if level is None:
        return _("未达到1级")
    for lv in levels():
        if lv["level"] == level:
            return _("%(n)d级 %(name)s") % {"n": level, "name": lv["name"]}
    return str(level)


# -- the level from the answers --------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    level: int | None  # None: level 1 is not met
    ignored: list[int] = field(default_factory=list)  # met levels above the first gap


def _met(answer: Any) -> bool:
    return isinstance(answer, dict) and answer.get("met") is True


def level_of(answers: dict[str, Any]) -> Outcome:
    """answers: {"1": {"met": true, "evidence": "…"}, …} → the highest L with 1..L all met."""
    level = 0
    for n in range(1, 10):
        if not _met(answers.get(str(n))):
            break
        level = n
    ignored = [n for n in range(level + 2, 10) if _met(answers.get(str(n)))]
    return Outcome(level or None, ignored)


def gap_note(answers: dict[str, Any]) -> str:
    """The sentence a page shows when a level marked met sits above one that is not."""
    outcome = level_of(answers)
    if not outcome.ignored:
        return ""
    gap = (outcome.level or 0) + 1
    return _(
        "第%(levels)s级选择了“已达到”，但第%(gap)d级未达到，按规则不计入：技术就绪水平取从第1级起"
        "连续达到的最高等级。"
    ) % {"levels": "、".join(str(n) for n in outcome.ignored), "gap": gap}


def clean_answers(raw: dict[Any, Any]) -> dict[str, dict[str, Any]]:
    """Every level answered met yes/no; evidence required when met. Raises ValidationError with
    one entry per faulty level (`evidence_3`, `met_5`) so forms and the API can show it."""
    if not isinstance(raw, dict):
        raise ValidationError({"answers": [_("请逐级回答是否达到。")]})
    errors: dict[str, list[str]] = {}
    clean: dict[str, dict[str, Any]] = {}
    for lv in levels():
        n = lv["level"]
        answer = raw.get(str(n), raw.get(n))
        if not isinstance(answer, dict) or not isinstance(answer.get("met"), bool):
            errors[f"met_{n}"] = [_("请回答第%(n)d级是否达到。") % {"n": n}]
            continue
        evidence = answer.get("evidence") or ""
        if not isinstance(evidence, str):
            errors[f"evidence_{n}"] = [_("第%(n)d级的证据应为文字说明。") % {"n": n}]
            continue
        evidence = evidence.strip()
        if answer["met"] and not evidence:
            errors[f"evidence_{n}"] = [
                _("第%(n)d级选择“已达到”时须填写证据（如%(hint)s）。")
                % {"n": n, "hint": lv["evidence"]}
            ]
            continue
        if len(evidence) > EVIDENCE_MAX:
            errors[f"evidence_{n}"] = [
                _("第%(n)d级的证据不能超过%(max)d个字。") % {"n": n, "max": EVIDENCE_MAX}
            ]
            continue
        clean[str(n)] = {"met": answer["met"], "evidence": evidence}
    if errors:
        raise ValidationError(errors)
    return clean


# -- who may see and do what ---------------------------------------------------------------


def get_achievement(user, pk: int) -> Achievement:
    """An achievement `user` may see (published, their own, or the bureau's); else NotFound."""
    found = visible(Achievement.objects.select_related("owner", "region"), user).filter(pk=pk)
    achievement = found.first()
    if achievement is None:
        raise NotFound(_("科技成果不存在或您无权查看。"))
    return achievement


def may_self_assess(user, achievement: Achievement) -> bool:
    return permissions.can(user, "transfer.self_assess_trl", achievement)


def expert_of(user) -> Expert | None:
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.expert_profile
    except Expert.DoesNotExist:
        return None


def recusal_reasons(expert: Expert, organisation) -> list[str]:
    """Why this expert may not judge an achievement of `organisation` (empty: no conflict).

    The same two rules as programs' review, kept simple: the expert's own unit, and a declared
    relation (近亲属、师生、合作者…) naming the unit."""
    reasons = []
    if expert.owner_id == organisation.pk:
        reasons.append(
            _("专家%(e)s与成果所属单位%(org)s为同一单位")
            % {"e": expert.title, "org": organisation.name}
        )
    for relation in expert.relations or []:
        if isinstance(relation, dict) and relation.get("organisation") == organisation.name:
            reasons.append(
                _("专家%(e)s申报了与%(org)s的利益关系（%(who)s）")
                % {"e": expert.title, "org": organisation.name, "who": relation.get("name", "")}
            )
            break
    return reasons


def confirm_refusal(user, achievement: Achievement) -> str | None:
    """Why `user` may not confirm this achievement's level, or None if they may."""
    if permissions.can(user, "transfer.manage_screening"):
        return None  # the bureau confirms as the bureau
    if not permissions.can(user, "transfer.confirm_trl"):
        return _("只有专家或市科技局可以确认技术就绪水平。")
    expert = expert_of(user)
    membership = user.current_membership
    reasons = recusal_reasons(expert, achievement.owner) if expert else []
    if (
        not reasons
        and membership is not None
        and membership.organisation_id == achievement.owner_id
    ):
        reasons.append(_("您是成果所属单位%(org)s的人员") % {"org": achievement.owner.name})
    if reasons:
        return _("%(why)s，应当回避，不能确认该成果的技术就绪水平。") % {"why": "；".join(reasons)}
    return None


def may_see_evidence(user, achievement: Achievement) -> bool:
    """The answers and evidence: the owner's members, experts and the bureau."""
    return may_self_assess(user, achievement) or permissions.can(user, "transfer.confirm_trl")


def assessments_of(user, achievement: Achievement):
    if not may_see_evidence(user, achievement):
        raise NotAllowed(_("只有成果所属单位、专家和市科技局可以查看技术就绪水平自评记录。"))
    return achievement.trl_assessments.select_related("submitted_by", "confirmed_by")


def assessments_for(user):
    """Every assessment `user` may read: the bureau and experts all those of achievements they
    may see; members of an organisation those of its achievements."""
    qs = TrlAssessment.objects.select_related("achievement__owner", "submitted_by", "confirmed_by")
    if permissions.can(user, "transfer.manage_screening"):
        return qs
    achievements = visible(Achievement.objects.all(), user)
    if permissions.can(user, "transfer.confirm_trl"):
        return qs.filter(achievement__in=achievements)
    membership = getattr(user, "current_membership", None)
    if membership is None or not membership.is_active:
        return qs.none()
    return qs.filter(achievement__owner_id=membership.organisation_id)


def get_assessment(user, pk: int) -> TrlAssessment:
    found = assessments_for(user).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("技术就绪水平评价记录不存在或您无权查看。"))
    return found


# -- the owner's self-assessment and the expert's confirmation -----------------------------


def self_assess(actor, achievement: Achievement, answers: dict[Any, Any]) -> TrlAssessment:
    """Record a new self-assessment (history is kept: each one is a new row)."""
    permissions.require(
        actor,
        "transfer.self_assess_trl",
        achievement,
        message=_("只有成果所属单位的人员或市科技局可以进行技术就绪水平自评。"),
    )
    clean = clean_answers(answers)
    outcome = level_of(clean)
    made = TrlAssessment.objects.create(
        achievement=achievement,
        answers=clean,
        scale_version=scale_version(),
        level=outcome.level,
        submitted_by=actor,
    )
    note = _("自评为%(level)s") % {"level": level_name(outcome.level)}
    if outcome.ignored:
        note += _("；第%(levels)s级虽选择已达到，但其下有未达到的等级，不计入") % {
            "levels": "、".join(str(n) for n in outcome.ignored)
        }
    audit.record_create(actor, made, note=note)
    return made


def latest(achievement: Achievement) -> TrlAssessment | None:
    return achievement.trl_assessments.order_by("-submitted_at", "-pk").first()


def confirm(actor, assessment: TrlAssessment, level: int, reason: str = "") -> TrlAssessment:
    """Confirm the self-assessed level, or correct it (a reason is then required). Only the
    latest self-assessment of an achievement, and only once."""
    achievement = assessment.achievement
    refusal = confirm_refusal(actor, achievement)
    if refusal:
        raise NotAllowed(refusal)
    try:
        level = int(level)
    except (TypeError, ValueError):
        raise ServiceError(_("请选择1至9级中的一级。"), code="invalid") from None
    if not 1 <= level <= 9:
        raise ServiceError(_("请选择1至9级中的一级。"), code="invalid")
    reason = (reason or "").strip()
    if len(reason) > 500:
        raise ServiceError(_("理由不能超过500个字。"), code="invalid")
    if level != assessment.level and not reason:
        raise ServiceError(
            _("修正等级（自评%(old)s，确认为%(new)d级）须说明理由。")
            % {"old": level_name(assessment.level), "new": level},
            code="invalid",
        )
    with transaction.atomic():
        locked = TrlAssessment.objects.select_for_update().get(pk=assessment.pk)
        if locked.confirmed_at is not None:
            raise InvalidTransition(
                _("该自评已于%(at)s确认为%(level)d级，不能再次确认；如有变化请成果单位重新自评。")
                % {
                    "at": timezone.localtime(locked.confirmed_at).strftime("%Y-%m-%d %H:%M"),
                    "level": locked.confirmed_level,
                }
            )
        newest = latest(achievement)
        if newest is not None and newest.pk != locked.pk:
            raise InvalidTransition(_("成果单位已重新自评，请确认最新的一次自评。"))
        before = audit.snapshot(locked)
        locked.confirmed_level = level
        locked.confirm_reason = reason
        locked.confirmed_by = actor
        locked.confirmed_at = timezone.now()
        locked.save(
            update_fields=["confirmed_level", "confirm_reason", "confirmed_by", "confirmed_at"]
        )
        if level == locked.level:
            note = _("确认为%(level)s") % {"level": level_name(level)}
        else:
            note = _("由%(old)s修正为%(new)s") % {
                "old": level_name(locked.level),
                "new": level_name(level),
            }
        audit.record_update(actor, locked, before, note=note)
    return locked


# -- the achievement's effective level ---------------------------------------------------------


@dataclass(frozen=True)
class TrlStatus:
    """What the transfer pages show as an achievement's technology readiness."""

    level: int | None
    source: str  # "confirmed" | "self" | "declared"
    assessment: TrlAssessment | None
    last_confirmed: TrlAssessment | None  # the latest confirmed assessment, if any
    declared: int | None  # Achievement.trl as the owner entered it in the resource library

    @property
    def confirmed(self) -> bool:
        return self.source == "confirmed"

    @property
    def label(self) -> str:
        return level_name(self.level)

    @property
    def source_label(self) -> str:
        return {
            "confirmed": _("专家确认"),
            "self": _("自评，待专家确认"),
            "declared": _("成果登记时填报，未评价"),
        }[self.source]


def trl_status(achievement: Achievement) -> TrlStatus:
    """The latest assessment's level (confirmed or corrected if it has been, else self-assessed);
    without any assessment, the level declared in the resource library."""
    # From .all() so that a prefetch of `trl_assessments` serves long lists without queries.
    rows = sorted(
        achievement.trl_assessments.all(), key=lambda a: (a.submitted_at, a.pk), reverse=True
    )
    newest = rows[0] if rows else None
    last_confirmed = next((a for a in rows if a.confirmed_at is not None), None)
    if newest is None:
        return TrlStatus(achievement.trl, "declared", None, None, achievement.trl)
    source = "confirmed" if newest.confirmed_at is not None else "self"
    return TrlStatus(newest.effective_level, source, newest, last_confirmed, achievement.trl)


def effective_trl(achievement: Achievement) -> int | None:
    """The achievement's level for the transfer pages (see `trl_status`)."""
    return trl_status(achievement).level


def confirmed_trl(achievement: Achievement) -> int | None:
    """The level of the latest assessment an expert or the bureau confirmed, or None."""
    found = (
        achievement.trl_assessments.filter(confirmed_at__isnull=False)
        .order_by("-submitted_at", "-pk")
        .values_list("confirmed_level", flat=True)
        .first()
    )
    return found
