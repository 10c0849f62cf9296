from django.db import models
from django.utils.translation import gettext_lazy as _


class MatchStatus(models.TextChoices):
    RECOMMENDED = "recommended", _("推荐")
    CONTACTED = "contacted", _("已联系")
    NEGOTIATING = "negotiating", _("洽谈中")
    SIGNED = "signed", _("已签约")
    FAILED = "failed", _("未成")


OPEN_STATUSES = (MatchStatus.RECOMMENDED, MatchStatus.CONTACTED, MatchStatus.NEGOTIATING)

# Each open status and the one a broker moves it on to.
NEXT_STATUS = {
    MatchStatus.RECOMMENDED: MatchStatus.CONTACTED,
    MatchStatus.CONTACTED: MatchStatus.NEGOTIATING,
    MatchStatus.NEGOTIATING: MatchStatus.SIGNED,
}


class FailureReason(models.TextChoices):
    IMMATURE = "immature", _("技术不成熟")
    PRICE = "price", _("价格分歧")
    NEED_CHANGED = "need_changed", _("需求变化")
    IP = "ip", _("知识产权问题")
    OTHER = "other", _("其他")


class SupplyKind(models.TextChoices):
    ACHIEVEMENT = "achievement", _("科技成果")
    EXPERT = "expert", _("专家")
    INSTITUTE = "institute", _("高校院所")


class Feedback(models.TextChoices):
    ACCEPTED = "accepted", _("有意向")
    DECLINED = "declined", _("不合适")
