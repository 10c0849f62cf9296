"""企业梯次培育: an enterprise's yearly figures and standing facts, the assessments made from
them, the tier pools with their entries and exits, 双随机 spot checks and R&D post-subsidies."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cultivation.choices import (
    HteField,
    ProductRole,
    RdInstitution,
    SchemeStatus,
    SubsidyBasis,
    Tier,
)

NON_NEGATIVE = [MinValueValidator(0)]


def _amount(label: str, *, signed: bool = False, help_text: str = "") -> models.DecimalField:
    return models.DecimalField(
        label,
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[] if signed else [MinValueValidator(Decimal("0"))],
        help_text=help_text or _("单位：元"),
    )


def _count(label: str, help_text: str = "") -> models.PositiveIntegerField:
    return models.PositiveIntegerField(label, null=True, blank=True, help_text=help_text)


class EnterpriseYear(models.Model):
    """One fiscal year of an enterprise's figures (amounts in 元). Blank means not reported."""

    organisation = models.ForeignKey(
        "core.Organisation", models.CASCADE, related_name="yearly_figures", verbose_name=_("企业")
    )
    year = models.PositiveSmallIntegerField(
        _("会计年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    revenue = _amount(_("营业收入（销售收入）"))
    main_revenue = _amount(_("主营业务收入"))
    total_cost = _amount(_("成本费用总额"))
    rd_expense = _amount(_("研发费用"))
    rd_expense_hte = _amount(
        _("研发费用（高企口径）"), help_text=_("单位：元；按高企认定工作指引归集")
    )
    rd_expense_hte_domestic = _amount(_("其中：境内研发费用（高企口径）"))
    net_assets = _amount(_("净资产"), signed=True)
    net_profit = _amount(_("净利润"), signed=True)
    equity_raised = _amount(_("新增股权融资（合格机构投资者实缴）"))
    total_assets = _amount(_("资产总额"))
    total_liabilities = _amount(_("负债总额"))
    total_income = _amount(_("总收入（高企口径）"))
    hightech_income = _amount(_("高新技术产品（服务）收入"))
    staff = _count(_("职工总数"))
    tech_staff = _count(_("科技人员数"), _("当年累计工作183天以上"))
    rd_staff = _count(_("研发人员数"))
    ip_class1 = _count(_("I类知识产权数"), _("发明专利、植物新品种、集成电路布图设计等"))
    ip_class1_own = _count(_("其中：自主研发I类知识产权数"))
    ip_class1_high_value = _count(_("其中：I类高价值知识产权数"))
    ip_class2 = _count(_("II类知识产权数"), _("实用新型、外观设计、软件著作权等"))
    ip_own = _count(_("自主研发获得的知识产权数"))
    ip_class1_main = _count(_("与主导产品相关并产生收入的I类知识产权数"))
    invention_patents_main = _count(_("形成主营业务收入的发明专利数"))
    conversions = _count(_("科技成果转化数"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("最后修改人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["organisation", "-year"]
        verbose_name = _("企业年度数据")
        verbose_name_plural = _("企业年度数据")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="one_figures_per_year")
        ]

    def __str__(self) -> str:
        return _("%(org)s %(year)d年度数据") % {"org": self.organisation, "year": self.year}


class EnterpriseProfile(models.Model):
    """Facts about an enterprise that are not yearly figures: dates, declarations, levels."""

    organisation = models.OneToOneField(
        "core.Organisation",
        models.CASCADE,
        related_name="cultivation_profile",
        verbose_name=_("企业"),
    )
    founded = models.DateField(_("注册成立日期"), null=True, blank=True)
    resident = models.BooleanField(_("居民企业"), null=True, blank=True)
    audited_tax = models.BooleanField(_("企业所得税查账征收"), null=True, blank=True)
    rd_accounting = models.BooleanField(
        _("会计核算健全、能准确归集研发费用"), null=True, blank=True
    )
    restricted_industry = models.BooleanField(
        _("属于禁止、限制或淘汰类产业"), null=True, blank=True
    )
    rd_negative_list = models.BooleanField(
        _("属于研发费用加计扣除负面清单行业"), null=True, blank=True
    )
    major_incident = models.BooleanField(
        _("发生重大安全、重大质量事故或严重环境违法行为"), null=True, blank=True
    )
    blacklisted = models.BooleanField(
        _("列入经营异常名录或严重违法失信名单"), null=True, blank=True
    )
    serious_fraud = models.BooleanField(_("有严重弄虚作假行为"), null=True, blank=True)
    tech_innovation_demo = models.BooleanField(_("国家技术创新示范企业"), null=True, blank=True)
    ip_demo = models.BooleanField(_("国家知识产权优势或示范企业"), null=True, blank=True)
    strategic_emerging = models.BooleanField(
        _("主导产品属于《战略性新兴产业分类》"), null=True, blank=True
    )
    it_core_business = models.BooleanField(
        _("至少1项核心业务采用信息系统支撑"), null=True, blank=True
    )
    quality_certified = models.BooleanField(
        _("获得管理体系认证或发达国家（地区）产品认证"), null=True, blank=True
    )
    own_brand = models.BooleanField(_("拥有自主品牌"), null=True, blank=True)
    hte_field = models.CharField(
        _("主要产品所属高新技术领域"), max_length=30, choices=HteField.choices, blank=True
    )
    rd_institution = models.CharField(
        _("自建或合建研发机构的最高级别"), max_length=20, choices=RdInstitution.choices, blank=True
    )
    product_role = models.CharField(
        _("主导产品类别（专精特新）"), max_length=10, choices=ProductRole.choices, blank=True
    )
    niche_years = models.PositiveSmallIntegerField(_("从事特定细分市场年限"), null=True, blank=True)
    niche_market_share = models.DecimalField(
        _("细分市场全国占有率（%）"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    digital_level = models.PositiveSmallIntegerField(
        _("数字化水平等级"), null=True, blank=True, validators=[MaxValueValidator(6)]
    )
    quality_items = models.PositiveSmallIntegerField(_("质量管理成果项数"), null=True, blank=True)
    hte_certified_on = models.DateField(_("高新技术企业证书发证日期"), null=True, blank=True)
    listing_standard = models.PositiveSmallIntegerField(
        _("科创板上市标准（第几套）"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("最后修改人"),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("企业基本情况")
        verbose_name_plural = _("企业基本情况")

    def __str__(self) -> str:
        return _("%(org)s 基本情况") % {"org": self.organisation}


class Assessment(models.Model):
    """One assessment as made: the rule-set version, the date, the input used, every criterion."""

    organisation = models.ForeignKey(
        "core.Organisation", models.CASCADE, related_name="assessments", verbose_name=_("企业")
    )
    ruleset = models.CharField(_("评价规则"), max_length=40)
    version = models.CharField(_("规则版本"), max_length=20)
    title = models.CharField(_("规则名称"), max_length=100)
    on = models.DateField(_("评价基准日"))
    eligible = models.BooleanField(_("是否符合"), null=True)
    status = models.CharField(_("结论"), max_length=20)
    score = models.DecimalField(_("得分"), max_digits=6, decimal_places=2, null=True)
    result = models.JSONField(_("评价明细"), default=dict)
    record = models.JSONField(_("所用数据"), default=dict)
    integrity_refusal = models.CharField(_("诚信限制"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("评价人"),
    )
    created_at = models.DateTimeField(_("评价时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("评价记录")
        verbose_name_plural = _("评价记录")
        indexes = [models.Index(fields=["organisation", "ruleset", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.title}（{self.version}）· {self.on}"


class PoolMembershipQuerySet(models.QuerySet):
    def current(self) -> PoolMembershipQuerySet:
        return self.filter(exited_on__isnull=True)


class PoolMembership(models.Model):
    """An enterprise's stay in a tier pool: entered on a date with the assessment behind it,
    left (or not yet) with a reason and, where one was made, the assessment behind the exit."""

    organisation = models.ForeignKey(
        "core.Organisation", models.PROTECT, related_name="pool_memberships", verbose_name=_("企业")
    )
    tier = models.CharField(_("培育库"), max_length=20, choices=Tier.choices)
    entered_on = models.DateField(_("入库日期"))
    entry_reason = models.CharField(_("入库依据"), max_length=300)
    certificate_number = models.CharField(_("证书或文件编号"), max_length=60, blank=True)
    entry_assessment = models.ForeignKey(
        Assessment,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("入库评价"),
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("办理人")
    )
    exited_on = models.DateField(_("出库日期"), null=True, blank=True)
    exit_reason = models.CharField(_("出库原因"), max_length=300, blank=True)
    exit_assessment = models.ForeignKey(
        Assessment,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("出库评价"),
    )
    exited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("出库办理人"),
    )

    objects = PoolMembershipQuerySet.as_manager()

    class Meta:
        ordering = ["tier", "-entered_on", "pk"]
        verbose_name = _("培育库记录")
        verbose_name_plural = _("培育库记录")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "tier"],
                condition=Q(exited_on__isnull=True),
                name="one_open_stay_per_tier",
            ),
            models.CheckConstraint(
                condition=Q(exited_on__isnull=True) | Q(exited_on__gte=models.F("entered_on")),
                name="exit_after_entry",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.get_tier_display()}"

    @property
    def is_current(self) -> bool:
        return self.exited_on is None


class Inspector(models.Model):
    """执法检查人员名录: who may be drawn to carry out a spot check."""

    name = models.CharField(_("姓名"), max_length=50)
    unit = models.CharField(_("所在单位"), max_length=120)
    region = models.ForeignKey(
        "core.Region", models.PROTECT, related_name="+", verbose_name=_("所属区域")
    )
    organisation = models.ForeignKey(
        "core.Organisation",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("关联单位"),
        help_text=_("检查人员不会被抽到检查本单位"),
    )
    certificate = models.CharField(_("执法证号"), max_length=40, blank=True)
    active = models.BooleanField(_("在库"), default=True)

    class Meta:
        ordering = ["region", "name"]
        verbose_name = _("检查人员")
        verbose_name_plural = _("检查人员名录")

    def __str__(self) -> str:
        return f"{self.name}（{self.unit}）"


class SpotCheck(models.Model):
    """A 双随机 draw: which population, how many, the seed, and the result as drawn."""

    title = models.CharField(_("抽查任务名称"), max_length=120)
    tier = models.CharField(_("抽查对象（培育库）"), max_length=20, choices=Tier.choices)
    on = models.DateField(_("抽取基准日"))
    ratio = models.DecimalField(
        _("抽查比例（%）"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(100)],
    )
    inspectors_per_enterprise = models.PositiveSmallIntegerField(
        _("每户检查人员数"), default=2, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    seed = models.PositiveBigIntegerField(_("随机种子"))
    population = models.JSONField(_("抽取范围（企业编号）"), default=list)
    strata = models.JSONField(_("分层配额"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("抽取人")
    )
    created_at = models.DateTimeField(_("抽取时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("双随机抽查")
        verbose_name_plural = _("双随机抽查")

    def __str__(self) -> str:
        return self.title


class SpotCheckItem(models.Model):
    spot_check = models.ForeignKey(
        SpotCheck, models.CASCADE, related_name="items", verbose_name=_("抽查任务")
    )
    organisation = models.ForeignKey(
        "core.Organisation", models.PROTECT, related_name="+", verbose_name=_("被抽查企业")
    )
    stratum = models.CharField(_("分层"), max_length=60)
    inspectors = models.ManyToManyField(Inspector, related_name="+", verbose_name=_("检查人员"))
    position = models.PositiveIntegerField(_("抽取顺序"))

    class Meta:
        ordering = ["spot_check", "position"]
        verbose_name = _("抽查对象")
        verbose_name_plural = _("抽查对象")
        constraints = [
            models.UniqueConstraint(
                fields=["spot_check", "organisation"], name="enterprise_drawn_once"
            )
        ]

    def __str__(self) -> str:
        return str(self.organisation)


class SubsidyScheme(models.Model):
    """研发投入后补助: one year's rules (basis, rate, floor, cap, who qualifies) and its budget."""

    title = models.CharField(_("补助名称"), max_length=120)
    year = models.PositiveSmallIntegerField(
        _("研发投入年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    basis = models.CharField(_("补助基数"), max_length=12, choices=SubsidyBasis.choices)
    rate = models.DecimalField(
        _("补助比例（%）"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(100)],
    )
    min_rd_expense = models.DecimalField(
        _("研发费用下限（元）"),
        max_digits=16,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("上年度研发费用低于此数的企业不予补助"),
    )
    cap = models.DecimalField(
        _("单户补助上限（元）"),
        max_digits=16,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    budget = models.DecimalField(
        _("补助资金总额（元）"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("留空表示不设总额；超出总额时按比例核减"),
    )
    tiers = models.JSONField(_("适用培育库"), default=list, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=SchemeStatus.choices, default=SchemeStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("创建人")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审定人"),
    )
    approved_at = models.DateTimeField(_("审定时间"), null=True, blank=True)

    class Meta:
        ordering = ["-year", "-pk"]
        verbose_name = _("研发投入后补助")
        verbose_name_plural = _("研发投入后补助")

    def __str__(self) -> str:
        return self.title


class SubsidyLine(models.Model):
    """One enterprise's computed subsidy, with the working shown."""

    scheme = models.ForeignKey(
        SubsidyScheme, models.CASCADE, related_name="lines", verbose_name=_("补助")
    )
    organisation = models.ForeignKey(
        "core.Organisation", models.PROTECT, related_name="+", verbose_name=_("企业")
    )
    rd_expense = models.DecimalField(_("研发费用（元）"), max_digits=16, decimal_places=2)
    previous_rd_expense = models.DecimalField(
        _("前一年研发费用（元）"), max_digits=16, decimal_places=2, null=True
    )
    base = models.DecimalField(_("补助基数（元）"), max_digits=16, decimal_places=2)
    computed = models.DecimalField(_("按比例测算（元）"), max_digits=16, decimal_places=2)
    amount = models.DecimalField(_("补助金额（元）"), max_digits=16, decimal_places=2)
    working = models.CharField(_("计算过程"), max_length=300)

    class Meta:
        ordering = ["scheme", "-amount", "organisation__name"]
        verbose_name = _("补助明细")
        verbose_name_plural = _("补助明细")
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "organisation"], name="one_line_per_enterprise"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.amount}"
