from django.db import models
from django.utils.translation import gettext_lazy as _

from core.choices import OrgSize, OrgType
from core.models.fields import USCCField
from core.validators import normalise_uscc


class Organisation(models.Model):
    name = models.CharField(_("单位名称"), max_length=120)
    type = models.CharField(_("单位类型"), max_length=20, choices=OrgType.choices)
    uscc = USCCField(_("统一社会信用代码"), unique=True)
    region = models.ForeignKey(
        "core.Region", models.PROTECT, related_name="organisations", verbose_name=_("所在区域")
    )
    industry = models.ForeignKey(
        "core.IndustrySection",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name=_("所属行业"),
    )
    size = models.CharField(_("规模"), max_length=10, choices=OrgSize.choices, blank=True)
    chain_nodes = models.ManyToManyField(
        "core.ChainNode", blank=True, related_name="organisations", verbose_name=_("产业链节点")
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    introduction = models.TextField(_("简介"), blank=True)
    is_demo = models.BooleanField(_("示例数据"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        indexes = [models.Index(fields=["region", "type"])]

    def __str__(self) -> str:
        return self.name

    def clean_fields(self, exclude=None):
        # Normalise before validation so that uniqueness is checked on the stored form.
        self.uscc = normalise_uscc(self.uscc)
        super().clean_fields(exclude)
