from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bridging.choices import FailureReason, Feedback, MatchStatus, SupplyKind


class Match(models.Model):
    """A demand paired with something that may meet it, worked from 推荐 to 签约 or 未成."""

    demand = models.ForeignKey(
        "resources.Demand", models.CASCADE, related_name="matches", verbose_name=_("技术需求")
    )
    supply_kind = models.CharField(_("对接对象类型"), max_length=12, choices=SupplyKind.choices)
    achievement = models.ForeignKey(
        "resources.Achievement",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="matches",
        verbose_name=_("科技成果"),
    )
    expert = models.ForeignKey(
        "resources.Expert",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="matches",
        verbose_name=_("专家"),
    )
    institute = models.ForeignKey(
        "core.Organisation",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("高校院所"),
    )
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=MatchStatus.choices,
        default=MatchStatus.RECOMMENDED,
        db_index=True,
    )
    score = models.FloatField(_("匹配度"), null=True, blank=True)
    explanation = models.CharField(_("推荐理由"), max_length=500, blank=True)
    broker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="brokered_matches",
        verbose_name=_("技术经纪人"),
    )
    next_step = models.CharField(_("下一步"), max_length=200, blank=True)
    next_step_due = models.DateField(_("下一步期限"), null=True, blank=True, db_index=True)
    failure_reason = models.CharField(
        _("未成原因"), max_length=20, choices=FailureReason.choices, blank=True
    )
    failure_note = models.CharField(_("未成说明"), max_length=500, blank=True)
    failed_from = models.CharField(
        _("未成时所处阶段"), max_length=12, choices=MatchStatus.choices, blank=True
    )
    contract_amount = models.DecimalField(
        _("签约金额（万元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    demand_feedback = models.CharField(
        _("需求方意见"), max_length=10, choices=Feedback.choices, blank=True
    )
    supply_feedback = models.CharField(
        _("供给方意见"), max_length=10, choices=Feedback.choices, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("对接")
        verbose_name_plural = _("对接")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        supply_kind=SupplyKind.ACHIEVEMENT,
                        achievement__isnull=False,
                        expert__isnull=True,
                        institute__isnull=True,
                    )
                    | Q(
                        supply_kind=SupplyKind.EXPERT,
                        expert__isnull=False,
                        achievement__isnull=True,
                        institute__isnull=True,
                    )
                    | Q(
                        supply_kind=SupplyKind.INSTITUTE,
                        institute__isnull=False,
                        achievement__isnull=True,
                        expert__isnull=True,
                    )
                ),
                name="match_has_exactly_one_supply",
            ),
            models.CheckConstraint(
                condition=~Q(status=MatchStatus.FAILED) | ~Q(failure_reason=""),
                name="failed_match_has_reason",
            ),
            models.UniqueConstraint(
                fields=["demand", "achievement"], name="one_match_per_demand_achievement"
            ),
            models.UniqueConstraint(
                fields=["demand", "expert"], name="one_match_per_demand_expert"
            ),
            models.UniqueConstraint(
                fields=["demand", "institute"], name="one_match_per_demand_institute"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.demand.title} ↔ {self.supply}"

    @property
    def supply(self):
        return self.achievement or self.expert or self.institute

    @property
    def supply_org_id(self):
        if self.achievement_id:
            return self.achievement.owner_id
        if self.expert_id:
            return self.expert.owner_id
        return self.institute_id

    @property
    def is_open(self) -> bool:
        return self.status not in (MatchStatus.SIGNED, MatchStatus.FAILED)


class MatchNote(models.Model):
    """A broker's record of a contact or negotiation step."""

    match = models.ForeignKey(Match, models.CASCADE, related_name="notes", verbose_name=_("对接"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("记录人"),
    )
    text = models.TextField(_("内容"))
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("对接记录")
        verbose_name_plural = _("对接记录")

    def __str__(self) -> str:
        return self.text[:50]
