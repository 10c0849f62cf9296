"""兑付: a provider claims payment for its unsettled redemptions in one program; the bureau
approves (the claim goes on the program's payment list) or refuses with a reason (its lines go
inactive and the redemptions may be claimed again).

A redemption is on at most one active settlement line: the partial unique constraint
`redemption_settled_once` decides between two claims made at the same moment.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import permissions
from core.choices import AuditAction
from core.exceptions import InvalidTransition, NotAllowed, NotFound, ServiceError
from core.services import audit
from sharing.choices import ClaimStatus
from sharing.models import (
    Redemption,
    ServiceProvider,
    SettlementClaim,
    SettlementLine,
    VoucherProgram,
)
from sharing.services.common import member_ids, notify, organisation_id_of, yuan
from sharing.services.redemptions import acting_provider

PAYMENT_HEADERS = (
    gettext_lazy("序号"),
    gettext_lazy("服务机构"),
    gettext_lazy("统一社会信用代码"),
    gettext_lazy("兑付申请编号"),
    gettext_lazy("核销笔数"),
    gettext_lazy("兑付金额（元）"),
    gettext_lazy("审核时间"),
)


def claim_number(claim: SettlementClaim) -> str:
    """兑付申请编号, e.g. DF2026-00012."""
    return f"DF{claim.program.year}-{claim.pk:05d}"


def claim_url(claim: SettlementClaim) -> str:
    return reverse("sharing_settlement", args=[claim.pk])


def unsettled(provider: ServiceProvider, program: VoucherProgram | None = None):
    """The provider's redemptions on no active settlement line (oldest first)."""
    active = SettlementLine.objects.filter(redemption=OuterRef("pk"), active=True)
    qs = (
        Redemption.objects.filter(provider=provider)
        .exclude(Exists(active))
        .select_related("voucher__program", "voucher__holder")
    )
    if program is not None:
        qs = qs.filter(voucher__program=program)
    return qs.order_by("redeemed_at", "pk")


def unsettled_by_program(provider: ServiceProvider) -> list[dict]:
    """Per program: how many redemptions and how much the provider may still claim."""
    rows = (
        unsettled(provider)
        .order_by()
        .values("voucher__program")
        .annotate(n=Count("pk"), total=Sum("amount"))
        .order_by("voucher__program")
    )
    programs = VoucherProgram.objects.in_bulk([r["voucher__program"] for r in rows])
    return [
        {"program": programs[r["voucher__program"]], "count": r["n"], "total": r["total"]}
        for r in rows
    ]


def claims_for(user) -> QuerySet[SettlementClaim]:
    qs = (
        SettlementClaim.objects.select_related(
            "program", "provider__organisation", "submitted_by", "decided_by"
        )
        .annotate(line_count=Count("lines"))
        .order_by("-submitted_at", "-pk")
    )
    if permissions.can(user, "sharing.manage"):
        return qs
    org = organisation_id_of(user)
    if org is None:
        return qs.none()
    return qs.filter(provider__organisation_id=org)


def get_claim(user, pk) -> SettlementClaim:
    claim = claims_for(user).filter(pk=pk).first()
    if claim is None:
        if SettlementClaim.objects.filter(pk=pk).exists():
            raise NotAllowed(_("只有申请兑付的服务机构和市科技局可以查看该兑付申请。"))
        raise NotFound(_("兑付申请不存在。"))
    return claim


def claim_settlement(
    user, program: VoucherProgram, redemption_ids: list[int] | None = None
) -> SettlementClaim:
    """A claim for the chosen unsettled redemptions of one program (default: all of them)."""
    provider = acting_provider(user)
    if program is None:
        raise ServiceError(_("请选择创新券项目。"), code="invalid")
    available = unsettled(provider, program)
    if redemption_ids:
        wanted = {int(i) for i in redemption_ids}
        chosen = list(available.filter(pk__in=wanted))
        if len(chosen) != len(wanted):
            others = Redemption.objects.filter(pk__in=wanted - {r.pk for r in chosen})
            if (
                others.exclude(provider=provider).exists()
                or others.exclude(voucher__program=program).exists()
            ):
                raise ServiceError(
                    _("所选核销记录不全是本单位在“%(p)s”中的核销。") % {"p": program.name},
                    code="invalid",
                )
            raise InvalidTransition(_("所选核销记录已在其他兑付申请中。"))
    else:
        chosen = list(available)
    if not chosen:
        raise InvalidTransition(
            _("本单位在“%(p)s”中没有待申请兑付的核销记录。") % {"p": program.name}
        )
    total = sum((r.amount for r in chosen), Decimal(0))
    try:
        with transaction.atomic():
            claim = SettlementClaim.objects.create(
                program=program, provider=provider, total=total, submitted_by=user
            )
            SettlementLine.objects.bulk_create(
                [SettlementLine(claim=claim, redemption=r, amount=r.amount) for r in chosen]
            )
            audit.record_create(
                user,
                claim,
                object_repr=f"{provider} · {program} · {yuan(total)}",
                note=_("%(n)d笔核销") % {"n": len(chosen)},
            )
    except IntegrityError:
        raise InvalidTransition(_("所选核销记录已在其他兑付申请中。")) from None
    return claim


def _decide(user, claim: SettlementClaim) -> SettlementClaim:
    permissions.require(user, "sharing.manage", None, _("只有市科技局可以审核兑付申请。"))
    locked = (
        SettlementClaim.objects.select_for_update()
        .select_related("program", "provider__organisation")
        .get(pk=claim.pk)
    )
    if locked.status != ClaimStatus.SUBMITTED:
        raise InvalidTransition(
            _("该兑付申请已处理（%(s)s）。") % {"s": locked.get_status_display()}
        )
    return locked


def approve_claim(user, claim: SettlementClaim, note: str = "") -> SettlementClaim:
    with transaction.atomic():
        locked = _decide(user, claim)
        before = audit.snapshot(locked)
        locked.status = ClaimStatus.APPROVED
        locked.reason = (note or "").strip()[:300]
        locked.decided_by = user
        locked.decided_at = timezone.now()
        locked.save()
        audit.record(
            user, AuditAction.TRANSITION, locked, audit.diff(before, audit.snapshot(locked))
        )
        notify(
            member_ids(locked.provider.organisation_id),
            _("兑付申请 %(no)s 已批准：%(a)s元（%(p)s）。")
            % {"no": claim_number(locked), "a": yuan(locked.total), "p": locked.program.name},
            url=claim_url(locked),
        )
    return locked


def refuse_claim(user, claim: SettlementClaim, reason: str) -> SettlementClaim:
    reason = (reason or "").strip()
    if not reason:
        permissions.require(user, "sharing.manage", None, _("只有市科技局可以审核兑付申请。"))
        raise ServiceError(_("请填写不予兑付的理由。"), code="invalid")
    with transaction.atomic():
        locked = _decide(user, claim)
        before = audit.snapshot(locked)
        locked.status = ClaimStatus.REFUSED
        locked.reason = reason[:300]
        locked.decided_by = user
        locked.decided_at = timezone.now()
        locked.save()
        locked.lines.update(active=False)
        audit.record(
            user,
            AuditAction.TRANSITION,
            locked,
            audit.diff(before, audit.snapshot(locked)),
            note=reason,
        )
        notify(
            member_ids(locked.provider.organisation_id),
            _("兑付申请 %(no)s 未获批准：%(r)s 相关核销记录可重新申请兑付。")
            % {"no": claim_number(locked), "r": reason},
            url=claim_url(locked),
        )
    return locked


def payment_rows(program: VoucherProgram) -> tuple[list[tuple], tuple]:
    """The payment list of a program: its approved claims in order of approval, and a total
    row — 序号, 服务机构, 统一社会信用代码, 兑付申请编号, 核销笔数, 兑付金额（元）, 审核时间."""
    claims = (
        SettlementClaim.objects.filter(program=program, status=ClaimStatus.APPROVED)
        .select_related("program", "provider__organisation")
        .annotate(line_count=Count("lines"))
        .order_by("decided_at", "pk")
    )
    rows = []
    count, total = 0, Decimal(0)
    for n, c in enumerate(claims, 1):
        rows.append(
            (
                n,
                c.provider.organisation.name,
                c.provider.organisation.uscc,
                claim_number(c),
                c.line_count,
                c.total,
                timezone.localtime(c.decided_at).strftime("%Y-%m-%d %H:%M") if c.decided_at else "",
            )
        )
        count += c.line_count
        total += c.total
    return rows, (_("合计"), "", "", "", count, total, "")


def lines_of(claim: SettlementClaim) -> QuerySet[SettlementLine]:
    return claim.lines.select_related(
        "redemption__voucher__holder", "redemption__provider"
    ).order_by("redemption__redeemed_at", "pk")
