"""Expert review (评审): recusal, a panel per application chosen by the assignment solver,
invitations with replacement from alternates, score sheets and their aggregation.

The panel: every published, available expert is scored against every accepted application
(bridging's expert affinity); recusal rules make pairs impossible; the solver picks
`reviewers_per_application` per application with at most one expert per organisation and at
most `max_reviews_per_expert` per expert, by default as a seeded lottery among the best-suited
(no pair above the call's probability cap), and keeps alternates in order.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from bridging.services.affinity import affinity_matrix, shared_keywords
from core import permissions
from core.choices import Role
from core.exceptions import InvalidTransition, NotAllowed
from core.models import Membership, Notification
from core.services import audit
from core.services.jobs import Progress, job_handler
from integrity.services.gate import users_barred
from kechuang.assignment import AssignmentProblem, GroupCap, ProblemError, solve
from programs.choices import ApplicationStatus, AssignmentStatus, RecusalReason, ReviewStage
from programs.exceptions import PanelError
from programs.models import (
    Acceptance,
    Application,
    Call,
    Recusal,
    ReviewAssignment,
    Transition,
)
from resources.choices import RecordStatus
from resources.models import Expert

S = ApplicationStatus
A = AssignmentStatus
ACTIVE = (A.INVITED, A.ACCEPTED, A.SUBMITTED)


# -- recusal -------------------------------------------------------------------------------


def application_text(application: Application) -> str:
    topic = application.topic.title if application.topic_id else ""
    return f"{application.title}\n{topic}\n{application.keywords}\n{application.summary}"


def _team_names(application: Application) -> set[str]:
    names = {m.get("name", "").strip() for m in application.team or []}
    if application.pi_name:
        names.add(application.pi_name.strip())
    return {n for n in names if n}


def recusals_for(application: Application, experts: list[Expert], years: int) -> dict:
    """expert pk → [(reason, detail)] for every expert who may not review this application."""
    out: dict[int, list[tuple[str, str]]] = {}
    org = application.organisation
    co_orgs = {o.pk: o.name for o in application.co_organisations.all()}
    org_names = {org.name, *co_orgs.values()}
    team = _team_names(application)
    since = timezone.now() - datetime.timedelta(days=365 * years)
    parties = {org.pk, *co_orgs}
    # Applications of the last `years` years in which the applicant or a co-applicant took part.
    recent = list(
        Application.objects.filter(submitted_at__gte=since)
        .exclude(pk=application.pk)
        .filter(Q(organisation_id__in=parties) | Q(co_organisations__in=parties))
        .prefetch_related("co_organisations")
        .distinct()
    )

    def add(expert, reason, detail):
        out.setdefault(expert.pk, []).append((reason, detail[:300]))

    for expert in experts:
        if expert.owner_id == org.pk:
            add(expert, RecusalReason.SAME_ORGANISATION, org.name)
        if expert.owner_id in co_orgs:
            add(expert, RecusalReason.CO_APPLICANT, co_orgs[expert.owner_id])
        if (expert.user_id and expert.user_id == application.pi_user_id) or expert.title in team:
            add(expert, RecusalReason.TEAM_MEMBER, expert.title)
        for relation in expert.relations or []:
            if relation.get("organisation") in org_names or relation.get("name") in team:
                add(
                    expert,
                    RecusalReason.DECLARED_RELATION,
                    f"{relation.get('name', '')}（{relation.get('organisation', '')}）",
                )
                break
        for other in recent:
            other_parties = {other.organisation_id, *(o.pk for o in other.co_organisations.all())}
            took_part = expert.title in _team_names(other) or (
                expert.user_id and expert.user_id == other.pi_user_id
            )
            if took_part or expert.owner_id in other_parties - {org.pk}:
                add(
                    expert,
                    RecusalReason.RECENT_COLLABORATION,
                    _("%(year)d年共同申报“%(title)s”")
                    % {"year": other.submitted_at.year, "title": other.title},
                )
                break
    return out


def expert_pool() -> list[Expert]:
    """Published experts available for review and not barred from reviewing."""
    experts = list(
        Expert.objects.filter(status=RecordStatus.PUBLISHED, available=True)
        .select_related("owner", "user")
        .order_by("pk")
    )
    barred = users_barred([e.user for e in experts if e.user_id], "review")
    return [e for e in experts if e.user_id not in barred]


# -- building the panel --------------------------------------------------------------------


def build_panel(
    actor,
    call: Call,
    *,
    stage: str = ReviewStage.REVIEW,
    only: list[int] | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Panels for the call's accepted applications (立项评审), or, with the acceptance stage,
    for its projects awaiting acceptance (验收评审; `only` limits it to some of them)."""
    permissions.require(actor, "programs.manage_call", call, _("您无权组织该指南的评审。"))
    progress = progress or Progress()
    waiting = S.ACCEPTED if stage == ReviewStage.REVIEW else S.ACCEPTANCE
    queryset = call.applications.filter(status=waiting).exclude(assignments__stage=stage)
    if only is not None:
        queryset = queryset.filter(pk__in=only)
    applications = list(
        queryset.select_related("organisation", "topic")
        .prefetch_related("co_organisations")
        .order_by("pk")
        .distinct()
    )
    if not applications:
        raise PanelError(
            _("没有形式审查通过、等待评审的申报书。")
            if stage == ReviewStage.REVIEW
            else _("没有等待验收评审的项目。")
        )
    experts = expert_pool()
    k = call.reviewers_per_application
    progress.start(len(applications) * 2 + 1, _("计算回避关系"))
    conflicts = np.zeros((len(experts), len(applications)), dtype=bool)
    recusals: list[Recusal] = []
    column = {e.pk: i for i, e in enumerate(experts)}
    for j, application in enumerate(applications):
        for expert_pk, reasons in recusals_for(application, experts, call.recusal_years).items():
            conflicts[column[expert_pk], j] = True
            recusals += [
                Recusal(application=application, expert_id=expert_pk, reason=r, detail=d)
                for r, d in reasons
            ]
        progress.advance(1)
    progress.advance(0, _("计算专家与申报书的匹配度"))
    texts = [application_text(a) for a in applications]
    affinity = affinity_matrix(experts, texts)
    progress.advance(len(applications), _("遴选评审专家"))
    organisations = sorted({e.owner_id for e in experts})
    labels = np.asarray([organisations.index(e.owner_id) for e in experts])
    try:
        problem = AssignmentProblem(
            np.clip(affinity, 0, None),
            per_item=k,
            max_load=call.max_reviews_per_expert,
            conflicts=conflicts,
            group_caps=(GroupCap(_("单位"), labels, 1),),
        )
        randomised = call.randomised
        result = solve(
            problem,
            prob_cap=float(call.probability_cap) if randomised else None,
            seed=call.pk if randomised else None,
            alternates=call.alternates,
        )
    except ProblemError as error:
        raise PanelError(_("无法组成评审专家组：%(why)s") % {"why": error.message.zh}) from None
    if not result.feasible:
        why = "；".join(m.zh for m in result.explanation) or _("可选专家不足")
        raise PanelError(_("无法组成评审专家组：%(why)s") % {"why": why})
    chosen = result.assignment_by_item()
    with transaction.atomic():
        Call.objects.select_for_update().get(pk=call.pk)  # one panel build per call at a time
        if ReviewAssignment.objects.filter(application__in=applications, stage=stage).exists():
            raise PanelError(_("评审专家组已经组建。"))
        Recusal.objects.bulk_create(recusals, ignore_conflicts=True)
        rows = []
        for j, application in enumerate(applications):
            for r in chosen.get(j, []):
                rows.append(_assignment(application, experts[r], affinity[r, j], texts[j], stage))
            for rank, r in enumerate(result.alternates.get(j, []), start=1):
                rows.append(
                    _assignment(application, experts[r], affinity[r, j], texts[j], stage, rank=rank)
                )
        ReviewAssignment.objects.bulk_create(rows)
        if stage == ReviewStage.REVIEW:
            for application in applications:
                _set_status(actor, application, S.ACCEPTED, S.IN_REVIEW, _("组建评审专家组"))
        for row in rows:
            if row.status == A.INVITED:
                _invite(row)
        audit.record(
            actor,
            "update",
            call,
            {"评审专家组": [None, f"{len(applications)}项，{len(rows)}人次（含备选）"]},
            note=_("组建评审专家组"),
        )
    progress.advance(1, _("评审专家组已组建"))
    return {
        "applications": len(applications),
        "invited": sum(1 for r in rows if r.status == A.INVITED),
        "alternates": sum(1 for r in rows if r.status == A.ALTERNATE),
        "recusals": len(recusals),
        "objective": result.objective,
        "mode": result.mode,
    }


def _assignment(application, expert, affinity, text, stage, *, rank=None) -> ReviewAssignment:
    words = shared_keywords(expert, text)
    reason = _("匹配度 %(a).2f") % {"a": affinity}
    if words:
        reason += _("；研究方向与申报内容共同涉及：%(w)s") % {"w": "、".join(words)}
    return ReviewAssignment(
        application=application,
        expert=expert,
        stage=stage,
        status=A.ALTERNATE if rank else A.INVITED,
        alternate_rank=rank,
        affinity=float(affinity),
        reason=reason,
    )


def _invite(assignment: ReviewAssignment) -> None:
    if assignment.expert.user_id:
        Notification.objects.create(
            user_id=assignment.expert.user_id,
            title=(_("评审邀请：%(t)s") % {"t": assignment.application.title})[:200],
            url=f"/programs/reviews/{assignment.pk}/" if assignment.pk else "/programs/reviews/",
        )


def _set_status(actor, application, from_status, to_status, reason) -> None:
    updated = Application.objects.filter(pk=application.pk, status=from_status).update(
        status=to_status, updated_at=timezone.now()
    )
    if updated:
        Transition.objects.create(
            application=application, from_status=from_status, to_status=to_status,
            actor=actor, reason=reason,
        )  # fmt: skip
        labels = str(ApplicationStatus(from_status).label), str(ApplicationStatus(to_status).label)
        audit.record(actor, "update", application, {"status": list(labels)}, note=reason)


@job_handler("programs.panel", permission="programs.manage_call")
def panel_job(params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    from core.models import User

    actor = User.objects.get(pk=params["actor"])
    call = Call.objects.get(pk=params["call"])
    stage = params.get("stage", ReviewStage.REVIEW)
    return build_panel(actor, call, stage=stage, only=params.get("only"), progress=progress)


# -- the expert's side ---------------------------------------------------------------------


def get_assignment_for_expert(user, pk: int) -> ReviewAssignment:
    """The expert's own invitation or accepted review; never one they are recused from."""
    assignment = (
        ReviewAssignment.objects.filter(pk=pk, expert__user=user)
        .exclude(status=A.ALTERNATE)
        .select_related("application__call", "application__organisation", "expert")
        .first()
    )
    if assignment is None or not getattr(user, "is_authenticated", False):
        raise NotAllowed(_("评审任务不存在或您无权访问。"))
    if Recusal.objects.filter(
        application_id=assignment.application_id, expert_id=assignment.expert_id
    ).exists():
        raise NotAllowed(_("您已回避该项目的评审，不能查看。"))
    return assignment


def open_application_as_expert(user, pk: int) -> ReviewAssignment:
    """The whole application is open to an expert only once they accepted to review it."""
    assignment = get_assignment_for_expert(user, pk)
    if assignment.status not in (A.ACCEPTED, A.SUBMITTED):
        raise NotAllowed(_("请先接受评审邀请并声明无利益冲突，再查看申报书全文。"))
    return assignment


def assignments_for_expert(user):
    recused = Recusal.objects.filter(
        application_id=OuterRef("application_id"), expert_id=OuterRef("expert_id")
    )
    return (
        ReviewAssignment.objects.filter(expert__user=user)
        .exclude(status=A.ALTERNATE)
        .exclude(Exists(recused))
        .select_related("application__call", "application__organisation")
        .order_by("-created_at")
    )


def respond(user, assignment: ReviewAssignment, *, accept: bool, reason: str = "",
            conflict: bool = False) -> ReviewAssignment:  # fmt: skip
    """Accept, or decline (declaring a conflict if there is one); a decline calls the next
    alternate who is still free."""
    assignment = get_assignment_for_expert(user, assignment.pk)
    if not accept and not reason.strip():
        raise InvalidTransition(_("请说明谢绝或回避的原因。"))
    with transaction.atomic():
        locked = ReviewAssignment.objects.select_for_update().get(pk=assignment.pk)
        if locked.status != A.INVITED:
            raise InvalidTransition(_("该邀请已答复过。"))
        before = audit.snapshot(locked)
        locked.status = A.ACCEPTED if accept else A.DECLINED
        locked.decline_reason = "" if accept else reason[:500]
        locked.responded_at = timezone.now()
        locked.save()
        audit.record_update(user, locked, before)
        if conflict:
            Recusal.objects.get_or_create(
                application_id=locked.application_id,
                expert_id=locked.expert_id,
                reason=RecusalReason.SELF_DECLARED,
                defaults={"detail": reason[:300]},
            )
        if not accept:
            replacement = _call_alternate(locked.application, locked.stage)
            if replacement is None:
                _tell_managers(
                    locked.application,
                    _("“%(t)s”的备选专家已用完，请补充评审专家。")
                    % {"t": locked.application.title},
                )
    return locked


def _call_alternate(application: Application, stage: str) -> ReviewAssignment | None:
    call = application.call
    for alternate in (
        application.assignments.select_for_update()
        .filter(status=A.ALTERNATE, stage=stage)
        .select_related("expert")
        .order_by("alternate_rank")
    ):
        if Recusal.objects.filter(application=application, expert=alternate.expert).exists():
            continue
        load = ReviewAssignment.objects.filter(
            expert=alternate.expert, application__call=call, status__in=ACTIVE
        ).count()
        same_org = application.assignments.filter(
            stage=stage, status__in=ACTIVE, expert__owner_id=alternate.expert.owner_id
        ).exists()
        if load >= call.max_reviews_per_expert or same_org:
            continue
        alternate.status = A.INVITED
        alternate.save(update_fields=["status"])
        _invite(alternate)
        return alternate
    return None


def _tell_managers(application: Application, title: str) -> None:
    if application.created_by_id is None:
        return
    managers = Membership.objects.filter(is_active=True).filter(
        Q(role=Role.CITY_ADMIN) | Q(role=Role.DISTRICT_ADMIN, region_id=application.call.region_id)
    )
    for membership in managers.select_related("user"):
        Notification.objects.create(
            user=membership.user,
            title=title[:200],
            url=f"/programs/applications/{application.pk}/",
        )


def submit_scores(user, assignment: ReviewAssignment, scores: dict[str, Any], comment: str):
    """Hand in the score sheet: every criterion scored within its points, and a comment."""
    assignment = open_application_as_expert(user, assignment.pk)
    criteria = assignment.application.call.criteria
    clean: dict[str, str] = {}
    problems = []
    for criterion in criteria:
        raw = scores.get(criterion["key"])
        try:
            value = Decimal(str(raw)).quantize(Decimal("0.1"), ROUND_HALF_UP)
        except ArithmeticError:
            problems.append(_("“%(n)s”未评分") % {"n": criterion["name"]})
            continue
        if not 0 <= value <= int(criterion["points"]):
            problems.append(
                _("“%(n)s”的得分须在0到%(p)d分之间")
                % {"n": criterion["name"], "p": int(criterion["points"])}
            )
        clean[criterion["key"]] = str(value)
    if len(comment.strip()) < 10:
        problems.append(_("评审意见不少于10个字"))
    if problems:
        raise InvalidTransition(_("评分表还不能提交：") + "；".join(problems) + "。")
    with transaction.atomic():
        locked = ReviewAssignment.objects.select_for_update().get(pk=assignment.pk)
        if locked.status != A.ACCEPTED:
            raise InvalidTransition(_("评分已提交，不能修改。"))
        before = audit.snapshot(locked)
        locked.scores = clean
        locked.total = sum((Decimal(v) for v in clean.values()), Decimal(0))
        locked.comment = comment.strip()
        locked.status = A.SUBMITTED
        locked.submitted_at = timezone.now()
        locked.save()
        audit.record_update(user, locked, before)
        application = locked.application
        waiting = application.assignments.filter(
            stage=locked.stage, status__in=(A.INVITED, A.ACCEPTED)
        ).exists()
        if not waiting:
            aggregate(application, locked.stage)
            if locked.stage == ReviewStage.REVIEW:
                _set_status(user, application, S.IN_REVIEW, S.REVIEWED, _("评审完成"))
    return locked


def others_scores(user, assignment: ReviewAssignment) -> list[dict[str, Any]]:
    """The other reviewers' sheets, anonymised, once this reviewer has submitted their own."""
    assignment = open_application_as_expert(user, assignment.pk)
    if assignment.status != A.SUBMITTED:
        raise NotAllowed(_("提交本人评分后才能查看其他专家的评分。"))
    others = assignment.application.assignments.filter(
        stage=assignment.stage, status=A.SUBMITTED
    ).exclude(pk=assignment.pk)
    return [
        {"label": _("专家%(n)s") % {"n": chr(ord("A") + i)}, "total": o.total, "scores": o.scores}
        for i, o in enumerate(others.order_by("submitted_at"))
    ]


# -- aggregation ---------------------------------------------------------------------------


def trimmed_mean(totals: list[Decimal]) -> Decimal:
    """Mean after dropping the highest and the lowest score, from five scores up."""
    ordered = sorted(totals)
    if len(ordered) >= 5:
        ordered = ordered[1:-1]
    return (sum(ordered, Decimal(0)) / len(ordered)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def aggregate(application: Application, stage: str = ReviewStage.REVIEW) -> Application:
    """Trimmed mean and spread of the submitted sheets: the review score of the application,
    or, at acceptance, the score on its Acceptance record."""
    totals = [
        a.total
        for a in application.assignments.filter(stage=stage, status=A.SUBMITTED)
        if a.total is not None
    ]
    if not totals:
        return application
    spread = max(totals) - min(totals)
    flagged = spread > application.call.spread_threshold
    if stage == ReviewStage.REVIEW:
        Application.objects.filter(pk=application.pk).update(
            review_score=trimmed_mean(totals), review_spread=spread, review_flagged=flagged
        )
    else:
        Acceptance.objects.filter(application=application).update(
            score=trimmed_mean(totals), spread=spread, flagged=flagged
        )
    application.refresh_from_db()
    return application


def may_see_panel(user, application: Application) -> bool:
    """Panels (who was picked, why, who was recused) are for those who run the review."""
    return permissions.can(user, "programs.review_application", application)
