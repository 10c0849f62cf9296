import datetime
from decimal import Decimal
from io import StringIO

from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.utils import timezone

from core.exceptions import InvalidTransition, NotAllowed, ServiceError
from core.models import AuditEntry, Notification
from integrity.choices import Activity
from integrity.factories import IntegrityRecordFactory
from integrity.services import IntegrityRestricted
from resources.choices import RecordStatus
from resources.factories import AchievementFactory
from transfer.choices import ContractKind, ContractStatus, ListingKind, ListingMode, ListingStatus
from transfer.models import Bid, Listing, TechContract
from transfer.services import listings

from .trading_base import TradingTestCase


class ListingTests(TradingTestCase):
    def test_owner_lists_a_published_achievement_and_the_listing_is_audited(self):
        listing = self.list_it()
        self.assertEqual(listing.status, ListingStatus.OPEN)
        self.assertEqual(listing.created_by, self.institute)
        entry = AuditEntry.objects.get(content_type__model="listing", object_id=str(listing.pk))
        self.assertEqual(entry.actor, self.institute)
        self.assertEqual(entry.changes["mode"][1], "转让")

    def test_the_bureau_may_list_but_another_organisation_may_not(self):
        self.assertEqual(self.list_it().status, ListingStatus.OPEN)
        other = AchievementFactory(owner=self.university, allows_license=True)
        with self.assertRaisesMessage(NotAllowed, "只有成果所属单位的用户或市科技局"):
            listings.create_listing(
                self.enterprise,
                other,
                mode=ListingMode.LICENSE,
                reserve_price="1000",
                min_step="100",
                starts_at=timezone.now(),
                ends_at=timezone.now() + datetime.timedelta(days=1),
            )
        listing = listings.create_listing(
            self.city_admin,
            other,
            mode=ListingMode.LICENSE,
            reserve_price="1000",
            min_step="100",
            starts_at=timezone.now(),
            ends_at=timezone.now() + datetime.timedelta(days=1),
        )
        self.assertEqual(listing.created_by, self.city_admin)

    def test_a_mode_the_achievement_does_not_allow_is_refused(self):
        with self.assertRaisesMessage(InvalidTransition, "未标明可作价入股"):
            self.list_it(mode=ListingMode.EQUITY)
        self.assertFalse(Listing.objects.exists())

    def test_an_unpublished_achievement_cannot_be_listed(self):
        draft = AchievementFactory(
            owner=self.university, status=RecordStatus.DRAFT, allows_assignment=True
        )
        with self.assertRaisesMessage(InvalidTransition, "成果发布后才能挂牌交易"):
            self.list_it(draft)

    def test_the_end_must_come_after_the_start(self):
        now = timezone.now()
        with self.assertRaisesMessage(ServiceError, "须晚于开始时间"):
            self.list_it(starts_at=now + datetime.timedelta(days=2), ends_at=now)
        with self.assertRaisesMessage(ServiceError, "最小加价幅度须大于0元"):
            self.list_it(min_step="0")
        with self.assertRaisesMessage(ServiceError, "挂牌底价须为金额"):
            self.list_it(reserve_price="十万")
        self.assertFalse(Listing.objects.exists())

    def test_one_open_listing_per_achievement_with_a_chinese_message(self):
        self.list_it()
        with self.assertRaisesMessage(InvalidTransition, "同一成果同时只能有一个挂牌"):
            self.list_it(mode=ListingMode.LICENSE)
        self.assertEqual(Listing.objects.count(), 1)

    def test_an_organisation_barred_from_listing_cannot_list(self):
        IntegrityRecordFactory(
            organisation=self.university,
            activities=[Activity.LISTING.value],
            restricted_from=timezone.localdate() - datetime.timedelta(days=30),
            restricted_until=timezone.localdate() + datetime.timedelta(days=300),
        )
        with self.assertRaisesMessage(IntegrityRestricted, "不得将成果入库或挂牌"):
            self.list_it()


class BiddingTests(TradingTestCase):
    def setUp(self):
        self.listing = self.list_it()

    def test_bids_ascend_by_at_least_the_step(self):
        first = listings.place_bid(self.enterprise, self.listing, "100000")
        self.assertEqual(first.organisation, self.enterprise_org)
        second = listings.place_bid(self.other_enterprise, self.listing, Decimal("105000"))
        self.assertEqual(listings.next_minimum(self.listing), Decimal("110000"))
        self.assertEqual(second.amount, Decimal("105000.00"))
        self.assertTrue(AuditEntry.objects.filter(content_type__model="bid").count() == 2)

    def test_first_bid_below_the_reserve_is_refused_with_both_amounts(self):
        with self.assertRaises(InvalidTransition) as refused:
            listings.place_bid(self.enterprise, self.listing, "99999.99")
        self.assertIn("首次出价不得低于挂牌底价100,000.00元", refused.exception.message)
        self.assertIn("99,999.99元", refused.exception.message)
        self.assertFalse(Bid.objects.exists())

    def test_bid_below_the_step_is_refused_with_the_amounts_in_the_message(self):
        listings.place_bid(self.enterprise, self.listing, "120000")
        with self.assertRaises(InvalidTransition) as refused:
            listings.place_bid(self.other_enterprise, self.listing, "124000")
        message = refused.exception.message
        self.assertIn("当前最高价120,000.00元", message)
        self.assertIn("最小加价幅度5,000.00元", message)
        self.assertIn("至少125,000.00元", message)
        self.assertIn("124,000.00元", message)
        self.assertEqual(Bid.objects.count(), 1)

    def test_bid_before_the_start_is_refused_with_the_start_time(self):
        later = timezone.now() + datetime.timedelta(days=1)
        Listing.objects.filter(pk=self.listing.pk).update(starts_at=later)
        with self.assertRaisesMessage(InvalidTransition, "竞价尚未开始"):
            listings.place_bid(self.enterprise, self.listing, "100000")
        self.assertFalse(Bid.objects.exists())

    def test_bid_after_the_end_is_refused(self):
        self.end(self.listing)
        with self.assertRaisesMessage(InvalidTransition, "竞价已于"):
            listings.place_bid(self.enterprise, self.listing, "100000")

    def test_bid_after_the_listing_is_closed_is_refused(self):
        listings.place_bid(self.enterprise, self.listing, "100000")
        listings.close_listing(self.institute, self.end(self.listing))
        with self.assertRaisesMessage(InvalidTransition, "该挂牌已结束（已成交），不能再出价"):
            listings.place_bid(self.other_enterprise, self.listing, "200000")

    def test_the_owner_cannot_bid_on_its_own_achievement(self):
        with self.assertRaisesMessage(NotAllowed, "挂牌方不能对本单位的成果出价"):
            listings.place_bid(self.institute, self.listing, "100000")
        with self.assertRaisesMessage(NotAllowed, "管理部门不能参与竞价"):
            listings.place_bid(self.city_admin, self.listing, "100000")
        with self.assertRaisesMessage(NotAllowed, "请先登录"):
            listings.place_bid(AnonymousUser(), self.listing, "100000")
        self.assertFalse(Bid.objects.exists())

    def test_an_organisation_barred_by_an_integrity_record_cannot_bid(self):
        IntegrityRecordFactory(
            organisation=self.other_enterprise_org,
            activities=[Activity.LISTING.value],
            restricted_from=timezone.localdate() - datetime.timedelta(days=30),
            restricted_until=timezone.localdate() + datetime.timedelta(days=300),
        )
        with self.assertRaises(IntegrityRestricted) as refused:
            listings.place_bid(self.other_enterprise, self.listing, "100000")
        self.assertIn("长春启明汽车电子有限公司存在科研失信记录", refused.exception.message)
        self.assertFalse(Bid.objects.exists())

    def test_a_negotiation_listing_takes_no_bids(self):
        other = AchievementFactory(owner=self.university, allows_license=True)
        listing = self.list_it(other, mode=ListingMode.LICENSE, kind=ListingKind.NEGOTIATION)
        with self.assertRaisesMessage(InvalidTransition, "不接受竞价"):
            listings.place_bid(self.enterprise, listing, "100000")

    def test_bidders_names_are_masked_to_other_bidders_and_full_to_owner_and_bureau(self):
        listings.place_bid(self.enterprise, self.listing, "100000")
        listings.place_bid(self.other_enterprise, self.listing, "110000")
        seen_by_other = listings.bid_history(self.listing, self.other_enterprise)
        self.assertEqual(seen_by_other[0].bidder, "长春启明汽车电子有限公司")  # its own bid
        self.assertTrue(seen_by_other[0].mine)
        self.assertEqual(seen_by_other[1].bidder, "长春***有限公司")
        public = listings.bid_history(self.listing, AnonymousUser())
        self.assertEqual([b.bidder for b in public], ["长春***有限公司", "长春***有限公司"])
        for viewer in (self.institute, self.city_admin):
            names = [b.bidder for b in listings.bid_history(self.listing, viewer)]
            self.assertEqual(names, ["长春启明汽车电子有限公司", "长春华锐光电科技有限公司"])


class ClosingTests(TradingTestCase):
    def setUp(self):
        self.listing = self.list_it()

    def test_close_sells_to_the_highest_bidder_notifies_it_and_drafts_the_contract(self):
        listings.place_bid(self.other_enterprise, self.listing, "100000")
        listings.place_bid(self.enterprise, self.listing, "130000")
        with self.assertRaisesMessage(InvalidTransition, "截止后才能结束挂牌"):
            listings.close_listing(self.institute, self.listing)
        closed = listings.close_listing(self.institute, self.end(self.listing))
        self.assertEqual(closed.status, ListingStatus.SOLD)
        self.assertEqual(closed.buyer, self.enterprise_org)
        self.assertEqual(closed.deal_price, Decimal("130000"))
        self.assertEqual(closed.winning_bid.amount, Decimal("130000"))
        told = Notification.objects.get(user=self.enterprise, title__startswith="成交通知")
        self.assertIn("130,000.00元竞得", told.title)
        self.assertFalse(
            Notification.objects.filter(
                user=self.other_enterprise, title__startswith="成交通知"
            ).exists()
        )
        contract = TechContract.objects.get(listing=closed)
        self.assertEqual(contract.status, ContractStatus.DRAFT)
        self.assertEqual(contract.seller, self.university)
        self.assertEqual(contract.buyer, self.enterprise_org)
        self.assertEqual(contract.kind, ContractKind.TRANSFER)
        self.assertEqual(contract.total_amount, Decimal("130000"))
        self.assertEqual(contract.declared_tech_amount, Decimal("130000"))
        self.assertEqual(contract.achievement, self.achievement)
        self.assertEqual(contract.field, self.field)
        self.assertTrue(
            Notification.objects.filter(
                user=self.institute, url=f"/transfer/contracts/{contract.pk}/"
            )
        )

    def test_no_bids_leaves_the_listing_unsold_and_no_contract(self):
        closed = listings.close_listing(self.city_admin, self.end(self.listing))
        self.assertEqual(closed.status, ListingStatus.UNSOLD)
        self.assertIn("无人出价", closed.result_note)
        self.assertFalse(TechContract.objects.exists())
        # The achievement can be listed again.
        self.assertEqual(self.list_it().status, ListingStatus.OPEN)

    def test_only_the_owner_or_the_bureau_closes(self):
        with self.assertRaises(NotAllowed):
            listings.close_listing(self.enterprise, self.end(self.listing))

    def test_the_command_closes_ended_auctions(self):
        listings.place_bid(self.enterprise, self.listing, "100000")
        self.end(self.listing)
        out = StringIO()
        call_command("close_listings", stdout=out)
        self.assertIn("成交 1 个", out.getvalue())
        self.listing.refresh_from_db()
        self.assertEqual(self.listing.status, ListingStatus.SOLD)
        self.assertEqual(TechContract.objects.get().created_by, self.institute)

    def test_withdrawal_only_while_nobody_has_bid(self):
        listings.place_bid(self.enterprise, self.listing, "100000")
        with self.assertRaisesMessage(InvalidTransition, "已有1次出价，不能撤牌"):
            listings.withdraw_listing(self.institute, self.listing)
        other = AchievementFactory(owner=self.university, allows_license=True)
        quiet = self.list_it(other, mode=ListingMode.LICENSE)
        withdrawn = listings.withdraw_listing(self.institute, quiet, "技术方案调整")
        self.assertEqual(withdrawn.status, ListingStatus.WITHDRAWN)
        self.assertIn("技术方案调整", withdrawn.result_note)


class NegotiationTests(TradingTestCase):
    def setUp(self):
        self.listing = self.list_it(mode=ListingMode.LICENSE, kind=ListingKind.NEGOTIATION)

    def test_the_owner_records_the_agreed_buyer_and_price(self):
        with self.assertRaisesMessage(ServiceError, "低于挂牌底价100,000.00元"):
            listings.record_deal(self.institute, self.listing, self.enterprise_org, "90000")
        with self.assertRaises(NotAllowed):
            listings.record_deal(self.enterprise, self.listing, self.enterprise_org, "150000")
        sold = listings.record_deal(
            self.institute, self.listing, self.enterprise_org, "150000", "分三期付款。"
        )
        self.assertEqual(sold.status, ListingStatus.SOLD)
        self.assertEqual(sold.buyer, self.enterprise_org)
        self.assertIsNone(sold.winning_bid)
        contract = TechContract.objects.get(listing=sold)
        self.assertEqual(contract.kind, ContractKind.LICENSE)
        self.assertEqual(contract.total_amount, Decimal("150000"))
        self.assertTrue(
            Notification.objects.filter(user=self.enterprise, title__contains="协议受让").exists()
        )

    def test_a_deal_may_be_recorded_after_the_period(self):
        sold = listings.record_deal(
            self.institute, self.end(self.listing), self.other_enterprise_org, "100000"
        )
        self.assertEqual(sold.status, ListingStatus.SOLD)

    def test_a_negotiation_past_its_period_without_a_deal_closes_unsold(self):
        closed = listings.close_listing(self.institute, self.end(self.listing))
        self.assertEqual(closed.status, ListingStatus.UNSOLD)
        self.assertIn("未达成协议", closed.result_note)

    def test_equity_becomes_a_transfer_contract_whose_field_the_seller_chooses(self):
        unfielded = AchievementFactory(owner=self.university, allows_equity=True)
        listing = self.list_it(unfielded, mode=ListingMode.EQUITY, kind=ListingKind.NEGOTIATION)
        listings.record_deal(self.institute, listing, self.enterprise_org, "500000")
        contract = TechContract.objects.get(listing=listing)
        self.assertEqual(contract.kind, ContractKind.TRANSFER)
        self.assertIsNone(contract.field)
        self.assertIn("作价500,000.00元入股", contract.subject)
