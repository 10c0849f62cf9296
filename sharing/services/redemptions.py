"""核销: a registered service provider redeems part of an innovation voucher against a service
contract with its holder, and the holder rates the service.

A redemption locks the program row, then the voucher row (always in that order, so two
redemptions in one program cannot deadlock), checks everything against the locked rows and
only then moves both running totals with F() expressions. The check constraints on the voucher
(redeemed ≤ face value) and the program (redeemed ≤ budget) back the invariants up: if they
ever fire, the redemption is refused with a clear message and nothing is written.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import permissions
from core.choices import AuditAction
from core.exceptions import InvalidTransition, NotAllowed, NotFound, ServiceError
from core.services import audit
from core.validators import normalise_uscc
from integrity.services import require_integrity
from integrity.services.gate import long_date
from sharing.choices import ProviderStatus, ServiceCategory, VoucherStatus
from sharing.models import Redemption, ServiceProvider, Voucher, VoucherProgram
from sharing.services import abuse
from sharing.services.common import (
    category_labels,
    member_ids,
    notify,
    organisation_id_of,
    parse_money,
    yuan,
)
from sharing.services.vouchers import get_voucher_by_code, voucher_state

FEN = Decimal("0.01")


def parse_amount(value, label: str) -> Decimal:
    """An amount in yuan: positive, to the fen."""
    return parse_money(value, label, malformed=_("%(f)s须为金额（元），如 10000 或 10000.50。"))


def _date(value, label: str) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
        raise ServiceError(_("%(f)s须为日期，如 2026-05-31。") % {"f": label}, code="invalid")
    raise ServiceError(_("请填写%(f)s。") % {"f": label}, code="invalid")


def category_text(codes) -> str:
    """The categories' names in one line ("—" for none)."""
    return "、".join(category_labels(codes)) or "—"


def share_percent(share) -> str:
    """0.5 → "50", 0.333 → "33.3"."""
    value = (Decimal(share) * 100).normalize()
    return f"{value:f}"


def cap_for(program: VoucherProgram, contract_amount: Decimal) -> Decimal:
    """The most one redemption may take off a contract: its amount × the program's share."""
    return (contract_amount * Decimal(program.max_share)).quantize(FEN, rounding=ROUND_HALF_UP)


# -- whose provider, whose redemption -------------------------------------------------------


def provider_of(user) -> ServiceProvider | None:
    """The provider registration of the organisation the user acts for (in any status)."""
    org = organisation_id_of(user)
    if org is None:
        return None
    return (
        ServiceProvider.objects.select_related("organisation").filter(organisation_id=org).first()
    )


def acting_provider(user) -> ServiceProvider:
    """The registered provider the user redeems for, or the reason they cannot."""
    if not getattr(user, "is_authenticated", False):
        raise NotAllowed(_("请先登录，以服务机构用户身份核销创新券。"))
    provider = provider_of(user)
    if provider is None:
        raise NotAllowed(_("本单位不是入库科技服务机构，不能核销创新券。"))
    if provider.status == ProviderStatus.SUSPENDED:
        raise NotAllowed(_("本单位的服务机构资格已暂停，暂不能核销创新券。"))
    if provider.status != ProviderStatus.REGISTERED:
        raise NotAllowed(
            _("本单位尚未入库为科技服务机构（当前状态：%(s)s），不能核销创新券。")
            % {"s": provider.get_status_display()}
        )
    permissions.require(
        user, "sharing.redeem", provider, _("只有入库服务机构的用户可以核销创新券。")
    )
    return provider


def holds_vouchers(user) -> bool:
    org = organisation_id_of(user)
    return org is not None and Voucher.objects.filter(holder_id=org).exists()


def redemptions_for(user) -> QuerySet[Redemption]:
    """The bureau sees every redemption; a provider's members their provider's; a holder's
    members those of their vouchers."""
    qs = Redemption.objects.select_related(
        "voucher__program", "voucher__holder", "provider__organisation", "redeemed_by"
    )
    if permissions.can(user, "sharing.manage"):
        return qs
    org = organisation_id_of(user)
    if org is None:
        return qs.none()
    return qs.filter(Q(provider__organisation_id=org) | Q(voucher__holder_id=org))


def may_view(user, redemption: Redemption) -> bool:
    if permissions.can(user, "sharing.manage"):
        return True
    org = organisation_id_of(user)
    return org is not None and org in (
        redemption.provider.organisation_id,
        redemption.voucher.holder_id,
    )


def may_rate(user, redemption: Redemption) -> bool:
    org = organisation_id_of(user)
    return org is not None and org == redemption.voucher.holder_id


def get_redemption(user, pk) -> Redemption:
    redemption = (
        Redemption.objects.select_related(
            "voucher__program", "voucher__holder", "provider__organisation", "redeemed_by"
        )
        .filter(pk=pk)
        .first()
    )
    if redemption is None:
        raise NotFound(_("核销记录不存在。"))
    if not may_view(user, redemption):
        raise NotAllowed(_("只有服务机构、持券企业和市科技局可以查看该核销记录。"))
    return redemption


def redemption_url(redemption: Redemption) -> str:
    return reverse("sharing_redemption", args=[redemption.pk])


# -- looking a voucher up -------------------------------------------------------------------


def lookup(user, code: str) -> dict:
    """What a provider may see of a voucher before redeeming it: the holder (partly hidden),
    the remaining value, validity and state."""
    from transfer.services.listings import mask_name

    acting_provider(user)
    voucher = get_voucher_by_code(code)
    state = voucher_state(voucher)
    return {
        "voucher": voucher,
        "code": voucher.code,
        # Partly hidden, as on the public verification page: the contract names the holder.
        "holder": mask_name(voucher.holder.name),
        "program": voucher.program.name,
        "face_value": voucher.face_value,
        "remaining": voucher.remaining,
        "expires_on": voucher.expires_on,
        "state": state,
        "state_label": VoucherStatus(state).label,
        "max_share": share_percent(voucher.program.max_share),
        "categories": category_text(voucher.program.categories),
    }


# -- redeeming ------------------------------------------------------------------------------


def redeem(
    user,
    code: str,
    holder_uscc: str,
    contract_number: str,
    signed_on,
    category: str,
    contract_amount,
    service_description: str,
    amount,
) -> Redemption:
    """Redeem `amount` of a voucher against a service contract with its holder."""
    provider = acting_provider(user)
    contract_number = (contract_number or "").strip()
    if not contract_number:
        raise ServiceError(_("请填写服务合同编号。"), code="invalid")
    if len(contract_number) > 60:
        raise ServiceError(_("服务合同编号不能超过60个字符。"), code="invalid")
    service_description = (service_description or "").strip()
    if not service_description:
        raise ServiceError(_("请填写服务内容。"), code="invalid")
    if category not in ServiceCategory.values:
        raise ServiceError(_("请选择服务类别。"), code="invalid")
    signed_on = _date(signed_on, _("合同签订日期"))
    contract_amount = parse_amount(contract_amount, _("合同金额"))
    amount = parse_amount(amount, _("核销金额"))
    holder_code = normalise_uscc(holder_uscc)
    if not holder_code:
        raise ServiceError(_("请填写合同委托方的统一社会信用代码。"), code="invalid")
    found = get_voucher_by_code(code)
    today = timezone.localdate()

    with transaction.atomic():
        # The program first, then the voucher: one order everywhere, so no deadlocks.
        program = VoucherProgram.objects.select_for_update().get(pk=found.program_id)
        voucher = Voucher.objects.select_for_update().get(pk=found.pk)
        voucher.program = program
        holder = found.holder
        if holder.uscc != holder_code:
            raise ServiceError(
                _("该创新券不属于合同委托方（统一社会信用代码 %(c)s），请核对券号和委托方。")
                % {"c": holder_code},
                code="not_holder",
            )
        state = voucher_state(voucher, today)
        if state == VoucherStatus.CANCELLED:
            raise InvalidTransition(_("创新券已作废，不能核销。"))
        if state == VoucherStatus.EXPIRED:
            raise InvalidTransition(
                _("创新券已于%(d)s过期，不能核销。") % {"d": long_date(voucher.expires_on)}
            )
        if state == VoucherStatus.USED_UP:
            raise InvalidTransition(_("创新券余额为 0，已用完。"))
        designated = list(program.providers.values_list("pk", flat=True))
        if designated and provider.pk not in designated:
            raise NotAllowed(
                _("“%(p)s”指定了服务机构，本单位不在指定范围内，不能核销该项目的创新券。")
                % {"p": program.name}
            )
        label = ServiceCategory(category).label
        if category not in (program.categories or []):
            raise ServiceError(
                _("该创新券不能用于“%(c)s”服务（适用服务类别：%(ok)s）。")
                % {"c": label, "ok": category_text(program.categories)},
                code="invalid",
            )
        if category not in (provider.categories or []):
            raise ServiceError(
                _("本单位入库的服务类别不含“%(c)s”（已登记：%(ok)s），不能以此类别核销。")
                % {"c": label, "ok": category_text(provider.categories)},
                code="invalid",
            )
        remaining = voucher.face_value - voucher.redeemed
        if amount > remaining:
            raise InvalidTransition(
                _("核销金额超过创新券余额（剩余 %(r)s 元）。") % {"r": yuan(remaining)}
            )
        cap = cap_for(program, contract_amount)
        if amount > cap:
            raise ServiceError(
                _("核销金额不能超过合同金额的 %(pct)s%%（%(cap)s 元）。")
                % {"pct": share_percent(program.max_share), "cap": yuan(cap)},
                code="invalid",
            )
        if signed_on > today:
            raise ServiceError(
                _("合同签订日期（%(d)s）不能晚于今天。") % {"d": long_date(signed_on)},
                code="invalid",
            )
        issued_on = timezone.localtime(voucher.issued_at).date()
        if signed_on < issued_on:
            raise ServiceError(
                _("合同签订日期（%(d)s）早于创新券发放日期（%(i)s），不能用该券核销。")
                % {"d": long_date(signed_on), "i": long_date(issued_on)},
                code="invalid",
            )
        if voucher.redemptions.filter(contract_number=contract_number).exists():
            raise InvalidTransition(
                _("合同 %(n)s 已用该创新券核销过，同一合同不能重复核销。") % {"n": contract_number}
            )
        require_integrity(holder, "apply")
        require_integrity(provider.organisation, "apply")

        used_up = amount == remaining
        try:
            with transaction.atomic():
                Voucher.objects.filter(pk=voucher.pk).update(
                    redeemed=F("redeemed") + amount,
                    status=VoucherStatus.USED_UP if used_up else F("status"),
                )
                VoucherProgram.objects.filter(pk=program.pk).update(redeemed=F("redeemed") + amount)
                redemption = Redemption.objects.create(
                    voucher=voucher,
                    provider=provider,
                    category=category,
                    contract_number=contract_number,
                    contract_amount=contract_amount,
                    signed_on=signed_on,
                    service_description=service_description,
                    amount=amount,
                    redeemed_by=user,
                )
        except IntegrityError:
            raise InvalidTransition(
                _("核销未完成：核销后将超出创新券余额或项目预算，请刷新后核对余额再试。")
            ) from None
        voucher.refresh_from_db()
        redemption.voucher = voucher
        redemption.provider = provider
        abuse.flag_same_group(redemption)
        audit.record_create(
            user,
            redemption,
            object_repr=f"{voucher.code} · {contract_number} · {yuan(amount)}",
        )
        notify(
            member_ids(holder.pk),
            _("%(p)s已核销贵单位创新券 %(code)s %(a)s元（剩余%(r)s元），请对服务进行评价。")
            % {
                "p": provider.organisation.name,
                "code": voucher.code,
                "a": yuan(amount),
                "r": yuan(voucher.remaining),
            },
            url=redemption_url(redemption),
            body=_("服务合同 %(n)s：%(d)s") % {"n": contract_number, "d": service_description},
        )
    return redemption


# -- rating ---------------------------------------------------------------------------------


def rate(user, redemption: Redemption, rating, comment: str = "") -> Redemption:
    """The holder's members rate the service 1–5, once."""
    if not may_rate(user, redemption):
        raise NotAllowed(_("只有持券企业的用户可以评价该服务。"))
    try:
        score = int(rating)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5 or str(rating).strip() not in {str(score), f"{score}.0"}:
        raise ServiceError(_("请选择1–5分的服务评价。"), code="invalid")
    comment = (comment or "").strip()
    if len(comment) > 300:
        raise ServiceError(_("评价说明不能超过300字。"), code="invalid")
    with transaction.atomic():
        locked = Redemption.objects.select_for_update().get(pk=redemption.pk)
        if locked.rating is not None:
            raise InvalidTransition(_("该服务已评价。"))
        before = audit.snapshot(locked)
        locked.rating = score
        locked.rating_comment = comment
        locked.rated_at = timezone.now()
        locked.save(update_fields=["rating", "rating_comment", "rated_at"])
        audit.record(
            user,
            AuditAction.UPDATE,
            locked,
            audit.diff(before, audit.snapshot(locked)),
            note=_("服务评价"),
        )
        notify(
            member_ids(redemption.provider.organisation_id),
            _("%(h)s对创新券核销服务（合同 %(n)s）评价%(s)d分。")
            % {"h": redemption.voucher.holder.name, "n": locked.contract_number, "s": score},
            url=redemption_url(locked),
            body=comment,
        )
    redemption.rating, redemption.rating_comment, redemption.rated_at = (
        locked.rating,
        locked.rating_comment,
        locked.rated_at,
    )
    return redemption
