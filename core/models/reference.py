"""Reference data: regions and taxonomies, loaded from data files by a data migration."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.choices import RegionKind


class Region(models.Model):
    code = models.CharField(_("行政区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    kind = models.CharField(_("类型"), max_length=20, choices=RegionKind.choices)
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级"),
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("行政区域")
        verbose_name_plural = _("行政区域")

    def __str__(self) -> str:
        return self.name


class TaxonomyBase(models.Model):
    code = models.CharField(_("代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=80)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        abstract = True
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Discipline(TaxonomyBase):
    """学科分类与代码 GB/T 13745, first level."""

    class Meta(TaxonomyBase.Meta):
        verbose_name = _("学科")
        verbose_name_plural = _("学科")


class IndustrySection(TaxonomyBase):
    """国民经济行业分类 GB/T 4754-2017, sections (门类)."""

    class Meta(TaxonomyBase.Meta):
        verbose_name = _("国民经济行业门类")
        verbose_name_plural = _("国民经济行业门类")


class HighTechField(TaxonomyBase):
    """国家重点支持的高新技术领域 (the eight fields)."""

    class Meta(TaxonomyBase.Meta):
        verbose_name = _("高新技术领域")
        verbose_name_plural = _("高新技术领域")


class IndustryChain(TaxonomyBase):
    """A city's key industry chain (重点产业链), from the city profile."""

    class Meta(TaxonomyBase.Meta):
        verbose_name = _("产业链")
        verbose_name_plural = _("产业链")


class ChainNode(models.Model):
    chain = models.ForeignKey(
        IndustryChain, models.CASCADE, related_name="nodes", verbose_name=_("产业链")
    )
    code = models.CharField(_("代码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=80)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["chain__sort_order", "sort_order", "code"]
        verbose_name = _("产业链节点")
        verbose_name_plural = _("产业链节点")

    def __str__(self) -> str:
        return f"{self.chain.name}·{self.name}"
