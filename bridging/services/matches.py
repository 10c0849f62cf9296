"""The match workflow: 推荐 → 已联系 → 洽谈中 → 已签约 | 未成, with notes, next steps and feedback."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from bridging.choices import (
    NEXT_STATUS,
    OPEN_STATUSES,
    FailureReason,
    Feedback,
    MatchStatus,
    SupplyKind,
)
from bridging.models import Match, MatchNote
from core import permissions
from core.choices import AuditAction
from core.exceptions import InvalidTransition, NotAllowed, ServiceError
from core.models import Notification, Organisation
from core.services import audit
from resources.choices import RecordStatus
from resources.models import Achievement, Demand, Expert


def declined_supply_ids(demand: Demand) -> dict[str, set[int]]:
    """What either side has declined for this demand: never recommended to it again."""
    declined: dict[str, set[int]] = {k: set() for k in SupplyKind.values}
    rows = Match.objects.filter(demand=demand).filter(
        Q(demand_feedback=Feedback.DECLINED) | Q(supply_feedback=Feedback.DECLINED)
    )
    for kind, a, e, i in rows.values_list(
        "supply_kind", "achievement_id", "expert_id", "institute_id"
    ):
        declined[kind].add(a or e or i)
    return declined


def declined_demand_ids(supply) -> set[int]:
    """Demands for which this achievement or expert was declined by either side."""
    field = "achievement" if isinstance(supply, Achievement) else "expert"
    declined = Match.objects.filter(**{field: supply}).filter(
        Q(demand_feedback=Feedback.DECLINED) | Q(supply_feedback=Feedback.DECLINED)
    )
    return set(declined.values_list("demand_id", flat=True))


def create_match(
    actor, demand: Demand, supply, *, score: float | None = None, explanation: str = ""
) -> Match:
    """Record a recommendation of `supply` for `demand` (brokers, the bureau, or the demand's owner)."""
    m = actor.current_membership if actor.is_authenticated else None
    allowed = permissions.can(actor, "bridging.use_workbench") or (
        m is not None and m.organisation_id == demand.owner_id
    )
    if not allowed:
        raise NotAllowed(_("只有技术经纪人、管理部门或需求方可以发起对接。"))
    if demand.status != RecordStatus.PUBLISHED:
        raise InvalidTransition(_("只有已发布的需求可以对接。"))
    fields = {"demand": demand}
    if isinstance(supply, Achievement):
        fields.update(supply_kind=SupplyKind.ACHIEVEMENT, achievement=supply)
    elif isinstance(supply, Expert):
        fields.update(supply_kind=SupplyKind.EXPERT, expert=supply)
    elif isinstance(supply, Organisation):
        fields.update(supply_kind=SupplyKind.INSTITUTE, institute=supply)
    else:
        raise ServiceError(_("不支持的对接对象。"))
    if getattr(supply, "status", RecordStatus.PUBLISHED) != RecordStatus.PUBLISHED:
        raise InvalidTransition(_("只能对接已发布的成果或专家。"))
    if supply.pk in declined_supply_ids(demand)[fields["supply_kind"]]:
        raise InvalidTransition(_("该对象已被一方标记为“不合适”，不再推荐。"))
    broker = actor if m is not None and permissions.is_broker.test(actor) else None
    try:
        with transaction.atomic():
            match = Match.objects.create(
                **fields,
                score=score,
                explanation=explanation[:500],
                broker=broker,
                created_by=actor,
            )
            audit.record_create(actor, match)
    except IntegrityError:
        raise InvalidTransition(_("该需求与此对象的对接已存在。")) from None
    return match


def _locked(match: Match) -> Match:
    return (
        Match.objects.select_for_update(of=("self",))
        .select_related("demand", "achievement", "expert")
        .get(pk=match.pk)
    )


def advance(actor, match: Match, *, note: str = "", contract_amount=None) -> Match:
    """Move an open match one step on: 推荐 → 已联系 → 洽谈中 → 已签约."""
    permissions.require(
        actor, "bridging.work_match", match, _("只有负责该对接的技术经纪人或管理部门可以推进。")
    )
    with transaction.atomic():
        match = _locked(match)
        if match.status not in NEXT_STATUS:
            raise InvalidTransition(_("该对接已结束，不能再推进。"))
        old = match.get_status_display()
        match.status = NEXT_STATUS[match.status]
        if match.status == MatchStatus.SIGNED:
            match.closed_at = timezone.now()
            match.contract_amount = contract_amount
            match.next_step, match.next_step_due = "", None
        match.save()
        audit.record(
            actor,
            AuditAction.TRANSITION,
            match,
            {"status": [old, match.get_status_display()]},
            note=note,
        )
        if note:
            MatchNote.objects.create(match=match, author=actor, text=note)
    return match


def fail(actor, match: Match, reason: str, note: str = "") -> Match:
    permissions.require(
        actor, "bridging.work_match", match, _("只有负责该对接的技术经纪人或管理部门可以关闭对接。")
    )
    if reason not in FailureReason.values:
        raise ValidationError({"failure_reason": _("请选择未成原因。")})
    if reason == FailureReason.OTHER and not note.strip():
        raise ValidationError({"failure_note": _("原因为“其他”时请写明具体情况。")})
    with transaction.atomic():
        match = _locked(match)
        if match.status not in OPEN_STATUSES:
            raise InvalidTransition(_("该对接已结束。"))
        old = match.get_status_display()
        match.failed_from = match.status
        match.status, match.failure_reason, match.failure_note = (
            MatchStatus.FAILED,
            reason,
            note.strip()[:500],
        )
        match.closed_at = timezone.now()
        match.next_step, match.next_step_due = "", None
        match.save()
        audit.record(
            actor,
            AuditAction.TRANSITION,
            match,
            {"status": [old, match.get_status_display()]},
            note=f"{match.get_failure_reason_display()} {match.failure_note}".strip(),
        )
    return match


def plan_next_step(actor, match: Match, text: str, due: datetime.date | None) -> Match:
    permissions.require(actor, "bridging.work_match", match)
    if not text.strip():
        raise ValidationError({"next_step": _("请填写下一步工作。")})
    if due is not None and due < timezone.localdate():
        raise ValidationError({"next_step_due": _("期限不能早于今天。")})
    with transaction.atomic():
        match = _locked(match)
        if not match.is_open:
            raise InvalidTransition(_("该对接已结束。"))
        before = audit.snapshot(match)
        match.next_step, match.next_step_due = text.strip()[:200], due
        match.save(update_fields=["next_step", "next_step_due", "updated_at"])
        audit.record_update(actor, match, before)
    return match


def add_note(actor, match: Match, text: str) -> MatchNote:
    permissions.require(actor, "bridging.work_match", match)
    if not text.strip():
        raise ValidationError({"text": _("记录内容不能为空。")})
    note = MatchNote.objects.create(match=match, author=actor, text=text.strip())
    audit.record_create(actor, note)
    return note


def claim(actor, match: Match) -> Match:
    """A broker takes on an unassigned match."""
    if not permissions.is_broker.test(actor):
        raise NotAllowed(_("只有技术经纪人可以认领对接。"))
    with transaction.atomic():
        match = _locked(match)
        if match.broker_id not in (None, actor.pk):
            raise InvalidTransition(_("该对接已由其他经纪人负责。"))
        before = audit.snapshot(match)
        match.broker = actor
        match.save(update_fields=["broker", "updated_at"])
        audit.record_update(actor, match, before)
    return match


def give_feedback(actor, match: Match, value: str) -> Match:
    """The demand side or the supply side says whether the pairing interests them."""
    permissions.require(actor, "bridging.give_feedback", match, _("只有对接双方可以表达意向。"))
    if value not in Feedback.values:
        raise ValidationError({"feedback": _("无效的意向。")})
    m = actor.current_membership
    field = "demand_feedback" if match.demand.owner_id == m.organisation_id else "supply_feedback"
    with transaction.atomic():
        match = _locked(match)
        before = audit.snapshot(match)
        setattr(match, field, value)
        match.save(update_fields=[field, "updated_at"])
        audit.record_update(actor, match, before)
    if match.broker_id:
        side = _("需求方") if field == "demand_feedback" else _("供给方")
        Notification.objects.create(
            user_id=match.broker_id,
            title=_("%(side)s对“%(match)s”表示：%(value)s")
            % {"side": side, "match": match, "value": Feedback(value).label},
            url=f"/bridging/matches/{match.pk}/",
        )
    return match


def due_reminders(today: datetime.date | None = None) -> int:
    """Notify brokers of next steps due today or overdue; one notification per match per day."""
    today = today or timezone.localdate()
    count = 0
    due = Match.objects.filter(
        status__in=OPEN_STATUSES, next_step_due__lte=today, broker__isnull=False
    ).select_related("demand")
    for match in due:
        title = _("对接“%(match)s”的下一步已到期：%(step)s") % {
            "match": match,
            "step": match.next_step,
        }
        exists = Notification.objects.filter(
            user_id=match.broker_id, title=title[:200], created_at__date=today
        ).exists()
        if not exists:
            Notification.objects.create(
                user_id=match.broker_id, title=title[:200], url=f"/bridging/matches/{match.pk}/"
            )
            count += 1
    return count
