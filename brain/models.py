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
