"""先用后补: the bureau's yearly policy, an organisation's claim over its confirmed usage records,
the bureau's decision and the payment list.

The amount of a claim is worked out in the open: the selected records' fees × the year's rate,
cut to what is left of the organisation's yearly cap after its approved and pending claims; the
`working` sentences keep every number. Approvals lock the policy row, so two approvals at once
are decided one after the other against the budget; the policy's check constraint backs this up.
The unique constraint on active claim lines keeps a usage record in one live claim at a time.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import permissions
from core.choices import AuditAction
from core.exceptions import InvalidTransition, NotAllowed, NotFound, ServiceError
from core.models import Organisation
from core.permissions import _membership
from core.services import audit
from integrity.services import require_integrity
from sharing.choices import ClaimStatus, UsageStatus
from sharing.models import SubsidyClaim, SubsidyClaimLine, SubsidyPolicy, UsageRecord
from sharing.services import common
from sharing.services.common import members_of, notify, own_organisation_id, year_bounds, yuan

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
RATE_STEP = Decimal("0.001")


# -- small helpers --------------------------------------------------------------------------


def percent(rate: Decimal) -> str:
    """Decimal("0.3") → "30%", Decimal("0.125") → "12.5%"."""
    value = (Decimal(rate) * 100).normalize()
    return f"{value:f}%"


def fen(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, ROUND_HALF_UP)


def parse_money(value, label: str, *, allow_zero: bool = False) -> Decimal:
    """An amount in 元 from a form, the API or code: positive (or zero), at most two decimals."""
    return common.parse_money(
        value,
        label,
        allow_zero=allow_zero,
        malformed=_("%(f)s须为金额（元），如 200000 或 200000.50。"),
    )


def parse_rate(value) -> Decimal:
    """The share of fees refunded, as a fraction: 0 < rate ≤ 1, at most three decimals."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ServiceError(_("请填写补贴比例。"), code="invalid")
    try:
        rate = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ServiceError(_("补贴比例须为数字，如 0.3 表示 30%。"), code="invalid") from None
    if not rate.is_finite() or rate <= 0 or rate > 1:
        raise ServiceError(_("补贴比例须大于0且不超过100%。"), code="invalid")
    if rate != rate.quantize(RATE_STEP):
        raise ServiceError(_("补贴比例最多精确到0.1%。"), code="invalid")
    return rate.quantize(RATE_STEP)


def claim_number(claim: SubsidyClaim) -> str:
    """申请编号, e.g. XYHB2026-00012 (先用后补, the year, the claim's serial)."""
    return f"XYHB{claim.policy.year}-{claim.pk:05d}"


def _check_year(year) -> int:
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ServiceError(_("请填写年度，如 2026。"), code="invalid") from None
    if not 2000 <= year <= 2100:
        raise ServiceError(_("年度须在2000至2100之间。"), code="invalid")
    return year


# -- the policy -----------------------------------------------------------------------------


def policy_for(year: int) -> SubsidyPolicy | None:
    return SubsidyPolicy.objects.filter(year=year).first()


def policies() -> QuerySet[SubsidyPolicy]:
    return SubsidyPolicy.objects.annotate(
        claim_count=Count("claims"),
        pending_total=Sum("claims__amount", filter=Q(claims__status=ClaimStatus.SUBMITTED)),
    ).order_by("-year")


def save_policy(
    actor,
    *,
    year,
    rate,
    cap_per_user,
    budget,
    claims_from: datetime.date | None,
    claims_until: datetime.date | None,
    note: str = "",
) -> SubsidyPolicy:
    """Set (or change) the year's terms. Once the year has a claim its rate and cap stay as
    they were; the budget may change but never below what is already approved."""
    permissions.require(actor, "sharing.manage", None, _("只有市科技局可以设置先用后补政策。"))
    year = _check_year(year)
    rate = parse_rate(rate)
    cap = parse_money(cap_per_user, _("单位年度补贴上限"))
    budget = parse_money(budget, _("年度补贴总额"))
    if not isinstance(claims_from, datetime.date) or not isinstance(claims_until, datetime.date):
        raise ServiceError(_("请填写受理开始和截止日期。"), code="invalid")
    if claims_until < claims_from:
        raise ServiceError(
            _("受理截止日期（%(until)s）不能早于受理开始日期（%(from)s）。")
            % {"until": claims_until.isoformat(), "from": claims_from.isoformat()},
            code="invalid",
        )
    note = (note or "").strip()[:300]
    with transaction.atomic():
        policy = SubsidyPolicy.objects.select_for_update().filter(year=year).first()
        if policy is None:
            try:
                with transaction.atomic():
                    policy = SubsidyPolicy.objects.create(
                        year=year,
                        rate=rate,
                        cap_per_user=cap,
                        budget=budget,
                        claims_from=claims_from,
                        claims_until=claims_until,
                        note=note,
                        created_by=actor,
                    )
            except IntegrityError:
                raise InvalidTransition(
                    _("%(year)s年度政策已由他人同时设置，请刷新后修改。") % {"year": year}
                ) from None
            audit.record_create(actor, policy)
            return policy
        if policy.claims.exists() and (rate != policy.rate or cap != policy.cap_per_user):
            raise InvalidTransition(_("已有申请，不能修改补贴比例和单位上限。"))
        if budget < policy.approved_total:
            raise InvalidTransition(
                _("年度补贴总额不能低于已批准金额（%(approved)s元）。")
                % {"approved": yuan(policy.approved_total)}
            )
        before = audit.snapshot(policy)
        policy.rate = rate
        policy.cap_per_user = cap
        policy.budget = budget
        policy.claims_from = claims_from
        policy.claims_until = claims_until
        policy.note = note
        policy.save()
        audit.record_update(actor, policy, before)
    return policy


@dataclass(frozen=True)
class BudgetUse:
    budget: Decimal
    approved: Decimal
    pending: Decimal
    remaining: Decimal
    percent: Decimal  # of the budget approved, 0–100 with one decimal


def budget_use(policy: SubsidyPolicy) -> BudgetUse:
    pending = policy.claims.filter(status=ClaimStatus.SUBMITTED).aggregate(s=Sum("amount"))["s"]
    share = (
        (policy.approved_total / policy.budget * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)
        if policy.budget
        else Decimal(0)
    )
    return BudgetUse(
        budget=policy.budget,
        approved=policy.approved_total,
        pending=pending or ZERO,
        remaining=policy.budget - policy.approved_total,
        percent=share,
    )


# -- what an organisation may claim ---------------------------------------------------------


def claimant_organisation(actor) -> Organisation:
    """The organisation `actor` claims for, or the reason they cannot claim."""
    if not getattr(actor, "is_authenticated", False):
        raise NotAllowed(_("请先登录，以单位用户身份申请先用后补补贴。"))
    m = _membership(actor)
    if m is None or not permissions.can(actor, "sharing.claim_subsidy"):
        raise NotAllowed(_("只有企业、高校院所和服务机构的单位用户可以申请先用后补补贴。"))
    return m.organisation


def claimable_records(organisation, year: int) -> QuerySet[UsageRecord]:
    """The organisation's confirmed usage records of slots starting in `year`, with a fee, and
    in no live claim; oldest first."""
    start, end = year_bounds(year)
    org_id = getattr(organisation, "pk", organisation)
    return (
        UsageRecord.objects.filter(
            booking__organisation_id=org_id,
            status=UsageStatus.CONFIRMED,
            booking__slot__starts_at__gte=start,
            booking__slot__starts_at__lt=end,
            fee__gt=0,
        )
        # Using one's own instrument is not 先用后补.
        .exclude(booking__slot__instrument__owner_id=org_id)
        .exclude(claim_lines__active=True)
        .select_related("booking__slot__instrument__owner")
        .order_by("booking__slot__starts_at", "pk")
    )


@dataclass(frozen=True)
class Standing:
    """What an organisation has received and has pending under the year's policy."""

    approved: Decimal
    pending: Decimal

    @property
    def already(self) -> Decimal:
        return self.approved + self.pending


def standing(organisation, policy: SubsidyPolicy, *, exclude_claim: int | None = None) -> Standing:
    org_id = getattr(organisation, "pk", organisation)
    claims = SubsidyClaim.objects.filter(policy=policy, organisation_id=org_id)
    if exclude_claim is not None:
        claims = claims.exclude(pk=exclude_claim)
    sums = claims.aggregate(
        approved=Sum("approved_amount", filter=Q(status=ClaimStatus.APPROVED)),
        pending=Sum("amount", filter=Q(status=ClaimStatus.SUBMITTED)),
    )
    return Standing(approved=sums["approved"] or ZERO, pending=sums["pending"] or ZERO)


@dataclass(frozen=True)
class Quote:
    """The amount a claim over some records would ask for, and how it was worked out."""

    records: int
    fee_total: Decimal
    rate: Decimal
    computed: Decimal
    cap: Decimal
    approved: Decimal
    pending: Decimal
    remaining: Decimal
    amount: Decimal
    capped: bool
    working: list[str] = field(default_factory=list)

    @property
    def already(self) -> Decimal:
        return self.approved + self.pending


def compute_quote(
    fees: Iterable[Decimal], rate: Decimal, cap: Decimal, approved: Decimal, pending: Decimal
) -> Quote:
    """Pure arithmetic: fee_total × rate (to the fen, half up), cut to cap − (approved +
    pending). `amount` may come out ≤ 0: the caller refuses such a claim."""
    fees = [Decimal(f) for f in fees]
    fee_total = sum(fees, ZERO)
    computed = fen(fee_total * Decimal(rate))
    already = approved + pending
    remaining = cap - already
    amount = min(computed, remaining)
    capped = computed > remaining
    working = [
        _("所选 %(n)d 条使用记录的服务收费合计 %(fees)s 元 × 补贴比例 %(rate)s = %(c)s 元。")
        % {"n": len(fees), "fees": yuan(fee_total), "rate": percent(rate), "c": yuan(computed)},
        _(
            "本年度单位补贴上限 %(cap)s 元；已批准 %(approved)s 元，待审核 %(pending)s 元，"
            "合计 %(already)s 元，尚可申请 %(remaining)s 元。"
        )
        % {
            "cap": yuan(cap),
            "approved": yuan(approved),
            "pending": yuan(pending),
            "already": yuan(already),
            "remaining": yuan(max(remaining, ZERO)),
        },
    ]
    if amount <= 0:
        working.append(_("尚可申请额度为 0 元，本次不能申请。"))
    elif capped:
        working.append(
            _(
                "按比例计算的 %(c)s 元超过尚可申请的 %(r)s 元，受单位上限限制，本次申请补贴 %(a)s 元。"
            )
            % {"c": yuan(computed), "r": yuan(remaining), "a": yuan(amount)}
        )
    else:
        working.append(
            _("按比例计算的 %(c)s 元未超过尚可申请额度，本次申请补贴 %(a)s 元。")
            % {"c": yuan(computed), "a": yuan(amount)}
        )
    return Quote(
        records=len(fees),
        fee_total=fee_total,
        rate=Decimal(rate),
        computed=computed,
        cap=cap,
        approved=approved,
        pending=pending,
        remaining=remaining,
        amount=amount,
        capped=capped,
        working=working,
    )


def open_policy(year, today: datetime.date | None = None) -> SubsidyPolicy:
    """The year's policy when claims are being taken today, or the reason they are not."""
    year = _check_year(year)
    policy = policy_for(year)
    if policy is None:
        raise InvalidTransition(
            _("%(year)s年度先用后补政策尚未发布，暂不能申请。") % {"year": year}
        )
    today = today or timezone.localdate()
    if not policy.claims_from <= today <= policy.claims_until:
        raise InvalidTransition(
            _("%(year)s年度先用后补的受理时间为 %(from)s 至 %(until)s，当前不在受理期内。")
            % {
                "year": year,
                "from": policy.claims_from.isoformat(),
                "until": policy.claims_until.isoformat(),
            }
        )
    return policy


def _ids(usage_ids) -> list[int] | None:
    if usage_ids is None:
        return None
    try:
        ids = sorted({int(i) for i in usage_ids})
    except (TypeError, ValueError):
        raise ServiceError(_("所选使用记录编号有误。"), code="invalid") from None
    if not ids:
        raise ServiceError(_("请至少选择一条使用记录。"), code="invalid")
    return ids


def _select(organisation, year: int, usage_ids) -> list[UsageRecord]:
    """The records a claim covers: all claimable ones, or the chosen ones if all claimable."""
    ids = _ids(usage_ids)
    available = claimable_records(organisation, year)
    if ids is None:
        records = list(available)
        if not records:
            raise InvalidTransition(
                _(
                    "本单位%(year)s年度没有可申请补贴的使用记录（须为双方已确认、收费大于0元、"
                    "尚未申请过的记录）。"
                )
                % {"year": year}
            )
        return records
    records = list(available.filter(pk__in=ids))
    if len(records) != len(ids):
        missing = set(ids) - {r.pk for r in records}
        if SubsidyClaimLine.objects.filter(usage_id__in=missing, active=True).exists():
            raise InvalidTransition(_("所选使用记录已在其他申请中。"))
        raise ServiceError(
            _(
                "所选使用记录中有 %(n)d 条不能申请：须为本单位%(year)s年度双方已确认、"
                "收费大于0元的使用记录。"
            )
            % {"n": len(missing), "year": year},
            code="invalid",
        )
    return records


def preview_claim(actor, year, usage_ids=None) -> Quote:
    """What a claim over the records would ask for, without claiming (the page's preview)."""
    organisation = claimant_organisation(actor)
    year = _check_year(year)
    policy = policy_for(year)
    if policy is None:
        raise InvalidTransition(
            _("%(year)s年度先用后补政策尚未发布，暂不能申请。") % {"year": year}
        )
    records = _select(organisation, year, usage_ids)
    mine = standing(organisation, policy)
    return compute_quote(
        [r.fee for r in records], policy.rate, policy.cap_per_user, mine.approved, mine.pending
    )


def terms_for(organisation, policy: SubsidyPolicy) -> Quote:
    """The organisation's standing under the policy, as a quote over no records."""
    mine = standing(organisation, policy)
    return compute_quote([], policy.rate, policy.cap_per_user, mine.approved, mine.pending)


def submit_claim(actor, year, usage_ids=None) -> SubsidyClaim:
    """An organisation claims for its chosen (default: all) claimable records of the year."""
    organisation = claimant_organisation(actor)
    policy = open_policy(year)
    require_integrity(organisation, "apply")
    with transaction.atomic():
        # One claim of an organisation at a time: the cap counts its pending claims.
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        records = _select(organisation, policy.year, usage_ids)
        mine = standing(organisation, policy)
        quote = compute_quote(
            [r.fee for r in records], policy.rate, policy.cap_per_user, mine.approved, mine.pending
        )
        if quote.computed <= 0:
            raise InvalidTransition(_("所选使用记录按比例计算的补贴为 0 元，不能申请。"))
        if quote.amount <= 0:
            raise InvalidTransition(
                _("本年度补贴已达单位上限（%(cap)s元）") % {"cap": yuan(policy.cap_per_user)}
            )
        claim = SubsidyClaim.objects.create(
            policy=policy,
            organisation=organisation,
            fee_total=quote.fee_total,
            computed=quote.computed,
            amount=quote.amount,
            working=quote.working,
            submitted_by=actor,
        )
        try:
            with transaction.atomic():
                SubsidyClaimLine.objects.bulk_create(
                    [SubsidyClaimLine(claim=claim, usage=r, fee=r.fee) for r in records]
                )
        except IntegrityError:
            raise InvalidTransition(_("所选使用记录已在其他申请中。")) from None
        audit.record_create(
            actor,
            claim,
            note=_("%(n)d 条使用记录，申请补贴 %(a)s 元")
            % {"n": len(records), "a": yuan(quote.amount)},
        )
    return claim


# -- who sees which claims ------------------------------------------------------------------


def claims_for(user, *, year: int | None = None, status: str | None = None):
    """All claims for the bureau, the own organisation's for its members, none for others."""
    qs = SubsidyClaim.objects.select_related("policy", "organisation").annotate(
        line_count=Count("lines")
    )
    if not permissions.can(user, "sharing.manage"):
        org = own_organisation_id(user)
        if org is None:
            return qs.none()
        qs = qs.filter(organisation_id=org)
    if year:
        qs = qs.filter(policy__year=year)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-submitted_at", "-pk")


def may_view(user, claim: SubsidyClaim) -> bool:
    if permissions.can(user, "sharing.manage"):
        return True
    org = own_organisation_id(user)
    return org is not None and org == claim.organisation_id


def get_claim_for(user, pk) -> SubsidyClaim:
    claim = (
        SubsidyClaim.objects.select_related("policy", "organisation", "submitted_by", "decided_by")
        .filter(pk=pk)
        .first()
    )
    if claim is None:
        raise NotFound(_("先用后补申请不存在。"))
    if not may_view(user, claim):
        raise NotAllowed(_("只有申请单位和市科技局可以查看该申请。"))
    return claim


def claim_lines(claim: SubsidyClaim) -> QuerySet[SubsidyClaimLine]:
    return claim.lines.select_related(
        "usage__booking__slot__instrument__owner", "usage__booking__requester"
    ).order_by("usage__booking__slot__starts_at", "pk")


# -- the bureau's decision ------------------------------------------------------------------


def _notify(claim: SubsidyClaim, title: str, body: str = "") -> None:
    """Tell the claiming organisation's members, with a link to the claim."""
    notify(
        members_of(claim.organisation_id),
        title,
        body,
        url=reverse("sharing_subsidy_claim", args=[claim.pk]),
    )


def _lock_submitted(claim: SubsidyClaim) -> SubsidyClaim:
    locked = (
        SubsidyClaim.objects.select_for_update().select_related("organisation").get(pk=claim.pk)
    )
    if locked.status != ClaimStatus.SUBMITTED:
        raise InvalidTransition(
            _("该申请已处理（%(s)s），不能重复审核。") % {"s": locked.get_status_display()}
        )
    return locked


def _budget_refusal(policy: SubsidyPolicy) -> InvalidTransition:
    return InvalidTransition(
        _("年度补贴预算余额不足：剩余 %(r)s 元")
        % {"r": yuan(policy.budget - policy.approved_total)}
    )


def approve_claim(actor, claim: SubsidyClaim, amount=None, reason: str = "") -> SubsidyClaim:
    """Approve the claimed amount, or less with a reason; within the organisation's cap and the
    year's remaining budget."""
    permissions.require(actor, "sharing.manage", None, _("只有市科技局可以审核先用后补申请。"))
    reason = (reason or "").strip()
    with transaction.atomic():
        # The policy first, then the claim: every approval of the year waits its turn here.
        policy = SubsidyPolicy.objects.select_for_update().get(pk=claim.policy_id)
        locked = _lock_submitted(claim)
        if amount is None or (isinstance(amount, str) and not amount.strip()):
            value = locked.amount
        else:
            value = parse_money(amount, _("批准金额"))
        if value > locked.amount:
            raise ServiceError(
                _("批准金额（%(v)s元）不能高于申请金额（%(a)s元）。")
                % {"v": yuan(value), "a": yuan(locked.amount)},
                code="invalid",
            )
        if value < locked.amount and not reason:
            raise ServiceError(
                _("核减补贴金额（申请 %(a)s 元，批准 %(v)s 元）须填写理由。")
                % {"a": yuan(locked.amount), "v": yuan(value)},
                code="invalid",
            )
        others = standing(locked.organisation_id, policy, exclude_claim=locked.pk)
        if others.approved + value > policy.cap_per_user:
            raise InvalidTransition(
                _(
                    "批准后该单位本年度补贴合计 %(t)s 元（已批准 %(a)s 元 + 本次 %(v)s 元），"
                    "超过单位上限（%(cap)s元）。"
                )
                % {
                    "t": yuan(others.approved + value),
                    "a": yuan(others.approved),
                    "v": yuan(value),
                    "cap": yuan(policy.cap_per_user),
                }
            )
        if policy.approved_total + value > policy.budget:
            raise _budget_refusal(policy)
        try:
            with transaction.atomic():
                SubsidyPolicy.objects.filter(pk=policy.pk).update(
                    approved_total=F("approved_total") + value
                )
        except IntegrityError:
            policy.refresh_from_db()
            raise _budget_refusal(policy) from None
        before = audit.snapshot(locked)
        locked.status = ClaimStatus.APPROVED
        locked.approved_amount = value
        locked.reason = reason[:300]
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.save()
        audit.record(
            actor,
            AuditAction.TRANSITION,
            locked,
            audit.diff(before, audit.snapshot(locked)),
            note=_("批准补贴 %(v)s 元") % {"v": yuan(value)},
        )
        title = _("先用后补申请已批准：%(year)s年度，批准补贴 %(v)s 元。") % {
            "year": policy.year,
            "v": yuan(value),
        }
        if value < locked.amount:
            title = _("先用后补申请已批准：%(year)s年度，申请 %(a)s 元，核定 %(v)s 元。") % {
                "year": policy.year,
                "a": yuan(locked.amount),
                "v": yuan(value),
            }
        _notify(locked, title, reason)
    return locked


def refuse_claim(actor, claim: SubsidyClaim, reason: str) -> SubsidyClaim:
    """Refuse with a reason; the claim's usage records may then be claimed again."""
    permissions.require(actor, "sharing.manage", None, _("只有市科技局可以审核先用后补申请。"))
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("请填写不予批准的理由。"), code="invalid")
    with transaction.atomic():
        locked = _lock_submitted(claim)
        before = audit.snapshot(locked)
        locked.status = ClaimStatus.REFUSED
        locked.reason = reason[:300]
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.save()
        locked.lines.update(active=False)
        audit.record(
            actor,
            AuditAction.TRANSITION,
            locked,
            audit.diff(before, audit.snapshot(locked)),
            note=reason,
        )
        _notify(
            locked,
            _("先用后补申请未获批准：%(r)s") % {"r": reason},
            _("所列使用记录可以重新申请。"),
        )
    return locked


# -- the payment list -----------------------------------------------------------------------


def payment_headers() -> list[str]:
    return [
        _("序号"),
        _("单位名称"),
        _("统一社会信用代码"),
        _("申请编号"),
        _("使用记录数"),
        _("服务收费合计"),
        _("批准补贴金额（元）"),
        _("审核时间"),
    ]


def payment_claims(actor, year) -> QuerySet[SubsidyClaim]:
    permissions.require(actor, "sharing.manage", None, _("只有市科技局可以导出补贴拨付清单。"))
    year = _check_year(year)
    return (
        SubsidyClaim.objects.filter(policy__year=year, status=ClaimStatus.APPROVED)
        .select_related("policy", "organisation")
        .annotate(line_count=Count("lines"))
        .order_by("decided_at", "pk")
    )


def payment_rows(actor, year) -> list[list]:
    """The payment list: one row per approved claim of the year, then the total row."""
    rows = []
    lines = fees = approved = 0
    for n, claim in enumerate(payment_claims(actor, year), 1):
        rows.append(
            [
                n,
                claim.organisation.name,
                claim.organisation.uscc,
                claim_number(claim),
                claim.line_count,
                claim.fee_total,
                claim.approved_amount,
                timezone.localtime(claim.decided_at).strftime("%Y-%m-%d %H:%M"),
            ]
        )
        lines += claim.line_count
        fees += claim.fee_total
        approved += claim.approved_amount
    rows.append([_("合计"), "", "", "", lines, fen(fees), fen(approved), ""])
    return rows
