from django.db import models
from django.utils.translation import gettext_lazy as _


class SubjectKind(models.TextChoices):
    ORGANISATION = "organisation", _("单位")
    PERSON = "person", _("个人")


class Severity(models.TextChoices):
    GENERAL = "general", _("一般")
    SERIOUS = "serious", _("较重")
    GRAVE = "grave", _("严重")


class Activity(models.TextChoices):
    """What a record of dishonest conduct may bar its subject from; each gate asks for one."""

    APPLY = "apply", _("申报科技计划项目")
    REVIEW = "review", _("担任评审专家")
    RECOGNITION = "recognition", _("资质认定与评价")
    LISTING = "listing", _("成果入库与挂牌")


# How a refusal reads: "…前" + this phrase.
BARRED = {
    Activity.APPLY: _("不得申报科技计划项目"),
    Activity.REVIEW: _("不得担任评审专家"),
    Activity.RECOGNITION: _("不得参加资质认定与评价"),
    Activity.LISTING: _("不得将成果入库或挂牌"),
}


class RecordState(models.TextChoices):
    """Where a record stands on a given day; derived from its dates, never stored."""

    IN_FORCE = "in_force", _("生效中")
    PENDING = "pending", _("未生效")
    EXPIRED = "expired", _("已到期")
    REVOKED = "revoked", _("已撤销")
