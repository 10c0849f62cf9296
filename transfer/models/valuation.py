"""Valuation reports (定价参考): the method, the inputs, the working, the sensitivity table —
decision support that never replaces a licensed appraiser's report."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from transfer.choices import ValuationMethod


class ValuationReport(models.Model):
    achievement = models.ForeignKey(
        "resources.Achievement",
        models.CASCADE,
        related_name="valuations",
        verbose_name=_("科技成果"),
    )
    method = models.CharField(_("评估方法"), max_length=10, choices=ValuationMethod.choices)
    valuation_date = models.DateField(_("评估基准日"))
    inputs = models.JSONField(_("输入参数"), default=dict)
    value = models.DecimalField(_("参考价值（元）"), max_digits=16, decimal_places=2)
    working = models.JSONField(_("计算过程"), default=list)
    sensitivity = models.JSONField(_("敏感性分析"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("测算人")
    )
    created_at = models.DateTimeField(_("测算时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("定价参考报告")
        verbose_name_plural = _("定价参考报告")

    def __str__(self) -> str:
        return f"{self.achievement} · {self.get_method_display()} · {self.valuation_date}"
