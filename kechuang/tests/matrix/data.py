"""The matrix's objects: one of each kind an endpoint opens, owned by the enterprise persona's
organisation (长春华锐光电, in the district admin's 高新区) unless a flow needs another owner, so
every other persona is "another organisation" to it. Built once per test class with the apps'
factories, or their services where a row alone would not be a realistic state.
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from django.utils import timezone

from core.choices import Role
from core.factories import MembershipFactory, OrganisationFactory
from core.models import Job
from kechuang.tests.matrix import data_apps, data_programs, data_sharing
from resources.choices import PlatformLevel, PlatformType, RecordStatus
from resources.factories import (
    AchievementFactory,
    DemandFactory,
    ExpertFactory,
    InstrumentFactory,
    PatentFactory,
)
from resources.models import Platform, Subscription
from resources.search import tokens_for


def _platform(**fields) -> Platform:
    record = Platform(
        title="长春光电子器件中试基地",
        type=PlatformType.PILOT_BASE,
        level=PlatformLevel.MUNICIPAL,
        **fields,
    )
    record.search_tokens = tokens_for(record)
    record.save()
    return record


def build(tc) -> SimpleNamespace:
    """Everything the matrix opens. `tc` is the PersonaTestCase class with its personas."""
    d = SimpleNamespace()
    d.owner_org = tc.enterprise_org
    d.third_org = OrganisationFactory(name="长春瑞恒新材料有限公司", region=tc.nanguan)
    d.third_user = MembershipFactory(
        user__username="third_enterprise", organisation=d.third_org, role=Role.ENTERPRISE
    ).user
    # A second broker: the match below is theirs, so the broker persona is an outsider to it.
    d.other_broker = MembershipFactory(
        user__username="other_broker", organisation=tc.agency, role=Role.BROKER
    ).user
    _core(tc, d)
    _resources(tc, d)
    _bridging(tc, d)
    data_programs.build(tc, d)
    data_apps.build(tc, d)
    data_sharing.build(tc, d)
    return d


def _core(tc, d) -> None:
    from core.models import ChainNode

    d.organisation = tc.enterprise_org
    d.region = tc.hightech_zone
    d.chain_node = ChainNode.objects.order_by("code").first()
    d.job = Job.objects.create(
        kind="resources.import", title="导入科技成果", created_by=tc.enterprise
    )


def _resources(tc, d) -> None:
    owner = {"owner": tc.enterprise_org, "created_by": tc.enterprise, "status": RecordStatus.DRAFT}
    d.draft_achievements = AchievementFactory(title="未公开的激光器封装成果", **owner)
    d.draft_demands = DemandFactory(title="未公开的电池回收需求", **owner)
    d.draft_experts = ExpertFactory(title="未公开的专家", **owner)
    d.draft_platforms = _platform(
        owner=tc.enterprise_org,
        region=tc.hightech_zone,
        created_by=tc.enterprise,
        status=RecordStatus.DRAFT,
    )
    d.draft_instruments = InstrumentFactory(title="未公开的电镜", **owner)
    d.draft_patents = PatentFactory(title="未公开的光学镜头专利", **owner)
    # A draft of another district (南关区): the district admin is outside it.
    d.nanguan_draft = AchievementFactory(
        title="南关区未公开成果",
        owner=tc.other_enterprise_org,
        created_by=tc.other_enterprise,
        status=RecordStatus.DRAFT,
    )
    d.published_achievement = AchievementFactory(owner=tc.enterprise_org, created_by=tc.enterprise)
    d.published_demand = DemandFactory(owner=tc.enterprise_org, created_by=tc.enterprise)
    d.published_expert = ExpertFactory(owner=tc.university)
    d.subscription = Subscription.objects.create(
        user=tc.enterprise, kind="achievements", name="激光器成果", query="q=激光"
    )


def _bridging(tc, d) -> None:
    from bridging.choices import MatchStatus, SupplyKind
    from bridging.models import Match

    supply = AchievementFactory(title="对接用的电池回收成果", owner=d.third_org)
    nanguan_demand = DemandFactory(
        title="南关区企业的需求", owner=tc.other_enterprise_org, created_by=tc.other_enterprise
    )
    d.nanguan_match = Match.objects.create(
        demand=nanguan_demand,
        supply_kind=SupplyKind.ACHIEVEMENT,
        achievement=AchievementFactory(title="南关对接成果", owner=d.third_org),
        status=MatchStatus.CONTACTED,
        broker=d.other_broker,
        created_by=d.other_broker,
    )
    d.match = Match.objects.create(
        demand=d.published_demand,
        supply_kind=SupplyKind.ACHIEVEMENT,
        achievement=supply,
        status=MatchStatus.CONTACTED,
        broker=d.other_broker,
        created_by=d.other_broker,
        next_step="约双方面谈",
        next_step_due=timezone.localdate() + datetime.timedelta(days=7),
    )
