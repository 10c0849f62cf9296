"""Demo cultivation records: three years of figures for every demo enterprise (varied so that
some qualify for each tier and some fall just short), pools filled through the same services
the pages use, an inspector list, one 双随机 draw and one post-subsidy calculation."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from core.choices import OrgType
from core.demo import DemoResult, demo_step
from core.models import Organisation, Region, User
from core.services.jobs import Progress
from cultivation.choices import SubsidyBasis, Tier
from cultivation.factories import write_enterprise
from cultivation.models import EnterpriseProfile, EnterpriseYear, Inspector, PoolMembership
from cultivation.services import pools, spotchecks, subsidies

INSPECTORS = [
    ("张检查", "长春市科学技术局", "220102"),
    ("李督查", "长春市科学技术局", "220102"),
    ("王核查", "长春市科学技术局", "220102"),
    ("赵审核", "长春市财政局", "220102"),
    ("孙稽核", "长春市财政局", "220102"),
    ("周执法", "长春市市场监督管理局", "220104"),
    ("吴检查", "长春高新区科技创新局", "220173"),
    ("郑核实", "长春净月高新区科技局", "220172"),
    ("冯检查", "长春经开区科技局", "220171"),
    ("陈复核", "朝阳区科技局", "220104"),
    ("褚督导", "南关区科技局", "220102"),
    ("卫查验", "宽城区科技局", "220103"),
]
# How many enterprises the demo puts into each pool at most (the rest are scan candidates).
ADMIT = {Tier.SME_TECH: 40, Tier.HTE: 12}


def _yuan(x: float) -> Decimal:
    return Decimal(round(x, -3)).quantize(Decimal("1"))


def _figures(rng: random.Random, org: Organisation, last_year: int):
    """Three years of plausible figures; about half are 科技型中小企业-sized R&D spenders."""
    staff = rng.randint(15, 420)
    tech_share = rng.uniform(0.05, 0.45)
    revenue = rng.uniform(3e6, 1.6e8)
    growth = rng.uniform(-0.05, 0.35)
    rd_ratio = rng.choice(
        [rng.uniform(0.01, 0.03), rng.uniform(0.03, 0.06), rng.uniform(0.05, 0.1)]
    )
    ip1 = rng.choice([0, 0, 1, 2, 3, 5, 8])
    years = []
    for k, year in enumerate(range(last_year - 2, last_year + 1)):
        scale = (1 + growth) ** (k - 2)
        rev = revenue * scale
        rd = rev * rd_ratio * rng.uniform(0.9, 1.1)
        years.append(
            EnterpriseYear(
                organisation=org,
                year=year,
                revenue=_yuan(rev),
                main_revenue=_yuan(rev * 0.95),
                total_cost=_yuan(rev * rng.uniform(0.75, 0.95)),
                rd_expense=_yuan(rd),
                rd_expense_hte=_yuan(rd * 0.97),
                rd_expense_hte_domestic=_yuan(rd * 0.95),
                net_assets=_yuan(rev * rng.uniform(0.2, 0.7)),
                net_profit=_yuan(rev * rng.uniform(-0.05, 0.15)),
                equity_raised=Decimal(0),
                conversions=rng.randint(0, 6),
                total_assets=_yuan(rev * 1.1) if year == last_year else None,
                total_liabilities=_yuan(rev * 0.45) if year == last_year else None,
                total_income=_yuan(rev * 1.02) if year == last_year else None,
                hightech_income=_yuan(rev * rng.uniform(0.4, 0.8)) if year == last_year else None,
                staff=staff if year == last_year else None,
                tech_staff=int(staff * tech_share) if year == last_year else None,
                rd_staff=int(staff * tech_share * 0.7) if year == last_year else None,
                ip_class1=ip1 if year == last_year else None,
                ip_class1_own=ip1 if year == last_year else None,
                ip_class1_high_value=min(ip1, 1) if year == last_year else None,
                ip_class2=rng.randint(0, 12) if year == last_year else None,
                ip_own=ip1 + 3 if year == last_year else None,
                ip_class1_main=ip1 if year == last_year else None,
                invention_patents_main=ip1 if year == last_year else None,
            )
        )
    profile = EnterpriseProfile(
        organisation=org,
        founded=datetime.date(
            last_year - rng.randint(2, 20), rng.randint(1, 12), rng.randint(1, 28)
        ),
        resident=True,
        audited_tax=True,
        rd_accounting=True,
        restricted_industry=False,
        rd_negative_list=False,
        major_incident=False,
        blacklisted=False,
        serious_fraud=False,
        strategic_emerging=rng.random() < 0.6,
        it_core_business=rng.random() < 0.7,
        quality_certified=rng.random() < 0.6,
        own_brand=rng.random() < 0.7,
        hte_field=rng.choice(
            ["electronic_info", "advanced_manufacturing", "biomedicine", "new_materials"]
        ),
        rd_institution=rng.choice(["none", "enterprise", "city", "provincial"]),
        product_role=rng.choice(["key", "basic", "other"]),
        niche_years=rng.randint(1, 15),
        niche_market_share=Decimal(str(round(rng.uniform(0.5, 15), 2))),
        digital_level=rng.randint(1, 4),
        quality_items=rng.randint(0, 2),
    )
    return years, profile


@demo_step
def cultivation_demo(seed: int, scale: str, progress: Progress, result: DemoResult) -> None:
    if Inspector.objects.filter(name=INSPECTORS[0][0], unit=INSPECTORS[0][1]).exists():
        return  # already generated for this database: a second run adds nothing
    rng = random.Random(seed * 7919)
    today = timezone.localdate()
    last_year = today.year - 1
    admin = User.objects.filter(username="demo_city").first()
    own = (
        User.objects.filter(username="demo_enterprise").select_related("current_membership").first()
    )
    own_org = own.current_membership.organisation if own and own.current_membership else None
    enterprises = list(
        Organisation.objects.filter(type=OrgType.ENTERPRISE, is_demo=True)
        .exclude(yearly_figures__isnull=False)
        .order_by("pk")
    )
    progress.advance(0, "生成企业年度数据")
    with transaction.atomic():
        years, profiles = [], []
        for org in enterprises:
            if org == own_org:
                continue
            y, p = _figures(rng, org, last_year)
            years.extend(y)
            profiles.append(p)
        EnterpriseYear.objects.bulk_create(years, batch_size=2000)
        EnterpriseProfile.objects.bulk_create(profiles, batch_size=2000)
        if own_org is not None:
            # The demo enterprise: a 科技型中小企业 about 10 万元 of R&D short of 高企.
            write_enterprise(own_org, last_year, by=own)
        regions = {r.code: r for r in Region.objects.all()}
        Inspector.objects.bulk_create(
            [
                Inspector(
                    name=name, unit=unit, region=regions[code], certificate=f"吉执2201{k:04d}"
                )
                for k, (name, unit, code) in enumerate(INSPECTORS, 1)
            ]
        )
    result.add("企业年度数据", len(years) + (3 if own_org else 0))
    result.add("检查人员", len(INSPECTORS))
    if admin is None:
        return
    on = today
    since_new_year = (today - datetime.date(today.year, 1, 1)).days
    entered = 0
    for tier, limit in ADMIT.items():
        found = pools.scan(tier, on)
        chosen = found["candidates"][:limit] or []
        if tier == Tier.HTE:
            chosen = (found["candidates"] + found["needs_review"])[:limit]
        for row in chosen:
            org = Organisation.objects.get(pk=row["organisation"])
            try:
                pools.admit(
                    admin,
                    org,
                    tier,
                    on - datetime.timedelta(days=rng.randint(0, since_new_year)),
                    "示例数据：按评价结果入库",
                    expert_confirmed=True,
                )
            except Exception:
                continue
            entered += 1
    result.add("培育库入库记录", entered)
    if PoolMembership.objects.filter(tier=Tier.SME_TECH).exists():
        spotchecks.create_spot_check(
            admin,
            title=f"{today.year}年科技型中小企业双随机抽查（示例）",
            tier=Tier.SME_TECH,
            on=today,
            ratio=Decimal("10"),
            seed=seed,
        )
        result.add("双随机抽查", 1)
    scheme = subsidies.create_scheme(
        admin,
        {
            "title": f"{last_year}年度企业研发投入后补助（示例）",
            "year": last_year,
            "basis": SubsidyBasis.INCREMENT,
            "rate": Decimal("10"),
            "min_rd_expense": Decimal("1000000"),
            "cap": Decimal("500000"),
            "budget": Decimal("5000000"),
            "tiers": [],
        },
    )
    subsidies.compute(admin, scheme)
    result.add("研发投入后补助测算", 1)
