"""Catalogs (优秀科技成果目录): compiled from screened achievements, frozen when published —
each entry keeps a snapshot, so later edits to a record do not change a published catalog."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from transfer.choices import CatalogStatus


class Catalog(models.Model):
    title = models.CharField(_("目录名称"), max_length=120, unique=True)
    period = models.CharField(_("期次"), max_length=40, help_text=_("如：2026年第4季度"))
    introduction = models.TextField(_("编制说明"), blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=CatalogStatus.choices, default=CatalogStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("编制人")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发布人"),
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    pdf = models.FileField(_("PDF 版"), upload_to="catalogs/", blank=True)
    xlsx = models.FileField(_("Excel 版"), upload_to="catalogs/", blank=True)

    class Meta:
        ordering = ["-published_at", "-created_at"]
        verbose_name = _("成果目录")
        verbose_name_plural = _("成果目录")

    def __str__(self) -> str:
        return self.title


class CatalogEntry(models.Model):
    catalog = models.ForeignKey(
        Catalog, models.CASCADE, related_name="entries", verbose_name=_("目录")
    )
    achievement = models.ForeignKey(
        "resources.Achievement",
        models.PROTECT,
        related_name="catalog_entries",
        verbose_name=_("科技成果"),
    )
    screening = models.ForeignKey(
        "transfer.Screening", models.PROTECT, related_name="+", verbose_name=_("筛选评价")
    )
    position = models.PositiveIntegerField(_("序号"))
    snapshot = models.JSONField(_("发布时的内容"), default=dict)

    class Meta:
        ordering = ["catalog", "position"]
        verbose_name = _("目录条目")
        verbose_name_plural = _("目录条目")
        constraints = [
            models.UniqueConstraint(
                fields=["catalog", "achievement"], name="listed_once_per_catalog"
            )
        ]

    def __str__(self) -> str:
        return self.snapshot.get("title") or str(self.achievement)
