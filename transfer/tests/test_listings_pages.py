import datetime
import io

from django.utils import timezone
from openpyxl import load_workbook

from transfer.choices import ListingStatus
from transfer.models import Bid, Listing, TechContract
from transfer.services import listings

from .trading_base import TradingTestCase


class ListingPageTests(TradingTestCase):
    def setUp(self):
        self.listing = self.list_it()
        listings.place_bid(self.enterprise, self.listing, "100000")
        self.url = f"/transfer/listings/{self.listing.pk}/"

    def test_the_public_sees_the_listing_and_masked_bids_and_is_asked_to_log_in(self):
        response = self.client.get(self.url)
        self.assertContains(response, "高功率半导体激光器封装技术")
        self.assertContains(response, "长春***有限公司")
        self.assertNotContains(response, "长春华锐光电科技有限公司")
        self.assertContains(response, "以注册单位身份登录后可以出价")
        self.assertNotContains(response, 'name="amount"')

    def test_the_owner_sees_bidders_in_full(self):
        self.login(self.institute)
        self.assertContains(self.client.get(self.url), "长春华锐光电科技有限公司")

    def test_a_bid_below_the_step_shows_the_amounts_on_the_page_and_changes_nothing(self):
        self.login(self.other_enterprise)
        page = self.client.get(self.url)
        self.assertContains(page, 'name="amount"')
        self.assertContains(page, "105,000.00")  # the lowest acceptable next bid
        response = self.client.post(f"{self.url}bid/", {"amount": "101000"})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "至少105,000.00元", status_code=400)
        self.assertEqual(Bid.objects.count(), 1)
        ok = self.client.post(f"{self.url}bid/", {"amount": "105000"}, follow=True)
        self.assertContains(ok, "出价成功")
        self.assertEqual(Bid.objects.count(), 2)

    def test_the_owner_is_told_why_it_cannot_bid(self):
        self.login(self.institute)
        page = self.client.get(self.url)
        self.assertContains(page, "挂牌方不能对本单位的成果出价")
        self.assertNotContains(page, 'name="amount"')

    def test_the_owner_closes_an_ended_auction_from_the_page(self):
        self.end(self.listing)
        self.login(self.enterprise)
        self.assertEqual(self.client.post(f"{self.url}close/").status_code, 403)
        self.login(self.institute)
        response = self.client.post(f"{self.url}close/", follow=True)
        self.assertContains(response, "已成交")
        self.assertContains(response, "合同草稿已生成")
        self.listing.refresh_from_db()
        self.assertEqual(self.listing.status, ListingStatus.SOLD)
        contract = TechContract.objects.get()
        self.assertContains(response, f"/transfer/contracts/{contract.pk}/")

    def test_listing_an_achievement_through_the_form(self):
        Listing.objects.all().delete()
        self.login(self.institute)
        url = f"/transfer/listings/new/{self.achievement.pk}/"
        form = self.client.get(url)
        self.assertContains(form, "挂牌底价（元）")
        self.assertNotContains(form, "作价入股</option>")  # the achievement does not allow it
        now = timezone.localtime()
        bad = self.client.post(
            url,
            {
                "mode": "assignment",
                "kind": "auction",
                "reserve_price": "200000",
                "min_step": "",
                "starts_at": now.strftime("%Y-%m-%dT%H:%M"),
                "ends_at": (now - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            },
        )
        self.assertContains(bad, "公开竞价须填写最小加价幅度")
        self.assertContains(bad, "挂牌截止时间须晚于开始时间")
        self.assertFalse(Listing.objects.exists())
        good = self.client.post(
            url,
            {
                "mode": "assignment",
                "kind": "auction",
                "reserve_price": "200000",
                "min_step": "10000",
                "starts_at": now.strftime("%Y-%m-%dT%H:%M"),
                "ends_at": (now + datetime.timedelta(days=10)).strftime("%Y-%m-%dT%H:%M"),
            },
            follow=True,
        )
        self.assertContains(good, "已挂牌")
        self.assertEqual(Listing.objects.get().reserve_price, 200000)

    def test_another_organisation_cannot_open_the_listing_form(self):
        self.login(self.enterprise)
        response = self.client.get(f"/transfer/listings/new/{self.achievement.pk}/")
        self.assertEqual(response.status_code, 403)

    def test_the_list_filters_and_exports(self):
        response = self.client.get("/transfer/listings/", {"status": "open"})
        self.assertContains(response, "高功率半导体激光器封装技术")
        self.assertContains(response, "竞价中")
        empty = self.client.get("/transfer/listings/", {"status": "sold"})
        self.assertContains(empty, "没有符合条件的挂牌")
        export = self.client.get("/transfer/listings/", {"export": "xlsx"})
        rows = list(load_workbook(io.BytesIO(export.content)).active.values)
        self.assertEqual(rows[0][:3], ("成果名称", "挂牌单位", "交易方式"))
        self.assertEqual(rows[1][0], "高功率半导体激光器封装技术")


class HomePageTests(TradingTestCase):
    def test_everyone_opens_the_hub(self):
        self.list_it()
        for user in (None, self.public, self.enterprise, self.institute, self.expert,
                     self.district_admin, self.city_admin, self.leader):  # fmt: skip
            if user is None:
                self.client.logout()
            else:
                self.login(user)
            response = self.client.get("/transfer/")
            self.assertEqual(response.status_code, 200, user)
            self.assertContains(response, "挂牌中的成果")
            self.assertContains(response, "高功率半导体激光器封装技术")
            self.assertContains(response, "/transfer/catalogs/")

    def test_the_owner_sees_its_achievements_with_their_transfer_pages(self):
        self.login(self.institute)
        response = self.client.get("/transfer/")
        self.assertContains(response, "吉林大学的成果")
        self.assertContains(response, f"/transfer/achievements/{self.achievement.pk}/")
        self.assertContains(response, f"/transfer/listings/new/{self.achievement.pk}/")

    def test_the_bureau_sees_the_registrar_queue_and_statistics(self):
        self.login(self.city_admin)
        response = self.client.get("/transfer/")
        self.assertContains(response, "待认定技术合同")
        self.assertContains(response, "/transfer/statistics/")
        self.login(self.enterprise)
        self.assertNotContains(self.client.get("/transfer/"), "待认定技术合同")

    def test_the_main_menu_links_the_hub(self):
        self.assertContains(self.client.get("/"), 'href="/transfer/"')
