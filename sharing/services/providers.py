"""科技服务机构: an organisation applies to be listed (categories, services, qualifications,
contact); the bureau registers or refuses it, and may suspend and reinstate it. Registered
providers are listed in the public directory and may redeem innovation vouchers.

An edit by the organisation that changes its categories sends a registered provider back to
review; other edits keep it registered. Every change is audited and the organisation's members
are told of the bureau's decisions.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import permissions
from core.choices import AuditAction
from core.exceptions import InvalidTransition, NotFound, ServiceError
from core.models import Organisation
from core.services import audit
from sharing.choices import ProviderStatus, ServiceCategory, UsageStatus
from sharing.models import Redemption, ServiceProvider, UsageRecord
from sharing.services.common import bureau_users, members_of, notify, own_organisation_id
from sharing.services.common import category_labels as category_labels  # for the API

QUALIFICATION_FORMAT = "资质名称 | 证书编号 | 有效期至(YYYY-MM-DD)"
MAX_REASON = 300


# -- reading ---------------------------------------------------------------------------------


def parse_qualifications(text) -> list[dict]:
    """Lines "资质名称 | 证书编号 | 有效期至(YYYY-MM-DD)" (the date may be left out for a
    qualification without an end); a bad line is named in the error."""
    if isinstance(text, list):  # already structured (the API may send a list)
        lines = [
            " | ".join(str(item.get(k) or "") for k in ("name", "number", "valid_until")).rstrip(
                " |"
            )
            if isinstance(item, dict)
            else str(item)
            for item in text
        ]
    else:
        lines = (text or "").splitlines()
    items = []
    for n, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line:
            continue
        parts = [p.strip() for p in line.replace("｜", "|").split("|")]
        if len(parts) not in (2, 3) or not parts[0] or not parts[1]:
            raise ValidationError(
                {
                    "qualifications": [
                        _("第%(n)d行“%(line)s”格式不对：请按“%(fmt)s”填写，每行一项。")
                        % {"n": n, "line": line[:60], "fmt": QUALIFICATION_FORMAT}
                    ]
                }
            )
        valid_until = parts[2] if len(parts) == 3 else ""
        if valid_until:
            try:
                day = datetime.date.fromisoformat(valid_until)
            except ValueError:
                raise ValidationError(
                    {
                        "qualifications": [
                            _(
                                "第%(n)d行“%(line)s”的有效期“%(d)s”不是日期，"
                                "请写成 YYYY-MM-DD，如 2028-06-30。"
                            )
                            % {"n": n, "line": line[:60], "d": valid_until}
                        ]
                    }
                ) from None
            valid_until = day.isoformat()
        items.append({"name": parts[0][:100], "number": parts[1][:60], "valid_until": valid_until})
    return items


def format_qualifications(items) -> str:
    """The stored list back as the lines of the form."""
    lines = []
    for item in items or []:
        parts = [item.get("name", ""), item.get("number", "")]
        if item.get("valid_until"):
            parts.append(item["valid_until"])
        lines.append(" | ".join(parts))
    return "\n".join(lines)


def qualification_rows(provider: ServiceProvider, today: datetime.date | None = None) -> list:
    """The qualifications with an `expired` flag (valid_until before today)."""
    today = today or timezone.localdate()
    rows = []
    for item in provider.qualifications or []:
        until = item.get("valid_until") or ""
        try:
            expired = bool(until) and datetime.date.fromisoformat(until) < today
        except ValueError:
            expired = False
        rows.append({**item, "expired": expired})
    return rows


@dataclass
class ProviderStats:
    rating_total: int = 0
    rating_count: int = 0
    completed: int = 0
    redemptions: int = 0
    usages: int = 0

    @property
    def rating(self) -> Decimal | None:
        if not self.rating_count:
            return None
        return (Decimal(self.rating_total) / Decimal(self.rating_count)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )

    @property
    def rating_text(self) -> str:
        if not self.rating_count:
            return _("暂无评价")
        return _("%(r)s（%(n)d 次评价）") % {"r": self.rating, "n": self.rating_count}


def provider_stats(providers) -> dict[int, ProviderStats]:
    """Rating and completed services of each provider: its redemptions (with their ratings)
    and the confirmed usage records of instruments its organisation hosts (with the users'
    satisfaction), in two grouped queries."""
    providers = list(providers)
    stats = {p.pk: ProviderStats() for p in providers}
    by_org = {p.organisation_id: p.pk for p in providers}
    for row in (
        Redemption.objects.filter(provider_id__in=stats)
        .values("provider_id")
        .annotate(n=Count("pk"), total=Sum("rating"), rated=Count("rating"))
    ):
        s = stats[row["provider_id"]]
        s.redemptions = row["n"]
        s.rating_total += row["total"] or 0
        s.rating_count += row["rated"]
    for row in (
        UsageRecord.objects.filter(
            status=UsageStatus.CONFIRMED, booking__instrument__owner_id__in=by_org
        )
        .values("booking__instrument__owner_id")
        .annotate(n=Count("pk"), total=Sum("satisfaction"), rated=Count("satisfaction"))
    ):
        s = stats[by_org[row["booking__instrument__owner_id"]]]
        s.usages = row["n"]
        s.rating_total += row["total"] or 0
        s.rating_count += row["rated"]
    for s in stats.values():
        s.completed = s.redemptions + s.usages
    return stats


def directory(
    user=None,
    *,
    category: str | None = None,
    keyword: str | None = None,
    region=None,
    status: str | None = None,
) -> QuerySet[ServiceProvider]:
    """Registered providers for everyone; the bureau may ask for another status (pending,
    refused, suspended) with `status`."""
    qs = ServiceProvider.objects.select_related("organisation__region")
    if status and status != ProviderStatus.REGISTERED and permissions.can(user, "sharing.manage"):
        if status != "all":
            qs = qs.filter(status=status)
    else:
        qs = qs.filter(status=ProviderStatus.REGISTERED)
    if category:
        # JSON list of codes: match the quoted code, so "rd" does not match inside another word.
        qs = qs.filter(categories__icontains=f'"{category}"')
    keyword = (keyword or "").strip()
    if keyword:
        qs = qs.filter(Q(organisation__name__icontains=keyword) | Q(services__icontains=keyword))
    if region:
        qs = qs.filter(organisation__region=region)
    return qs.order_by("organisation__name", "pk")


def is_member(user, organisation_id: int | None) -> bool:
    return organisation_id is not None and own_organisation_id(user) == organisation_id


def get_provider(user, pk) -> ServiceProvider:
    """A registered provider for anyone; others for the bureau and the organisation's members."""
    provider = (
        ServiceProvider.objects.select_related("organisation__region", "decided_by")
        .filter(pk=pk)
        .first()
    )
    if provider is None:
        raise NotFound(_("服务机构不存在。"))
    if provider.status != ProviderStatus.REGISTERED and not (
        permissions.can(user, "sharing.manage") or is_member(user, provider.organisation_id)
    ):
        raise NotFound(_("服务机构不存在。"))
    return provider


def own_provider(user) -> ServiceProvider | None:
    org = own_organisation_id(user)
    if org is None:
        return None
    return ServiceProvider.objects.filter(organisation_id=org).first()


def eligible_providers(program) -> QuerySet[ServiceProvider]:
    """Who may redeem a program's vouchers: the designated registered providers, or (none
    designated) every registered provider offering one of its categories."""
    qs = ServiceProvider.objects.filter(status=ProviderStatus.REGISTERED).select_related(
        "organisation"
    )
    if program.pk and program.providers.exists():
        return qs.filter(pk__in=program.providers.values("pk"))
    match = Q(pk__in=[])
    for code in program.categories or []:
        match |= Q(categories__icontains=f'"{code}"')
    return qs.filter(match)


def _url(provider: ServiceProvider) -> str:
    return reverse("sharing_provider", args=[provider.pk])


# -- applying --------------------------------------------------------------------------------


@dataclass
class ProviderInput:
    categories: list[str] = field(default_factory=list)
    services: str = ""
    qualifications: list[dict] = field(default_factory=list)
    contact_name: str = ""
    contact_phone: str = ""


def _clean(categories, services, qualifications, contact_name, contact_phone) -> ProviderInput:
    errors: dict[str, list[str]] = {}
    cats = []
    for code in categories or []:
        if code not in ServiceCategory.values:
            errors.setdefault("categories", []).append(_("未知的服务类别“%(c)s”。") % {"c": code})
        elif code not in cats:
            cats.append(code)
    if not cats and "categories" not in errors:
        errors["categories"] = [_("请至少选择一个服务类别。")]
    services = (services or "").strip()
    if not services:
        errors["services"] = [_("请填写服务内容。")]
    contact_name = (contact_name or "").strip()
    if not contact_name:
        errors["contact_name"] = [_("请填写联系人。")]
    elif len(contact_name) > 50:
        errors["contact_name"] = [_("联系人不超过50个字。")]
    contact_phone = (contact_phone or "").strip()
    if not contact_phone:
        errors["contact_phone"] = [_("请填写联系电话。")]
    elif len(contact_phone) > 20 or not all(c.isdigit() or c in "-+ ()" for c in contact_phone):
        errors["contact_phone"] = [_("联系电话只能包含数字和“-”，如 0431-85551234。")]
    try:
        quals = parse_qualifications(qualifications)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        quals = []
    if errors:
        raise ValidationError(errors)
    ordered = [c for c in ServiceCategory.values if c in cats]
    return ProviderInput(ordered, services, quals, contact_name, contact_phone)


def apply(
    actor,
    *,
    categories,
    services: str,
    qualifications="",
    contact_name: str,
    contact_phone: str,
) -> ServiceProvider:
    """An organisation applies to be listed, or edits its entry. A new entry (and a refused
    one, edited) waits for review; a registered one whose categories change returns to review;
    a suspended one stays suspended."""
    permissions.require(
        actor,
        "sharing.register_provider",
        None,
        _("只有企业、高校院所或服务机构的用户可以为本单位申请入库科技服务机构。"),
    )
    organisation: Organisation = actor.current_membership.organisation
    data = _clean(categories, services, qualifications, contact_name, contact_phone)
    with transaction.atomic():
        existing = (
            ServiceProvider.objects.select_for_update().filter(organisation=organisation).first()
        )
        if existing is None:
            try:
                with transaction.atomic():
                    provider = ServiceProvider.objects.create(
                        organisation=organisation,
                        categories=data.categories,
                        services=data.services,
                        qualifications=data.qualifications,
                        contact_name=data.contact_name,
                        contact_phone=data.contact_phone,
                        status=ProviderStatus.PENDING,
                        created_by=actor,
                    )
            except IntegrityError:
                raise InvalidTransition(_("本单位已提交过入库申请，请刷新后修改。")) from None
            audit.record_create(actor, provider, note=_("申请入库科技服务机构"))
            notify(
                bureau_users(),
                _("新的科技服务机构入库申请：%(o)s") % {"o": organisation.name},
                url=_url(provider),
            )
            return provider
        provider = existing
        before = audit.snapshot(provider)
        categories_changed = sorted(provider.categories or []) != sorted(data.categories)
        provider.categories = data.categories
        provider.services = data.services
        provider.qualifications = data.qualifications
        provider.contact_name = data.contact_name
        provider.contact_phone = data.contact_phone
        back_to_review = provider.status == ProviderStatus.REFUSED or (
            provider.status == ProviderStatus.REGISTERED and categories_changed
        )
        note = _("修改入库信息")
        if back_to_review:
            note = (
                _("修改服务类别，重新提交审核")
                if provider.status == ProviderStatus.REGISTERED
                else _("修改后重新申请入库")
            )
            provider.status = ProviderStatus.PENDING
            provider.reason = ""
        provider.save()
        audit.record_update(actor, provider, before, note=note)
        if back_to_review:
            notify(
                bureau_users(),
                _("科技服务机构待审核：%(o)s（%(n)s）") % {"o": organisation.name, "n": note},
                url=_url(provider),
            )
            notify(
                [u for u in members_of(organisation.pk) if u != actor.pk],
                _("本单位科技服务机构信息已修改，等待市科技局审核。"),
                url=_url(provider),
            )
    return provider


# -- the bureau's decisions ------------------------------------------------------------------

# decision: (from statuses, to status, reason required)
DECISIONS = {
    "register": ((ProviderStatus.PENDING,), ProviderStatus.REGISTERED, False),
    "refuse": ((ProviderStatus.PENDING,), ProviderStatus.REFUSED, True),
    "suspend": ((ProviderStatus.REGISTERED,), ProviderStatus.SUSPENDED, True),
    "reinstate": ((ProviderStatus.SUSPENDED,), ProviderStatus.REGISTERED, True),
}


def _titles() -> dict[str, str]:
    return {
        "register": _("贵单位已入库科技服务机构名录，可以核销创新券。"),
        "refuse": _("贵单位的科技服务机构入库申请未通过：%(r)s"),
        "suspend": _("贵单位的科技服务机构资格已暂停：%(r)s"),
        "reinstate": _("贵单位的科技服务机构资格已恢复：%(r)s"),
    }


def _refusal_word(decision: str) -> str:
    return {
        "register": _("入库"),
        "refuse": _("不予入库"),
        "suspend": _("暂停"),
        "reinstate": _("恢复"),
    }[decision]


def decide(actor, provider: ServiceProvider, decision: str, reason: str = "") -> ServiceProvider:
    """The bureau registers or refuses a pending provider, suspends a registered one or
    reinstates a suspended one; refusing, suspending and reinstating need a reason."""
    permissions.require(actor, "sharing.manage", provider, _("只有市科技局可以审核科技服务机构。"))
    if decision not in DECISIONS:
        raise ServiceError(_("请选择处理方式：入库、不予入库、暂停或恢复。"), code="invalid")
    sources, target, needs_reason = DECISIONS[decision]
    reason = (reason or "").strip()
    if needs_reason and not reason:
        raise ValidationError({"reason": [_("%(d)s须填写理由。") % {"d": _refusal_word(decision)}]})
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": [_("理由不超过300个字。")]})
    with transaction.atomic():
        locked = ServiceProvider.objects.select_for_update().get(pk=provider.pk)
        if locked.status not in sources:
            raise InvalidTransition(
                _("该机构当前状态为“%(s)s”，不能%(d)s。")
                % {"s": locked.get_status_display(), "d": _refusal_word(decision)}
            )
        before = audit.snapshot(locked)
        locked.status = target
        locked.reason = reason
        locked.decided_by = actor
        if decision == "register":
            locked.registered_at = timezone.now()
        locked.save()
        audit.record(
            actor,
            AuditAction.TRANSITION,
            locked,
            audit.diff(before, audit.snapshot(locked)),
            note=reason or _refusal_word(decision),
        )
        title = _titles()[decision]
        notify(
            members_of(locked.organisation_id),
            title % {"r": reason} if "%(r)s" in title else title,
            body=reason,
            url=_url(locked),
        )
    return locked


def may_decide(user) -> bool:
    return permissions.can(user, "sharing.manage")
