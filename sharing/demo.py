"""Demo sharing and voucher records, made through the same services the pages use where the
flow starts today (slots, bookings, claims, vouchers, redemptions) and with the factories for
the months already past (used slots with confirmed usage), so the statistics, the 先用后补
claim and the evaluation have a year to show.

The demo university (demo_institute) hosts instruments; the demo enterprise books them, claims
先用后补 and holds an innovation voucher; the demo broker's 长春技术转移中心 is a registered
provider that redeems part of it and claims settlement."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from core.demo import DemoResult, demo_step
from core.models import User
from core.services.jobs import Progress
from cultivation.models import PoolMembership
from resources.choices import RecordStatus
from resources.models import Instrument
from sharing.choices import BookingStatus, ServiceCategory, UsageStatus
from sharing.factories import BookingFactory, SlotFactory, UsageFactory
from sharing.models import ServiceProvider, VoucherProgram
from sharing.services import (
    abuse,
    bookings,
    evaluation,
    providers,
    redemptions,
    settlement,
    subsidies,
    vouchers,
)

PROGRAM_NAME = "示例：长春市科技创新券"
SAMPLES = [
    ("锂电池正极材料粉末，约5克", "表面形貌观察与能谱分析", 3),
    ("光学薄膜样片 10mm×10mm", "膜层截面形貌与厚度测量", 4),
    ("汽车零部件断口试样", "断口形貌观察，判断失效原因", 2),
    ("生物医用高分子材料", "微观结构表征", 5),
]


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).select_related("current_membership").first()


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _past_usage(rng, instruments, users, today, share: float) -> tuple[int, int]:
    """Slots on working days of this year before today, about `share` of them used with
    confirmed usage: (slots, usage records)."""
    made = used = 0
    day = datetime.date(today.year, 1, 5)
    while day < today - datetime.timedelta(days=1) and made < 40:
        if day.weekday() < 5 and rng.random() < 0.35:
            instrument = rng.choice(instruments)
            slot = SlotFactory(instrument=instrument, starts_at=_at(day, 9), ends_at=_at(day, 12))
            # Some slots stayed free: offered hours the utilisation counts.
            if rng.random() < share:
                used += 1
                user = rng.choice(users)
                sample, service, count = rng.choice(SAMPLES)
                booking = BookingFactory(
                    slot=slot,
                    requester=user,
                    sample_description=sample,
                    service_requested=service,
                    sample_count=count,
                    status=BookingStatus.USED,
                )
                hours = Decimal(rng.choice(["2", "2.5", "3"]))
                UsageFactory(
                    booking=booking,
                    hours=hours,
                    samples=count,
                    fee=hours * Decimal(rng.choice([200, 400, 800])),
                    service_summary=f"完成{count}个样品的{service}，出具测试报告。",
                    status=UsageStatus.CONFIRMED,
                    recorded_by=user,
                    confirmed_by=user,
                    satisfaction=rng.choice([4, 5, 5, 3, 5]),
                )
            made += 1
        day += datetime.timedelta(days=1)
    return made, used


@demo_step
def sharing_demo(seed: int, scale: str, progress: Progress, result: DemoResult) -> None:
    if VoucherProgram.objects.filter(name__startswith=PROGRAM_NAME).exists():
        return  # already generated for this database: a second run adds nothing
    host = _user("demo_institute")
    bureau = _user("demo_city")
    enterprise = _user("demo_enterprise")
    broker = _user("demo_broker")
    if not all((host, bureau, enterprise, broker)) or host.current_membership is None:
        return
    host_org = host.current_membership.organisation
    instruments = list(
        Instrument.objects.filter(owner=host_org, status=RecordStatus.PUBLISHED).order_by("pk")[:3]
    )
    if not instruments:
        return
    progress.advance(0, "生成共享服务示例")
    rng = random.Random(seed * 104729)
    today = timezone.localdate()
    year = today.year

    # The year so far: slots used by the demo enterprise and other organisations.
    users = [enterprise] + [
        u
        for u in User.objects.filter(is_demo=True, current_membership__role="enterprise").exclude(
            current_membership__organisation=host_org
        )[:5]
    ]
    # Other hosts' instruments too, used more or less, so the evaluation has hosts to grade.
    others = (
        Instrument.objects.filter(status=RecordStatus.PUBLISHED, is_demo=True)
        .exclude(owner=host_org)
        .order_by("owner_id", "pk")
    )
    hosts = [(instruments, 0.7)]
    seen: set[int] = set()
    for instrument in others:
        if instrument.owner_id not in seen and len(seen) < 4:
            seen.add(instrument.owner_id)
            hosts.append(([instrument], (0.2, 0.45, 0.6, 0.85)[len(seen) - 1]))
    slots = usage = 0
    for host_instruments, share in hosts:
        host_users = [
            u for u in users if u.current_membership.organisation_id != host_instruments[0].owner_id
        ]
        made, used = _past_usage(rng, host_instruments, host_users, today, share)
        slots, usage = slots + made, usage + used
    result.add("仪器开放时段（本年已过）", slots)
    result.add("仪器使用记录（本年）", usage)

    # The next two weeks: working-day slots, one booking waiting, one approved.
    opened = []
    for instrument in instruments:
        opened += bookings.open_batch(
            host,
            instrument,
            date_from=today + datetime.timedelta(days=1),
            date_to=today + datetime.timedelta(days=14),
            periods="09:00-12:00, 13:30-17:30",
            workdays_only=True,
            note="示例开放时段",
        )
    result.add("仪器开放时段", len(opened))
    first, second = opened[0], opened[2]
    waiting = bookings.book(enterprise, first, *SAMPLES[0])
    approved = bookings.book(enterprise, second, *SAMPLES[1])
    bookings.approve(host, approved)
    result.add("仪器预约", 2)
    del waiting

    # 先用后补: the year's policy and the demo enterprise's claim, approved.
    subsidies.save_policy(
        bureau,
        year=year,
        rate=Decimal("0.3"),
        cap_per_user=Decimal("200000"),
        budget=Decimal("5000000"),
        claims_from=datetime.date(year, 1, 1),
        claims_until=datetime.date(year + 1, 3, 31),
        note="示例：补贴比例与上限以市科技局当年文件为准",
    )
    if subsidies.claimable_records(enterprise.current_membership.organisation, year).exists():
        claim = subsidies.submit_claim(enterprise, year)
        subsidies.approve_claim(bureau, claim)
        result.add("先用后补申请", 1)

    # The year's open-sharing evaluation (a draft the bureau can check and publish).
    evaluation.run_evaluation(bureau, year)
    result.add("开放共享评价", 1)

    # A registered provider: the demo broker's technology transfer centre.
    provider = ServiceProvider.objects.filter(
        organisation=broker.current_membership.organisation
    ).first() or providers.apply(
        broker,
        categories=[ServiceCategory.TESTING, ServiceCategory.RD, ServiceCategory.BROKERAGE],
        services="材料检测、技术评价、技术转移全流程服务。",
        qualifications="检验检测机构资质认定（CMA） | 220012340001 | 2029-12-31",
        contact_name="陈经纪",
        contact_phone="0431-85551234",
    )
    providers.decide(bureau, provider, "register")
    result.add("科技服务机构", 1)

    # Innovation vouchers: a program, the demo enterprise's voucher, partly redeemed and settled.
    own_org = enterprise.current_membership.organisation
    in_pool = PoolMembership.objects.current().filter(organisation=own_org, tier="sme_tech")
    program = vouchers.create_program(
        bureau,
        name=f"{PROGRAM_NAME}（{year}年第一批）",
        year=year,
        description="支持科技型中小企业购买检验检测、研发设计和仪器共享服务。",
        budget=Decimal("2000000"),
        face_values="10000,30000,50000",
        max_share=Decimal("0.5"),
        eligible_tiers=["sme_tech"] if in_pool.exists() else [],
        categories=[ServiceCategory.TESTING, ServiceCategory.RD, ServiceCategory.INSTRUMENT],
        apply_from=today - datetime.timedelta(days=30),
        apply_until=today + datetime.timedelta(days=60),
        valid_days=180,
    )
    vouchers.open_program(bureau, program)
    application = vouchers.apply_for_voucher(
        enterprise,
        program,
        face_value=Decimal("30000"),
        category=ServiceCategory.TESTING,
        purpose="新产品第三方检测与可靠性试验",
    )
    voucher = vouchers.approve_application(bureau, application)
    redemption = redemptions.redeem(
        broker,
        voucher.code,
        own_org.uscc,
        f"CJZX-{year}-001",
        today,
        ServiceCategory.TESTING,
        Decimal("24000"),
        "激光器模组可靠性试验与检测报告",
        Decimal("12000"),
    )
    redemptions.rate(enterprise, redemption, 5, "报告及时，沟通顺畅")
    claim = settlement.claim_settlement(broker, program)
    settlement.approve_claim(bureau, claim)
    abuse.scan(program)
    result.add("创新券", 1)
