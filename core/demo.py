"""Deterministic demo data: `kechuang demo --seed N --scale small|medium|large`.

Everything generated is flagged `is_demo` and shown as 示例数据. Running it twice with the same
seed adds nothing the second time and removes nothing: records are keyed by their natural keys
(统一社会信用代码, username), which the seed fixes.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from core.choices import OrgSize, OrgType, Role
from core.dbutils import refresh_planner_statistics
from core.factories import OrganisationFactory, demo_password_hash, make_uscc
from core.models import ChainNode, IndustrySection, Membership, Organisation, Region, User
from core.services.jobs import Progress, job_handler

SCALES = {"small": 8, "medium": 60, "large": 600}  # generated enterprises per region

# Institutions the plan names; their codes are generated, so they too are demo records.
PLAN_INSTITUTIONS = [
    ("吉林大学", OrgType.UNIVERSITY, "220104", "P"),
    ("长春理工大学", OrgType.UNIVERSITY, "220173", "P"),
    ("东北师范大学", OrgType.UNIVERSITY, "220102", "P"),
    ("长春工业大学", OrgType.UNIVERSITY, "220104", "P"),
    ("吉林农业大学", OrgType.UNIVERSITY, "220172", "P"),
    ("长春中医药大学", OrgType.UNIVERSITY, "220172", "P"),
    ("中国科学院长春光学精密机械与物理研究所", OrgType.INSTITUTE, "220173", "M"),
    ("中国科学院长春应用化学研究所", OrgType.INSTITUTE, "220104", "M"),
    ("中国科学院东北地理与农业生态研究所", OrgType.INSTITUTE, "220172", "M"),
    ("吉林省农业科学院", OrgType.INSTITUTE, "220105", "M"),
    ("吉林大学第一医院", OrgType.HOSPITAL, "220104", "Q"),
    ("长春市科学技术局", OrgType.GOVERNMENT, "220102", "S"),
    ("长春高新技术产业开发区管理委员会", OrgType.GOVERNMENT, "220173", "S"),
    ("长春技术转移中心", OrgType.SERVICE_AGENCY, "220173", "M"),
    ("长春北湖科技园孵化器", OrgType.INCUBATOR, "220173", "M"),
]

_BRANDS = list("华光启明瑞恒博睿泰凯鑫达盛远航智宏嘉信诚润锐卓昊天晟曜维铭拓")
_CHAIN_WORDS = {
    "GD": ["光电", "激光", "光学", "显示技术", "光电子", "卫星技术"],
    "QC": ["汽车零部件", "新能源汽车", "汽车电子", "智能网联", "动力系统"],
    "SY": ["生物制药", "医疗器械", "中药", "生物技术", "基因科技"],
    "NY": ["种业", "农业科技", "农机装备", "食品", "生态农业"],
    "SZ": ["软件", "信息技术", "数据科技", "人工智能", "通信技术"],
    "ZB": ["智能装备", "机器人", "轨道交通装备", "精密仪器", "自动化"],
    "CL": ["新材料", "碳纤维", "稀土材料", "化工材料", "复合材料"],
}
_CHAIN_INDUSTRY = {"GD": "C", "QC": "C", "SY": "C", "NY": "A", "SZ": "I", "ZB": "C", "CL": "C"}
_SUFFIXES = ["有限公司", "股份有限公司", "科技有限公司", "有限责任公司"]
_SIZES = [OrgSize.MICRO, OrgSize.SMALL, OrgSize.SMALL, OrgSize.MEDIUM, OrgSize.LARGE]

# username, display name, role, organisation, district-admin region, org admin
DEMO_LOGINS = [
    ("demo_public", "王公众", Role.PUBLIC, None, None, False),
    ("demo_enterprise", "李企业", Role.ENTERPRISE, "enterprise", None, True),
    ("demo_institute", "张科研", Role.INSTITUTE, "吉林大学", None, True),
    ("demo_expert", "刘专家", Role.EXPERT, "中国科学院长春光学精密机械与物理研究所", None, False),
    ("demo_broker", "陈经纪", Role.BROKER, "长春技术转移中心", None, False),
    (
        "demo_district",
        "赵区管",
        Role.DISTRICT_ADMIN,
        "长春高新技术产业开发区管理委员会",
        "220173",
        False,
    ),
    ("demo_city", "孙市管", Role.CITY_ADMIN, "长春市科学技术局", None, False),
    ("demo_leader", "周领导", Role.LEADER, "长春市科学技术局", None, False),
]


@dataclass
class DemoResult:
    """How many records of each kind a run added, by the kind's Chinese name."""

    created: dict[str, int] = field(default_factory=dict)

    def add(self, label: str, n: int) -> None:
        self.created[label] = self.created.get(label, 0) + n

    @property
    def organisations_created(self) -> int:
        return self.created.get("单位", 0)

    def summary(self) -> str:
        return "，".join(f"{label} {n} 条" for label, n in self.created.items())


DemoStep = Callable[[int, str, Progress, DemoResult], None]
_STEPS: list[DemoStep] = []


def demo_step(func: DemoStep) -> DemoStep:
    """Register a later module's demo records; they run after organisations and users exist."""
    _STEPS.append(func)
    return func


def _enterprise_name(rng: random.Random, chain_code: str, region: Region, used: set[str]) -> str:
    place = "长春" if region.kind in ("district", "dev_zone") else region.name[:2]
    while True:
        brand = "".join(rng.sample(_BRANDS, 2))
        name = f"{place}{brand}{rng.choice(_CHAIN_WORDS[chain_code])}{rng.choice(_SUFFIXES)}"
        if name not in used:
            used.add(name)
            return name


def build_organisations(seed: int, scale: str) -> list[tuple[Organisation, list[str]]]:
    """The organisations for a seed and scale, unsaved, each with its chain-node codes."""
    rng = random.Random(seed)
    regions = list(Region.objects.exclude(kind="city").order_by("code"))
    region_by_code = {r.code: r for r in regions}
    industries = {s.code: s for s in IndustrySection.objects.all()}
    nodes_by_chain: dict[str, list[str]] = {}
    for code, chain_code in ChainNode.objects.values_list("code", "chain__code"):
        nodes_by_chain.setdefault(chain_code, []).append(code)
    chains = sorted(nodes_by_chain)

    built: list[tuple[Organisation, list[str]]] = []
    for name, org_type, region_code, industry in PLAN_INSTITUTIONS:
        region = region_by_code[region_code]
        org = OrganisationFactory.build(
            name=name,
            type=org_type,
            region=region,
            industry=industries[industry],
            size=OrgSize.LARGE,
            uscc=make_uscc(rng, region_code, org_type),
            is_demo=True,
        )
        built.append((org, []))

    used: set[str] = set()
    per_region = SCALES[scale]
    for region in regions:
        for _ in range(per_region):
            chain = rng.choice(chains)
            nodes = rng.sample(nodes_by_chain[chain], k=min(2, len(nodes_by_chain[chain])))
            org = OrganisationFactory.build(
                name=_enterprise_name(rng, chain, region, used),
                type=OrgType.ENTERPRISE,
                region=region,
                industry=industries[_CHAIN_INDUSTRY[chain]],
                size=rng.choice(_SIZES),
                uscc=make_uscc(rng, region.code, OrgType.ENTERPRISE),
                contact_phone=f"0431-8{rng.randrange(10**6, 10**7)}",
                is_demo=True,
            )
            built.append((org, nodes))
    return built


def generate(seed: int = 1, scale: str = "small", progress: Progress | None = None) -> DemoResult:
    if scale not in SCALES:
        raise ValueError(f"未知的规模“{scale}”，可选：{'、'.join(SCALES)}。")
    progress = progress or Progress()
    result = DemoResult()
    built = build_organisations(seed, scale)
    progress.start(len(built) + len(DEMO_LOGINS), "生成示例单位")

    existing = set(
        Organisation.objects.filter(uscc__in=[o.uscc for o, _ in built]).values_list(
            "uscc", flat=True
        )
    )
    node_ids = dict(ChainNode.objects.values_list("code", "pk"))
    batch = 1000
    for start in range(0, len(built), batch):
        chunk = [(o, n) for o, n in built[start : start + batch] if o.uscc not in existing]
        with transaction.atomic():
            Organisation.objects.bulk_create([o for o, _ in chunk])
            saved = dict(
                Organisation.objects.filter(uscc__in=[o.uscc for o, _ in chunk]).values_list(
                    "uscc", "pk"
                )
            )
            through = Organisation.chain_nodes.through
            through.objects.bulk_create(
                [
                    through(organisation_id=saved[o.uscc], chainnode_id=node_ids[code])
                    for o, nodes in chunk
                    for code in nodes
                ]
            )
        result.add("单位", len(chunk))
        progress.advance(len(built[start : start + batch]))

    first_enterprise = next(o for o, _ in built if o.type == OrgType.ENTERPRISE)
    password = demo_password_hash()
    with transaction.atomic():
        for username, display, role, org_name, region_code, org_admin in DEMO_LOGINS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "display_name": display,
                    "password": password,
                    "email": f"{username}@demo.kechuang.cn",
                    "phone": f"1380431{rng_phone(username)}",
                    "is_demo": True,
                    "is_staff": role in (Role.CITY_ADMIN, Role.DISTRICT_ADMIN),
                },
            )
            result.add("账号", int(created))
            if org_name is not None and created:
                if org_name == "enterprise":
                    org = Organisation.objects.get(uscc=first_enterprise.uscc)
                else:
                    org = Organisation.objects.get(name=org_name, is_demo=True)
                membership = Membership.objects.create(
                    user=user,
                    organisation=org,
                    role=role,
                    region=Region.objects.get(code=region_code) if region_code else None,
                    is_org_admin=org_admin,
                )
                user.current_membership = membership
                user.save(update_fields=["current_membership"])
            progress.advance(1)
    for step in _STEPS:
        step(seed, scale, progress, result)
    refresh_planner_statistics()
    return result


def rng_phone(username: str) -> str:
    return f"{sum(map(ord, username)) % 10000:04d}"


@job_handler("demo", permission="core.run_demo_job")
def demo_job(params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    result = generate(int(params.get("seed", 1)), params.get("scale", "small"), progress)
    progress.advance(0, f"新增：{result.summary()}。")
    return result.created
