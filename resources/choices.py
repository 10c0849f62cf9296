from django.db import models
from django.utils.translation import gettext_lazy as _


class RecordStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    PUBLISHED = "published", _("已发布")
    RETURNED = "returned", _("已退回")
    ARCHIVED = "archived", _("已归档")


class VersionStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已通过")
    RETURNED = "returned", _("已退回")
    WITHDRAWN = "withdrawn", _("已撤回")


class TransferMode(models.TextChoices):
    ASSIGNMENT = "assignment", _("转让")
    LICENSE = "license", _("许可")
    EQUITY = "equity", _("作价入股")
    COOPERATION = "cooperation", _("合作开发")


class CooperationMode(models.TextChoices):
    COMMISSIONED = "commissioned", _("委托开发")
    JOINT = "joint", _("合作开发")
    TRANSFER = "transfer", _("技术转让")
    LICENSE = "license", _("技术许可")
    CONSULTING = "consulting", _("技术咨询/服务")


class TRL(models.IntegerChoices):
    L1 = 1, _("1级 基本原理被发现和报告")
    L2 = 2, _("2级 形成技术概念或应用方案")
    L3 = 3, _("3级 关键功能和特性的原理验证")
    L4 = 4, _("4级 实验室环境中的部件验证")
    L5 = 5, _("5级 相关环境中的部件验证")
    L6 = 6, _("6级 相关环境中的系统或原型演示")
    L7 = 7, _("7级 实际环境中的原型演示")
    L8 = 8, _("8级 完成实际系统并通过试验验证")
    L9 = 9, _("9级 实际系统通过任务运行验证")


class PriceBand(models.TextChoices):
    NEGOTIABLE = "negotiable", _("面议")
    UNDER_50 = "lt50", _("50万元以下")
    FROM_50 = "50_200", _("50–200万元")
    FROM_200 = "200_1000", _("200–1000万元")
    OVER_1000 = "gt1000", _("1000万元以上")


class PlatformType(models.TextChoices):
    KEY_LAB = "key_lab", _("重点实验室")
    ENGINEERING_CENTRE = "engineering_centre", _("工程技术研究中心")
    INCUBATOR = "incubator", _("孵化器")
    MAKERSPACE = "makerspace", _("众创空间")
    PILOT_BASE = "pilot_base", _("中试基地")
    PROOF_OF_CONCEPT = "proof_of_concept", _("概念验证中心")
    NEW_RD = "new_rd", _("新型研发机构")


class PlatformLevel(models.TextChoices):
    NATIONAL = "national", _("国家级")
    PROVINCIAL = "provincial", _("省级")
    MUNICIPAL = "municipal", _("市级")


class PatentType(models.TextChoices):
    INVENTION = "invention", _("发明")
    UTILITY = "utility", _("实用新型")
    DESIGN = "design", _("外观设计")


class PatentStatus(models.TextChoices):
    PENDING = "pending", _("审查中")
    GRANTED = "granted", _("有效")
    LAPSED = "lapsed", _("失效")
    REJECTED = "rejected", _("驳回")


class RelationKind(models.TextChoices):
    RELATIVE = "relative", _("近亲属")
    ADVISOR = "advisor", _("师生关系")
    COLLABORATOR = "collaborator", _("近三年合作者")
    OTHER = "other", _("其他利益关系")
