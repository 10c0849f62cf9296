"""Statistics of registered technology contracts, and the transfer funnel of achievements.

Both return plain data (dicts, lists, Decimals) so the pages, the API, the exports and the brain
module read the same figures. Contract figures count the registrar's classification and the
corrected 技术交易额, never the declared ones.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from core import permissions
from core.choices import OrgType, Role
from core.exceptions import NotAllowed
from core.models import HighTechField, Organisation, Region
from resources.choices import RecordStatus
from resources.models import Achievement
from transfer.choices import CatalogStatus, ContractKind, ContractStatus, ScreeningDecision
from transfer.models import CatalogEntry, Listing, Screening, TechContract

ZERO = Decimal("0.00")

# The dimensions of the contract statistics: key → the column grouped on.
DIMENSIONS = {
    "kind": "registered_kind",
    "field": "field_id",
    "district": "seller__region_id",
    "party": "seller__type",
    "buyer": "buyer_in_city",
}


def dimension_labels() -> dict[str, str]:
    return {
        "kind": _("按合同类型"),
        "field": _("按技术领域"),
        "district": _("按卖方所在区域"),
        "party": _("按卖方单位类型"),
        "buyer": _("按买方所在地"),
    }


# -- scope ----------------------------------------------------------------------------------


def statistics_region(user) -> Region | None:
    """None for the bureau (the whole city); the district admin's own region; others refused."""
    if not permissions.can(user, "transfer.view_statistics"):
        raise NotAllowed(_("只有市科技局和区县管理员可以查看成果转化统计。"))
    m = user.current_membership
    if m is not None and m.role == Role.DISTRICT_ADMIN and not permissions.is_bureau(user):
        return m.region
    return None


def registered_contracts(
    *,
    region: Region | None = None,
    year: int | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[TechContract]:
    """Registered contracts, by the local date of registration, of sellers in `region`."""
    qs = TechContract.objects.filter(status=ContractStatus.REGISTERED)
    if region is not None:
        qs = qs.filter(seller__region=region)
    if year:
        qs = qs.filter(registered_at__year=year)
    if date_from:
        qs = qs.filter(registered_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(registered_at__date__lte=date_to)
    return qs


# -- contract statistics --------------------------------------------------------------------


def _labels(dimension: str, keys) -> dict[Any, str]:
    if dimension == "kind":
        return {k: str(ContractKind(k).label) for k in keys if k in ContractKind.values}
    if dimension == "field":
        return dict(HighTechField.objects.filter(pk__in=keys).values_list("pk", "name"))
    if dimension == "district":
        return dict(Region.objects.filter(pk__in=keys).values_list("pk", "name"))
    if dimension == "party":
        return {k: str(OrgType(k).label) for k in keys if k in OrgType.values}
    return {True: _("市内"), False: _("市外")}


def _order(dimension: str) -> list:
    """The display order of a dimension's values: choices order, taxonomy order, region order."""
    if dimension == "kind":
        return list(ContractKind.values)
    if dimension == "field":
        return list(HighTechField.objects.values_list("pk", flat=True))
    if dimension == "district":
        return list(Region.objects.values_list("pk", flat=True))
    if dimension == "party":
        return list(OrgType.values)
    return [True, False]


def contract_statistics(
    *,
    region: Region | None = None,
    year: int | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> dict[str, Any]:
    """Registered contracts grouped by type, field, district (the seller's region), party type
    (the seller's organisation type) and buyer inside/outside the city: count, total amount and
    技术交易额 per group, plus the totals. Groups with no contract are left out."""
    qs = registered_contracts(region=region, year=year, date_from=date_from, date_to=date_to)
    totals = qs.aggregate(
        count=Count("pk"), total_amount=Sum("total_amount"), tech_amount=Sum("tech_amount")
    )
    result: dict[str, Any] = {
        "region": region.name if region else None,
        "year": year,
        "date_from": date_from,
        "date_to": date_to,
        "totals": {
            "count": totals["count"],
            "total_amount": totals["total_amount"] or ZERO,
            "tech_amount": totals["tech_amount"] or ZERO,
        },
        "groups": {},
    }
    for dimension, column in DIMENSIONS.items():
        rows = {
            r[column]: r
            for r in qs.values(column)
            .annotate(
                count=Count("pk"), total_amount=Sum("total_amount"), tech_amount=Sum("tech_amount")
            )
            .order_by()
        }
        labels = _labels(dimension, list(rows))
        order = {k: n for n, k in enumerate(_order(dimension))}
        result["groups"][dimension] = [
            {
                "key": key,
                "label": labels.get(key) or _("未填写"),
                "count": row["count"],
                "total_amount": row["total_amount"] or ZERO,
                "tech_amount": row["tech_amount"] or ZERO,
            }
            for key, row in sorted(rows.items(), key=lambda kv: order.get(kv[0], len(order)))
        ]
    return result


def contract_statistics_for(user, **filters) -> dict[str, Any]:
    """`contract_statistics` within what `user` may see (a district admin: own district)."""
    return contract_statistics(region=statistics_region(user), **filters)


def statistics_rows(stats: dict[str, Any]):
    """Rows for the Excel export: dimension, group, count, total amount, 技术交易额."""
    labels = dimension_labels()
    for dimension, rows in stats["groups"].items():
        for row in rows:
            yield (
                labels[dimension],
                row["label"],
                row["count"],
                row["total_amount"],
                row["tech_amount"],
            )
    t = stats["totals"]
    yield (_("合计"), "", t["count"], t["total_amount"], t["tech_amount"])


# -- the transfer funnel --------------------------------------------------------------------

STAGES = (
    "published",
    "screened",
    "cataloged",
    "listed",
    "bid",
    "contracted",
    "registered",
)


def stage_labels() -> dict[str, str]:
    return {
        "published": _("发布成果"),
        "screened": _("完成筛选评价"),
        "cataloged": _("入选已发布目录"),
        "listed": _("挂牌"),
        "bid": _("有人出价"),
        "contracted": _("签订合同"),
        "registered": _("合同登记"),
        "registered_amount": _("登记技术交易额（元）"),
    }


def _between(field: str, date_from, date_to) -> Q:
    q = Q()
    if date_from:
        q &= Q(**{f"{field}__date__gte": date_from})
    if date_to:
        q &= Q(**{f"{field}__date__lte": date_to})
    return q


def transfer_funnel(
    *,
    by: str = "organisation",
    region: Region | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> dict[str, Any]:
    """How far each organisation's (or district's) achievements got, counting achievements at
    each stage: published, screened (a decided screening), cataloged (in a published catalog),
    listed, bid on (a listing with at least one bid), contracted (a contract from a listing or
    linked to the achievement, not refused), registered — and the registered 技术交易额.

    `by` is "organisation" (the achievement's owner) or "district" (the owner's region).
    `region` keeps one district; the dates keep the events of a period (publication, decision,
    catalog publication, listing, bid, contract, registration). Plain data for pages, exports
    and the brain: {"by", "rows": [{key, name, region, <stage>: n, registered_amount}], "totals"}.
    """
    if by not in ("organisation", "district"):
        raise ValueError("by is 'organisation' or 'district'")
    owner = "owner_id" if by == "organisation" else "owner__region_id"

    def via(path: str) -> str:  # the grouping column reached through `path` to the achievement
        return f"{path}__{owner}"

    scope = Q() if region is None else Q(owner__region=region)

    def scoped(path: str) -> Q:
        return Q() if region is None else Q(**{f"{path}__owner__region": region})

    counts: dict[str, dict[Any, int]] = {}
    counts["published"] = _count(
        Achievement.objects.filter(status=RecordStatus.PUBLISHED)
        .filter(scope)
        .filter(_between("published_at", date_from, date_to)),
        owner,
        "pk",
    )
    counts["screened"] = _count(
        Screening.objects.exclude(decision=ScreeningDecision.PENDING)
        .filter(scoped("achievement"))
        .filter(_between("decided_at", date_from, date_to)),
        via("achievement"),
        "achievement",
    )
    counts["cataloged"] = _count(
        CatalogEntry.objects.filter(catalog__status=CatalogStatus.PUBLISHED)
        .filter(scoped("achievement"))
        .filter(_between("catalog__published_at", date_from, date_to)),
        via("achievement"),
        "achievement",
    )
    listings = Listing.objects.filter(scoped("achievement"))
    counts["listed"] = _count(
        listings.filter(_between("created_at", date_from, date_to)),
        via("achievement"),
        "achievement",
    )
    counts["bid"] = _count(
        listings.filter(bids__isnull=False).filter(
            _between("bids__created_at", date_from, date_to)
        ),
        via("achievement"),
        "achievement",
    )
    contracts = TechContract.objects.filter(achievement__isnull=False).filter(scoped("achievement"))
    counts["contracted"] = _count(
        contracts.exclude(status=ContractStatus.REFUSED).filter(
            _between("created_at", date_from, date_to)
        ),
        via("achievement"),
        "achievement",
    )
    registered = contracts.filter(status=ContractStatus.REGISTERED).filter(
        _between("registered_at", date_from, date_to)
    )
    counts["registered"] = _count(registered, via("achievement"), "achievement")
    amounts = {
        r["key"]: r["amount"] or ZERO
        for r in registered.values(key=F(via("achievement")))
        .annotate(amount=Sum("tech_amount"))
        .order_by()
    }

    keys = set(amounts)
    for stage in counts.values():
        keys |= set(stage)
    keys.discard(None)
    names = _names(by, keys)
    rows = []
    for key in keys:
        name, region_name = names.get(key, ("", ""))
        row: dict[str, Any] = {"key": key, "name": name, "region": region_name}
        for stage in STAGES:
            row[stage] = counts[stage].get(key, 0)
        row["registered_amount"] = amounts.get(key, ZERO)
        rows.append(row)
    rows.sort(key=lambda r: (-r["published"], -r["registered_amount"], r["name"]))
    totals: dict[str, Any] = {stage: sum(r[stage] for r in rows) for stage in STAGES}
    totals["registered_amount"] = sum((r["registered_amount"] for r in rows), ZERO)
    return {"by": by, "region": region.name if region else None, "rows": rows, "totals": totals}


def _count(qs: QuerySet, column: str, counted: str) -> dict[Any, int]:
    return {
        r["key"]: r["n"]
        for r in qs.values(key=F(column)).annotate(n=Count(counted, distinct=True)).order_by()
    }


def _names(by: str, keys) -> dict[Any, tuple[str, str]]:
    if by == "district":
        return {
            pk: (name, name)
            for pk, name in Region.objects.filter(pk__in=keys).values_list("pk", "name")
        }
    return {
        pk: (name, region)
        for pk, name, region in Organisation.objects.filter(pk__in=keys).values_list(
            "pk", "name", "region__name"
        )
    }


def funnel_for(user, *, by: str = "organisation", **filters) -> dict[str, Any]:
    """`transfer_funnel` within what `user` may see (a district admin: own district)."""
    return transfer_funnel(by=by, region=statistics_region(user), **filters)


def funnel_rows(funnel: dict[str, Any]):
    for r in funnel["rows"]:
        yield (
            r["name"],
            *([r["region"]] if funnel["by"] == "organisation" else []),
            *(r[s] for s in STAGES),
            r["registered_amount"],
        )
    t = funnel["totals"]
    yield (
        _("合计"),
        *([""] if funnel["by"] == "organisation" else []),
        *(t[s] for s in STAGES),
        t["registered_amount"],
    )


def funnel_headers(by: str) -> list[str]:
    labels = stage_labels()
    first = [_("单位"), _("所在区域")] if by == "organisation" else [_("区域")]
    return [*first, *(labels[s] for s in STAGES), labels["registered_amount"]]
