from django.db import models
from django.utils.translation import gettext_lazy as _


class Tier(models.TextChoices):
    """The cultivation ladder, lowest first (科技型中小企业 → 高企 → 专精特新 → 小巨人 → 领军)."""

    SME_TECH = "sme_tech", _("科技型中小企业")
    HTE = "hte", _("高新技术企业")
    SPECIALISED = "specialised", _("专精特新中小企业")
    LITTLE_GIANT = "little_giant", _("专精特新“小巨人”企业")
    LEADER = "leader", _("科技领军企业")


# The rule set behind each tier; 领军企业 are designated by the bureau, not assessed by rule.
TIER_RULESET = {
    Tier.SME_TECH: "sme_tech",
    Tier.HTE: "hte",
    Tier.SPECIALISED: "specialised_sme",
    Tier.LITTLE_GIANT: "little_giant",
}


class HteField(models.TextChoices):
    ELECTRONIC_INFO = "electronic_info", _("电子信息")
    BIOMEDICINE = "biomedicine", _("生物与新医药")
    AEROSPACE = "aerospace", _("航空航天")
    NEW_MATERIALS = "new_materials", _("新材料")
    HIGHTECH_SERVICES = "hightech_services", _("高技术服务")
    NEW_ENERGY = "new_energy", _("新能源与节能")
    RESOURCES_ENVIRONMENT = "resources_environment", _("资源与环境")
    ADVANCED_MANUFACTURING = "advanced_manufacturing", _("先进制造与自动化")


class RdInstitution(models.TextChoices):
    NATIONAL = "national", _("国家级")
    PROVINCIAL = "provincial", _("省部级")
    CITY = "city", _("市级")
    ENTERPRISE = "enterprise", _("市级以下（企业自建或合建）")
    NONE = "none", _("无")


class ProductRole(models.TextChoices):
    KEY = "key", _("补短板、锻长板、填空白")
    BASIC = "basic", _("工业“六基”、中华老字号或龙头企业配套")
    OTHER = "other", _("其他")


class SubsidyBasis(models.TextChoices):
    TOTAL = "total", _("按上年度研发费用总额")
    INCREMENT = "increment", _("按上年度研发费用较前一年的增量")


class SchemeStatus(models.TextChoices):
    DRAFT = "draft", _("测算中")
    APPROVED = "approved", _("已审定")
