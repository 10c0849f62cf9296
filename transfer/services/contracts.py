"""技术合同认定登记: the seller drafts and submits a contract (a draft is also generated when a
listing is sold); the registrar (the bureau) classifies it, corrects the technology part of the
amount (技术交易额), and issues a registration number or refuses with reasons. A registered
contract no longer changes.

The tax benefits a contract may qualify for are shown for reference (RULES.md A5); the tax
authority decides.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import permissions
from core.choices import Role
from core.exceptions import InvalidTransition, NotAllowed, NotFound, ServiceError
from core.models import HighTechField, Notification, Organisation
from core.services import audit
from transfer.choices import ContractKind, ContractStatus, ListingMode
from transfer.models import TechContract

K = ContractKind
S = ContractStatus

# 登记编号: the registration office's prefix, the year, a six-digit sequence within the year.
REGISTRATION_PREFIX = "22010"
# Key of the PostgreSQL advisory lock that serialises numbering (any constant unique to it).
NUMBERING_LOCK = 22010
MAX_AMOUNT = Decimal("99999999999999.99")  # max_digits=16, decimal_places=2

KIND_FOR_MODE = {
    ListingMode.ASSIGNMENT: K.TRANSFER,
    ListingMode.LICENSE: K.LICENSE,
    ListingMode.EQUITY: K.TRANSFER,  # 作价入股 transfers the rights to the company
}
# Roles acting for the bureau register contracts as registrar, never as a seller.
NOT_SELLERS = {Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.LEADER}
EDITABLE = (S.DRAFT, S.REFUSED)

# The fields a seller fills in; `buyer` is an Organisation or None (a buyer off the platform).
FIELDS = (
    "kind",
    "title",
    "subject",
    "buyer",
    "buyer_name",
    "buyer_in_city",
    "field",
    "total_amount",
    "declared_tech_amount",
    "non_tech_part",
    "related_to_transfer",
    "payment_terms",
    "signed_on",
    "valid_until",
)


class ContractIncomplete(ServiceError):
    code = "incomplete"
    status = 400

    def __init__(self, message: str, problems: list[str]):
        super().__init__(message)
        self.problems = problems


def parse_amount(value, label: str, *, allow_zero: bool = False) -> Decimal:
    """An amount in 元 from a form, the API or code: positive (or zero), at most two decimals."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ServiceError(_("请填写%(f)s。") % {"f": label}, code="invalid")
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise ServiceError(
            _("%(f)s须为金额（元），如 120000 或 120000.50。") % {"f": label}, code="invalid"
        ) from None
    if not amount.is_finite():
        raise ServiceError(_("%(f)s须为金额（元）。") % {"f": label}, code="invalid")
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ServiceError(
            (_("%(f)s不能为负数。") if allow_zero else _("%(f)s须大于0元。")) % {"f": label},
            code="invalid",
        )
    if amount != amount.quantize(Decimal("0.01")):
        raise ServiceError(_("%(f)s最多保留两位小数（到分）。") % {"f": label}, code="invalid")
    if amount > MAX_AMOUNT:
        raise ServiceError(_("%(f)s超出可登记的范围。") % {"f": label}, code="invalid")
    return amount.quantize(Decimal("0.01"))


def _yuan(value: Decimal) -> str:
    return f"{value:,.2f}"


# -- access ---------------------------------------------------------------------------------


def _org_id(user) -> int | None:
    m = getattr(user, "current_membership", None)
    if not getattr(user, "is_authenticated", False) or m is None or not m.is_active:
        return None
    return m.organisation_id


def contracts_for(user) -> QuerySet[TechContract]:
    """The contracts `user` may read: the bureau all, a district admin those whose seller is in
    the district, an organisation's users those it sells or buys."""
    qs = TechContract.objects.select_related("seller__region", "buyer", "field", "listing")
    if permissions.can(user, "transfer.registrar"):
        return qs
    m = getattr(user, "current_membership", None)
    if m is None or not m.is_active or not getattr(user, "is_authenticated", False):
        return qs.none()
    if m.role == Role.DISTRICT_ADMIN:
        return qs.filter(seller__region_id=m.region_id)
    return qs.filter(Q(seller_id=m.organisation_id) | Q(buyer_id=m.organisation_id))


def may_edit(user, contract: TechContract) -> bool:
    m = getattr(user, "current_membership", None)
    return (
        permissions.can(user, "transfer.register_contract")
        and m is not None
        and m.role not in NOT_SELLERS
        and m.organisation_id == contract.seller_id
    )


def get_contract_for_user(user, pk: int, *, write: bool = False) -> TechContract:
    contract = TechContract.objects.filter(pk=pk).first()
    if contract is None:
        raise NotFound(_("技术合同不存在。"))
    if not contracts_for(user).filter(pk=pk).exists():
        raise NotAllowed(_("您无权查看该技术合同。"))
    if write and not may_edit(user, contract):
        raise NotAllowed(_("只有卖方（登记方）单位的用户可以修改和提交该合同。"))
    return contracts_for(user).get(pk=pk)


def registrar_queue(user) -> QuerySet[TechContract]:
    """Submitted contracts waiting for 认定, oldest first."""
    permissions.require(
        user, "transfer.registrar", None, _("只有技术合同登记员可以查看待认定合同。")
    )
    return (
        TechContract.objects.filter(status=S.SUBMITTED)
        .select_related("seller__region", "buyer", "field")
        .order_by("created_at", "pk")
    )


# -- the seller's side ----------------------------------------------------------------------


def seller_organisation(actor) -> Organisation:
    m = getattr(actor, "current_membership", None)
    if (
        not permissions.can(actor, "transfer.register_contract")
        or m is None
        or m.role in NOT_SELLERS
    ):
        raise NotAllowed(_("请以卖方单位用户的身份登记技术合同。"))
    return m.organisation


def _clean(contract: TechContract, data: dict[str, Any]) -> None:
    """Set the given fields on `contract`, or raise ValidationError naming each bad field."""
    errors: dict[str, list[str]] = {}

    def bad(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    unknown = set(data) - set(FIELDS)
    if unknown:
        raise ValidationError({f: [_("该项不能修改。")] for f in sorted(unknown)})
    if contract.listing_id and (
        ("buyer" in data and data["buyer"] is not None and data["buyer"].pk != contract.buyer_id)
        or ("buyer_name" in data and data["buyer_name"].strip() not in ("", contract.buyer_name))
    ):
        bad("buyer", _("该合同来源于挂牌成交，买方为成交受让方，不能更改。"))
    # The platform buyer last: its name and location win over what was typed beside it.
    for name, value in sorted(data.items(), key=lambda item: item[0] == "buyer"):
        if name in ("buyer", "buyer_name", "buyer_in_city") and contract.listing_id:
            continue
        if name == "kind":
            if value not in K.values:
                bad("kind", _("请选择合同类型：技术开发、技术转让、技术许可、技术咨询或技术服务。"))
            else:
                contract.kind = value
        elif name in ("title", "subject", "buyer_name", "non_tech_part", "payment_terms"):
            value = (value or "").strip()
            limit = TechContract._meta.get_field(name).max_length
            if limit and len(value) > limit:
                bad(name, _("不能超过%(n)d个字。") % {"n": limit})
            setattr(contract, name, value)
        elif name in ("total_amount", "declared_tech_amount"):
            label = TechContract._meta.get_field(name).verbose_name
            try:
                setattr(
                    contract,
                    name,
                    parse_amount(value, str(label), allow_zero=name == "declared_tech_amount"),
                )
            except ServiceError as exc:
                bad(name, exc.message)
        elif name == "buyer":
            if value is not None and not isinstance(value, Organisation):
                bad("buyer", _("请选择平台注册单位，或只填写买方名称。"))
            elif value is not None and value.pk == contract.seller_id:
                bad("buyer", _("买方不能是卖方本单位。"))
            else:
                contract.buyer = value
                if value is not None:
                    contract.buyer_name = value.name
                    contract.buyer_in_city = True  # every platform organisation is in the city
        elif name == "field":
            if value is not None and not isinstance(value, HighTechField):
                bad("field", _("请选择技术领域。"))
            else:
                contract.field = value
        elif name in ("buyer_in_city", "related_to_transfer"):
            setattr(contract, name, bool(value))
        elif name in ("signed_on", "valid_until"):
            if value is not None and not isinstance(value, datetime.date):
                bad(name, _("请填写日期，如 2026-05-20。"))
            else:
                setattr(contract, name, value)
    if contract.signed_on and contract.signed_on > timezone.localdate():
        bad("signed_on", _("签订日期不能晚于今天。"))
    if contract.signed_on and contract.valid_until and contract.valid_until < contract.signed_on:
        bad("valid_until", _("有效期至不能早于签订日期。"))
    if (
        "total_amount" not in errors
        and "declared_tech_amount" not in errors
        and contract.total_amount is not None
        and contract.declared_tech_amount is not None
        and contract.declared_tech_amount > contract.total_amount
    ):
        bad(
            "declared_tech_amount",
            _("申报技术交易额（%(tech)s元）不能超过合同总金额（%(total)s元）。")
            % {
                "tech": _yuan(contract.declared_tech_amount),
                "total": _yuan(contract.total_amount),
            },
        )
    if errors:
        raise ValidationError(errors)


def create_contract(actor, **data: Any) -> TechContract:
    """A new draft registered by the seller: the actor's organisation."""
    seller = seller_organisation(actor)
    contract = TechContract(seller=seller, created_by=actor, status=S.DRAFT)
    required = {
        "kind": _("合同类型"),
        "title": _("合同名称"),
        "total_amount": _("合同总金额"),
        "declared_tech_amount": _("申报技术交易额"),
    }
    errors = {f: [_("请填写%(f)s。") % {"f": label}] for f, label in required.items()
              if data.get(f) in (None, "")}  # fmt: skip
    if not data.get("buyer") and not (data.get("buyer_name") or "").strip():
        errors["buyer_name"] = [_("请填写买方名称，或选择平台注册单位。")]
    if errors:
        raise ValidationError(errors)
    _clean(contract, data)
    contract.payment_terms = contract.payment_terms or ""
    contract.subject = contract.subject or ""
    with transaction.atomic():
        contract.save()
        audit.record_create(actor, contract)
    return contract


def update_contract(actor, contract: TechContract, **data: Any) -> TechContract:
    """Edit a draft (or a refused contract before resubmitting it)."""
    get_contract_for_user(actor, contract.pk, write=True)
    with transaction.atomic():
        locked = TechContract.objects.select_for_update().get(pk=contract.pk)
        _require_editable(locked)
        before = audit.snapshot(locked)
        _clean(locked, data)
        locked.save()
        audit.record_update(actor, locked, before)
    return locked


def _require_editable(contract: TechContract) -> None:
    if contract.status == S.REGISTERED:
        raise InvalidTransition(
            _("合同已登记（登记编号%(n)s），不能再修改。") % {"n": contract.registration_number}
        )
    if contract.status not in EDITABLE:
        raise InvalidTransition(
            _("合同当前状态为“%(s)s”，不能修改。") % {"s": contract.get_status_display()}
        )


def missing_for_submission(contract: TechContract) -> list[str]:
    """What still has to be filled in before the contract can be submitted."""
    problems = []
    for name in ("title", "subject", "buyer_name", "payment_terms"):
        if not (getattr(contract, name) or "").strip():
            problems.append(
                _("请填写%(f)s") % {"f": TechContract._meta.get_field(name).verbose_name}
            )
    if contract.field_id is None:
        problems.append(_("请选择技术领域"))
    if contract.signed_on is None:
        problems.append(_("请填写签订日期"))
    if contract.declared_tech_amount < contract.total_amount and not contract.non_tech_part.strip():
        problems.append(
            _("申报技术交易额低于合同总金额，请说明非技术性内容（如设备、原材料、建设工程等）")
        )
    return problems


def submit_contract(actor, contract: TechContract) -> TechContract:
    """提交认定: the complete draft goes to the registrar."""
    get_contract_for_user(actor, contract.pk, write=True)
    with transaction.atomic():
        locked = TechContract.objects.select_for_update().get(pk=contract.pk)
        _require_editable(locked)
        problems = missing_for_submission(locked)
        if problems:
            raise ContractIncomplete(
                _("合同还不能提交认定：%(p)s。") % {"p": "；".join(problems)}, problems
            )
        before = audit.snapshot(locked)
        locked.status = S.SUBMITTED
        locked.registrar_note = ""  # a earlier refusal stays in the audit trail
        locked.save()
        audit.record_update(actor, locked, before, note=_("提交认定登记"))
    return locked


def draft_from_listing(actor, listing) -> TechContract:
    """The contract draft of a sold listing: seller the owner, buyer the winner, the deal price
    as both amounts, the achievement's field (the seller chooses one if it names none)."""
    achievement = listing.achievement
    kind = KIND_FOR_MODE[listing.mode]
    subject = achievement.summary or achievement.title
    if listing.mode == ListingMode.EQUITY:
        subject = _("以该成果作价%(p)s元入股。") % {"p": _yuan(listing.deal_price)} + subject
    contract = TechContract.objects.create(
        kind=kind,
        title=(_("“%(t)s”%(k)s合同") % {"t": achievement.title, "k": K(kind).label})[:200],
        subject=subject,
        seller=achievement.owner,
        buyer=listing.buyer,
        buyer_name=listing.buyer.name,
        buyer_in_city=True,
        field=achievement.hightech_field,
        achievement=achievement,
        listing=listing,
        total_amount=listing.deal_price,
        declared_tech_amount=listing.deal_price,
        payment_terms="",
        status=S.DRAFT,
        created_by=actor or listing.created_by,
    )
    audit.record_create(actor, contract, note=_("挂牌成交生成合同草稿"))
    return contract


# -- the registrar's side -------------------------------------------------------------------


def _lock_numbering(year: int) -> None:
    """Serialise numbering within a year. PostgreSQL: a transaction-scoped advisory lock (there
    is no row to lock before the first number of a year); SQLite serialises writers anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [NUMBERING_LOCK, year])


def next_registration_number(year: int) -> str:
    """22010{YYYY}{seq:06d}: the next number of the year (call inside a transaction)."""
    _lock_numbering(year)
    prefix = f"{REGISTRATION_PREFIX}{year}"
    last = (
        TechContract.objects.filter(registration_number__startswith=prefix)
        .order_by("-registration_number")
        .values_list("registration_number", flat=True)
        .first()
    )
    seq = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{seq:06d}"


def _lock_submitted(actor, contract: TechContract) -> TechContract:
    locked = TechContract.objects.select_for_update().get(pk=contract.pk)
    if locked.status == S.REGISTERED:
        raise InvalidTransition(
            _("合同已登记（登记编号%(n)s），不能再修改。") % {"n": locked.registration_number}
        )
    if locked.status != S.SUBMITTED:
        raise InvalidTransition(
            _("合同当前状态为“%(s)s”，只有待认定的合同可以办理。")
            % {"s": locked.get_status_display()}
        )
    return locked


def register_contract(
    actor,
    contract: TechContract,
    *,
    registered_kind: str | None = None,
    tech_amount=None,
    note: str = "",
) -> TechContract:
    """认定登记: classify, set the 技术交易额 (≤ the total; below it when part of the contract is
    not technology, unless the registrar explains why not), and issue the next number."""
    permissions.require(
        actor, "transfer.registrar", contract, _("只有技术合同登记员（市科技局）可以认定登记。")
    )
    note = (note or "").strip()
    with transaction.atomic():
        locked = _lock_submitted(actor, contract)
        kind = registered_kind or locked.kind
        if kind not in K.values:
            raise ValidationError({"registered_kind": [_("请选择认定的合同类型。")]})
        if tech_amount in (None, ""):
            amount = locked.declared_tech_amount
        else:
            try:
                amount = parse_amount(tech_amount, _("认定技术交易额"), allow_zero=True)
            except ServiceError as exc:
                raise ValidationError({"tech_amount": [exc.message]}) from None
        if amount > locked.total_amount:
            raise ValidationError(
                {
                    "tech_amount": [
                        _("认定技术交易额%(tech)s元不能超过合同总金额%(total)s元。")
                        % {"tech": _yuan(amount), "total": _yuan(locked.total_amount)}
                    ]
                }
            )
        if locked.non_tech_part.strip() and amount >= locked.total_amount and not note:
            raise ValidationError(
                {
                    "tech_amount": [
                        _(
                            "合同含非技术性内容（%(part)s），认定技术交易额应低于合同总金额"
                            "%(total)s元，或在认定意见中说明全额认定的理由。"
                        )
                        % {"part": locked.non_tech_part, "total": _yuan(locked.total_amount)}
                    ]
                }
            )
        before = audit.snapshot(locked)
        now = timezone.now()
        year = timezone.localtime(now).year
        locked.status = S.REGISTERED
        locked.registered_kind = kind
        locked.tech_amount = amount
        locked.registrar_note = note
        locked.registered_by = actor
        locked.registered_at = now
        for _attempt in range(3):  # the advisory lock makes a clash rare; the constraint forbids it
            locked.registration_number = next_registration_number(year)
            try:
                with transaction.atomic():
                    locked.save()
                break
            except IntegrityError:
                continue
        else:
            raise ServiceError(_("登记编号生成冲突，请重试。"), code="conflict")
        audit.record_update(
            actor, locked, before, note=_("认定登记，编号%(n)s") % {"n": locked.registration_number}
        )
        _notify_seller(
            locked,
            _("技术合同已登记：“%(t)s”，登记编号%(n)s，认定技术交易额%(a)s元。")
            % {"t": locked.title, "n": locked.registration_number, "a": _yuan(amount)},
        )
    return locked


def refuse_contract(actor, contract: TechContract, reasons: str) -> TechContract:
    """不予登记, always with the reasons; the seller may correct the contract and resubmit."""
    permissions.require(
        actor, "transfer.registrar", contract, _("只有技术合同登记员（市科技局）可以办理认定。")
    )
    reasons = (reasons or "").strip()
    if not reasons:
        raise ValidationError({"reasons": [_("不予登记须填写理由。")]})
    with transaction.atomic():
        locked = _lock_submitted(actor, contract)
        before = audit.snapshot(locked)
        locked.status = S.REFUSED
        locked.registrar_note = reasons
        locked.registered_by = actor
        locked.registered_at = timezone.now()
        locked.save()
        audit.record_update(actor, locked, before, note=_("不予登记"))
        _notify_seller(
            locked,
            _("技术合同不予登记：“%(t)s”。理由：%(r)s") % {"t": locked.title, "r": reasons},
        )
    return locked


def _notify_seller(contract: TechContract, title: str) -> None:
    users = set(
        contract.seller.memberships.filter(is_active=True).values_list("user_id", flat=True)
    )
    users.add(contract.created_by_id)
    Notification.objects.bulk_create(
        [
            Notification(user_id=u, title=title[:200], url=f"/transfer/contracts/{contract.pk}/")
            for u in sorted(users)
        ]
    )


# -- tax benefits (reference) ---------------------------------------------------------------


@dataclass(frozen=True)
class TaxRule:
    key: str
    title: Any
    kinds: tuple[str, ...]
    source: Any
    version: str


VAT = TaxRule(
    "vat",
    gettext_lazy("增值税免征"),
    (K.DEVELOPMENT, K.TRANSFER, K.LICENSE),  # consulting/service only when related_to_transfer
    gettext_lazy("财税〔2016〕36号"),
    "2016",
)
CIT = TaxRule(
    "cit",
    gettext_lazy("技术转让所得企业所得税减免"),
    (K.TRANSFER, K.LICENSE),
    gettext_lazy("《企业所得税法》第二十七条、《企业所得税法实施条例》第九十条"),
    "2008",
)
RD = TaxRule(
    "rd",
    gettext_lazy("委托研发费用加计扣除（委托方）"),
    (K.DEVELOPMENT,),
    gettext_lazy("财税〔2015〕119号"),
    "2015",
)
CIT_EXEMPT_LIMIT = Decimal("5000000")  # 500万元: exempt up to and including
OUTSOURCED_RD_SHARE = Decimal("0.8")


@dataclass(frozen=True)
class TaxLine:
    key: str
    title: str
    eligible: bool
    text: str
    source: str
    basis: Decimal | None = None
    exempt: Decimal | None = None
    half_rate: Decimal | None = None


def tax_benefits(contract: TechContract) -> list[TaxLine]:
    """Each benefit of RULES.md A5 with whether this contract's type qualifies and, for the
    technology-transfer income relief, the exempt and half-rate parts of its amount. Reference
    only: the registered type and amount once registered, the declared ones before."""
    kind = contract.registered_kind or contract.kind
    amount = (
        contract.tech_amount if contract.tech_amount is not None else contract.declared_tech_amount
    )
    estimated = contract.status != S.REGISTERED
    lines = []

    vat_ok = kind in VAT.kinds or (
        kind in (K.CONSULTING, K.SERVICE) and contract.related_to_transfer
    )
    if vat_ok:
        text = _(
            "技术开发、技术转让（含技术许可）及与之相关的技术咨询、技术服务收入免征增值税；"
            "须持经认定登记的合同向主管税务机关办理。"
        )
    elif kind in (K.CONSULTING, K.SERVICE):
        text = _("独立的技术咨询、技术服务不在免征范围内；与技术转让、开发相关的咨询、服务可免征。")
    else:
        text = _("该合同类型不在免征范围内。")
    lines.append(TaxLine(VAT.key, str(VAT.title), vat_ok, text, str(VAT.source), amount))

    if kind in CIT.kinds and amount is not None:
        exempt = min(amount, CIT_EXEMPT_LIMIT)
        half = max(amount - CIT_EXEMPT_LIMIT, Decimal(0))
        text = _(
            "技术转让所得不超过500万元的部分免征企业所得税，超过500万元的部分减半征收。"
            "按本合同%(which)s技术交易额%(amount)s元测算：免征部分%(exempt)s元，减半征收部分"
            "%(half)s元。实际按纳税年度内技术转让所得（收入减除成本费用）合计计算。"
        ) % {
            "which": _("申报") if estimated else _("认定"),
            "amount": _yuan(amount),
            "exempt": _yuan(exempt),
            "half": _yuan(half),
        }
        if kind == K.LICENSE:
            text += _("技术许可须为5年以上（含）非独占许可使用权（财税〔2015〕116号）。")
        lines.append(
            TaxLine(CIT.key, str(CIT.title), True, text, str(CIT.source), amount, exempt, half)
        )
    else:
        lines.append(
            TaxLine(
                CIT.key,
                str(CIT.title),
                False,
                _("技术开发、咨询、服务收入不属于技术转让所得，不适用该项减免。"),
                str(CIT.source),
            )
        )

    if kind in RD.kinds and amount is not None:
        share = (amount * OUTSOURCED_RD_SHARE).quantize(Decimal("0.01"))
        lines.append(
            TaxLine(
                RD.key,
                str(RD.title),
                True,
                _("委托方（买方）可按实际发生额的80%%计入研发费用加计扣除，按本合同测算为%(a)s元。")
                % {"a": _yuan(share)},
                str(RD.source),
                amount,
            )
        )
    return lines
