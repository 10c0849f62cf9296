from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from programs.choices import ApplicationStatus, AttachmentKind, BudgetCategory


class Application(models.Model):
    """申报书: prepared by users of one organisation, confirmed by its administrator."""

    call = models.ForeignKey(
        "programs.Call", models.PROTECT, related_name="applications", verbose_name=_("指南")
    )
    topic = models.ForeignKey(
        "programs.Topic",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("申报方向"),
    )
    organisation = models.ForeignKey(
        "core.Organisation",
        models.PROTECT,
        related_name="program_applications",
        verbose_name=_("申报单位"),
    )
    # The applicant's region when the application was started: district admins act on it.
    region = models.ForeignKey(
        "core.Region", models.PROTECT, related_name="+", verbose_name=_("所在区域")
    )
    number = models.CharField(_("申报编号"), max_length=20, blank=True, db_index=True)
    title = models.CharField(_("项目名称"), max_length=200)
    summary = models.TextField(_("项目摘要"), blank=True)
    keywords = models.CharField(_("关键词"), max_length=200, blank=True)
    pi_name = models.CharField(_("项目负责人"), max_length=50, blank=True)
    pi_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("负责人账号"),
    )
    team = models.JSONField(
        _("项目组成员"), default=list, blank=True, help_text=_("每行：姓名｜单位｜分工")
    )
    answers = models.JSONField(_("附加栏目"), default=dict, blank=True)
    co_organisations = models.ManyToManyField(
        "core.Organisation", blank=True, related_name="+", verbose_name=_("合作单位")
    )
    requested_funding = models.DecimalField(
        _("申请财政资金（万元）"),
        max_digits=10,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    self_funding = models.DecimalField(
        _("自筹资金（万元）"),
        max_digits=10,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.DRAFT,
        db_index=True,
    )
    return_reason = models.CharField(_("退回或不予受理原因"), max_length=500, blank=True)
    returned_count = models.PositiveSmallIntegerField(_("退回次数"), default=0)
    fix_deadline = models.DateTimeField(_("修改截止时间"), null=True, blank=True)
    review_score = models.DecimalField(
        _("评审得分"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    review_spread = models.DecimalField(
        _("评分极差"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    review_flagged = models.BooleanField(_("专家意见分歧较大"), default=False)
    approved_funding = models.DecimalField(
        _("拟资助经费（万元）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    is_demo = models.BooleanField(_("示例数据"), default=False)

    class Meta:
        verbose_name = _("项目申报书")
        verbose_name_plural = _("项目申报书")
        ordering = ["-created_at"]
        permissions = [("review_application", _("组织项目评审"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(returned_count__lte=1), name="application_returned_at_most_once"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def total_budget(self):
        return self.requested_funding + self.self_funding

    @property
    def answered_questions(self) -> list[tuple[str, str]]:
        """The call's extra questions with this application's answers, in the call's order."""
        return [(q["label"], self.answers.get(q["key"], "")) for q in self.call.form_fields]


class BudgetLine(models.Model):
    application = models.ForeignKey(
        Application, models.CASCADE, related_name="budget_lines", verbose_name=_("申报书")
    )
    category = models.CharField(_("科目"), max_length=12, choices=BudgetCategory.choices)
    amount = models.DecimalField(
        _("金额（万元）"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )
    note = models.CharField(_("测算依据"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("预算科目")
        verbose_name_plural = _("预算科目")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "category"], name="budget_line_once_per_category"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.amount}"


def attachment_path(instance, filename: str) -> str:
    return f"programs/{instance.application_id}/{filename}"


class Attachment(models.Model):
    application = models.ForeignKey(
        Application, models.CASCADE, related_name="attachments", verbose_name=_("申报书")
    )
    kind = models.CharField(_("附件类型"), max_length=12, choices=AttachmentKind.choices)
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=300)
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["kind", "uploaded_at"]

    def __str__(self) -> str:
        return self.name


class Transition(models.Model):
    """One step of an application's workflow: who moved it, from where to where, and why."""

    application = models.ForeignKey(
        Application, models.CASCADE, related_name="transitions", verbose_name=_("申报书")
    )
    from_status = models.CharField(_("原状态"), max_length=12, choices=ApplicationStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=12, choices=ApplicationStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    reason = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("流转记录")
        verbose_name_plural = _("流转记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.application}: {self.from_status} → {self.to_status}"
