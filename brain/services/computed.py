"""Indicators computed live from the platform's own records.

An indicator's `computer` names one of the functions registered here. Each is called as
`compute(name, region, period)`: `region` a core Region (None or the city region: the whole
city) and `period` a `brain.services.periods.Period`; it returns a Decimal. Each function reads
other apps read-only, through their models and services, never writing them.

Internally a computer returns its figures grouped by region pk in one query (`by_region`), so
a page showing every district costs one query per indicator and period; the city figure is the
total over every region (records whose organisation has no region included).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from brain.services.periods import Period
from core.choices import RegionKind
from core.exceptions import NotFound
from cultivation.choices import Tier

ZERO = Decimal("0")
TEN_THOUSAND = Decimal("10000")

ByRegion = Callable[[Period], dict[int | None, Decimal]]


@dataclass(frozen=True)
class Computer:
    name: str
    label: str
    by_region: ByRegion

    def __call__(self, region, period: Period) -> Decimal:
        values = self.by_region(period)
        if region is None or region.kind == RegionKind.CITY:
            return sum(values.values(), ZERO)
        return values.get(region.pk, ZERO)


COMPUTERS: dict[str, Computer] = {}


def register(name: str, label):
    def add(func: ByRegion) -> ByRegion:
        COMPUTERS[name] = Computer(name, label, func)
        return func

    return add


def get(name: str) -> Computer:
    if name not in COMPUTERS:
        raise NotFound(_("没有名为“%(n)s”的计算函数。") % {"n": name})
    return COMPUTERS[name]


def compute(name: str, region, period: Period) -> Decimal:
    """The live value of computer `name` for `region` (None: the city) in `period`."""
    return get(name)(region, period)


def _grouped(rows) -> dict[int | None, Decimal]:
    return {key: Decimal(value or 0) for key, value in rows}


# -- 梯次培育 (cultivation) ------------------------------------------------------------------


def _pool_count(tiers: list[str]) -> ByRegion:
    def count(period: Period) -> dict[int | None, Decimal]:
        from cultivation.models import PoolMembership

        stays = PoolMembership.objects.filter(tier__in=tiers, entered_on__lte=period.end).filter(
            Q(exited_on__isnull=True) | Q(exited_on__gt=period.end)
        )
        return _grouped(
            stays.order_by()
            .values_list("organisation__region_id")
            .annotate(n=Count("organisation_id", distinct=True))
        )

    return count


register("cultivation_hte", gettext_lazy("高新技术企业培育库期末在库企业数"))(
    _pool_count([Tier.HTE])
)
register("cultivation_sme_tech", gettext_lazy("科技型中小企业培育库期末在库企业数"))(
    _pool_count([Tier.SME_TECH])
)
register(
    "cultivation_specialised",
    gettext_lazy("专精特新中小企业和“小巨人”企业培育库期末在库企业数"),
)(_pool_count([Tier.SPECIALISED, Tier.LITTLE_GIANT]))
register("cultivation_leader", gettext_lazy("科技领军企业库期末在库企业数"))(
    _pool_count([Tier.LEADER])
)


# -- 成果转化 (transfer) ---------------------------------------------------------------------


@register("transfer_tech_amount", gettext_lazy("期内认定登记的技术交易额（万元，按卖方区域）"))
def transfer_tech_amount(period: Period) -> dict[int | None, Decimal]:
    from transfer.services.statistics import registered_contracts

    rows = (
        registered_contracts(date_from=period.start, date_to=period.end)
        .order_by()
        .values_list("seller__region_id")
        .annotate(total=Sum("tech_amount"))
    )
    return {k: (v / TEN_THOUSAND).quantize(Decimal("0.01")) for k, v in _grouped(rows).items()}


# -- 科技资源 (resources) --------------------------------------------------------------------


@register("resources_achievements", gettext_lazy("期内在平台发布的科技成果数（按成果所在区域）"))
def resources_achievements(period: Period) -> dict[int | None, Decimal]:
    from resources.choices import RecordStatus
    from resources.models import Achievement

    rows = (
        Achievement.objects.filter(
            status__in=[RecordStatus.PUBLISHED, RecordStatus.ARCHIVED],
            published_at__date__gte=period.start,
            published_at__date__lte=period.end,
        )
        .order_by()
        .values_list("region_id")
        .annotate(n=Count("pk"))
    )
    return _grouped(rows)


# -- 供需对接 (bridging) ---------------------------------------------------------------------


@register("bridging_signed", gettext_lazy("期内签约的供需对接数（按需求方所在区域）"))
def bridging_signed(period: Period) -> dict[int | None, Decimal]:
    from bridging.choices import MatchStatus
    from bridging.models import Match

    rows = (
        Match.objects.filter(
            status=MatchStatus.SIGNED,
            closed_at__date__gte=period.start,
            closed_at__date__lte=period.end,
        )
        .order_by()
        .values_list("demand__owner__region_id")
        .annotate(n=Count("pk"))
    )
    return _grouped(rows)
