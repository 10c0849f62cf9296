"""技术合同认定登记: the seller registers a contract; the registrar classifies it, corrects the
technology part of the amount (技术交易额), and issues a registration number or refuses."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from transfer.choices import ContractKind, ContractStatus

AMOUNT = [MinValueValidator(0)]


class TechContract(models.Model):
    kind = models.CharField(_("合同类型"), max_length=12, choices=ContractKind.choices)
    title = models.CharField(_("合同名称"), max_length=200)
    subject = models.TextField(_("标的技术内容"))
    seller = models.ForeignKey(
        "core.Organisation",
        models.PROTECT,
        related_name="contracts_sold",
        verbose_name=_("卖方（登记方）"),
    )
    buyer_name = models.CharField(_("买方名称"), max_length=120)
    buyer = models.ForeignKey(
        "core.Organisation",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="contracts_bought",
        verbose_name=_("买方（平台单位）"),
    )
    buyer_in_city = models.BooleanField(_("买方在本市"), default=True)
    # Blank on a draft generated from a listing whose achievement names no field: the seller
    # chooses it before submitting.
    field = models.ForeignKey(
        "core.HighTechField",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("技术领域"),
    )
    achievement = models.ForeignKey(
        "resources.Achievement",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="contracts",
        verbose_name=_("关联成果"),
    )
    listing = models.OneToOneField(
        "transfer.Listing",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="contract",
        verbose_name=_("来源挂牌"),
    )
    total_amount = models.DecimalField(
        _("合同总金额（元）"), max_digits=16, decimal_places=2, validators=AMOUNT
    )
    declared_tech_amount = models.DecimalField(
        _("申报技术交易额（元）"), max_digits=16, decimal_places=2, validators=AMOUNT
    )
    non_tech_part = models.CharField(
        _("非技术性内容"),
        max_length=300,
        blank=True,
        help_text=_("如设备、原材料、建设工程等不属于技术交易的部分"),
    )
    related_to_transfer = models.BooleanField(_("与技术转让、开发相关的咨询或服务"), default=False)
    payment_terms = models.TextField(_("支付方式与期限"))
    signed_on = models.DateField(_("签订日期"), null=True, blank=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=ContractStatus.choices, default=ContractStatus.DRAFT
    )
    registered_kind = models.CharField(
        _("认定类型"), max_length=12, choices=ContractKind.choices, blank=True
    )
    tech_amount = models.DecimalField(
        _("认定技术交易额（元）"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    registration_number = models.CharField(
        _("登记编号"), max_length=40, unique=True, null=True, blank=True
    )
    registrar_note = models.TextField(_("认定意见"), blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记员"),
    )
    registered_at = models.DateTimeField(_("认定时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("填报人")
    )
    created_at = models.DateTimeField(_("填报时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("技术合同")
        verbose_name_plural = _("技术合同")
        constraints = [
            models.CheckConstraint(
                condition=Q(declared_tech_amount__lte=F("total_amount")),
                name="declared_tech_within_total",
            ),
            models.CheckConstraint(
                condition=Q(tech_amount__isnull=True) | Q(tech_amount__lte=F("total_amount")),
                name="tech_amount_within_total",
            ),
        ]

    def __str__(self) -> str:
        return self.title
