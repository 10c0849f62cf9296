"""创新券: programs, eligibility, applications, issuing under the program's budget lock,
verification by code, expiry and cancellation (which give the unused remainder back).

The program's `committed` (face value of vouchers issued, less what was released) only changes
under the program's row lock and through F() expressions; the check constraint
`voucher_commitments_within_budget` backs the budget up where a lock is missing. Where a voucher
and its program are both locked, the voucher is locked first (as a redemption does).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import permissions
from core.choices import AuditAction, OrgType
from core.exceptions import InvalidTransition, NotAllowed, NotFound, ServiceError
from core.models import Organisation, Region
from core.services import audit
from cultivation.choices import Tier
from cultivation.models import PoolMembership
from integrity.services import check_integrity
from integrity.services.gate import restriction_message
from sharing.choices import (
    ApplicationStatus,
    ProgramStatus,
    ProviderStatus,
    ServiceCategory,
    VoucherStatus,
)
from sharing.models import ServiceProvider, Voucher, VoucherApplication, VoucherProgram
from sharing.services import codes
from sharing.services.common import (
    bureau_users,
    category_labels,
    members_of,
    notify,
    own_organisation_id,
    yuan,
)

CENT = Decimal("0.01")
MAX_BUDGET = Decimal("999999999999.99")
CODE_ATTEMPTS = 5
# What the bureau may still change once a program takes applications.
OPEN_EDITABLE = {"budget", "apply_until", "description", "providers"}
PROGRAM_FIELDS = (
    "name",
    "year",
    "description",
    "budget",
    "face_values",
    "max_share",
    "eligible_tiers",
    "regions",
    "categories",
    "providers",
    "apply_from",
    "apply_until",
    "valid_days",
    "per_enterprise",
)


class NotEligible(InvalidTransition):
    """An application refused on eligibility; `problems` lists every reason (the API shows
    them in `errors.non_field_errors`)."""

    code = "not_eligible"

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__(_("不符合申领条件：%(r)s") % {"r": "；".join(self.problems)})


def _date(value: datetime.date) -> str:
    return value.isoformat()


# -- effective state and verification ---------------------------------------------------------


def voucher_state(voucher: Voucher, today: datetime.date | None = None) -> str:
    """The effective status: cancelled, used up, expired (even before the expiry command has
    run) or active."""
    today = today or timezone.localdate()
    if voucher.status == VoucherStatus.CANCELLED:
        return VoucherStatus.CANCELLED.value
    if voucher.status == VoucherStatus.USED_UP or voucher.face_value - voucher.redeemed <= 0:
        return VoucherStatus.USED_UP.value
    if voucher.status == VoucherStatus.EXPIRED or voucher.expires_on < today:
        return VoucherStatus.EXPIRED.value
    return VoucherStatus.ACTIVE.value


def state_label(state: str) -> str:
    return str(VoucherStatus(state).label)


def get_voucher_by_code(code: str) -> Voucher:
    """The voucher of a number as typed: normalised, its check character verified first."""
    normalised = codes.normalise(code)
    if not codes.is_well_formed(normalised):
        raise ServiceError(_("券号格式不正确或校验位不符，请核对。"), code="invalid")
    try:
        return Voucher.objects.select_related("program", "holder").get(code=normalised)
    except Voucher.DoesNotExist:
        raise NotFound(_("未找到该券号。")) from None


def sees_holder(user, voucher: Voucher) -> bool:
    return permissions.can(user, "sharing.manage") or (
        own_organisation_id(user) == voucher.holder_id
    )


@dataclass(frozen=True)
class Verification:
    voucher: Voucher
    code: str
    program: str
    holder: str
    face_value: Decimal
    remaining: Decimal
    expires_on: datetime.date
    state: str
    state_label: str


def verify(code: str, viewer=None, today: datetime.date | None = None) -> Verification:
    """What anyone may learn from a voucher number: the program, the holder (its name partly
    hidden unless the viewer is the holder's member or the bureau), the amounts, the expiry
    and the effective status."""
    from transfer.services.listings import mask_name

    voucher = get_voucher_by_code(code)
    state = voucher_state(voucher, today)
    name = voucher.holder.name
    return Verification(
        voucher=voucher,
        code=voucher.code,
        program=voucher.program.name,
        holder=name if sees_holder(viewer, voucher) else mask_name(name),
        face_value=voucher.face_value,
        remaining=voucher.remaining,
        expires_on=voucher.expires_on,
        state=state,
        state_label=state_label(state),
    )


# -- programs: reading -------------------------------------------------------------------------


def programs_for(user=None, *, status: str | None = None) -> QuerySet[VoucherProgram]:
    """Open and closed programs for everyone; drafts for the bureau too."""
    qs = VoucherProgram.objects.all()
    if not permissions.can(user, "sharing.manage"):
        qs = qs.exclude(status=ProgramStatus.DRAFT)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-year", "-pk")


def get_program(user, pk) -> VoucherProgram:
    program = programs_for(user).filter(pk=pk).first()
    if program is None:
        raise NotFound(_("创新券项目不存在。"))
    return program


def window_open(program: VoucherProgram, on: datetime.date | None = None) -> bool:
    on = on or timezone.localdate()
    return program.status == ProgramStatus.OPEN and program.apply_from <= on <= program.apply_until


def program_phase(program: VoucherProgram, today: datetime.date | None = None) -> str:
    """draft, upcoming (open, window not begun), open, ended (open, window over) or closed."""
    today = today or timezone.localdate()
    if program.status != ProgramStatus.OPEN:
        return program.status
    if today < program.apply_from:
        return "upcoming"
    if today > program.apply_until:
        return "ended"
    return "open"


@dataclass(frozen=True)
class BudgetUse:
    budget: Decimal
    committed: Decimal
    redeemed: Decimal
    available: Decimal
    committed_percent: Decimal
    redeemed_percent: Decimal

    @property
    def outstanding_percent(self) -> Decimal:
        """Issued but not yet redeemed, as a share of the budget (the bar's middle part)."""
        return max(self.committed_percent - self.redeemed_percent, Decimal(0))


def budget_use(program: VoucherProgram) -> BudgetUse:
    def pct(part):
        if not program.budget:
            return Decimal(0)
        return (Decimal(part) * 100 / program.budget).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )

    return BudgetUse(
        budget=program.budget,
        committed=program.committed,
        redeemed=program.redeemed,
        available=program.budget - program.committed,
        committed_percent=pct(program.committed),
        redeemed_percent=pct(program.redeemed),
    )


def tier_labels(codes_) -> list[str]:
    labels = dict(Tier.choices)
    return [str(labels.get(c, c)) for c in codes_ or []]


# -- programs: writing -------------------------------------------------------------------------


def parse_face_values(value) -> list[int]:
    """ "10000,30000,50000" (or a list) → [10000, 30000, 50000]: positive whole yuan; a bad
    value is named."""
    if isinstance(value, (list, tuple)):
        parts = [str(v).strip() for v in value]
    else:
        text = str(value or "")
        for sep in ("，", "、", ";", "；", " ", "\n"):
            text = text.replace(sep, ",")
        parts = [p.strip() for p in text.split(",")]
    parts = [p for p in parts if p]
    if not parts:
        raise ValidationError(
            {"face_values": [_("请填写券面额（元），多个用逗号分隔，如 10000,30000,50000。")]}
        )
    values = []
    for part in parts:
        try:
            number = Decimal(part)
        except InvalidOperation:
            number = None
        if (
            number is None
            or not number.is_finite()
            or number <= 0
            or number != number.to_integral()
        ):
            raise ValidationError(
                {
                    "face_values": [
                        _("券面额“%(v)s”不是正整数（元），请用逗号分隔，如 10000,30000,50000。")
                        % {"v": part}
                    ]
                }
            )
        if number > MAX_BUDGET:
            raise ValidationError({"face_values": [_("券面额“%(v)s”过大。") % {"v": part}]})
        if int(number) not in values:
            values.append(int(number))
    return sorted(values)


def _parse_money(value, field: str, label: str) -> Decimal:
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(
            {field: [_("%(f)s须为金额（元），如 1000000。") % {"f": label}]}
        ) from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationError({field: [_("%(f)s须大于0元。") % {"f": label}]})
    if amount != amount.quantize(CENT):
        raise ValidationError({field: [_("%(f)s最多保留两位小数（到分）。") % {"f": label}]})
    if amount > MAX_BUDGET:
        raise ValidationError({field: [_("%(f)s超出可登记的范围。") % {"f": label}]})
    return amount.quantize(CENT)


def _as_date(value, field: str, label: str) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError({field: [_("请填写%(f)s（YYYY-MM-DD）。") % {"f": label}]}) from None


def _as_int(value, field: str, label: str, minimum: int = 1, maximum: int = 32767) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError({field: [_("%(f)s须为整数。") % {"f": label}]}) from None
    if number < minimum:
        raise ValidationError({field: [_("%(f)s须不小于%(m)d。") % {"f": label, "m": minimum}]})
    if number > maximum:
        raise ValidationError({field: [_("%(f)s须不大于%(m)d。") % {"f": label, "m": maximum}]})
    return number


def _clean_program(data: dict, current: VoucherProgram | None) -> dict:
    """Validate the given fields (all of them for a new program) and return clean values; every
    problem is reported under its field."""
    errors: dict[str, list[str]] = {}
    clean: dict = {}

    def attempt(name, fn):
        if name not in data:
            return
        try:
            clean[name] = fn(data[name])
        except ValidationError as exc:
            for k, v in exc.message_dict.items():
                errors.setdefault(k, []).extend(v)

    def name_(v):
        v = (v or "").strip()
        if not v:
            raise ValidationError({"name": [_("请填写项目名称。")]})
        if len(v) > 120:
            raise ValidationError({"name": [_("项目名称不超过120个字。")]})
        return v

    def categories_(v):
        v = list(v or [])
        bad = [c for c in v if c not in ServiceCategory.values]
        if bad:
            raise ValidationError({"categories": [_("未知的服务类别“%(c)s”。") % {"c": bad[0]}]})
        if not v:
            raise ValidationError({"categories": [_("请至少选择一个适用服务类别。")]})
        return [c for c in ServiceCategory.values if c in v]

    def tiers_(v):
        v = list(v or [])
        bad = [c for c in v if c not in Tier.values]
        if bad:
            raise ValidationError({"eligible_tiers": [_("未知的培育库“%(c)s”。") % {"c": bad[0]}]})
        return [c for c in Tier.values if c in v]

    def max_share_(v):
        try:
            share = Decimal(str(v).strip())
        except (InvalidOperation, ValueError):
            share = None
        if share is None or not share.is_finite() or share <= 0 or share > 1:
            raise ValidationError(
                {"max_share": [_("抵扣比例上限须大于0且不超过1（如 0.5 表示 50%）。")]}
            )
        if share != share.quantize(Decimal("0.001")):
            raise ValidationError({"max_share": [_("抵扣比例上限最多保留三位小数。")]})
        return share

    def regions_(v):
        regions = []
        for item in list(v or []):
            if isinstance(item, Region):
                region = item
            else:
                text = str(item).strip()
                # A six-digit 行政区划代码, or a primary key.
                lookup = Q(code=text) if len(text) >= 6 else Q(pk=text if text.isdigit() else 0)
                region = Region.objects.filter(lookup).first()
            if region is None:
                raise ValidationError({"regions": [_("未知的区域“%(r)s”。") % {"r": item}]})
            regions.append(region)
        return regions

    def providers_(v):
        providers = []
        for item in list(v or []):
            provider = (
                item
                if isinstance(item, ServiceProvider)
                else ServiceProvider.objects.select_related("organisation").filter(pk=item).first()
            )
            if provider is None:
                raise ValidationError(
                    {"providers": [_("未知的服务机构（编号%(p)s）。") % {"p": item}]}
                )
            if provider.status != ProviderStatus.REGISTERED:
                raise ValidationError(
                    {
                        "providers": [
                            _("指定服务机构须为已入库机构：%(o)s 当前状态为“%(s)s”。")
                            % {"o": provider.organisation.name, "s": provider.get_status_display()}
                        ]
                    }
                )
            providers.append(provider)
        return providers

    attempt("name", name_)
    attempt("year", lambda v: _as_int(v, "year", _("年度"), 2000, 2100))
    attempt("description", lambda v: (v or "").strip())
    attempt("budget", lambda v: _parse_money(v, "budget", _("预算总额")))
    attempt("face_values", parse_face_values)
    attempt("max_share", max_share_)
    attempt("eligible_tiers", tiers_)
    attempt("regions", regions_)
    attempt("categories", categories_)
    attempt("providers", providers_)
    attempt("apply_from", lambda v: _as_date(v, "apply_from", _("申领开始日期")))
    attempt("apply_until", lambda v: _as_date(v, "apply_until", _("申领截止日期")))
    attempt("valid_days", lambda v: _as_int(v, "valid_days", _("有效期（天）"), 1, 3650))
    attempt("per_enterprise", lambda v: _as_int(v, "per_enterprise", _("每家企业限领张数"), 1, 100))

    start = clean.get("apply_from", getattr(current, "apply_from", None))
    end = clean.get("apply_until", getattr(current, "apply_until", None))
    if start and end and end < start and "apply_until" not in errors:
        errors.setdefault("apply_until", []).append(
            _("申领截止日期（%(e)s）须不早于开始日期（%(s)s）。")
            % {"e": _date(end), "s": _date(start)}
        )
    budget = clean.get("budget", getattr(current, "budget", None))
    faces = clean.get("face_values", getattr(current, "face_values", None)) or []
    if budget and faces and max(faces) > budget and "face_values" not in errors:
        errors.setdefault("face_values", []).append(
            _("券面额%(f)s元超过预算总额%(b)s元。") % {"f": yuan(max(faces)), "b": yuan(budget)}
        )
    if errors:
        raise ValidationError(errors)
    return clean


def _require_bureau(actor, program=None) -> None:
    permissions.require(actor, "sharing.manage", program, _("只有市科技局可以管理创新券项目。"))


def create_program(actor, **data) -> VoucherProgram:
    """A new program in draft; every field is checked and problems are named by field."""
    _require_bureau(actor)
    unknown = set(data) - set(PROGRAM_FIELDS)
    if unknown:
        raise ValidationError({f: [_("未知的字段。")] for f in sorted(unknown)})
    data.setdefault("year", timezone.localdate().year)
    data.setdefault("max_share", Decimal(1))
    data.setdefault("valid_days", 365)
    data.setdefault("per_enterprise", 1)
    data.setdefault("description", "")
    data.setdefault("eligible_tiers", [])
    required = {
        "name": _("请填写项目名称。"),
        "budget": _("请填写预算总额（元）。"),
        "face_values": _("请填写券面额（元），多个用逗号分隔，如 10000,30000,50000。"),
        "categories": _("请至少选择一个适用服务类别。"),
        "apply_from": _("请填写申领开始日期。"),
        "apply_until": _("请填写申领截止日期。"),
    }
    missing = {f: [m] for f, m in required.items() if data.get(f) in (None, "", [], ())}
    if missing:
        try:
            _clean_program({k: v for k, v in data.items() if k not in missing}, None)
        except ValidationError as exc:
            missing = {**exc.message_dict, **missing}
        raise ValidationError(missing)
    clean = _clean_program(data, None)
    regions = clean.pop("regions", [])
    providers = clean.pop("providers", [])
    with transaction.atomic():
        program = VoucherProgram.objects.create(
            **clean, status=ProgramStatus.DRAFT, created_by=actor
        )
        program.regions.set(regions)
        program.providers.set(providers)
        audit.record_create(actor, program)
    return program


def update_program(actor, program: VoucherProgram, **data) -> VoucherProgram:
    """Any field while in draft; once open only the budget (never below what is committed),
    the deadline, the description and the designated providers; nothing once closed."""
    _require_bureau(actor, program)
    unknown = set(data) - set(PROGRAM_FIELDS)
    if unknown:
        raise ValidationError({f: [_("未知的字段。")] for f in sorted(unknown)})
    with transaction.atomic():
        locked = VoucherProgram.objects.select_for_update().get(pk=program.pk)
        if locked.status == ProgramStatus.CLOSED:
            raise InvalidTransition(_("项目已结束，不能再修改。"))
        if locked.status == ProgramStatus.OPEN:
            changed = {k for k in data if k not in OPEN_EDITABLE and _differs(locked, k, data[k])}
            if changed:
                labels = "、".join(
                    str(VoucherProgram._meta.get_field(f).verbose_name) for f in sorted(changed)
                )
                raise InvalidTransition(
                    _(
                        "项目受理中，只能调整预算总额、申领截止日期、说明和指定服务机构；不能修改：%(f)s。"
                    )
                    % {"f": labels}
                )
        if "budget" in data:
            budget = _parse_money(data["budget"], "budget", _("预算总额"))
            if budget < locked.committed:
                raise InvalidTransition(
                    _("预算总额不能低于已发券额度：已发券%(c)s元，拟调整为%(b)s元。")
                    % {"c": yuan(locked.committed), "b": yuan(budget)}
                )
            if budget < locked.redeemed:
                raise InvalidTransition(
                    _("预算总额不能低于已核销金额%(r)s元。") % {"r": yuan(locked.redeemed)}
                )
        clean = _clean_program(data, locked)
        before = audit.snapshot(locked)
        regions = clean.pop("regions", None)
        providers = clean.pop("providers", None)
        for key, value in clean.items():
            setattr(locked, key, value)
        try:
            with transaction.atomic():
                locked.save()
        except IntegrityError:
            raise InvalidTransition(_("预算总额不能低于已发券额度。")) from None
        if regions is not None:
            locked.regions.set(regions)
        if providers is not None:
            locked.providers.set(providers)
        audit.record_update(actor, locked, before)
    return locked


def _differs(program: VoucherProgram, name: str, value) -> bool:
    """Whether a submitted value would change the field (forms send every field)."""
    try:
        clean = _clean_program({name: value}, program).get(name)
    except ValidationError:
        return True
    if name == "regions":
        return {r.pk for r in clean} != set(program.regions.values_list("pk", flat=True))
    return clean != getattr(program, name)


def open_program(actor, program: VoucherProgram) -> VoucherProgram:
    _require_bureau(actor, program)
    with transaction.atomic():
        locked = VoucherProgram.objects.select_for_update().get(pk=program.pk)
        if locked.status != ProgramStatus.DRAFT:
            raise InvalidTransition(
                _("只有草稿状态的项目可以开始受理（当前：%(s)s）。")
                % {"s": locked.get_status_display()}
            )
        if locked.apply_until < timezone.localdate():
            raise InvalidTransition(
                _("申领截止日期（%(d)s）已过，请先修改申领期。") % {"d": _date(locked.apply_until)}
            )
        if not locked.face_values or not locked.categories:
            raise InvalidTransition(_("请先填写券面额和适用服务类别。"))
        before = audit.snapshot(locked)
        locked.status = ProgramStatus.OPEN
        locked.save(update_fields=["status"])
        audit.record(
            actor,
            AuditAction.TRANSITION,
            locked,
            audit.diff(before, audit.snapshot(locked)),
            note=_("开始受理"),
        )
    return locked


def close_program(actor, program: VoucherProgram, reason: str = "") -> VoucherProgram:
    """Stop taking applications; applications still waiting are refused (and told why).
    Vouchers already issued stay valid until they expire."""
    _require_bureau(actor, program)
    with transaction.atomic():
        locked = VoucherProgram.objects.select_for_update().get(pk=program.pk)
        if locked.status != ProgramStatus.OPEN:
            raise InvalidTransition(
                _("只有受理中的项目可以结束（当前：%(s)s）。") % {"s": locked.get_status_display()}
            )
        before = audit.snapshot(locked)
        locked.status = ProgramStatus.CLOSED
        locked.save(update_fields=["status"])
        audit.record(
            actor,
            AuditAction.TRANSITION,
            locked,
            audit.diff(before, audit.snapshot(locked)),
            note=(reason or "").strip()[:300] or _("结束受理"),
        )
        reason = (reason or "").strip()[:200]
        note = (
            _("项目已结束受理，未审核的申领不再办理：%(r)s") % {"r": reason}
            if reason
            else _("项目已结束受理，未审核的申领不再办理。")
        )
        for application in VoucherApplication.objects.select_for_update().filter(
            program=locked, status=ApplicationStatus.SUBMITTED
        ):
            _decide(actor, application, ApplicationStatus.REFUSED, note)
    return locked


# -- eligibility -------------------------------------------------------------------------------


def _in_regions(organisation: Organisation, program: VoucherProgram) -> bool:
    allowed = set(program.regions.values_list("pk", flat=True))
    region = organisation.region
    while region is not None:
        if region.pk in allowed:
            return True
        region = region.parent
    return False


class _Reasons(list):
    def add(self, key: str, message: str) -> None:
        self.append((key, message))


def check_eligibility(
    organisation: Organisation,
    program: VoucherProgram,
    face_value=None,
    category: str | None = None,
    on: datetime.date | None = None,
    *,
    excluding: VoucherApplication | None = None,
) -> list[str]:
    """Every reason `organisation` may not apply for (or be issued) a voucher of `program`;
    empty when it may. `on` is the day of the application (default today); `excluding` leaves
    an application out of the per-enterprise count (the one being approved)."""
    return [
        message
        for _key, message in eligibility_problems(
            organisation, program, face_value, category, on, excluding=excluding
        )
    ]


def eligibility_problems(
    organisation: Organisation,
    program: VoucherProgram,
    face_value=None,
    category: str | None = None,
    on: datetime.date | None = None,
    *,
    excluding: VoucherApplication | None = None,
) -> list[tuple[str, str]]:
    """`check_eligibility` with each reason's key: organisation_type, window, tier, region,
    limit, integrity, face_value, category."""
    today = timezone.localdate()
    on = on or today
    reasons = _Reasons()
    if organisation.type != OrgType.ENTERPRISE:
        reasons.add(
            "organisation_type",
            _("创新券仅面向企业申领（贵单位类型：%(t)s）。")
            % {"t": organisation.get_type_display()},
        )
    if program.status != ProgramStatus.OPEN:
        reasons.add(
            "window",
            _("该项目不在受理中（当前状态：%(s)s）。") % {"s": program.get_status_display()},
        )
    elif on < program.apply_from:
        reasons.add("window", _("申领尚未开始：%(d)s起受理。") % {"d": _date(program.apply_from)})
    elif on > program.apply_until:
        reasons.add("window", _("申领已于%(d)s截止。") % {"d": _date(program.apply_until)})
    if program.eligible_tiers:
        in_pool = (
            PoolMembership.objects.current()
            .filter(organisation=organisation, tier__in=program.eligible_tiers)
            .exists()
        )
        if not in_pool:
            reasons.add(
                "tier",
                _("须为%(tiers)s入库企业。")
                % {"tiers": "或".join(tier_labels(program.eligible_tiers))},
            )
    if program.pk and program.regions.exists() and not _in_regions(organisation, program):
        reasons.add(
            "region",
            _("本项目限%(regions)s的企业申领，贵单位所在区域为%(r)s。")
            % {
                "regions": "、".join(r.name for r in program.regions.all()),
                "r": organisation.region.name,
            },
        )
    held = (
        Voucher.objects.filter(program=program, holder=organisation)
        .exclude(status=VoucherStatus.CANCELLED)
        .count()
    )
    pending_qs = VoucherApplication.objects.filter(
        program=program, organisation=organisation, status=ApplicationStatus.SUBMITTED
    )
    if excluding is not None:
        pending_qs = pending_qs.exclude(pk=excluding.pk)
    pending = pending_qs.count()
    if held + pending >= program.per_enterprise:
        reasons.add(
            "limit",
            _("每家企业限领%(n)d张，贵单位已有%(v)d张本项目创新券、%(p)d份待审核申领。")
            % {"n": program.per_enterprise, "v": held, "p": pending},
        )
    records = check_integrity(organisation, "apply")
    if records:
        reasons.add("integrity", restriction_message(records[0], "apply"))
    if face_value not in (None, ""):
        try:
            face = Decimal(str(face_value))
        except InvalidOperation:
            face = None
        if face is None or face not in [Decimal(v) for v in program.face_values]:
            reasons.add(
                "face_value",
                _("申领面额须为%(values)s元之一。")
                % {"values": "、".join(f"{v:,}" for v in program.face_values)},
            )
    if category not in (None, "") and category not in (program.categories or []):
        reasons.add(
            "category",
            _("拟购买服务类别须为本项目适用类别：%(c)s。")
            % {"c": "、".join(category_labels(program.categories))},
        )
    return reasons


# -- applications ------------------------------------------------------------------------------


def _applicant_organisation(actor) -> Organisation:
    permissions.require(
        actor, "sharing.apply_voucher", None, _("只有企业用户可以为本单位申领创新券。")
    )
    return actor.current_membership.organisation


def _application_url(application: VoucherApplication) -> str:
    return reverse("sharing_program", args=[application.program_id])


def _voucher_url(voucher: Voucher) -> str:
    return reverse("sharing_voucher", args=[voucher.pk])


def apply_for_voucher(
    actor, program: VoucherProgram, *, face_value, category: str, purpose: str
) -> VoucherApplication:
    """An enterprise user applies for one voucher of the program for their organisation."""
    organisation = _applicant_organisation(actor)
    purpose = (purpose or "").strip()
    if not purpose:
        raise ValidationError({"purpose": [_("请填写服务需求说明。")]})
    if face_value in (None, ""):
        raise ValidationError({"face_value": [_("请选择申领面额。")]})
    if not category:
        raise ValidationError({"category": [_("请选择拟购买的服务类别。")]})
    with transaction.atomic():
        # One after the other per program, so the per-enterprise count cannot be passed twice.
        locked = VoucherProgram.objects.select_for_update().get(pk=program.pk)
        reasons = check_eligibility(organisation, locked, face_value, category)
        if reasons:
            raise NotEligible(reasons)
        try:
            with transaction.atomic():
                application = VoucherApplication.objects.create(
                    program=locked,
                    organisation=organisation,
                    applicant=actor,
                    face_value=Decimal(str(face_value)).quantize(CENT),
                    category=category,
                    purpose=purpose,
                )
        except IntegrityError:
            raise InvalidTransition(
                _("贵单位已有一份本项目的待审核申领，请等待审核结果。")
            ) from None
        audit.record_create(actor, application, note=_("申领创新券"))
        notify(
            bureau_users(),
            _("新的创新券申领：%(o)s申领%(f)s元（%(p)s）")
            % {"o": organisation.name, "f": yuan(application.face_value), "p": locked.name},
            url=_application_url(application),
        )
    return application


def applications_for(user, *, program=None, status=None) -> QuerySet[VoucherApplication]:
    """The bureau sees every application; an organisation's members see their own."""
    qs = VoucherApplication.objects.select_related(
        "program", "organisation", "applicant", "decided_by"
    )
    if not permissions.can(user, "sharing.manage"):
        org = own_organisation_id(user)
        if org is None:
            return qs.none()
        qs = qs.filter(organisation_id=org)
    if program is not None:
        qs = qs.filter(program=program)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-submitted_at", "-pk")


def get_application(user, pk) -> VoucherApplication:
    application = (
        VoucherApplication.objects.select_related("program", "organisation").filter(pk=pk).first()
    )
    if application is None:
        raise NotFound(_("申领不存在。"))
    if not (
        permissions.can(user, "sharing.manage")
        or own_organisation_id(user) == application.organisation_id
    ):
        raise NotAllowed(_("只有申领企业的用户或市科技局可以查看该申领。"))
    return application


def _decide(actor, application: VoucherApplication, status: str, reason: str) -> None:
    before = audit.snapshot(application)
    application.status = status
    application.reason = reason[:300]
    application.decided_by = actor
    application.decided_at = timezone.now()
    application.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    audit.record(
        actor,
        AuditAction.TRANSITION,
        application,
        audit.diff(before, audit.snapshot(application)),
        note=reason[:300],
    )
    if status == ApplicationStatus.REFUSED:
        notify(
            members_of(application.organisation_id),
            _("创新券申领未通过（%(p)s）：%(r)s") % {"p": application.program.name, "r": reason},
            body=reason,
            url=_application_url(application),
        )


def withdraw_application(actor, application: VoucherApplication) -> VoucherApplication:
    if own_organisation_id(actor) != application.organisation_id or not permissions.can(
        actor, "sharing.apply_voucher"
    ):
        raise NotAllowed(_("只有申领企业的用户可以撤回申领。"))
    with transaction.atomic():
        locked = VoucherApplication.objects.select_for_update().get(pk=application.pk)
        if locked.status != ApplicationStatus.SUBMITTED:
            raise InvalidTransition(
                _("该申领已处理（%(s)s），不能撤回。") % {"s": locked.get_status_display()}
            )
        before = audit.snapshot(locked)
        locked.status = ApplicationStatus.WITHDRAWN
        locked.save(update_fields=["status"])
        audit.record(
            actor,
            AuditAction.TRANSITION,
            locked,
            audit.diff(before, audit.snapshot(locked)),
            note=_("撤回申领"),
        )
    return locked


def refuse_application(actor, application: VoucherApplication, reason: str) -> VoucherApplication:
    permissions.require(actor, "sharing.manage", application, _("只有市科技局可以审核创新券申领。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("不予发券须填写理由。")]})
    if len(reason) > 300:
        raise ValidationError({"reason": [_("理由不超过300个字。")]})
    with transaction.atomic():
        locked = (
            VoucherApplication.objects.select_for_update()
            .select_related("program")
            .get(pk=application.pk)
        )
        if locked.status != ApplicationStatus.SUBMITTED:
            raise InvalidTransition(
                _("该申领已处理（%(s)s）。") % {"s": locked.get_status_display()}
            )
        _decide(actor, locked, ApplicationStatus.REFUSED, reason)
    return locked


def _budget_refusal(available: Decimal, face: Decimal) -> InvalidTransition:
    return InvalidTransition(
        _("项目预算余额不足：剩余 %(a)s 元，申领面额 %(f)s 元。")
        % {"a": yuan(available), "f": yuan(face)}
    )


def approve_application(actor, application: VoucherApplication) -> Voucher:
    """Issue: under the program's row lock, re-check eligibility and the budget, commit the
    face value, create the voucher with a fresh number, tell the enterprise."""
    permissions.require(actor, "sharing.manage", application, _("只有市科技局可以审核创新券申领。"))
    with transaction.atomic():
        program = VoucherProgram.objects.select_for_update().get(pk=application.program_id)
        locked = (
            VoucherApplication.objects.select_for_update()
            .select_related("organisation__region")
            .get(pk=application.pk)
        )
        if locked.status != ApplicationStatus.SUBMITTED:
            raise InvalidTransition(
                _("该申领已处理（%(s)s）。") % {"s": locked.get_status_display()}
            )
        reasons = check_eligibility(
            locked.organisation,
            program,
            locked.face_value,
            locked.category,
            on=timezone.localdate(locked.submitted_at),
            excluding=locked,
        )
        if reasons:
            raise NotEligible(reasons)
        face = locked.face_value
        if program.committed + face > program.budget:
            raise _budget_refusal(program.budget - program.committed, face)
        try:
            with transaction.atomic():
                VoucherProgram.objects.filter(pk=program.pk).update(committed=F("committed") + face)
        except IntegrityError:
            program.refresh_from_db()
            raise _budget_refusal(program.budget - program.committed, face) from None
        now = timezone.now()
        voucher = None
        for _attempt in range(CODE_ATTEMPTS):
            code = codes.new_code(program.year)
            try:
                with transaction.atomic():
                    voucher = Voucher.objects.create(
                        program=program,
                        application=locked,
                        holder=locked.organisation,
                        code=code,
                        face_value=face,
                        issued_at=now,
                        expires_on=timezone.localdate(now)
                        + datetime.timedelta(days=program.valid_days),
                        status=VoucherStatus.ACTIVE,
                        issued_by=actor,
                    )
                break
            except IntegrityError:
                if not Voucher.objects.filter(code=code).exists():
                    raise
        if voucher is None:  # pragma: no cover - five collisions in 32^8 numbers
            raise ServiceError(_("券号生成失败，请重试。"))
        _decide(actor, locked, ApplicationStatus.APPROVED, "")
        audit.record_create(actor, voucher, note=_("发放创新券"))
        notify(
            members_of(locked.organisation_id),
            _("创新券已发放：券号 %(c)s，面额 %(f)s 元，有效期至 %(d)s。")
            % {"c": voucher.code, "f": yuan(face), "d": _date(voucher.expires_on)},
            body=program.name,
            url=_voucher_url(voucher),
        )
    return voucher


# -- vouchers ----------------------------------------------------------------------------------


def vouchers_for(user, *, program=None, status: str | None = None) -> QuerySet[Voucher]:
    """The bureau sees every voucher; an organisation's members see their own organisation's.
    `status` filters on the effective status (expired includes those past their date)."""
    qs = Voucher.objects.select_related("program", "holder")
    if not permissions.can(user, "sharing.manage"):
        org = own_organisation_id(user)
        if org is None:
            return qs.none()
        qs = qs.filter(holder_id=org)
    if program is not None:
        qs = qs.filter(program=program)
    if status:
        qs = filter_state(qs, status)
    return qs.order_by("-issued_at", "-pk")


def filter_state(qs: QuerySet[Voucher], state: str, today=None) -> QuerySet[Voucher]:
    today = today or timezone.localdate()
    used_up = Q(status=VoucherStatus.USED_UP) | Q(redeemed__gte=F("face_value"))
    if state == VoucherStatus.CANCELLED:
        return qs.filter(status=VoucherStatus.CANCELLED)
    live = qs.exclude(status=VoucherStatus.CANCELLED)
    if state == VoucherStatus.USED_UP:
        return live.filter(used_up)
    if state == VoucherStatus.EXPIRED:
        return live.exclude(used_up).filter(
            Q(status=VoucherStatus.EXPIRED) | Q(expires_on__lt=today)
        )
    if state == VoucherStatus.ACTIVE:
        return live.exclude(used_up).filter(status=VoucherStatus.ACTIVE, expires_on__gte=today)
    return qs


def get_voucher(user, pk) -> Voucher:
    """A voucher for its holder's members and the bureau; others are refused (403)."""
    voucher = (
        Voucher.objects.select_related("program", "holder", "application").filter(pk=pk).first()
    )
    if voucher is None:
        raise NotFound(_("创新券不存在。"))
    if not sees_holder(user, voucher):
        raise NotAllowed(_("只有持券企业的用户或市科技局可以查看该创新券。"))
    return voucher


def _release(actor, voucher_pk: int, status: str, note: str, today=None) -> Voucher | None:
    """Inside a transaction: lock the program, then the voucher (the order redemption uses, so
    the two cannot deadlock); give the unused remainder back to the program's budget and set the
    status. None if the voucher is no longer active."""
    program_id = Voucher.objects.values_list("program_id", flat=True).get(pk=voucher_pk)
    VoucherProgram.objects.select_for_update().get(pk=program_id)
    voucher = Voucher.objects.select_for_update().get(pk=voucher_pk)
    if voucher.status != VoucherStatus.ACTIVE:
        return None
    remainder = voucher.face_value - voucher.redeemed
    before = audit.snapshot(voucher)
    voucher.status = status if remainder > 0 else VoucherStatus.USED_UP
    voucher.released = remainder if remainder > 0 else Decimal(0)
    voucher.save(update_fields=["status", "released"])
    if remainder > 0:
        VoucherProgram.objects.filter(pk=voucher.program_id).update(
            committed=F("committed") - remainder
        )
    audit.record(
        actor,
        AuditAction.TRANSITION,
        voucher,
        audit.diff(before, audit.snapshot(voucher)),
        note=note,
    )
    return voucher


def cancel_voucher(actor, voucher: Voucher, reason: str) -> Voucher:
    """The bureau cancels a voucher with a reason; the unused remainder goes back to the
    program's budget."""
    permissions.require(actor, "sharing.manage", voucher, _("只有市科技局可以作废创新券。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("作废创新券须填写理由。")]})
    if len(reason) > 300:
        raise ValidationError({"reason": [_("理由不超过300个字。")]})
    with transaction.atomic():
        VoucherProgram.objects.select_for_update().get(pk=voucher.program_id)
        current = Voucher.objects.select_for_update().get(pk=voucher.pk)
        if current.status != VoucherStatus.ACTIVE or current.remaining <= 0:
            state = voucher_state(current)
            raise InvalidTransition(_("该创新券%(s)s，不能作废。") % {"s": state_label(state)})
        released = _release(actor, current.pk, VoucherStatus.CANCELLED, reason)
        notify(
            members_of(released.holder_id),
            _("创新券 %(c)s 已作废：%(r)s") % {"c": released.code, "r": reason},
            body=_("未使用的 %(a)s 元额度已收回。") % {"a": yuan(released.released)},
            url=_voucher_url(released),
        )
    return released


def expire_vouchers(today: datetime.date | None = None) -> int:
    """Active vouchers past their date become expired and give their unused remainder back to
    the program's budget. Idempotent: an expired voucher is never released twice."""
    today = today or timezone.localdate()
    due = list(
        Voucher.objects.filter(status=VoucherStatus.ACTIVE, expires_on__lt=today)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    expired = 0
    for pk in due:
        with transaction.atomic():
            voucher = _release(None, pk, VoucherStatus.EXPIRED, _("有效期届满，未使用额度释放"))
            if voucher is None or voucher.status != VoucherStatus.EXPIRED:
                continue
            expired += 1
            notify(
                members_of(voucher.holder_id),
                _("创新券 %(c)s 已于 %(d)s 到期，未使用的 %(a)s 元额度已失效。")
                % {"c": voucher.code, "d": _date(voucher.expires_on), "a": yuan(voucher.released)},
                url=_voucher_url(voucher),
            )
    return expired
