"""Matrix objects of enterprise cultivation, technology transfer and the 科创大脑, made through
the apps' services as their demo steps make them."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from resources.factories import AchievementFactory

ON = datetime.date(2025, 6, 1)
TRL_ANSWERS = {
    str(level): {"met": level <= 6, "evidence": f"证明材料（第{level}级）" if level <= 6 else ""}
    for level in range(1, 10)
}
SCORES = {"advancement": 90, "maturity": 82, "ip": 86, "market": 88, "conditions": 78, "team": 90}


def build(tc, d) -> None:
    _cultivation(tc, d)
    _transfer(tc, d)
    _brain(tc, d)


def _cultivation(tc, d) -> None:
    from cultivation.choices import Tier
    from cultivation.factories import InspectorFactory, write_enterprise
    from cultivation.services import assessment, pools, spotchecks, subsidies

    write_enterprise(tc.enterprise_org, 2024)
    write_enterprise(tc.other_enterprise_org, 2024)
    from cultivation.models import EnterpriseYear

    d.figures_year = 2024
    d.university, d.other_org = tc.university, tc.other_enterprise_org
    d.enterprise_year = EnterpriseYear.objects.get(organisation=tc.enterprise_org, year=2024)
    d.nanguan_year = EnterpriseYear.objects.get(organisation=tc.other_enterprise_org, year=2024)
    d.assessment = assessment.assess_enterprise(tc.enterprise, tc.enterprise_org, "sme_tech", ON)
    d.stay = pools.admit(tc.city_admin, tc.enterprise_org, Tier.SME_TECH, ON, "入库")
    d.nanguan_stay = pools.admit(tc.city_admin, tc.other_enterprise_org, Tier.SME_TECH, ON, "入库")
    InspectorFactory.create_batch(3)
    d.spot_check = spotchecks.create_spot_check(
        tc.city_admin, title="双随机抽查", tier=Tier.SME_TECH, on=ON, ratio=Decimal("50"), seed=1
    )
    d.subsidy_scheme = subsidies.create_scheme(
        tc.city_admin,
        {
            "title": "2024年度研发投入后补助",
            "year": 2024,
            "basis": "total",
            "rate": Decimal("10"),
            "min_rd_expense": Decimal("1000000"),
            "cap": Decimal("500000"),
            "budget": None,
            "tiers": [],
        },
    )


def _transfer(tc, d) -> None:
    from core.models import HighTechField
    from transfer.services import catalogs, contracts, listings, screening, trl, valuation

    field = HighTechField.objects.order_by("pk").first()
    mine = {"owner": tc.enterprise_org, "created_by": tc.enterprise, "hightech_field": field}
    modes = {"allows_assignment": True, "allows_license": True}
    # The achievement under transfer: TRL self-assessed (not yet confirmed), screening open with
    # the expert persona on it, a valuation, an open listing with a bid.
    d.transfer_achievement = AchievementFactory(title="转化中的激光器封装成果", **mine, **modes)
    expert = d.assignment.expert
    d.trl_assessment = trl.self_assess(tc.enterprise, d.transfer_achievement, TRL_ANSWERS)
    d.screening = screening.open_screening(
        tc.city_admin, d.transfer_achievement, "矩阵批次", [expert]
    )
    d.valuation = valuation.save_report(
        tc.enterprise,
        d.transfer_achievement,
        "income",
        {
            "variant": "profit_split",
            "revenue_mode": "list",
            "revenues": [Decimal("3000000"), Decimal("5000000"), Decimal("8000000")],
            "margin": Decimal("12"),
            "share": Decimal("25"),
            "discount_rate": Decimal("10"),
        },
    )
    now = timezone.now()
    d.listing = listings.create_listing(
        tc.enterprise,
        d.transfer_achievement,
        mode="license",
        reserve_price=Decimal("200000"),
        min_step=Decimal("10000"),
        starts_at=now - datetime.timedelta(days=1),
        ends_at=now + datetime.timedelta(days=14),
        terms="普通许可，许可期限5年。",
    )
    listings.place_bid(d.third_user, d.listing, Decimal("200000"))
    # A second achievement screened, selected and put in a draft catalog.
    selected = AchievementFactory(title="入选目录的成果", **mine, **modes)
    confirmed = trl.self_assess(tc.enterprise, selected, TRL_ANSWERS)
    trl.confirm(tc.city_admin, confirmed, 6)
    chosen = screening.open_screening(tc.city_admin, selected, "矩阵批次", [expert])
    screening.submit_sheet(tc.expert, chosen, SCORES, "技术先进，产业化条件较好，建议入选目录。")
    chosen = screening.decide(tc.city_admin, chosen, "selected", "综合得分高于入选线。")
    d.catalog = catalogs.create_catalog(
        tc.city_admin, {"title": "矩阵测试成果目录", "period": "2026年", "introduction": "测试"}
    )
    d.catalog_entry = catalogs.add_entry(tc.city_admin, d.catalog, chosen)
    # A draft technology contract registered by the enterprise.
    d.tech_contract = contracts.create_contract(
        tc.enterprise,
        kind="development",
        title="智能网联汽车感知算法委托开发",
        subject="智能网联汽车感知算法委托开发",
        buyer_name="长春示例汽车零部件有限公司",
        buyer_in_city=True,
        total_amount=Decimal("800000"),
        declared_tech_amount=Decimal("800000"),
        payment_terms="按里程碑分三期支付。",
        signed_on=timezone.localdate(),
        field=field,
    )

    # The same of an enterprise in another district (南关区): not the district admin's.
    d.nanguan_contract = contracts.create_contract(
        tc.other_enterprise,
        kind="service",
        title="南关区企业的技术服务合同",
        subject="光学元件检测技术服务",
        buyer_name="长春示例汽车零部件有限公司",
        buyer_in_city=True,
        total_amount=Decimal("120000"),
        declared_tech_amount=Decimal("120000"),
        payment_terms="一次性支付。",
        signed_on=timezone.localdate(),
        field=field,
    )


def _brain(tc, d) -> None:
    from brain.models import Indicator, Report
    from brain.services import catalog, values
    from core.models import IndustryChain, Region

    catalog.load_catalog(None)
    d.indicator = Indicator.objects.get(code="rd_intensity")
    d.brain_value = values.enter_value(tc.city_admin, d.indicator, tc.hightech_zone, "2024", "5.20")
    # A value of another district (南关区): not the district admin's to read.
    d.nanguan_value = values.enter_value(tc.city_admin, d.indicator, tc.nanguan, "2024", "1.80")
    d.city = Region.objects.get(code="220100")
    d.chain = IndustryChain.objects.order_by("sort_order", "code").first()
    d.brain_node = d.chain.nodes.order_by("code").first()
    report = Report.objects.create(
        kind=Report.Kind.MONTH,
        period="2026-01",
        title="2026年1月科创大脑月报",
        status=Report.Status.READY,
        created_by=tc.city_admin,
        finished_at=timezone.now(),
    )
    report.pdf.save("report.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    report.xlsx.save("report.xlsx", ContentFile(b"PK\x03\x04"), save=True)
    d.brain_report = report
