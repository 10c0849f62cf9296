"""Open-sharing statistics of instrument hosts: hours offered and used by others, services,
outside users, fees and satisfaction, per host (and per instrument of one host) for a year.

Everything is computed with a few aggregate queries grouped by host (or instrument); the year is
that of the slot's start in local time. Only CONFIRMED usage records of bookings by another
organisation than the owner count as service.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DurationField, ExpressionWrapper, F, QuerySet, Sum
from django.utils.translation import gettext as _

from core import permissions
from core.choices import Role
from core.exceptions import NotAllowed
from core.models import Organisation
from core.permissions import _membership
from sharing.choices import UsageStatus
from sharing.models import SharingSlot, UsageRecord
from sharing.services.common import year_bounds
from sharing.services.hosting import hosts_any_instrument

ZERO = Decimal("0")
HOUR = Decimal(3600)
FEN = Decimal("0.01")
FOUR_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class HostStats:
    organisation_id: int
    name: str
    region_id: int | None
    instruments: int
    hours_offered: Decimal
    hours_used: Decimal
    utilisation: Decimal | None
    services: int
    outside_users: int
    fees: Decimal
    satisfaction: Decimal | None


@dataclass(frozen=True)
class InstrumentStats:
    instrument_id: int
    title: str
    slots: int
    hours_offered: Decimal
    hours_used: Decimal
    utilisation: Decimal | None
    services: int
    outside_users: int
    fees: Decimal
    satisfaction: Decimal | None


def _hours(value) -> Decimal:
    """A summed duration (timedelta, or microseconds on some backends) as hours to 2 places."""
    if value is None:
        return ZERO.quantize(FEN)
    if isinstance(value, datetime.timedelta):
        seconds = Decimal(value.days * 86400 + value.seconds) + Decimal(value.microseconds) / (
            Decimal(10) ** 6
        )
    else:
        seconds = Decimal(value) / (Decimal(10) ** 6)
    return (seconds / HOUR).quantize(FEN, ROUND_HALF_UP)


def utilisation_of(used: Decimal, offered: Decimal) -> Decimal | None:
    if not offered:
        return None
    return min(Decimal(1), (used / offered).quantize(FOUR_PLACES, ROUND_HALF_UP))


def _satisfaction(total, count) -> Decimal | None:
    if not count:
        return None
    return (Decimal(total) / Decimal(count)).quantize(FEN, ROUND_HALF_UP)


def _money(value) -> Decimal:
    return (value or ZERO).quantize(FEN, ROUND_HALF_UP)


def _slots(year: int):
    start, end = year_bounds(year)
    return SharingSlot.objects.filter(starts_at__gte=start, starts_at__lt=end)


def _usage(year: int):
    start, end = year_bounds(year)
    return UsageRecord.objects.filter(
        status=UsageStatus.CONFIRMED,
        booking__slot__starts_at__gte=start,
        booking__slot__starts_at__lt=end,
    ).exclude(booking__organisation_id=F("booking__slot__instrument__owner_id"))


_DURATION = ExpressionWrapper(F("ends_at") - F("starts_at"), output_field=DurationField())

_USAGE_AGGREGATES = {
    "used": Sum("hours"),
    "services": Count("pk"),
    "outside": Count("booking__organisation_id", distinct=True),
    "fees": Sum("fee"),
    "sat_total": Sum("satisfaction"),
    "sat_count": Count("satisfaction"),
}


def _figures(offered, used: dict) -> dict:
    """What every statistics row has, from the summed offered duration and the usage
    aggregates (`_USAGE_AGGREGATES`; an empty dict where nothing was used)."""
    hours_offered = _hours(offered)
    hours_used = (used.get("used") or ZERO).quantize(FEN, ROUND_HALF_UP)
    return {
        "hours_offered": hours_offered,
        "hours_used": hours_used,
        "utilisation": utilisation_of(hours_used, hours_offered),
        "services": used.get("services", 0),
        "outside_users": used.get("outside", 0),
        "fees": _money(used.get("fees")),
        "satisfaction": _satisfaction(used.get("sat_total"), used.get("sat_count")),
    }


def host_statistics(year: int, organisations: Iterable[int] | None = None) -> list[HostStats]:
    """One row per host (an organisation owning an instrument with a slot starting in `year`),
    ordered by name; `organisations` restricts to those organisation ids."""
    slots = _slots(year)
    usage = _usage(year)
    ids = _restrict(organisations)
    if ids is not None:
        slots = slots.filter(instrument__owner_id__in=ids)
        usage = usage.filter(booking__slot__instrument__owner_id__in=ids)

    offered = {
        row["instrument__owner_id"]: row
        for row in slots.values("instrument__owner_id").annotate(
            instruments=Count("instrument_id", distinct=True), offered=Sum(_DURATION)
        )
    }
    if not offered:
        return []
    used = {
        row["booking__slot__instrument__owner_id"]: row
        for row in usage.values("booking__slot__instrument__owner_id").annotate(**_USAGE_AGGREGATES)
    }
    orgs = Organisation.objects.filter(pk__in=offered).values("pk", "name", "region_id")

    result = []
    for org in orgs:
        o = offered[org["pk"]]
        result.append(
            HostStats(
                organisation_id=org["pk"],
                name=org["name"],
                region_id=org["region_id"],
                instruments=o["instruments"],
                **_figures(o["offered"], used.get(org["pk"], {})),
            )
        )
    result.sort(key=lambda s: (s.name, s.organisation_id))
    return result


def instrument_statistics(year: int, organisation_id: int) -> list[InstrumentStats]:
    """One row per instrument of the host with a slot starting in `year`, ordered by title."""
    slots = _slots(year).filter(instrument__owner_id=organisation_id)
    usage = _usage(year).filter(booking__slot__instrument__owner_id=organisation_id)
    offered = {
        row["instrument_id"]: row
        for row in slots.values("instrument_id", "instrument__title").annotate(
            slots=Count("pk"), offered=Sum(_DURATION)
        )
    }
    used = {
        row["booking__slot__instrument_id"]: row
        for row in usage.values("booking__slot__instrument_id").annotate(**_USAGE_AGGREGATES)
    }
    result = []
    for pk, o in offered.items():
        result.append(
            InstrumentStats(
                instrument_id=pk,
                title=o["instrument__title"],
                slots=o["slots"],
                **_figures(o["offered"], used.get(pk, {})),
            )
        )
    result.sort(key=lambda s: (s.title, s.instrument_id))
    return result


def _restrict(organisations):
    """Organisation ids as a list, or a queryset of ids kept as a subquery."""
    if organisations is None or isinstance(organisations, QuerySet):
        return organisations
    return list(organisations)


def summary(year: int, organisations: Iterable[int] | None = None) -> dict:
    """The totals row over the same hosts as `host_statistics(year, organisations)`: distinct
    outside users and the average satisfaction are counted over all hosts at once."""
    slots = _slots(year)
    usage = _usage(year)
    ids = _restrict(organisations)
    if ids is not None:
        slots = slots.filter(instrument__owner_id__in=ids)
        usage = usage.filter(booking__slot__instrument__owner_id__in=ids)
    o = slots.aggregate(
        hosts=Count("instrument__owner_id", distinct=True),
        instruments=Count("instrument_id", distinct=True),
        offered=Sum(_DURATION),
    )
    return {
        "hosts": o["hosts"],
        "instruments": o["instruments"],
        **_figures(o["offered"], usage.aggregate(**_USAGE_AGGREGATES)),
    }


def visible_hosts(user):
    """Whose statistics `user` may read: None for all (the bureau, leaders), the organisation
    ids of a district admin's region, a host's own organisation; NotAllowed for others."""
    m = _membership(user)
    if permissions.can(user, "sharing.view_statistics"):
        if m is not None and m.role == Role.DISTRICT_ADMIN:
            return Organisation.objects.filter(region_id=m.region_id).values("pk")
        return None
    if m is not None and hosts_any_instrument(user):
        return [m.organisation_id]
    raise NotAllowed(_("只有市科技局、区县管理员、领导和仪器所属单位可以查看共享统计。"))


def may_see_host(scope, organisation_id: int) -> bool:
    if scope is None:
        return True
    if isinstance(scope, QuerySet):
        return scope.filter(pk=organisation_id).exists()
    return organisation_id in scope
