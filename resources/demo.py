"""Demo records for the resource library, consistent with the demo organisations and chains.

Texts are composed from chain-specific phrases so that search and matching have realistic
Chinese to work on. `large` gives 1,000,000 achievements for the catalog benchmark.
"""

from __future__ import annotations

import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from core.choices import OrgType, Role
from core.demo import DemoResult, demo_step
from core.models import ChainNode, Discipline, HighTechField, Organisation, User
from core.services.jobs import Progress
from resources.choices import RecordStatus
from resources.models import Achievement, Demand, Expert, Instrument, Patent, Platform
from resources.search import tokens_for
from resources.validators import patent_check_digit

ACHIEVEMENTS = {"small": 300, "medium": 20_000, "large": 1_000_000}
PER_KIND = {"small": 60, "medium": 2_000, "large": 20_000}  # demands, experts, patents, …

# subject phrases, method phrases, effects and disciplines per chain (by chain code)
TOPICS = {
    "GD": (
        [
            "高功率半导体激光器",
            "柔性OLED显示面板",
            "红外光学镜头",
            "空间遥感相机",
            "光纤传感系统",
            "硅基光电子芯片",
            "车载激光雷达",
            "微纳光学元件",
        ],
        ["420", "140", "510"],
        "1",
    ),
    "QC": (
        [
            "动力电池热管理系统",
            "永磁同步驱动电机",
            "线控制动系统",
            "智能座舱域控制器",
            "轻量化铝合金车身",
            "车规级功率半导体",
            "自动驾驶感知融合算法",
        ],
        ["580", "460", "470"],
        "8",
    ),
    "SY": (
        [
            "单克隆抗体药物",
            "人参皂苷提取物",
            "mRNA疫苗递送系统",
            "医用可降解支架",
            "中药配方颗粒",
            "体外诊断试剂盒",
            "基因编辑细胞治疗",
        ],
        ["350", "360", "180"],
        "2",
    ),
    "NY": (
        [
            "玉米耐密抗倒新品种",
            "黑土地保护性耕作机具",
            "肉牛精准饲喂系统",
            "梅花鹿茸精深加工",
            "农业病虫害智能监测",
            "秸秆综合利用",
        ],
        ["210", "230", "550"],
        "7",
    ),
    "SZ": (
        [
            "工业互联网平台",
            "大数据隐私计算",
            "边缘智能计算终端",
            "5G专网通信模组",
            "区块链存证系统",
            "知识图谱问答系统",
        ],
        ["520", "510", "413"],
        "1",
    ),
    "ZB": (
        [
            "轨道客车转向架",
            "六轴工业机器人",
            "精密数控机床",
            "航天器热控组件",
            "智能光电测量仪器",
            "自动化焊接生产线",
        ],
        ["460", "590", "413"],
        "8",
    ),
    "CL": (
        [
            "碳纤维复合材料",
            "稀土永磁材料",
            "高性能铝镁合金",
            "聚乳酸生物基材料",
            "石墨烯导热膜",
            "钙钛矿光电材料",
        ],
        ["430", "150", "530"],
        "4",
    ),
}
METHODS = [
    "制备方法",
    "关键技术",
    "设计与集成",
    "检测装置",
    "控制方法",
    "产业化技术",
    "工艺优化",
    "测试平台",
]
EFFECTS = [
    "性能指标达到国际先进水平",
    "生产成本降低约20%",
    "能耗降低15%以上",
    "实现关键部件国产化替代",
    "良品率提高至98%",
    "使用寿命延长一倍",
    "检测效率提高3倍",
    "已在本地企业完成中试验证",
]
FEATURES = [
    "采用多尺度结构设计",
    "结合深度学习算法",
    "通过材料配方优化",
    "基于自主研发的工艺装备",
    "利用数字孪生技术",
    "引入在线监测与反馈控制",
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽"
RANKS = ["教授", "研究员", "副教授", "副研究员", "高级工程师", "正高级工程师"]


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


class _Vocab:
    def __init__(self):
        self.nodes: dict[str, list[int]] = {}
        for pk, chain in ChainNode.objects.values_list("pk", "chain__code"):
            self.nodes.setdefault(chain, []).append(pk)
        self.disciplines = dict(Discipline.objects.values_list("code", "pk"))
        self.fields = dict(HighTechField.objects.values_list("code", "pk"))
        self.chains = sorted(self.nodes)


def _text(rng: random.Random, chain: str) -> tuple[str, str, str]:
    subjects = TOPICS[chain][0]
    subject, method = rng.choice(subjects), rng.choice(METHODS)
    title = f"{subject}{method}" if rng.random() < 0.6 else f"一种{subject}的{method}"
    effect, feature = rng.choice(EFFECTS), rng.choice(FEATURES)
    summary = f"本成果面向{subject}的应用需求，{feature}，{effect}。"
    description = (
        f"{summary}项目团队围绕{subject}开展{method}研究，突破了{rng.choice(subjects)}等相关环节的技术瓶颈，"
        f"形成了具有自主知识产权的技术方案。{rng.choice(EFFECTS)}，可在{rng.choice(['长春', '吉林省', '东北地区'])}"
        f"相关企业推广应用。"
    )
    return title, summary, description


def _bulk(model, objects, m2m: list[tuple[str, list[list[int]]]]):
    """Insert objects and their many-to-many links; return the saved objects."""
    for obj in objects:
        obj.derive()
        obj.search_tokens = tokens_for(obj)
    model.objects.bulk_create(objects, batch_size=1000)
    if model.objects.model._meta.db_table and objects and objects[0].pk is None:
        raise RuntimeError("bulk_create did not return primary keys")
    for name, values in m2m:
        through = getattr(model, name).through
        src = f"{model._meta.model_name}_id"
        dst = f"{getattr(model, name).field.related_model._meta.model_name}_id"
        through.objects.bulk_create(
            [
                through(**{src: obj.pk, dst: v})
                for obj, vs in zip(objects, values, strict=True)
                for v in vs
            ],
            batch_size=5000,
        )


def _status(rng: random.Random) -> str:
    r = rng.random()
    return (
        RecordStatus.PUBLISHED
        if r < 0.9
        else RecordStatus.SUBMITTED
        if r < 0.96
        else RecordStatus.DRAFT
    )


@demo_step
def resource_demo(seed: int, scale: str, progress: Progress, result: DemoResult) -> None:
    if Achievement.objects.filter(is_demo=True).exists():
        return  # already generated for this database: a second run adds nothing
    rng = random.Random(seed * 7919)
    vocab = _Vocab()
    orgs = list(Organisation.objects.filter(is_demo=True).select_related("region").order_by("pk"))
    owners = [
        o
        for o in orgs
        if o.type in (OrgType.UNIVERSITY, OrgType.INSTITUTE, OrgType.ENTERPRISE, OrgType.HOSPITAL)
    ]
    enterprises = [o for o in orgs if o.type == OrgType.ENTERPRISE]
    institutes = [o for o in orgs if o.type in (OrgType.UNIVERSITY, OrgType.INSTITUTE)]
    creator = User.objects.filter(username="demo_institute").first()
    now = timezone.now()
    n_ach, n_other = ACHIEVEMENTS[scale], PER_KIND[scale]
    progress.start(n_ach + 5 * n_other, "生成示例科技资源")

    def stamp(obj, status):
        obj.status, obj.is_demo, obj.created_by = status, True, creator
        if status == RecordStatus.PUBLISHED:
            obj.published_at = now - timezone.timedelta(
                days=rng.randrange(0, 900), minutes=rng.randrange(1440)
            )
        return obj

    # Patents first, so that achievements can cite them.
    patents = []
    for i in range(n_other):
        chain = rng.choice(vocab.chains)
        owner = rng.choice(institutes or owners)
        year = rng.randrange(2015, 2026)
        kind_digit = rng.choice("112")
        digits = f"{year}{kind_digit}{i % 10_000_000:07d}"
        title, summary, _d = _text(rng, chain)
        patents.append(
            stamp(
                Patent(
                    owner=owner,
                    region=owner.region,
                    title=title,
                    abstract=summary,
                    application_number=f"{digits}.{patent_check_digit(digits)}",
                    applicants=owner.name,
                    type={"1": "invention", "2": "utility"}[kind_digit],
                    legal_status=rng.choice(["granted", "granted", "pending", "lapsed"]),
                    ipc_codes=rng.choice(
                        [
                            "H01S 5/00",
                            "G02B 13/00",
                            "B60L 58/00",
                            "A61K 36/00",
                            "C08L 67/04",
                            "G06N 3/08",
                        ]
                    ),
                ),
                RecordStatus.PUBLISHED,
            )
        )
    with transaction.atomic():
        _bulk(Patent, patents, [])
    progress.advance(n_other)
    result.add("专利", len(patents))

    batch = 5000
    for start in range(0, n_ach, batch):
        objs, nodes, discs = [], [], []
        for _ in range(min(batch, n_ach - start)):
            chain = rng.choice(vocab.chains)
            owner = rng.choice(owners)
            title, summary, description = _text(rng, chain)
            price = (
                None
                if rng.random() < 0.3
                else Decimal(rng.choice([20, 45, 80, 150, 300, 600, 1200, 3000]))
            )
            a = Achievement(
                owner=owner,
                region=owner.region,
                title=title,
                summary=summary,
                description=description,
                keywords="，".join(rng.sample(TOPICS[chain][0], 2)),
                inventors="、".join(_person(rng) for _ in range(3)),
                hightech_field_id=vocab.fields.get(TOPICS[chain][2]),
                trl=rng.randint(3, 9),
                allows_assignment=rng.random() < 0.5,
                allows_license=rng.random() < 0.6,
                allows_equity=rng.random() < 0.2,
                allows_cooperation=rng.random() < 0.5,
                asking_price=price,
                contact_name=_person(rng),
                contact_phone=f"1{rng.choice('3589')}{rng.randrange(10**8, 10**9)}",
            )
            objs.append(stamp(a, _status(rng)))
            nodes.append(rng.sample(vocab.nodes[chain], 2))
            discs.append([vocab.disciplines[c] for c in rng.sample(TOPICS[chain][1], 1)])
        with transaction.atomic():
            _bulk(Achievement, objs, [("chain_nodes", nodes), ("disciplines", discs)])
        progress.advance(len(objs), "生成示例科技成果")
    result.add("科技成果", n_ach)

    demands, d_nodes = [], []
    for _ in range(n_other):
        chain = rng.choice(vocab.chains)
        owner = rng.choice(enterprises)
        subject = rng.choice(TOPICS[chain][0])
        low = rng.choice([10, 30, 50, 100, 200])
        demands.append(
            stamp(
                Demand(
                    owner=owner,
                    region=owner.region,
                    title=f"寻求{subject}{rng.choice(METHODS)}合作",
                    description=f"我公司在{subject}方面存在技术瓶颈，希望与高校院所合作，{rng.choice(EFFECTS)}。",
                    keywords=subject,
                    budget_min=Decimal(low),
                    budget_max=Decimal(low * 3),
                    deadline=(now + timezone.timedelta(days=rng.randrange(30, 365))).date(),
                    cooperation_mode=rng.choice(
                        ["commissioned", "joint", "transfer", "license", "consulting"]
                    ),
                    challenge_ok=rng.random() < 0.3,
                    contact_name=_person(rng),
                    contact_phone=f"139{rng.randrange(10**7, 10**8)}",
                ),
                _status(rng),
            )
        )
        d_nodes.append(rng.sample(vocab.nodes[chain], 1))
    with transaction.atomic():
        _bulk(Demand, demands, [("chain_nodes", d_nodes)])
    progress.advance(n_other)
    result.add("技术需求", n_other)

    experts, e_nodes, e_discs = [], [], []
    for _ in range(n_other):
        chain = rng.choice(vocab.chains)
        owner = rng.choice(institutes)
        topics = rng.sample(TOPICS[chain][0], 3)
        works = [
            {
                "year": str(rng.randrange(2018, 2026)),
                "title": _text(rng, chain)[0],
                "abstract": _text(rng, chain)[1],
            }
            for _ in range(3)
        ]
        experts.append(
            stamp(
                Expert(
                    owner=owner,
                    region=owner.region,
                    title=_person(rng),
                    rank=rng.choice(RANKS),
                    keywords="，".join(topics),
                    bio=f"长期从事{topics[0]}和{topics[1]}研究。",
                    works=works,
                    phone=f"138{rng.randrange(10**7, 10**8)}",
                    email=f"expert{rng.randrange(10**6)}@example.edu.cn",
                ),
                RecordStatus.PUBLISHED,
            )
        )
        e_nodes.append(rng.sample(vocab.nodes[chain], 2))
        e_discs.append([vocab.disciplines[c] for c in TOPICS[chain][1][:2]])
    with transaction.atomic():
        _bulk(Expert, experts, [("chain_nodes", e_nodes), ("disciplines", e_discs)])
    progress.advance(n_other)
    result.add("专家", n_other)

    platforms, p_nodes = [], []
    for _ in range(max(10, n_other // 4)):
        chain = rng.choice(vocab.chains)
        owner = rng.choice(institutes + enterprises[:50])
        kind = rng.choice(
            [
                "key_lab",
                "engineering_centre",
                "incubator",
                "makerspace",
                "pilot_base",
                "proof_of_concept",
                "new_rd",
            ]
        )
        level = rng.choice(["national", "provincial", "provincial", "municipal", "municipal"])
        subject = rng.choice(TOPICS[chain][0])
        label = {
            "key_lab": "重点实验室",
            "engineering_centre": "工程技术研究中心",
            "incubator": "孵化器",
            "makerspace": "众创空间",
            "pilot_base": "中试基地",
            "proof_of_concept": "概念验证中心",
            "new_rd": "研究院",
        }[kind]
        platforms.append(
            stamp(
                Platform(
                    owner=owner,
                    region=owner.region,
                    title=f"吉林省{subject}{label}",
                    type=kind,
                    level=level,
                    services=f"提供{subject}相关的技术研发、检测验证和成果转化服务。",
                ),
                RecordStatus.PUBLISHED,
            )
        )
        p_nodes.append(rng.sample(vocab.nodes[chain], 1))
    with transaction.atomic():
        _bulk(Platform, platforms, [("chain_nodes", p_nodes)])
    progress.advance(n_other)
    result.add("创新平台", len(platforms))

    instruments = []
    names = [
        "场发射扫描电子显微镜",
        "高分辨透射电子显微镜",
        "X射线衍射仪",
        "核磁共振波谱仪",
        "激光共聚焦显微镜",
        "液相色谱-质谱联用仪",
        "电感耦合等离子体质谱仪",
        "三坐标测量机",
        "热分析仪",
        "流式细胞仪",
    ]
    for _ in range(max(10, n_other // 2)):
        owner = rng.choice(institutes)
        instruments.append(
            stamp(
                Instrument(
                    owner=owner,
                    region=owner.region,
                    title=rng.choice(names),
                    model_number=f"{rng.choice(['JEM', 'SU', 'D8', 'AVANCE', 'LSM'])}-{rng.randrange(100, 9999)}",
                    original_value=Decimal(rng.choice([55, 120, 260, 480, 900, 1500])),
                    sharing_terms="工作日预约使用，校外用户需提前3个工作日提交样品说明。",
                    fee=f"{rng.choice([200, 400, 800])}元/机时",
                ),
                RecordStatus.PUBLISHED,
            )
        )
    with transaction.atomic():
        _bulk(Instrument, instruments, [])
    progress.advance(n_other)
    result.add("大型科研仪器", len(instruments))

    # The demo logins get records of their own to edit.
    login = (
        User.objects.filter(username="demo_enterprise").select_related("current_membership").first()
    )
    if login and login.current_membership and login.current_membership.role == Role.ENTERPRISE:
        Demand.objects.filter(pk__in=[d.pk for d in demands[:3]]).update(
            owner=login.current_membership.organisation, created_by=login
        )
