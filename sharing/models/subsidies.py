"""先用后补: a yearly policy (rate, per-user cap, yearly budget), claims computed from confirmed
usage records, and the annual open-sharing evaluation of host organisations."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from sharing.choices import ClaimStatus, EvaluationStatus, Grade
from sharing.models.common import NON_NEGATIVE, POSITIVE, YUAN


class SubsidyPolicy(models.Model):
    """The year's 先用后补 terms: the share of confirmed fees refunded, the most one user
    (organisation) may receive in the year, and the year's budget."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    rate = models.DecimalField(
        _("补贴比例"),
        max_digits=4,
        decimal_places=3,
        validators=[MinValueValidator(0.001), MaxValueValidator(1)],
        help_text=_("按确认的服务收费金额计算，如 0.3 表示 30%。"),
    )
    cap_per_user = models.DecimalField(_("单位年度补贴上限（元）"), validators=POSITIVE, **YUAN)
    budget = models.DecimalField(_("年度补贴总额（元）"), validators=POSITIVE, **YUAN)
    approved_total = models.DecimalField(_("已批准金额（元）"), default=0, editable=False, **YUAN)
    claims_from = models.DateField(_("受理开始"))
    claims_until = models.DateField(_("受理截止"))
    note = models.CharField(_("政策依据"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("设置人"),
    )
    created_at = models.DateTimeField(_("设置时间"), auto_now_add=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("先用后补政策")
        verbose_name_plural = _("先用后补政策")
        constraints = [
            # Approvals never take the year past its budget, whatever the service does.
            models.CheckConstraint(
                condition=Q(approved_total__lte=F("budget")) & Q(approved_total__gte=0),
                name="subsidy_budget_not_exceeded",
            ),
            models.CheckConstraint(
                condition=Q(claims_until__gte=F("claims_from")), name="subsidy_window_ordered"
            ),
        ]

    def __str__(self) -> str:
        return _("%(year)s年度先用后补") % {"year": self.year}


class SubsidyClaim(models.Model):
    """One organisation's claim over its confirmed, not yet claimed usage records of the year."""

    policy = models.ForeignKey(
        SubsidyPolicy, models.PROTECT, related_name="claims", verbose_name=_("政策年度")
    )
    organisation = models.ForeignKey(
        "core.Organisation", models.PROTECT, related_name="+", verbose_name=_("申请单位")
    )
    fee_total = models.DecimalField(_("服务收费合计（元）"), **YUAN)
    computed = models.DecimalField(_("按比例计算（元）"), **YUAN)
    amount = models.DecimalField(_("申请补贴（元）"), validators=NON_NEGATIVE, **YUAN)
    # The steps of the computation in words, shown on the claim and kept as submitted.
    working = models.JSONField(_("计算过程"), default=list)
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=ClaimStatus.choices,
        default=ClaimStatus.SUBMITTED,
        db_index=True,
    )
    approved_amount = models.DecimalField(_("批准金额（元）"), null=True, blank=True, **YUAN)
    reason = models.CharField(_("审核意见"), max_length=300, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("申请人")
    )
    submitted_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("先用后补申请")
        verbose_name_plural = _("先用后补申请")

    def __str__(self) -> str:
        return f"{self.policy} · {self.organisation}"


class SubsidyClaimLine(models.Model):
    claim = models.ForeignKey(
        SubsidyClaim, models.CASCADE, related_name="lines", verbose_name=_("申请")
    )
    usage = models.ForeignKey(
        "sharing.UsageRecord",
        models.PROTECT,
        related_name="claim_lines",
        verbose_name=_("使用记录"),
    )
    fee = models.DecimalField(_("收费金额（元）"), **YUAN)
    # False once the claim is refused: the record may then be claimed again.
    active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("申请明细")
        verbose_name_plural = _("申请明细")
        constraints = [
            models.UniqueConstraint(
                fields=["usage"], condition=Q(active=True), name="usage_claimed_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.claim} · {self.usage}"


class SharingEvaluation(models.Model):
    """The annual open-sharing evaluation of host organisations: computed from the year's slots
    and confirmed usage with the weights and grade bands of `sharing/data/evaluation.json`;
    published results are frozen."""

    year = models.PositiveSmallIntegerField(_("年度"))
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=EvaluationStatus.choices,
        default=EvaluationStatus.DRAFT,
    )
    # The weights, scales and grade bands used, as they were.
    params = models.JSONField(_("评价参数"), default=dict)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("计算人"),
    )
    computed_at = models.DateTimeField(_("计算时间"), auto_now_add=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        ordering = ["-year", "-computed_at"]
        verbose_name = _("开放共享评价")
        verbose_name_plural = _("开放共享评价")
        constraints = [
            models.UniqueConstraint(
                fields=["year"],
                condition=Q(status=EvaluationStatus.PUBLISHED),
                name="one_published_evaluation_per_year",
            ),
        ]

    def __str__(self) -> str:
        return _("%(year)s年度开放共享评价") % {"year": self.year}


class HostGrade(models.Model):
    evaluation = models.ForeignKey(
        SharingEvaluation, models.CASCADE, related_name="grades", verbose_name=_("评价")
    )
    organisation = models.ForeignKey(
        "core.Organisation", models.PROTECT, related_name="+", verbose_name=_("管理单位")
    )
    instruments = models.PositiveIntegerField(_("开放仪器数"))
    hours_offered = models.DecimalField(_("开放机时"), max_digits=10, decimal_places=2)
    hours_used = models.DecimalField(_("对外服务机时"), max_digits=10, decimal_places=2)
    utilisation = models.DecimalField(_("对外利用率"), max_digits=6, decimal_places=4)
    services = models.PositiveIntegerField(_("对外服务次数"))
    outside_users = models.PositiveIntegerField(_("服务单位数"))
    satisfaction = models.DecimalField(
        _("平均满意度"), max_digits=3, decimal_places=2, null=True, blank=True
    )
    fees = models.DecimalField(_("服务收入（元）"), **YUAN)
    score = models.DecimalField(_("综合得分"), max_digits=5, decimal_places=2)
    grade = models.CharField(_("等级"), max_length=12, choices=Grade.choices)
    # Each indicator's value, its points and the rule that gave them.
    components = models.JSONField(_("得分明细"), default=list)
    rank = models.PositiveIntegerField(_("排名"))

    class Meta:
        ordering = ["evaluation", "rank"]
        verbose_name = _("单位评价结果")
        verbose_name_plural = _("单位评价结果")
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "organisation"], name="one_grade_per_host"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.get_grade_display()}"
