"""The enterprise input: every field a rule set may read, with its kind, unit and labels.

One record per enterprise (docs/assessment-input.md is the same list for people). Amounts are
in 元, staff in persons, ratios as fractions (0.1 = 10 %), dates ISO `YYYY-MM-DD`. Yearly
fields are lists of up to three figures, oldest first, the last one for `year` (default: the
year before the assessment date); a shorter list fills the latest years. Figures for years
before the founding year are ignored.

A field left out or null is *missing*: criteria that need it report missing data instead of
inventing a zero — except the fields marked `absent_is_none`, where leaving it out means there
is none (no awards, no certificate).
"""

from __future__ import annotations

from dataclasses import dataclass

YEARS = 3  # yearly figures kept: the latest three fiscal years


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # number | yearly | bool | date | category | records
    unit: str  # yuan | person | item | ratio | year | level | day | bool | category | records
    zh: str
    en: str
    minimum: float | None = 0.0
    maximum: float | None = None
    integer: bool = False
    choices: tuple[str, ...] = ()
    absent_is_none: bool = False


HTE_FIELDS = {
    "electronic_info": "电子信息",
    "biomedicine": "生物与新医药",
    "aerospace": "航空航天",
    "new_materials": "新材料",
    "hightech_services": "高技术服务",
    "new_energy": "新能源与节能",
    "resources_environment": "资源与环境",
    "advanced_manufacturing": "先进制造与自动化",
}
RD_INSTITUTION = {
    "national": "国家级",
    "provincial": "省部级",
    "city": "市级",
    "enterprise": "市级以下（企业自建或合建）",
    "none": "无",
}
PRODUCT_ROLE = {
    "key": "补短板、锻长板、填空白",
    "basic": "工业“六基”、中华老字号或龙头企业配套",
    "other": "其他",
}
AWARD_LEVEL = {"national": "国家级", "provincial": "省级"}
STANDARD_LEVEL = {
    "international": "国际标准",
    "national": "国家标准",
    "industry": "行业标准",
    "local": "地方标准",
    "group": "团体标准",
}
CHOICE_LABELS: dict[str, dict[str, str]] = {
    "hte_field": HTE_FIELDS,
    "rd_institution": RD_INSTITUTION,
    "product_role": PRODUCT_ROLE,
}

_FIELDS = [
    # registration and the figures' year
    Field("founded", "date", "day", "注册成立日期", "registration date"),
    Field("year", "number", "year", "最近会计年度", "latest fiscal year", 1990, 2100, True),
    # staff, latest year
    Field("staff", "number", "person", "职工总数", "employees", integer=True),
    Field(
        "tech_staff", "number", "person", "科技人员数", "science and technology staff", integer=True
    ),
    Field("rd_staff", "number", "person", "研发人员数", "R&D staff", integer=True),
    # yearly amounts, oldest first
    Field("revenue", "yearly", "yuan", "营业收入（销售收入）", "operating revenue (sales)"),
    Field("main_revenue", "yearly", "yuan", "主营业务收入", "main-business revenue"),
    Field("total_cost", "yearly", "yuan", "成本费用总额", "total costs and expenses"),
    Field("rd_expense", "yearly", "yuan", "研发费用", "R&D expense"),
    Field("rd_expense_hte", "yearly", "yuan", "研发费用（高企口径）", "R&D expense (HTE scope)"),
    Field(
        "rd_expense_hte_domestic",
        "yearly",
        "yuan",
        "境内研发费用（高企口径）",
        "R&D expense in China (HTE scope)",
    ),
    Field("net_assets", "yearly", "yuan", "净资产", "net assets", minimum=None),
    Field("net_profit", "yearly", "yuan", "净利润", "net profit", minimum=None),
    Field("equity_raised", "yearly", "yuan", "新增股权融资（合格机构投资者实缴）", "new equity"),
    Field(
        "conversions", "yearly", "item", "科技成果转化数", "technology conversions", integer=True
    ),
    # latest-year balances and incomes
    Field("total_assets", "number", "yuan", "资产总额", "total assets"),
    Field("total_liabilities", "number", "yuan", "负债总额", "total liabilities"),
    Field("total_income", "number", "yuan", "总收入（高企口径）", "total income (HTE scope)"),
    Field("hightech_income", "number", "yuan", "高新技术产品（服务）收入", "high-tech income"),
    # intellectual property, valid and owned
    Field("ip_class1", "number", "item", "I类知识产权数", "class I IP", integer=True),
    Field(
        "ip_class1_own", "number", "item", "自主研发I类知识产权数", "own class I IP", integer=True
    ),
    Field(
        "ip_class1_high_value",
        "number",
        "item",
        "I类高价值知识产权数",
        "high-value class I IP",
        integer=True,
    ),
    Field("ip_class2", "number", "item", "II类知识产权数", "class II IP", integer=True),
    Field("ip_own", "number", "item", "自主研发获得的知识产权数", "IP from own R&D", integer=True),
    Field(
        "ip_class1_main",
        "number",
        "item",
        "与主导产品相关并产生收入的I类知识产权数",
        "class I IP behind main products",
        integer=True,
    ),
    Field(
        "invention_patents_main",
        "number",
        "item",
        "形成主营业务收入的发明专利数",
        "invention patents used in the main business",
        integer=True,
    ),
    # yes / no facts
    Field("resident", "bool", "bool", "居民企业", "resident enterprise"),
    Field(
        "restricted_industry", "bool", "bool", "属于禁止、限制或淘汰类产业", "restricted industry"
    ),
    Field(
        "major_incident",
        "bool",
        "bool",
        "发生重大安全、重大质量事故或严重环境违法行为",
        "major safety or quality accident, or serious environmental violation",
    ),
    Field("research_misconduct", "bool", "bool", "科研严重失信行为", "serious research misconduct"),
    Field(
        "blacklisted",
        "bool",
        "bool",
        "列入经营异常名录或严重违法失信名单",
        "on the abnormal-operation or dishonesty list",
    ),
    Field("serious_fraud", "bool", "bool", "严重弄虚作假行为", "serious fraud"),
    Field("audited_tax", "bool", "bool", "企业所得税查账征收", "CIT collected on audited accounts"),
    Field(
        "rd_accounting",
        "bool",
        "bool",
        "会计核算健全、能准确归集研发费用",
        "sound accounts that collect R&D costs",
    ),
    Field(
        "rd_negative_list",
        "bool",
        "bool",
        "属于研发费用加计扣除负面清单行业",
        "industry on the R&D super-deduction negative list",
    ),
    Field(
        "tech_innovation_demo", "bool", "bool", "国家技术创新示范企业", "national innovation demo"
    ),
    Field("ip_demo", "bool", "bool", "国家知识产权优势或示范企业", "national IP advantage or demo"),
    Field(
        "strategic_emerging",
        "bool",
        "bool",
        "主导产品属于《战略性新兴产业分类》",
        "main product in a strategic emerging industry",
    ),
    Field(
        "it_core_business",
        "bool",
        "bool",
        "至少1项核心业务采用信息系统支撑",
        "a core business runs on an information system",
    ),
    Field(
        "quality_certified",
        "bool",
        "bool",
        "获得管理体系认证或发达国家（地区）产品认证",
        "management-system or developed-country product certification",
    ),
    Field("own_brand", "bool", "bool", "拥有自主品牌", "own brand"),
    # levels and categories
    Field(
        "hte_field",
        "category",
        "category",
        "主要产品所属高新技术领域",
        "high-tech field",
        choices=tuple(HTE_FIELDS),
    ),
    Field(
        "rd_institution",
        "category",
        "category",
        "自建或合建研发机构的最高级别",
        "highest-level own or joint R&D institution",
        choices=tuple(RD_INSTITUTION),
    ),
    Field(
        "product_role",
        "category",
        "category",
        "主导产品类别（专精特新）",
        "main product's role",
        choices=tuple(PRODUCT_ROLE),
    ),
    Field("niche_years", "number", "year", "从事特定细分市场年限", "years in the niche market"),
    Field(
        "niche_market_share",
        "number",
        "ratio",
        "细分市场全国占有率",
        "national niche market share",
        maximum=1.0,
    ),
    Field(
        "digital_level", "number", "level", "数字化水平等级", "digitalisation level", integer=True
    ),
    Field(
        "quality_items", "number", "item", "质量管理成果项数", "quality achievements", integer=True
    ),
    Field(
        "listing_standard",
        "number",
        "level",
        "科创板上市标准（第几套）",
        "STAR Market listing standard",
        1,
        5,
        True,
        absent_is_none=True,
    ),
    Field(
        "hte_certified_on",
        "date",
        "day",
        "高新技术企业证书发证日期",
        "HTE certificate date",
        absent_is_none=True,
    ),
    # lists of records
    Field("awards", "records", "records", "科技奖励", "S&T awards", absent_is_none=True),
    Field(
        "standards", "records", "records", "主持或参与制定的标准", "standards", absent_is_none=True
    ),
    Field(
        "maker_china",
        "records",
        "records",
        "“创客中国”大赛名次",
        "Maker China ranks",
        absent_is_none=True,
    ),
]
FIELDS: dict[str, Field] = {field.name: field for field in _FIELDS}

#: what a record of each list holds: key → (kind, choices); `year` is required in every one
RECORD_KEYS: dict[str, dict[str, tuple[str, tuple[str, ...]]]] = {
    "awards": {"year": ("int", ()), "level": ("choice", tuple(AWARD_LEVEL)), "rank": ("int", ())},
    "standards": {
        "year": ("int", ()),
        "level": ("choice", tuple(STANDARD_LEVEL)),
        "lead": ("bool", ()),
    },
    "maker_china": {"year": ("int", ()), "rank": ("int", ())},
}
REQUIRED_RECORD_KEYS = {
    "awards": ("year", "level"),
    "standards": ("year", "level"),
    "maker_china": ("year", "rank"),
}

#: keys of an input line that are not figures
META_KEYS = ("id", "name", "reviews")

#: (smaller, larger, zh): the first may not exceed the second, year by year for yearly fields
CONSISTENCY = (
    ("tech_staff", "staff", "科技人员数不能超过职工总数"),
    ("rd_staff", "staff", "研发人员数不能超过职工总数"),
    ("main_revenue", "revenue", "主营业务收入不能超过营业收入"),
    ("rd_expense_hte_domestic", "rd_expense_hte", "境内研发费用不能超过研发费用总额"),
    ("hightech_income", "total_income", "高新技术产品（服务）收入不能超过总收入"),
    ("ip_class1_own", "ip_class1", "自主研发I类知识产权数不能超过I类知识产权数"),
    ("ip_class1_high_value", "ip_class1", "I类高价值知识产权数不能超过I类知识产权数"),
)

UNITS_ZH = {
    "yuan": "元",
    "person": "人",
    "item": "项",
    "ratio": "%",
    "year": "年",
    "level": "级",
    "day": "天",
    "points": "分",
}


def choice_label(field: str, code: str) -> str:
    return CHOICE_LABELS.get(field, {}).get(code, code)
