from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programs.choices import CallKind, CallStatus


def default_criteria() -> list[dict]:
    """Scoring sheet of a call: each criterion scored from 0 to its points; points sum to 100."""
    return [
        {"key": "innovation", "name": "创新性与先进性", "points": 30},
        {"key": "feasibility", "name": "技术方案可行性", "points": 25},
        {"key": "team", "name": "团队与研究基础", "points": 15},
        {"key": "benefit", "name": "预期效益与成果转化", "points": 20},
        {"key": "budget", "name": "经费预算合理性", "points": 10},
    ]


def default_attachments() -> list[str]:
    return ["proposal"]


class Call(models.Model):
    """申报指南: a program's call for one year, with its topics, rules, dates and review setup."""

    title = models.CharField(_("指南名称"), max_length=200)
    program = models.CharField(_("计划类别"), max_length=100)
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("类型"), max_length=12, choices=CallKind.choices)
    region = models.ForeignKey(
        "core.Region",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("组织区域"),
        help_text=_("空为市级计划；区县计划只由该区县管理员管理。"),
    )
    description = models.TextField(_("指南说明"))
    budget_total = models.DecimalField(
        _("财政资金总额（万元）"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    max_funding = models.DecimalField(
        _("单项资助上限（万元）"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    indirect_cap_percent = models.PositiveSmallIntegerField(
        _("间接费用上限（%）"),
        default=30,
        validators=[MaxValueValidator(100)],
        help_text=_("按直接费用扣除设备费后的比例核定。"),
    )
    eligible_org_types = models.JSONField(
        _("可申报单位类型"), default=list, blank=True, help_text=_("为空则不限。")
    )
    eligible_regions = models.ManyToManyField(
        "core.Region",
        blank=True,
        related_name="+",
        verbose_name=_("可申报区域"),
        help_text=_("为空则不限。"),
    )
    max_applications_per_org = models.PositiveSmallIntegerField(_("每单位限报项数"), default=2)
    form_fields = models.JSONField(
        _("申报书附加栏目"),
        default=list,
        blank=True,
        help_text=_(
            "本指南要求申报单位另外填写的栏目：代码、名称、类型（文本/数字/选项）、是否必填。"
        ),
    )
    required_attachments = models.JSONField(
        _("必须上传的附件"), default=default_attachments, blank=True
    )
    opens_at = models.DateTimeField(_("申报开始时间"))
    closes_at = models.DateTimeField(_("申报截止时间"))
    fix_days = models.PositiveSmallIntegerField(
        _("退回修改期限（天）"), default=5, validators=[MinValueValidator(1)]
    )
    reviewers_per_application = models.PositiveSmallIntegerField(
        _("每项评审专家数"), default=5, validators=[MinValueValidator(1)]
    )
    max_reviews_per_expert = models.PositiveSmallIntegerField(
        _("每位专家评审上限"), default=10, validators=[MinValueValidator(1)]
    )
    recusal_years = models.PositiveSmallIntegerField(_("合作回避年限"), default=3)
    randomised = models.BooleanField(
        _("随机遴选"), default=True, help_text=_("在最合适的专家中随机抽取，每对概率不超过上限。")
    )
    probability_cap = models.DecimalField(
        _("单对入选概率上限"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.50"),
        validators=[MinValueValidator(Decimal("0.05")), MaxValueValidator(1)],
    )
    alternates = models.PositiveSmallIntegerField(_("每项备选专家数"), default=2)
    criteria = models.JSONField(_("评分指标"), default=default_criteria)
    spread_threshold = models.DecimalField(
        _("分歧提示阈值（分）"), max_digits=5, decimal_places=1, default=Decimal("20.0")
    )
    publicity_working_days = models.PositiveSmallIntegerField(
        _("公示期（工作日）"), default=5, validators=[MinValueValidator(1)]
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=CallStatus.choices, default=CallStatus.DRAFT
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    is_demo = models.BooleanField(_("示例数据"), default=False)

    class Meta:
        verbose_name = _("申报指南")
        verbose_name_plural = _("申报指南")
        ordering = ["-year", "-opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="call_closes_after_opening"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == CallStatus.PUBLISHED

    def is_open(self, at=None) -> bool:
        at = at or timezone.now()
        return self.is_published and self.opens_at <= at < self.closes_at

    @property
    def criteria_points(self) -> int:
        return sum(int(c["points"]) for c in self.criteria)


class Topic(models.Model):
    """指南方向; in a 揭榜挂帅 call, an enterprise's challenge (from its demand) with a reward."""

    call = models.ForeignKey(Call, models.CASCADE, related_name="topics", verbose_name=_("指南"))
    code = models.CharField(_("方向编号"), max_length=20)
    title = models.CharField(_("方向名称"), max_length=200)
    description = models.TextField(_("研究内容与考核指标"))
    budget = models.DecimalField(
        _("拟支持经费（万元）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    demand = models.ForeignKey(
        "resources.Demand",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("来源技术需求"),
    )
    reward = models.DecimalField(
        _("榜单金额（万元）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("指南方向")
        verbose_name_plural = _("指南方向")
        ordering = ["sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["call", "code"], name="topic_code_unique_in_call")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"
