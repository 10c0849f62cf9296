"""挂牌 and bids: an achievement offered for 转让/许可/作价入股 at a reserve price for a period;
open ascending bids by verified organisations, or 协议 negotiation; the result recorded."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from transfer.choices import ListingKind, ListingMode, ListingStatus

POSITIVE = [MinValueValidator(0.01)]


class Listing(models.Model):
    achievement = models.ForeignKey(
        "resources.Achievement", models.PROTECT, related_name="listings", verbose_name=_("科技成果")
    )
    mode = models.CharField(_("交易方式"), max_length=12, choices=ListingMode.choices)
    kind = models.CharField(
        _("成交方式"), max_length=12, choices=ListingKind.choices, default=ListingKind.AUCTION
    )
    reserve_price = models.DecimalField(
        _("挂牌底价（元）"), max_digits=16, decimal_places=2, validators=POSITIVE
    )
    min_step = models.DecimalField(
        _("最小加价幅度（元）"), max_digits=16, decimal_places=2, validators=POSITIVE
    )
    starts_at = models.DateTimeField(_("挂牌开始"))
    ends_at = models.DateTimeField(_("挂牌截止"))
    terms = models.TextField(_("交易条件"), blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=ListingStatus.choices, default=ListingStatus.OPEN
    )
    winning_bid = models.OneToOneField(
        "transfer.Bid",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("成交出价"),
    )
    buyer = models.ForeignKey(
        "core.Organisation",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("受让方"),
    )
    deal_price = models.DecimalField(
        _("成交价（元）"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    result_note = models.CharField(_("结果说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("挂牌人")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("成果挂牌")
        verbose_name_plural = _("成果挂牌")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="listing_ends_after_start"
            ),
            models.UniqueConstraint(
                fields=["achievement"],
                condition=Q(status="open"),
                name="one_open_listing_per_achievement",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.achievement} · {self.get_mode_display()}"


class Bid(models.Model):
    listing = models.ForeignKey(
        Listing, models.CASCADE, related_name="bids", verbose_name=_("挂牌")
    )
    organisation = models.ForeignKey(
        "core.Organisation", models.PROTECT, related_name="+", verbose_name=_("竞买单位")
    )
    bidder = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("出价人")
    )
    amount = models.DecimalField(_("出价（元）"), max_digits=16, decimal_places=2)
    created_at = models.DateTimeField(_("出价时间"), auto_now_add=True)

    class Meta:
        ordering = ["listing", "-amount", "created_at"]
        verbose_name = _("竞价记录")
        verbose_name_plural = _("竞价记录")
        constraints = [
            # Two bids of the same amount cannot both stand: the later one is refused.
            models.UniqueConstraint(fields=["listing", "amount"], name="one_bid_per_amount"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.amount}"
