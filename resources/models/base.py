"""What every resource-library record shares: owner, status, review, versions and search text."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from resources.choices import RecordStatus, VersionStatus


class PublicRecord(models.Model):
    """A record that is drafted by an organisation, reviewed, published and archived."""

    owner = models.ForeignKey(
        "core.Organisation", models.PROTECT, related_name="+", verbose_name=_("所属单位")
    )
    region = models.ForeignKey(
        "core.Region", models.PROTECT, related_name="+", verbose_name=_("所在区域")
    )
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=RecordStatus.choices,
        default=RecordStatus.DRAFT,
        db_index=True,
    )
    return_reason = models.CharField(_("退回原因"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("填报人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, db_index=True)
    is_demo = models.BooleanField(_("示例数据"), default=False)
    # jieba-segmented words of the searchable fields, kept by the service that saves the record.
    search_tokens = models.TextField(editable=False, blank=True, default="")

    # Fields whose text feeds the full-text index, in order of weight.
    search_fields: tuple[str, ...] = ("title",)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.derive()
        super().save(*args, **kwargs)

    def derive(self) -> None:
        """Fill the fields that follow from others (kept here so bulk inserts get them too)."""

    @property
    def is_published(self) -> bool:
        return self.status == RecordStatus.PUBLISHED


class RecordVersion(models.Model):
    """A reviewed state of a record: each publication, and each proposed edit of a published one.

    The live row always holds what the public sees; a pending version holds the proposed values
    until a reviewer approves it.
    """

    content_type = models.ForeignKey(ContentType, models.CASCADE, verbose_name=_("类型"))
    object_id = models.PositiveBigIntegerField(_("记录编号"))
    record = GenericForeignKey("content_type", "object_id")
    number = models.PositiveIntegerField(_("版本号"))
    status = models.CharField(_("状态"), max_length=12, choices=VersionStatus.choices)
    data = models.JSONField(_("内容"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("提交人"),
    )
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reason = models.CharField(_("审核意见"), max_length=500, blank=True)

    class Meta:
        ordering = ["content_type", "object_id", "-number"]
        verbose_name = _("版本")
        verbose_name_plural = _("版本")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "number"], name="version_number_unique"
            ),
            models.UniqueConstraint(
                fields=["content_type", "object_id"],
                condition=models.Q(status=VersionStatus.PENDING),
                name="one_pending_version_per_record",
            ),
        ]
        indexes = [models.Index(fields=["content_type", "object_id", "status"])]

    def __str__(self) -> str:
        return f"v{self.number}"
