from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from programs.choices import ObjectionStatus, PublicityStatus


class Publicity(models.Model):
    """立项公示: the proposed projects of a call, open to objections for N working days."""

    call = models.ForeignKey(
        "programs.Call", models.PROTECT, related_name="publicities", verbose_name=_("指南")
    )
    title = models.CharField(_("公示标题"), max_length=200)
    starts_on = models.DateField(_("公示开始日期"))
    ends_on = models.DateField(_("公示截止日期"), help_text=_("按国家法定工作日计算。"))
    working_days = models.PositiveSmallIntegerField(_("公示期（工作日）"))
    status = models.CharField(
        _("状态"), max_length=12, choices=PublicityStatus.choices, default=PublicityStatus.OPEN
    )
    notice = models.FileField(_("立项通知"), upload_to="programs/notices/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    finalised_at = models.DateTimeField(_("正式立项时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("立项公示")
        verbose_name_plural = _("立项公示")
        ordering = ["-starts_on", "-pk"]

    def __str__(self) -> str:
        return self.title


class Objection(models.Model):
    """异议: raised by anyone during the publicity, resolved by the bureau before approval."""

    publicity = models.ForeignKey(
        Publicity, models.CASCADE, related_name="objections", verbose_name=_("公示")
    )
    application = models.ForeignKey(
        "programs.Application", models.CASCADE, related_name="objections", verbose_name=_("项目")
    )
    name = models.CharField(_("异议人"), max_length=50)
    contact = models.CharField(_("联系方式"), max_length=50)
    content = models.TextField(_("异议内容与依据"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    status = models.CharField(
        _("处理结果"),
        max_length=12,
        choices=ObjectionStatus.choices,
        default=ObjectionStatus.PENDING,
    )
    resolution = models.TextField(_("处理意见"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")
        ordering = ["submitted_at"]

    def __str__(self) -> str:
        return f"{self.application} · {self.name}"
