"""Small helpers the sharing services share: money as text and from input, the year's bounds,
service category labels, whose organisation a user acts for, and notices to users."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.choices import Role
from core.exceptions import ServiceError
from core.models import Membership, Notification
from core.permissions import _membership
from sharing.choices import ServiceCategory
from sharing.permissions import ORGANISATION_ROLES

FEN = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")


# -- money ---------------------------------------------------------------------------------------


def yuan(value) -> str:
    """An amount in 元 as text: 1234567.5 → "1,234,567.50"."""
    return f"{Decimal(value):,.2f}"


def parse_money(value, label: str, *, malformed: str, allow_zero: bool = False) -> Decimal:
    """An amount in 元 from a form, the API or code: positive (or zero when allowed), at most
    two decimals. `malformed` is the refusal for text that is no amount (with %(f)s for the
    label): each caller gives its own example."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ServiceError(_("请填写%(f)s。") % {"f": label}, code="invalid")
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise ServiceError(malformed % {"f": label}, code="invalid") from None
    if not amount.is_finite():
        raise ServiceError(_("%(f)s须为金额（元）。") % {"f": label}, code="invalid")
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ServiceError(
            (_("%(f)s不能为负数。") if allow_zero else _("%(f)s须大于0元。")) % {"f": label},
            code="invalid",
        )
    if amount != amount.quantize(FEN):
        raise ServiceError(_("%(f)s最多保留两位小数（到分）。") % {"f": label}, code="invalid")
    if amount > MAX_AMOUNT:
        raise ServiceError(_("%(f)s超出可登记的范围。") % {"f": label}, code="invalid")
    return amount.quantize(FEN)


# -- dates and labels ----------------------------------------------------------------------------


def year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    """The first instant of the year and of the next, in local time."""
    return (
        timezone.make_aware(datetime.datetime(year, 1, 1)),
        timezone.make_aware(datetime.datetime(year + 1, 1, 1)),
    )


def category_labels(codes) -> list[str]:
    """The names of service category codes, in their order (an unknown code as it is)."""
    labels = dict(ServiceCategory.choices)
    return [str(labels.get(c, c)) for c in codes or []]


# -- whose organisation --------------------------------------------------------------------------


def own_organisation_id(user) -> int | None:
    """The organisation of the user's active membership, whatever the role (None without one)."""
    m = _membership(user)
    return m.organisation_id if m is not None else None


def organisation_id_of(user) -> int | None:
    """The organisation the user acts for in an organisation role (enterprise, institute,
    broker): as a host, a booking unit, a voucher holder or a provider. None for the bureau,
    reviewers and users without a membership."""
    m = _membership(user)
    return m.organisation_id if m is not None and m.role in ORGANISATION_ROLES else None


# -- notices -------------------------------------------------------------------------------------


def member_ids(organisation_id: int) -> list[int]:
    """Users acting for the organisation (active memberships with an organisation role)."""
    return list(
        Membership.objects.filter(
            organisation_id=organisation_id, is_active=True, role__in=ORGANISATION_ROLES
        )
        .values_list("user_id", flat=True)
        .distinct()
    )


def members_of(organisation_id: int) -> list[int]:
    """Every active member of the organisation, whatever the role, in id order."""
    return _user_ids(Q(organisation_id=organisation_id))


def bureau_users() -> list[int]:
    """The bureau's users (active city admins), in id order."""
    return _user_ids(Q(role=Role.CITY_ADMIN))


def _user_ids(which: Q) -> list[int]:
    return sorted(
        set(Membership.objects.filter(which, is_active=True).values_list("user_id", flat=True))
    )


def notify(user_ids: Iterable[int], title: str, body: str = "", url: str = "") -> None:
    """One notification to each user named (each once; empty ids skipped); the title is cut to
    the 200 characters a notification holds."""
    Notification.objects.bulk_create(
        [
            Notification(user_id=u, title=title[:200], body=body, url=url)
            for u in sorted({u for u in user_ids if u})
        ]
    )
