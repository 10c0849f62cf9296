"""科创大脑: the indicator catalog with baselines and targets, values per region and period with
every revision kept, and comparison lines (province, nation) loaded from data files."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from brain.choices import Direction, Frequency, Method


class Indicator(models.Model):
    code = models.SlugField(_("指标代码"), max_length=40, unique=True)
    name = models.CharField(_("指标名称"), max_length=100)
    unit = models.CharField(_("单位"), max_length=20)
    direction = models.CharField(_("方向"), max_length=10, choices=Direction.choices)
    definition = models.TextField(_("指标定义"))
    source = models.CharField(_("数据来源"), max_length=200)
    frequency = models.CharField(_("频率"), max_length=10, choices=Frequency.choices)
    method = models.CharField(_("取得方式"), max_length=10, choices=Method.choices)
    computer = models.CharField(
        _("计算函数"),
        max_length=60,
        blank=True,
        help_text=_("平台数据实时计算的指标所用的计算函数名"),
    )
    baseline_year = models.PositiveSmallIntegerField(_("基期年份"), null=True, blank=True)
    baseline_value = models.DecimalField(
        _("基期值"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    target_year = models.PositiveSmallIntegerField(_("目标年份"), null=True, blank=True)
    target_value = models.DecimalField(
        _("目标值"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    target_note = models.CharField(_("目标出处"), max_length=200, blank=True)
    comparison_key = models.CharField(
        _("对比数据指标名"),
        max_length=60,
        blank=True,
        help_text=_("省、全国对比数据文件中的指标名"),
    )
    decimals = models.PositiveSmallIntegerField(_("小数位数"), default=2)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("监测指标")
        verbose_name_plural = _("监测指标")

    def __str__(self) -> str:
        return self.name


class IndicatorValue(models.Model):
    """One value of an indicator for a region and period. A correction is a new row with the
    next revision number; the latest revision is the value in use, earlier ones are history."""

    indicator = models.ForeignKey(
        Indicator, models.CASCADE, related_name="values", verbose_name=_("指标")
    )
    region = models.ForeignKey(
        "core.Region", models.PROTECT, related_name="+", verbose_name=_("区域")
    )
    period = models.CharField(
        _("期别"), max_length=10, help_text=_("年度 2025；季度 2025Q3；月度 2025-07")
    )
    value = models.DecimalField(_("数值"), max_digits=18, decimal_places=4)
    revision = models.PositiveSmallIntegerField(_("修订次数"), default=0)
    is_current = models.BooleanField(_("现行值"), default=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("填报人")
    )
    entered_at = models.DateTimeField(_("填报时间"), auto_now_add=True)

    class Meta:
        ordering = ["indicator", "region", "period", "-revision"]
        verbose_name = _("指标值")
        verbose_name_plural = _("指标值")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "region", "period", "revision"], name="one_row_per_revision"
            ),
            models.UniqueConstraint(
                fields=["indicator", "region", "period"],
                condition=Q(is_current=True),
                name="one_current_value",
            ),
        ]
        indexes = [models.Index(fields=["indicator", "period"])]

    def __str__(self) -> str:
        return f"{self.indicator} · {self.region} · {self.period}"


class ComparisonValue(models.Model):
    """A province's or the nation's figure from a loaded data file (never typed into code)."""

    key = models.CharField(_("指标名"), max_length=60)
    area = models.CharField(_("地区"), max_length=20)
    year = models.PositiveSmallIntegerField(_("年份"))
    value = models.DecimalField(_("数值"), max_digits=18, decimal_places=4)
    unit = models.CharField(_("单位"), max_length=20)
    source = models.CharField(_("来源"), max_length=200)

    class Meta:
        ordering = ["key", "area", "year"]
        verbose_name = _("对比数据")
        verbose_name_plural = _("对比数据")
        constraints = [
            models.UniqueConstraint(fields=["key", "area", "year"], name="one_comparison_value")
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.year} {self.key}"


class Report(models.Model):
    """A monthly or quarterly 通报: generated once as a background job, then frozen (its PDF and
    workbook are never rewritten). Generating the same period again makes the next version; the
    earlier versions stay listed."""

    class Kind(models.TextChoices):
        MONTH = "month", _("月度通报")
        QUARTER = "quarter", _("季度通报")

    class Status(models.TextChoices):
        QUEUED = "queued", _("生成中")
        READY = "ready", _("已生成")
        FAILED = "failed", _("生成失败")

    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    period = models.CharField(_("期别"), max_length=10, help_text=_("月度 2026-10；季度 2026Q3"))
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    title = models.CharField(_("标题"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    message = models.CharField(_("说明"), max_length=300, blank=True)
    data_version = models.JSONField(_("数据版本"), default=dict, blank=True)
    pdf = models.FileField(_("PDF 文件"), upload_to="brain/reports/", blank=True)
    xlsx = models.FileField(_("Excel 文件"), upload_to="brain/reports/", blank=True)
    job = models.ForeignKey(
        "core.Job", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("任务")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("生成人"),
    )
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["-period", "kind", "-version"]
        verbose_name = _("通报")
        verbose_name_plural = _("通报")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "period", "version"], name="one_report_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title}（v{self.version}）"

    @property
    def data_tag(self) -> str:
        return self.data_version.get("tag", "") if self.data_version else ""
