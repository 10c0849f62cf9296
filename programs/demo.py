"""Demo science programs: an open call with applications at several steps, a 揭榜挂帅 榜单
from enterprises' demands, and a closed call under review with its panel built, so every role
has something of its own to open. Made through the same services the pages use."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from core.choices import OrgType, Role
from core.demo import DemoResult, demo_step
from core.models import Membership, Organisation, User
from core.services.jobs import Progress
from programs.choices import AttachmentKind, CallKind
from programs.exceptions import PanelError
from programs.factories import PDF_BYTES
from programs.models import Application, Call
from programs.services import applications as service
from programs.services import calls, review
from resources.choices import RecordStatus
from resources.models import Demand, Expert
from resources.search import tokens_for

BUDGET = {"equipment": "30", "business": "50", "labour": "20", "indirect": "20"}
IDEAS = [
    ("车规级激光雷达光学系统设计与验证", "激光雷达，光学设计，车规级", "光电信息"),
    ("高功率半导体激光器封装与散热技术", "半导体激光器，封装，散热", "光电信息"),
    ("新能源汽车电驱动系统碳化硅功率模块", "碳化硅，电驱动，功率模块", "汽车"),
    ("玉米秸秆高值化利用关键技术", "秸秆，生物基材料，玉米", "现代农业"),
    ("人参皂苷高效制备与质量控制", "人参皂苷，中药，质量控制", "生物医药"),
    ("工业机器人视觉引导与精密装配", "机器视觉，工业机器人，装配", "高端装备"),
]


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).select_related("current_membership").first()


def _applicant(org: Organisation, username: str) -> User:
    """A preparer account for a generated organisation (demo records need someone to act)."""
    user, created = User.objects.get_or_create(
        username=username, defaults={"display_name": f"{org.name[:6]}申报员"}
    )
    if created:
        user.set_unusable_password()
        user.save()
        membership = Membership.objects.create(
            user=user, organisation=org, role=Role.ENTERPRISE, is_org_admin=True
        )
        user.current_membership = membership
        user.save(update_fields=["current_membership"])
    return user


def _apply(user, call, topic, idea, seed_text: str) -> Application:
    title, keywords, _chain = idea
    application = service.create_application(
        user,
        call,
        title=title,
        topic=topic,
        keywords=keywords,
        summary=f"{title}：{seed_text}",
        pi_name=user.display_name or user.username,
        requested_funding=Decimal("80"),
        self_funding=Decimal("40"),
        budget=BUDGET,
    )
    upload = ContentFile(PDF_BYTES, name="申报书正文.pdf")
    service.add_attachment(user, application, AttachmentKind.PROPOSAL, upload)
    Application.objects.filter(pk=application.pk).update(is_demo=True)
    return application


@demo_step
def programs_demo(seed: int, scale: str, progress: Progress, result: DemoResult) -> None:
    if Call.objects.filter(is_demo=True).exists():
        return  # already generated for this database: a second run adds nothing
    city = _user("demo_city")
    if city is None:
        return
    rng = random.Random(seed * 6007)
    now = timezone.now()
    progress.start(4, "生成示例科技计划")
    common = {
        "program": "长春市科技发展计划",
        "budget_total": Decimal("3000"),
        "max_funding": Decimal("100"),
        "is_demo": True,
    }

    # 1. An open call: the demo enterprise has a draft, the institute a confirmed application.
    open_call = calls.create_call(
        city,
        title="2026年度长春市重点研发计划（光电信息与先进制造）",
        year=2026,
        kind=CallKind.GENERAL,
        description="围绕“光、车、药、农”等重点产业链关键核心技术，支持企业联合高校院所攻关。",
        opens_at=now - datetime.timedelta(days=7),
        closes_at=now + datetime.timedelta(days=30),
        topics=[
            {
                "code": "GD01",
                "title": "光电信息关键器件",
                "description": "激光器、光学系统与光电芯片。",
            },
            {
                "code": "QC01",
                "title": "新能源汽车核心部件",
                "description": "电驱动、电控与车规级芯片。",
            },
            {
                "code": "ZB01",
                "title": "高端装备与智能制造",
                "description": "工业机器人与精密装配。",
            },
        ],
        **common,
    )
    open_call = calls.publish_call(city, open_call)
    topics = list(open_call.topics.all())
    enterprise, institute = _user("demo_enterprise"), _user("demo_institute")
    if enterprise and enterprise.current_membership:
        _apply(enterprise, open_call, topics[0], IDEAS[0], "面向车载激光雷达的光学系统。")
        result.add("项目申报书", 1)
    if institute and institute.current_membership:
        application = _apply(institute, open_call, topics[0], IDEAS[1], "提高输出功率与寿命。")
        service.submit_application(institute, application)
        service.confirm_application(institute, application)
        result.add("项目申报书", 1)
    progress.advance(1)

    # 2. 揭榜挂帅: the 榜单 are enterprises' published demands, each with a reward.
    demands = list(Demand.objects.filter(status=RecordStatus.PUBLISHED, is_demo=True)[:3])
    if demands:
        challenge = calls.create_call(
            city,
            title="2026年度长春市“揭榜挂帅”科技攻关榜单",
            year=2026,
            kind=CallKind.CHALLENGE,
            description="企业出题、政府立榜、能者揭榜：面向全国征集揭榜团队，揭榜成功后按约定兑现榜单金额。",
            opens_at=now - datetime.timedelta(days=3),
            closes_at=now + datetime.timedelta(days=45),
            topics=[
                {
                    "code": f"JB{i + 1:02d}",
                    "title": demand.title[:200],
                    "description": demand.description or demand.title,
                    "demand": demand,
                    "reward": Decimal(rng.choice([100, 200, 300, 500])),
                }
                for i, demand in enumerate(demands)
            ],
            **common,
        )
        challenge = calls.publish_call(city, challenge)
    progress.advance(1)

    # 3. A call under review: three applications from three organisations, panel built.
    review_call = calls.create_call(
        city,
        title="2026年度长春市科技发展计划（第一批）",
        year=2026,
        kind=CallKind.GENERAL,
        description="第一批项目已完成申报与形式审查，正在组织专家评审。",
        opens_at=now - datetime.timedelta(days=60),
        closes_at=now + datetime.timedelta(days=1),
        reviewers_per_application=5,
        alternates=2,
        **common,
    )
    review_call = calls.publish_call(city, review_call)
    enterprises = list(
        Organisation.objects.filter(is_demo=True, type=OrgType.ENTERPRISE)
        .exclude(memberships__isnull=False)
        .order_by("pk")[:3]
    )
    for n, (org, idea) in enumerate(zip(enterprises, IDEAS[2:5], strict=False)):
        user = _applicant(org, f"demo_applicant{n + 1}")
        application = _apply(user, review_call, None, idea, "企业牵头、产学研联合攻关。")
        service.submit_application(user, application)
        service.confirm_application(user, application)
        service.accept_application(city, application)
        result.add("项目申报书", 1)
    progress.advance(1)
    _expert_for_demo_login()
    try:
        panel = review.build_panel(city, review_call)
        result.add("评审邀请", panel["invited"])
    except PanelError as error:  # too few experts: the call waits for its panel, and says why
        progress.advance(0, error.message)
    Call.objects.filter(pk=review_call.pk).update(closes_at=now - datetime.timedelta(days=5))
    result.add("申报指南", Call.objects.filter(is_demo=True).count())
    progress.advance(1)


def _expert_for_demo_login() -> None:
    """The demo expert login gets an expert profile, so invitations reach it."""
    user = _user("demo_expert")
    if user is None or Expert.objects.filter(user=user).exists() or not user.current_membership:
        return
    org = user.current_membership.organisation
    expert = Expert(
        owner=org,
        region=org.region,
        title=user.display_name or "刘专家",
        user=user,
        keywords="新能源汽车，电驱动，碳化硅，功率模块，秸秆，生物基材料，人参皂苷",
        bio="长期从事电驱动系统与功率电子研究，兼及农业生物质利用。",
        works=[
            {
                "title": "碳化硅功率模块在电驱动系统中的应用",
                "abstract": "电驱动功率模块。",
                "year": 2024,
            },
            {"title": "玉米秸秆生物基材料制备", "abstract": "秸秆高值化利用。", "year": 2023},
        ],
        status=RecordStatus.PUBLISHED,
        published_at=timezone.now(),
        is_demo=True,
    )
    expert.search_tokens = tokens_for(expert)
    expert.save()
