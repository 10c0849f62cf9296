from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceCategory(models.TextChoices):
    """What a service provider offers and what an innovation voucher may pay for."""

    TESTING = "testing", _("检验检测")
    RD = "rd", _("研发设计")
    CONSULTING = "consulting", _("技术咨询")
    INSTRUMENT = "instrument", _("仪器设备共享")
    BROKERAGE = "brokerage", _("技术转移与经纪")
    IP = "ip", _("知识产权服务")
    INCUBATION = "incubation", _("创业孵化")
    FINANCING = "financing", _("科技金融")


class ProviderStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    REGISTERED = "registered", _("已入库")
    REFUSED = "refused", _("未通过")
    SUSPENDED = "suspended", _("已暂停")


class BookingStatus(models.TextChoices):
    REQUESTED = "requested", _("待确认")
    APPROVED = "approved", _("已确认")
    REFUSED = "refused", _("已拒绝")
    CANCELLED = "cancelled", _("已取消")
    USED = "used", _("已服务")


# A booking in one of these states holds its slot: nobody else may book it.
LIVE_BOOKING = (BookingStatus.REQUESTED, BookingStatus.APPROVED, BookingStatus.USED)


class UsageStatus(models.TextChoices):
    RECORDED = "recorded", _("待用户确认")
    CONFIRMED = "confirmed", _("双方已确认")
    DISPUTED = "disputed", _("用户有异议")


class ClaimStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("未批准")


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    PASS = "pass", _("合格")
    POOR = "poor", _("较差")


class EvaluationStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


class ProgramStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    OPEN = "open", _("受理中")
    CLOSED = "closed", _("已结束")


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    APPROVED = "approved", _("已发券")
    REFUSED = "refused", _("未通过")
    WITHDRAWN = "withdrawn", _("已撤回")


class VoucherStatus(models.TextChoices):
    ACTIVE = "active", _("有效")
    USED_UP = "used_up", _("已用完")
    EXPIRED = "expired", _("已过期")
    CANCELLED = "cancelled", _("已作废")


class RelationKind(models.TextChoices):
    CONTROL = "control", _("控股或参股")
    GROUP = "group", _("同一集团")
    LEGAL_REP = "legal_rep", _("同一法定代表人或实际控制人")
    OTHER = "other", _("其他关联")


class FlagStatus(models.TextChoices):
    OPEN = "open", _("待核查")
    CLEARED = "cleared", _("核查正常")
    CONFIRMED = "confirmed", _("确认异常")
