"""科技服务机构 (service providers) and the declared relations between organisations that the
voucher abuse checks read."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from sharing.choices import ProviderStatus, RelationKind


class ServiceProvider(models.Model):
    """An organisation registered to offer services (testing, R&D, brokerage, IP, incubation,
    financing…); registered providers may redeem innovation vouchers."""

    organisation = models.OneToOneField(
        "core.Organisation",
        models.PROTECT,
        related_name="service_provider",
        verbose_name=_("服务机构"),
    )
    # ServiceCategory codes, e.g. ["testing", "rd"].
    categories = models.JSONField(_("服务类别"), default=list)
    services = models.TextField(_("服务内容"))
    # [{"name": "检验检测机构资质认定（CMA）", "number": "…", "valid_until": "2028-06-30"}, …]
    qualifications = models.JSONField(_("资质证书"), default=list, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50)
    contact_phone = models.CharField(_("联系电话"), max_length=20)
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=ProviderStatus.choices,
        default=ProviderStatus.PENDING,
        db_index=True,
    )
    reason = models.CharField(_("审核意见"), max_length=300, blank=True)
    registered_at = models.DateTimeField(_("入库时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("申请人")
    )
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    is_demo = models.BooleanField(_("示例数据"), default=False)

    class Meta:
        ordering = ["organisation__name"]
        verbose_name = _("科技服务机构")
        verbose_name_plural = _("科技服务机构")

    def __str__(self) -> str:
        return str(self.organisation)


class OrgRelation(models.Model):
    """A declared or found relation between two organisations (控股, 同一集团…): a voucher
    redeemed between related organisations is flagged for review."""

    first = models.ForeignKey(
        "core.Organisation", models.CASCADE, related_name="+", verbose_name=_("单位一")
    )
    second = models.ForeignKey(
        "core.Organisation", models.CASCADE, related_name="+", verbose_name=_("单位二")
    )
    kind = models.CharField(_("关联类型"), max_length=12, choices=RelationKind.choices)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("关联关系")
        verbose_name_plural = _("关联关系")
        constraints = [
            # Stored with the smaller id first, so a pair is recorded once.
            models.CheckConstraint(
                condition=Q(first__lt=F("second")), name="org_relation_ordered_pair"
            ),
            models.UniqueConstraint(fields=["first", "second"], name="org_relation_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.first} — {self.second}（{self.get_kind_display()}）"
