from django.db import models
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    HIGHER = "higher", _("越高越好")
    LOWER = "lower", _("越低越好")


class Frequency(models.TextChoices):
    YEAR = "year", _("年度")
    QUARTER = "quarter", _("季度")
    MONTH = "month", _("月度")


class Method(models.TextChoices):
    ENTERED = "entered", _("填报")
    IMPORTED = "imported", _("导入")
    COMPUTED = "computed", _("平台数据实时计算")
