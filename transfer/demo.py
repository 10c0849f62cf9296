"""Demo transfer records, made through the same services the pages use: a screened and
catalogued achievement of the demo university, a valuation, an open auction with a bid, a sold
listing whose contract is registered, and a few registered contracts of other kinds for the
statistics."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from core.demo import DemoResult, demo_step
from core.models import HighTechField, User
from core.services.jobs import Progress
from resources.choices import RecordStatus
from resources.models import Achievement, Expert
from transfer.models import Catalog
from transfer.services import catalogs, contracts, listings, screening, trl, valuation

ROUND = "示例批次"
SCORES = {"advancement": 90, "maturity": 82, "ip": 86, "market": 88, "conditions": 78, "team": 90}


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).select_related("current_membership").first()


@demo_step
def transfer_demo(seed: int, scale: str, progress: Progress, result: DemoResult) -> None:
    if Catalog.objects.filter(title__startswith="示例：").exists():
        return  # already generated for this database: a second run adds nothing
    owner = _user("demo_institute")
    bureau = _user("demo_city")
    expert_user = _user("demo_expert")
    buyer = _user("demo_enterprise")
    if not all((owner, bureau, expert_user, buyer)) or owner.current_membership is None:
        return
    expert = Expert.objects.filter(user=expert_user).first()
    org = owner.current_membership.organisation
    field = HighTechField.objects.order_by("pk").first()
    items = list(
        Achievement.objects.filter(owner=org, status=RecordStatus.PUBLISHED, is_demo=True).order_by(
            "pk"
        )[:3]
    )
    if len(items) < 3 or expert is None:
        return
    for a in items:  # the demo listings need these modes and a field
        a.allows_assignment = a.allows_license = True
        a.hightech_field = a.hightech_field or field
        a.save(update_fields=["allows_assignment", "allows_license", "hightech_field"])
    progress.advance(0, "生成成果转化示例")
    now = timezone.now()
    today = timezone.localdate()

    # Screening: TRL self-assessed and confirmed, scored, selected, catalogued.
    answers = {
        str(level): {
            "met": level <= 6,
            "evidence": f"示例证明材料（第{level}级）" if level <= 6 else "",
        }
        for level in range(1, 10)
    }
    screenings = []
    for a in items[:2]:
        assessment = trl.self_assess(owner, a, answers)
        trl.confirm(expert_user, assessment, 6)
        s = screening.open_screening(bureau, a, ROUND, [expert])
        screening.submit_sheet(expert_user, s, SCORES, "技术先进，产业化条件较好，建议入选目录。")
        screenings.append(
            screening.decide(bureau, s, "selected", "综合得分高于入选线，技术成熟度已达6级。")
        )
    catalog = catalogs.create_catalog(
        bureau,
        {
            "title": f"示例：{today.year}年优秀科技成果目录",
            "period": f"{today.year}年示例期",
            "introduction": "示例数据：由示例筛选批次中入选的科技成果编制。",
        },
    )
    for s in screenings:
        catalogs.add_entry(bureau, catalog, s)
    catalogs.publish(bureau, catalog)

    valuation.save_report(
        owner,
        items[0],
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

    # An open auction with a bid, and a sold one whose contract is registered.
    open_listing = listings.create_listing(
        owner,
        items[0],
        mode="license",
        reserve_price=Decimal("200000"),
        min_step=Decimal("10000"),
        starts_at=now - datetime.timedelta(days=1),
        ends_at=now + datetime.timedelta(days=14),
        terms="普通许可，许可期限5年，提供技术指导。",
    )
    listings.place_bid(buyer, open_listing, Decimal("200000"))
    sold = listings.create_listing(
        owner,
        items[1],
        mode="assignment",
        reserve_price=Decimal("300000"),
        min_step=Decimal("10000"),
        starts_at=now - datetime.timedelta(days=10),
        ends_at=now + datetime.timedelta(days=1),
    )
    listings.place_bid(buyer, sold, Decimal("320000"), now=now - datetime.timedelta(days=5))
    sold = listings.close_listing(owner, sold, now=now + datetime.timedelta(days=2))
    contract = sold.contract
    contracts.update_contract(
        owner,
        contract,
        subject="示例：相关技术及专利的转让。",
        signed_on=today,
        payment_terms="合同签订后30日内一次性支付。",
        field=contract.field or field,
    )
    contracts.submit_contract(owner, contract)
    contracts.register_contract(bureau, contract, tech_amount=contract.total_amount)
    registered = 1
    for kind, title, amount in (
        ("development", "示例：智能网联汽车感知算法委托开发", Decimal("800000")),
        ("service", "示例：光学元件检测技术服务", Decimal("120000")),
    ):
        c = contracts.create_contract(
            owner,
            kind=kind,
            title=title,
            subject=title.removeprefix("示例："),
            buyer_name="长春示例汽车零部件有限公司",
            buyer_in_city=True,
            total_amount=amount,
            declared_tech_amount=amount,
            payment_terms="按里程碑分三期支付。",
            signed_on=today,
            field=field,
        )
        contracts.submit_contract(owner, c)
        contracts.register_contract(bureau, c, tech_amount=amount)
        registered += 1
    result.add("成果筛选评价", len(screenings))
    result.add("成果目录", 1)
    result.add("成果挂牌", 2)
    result.add("登记技术合同", registered)
