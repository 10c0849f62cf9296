"""研发投入后补助: each enterprise's subsidy from its reported R&D expense under a scheme's rate,
floor, cap and budget, with the working shown; approved schemes give the payment list."""

from __future__ import annotations

import datetime
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core import permissions
from core.choices import OrgType
from core.exceptions import InvalidTransition, NotFound, ServiceError
from core.services import audit
from cultivation.choices import SchemeStatus, SubsidyBasis, Tier
from cultivation.models import EnterpriseYear, PoolMembership, SubsidyLine, SubsidyScheme
from integrity.services.gate import organisations_barred

CENT = Decimal("0.01")


def require_manage(actor) -> None:
    permissions.require(
        actor, "cultivation.manage_subsidies", message=_("只有市科技局可以测算研发投入后补助。")
    )


def schemes_for(user):
    require_manage(user)
    return SubsidyScheme.objects.all()


def get_scheme(user, pk: int) -> SubsidyScheme:
    scheme = schemes_for(user).filter(pk=pk).first()
    if scheme is None:
        raise NotFound(_("补助不存在。"))
    return scheme


def _check(data: dict[str, Any]) -> None:
    unknown = set(data.get("tiers") or []) - set(Tier.values)
    if unknown:
        raise ServiceError(_("未知的培育库：%s") % "、".join(sorted(unknown)))


@transaction.atomic
def create_scheme(actor, data: dict[str, Any]) -> SubsidyScheme:
    require_manage(actor)
    _check(data)
    scheme = SubsidyScheme(created_by=actor, **data)
    scheme.full_clean()
    scheme.save()
    audit.record_create(actor, scheme)
    return scheme


@transaction.atomic
def update_scheme(actor, scheme: SubsidyScheme, data: dict[str, Any]) -> SubsidyScheme:
    require_manage(actor)
    scheme = SubsidyScheme.objects.select_for_update().get(pk=scheme.pk)
    if scheme.status != SchemeStatus.DRAFT:
        raise InvalidTransition(_("补助已审定，不能再修改。"))
    _check(data)
    before = audit.snapshot(scheme)
    for k, v in data.items():
        setattr(scheme, k, v)
    scheme.full_clean()
    scheme.save()
    scheme.lines.all().delete()  # the old figures no longer follow from the rules
    audit.record_update(actor, scheme, before)
    return scheme


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def line_for(
    scheme: SubsidyScheme, rd: Decimal, previous: Decimal | None
) -> tuple[Decimal, Decimal, Decimal, str]:
    """(base, computed, amount, working) for one enterprise before any budget scaling."""
    rate = scheme.rate
    if rd < scheme.min_rd_expense:
        return (
            Decimal(0),
            Decimal(0),
            Decimal(0),
            _("研发费用 %(rd)s 元低于下限 %(min)s 元，不予补助")
            % {"rd": _money(rd), "min": _money(scheme.min_rd_expense)},
        )
    if scheme.basis == SubsidyBasis.INCREMENT:
        if previous is None:
            return (
                Decimal(0),
                Decimal(0),
                Decimal(0),
                _("缺少%(y)d年度研发费用，无法计算增量") % {"y": scheme.year - 1},
            )
        base = rd - previous
        if base <= 0:
            return (
                Decimal(0),
                Decimal(0),
                Decimal(0),
                _("研发费用较上年未增长（%(rd)s − %(prev)s）")
                % {
                    "rd": _money(rd),
                    "prev": _money(previous),
                },
            )
        working = _("增量 %(rd)s − %(prev)s = %(base)s 元") % {
            "rd": _money(rd),
            "prev": _money(previous),
            "base": _money(base),
        }
    else:
        base = rd
        working = _("研发费用 %(base)s 元") % {"base": _money(base)}
    computed = (base * rate / 100).quantize(CENT, ROUND_HALF_UP)
    working += _("，× %(rate)s%% = %(c)s 元") % {
        "rate": f"{rate.normalize():f}",
        "c": _money(computed),
    }
    amount = computed
    if computed > scheme.cap:
        amount = scheme.cap
        working += _("，超过单户上限，按 %(cap)s 元") % {"cap": _money(scheme.cap)}
    return base, computed, amount, working


@transaction.atomic
def compute(actor, scheme: SubsidyScheme) -> dict[str, Any]:
    """(Re)compute every enterprise's line. Enterprises outside the chosen pools at the end of
    the R&D year, or barred by an integrity restriction on applying for funds, get no line."""
    require_manage(actor)
    scheme = SubsidyScheme.objects.select_for_update().get(pk=scheme.pk)
    if scheme.status != SchemeStatus.DRAFT:
        raise InvalidTransition(_("补助已审定，不能重新测算。"))
    year_end = datetime.date(scheme.year, 12, 31)
    current = EnterpriseYear.objects.filter(
        year=scheme.year, rd_expense__isnull=False, organisation__type=OrgType.ENTERPRISE
    )
    if scheme.tiers:
        in_pool = PoolMembership.objects.filter(
            Q(exited_on__isnull=True) | Q(exited_on__gt=year_end),
            tier__in=scheme.tiers,
            entered_on__lte=year_end,
        ).values("organisation_id")
        current = current.filter(organisation_id__in=in_pool)
    rows = list(current.values_list("organisation_id", "rd_expense"))
    previous = dict(
        EnterpriseYear.objects.filter(
            year=scheme.year - 1, organisation_id__in=[o for o, _rd in rows]
        ).values_list("organisation_id", "rd_expense")
    )
    barred = organisations_barred([o for o, _rd in rows], "apply", timezone.localdate())
    lines = []
    for org, rd in rows:
        if org in barred:
            continue
        base, computed, amount, working = line_for(scheme, rd, previous.get(org))
        lines.append(
            SubsidyLine(
                scheme=scheme,
                organisation_id=org,
                rd_expense=rd,
                previous_rd_expense=previous.get(org),
                base=base,
                computed=computed,
                amount=amount,
                working=working,
            )
        )
    total = sum((line.amount for line in lines), Decimal(0))
    if scheme.budget is not None and total > scheme.budget:
        factor = scheme.budget / total
        for line in lines:
            scaled = (line.amount * factor).quantize(CENT, ROUND_DOWN)
            if scaled != line.amount:
                line.working += _("，按总额核减为 %(a)s 元") % {"a": _money(scaled)}
            line.amount = scaled
    scheme.lines.all().delete()
    SubsidyLine.objects.bulk_create(lines)
    summary = summary_of(scheme)
    summary["barred"] = len(barred)
    audit.record(
        actor,
        "update",
        scheme,
        note=_("测算 %(n)d 户，补助合计 %(t)s 元")
        % {"n": summary["paid"], "t": _money(summary["total"])},
    )
    return summary


def summary_of(scheme: SubsidyScheme) -> dict[str, Any]:
    agg = scheme.lines.aggregate(total=Sum("amount"))
    return {
        "lines": scheme.lines.count(),
        "paid": scheme.lines.filter(amount__gt=0).count(),
        "total": agg["total"] or Decimal(0),
    }


@transaction.atomic
def approve(actor, scheme: SubsidyScheme) -> SubsidyScheme:
    require_manage(actor)
    scheme = SubsidyScheme.objects.select_for_update().get(pk=scheme.pk)
    if scheme.status != SchemeStatus.DRAFT:
        raise InvalidTransition(_("补助已审定。"))
    if not scheme.lines.filter(amount__gt=0).exists():
        raise ServiceError(_("还没有测算出任何补助，不能审定。"))
    before = audit.snapshot(scheme)
    scheme.status = SchemeStatus.APPROVED
    scheme.approved_by = actor
    scheme.approved_at = timezone.now()
    scheme.save()
    audit.record_update(actor, scheme, before, note=_("审定补助"))
    return scheme


def payment_rows(scheme: SubsidyScheme):
    """The payment list: enterprises with an amount, largest first."""
    lines = (
        scheme.lines.filter(amount__gt=0)
        .select_related("organisation__region")
        .order_by("-amount", "organisation__name")
    )
    for n, line in enumerate(lines, 1):
        org = line.organisation
        yield (
            n,
            org.name,
            org.uscc,
            org.region.name,
            line.rd_expense,
            line.base,
            line.amount,
            line.working,
        )
