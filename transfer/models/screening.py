"""Screening of achievements: the owner's TRL self-assessment with evidence, an expert's
confirmation or correction, and the graded evaluation that decides 入选/不入选."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from transfer.choices import Grade, ScreeningDecision

LEVEL = [MinValueValidator(1), MaxValueValidator(9)]


class TrlAssessment(models.Model):
    """技术就绪水平自评: answers per level (met? evidence) → the highest level whose every lower
    level is met; an expert may confirm or correct it with a reason."""

    achievement = models.ForeignKey(
        "resources.Achievement",
        models.CASCADE,
        related_name="trl_assessments",
        verbose_name=_("科技成果"),
    )
    answers = models.JSONField(_("逐级回答"), default=dict)
    scale_version = models.CharField(_("量表版本"), max_length=40)
    level = models.PositiveSmallIntegerField(_("自评等级"), validators=LEVEL, null=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("自评人")
    )
    submitted_at = models.DateTimeField(_("自评时间"), auto_now_add=True)
    confirmed_level = models.PositiveSmallIntegerField(
        _("专家确认等级"), validators=LEVEL, null=True, blank=True
    )
    confirm_reason = models.CharField(_("确认或修正理由"), max_length=500, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("确认专家"),
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("技术就绪水平评价")
        verbose_name_plural = _("技术就绪水平评价")

    def __str__(self) -> str:
        return f"{self.achievement} · TRL {self.effective_level or '—'}"

    @property
    def effective_level(self) -> int | None:
        return self.confirmed_level or self.level


class Screening(models.Model):
    """One achievement's evaluation for a screening round: experts score the indicators, the
    weighted mean gives the grade, the admin decides 入选/不入选 with reasons."""

    achievement = models.ForeignKey(
        "resources.Achievement",
        models.CASCADE,
        related_name="screenings",
        verbose_name=_("科技成果"),
    )
    round = models.CharField(_("筛选批次"), max_length=60, help_text=_("如：2026年第4季度"))
    indicator_version = models.CharField(_("指标体系版本"), max_length=40)
    experts = models.ManyToManyField(
        "resources.Expert", related_name="+", blank=True, verbose_name=_("评价专家")
    )
    score = models.DecimalField(
        _("综合得分"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    grade = models.CharField(_("等级"), max_length=1, choices=Grade.choices, blank=True)
    decision = models.CharField(
        _("筛选结论"),
        max_length=14,
        choices=ScreeningDecision.choices,
        default=ScreeningDecision.PENDING,
    )
    reasons = models.TextField(_("结论理由"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("发起人")
    )
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("决定人"),
    )
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("成果筛选评价")
        verbose_name_plural = _("成果筛选评价")
        constraints = [
            models.UniqueConstraint(fields=["achievement", "round"], name="screened_once_per_round")
        ]

    def __str__(self) -> str:
        return f"{self.achievement} · {self.round}"


class ScreeningScore(models.Model):
    screening = models.ForeignKey(
        Screening, models.CASCADE, related_name="scores", verbose_name=_("筛选评价")
    )
    expert = models.ForeignKey(
        "resources.Expert", models.PROTECT, related_name="+", verbose_name=_("专家")
    )
    scores = models.JSONField(_("各指标得分"), default=dict)
    total = models.DecimalField(_("加权得分"), max_digits=5, decimal_places=2)
    comment = models.TextField(_("评价意见"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), auto_now=True)

    class Meta:
        ordering = ["screening", "expert"]
        verbose_name = _("专家评分")
        verbose_name_plural = _("专家评分")
        constraints = [
            models.UniqueConstraint(fields=["screening", "expert"], name="one_sheet_per_expert")
        ]

    def __str__(self) -> str:
        return f"{self.expert} · {self.total}"
