from django.db import models
from django.utils.translation import gettext_lazy as _


class ScreeningDecision(models.TextChoices):
    PENDING = "pending", _("评价中")
    SELECTED = "selected", _("入选")
    NOT_SELECTED = "not_selected", _("不入选")


class Grade(models.TextChoices):
    A = "A", _("A级（优秀）")
    B = "B", _("B级（良好）")
    C = "C", _("C级（一般）")
    D = "D", _("D级（较差）")


class CatalogStatus(models.TextChoices):
    DRAFT = "draft", _("编制中")
    PUBLISHED = "published", _("已发布")


class ValuationMethod(models.TextChoices):
    INCOME = "income", _("收益法")
    COST = "cost", _("成本法")
    MARKET = "market", _("市场法")


class ListingMode(models.TextChoices):
    ASSIGNMENT = "assignment", _("转让")
    LICENSE = "license", _("许可")
    EQUITY = "equity", _("作价入股")


class ListingKind(models.TextChoices):
    AUCTION = "auction", _("公开竞价")
    NEGOTIATION = "negotiation", _("协议转让")


class ListingStatus(models.TextChoices):
    OPEN = "open", _("挂牌中")
    SOLD = "sold", _("已成交")
    UNSOLD = "unsold", _("流拍")
    WITHDRAWN = "withdrawn", _("已撤牌")


class ContractKind(models.TextChoices):
    DEVELOPMENT = "development", _("技术开发")
    TRANSFER = "transfer", _("技术转让")
    LICENSE = "license", _("技术许可")
    CONSULTING = "consulting", _("技术咨询")
    SERVICE = "service", _("技术服务")


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待认定")
    REGISTERED = "registered", _("已登记")
    REFUSED = "refused", _("不予登记")
