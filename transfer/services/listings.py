"""挂牌 and trading: an achievement offered for 转让/许可/作价入股 at a reserve price for a period,
open ascending bids by verified organisations (公开竞价) or an agreed deal recorded by the owner
(协议转让), and the result: sold with a contract draft, unsold, or withdrawn.

Bids lock the listing row, so two bids arriving together are decided one after the other: the
second one sees the first and must beat it by the step. The unique (listing, amount) constraint
backs this up where the database cannot lock rows.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core import permissions
from core.choices import OrgType, Role
from core.exceptions import InvalidTransition, NotAllowed, NotFound, ServiceError
from core.models import Notification, Organisation
from core.services import audit
from integrity.services import require_integrity
from resources.choices import RecordStatus
from resources.models import Achievement
from transfer.choices import ListingKind, ListingMode, ListingStatus
from transfer.models import Bid, Listing, TechContract
from transfer.services.contracts import draft_from_listing, parse_amount

# Which flag of the achievement allows which mode of transfer.
MODE_FLAG = {
    ListingMode.ASSIGNMENT: "allows_assignment",
    ListingMode.LICENSE: "allows_license",
    ListingMode.EQUITY: "allows_equity",
}
# Roles that act for the bureau or read its dashboards: they run the market, they do not buy.
NOT_BIDDERS = {Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.LEADER}
# An open negotiation listing stays open this long after its period for the deal to be recorded;
# `close_listings` then closes it as unsold.
NEGOTIATION_GRACE_DAYS = 30
# Legal-form endings kept when an organisation's name is masked: 长春华锐光电科技有限公司 → 长春***有限公司.
NAME_ENDINGS = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "研究院",
    "研究所",
    "大学",
    "学院",
    "医院",
    "中心",
    "公司",
)


def _when(value: datetime.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _yuan(value: Decimal) -> str:
    return f"{value:,.2f}"


def _aware(value: datetime.datetime | None, label: str) -> datetime.datetime:
    if not isinstance(value, datetime.datetime):
        raise ServiceError(_("请填写%(f)s（日期和时间）。") % {"f": label}, code="invalid")
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


# -- who may see and do what ----------------------------------------------------------------


def get_listing(pk: int) -> Listing:
    """Any listing, for anyone: listings and their (masked) bid history are public."""
    listing = (
        Listing.objects.filter(pk=pk)
        .select_related("achievement__owner", "buyer", "winning_bid", "created_by")
        .first()
    )
    if listing is None:
        raise NotFound(_("挂牌不存在。"))
    return listing


def listings_for(user=None, *, status: str | None = None) -> QuerySet[Listing]:
    """Listings everyone may browse, newest first; `status` narrows them (default: all)."""
    qs = Listing.objects.select_related("achievement__owner", "buyer").annotate(
        bid_count=Count("bids"), highest_bid=Max("bids__amount")
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-starts_at", "-pk")


def may_manage(user, listing: Listing) -> bool:
    """The owner's members and the bureau may close, withdraw and record a negotiated deal."""
    return permissions.can(user, "transfer.list", listing.achievement)


def sees_bidders(user, listing: Listing) -> bool:
    """The bureau and the owner see who bid; everyone else sees masked names."""
    return may_manage(user, listing)


def mask_name(name: str) -> str:
    """长春华锐光电科技有限公司 → 长春***有限公司; 吉林大学 → 吉林***."""
    name = (name or "").strip()
    for ending in NAME_ENDINGS:
        if name.endswith(ending) and len(name) > len(ending) + 2:
            return f"{name[:2]}***{ending}"
    return f"{name[:2]}***" if len(name) > 2 else f"{name[:1]}***"


def phase(listing: Listing, now: datetime.datetime | None = None) -> str:
    """Where an open listing stands in time: upcoming, bidding (or negotiating), ended;
    otherwise its status."""
    if listing.status != ListingStatus.OPEN:
        return listing.status
    now = now or timezone.now()
    if now < listing.starts_at:
        return "upcoming"
    if now >= listing.ends_at:
        return "ended"
    return "active"


def next_minimum(listing: Listing) -> Decimal:
    """The lowest acceptable next bid: the reserve price, then the highest bid plus the step."""
    highest = listing.bids.aggregate(m=Max("amount"))["m"]
    return listing.reserve_price if highest is None else highest + listing.min_step


@dataclass(frozen=True)
class BidLine:
    rank: int
    bidder: str
    amount: Decimal
    created_at: datetime.datetime
    mine: bool
    leading: bool


def bid_history(listing: Listing, viewer=None) -> list[BidLine]:
    """Bids, highest first. Bidders' names are masked unless the viewer is the bureau or the
    owner; a bidder always sees their own organisation's bids in full."""
    full = viewer is not None and sees_bidders(viewer, listing)
    m = getattr(viewer, "current_membership", None) if viewer is not None else None
    own_org = m.organisation_id if m is not None and m.is_active else None
    lines = []
    bids = listing.bids.select_related("organisation").order_by("-amount", "created_at")
    for n, bid in enumerate(bids, 1):
        mine = own_org is not None and bid.organisation_id == own_org
        lines.append(
            BidLine(
                rank=n,
                bidder=bid.organisation.name if full or mine else mask_name(bid.organisation.name),
                amount=bid.amount,
                created_at=bid.created_at,
                mine=mine,
                leading=n == 1,
            )
        )
    return lines


# -- listing --------------------------------------------------------------------------------


def listable_achievements(user) -> QuerySet[Achievement]:
    """Published achievements the user may list: their organisation's (all for the bureau)."""
    qs = Achievement.objects.filter(status=RecordStatus.PUBLISHED).select_related("owner")
    if permissions.is_bureau(user):
        return qs
    m = getattr(user, "current_membership", None)
    if m is None or not m.is_active:
        return qs.none()
    return qs.filter(owner_id=m.organisation_id)


def create_listing(
    actor,
    achievement: Achievement,
    *,
    mode: str,
    kind: str = ListingKind.AUCTION,
    reserve_price,
    min_step=None,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    terms: str = "",
) -> Listing:
    """挂牌: the owner's members (or the bureau) offer a published achievement in a mode it
    allows, at a reserve price, for a period. One open listing per achievement."""
    permissions.require(
        actor,
        "transfer.list",
        achievement,
        _("只有成果所属单位的用户或市科技局可以挂牌该成果。"),
    )
    if achievement.status != RecordStatus.PUBLISHED:
        raise InvalidTransition(
            _("成果发布后才能挂牌交易（当前状态：%(s)s）。")
            % {"s": achievement.get_status_display()}
        )
    if mode not in MODE_FLAG:
        raise ServiceError(_("请选择交易方式：转让、许可或作价入股。"), code="invalid")
    if not getattr(achievement, MODE_FLAG[mode]):
        raise InvalidTransition(
            _("该成果未标明可%(mode)s，不能以%(mode)s方式挂牌；请先在成果信息中勾选“可%(mode)s”。")
            % {"mode": ListingMode(mode).label}
        )
    if kind not in ListingKind.values:
        raise ServiceError(_("请选择成交方式：公开竞价或协议转让。"), code="invalid")
    reserve = parse_amount(reserve_price, _("挂牌底价"))
    if kind == ListingKind.AUCTION:
        step = parse_amount(min_step, _("最小加价幅度"))
    else:  # no bids on a negotiation: the step is kept only because the column is required
        step = (
            parse_amount(min_step, _("最小加价幅度")) if min_step not in (None, "") else Decimal(1)
        )
    starts_at = _aware(starts_at, _("挂牌开始时间"))
    ends_at = _aware(ends_at, _("挂牌截止时间"))
    if ends_at <= starts_at:
        raise ServiceError(
            _("挂牌截止时间（%(end)s）须晚于开始时间（%(start)s）。")
            % {"end": _when(ends_at), "start": _when(starts_at)},
            code="invalid",
        )
    if ends_at <= timezone.now():
        raise ServiceError(
            _("挂牌截止时间（%(end)s）已过，请重新选择。") % {"end": _when(ends_at)},
            code="invalid",
        )
    require_integrity(achievement.owner, "listing")
    with transaction.atomic():
        # Lock the achievement so two members listing it at once cannot both pass the check.
        Achievement.objects.select_for_update().filter(pk=achievement.pk).first()
        open_listing = achievement.listings.filter(status=ListingStatus.OPEN).first()
        if open_listing is not None:
            raise InvalidTransition(
                _("该成果已在挂牌中（%(mode)s，截止%(end)s），同一成果同时只能有一个挂牌。")
                % {"mode": open_listing.get_mode_display(), "end": _when(open_listing.ends_at)}
            )
        if achievement.listings.filter(
            status=ListingStatus.SOLD, mode=ListingMode.ASSIGNMENT
        ).exists():
            raise InvalidTransition(_("该成果已通过挂牌转让，不能再次挂牌。"))
        try:
            with transaction.atomic():
                listing = Listing.objects.create(
                    achievement=achievement,
                    mode=mode,
                    kind=kind,
                    reserve_price=reserve,
                    min_step=step,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    terms=(terms or "").strip(),
                    created_by=actor,
                )
        except IntegrityError:
            raise InvalidTransition(_("该成果已在挂牌中，同一成果同时只能有一个挂牌。")) from None
        audit.record_create(actor, listing)
    return listing


# -- bidding --------------------------------------------------------------------------------


def bidding_organisation(actor, listing: Listing) -> Organisation:
    """The organisation `actor` bids for, or the reason they cannot bid."""
    if not getattr(actor, "is_authenticated", False):
        raise NotAllowed(_("请先登录，以单位用户身份参与竞价。"))
    m = actor.current_membership
    if m is None or not m.is_active or not permissions.can(actor, "transfer.bid"):
        raise NotAllowed(_("只有以注册单位身份登录的用户可以参与竞价。"))
    if m.role in NOT_BIDDERS or m.organisation.type == OrgType.GOVERNMENT:
        raise NotAllowed(_("管理部门不能参与竞价。"))
    if m.organisation_id == listing.achievement.owner_id:
        raise NotAllowed(_("挂牌方不能对本单位的成果出价。"))
    return m.organisation


def place_bid(actor, listing: Listing, amount, *, now: datetime.datetime | None = None) -> Bid:
    """One open ascending bid: the first at least the reserve price, each next at least the
    current highest plus the minimum step, only within the listing period."""
    organisation = bidding_organisation(actor, listing)
    amount = parse_amount(amount, _("出价"))
    require_integrity(organisation, "listing")
    with transaction.atomic():
        locked = Listing.objects.select_for_update().get(pk=listing.pk)
        now = now or timezone.now()
        if locked.kind != ListingKind.AUCTION:
            raise InvalidTransition(_("该成果为协议转让，不接受竞价，请与挂牌方联系洽谈。"))
        if locked.status != ListingStatus.OPEN:
            raise InvalidTransition(
                _("该挂牌已结束（%(s)s），不能再出价。") % {"s": locked.get_status_display()}
            )
        if now < locked.starts_at:
            raise InvalidTransition(
                _("竞价尚未开始：挂牌将于%(start)s开始，开始后才能出价。")
                % {"start": _when(locked.starts_at)}
            )
        if now >= locked.ends_at:
            raise InvalidTransition(
                _("竞价已于%(end)s截止，不能再出价。") % {"end": _when(locked.ends_at)}
            )
        highest = locked.bids.order_by("-amount").first()
        if highest is None and amount < locked.reserve_price:
            raise InvalidTransition(
                _("首次出价不得低于挂牌底价%(reserve)s元，您的出价为%(amount)s元。")
                % {"reserve": _yuan(locked.reserve_price), "amount": _yuan(amount)}
            )
        if highest is not None and amount < highest.amount + locked.min_step:
            raise InvalidTransition(
                _(
                    "出价须不低于当前最高价%(high)s元加最小加价幅度%(step)s元，即至少%(min)s元；"
                    "您的出价为%(amount)s元。"
                )
                % {
                    "high": _yuan(highest.amount),
                    "step": _yuan(locked.min_step),
                    "min": _yuan(highest.amount + locked.min_step),
                    "amount": _yuan(amount),
                }
            )
        try:
            with transaction.atomic():
                bid = Bid.objects.create(
                    listing=locked, organisation=organisation, bidder=actor, amount=amount
                )
        except IntegrityError:
            raise InvalidTransition(
                _("已有单位出价%(amount)s元，请刷新后按最新最高价加价。")
                % {"amount": _yuan(amount)}
            ) from None
        audit.record_create(actor, bid, object_repr=f"{locked} · {_yuan(amount)}")
    return bid


# -- results --------------------------------------------------------------------------------


def _notify(user_ids, title: str, url: str) -> None:
    Notification.objects.bulk_create(
        [Notification(user_id=u, title=title[:200], url=url) for u in sorted(set(user_ids))]
    )


def _members(organisation_id: int) -> list[int]:
    return list(
        Organisation.objects.get(pk=organisation_id)
        .memberships.filter(is_active=True)
        .values_list("user_id", flat=True)
    )


def _listing_url(listing: Listing) -> str:
    return f"/transfer/listings/{listing.pk}/"


def _contract_url(contract: TechContract) -> str:
    return f"/transfer/contracts/{contract.pk}/"


def _lock_open(listing: Listing) -> Listing:
    locked = (
        Listing.objects.select_for_update().select_related("achievement__owner").get(pk=listing.pk)
    )
    if locked.status != ListingStatus.OPEN:
        raise InvalidTransition(_("该挂牌已结束（%(s)s）。") % {"s": locked.get_status_display()})
    return locked


def _sell(actor, locked: Listing, buyer: Organisation, price: Decimal, bid: Bid | None, note: str):
    before = audit.snapshot(locked)
    locked.status = ListingStatus.SOLD
    locked.buyer = buyer
    locked.deal_price = price
    locked.winning_bid = bid
    locked.closed_at = timezone.now()
    locked.result_note = note[:300]
    locked.save()
    audit.record_update(actor, locked, before, note=note)
    contract = draft_from_listing(actor, locked)
    title = locked.achievement.title
    _notify(
        [bid.bidder_id, *_members(buyer.pk)] if bid else _members(buyer.pk),
        _("成交通知：贵单位以%(price)s元%(how)s“%(title)s”（%(mode)s）。")
        % {
            "price": _yuan(price),
            "how": _("竞得") if bid else _("协议受让"),
            "title": title,
            "mode": locked.get_mode_display(),
        },
        _listing_url(locked),
    )
    _notify(
        _members(locked.achievement.owner_id),
        _(
            "挂牌成交：“%(title)s”由%(buyer)s以%(price)s元成交，合同草稿已生成，请完善后提交认定登记。"
        )
        % {"title": title, "buyer": buyer.name, "price": _yuan(price)},
        _contract_url(contract),
    )
    return locked


def close_listing(actor, listing: Listing, *, now: datetime.datetime | None = None) -> Listing:
    """After the period: the highest bid wins (sold, with a contract draft and the winner told),
    no bids → unsold. `actor` None is the scheduled `close_listings` command."""
    if actor is not None and not may_manage(actor, listing):
        raise NotAllowed(_("只有挂牌方或市科技局可以结束挂牌。"))
    with transaction.atomic():
        locked = _lock_open(listing)
        now = now or timezone.now()
        if now < locked.ends_at:
            raise InvalidTransition(
                _("挂牌截止时间为%(end)s，截止后才能结束挂牌。") % {"end": _when(locked.ends_at)}
            )
        if locked.kind == ListingKind.AUCTION:
            best = locked.bids.select_related("organisation").order_by("-amount", "created_at")
            best = best.first()
        else:
            best = None
        if best is not None:
            return _sell(
                actor,
                locked,
                best.organisation,
                best.amount,
                best,
                _("竞价结束，最高出价%(price)s元成交（共%(n)d次出价）。")
                % {"price": _yuan(best.amount), "n": locked.bids.count()},
            )
        before = audit.snapshot(locked)
        locked.status = ListingStatus.UNSOLD
        locked.closed_at = timezone.now()
        locked.result_note = (
            _("挂牌期满无人出价，流拍。")
            if locked.kind == ListingKind.AUCTION
            else _("挂牌期满未达成协议，流拍。")
        )
        locked.save()
        audit.record_update(actor, locked, before, note=locked.result_note)
        _notify(
            [locked.created_by_id, *_members(locked.achievement.owner_id)],
            _("挂牌流拍：“%(title)s”%(note)s")
            % {"title": locked.achievement.title, "note": locked.result_note},
            _listing_url(locked),
        )
    return locked


def record_deal(actor, listing: Listing, buyer: Organisation, price, note: str = "") -> Listing:
    """协议转让: the owner records the agreed buyer and price (at least the reserve) at any time
    while the listing is open, also after its period → sold with a contract draft."""
    if not may_manage(actor, listing):
        raise NotAllowed(_("只有挂牌方或市科技局可以录入协议成交结果。"))
    if listing.kind != ListingKind.NEGOTIATION:
        raise InvalidTransition(_("公开竞价的挂牌按最高出价成交，不能录入协议成交。"))
    if not isinstance(buyer, Organisation):
        raise ServiceError(_("请选择受让方（平台注册单位）。"), code="invalid")
    if buyer.pk == listing.achievement.owner_id:
        raise ServiceError(_("受让方不能是挂牌方本单位。"), code="invalid")
    if buyer.type == OrgType.GOVERNMENT:
        raise ServiceError(_("受让方不能是政府部门。"), code="invalid")
    price = parse_amount(price, _("成交价"))
    if price < listing.reserve_price:
        raise ServiceError(
            _("协议成交价%(price)s元低于挂牌底价%(reserve)s元。")
            % {"price": _yuan(price), "reserve": _yuan(listing.reserve_price)},
            code="invalid",
        )
    require_integrity(buyer, "listing")
    with transaction.atomic():
        locked = _lock_open(listing)
        # No buyer name here: the note is public, the buyer's name is not.
        text = _("协议成交，成交价%(price)s元。") % {"price": _yuan(price)}
        if note.strip():
            text += note.strip()
        return _sell(actor, locked, buyer, price, None, text)


def withdraw_listing(actor, listing: Listing, reason: str = "") -> Listing:
    """撤牌 while nobody has bid."""
    if not may_manage(actor, listing):
        raise NotAllowed(_("只有挂牌方或市科技局可以撤牌。"))
    with transaction.atomic():
        locked = _lock_open(listing)
        bids = locked.bids.count()
        if bids:
            raise InvalidTransition(
                _("已有%(n)d次出价，不能撤牌；请待挂牌截止后按最高出价成交。") % {"n": bids}
            )
        before = audit.snapshot(locked)
        locked.status = ListingStatus.WITHDRAWN
        locked.closed_at = timezone.now()
        locked.result_note = (
            _("挂牌方撤牌：%(r)s") % {"r": reason.strip()} if reason.strip() else _("挂牌方撤牌。")
        )[:300]
        locked.save()
        audit.record_update(actor, locked, before, note=locked.result_note)
    return locked


def close_ended_listings(
    *, now: datetime.datetime | None = None, grace_days: int = NEGOTIATION_GRACE_DAYS
) -> dict[str, int]:
    """The scheduled twin of closing by hand: every auction past its end, and every negotiation
    past its end by `grace_days` without a recorded deal. Returns counts by outcome."""
    now = now or timezone.now()
    due = Listing.objects.filter(status=ListingStatus.OPEN).filter(
        Q(kind=ListingKind.AUCTION, ends_at__lte=now)
        | Q(kind=ListingKind.NEGOTIATION, ends_at__lte=now - datetime.timedelta(days=grace_days))
    )
    counts = {ListingStatus.SOLD.value: 0, ListingStatus.UNSOLD.value: 0}
    for pk in due.order_by("ends_at", "pk").values_list("pk", flat=True):
        try:
            closed = close_listing(None, Listing(pk=pk), now=now)
        except InvalidTransition:  # closed by hand meanwhile
            continue
        counts[closed.status] = counts.get(closed.status, 0) + 1
    return counts


def listings_awaiting_close(now: datetime.datetime | None = None) -> QuerySet[Listing]:
    """Open listings past their end: for the bureau's desk and the owner's page."""
    now = now or timezone.now()
    return Listing.objects.filter(status=ListingStatus.OPEN, ends_at__lte=now)
