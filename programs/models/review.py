from django.db import models
from django.utils.translation import gettext_lazy as _

from programs.choices import AssignmentStatus, RecusalReason, ReviewStage


class ReviewAssignment(models.Model):
    """An expert on an application's panel (or kept as its alternate), with their score sheet."""

    application = models.ForeignKey(
        "programs.Application",
        models.CASCADE,
        related_name="assignments",
        verbose_name=_("申报书"),
    )
    expert = models.ForeignKey(
        "resources.Expert", models.PROTECT, related_name="+", verbose_name=_("专家")
    )
    stage = models.CharField(
        _("评审阶段"), max_length=12, choices=ReviewStage.choices, default=ReviewStage.REVIEW
    )
    status = models.CharField(_("状态"), max_length=12, choices=AssignmentStatus.choices)
    alternate_rank = models.PositiveSmallIntegerField(_("备选顺序"), null=True, blank=True)
    affinity = models.FloatField(_("匹配度"))
    reason = models.CharField(_("遴选依据"), max_length=500, blank=True)
    decline_reason = models.CharField(_("谢绝或回避说明"), max_length=500, blank=True)
    responded_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    scores = models.JSONField(_("各项得分"), default=dict, blank=True)
    total = models.DecimalField(_("总分"), max_digits=5, decimal_places=2, null=True, blank=True)
    comment = models.TextField(_("评审意见"), blank=True)
    submitted_at = models.DateTimeField(_("评分提交时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("遴选时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("评审专家")
        verbose_name_plural = _("评审专家")
        ordering = ["application", "alternate_rank", "-affinity"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "expert", "stage"], name="assignment_once_per_stage"
            )
        ]

    def __str__(self) -> str:
        return f"{self.expert} · {self.application}"


class Recusal(models.Model):
    """Why an expert may not review an application; kept so admins can see it."""

    application = models.ForeignKey(
        "programs.Application", models.CASCADE, related_name="recusals", verbose_name=_("申报书")
    )
    expert = models.ForeignKey(
        "resources.Expert", models.CASCADE, related_name="+", verbose_name=_("专家")
    )
    reason = models.CharField(_("回避原因"), max_length=16, choices=RecusalReason.choices)
    detail = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("回避记录")
        verbose_name_plural = _("回避记录")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "expert", "reason"], name="recusal_once_per_reason"
            )
        ]

    def __str__(self) -> str:
        return f"{self.expert} · {self.get_reason_display()}"
