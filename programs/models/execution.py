from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from programs.choices import (
    ChangeKind,
    ChangeStatus,
    InspectionConclusion,
    OutcomeKind,
    ReportStatus,
    Verdict,
)


class Contract(models.Model):
    """任务书: what a funded project promises — dates, funding, budget, milestones, indicators."""

    application = models.OneToOneField(
        "programs.Application", models.CASCADE, related_name="contract", verbose_name=_("项目")
    )
    number = models.CharField(_("任务书编号"), max_length=30, unique=True)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    funding = models.DecimalField(
        _("财政资助（万元）"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )
    budget = models.JSONField(_("预算（万元）"), default=dict)
    milestones = models.JSONField(_("进度安排"), default=list)
    indicators = models.JSONField(_("考核指标"), default=list)
    report_every_months = models.PositiveSmallIntegerField(
        _("进展报告周期（月）"), default=6, validators=[MinValueValidator(1), MaxValueValidator(24)]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("下达时间"), auto_now_add=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("承担单位签署人"),
    )
    signed_at = models.DateTimeField(_("签署时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("任务书")
        verbose_name_plural = _("任务书")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gt=F("start_date")), name="contract_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.number


class ProgressReport(models.Model):
    """进展报告 due on a date; an overdue one blocks the organisation's new applications."""

    application = models.ForeignKey(
        "programs.Application", models.CASCADE, related_name="reports", verbose_name=_("项目")
    )
    period = models.CharField(_("报告期"), max_length=50)
    due_date = models.DateField(_("应交日期"), db_index=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.DUE
    )
    progress = models.TextField(_("进展情况"), blank=True)
    spent = models.DecimalField(
        _("累计支出（万元）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    problems = models.TextField(_("存在问题"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    review_note = models.CharField(_("审核意见"), max_length=500, blank=True)
    reminded_on = models.DateField(_("最近提醒日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("进展报告")
        verbose_name_plural = _("进展报告")
        ordering = ["due_date"]

    def __str__(self) -> str:
        return f"{self.application} · {self.period}"


class Inspection(models.Model):
    """中期检查 with its findings."""

    application = models.ForeignKey(
        "programs.Application", models.CASCADE, related_name="inspections", verbose_name=_("项目")
    )
    inspected_on = models.DateField(_("检查日期"))
    findings = models.TextField(_("检查发现"))
    conclusion = models.CharField(
        _("检查结论"), max_length=12, choices=InspectionConclusion.choices
    )
    rectify_by = models.DateField(_("整改期限"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("中期检查")
        verbose_name_plural = _("中期检查")
        ordering = ["-inspected_on"]

    def __str__(self) -> str:
        return f"{self.application} · {self.inspected_on}"


class ChangeRequest(models.Model):
    """变更申请 (PI, budget, schedule, content), applied to the project only when approved."""

    application = models.ForeignKey(
        "programs.Application", models.CASCADE, related_name="changes", verbose_name=_("项目")
    )
    kind = models.CharField(_("变更类型"), max_length=12, choices=ChangeKind.choices)
    reason = models.TextField(_("变更理由"))
    proposed = models.JSONField(_("变更内容"), default=dict)
    status = models.CharField(
        _("状态"), max_length=12, choices=ChangeStatus.choices, default=ChangeStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("变更申请")
        verbose_name_plural = _("变更申请")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.application} · {self.get_kind_display()}"


class Acceptance(models.Model):
    """验收: the final report, then the verdict after the acceptance panel has scored."""

    application = models.OneToOneField(
        "programs.Application", models.CASCADE, related_name="acceptance", verbose_name=_("项目")
    )
    summary = models.TextField(_("总结报告"))
    indicators_met = models.JSONField(_("考核指标完成情况"), default=list)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    score = models.DecimalField(
        _("验收评分"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    spread = models.DecimalField(
        _("评分极差"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    flagged = models.BooleanField(_("专家意见分歧较大"), default=False)
    verdict = models.CharField(_("验收结论"), max_length=12, choices=Verdict.choices, blank=True)
    verdict_note = models.CharField(_("结论说明"), max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("结论时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("项目验收")
        verbose_name_plural = _("项目验收")

    def __str__(self) -> str:
        return f"{self.application} · {self.get_verdict_display() or '待验收'}"


class Outcome(models.Model):
    """跟踪: what a project produced after acceptance."""

    application = models.ForeignKey(
        "programs.Application", models.CASCADE, related_name="outcomes", verbose_name=_("项目")
    )
    kind = models.CharField(_("成果类型"), max_length=12, choices=OutcomeKind.choices)
    title = models.CharField(_("名称"), max_length=200)
    year = models.PositiveSmallIntegerField(_("年度"))
    amount = models.DecimalField(
        _("金额（万元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    achievement = models.ForeignKey(
        "resources.Achievement",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("入库成果"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("填报时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("项目成果跟踪")
        verbose_name_plural = _("项目成果跟踪")
        ordering = ["-year", "-recorded_at"]

    def __str__(self) -> str:
        return self.title
