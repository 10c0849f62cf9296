from django.db import models
from django.utils.translation import gettext_lazy as _


class CallKind(models.TextChoices):
    GENERAL = "general", _("一般项目")
    CHALLENGE = "challenge", _("揭榜挂帅")


class CallStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    WITHDRAWN = "withdrawn", _("已撤回")


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("填报中")
    SUBMITTED = "submitted", _("待单位审核")
    CONFIRMED = "confirmed", _("待形式审查")
    RETURNED = "returned", _("退回修改")
    ACCEPTED = "accepted", _("形式审查通过")
    REJECTED = "rejected", _("不予受理")
    IN_REVIEW = "in_review", _("评审中")
    REVIEWED = "reviewed", _("评审完成")
    PROPOSED = "proposed", _("拟立项公示中")
    NOT_FUNDED = "not_funded", _("未立项")
    FUNDED = "funded", _("已立项")
    CONTRACTED = "contracted", _("执行中")
    ACCEPTANCE = "acceptance", _("验收中")
    CLOSED = "closed", _("已验收")


class ReviewStage(models.TextChoices):
    REVIEW = "review", _("立项评审")
    ACCEPTANCE = "acceptance", _("验收评审")


class Verdict(models.TextChoices):
    PASSED = "passed", _("通过验收")
    CONCLUDED = "concluded", _("结题")
    FAILED = "failed", _("不通过")


class PublicityStatus(models.TextChoices):
    OPEN = "open", _("公示中")
    FINALISED = "finalised", _("已正式立项")


class ObjectionStatus(models.TextChoices):
    PENDING = "pending", _("待处理")
    UPHELD = "upheld", _("异议成立")
    DISMISSED = "dismissed", _("异议不成立")


class ReportStatus(models.TextChoices):
    DUE = "due", _("待提交")
    SUBMITTED = "submitted", _("已提交")
    ACCEPTED = "accepted", _("已审核")
    RETURNED = "returned", _("退回补充")


class InspectionConclusion(models.TextChoices):
    NORMAL = "normal", _("进展正常")
    RECTIFY = "rectify", _("限期整改")
    SERIOUS = "serious", _("存在严重问题")


class ChangeKind(models.TextChoices):
    PI = "pi", _("变更项目负责人")
    BUDGET = "budget", _("调整预算")
    SCHEDULE = "schedule", _("延期")
    CONTENT = "content", _("调整研究内容")


class ChangeStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("未批准")


class OutcomeKind(models.TextChoices):
    PATENT = "patent", _("专利")
    REVENUE = "revenue", _("新增销售收入")
    ACHIEVEMENT = "achievement", _("入库科技成果")
    PAPER = "paper", _("论文")
    STANDARD = "standard", _("标准")
    OTHER = "other", _("其他")


class BudgetCategory(models.TextChoices):
    """Direct costs (设备费, 业务费, 劳务费) and indirect costs, as in 国办发〔2021〕32号."""

    EQUIPMENT = "equipment", _("设备费")
    BUSINESS = "business", _("业务费")
    LABOUR = "labour", _("劳务费")
    INDIRECT = "indirect", _("间接费用")


class AttachmentKind(models.TextChoices):
    PROPOSAL = "proposal", _("申报书正文")
    BUDGET = "budget", _("预算说明")
    PLEDGE = "pledge", _("单位承诺书")
    CREDENTIAL = "credential", _("资质证明")
    REPORT = "report", _("进展报告")
    FINAL_REPORT = "final_report", _("验收总结报告")
    OTHER = "other", _("其他")


class AssignmentStatus(models.TextChoices):
    ALTERNATE = "alternate", _("备选")
    INVITED = "invited", _("待确认")
    ACCEPTED = "accepted", _("已接受")
    DECLINED = "declined", _("已谢绝")
    SUBMITTED = "submitted", _("已评分")


class RecusalReason(models.TextChoices):
    SAME_ORGANISATION = "same_org", _("与申报单位同单位")
    CO_APPLICANT = "co_applicant", _("来自合作单位")
    TEAM_MEMBER = "team_member", _("本人为项目组成员")
    DECLARED_RELATION = "declared", _("申报了利益关系")
    RECENT_COLLABORATION = "recent", _("近年与申报单位共同申报项目")
    SELF_DECLARED = "self_declared", _("专家声明存在利益冲突")
    INTEGRITY = "integrity", _("存在科研失信记录")
