"""创新券: programs with a budget, applications, vouchers with a verifiable code and expiry,
redemptions by registered providers against service contracts, the providers' settlement
claims, and the abuse flags the bureau reviews.

The budget is held by two running totals on the program, changed only under its row lock and
bounded by check constraints: `committed` (face value of the vouchers issued, less what expired
unused) and `redeemed` (what providers have redeemed). Neither may pass the budget.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from sharing.choices import (
    ApplicationStatus,
    ClaimStatus,
    FlagStatus,
    ProgramStatus,
    VoucherStatus,
)
from sharing.models.common import NON_NEGATIVE, POSITIVE, YUAN


class VoucherProgram(models.Model):
    name = models.CharField(_("创新券项目名称"), max_length=120)
    year = models.PositiveSmallIntegerField(_("年度"))
    description = models.TextField(_("说明"), blank=True)
    budget = models.DecimalField(_("预算总额（元）"), validators=POSITIVE, **YUAN)
    # The face values an applicant may ask for, in yuan, e.g. [10000, 30000, 50000].
    face_values = models.JSONField(_("券面额（元）"), default=list)
    max_share = models.DecimalField(
        _("抵扣比例上限"),
        max_digits=4,
        decimal_places=3,
        default=1,
        validators=[MinValueValidator(0.001), MaxValueValidator(1)],
        help_text=_("一次核销不超过服务合同金额的此比例，如 0.5 表示最多抵扣合同金额的 50%。"),
    )
    # Tier codes of cultivation pools (e.g. ["sme_tech"]); empty: any enterprise.
    eligible_tiers = models.JSONField(_("申领条件：培育库"), default=list, blank=True)
    regions = models.ManyToManyField(
        "core.Region", blank=True, related_name="+", verbose_name=_("申领条件：所在区域")
    )
    # ServiceCategory codes the voucher may pay for.
    categories = models.JSONField(_("适用服务类别"), default=list)
    providers = models.ManyToManyField(
        "sharing.ServiceProvider",
        blank=True,
        related_name="programs",
        verbose_name=_("指定服务机构"),
        help_text=_("不指定时，提供适用服务类别的已入库服务机构均可核销。"),
    )
    apply_from = models.DateField(_("申领开始"))
    apply_until = models.DateField(_("申领截止"))
    valid_days = models.PositiveIntegerField(
        _("有效期（天）"), validators=[MinValueValidator(1)], default=365
    )
    per_enterprise = models.PositiveSmallIntegerField(
        _("每家企业限领张数"), default=1, validators=[MinValueValidator(1)]
    )
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=ProgramStatus.choices,
        default=ProgramStatus.DRAFT,
        db_index=True,
    )
    committed = models.DecimalField(_("已发券额度（元）"), default=0, editable=False, **YUAN)
    redeemed = models.DecimalField(_("已核销金额（元）"), default=0, editable=False, **YUAN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["-year", "-pk"]
        verbose_name = _("创新券项目")
        verbose_name_plural = _("创新券项目")
        constraints = [
            models.CheckConstraint(
                condition=Q(committed__gte=0) & Q(committed__lte=F("budget")),
                name="voucher_commitments_within_budget",
            ),
            models.CheckConstraint(
                condition=Q(redeemed__gte=0) & Q(redeemed__lte=F("budget")),
                name="voucher_redemptions_within_budget",
            ),
            models.CheckConstraint(
                condition=Q(apply_until__gte=F("apply_from")), name="voucher_window_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def available(self):
        return self.budget - self.committed


class VoucherApplication(models.Model):
    program = models.ForeignKey(
        VoucherProgram, models.PROTECT, related_name="applications", verbose_name=_("创新券项目")
    )
    organisation = models.ForeignKey(
        "core.Organisation", models.PROTECT, related_name="+", verbose_name=_("申领企业")
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("申领人")
    )
    face_value = models.DecimalField(_("申领面额（元）"), validators=POSITIVE, **YUAN)
    category = models.CharField(_("拟购买服务类别"), max_length=12)
    purpose = models.TextField(_("服务需求说明"))
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.SUBMITTED,
        db_index=True,
    )
    reason = models.CharField(_("审核意见"), max_length=300, blank=True)
    submitted_at = models.DateTimeField(_("申领时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("创新券申领")
        verbose_name_plural = _("创新券申领")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "organisation"],
                condition=Q(status=ApplicationStatus.SUBMITTED),
                name="one_pending_voucher_application",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program} · {self.organisation}"


class Voucher(models.Model):
    program = models.ForeignKey(
        VoucherProgram, models.PROTECT, related_name="vouchers", verbose_name=_("创新券项目")
    )
    application = models.OneToOneField(
        VoucherApplication,
        models.PROTECT,
        related_name="voucher",
        verbose_name=_("申领"),
    )
    holder = models.ForeignKey(
        "core.Organisation", models.PROTECT, related_name="vouchers", verbose_name=_("持券企业")
    )
    # 券号: year, eight random characters and a check character, e.g. 2026-7K3QD9XM-R.
    code = models.CharField(_("券号"), max_length=20, unique=True)
    face_value = models.DecimalField(_("面额（元）"), validators=POSITIVE, **YUAN)
    redeemed = models.DecimalField(_("已核销（元）"), default=0, editable=False, **YUAN)
    # What was given back to the program's budget when the voucher expired or was cancelled.
    released = models.DecimalField(_("已释放额度（元）"), default=0, editable=False, **YUAN)
    issued_at = models.DateTimeField(_("发券时间"))
    expires_on = models.DateField(_("有效期至"))
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=VoucherStatus.choices,
        default=VoucherStatus.ACTIVE,
        db_index=True,
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("发券人")
    )

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("创新券")
        verbose_name_plural = _("创新券")
        constraints = [
            models.CheckConstraint(
                condition=Q(redeemed__gte=0) & Q(redeemed__lte=F("face_value")),
                name="voucher_redeemed_within_face_value",
            ),
            models.CheckConstraint(
                condition=Q(released__gte=0) & Q(released__lte=F("face_value") - F("redeemed")),
                name="voucher_released_within_remaining",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def remaining(self):
        return self.face_value - self.redeemed


class Redemption(models.Model):
    """A provider's use of a voucher against a service contract with its holder."""

    voucher = models.ForeignKey(
        Voucher, models.PROTECT, related_name="redemptions", verbose_name=_("创新券")
    )
    provider = models.ForeignKey(
        "sharing.ServiceProvider",
        models.PROTECT,
        related_name="redemptions",
        verbose_name=_("服务机构"),
    )
    category = models.CharField(_("服务类别"), max_length=12)
    contract_number = models.CharField(_("服务合同编号"), max_length=60)
    contract_amount = models.DecimalField(_("合同金额（元）"), validators=POSITIVE, **YUAN)
    signed_on = models.DateField(_("合同签订日期"))
    service_description = models.TextField(_("服务内容"))
    amount = models.DecimalField(_("核销金额（元）"), validators=POSITIVE, **YUAN)
    redeemed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("核销人")
    )
    redeemed_at = models.DateTimeField(_("核销时间"), auto_now_add=True)
    rating = models.PositiveSmallIntegerField(
        _("服务评价（1–5）"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    rating_comment = models.CharField(_("评价说明"), max_length=300, blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)

    class Meta:
        ordering = ["-redeemed_at", "-pk"]
        verbose_name = _("创新券核销")
        verbose_name_plural = _("创新券核销")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="redemption_positive"),
            models.CheckConstraint(
                condition=Q(amount__lte=F("contract_amount")),
                name="redemption_within_contract",
            ),
            models.UniqueConstraint(
                fields=["voucher", "contract_number"], name="one_redemption_per_contract"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.voucher} · {self.contract_number}"


class SettlementClaim(models.Model):
    """A provider's claim for payment of its redemptions in one program."""

    program = models.ForeignKey(
        VoucherProgram, models.PROTECT, related_name="settlements", verbose_name=_("创新券项目")
    )
    provider = models.ForeignKey(
        "sharing.ServiceProvider",
        models.PROTECT,
        related_name="settlements",
        verbose_name=_("服务机构"),
    )
    total = models.DecimalField(_("申请兑付金额（元）"), validators=NON_NEGATIVE, **YUAN)
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=ClaimStatus.choices,
        default=ClaimStatus.SUBMITTED,
        db_index=True,
    )
    reason = models.CharField(_("审核意见"), max_length=300, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("申请人")
    )
    submitted_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("兑付申请")
        verbose_name_plural = _("兑付申请")

    def __str__(self) -> str:
        return f"{self.provider} · {self.program}"


class SettlementLine(models.Model):
    claim = models.ForeignKey(
        SettlementClaim, models.CASCADE, related_name="lines", verbose_name=_("兑付申请")
    )
    redemption = models.ForeignKey(
        Redemption, models.PROTECT, related_name="settlement_lines", verbose_name=_("核销记录")
    )
    amount = models.DecimalField(_("金额（元）"), **YUAN)
    # False once the claim is refused: the redemption may then be claimed again.
    active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("兑付明细")
        verbose_name_plural = _("兑付明细")
        constraints = [
            models.UniqueConstraint(
                fields=["redemption"],
                condition=Q(active=True),
                name="redemption_settled_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.claim} · {self.redemption}"


class AbuseFlag(models.Model):
    """Something in the vouchers' use the bureau should look at: a provider and holder of one
    group, or a redemption pattern the rules in `sharing/data/abuse.json` call unusual."""

    rule = models.CharField(_("规则"), max_length=30, db_index=True)
    # Identifies what was flagged, so a re-scan does not flag it twice, e.g. "same_group:R12".
    key = models.CharField(_("标识"), max_length=80, unique=True)
    program = models.ForeignKey(
        VoucherProgram, models.CASCADE, related_name="flags", verbose_name=_("创新券项目")
    )
    voucher = models.ForeignKey(
        Voucher,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="flags",
        verbose_name=_("创新券"),
    )
    redemption = models.ForeignKey(
        Redemption,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="flags",
        verbose_name=_("核销记录"),
    )
    provider = models.ForeignKey(
        "sharing.ServiceProvider",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="flags",
        verbose_name=_("服务机构"),
    )
    message = models.CharField(_("说明"), max_length=300)
    details = models.JSONField(_("依据"), default=dict, blank=True)
    status = models.CharField(
        _("核查状态"),
        max_length=12,
        choices=FlagStatus.choices,
        default=FlagStatus.OPEN,
        db_index=True,
    )
    review_note = models.CharField(_("核查意见"), max_length=300, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("核查人"),
    )
    reviewed_at = models.DateTimeField(_("核查时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("发现时间"), auto_now_add=True)

    class Meta:
        ordering = ["status", "-created_at", "-pk"]
        verbose_name = _("异常核查")
        verbose_name_plural = _("异常核查")

    def __str__(self) -> str:
        return self.message
