"""The six kinds of record in the resource library."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from resources.choices import (
    TRL,
    CooperationMode,
    PatentStatus,
    PatentType,
    PlatformLevel,
    PlatformType,
    PriceBand,
)
from resources.models.base import PublicRecord
from resources.validators import validate_patent_number

MONEY = {"max_digits": 14, "decimal_places": 2}


def price_band_of(price) -> str:
    if price is None:
        return PriceBand.NEGOTIABLE
    if price < 50:
        return PriceBand.UNDER_50
    if price < 200:
        return PriceBand.FROM_50
    if price < 1000:
        return PriceBand.FROM_200
    return PriceBand.OVER_1000


class Achievement(PublicRecord):
    """科技成果."""

    title = models.CharField(_("成果名称"), max_length=200)
    summary = models.CharField(_("成果简介"), max_length=500)
    description = models.TextField(_("详细介绍"), blank=True)
    keywords = models.CharField(
        _("关键词"), max_length=200, blank=True, help_text=_("用逗号或空格分隔")
    )
    co_owners = models.ManyToManyField(
        "core.Organisation",
        blank=True,
        related_name="co_owned_achievements",
        verbose_name=_("共同所有单位"),
    )
    inventors = models.CharField(_("完成人"), max_length=300, blank=True)
    disciplines = models.ManyToManyField(
        "core.Discipline", blank=True, related_name="+", verbose_name=_("学科")
    )
    hightech_field = models.ForeignKey(
        "core.HighTechField",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("高新技术领域"),
    )
    chain_nodes = models.ManyToManyField(
        "core.ChainNode", blank=True, related_name="+", verbose_name=_("产业链节点")
    )
    trl = models.PositiveSmallIntegerField(_("技术成熟度"), choices=TRL.choices, db_index=True)
    patents = models.ManyToManyField(
        "resources.Patent", blank=True, related_name="achievements", verbose_name=_("相关专利")
    )
    allows_assignment = models.BooleanField(_("可转让"), default=False)
    allows_license = models.BooleanField(_("可许可"), default=False)
    allows_equity = models.BooleanField(_("可作价入股"), default=False)
    allows_cooperation = models.BooleanField(_("可合作开发"), default=False)
    asking_price = models.DecimalField(
        _("意向价格（万元）"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("留空表示面议"),
        **MONEY,
    )
    price_band = models.CharField(
        _("价格区间"), max_length=12, choices=PriceBand.choices, editable=False, db_index=True
    )
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)

    search_fields = ("title", "keywords", "summary", "description")

    class Meta:
        verbose_name = _("科技成果")
        verbose_name_plural = _("科技成果")
        indexes = [
            models.Index(fields=["status", "region", "-published_at"]),
            models.Index(fields=["status", "-published_at"]),
        ]

    def derive(self) -> None:
        self.price_band = price_band_of(self.asking_price)


class Demand(PublicRecord):
    """技术需求, posted by an enterprise."""

    title = models.CharField(_("需求名称"), max_length=200)
    description = models.TextField(_("需求描述"))
    keywords = models.CharField(_("关键词"), max_length=200, blank=True)
    disciplines = models.ManyToManyField(
        "core.Discipline", blank=True, related_name="+", verbose_name=_("学科")
    )
    hightech_field = models.ForeignKey(
        "core.HighTechField",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("高新技术领域"),
    )
    chain_nodes = models.ManyToManyField(
        "core.ChainNode", blank=True, related_name="+", verbose_name=_("产业链节点")
    )
    budget_min = models.DecimalField(
        _("预算下限（万元）"), null=True, blank=True, validators=[MinValueValidator(0)], **MONEY
    )
    budget_max = models.DecimalField(
        _("预算上限（万元）"), null=True, blank=True, validators=[MinValueValidator(0)], **MONEY
    )
    deadline = models.DateField(_("截止日期"), null=True, blank=True)
    cooperation_mode = models.CharField(
        _("合作方式"), max_length=20, choices=CooperationMode.choices
    )
    challenge_ok = models.BooleanField(_("可作为揭榜挂帅榜单"), default=False)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)

    search_fields = ("title", "keywords", "description")

    class Meta:
        verbose_name = _("技术需求")
        verbose_name_plural = _("技术需求")
        indexes = [models.Index(fields=["status", "-published_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(budget_min__isnull=True)
                | models.Q(budget_max__isnull=True)
                | models.Q(budget_min__lte=models.F("budget_max")),
                name="demand_budget_range_ordered",
            )
        ]

    def clean(self):
        from django.core.exceptions import ValidationError

        if (
            self.budget_min is not None
            and self.budget_max is not None
            and self.budget_min > self.budget_max
        ):
            raise ValidationError({"budget_max": _("预算上限不能小于预算下限。")})


class Expert(PublicRecord):
    """专家: expertise profile, works for matching, declared relations for recusal."""

    title = models.CharField(_("姓名"), max_length=50)
    user = models.OneToOneField(
        "core.User",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="expert_profile",
        verbose_name=_("平台账号"),
    )
    rank = models.CharField(_("职称"), max_length=50, blank=True)
    disciplines = models.ManyToManyField(
        "core.Discipline", blank=True, related_name="+", verbose_name=_("学科")
    )
    chain_nodes = models.ManyToManyField(
        "core.ChainNode", blank=True, related_name="+", verbose_name=_("产业链节点")
    )
    keywords = models.CharField(_("研究方向关键词"), max_length=300, blank=True)
    bio = models.TextField(_("个人简介"), blank=True)
    works = models.JSONField(
        _("论文与项目"), default=list, blank=True, help_text=_("每项含标题、摘要和年份，中英文均可")
    )
    relations = models.JSONField(
        _("申报的利益关系"),
        default=list,
        blank=True,
        help_text=_("近亲属、师生、近三年合作者等，用于回避"),
    )
    available = models.BooleanField(_("可参加评审"), default=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)

    search_fields = ("title", "keywords", "bio", "works")

    class Meta:
        verbose_name = _("专家")
        verbose_name_plural = _("专家")
        indexes = [models.Index(fields=["status", "-published_at"])]


class Platform(PublicRecord):
    """创新平台."""

    title = models.CharField(_("平台名称"), max_length=200)
    type = models.CharField(_("平台类型"), max_length=20, choices=PlatformType.choices)
    level = models.CharField(_("级别"), max_length=12, choices=PlatformLevel.choices)
    chain_nodes = models.ManyToManyField(
        "core.ChainNode", blank=True, related_name="+", verbose_name=_("产业链节点")
    )
    services = models.TextField(_("服务内容"), blank=True)
    description = models.TextField(_("平台介绍"), blank=True)

    search_fields = ("title", "services", "description")

    class Meta:
        verbose_name = _("创新平台")
        verbose_name_plural = _("创新平台")
        indexes = [models.Index(fields=["status", "-published_at"])]


class Instrument(PublicRecord):
    """大型科研仪器."""

    title = models.CharField(_("仪器名称"), max_length=200)
    model_number = models.CharField(_("规格型号"), max_length=100, blank=True)
    original_value = models.DecimalField(
        _("原值（万元）"), validators=[MinValueValidator(0)], **MONEY
    )
    sharing_terms = models.TextField(_("开放共享条件"), blank=True)
    fee = models.CharField(_("收费标准"), max_length=200, blank=True)

    search_fields = ("title", "model_number", "sharing_terms")

    class Meta:
        verbose_name = _("大型科研仪器")
        verbose_name_plural = _("大型科研仪器")
        indexes = [models.Index(fields=["status", "-published_at"])]


class Patent(PublicRecord):
    """专利."""

    title = models.CharField(_("专利名称"), max_length=200)
    application_number = models.CharField(
        _("申请号"), max_length=20, unique=True, validators=[validate_patent_number]
    )
    abstract = models.TextField(_("摘要"), blank=True)
    ipc_codes = models.CharField(_("IPC 分类号"), max_length=200, blank=True)
    applicants = models.CharField(_("申请人"), max_length=300)
    type = models.CharField(_("专利类型"), max_length=12, choices=PatentType.choices)
    legal_status = models.CharField(_("法律状态"), max_length=12, choices=PatentStatus.choices)
    application_date = models.DateField(_("申请日"), null=True, blank=True)

    search_fields = ("title", "abstract", "ipc_codes")

    class Meta:
        verbose_name = _("专利")
        verbose_name_plural = _("专利")
        indexes = [models.Index(fields=["status", "-published_at"])]

    def clean(self):
        from django.core.exceptions import ValidationError

        from resources.validators import format_patent_number, patent_type_of

        try:
            validate_patent_number(self.application_number)
        except ValidationError:
            return  # the field's own validator reports it
        self.application_number = format_patent_number(self.application_number)
        encoded = patent_type_of(self.application_number)
        if self.type and self.type != encoded:
            raise ValidationError(
                {
                    "type": _("申请号表示的专利类型是“%(t)s”，与所选类型不符。")
                    % {"t": PatentType(encoded).label}
                }
            )
