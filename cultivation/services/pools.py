"""Tier pools (科技型中小企业 → 高新技术企业 → 专精特新 → 小巨人 → 领军): entries and exits, each
with the assessment behind it, and the batch scan that finds candidates and members who no
longer qualify."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from core import permissions
from core.choices import OrgType
from core.exceptions import InvalidTransition, NotFound, ServiceError
from core.models import Organisation, User
from core.services import audit
from core.services.jobs import Progress, job_handler
from cultivation.choices import TIER_RULESET, Tier
from cultivation.models import EnterpriseProfile, EnterpriseYear, PoolMembership
from cultivation.services import assessment, figures
from integrity.services.gate import organisations_barred, require_integrity
from kechuang import rules as engine
from kechuang.rules.engine import TRUE, UNDECIDED

# 科技领军企业 are designated among enterprises already in this pool (the bureau's practice).
LEADER_REQUIRES = Tier.HTE


def require_manage(actor) -> None:
    permissions.require(
        actor, "cultivation.manage_pools", message=_("只有市科技局可以办理入库和出库。")
    )


def members_for(user, tier: str | None = None, on: datetime.date | None = None):
    """Stays visible to `user`: all for the bureau, their region's for a district admin."""
    permissions.require(user, "cultivation.view_pools", message=_("您无权查看培育库。"))
    qs = PoolMembership.objects.select_related("organisation__region", "entry_assessment")
    m = user.current_membership
    if not permissions.can(user, "cultivation.manage_pools") and m is not None:
        qs = qs.filter(organisation__region_id=m.region_id)
    if tier:
        qs = qs.filter(tier=tier)
    if on is not None:
        qs = qs.filter(Q(exited_on__isnull=True) | Q(exited_on__gt=on), entered_on__lte=on)
    return qs


def current_tiers(org: Organisation) -> list[str]:
    return list(
        PoolMembership.objects.current().filter(organisation=org).values_list("tier", flat=True)
    )


@transaction.atomic
def admit(
    actor,
    org: Organisation,
    tier: str,
    entered_on: datetime.date,
    reason: str,
    *,
    certificate_number: str = "",
    expert_confirmed: bool = False,
) -> PoolMembership:
    """Put `org` into the `tier` pool. Refused, with the reason, when the enterprise is barred
    from recognition, already in the pool, or does not meet the tier's rule set on the date."""
    require_manage(actor)
    if org.type != OrgType.ENTERPRISE:
        raise ServiceError(_("只有企业可以进入培育库。"))
    Organisation.objects.select_for_update().filter(pk=org.pk).first()  # one move at a time
    require_integrity(org, "recognition", entered_on)
    if PoolMembership.objects.current().filter(organisation=org, tier=tier).exists():
        raise InvalidTransition(
            _("%(org)s 已在%(tier)s库中。") % {"org": org, "tier": Tier(tier).label}
        )
    behind = None
    ruleset = TIER_RULESET.get(tier)
    if ruleset:
        behind = assessment.assess_enterprise(actor, org, ruleset, entered_on)
        if behind.eligible is False:
            gaps = "；".join(behind.result.get("gaps", [])[:5])
            raise ServiceError(
                _("%(org)s 按《%(title)s》评价不符合条件，不能入库：%(gaps)s")
                % {
                    "org": org,
                    "title": behind.title,
                    "gaps": gaps or assessment.STATUS_LABELS[behind.status],
                }
            )
        if behind.eligible is None and not expert_confirmed:
            raise ServiceError(
                _("有需要专家判断的条件尚未评审，请在专家评审确认后勾选“已经评审确认”再办理入库。")
            )
    elif tier == Tier.LEADER and LEADER_REQUIRES not in current_tiers(org):
        raise ServiceError(
            _("科技领军企业须为在库的%(tier)s。") % {"tier": Tier(LEADER_REQUIRES).label}
        )
    try:
        with transaction.atomic():
            stay = PoolMembership.objects.create(
                organisation=org,
                tier=tier,
                entered_on=entered_on,
                entry_reason=reason,
                certificate_number=certificate_number,
                entry_assessment=behind,
                entered_by=actor,
            )
    except IntegrityError:
        raise InvalidTransition(
            _("%(org)s 已在%(tier)s库中。") % {"org": org, "tier": Tier(tier).label}
        ) from None
    audit.record_create(actor, stay, note=_("入库"))
    return stay


@transaction.atomic
def remove(
    actor, stay: PoolMembership, exited_on: datetime.date, reason: str, *, reassess: bool = True
) -> PoolMembership:
    """Take an enterprise out of a pool, with the reason and (optionally) an assessment on the
    exit date kept beside it."""
    require_manage(actor)
    stay = PoolMembership.objects.select_for_update().get(pk=stay.pk)
    if stay.exited_on is not None:
        raise InvalidTransition(
            _("该企业已于 %(day)s 出库。") % {"day": stay.exited_on.isoformat()}
        )
    if exited_on < stay.entered_on:
        raise ServiceError(
            _("出库日期不能早于入库日期（%(day)s）。") % {"day": stay.entered_on.isoformat()}
        )
    before = audit.snapshot(stay)
    ruleset = TIER_RULESET.get(stay.tier)
    if reassess and ruleset:
        stay.exit_assessment = assessment.assess_enterprise(
            actor, stay.organisation, ruleset, exited_on
        )
    stay.exited_on = exited_on
    stay.exit_reason = reason
    stay.exited_by = actor
    stay.save()
    audit.record_update(actor, stay, before, note=_("出库"))
    return stay


def get_stay(user, pk: int) -> PoolMembership:
    stay = members_for(user).filter(pk=pk).first()
    if stay is None:
        raise NotFound(_("培育库记录不存在。"))
    return stay


def history_of(org: Organisation):
    """Every stay of one enterprise in every pool, newest first."""
    return (
        PoolMembership.objects.filter(organisation=org)
        .select_related("entry_assessment", "exit_assessment", "entered_by", "exited_by")
        .order_by("-entered_on", "-pk")
    )


# -- batch ----------------------------------------------------------------------------------


def enterprise_records(on: datetime.date, org_ids=None) -> tuple[list[Organisation], list[dict]]:
    """Rule-engine records of every enterprise (or those in `org_ids`) in four queries."""
    orgs = Organisation.objects.filter(type=OrgType.ENTERPRISE).order_by("pk")
    if org_ids is not None:
        orgs = orgs.filter(pk__in=list(org_ids))
    orgs = list(orgs)
    year = figures.default_year(on)
    years: dict[int, list[EnterpriseYear]] = {}
    for y in EnterpriseYear.objects.filter(
        organisation__in=orgs, year__range=(year - 2, year)
    ).iterator(chunk_size=5000):
        years.setdefault(y.organisation_id, []).append(y)
    profiles = {
        p.organisation_id: p for p in EnterpriseProfile.objects.filter(organisation__in=orgs)
    }
    barred = organisations_barred([o.pk for o in orgs], "recognition", on)
    records = [
        figures.enterprise_record(
            o,
            on,
            years=years.get(o.pk, []),
            profile=profiles.get(o.pk),
            restricted=o.pk in barred,
        )
        for o in orgs
    ]
    return orgs, records


def scan(tier: str, on: datetime.date, progress: Progress | None = None) -> dict[str, Any]:
    """Assess every enterprise under the tier's rule set on `on`: who qualifies but is not in
    the pool (candidates), which members no longer qualify, and which members cannot be judged
    for want of reported figures (kept apart: a missing report is not a failed condition).
    Nothing is changed."""
    progress = progress or Progress()
    ruleset = TIER_RULESET.get(tier)
    if not ruleset:
        raise ServiceError(_("%(tier)s没有评价规则，不能批量评价。") % {"tier": Tier(tier).label})
    progress.start(3, _("读取企业数据"))
    orgs, records = enterprise_records(on)
    progress.advance(1, _("按规则评价 %(n)d 家企业") % {"n": len(orgs)})
    rs = assessment.ruleset_in_force(ruleset, on)
    batch = engine.assess_many(records, [rs], on, gaps=False)[0] if records else None
    progress.advance(1, _("整理结果"))
    members = set(
        PoolMembership.objects.current().filter(tier=tier).values_list("organisation_id", flat=True)
    )
    candidates, failing, incomplete, review = [], [], [], []
    for i, org in enumerate(orgs):
        verdict = int(batch.eligible[i])
        eligible = None if verdict == UNDECIDED else verdict == TRUE
        row = {"organisation": org.pk, "name": org.name}
        if batch.score is not None and batch.score.low[i] == batch.score.high[i]:
            row["score"] = float(batch.score.low[i])
        if org.pk in members:
            if eligible is False:
                (incomplete if batch.incomplete[i] else failing).append(row)
        elif eligible:
            candidates.append(row)
        elif eligible is None:
            review.append(row)
    progress.advance(1)
    return {
        "tier": tier,
        "ruleset": rs.name,
        "version": rs.version,
        "on": on.isoformat(),
        "assessed": len(orgs),
        "members": len(members),
        "candidates": candidates,
        "needs_review": review,
        "failing_members": failing,
        "incomplete_members": incomplete,
    }


@job_handler("cultivation.scan", permission="cultivation.manage_pools")
def scan_job(params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    User.objects.get(pk=params["user_id"])
    result = scan(params["tier"], datetime.date.fromisoformat(params["on"]), progress)
    progress.advance(
        0,
        _("评价 %(n)d 家企业：%(c)d 家符合条件未入库，%(f)d 家在库企业不再符合。")
        % {
            "n": result["assessed"],
            "c": len(result["candidates"]),
            "f": len(result["failing_members"]),
        },
    )
    return result
