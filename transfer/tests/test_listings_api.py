import datetime

import yaml
from django.utils import timezone

from transfer.choices import ListingStatus
from transfer.models import Bid, Listing, TechContract

from .trading_base import TradingTestCase


class ListingApiTests(TradingTestCase):
    def setUp(self):
        self.listing = self.list_it()

    def test_listings_are_public_with_masked_bids(self):
        self.login(self.enterprise)
        self.client.post(
            f"/api/transfer/listings/{self.listing.pk}/bid/",
            {"amount": "100000"},
            "application/json",
        )
        self.client.logout()
        listed = self.client.get("/api/transfer/listings/", {"status": "open"}).json()
        self.assertEqual(listed["count"], 1)
        self.assertEqual(listed["results"][0]["highest_bid"], "100000.00")
        self.assertEqual(listed["results"][0]["phase"], "active")
        bids = self.client.get(f"/api/transfer/listings/{self.listing.pk}/bids/").json()
        self.assertEqual(bids[0]["bidder"], "长春***有限公司")

    def test_the_owner_lists_through_the_api_and_errors_have_the_platform_shape(self):
        Listing.objects.all().delete()
        self.login(self.institute)
        now = timezone.now()
        body = {
            "achievement": self.achievement.pk,
            "mode": "assignment",
            "kind": "auction",
            "reserve_price": "100000",
            "min_step": "1000",
            "starts_at": now.isoformat(),
            "ends_at": (now - datetime.timedelta(days=1)).isoformat(),
        }
        refused = self.client.post("/api/transfer/listings/", body, "application/json")
        self.assertEqual(refused.status_code, 400)
        self.assertEqual(refused.json()["code"], "invalid")
        self.assertIn("须晚于开始时间", refused.json()["message"])
        body["ends_at"] = (now + datetime.timedelta(days=3)).isoformat()
        created = self.client.post("/api/transfer/listings/", body, "application/json")
        self.assertEqual(created.status_code, 201, created.json())
        self.assertEqual(created.json()["status"], "open")
        again = self.client.post("/api/transfer/listings/", body, "application/json")
        self.assertEqual(again.status_code, 409)
        self.assertEqual(again.json()["code"], "invalid_transition")

    def test_bidding_closing_and_refusals_through_the_api(self):
        url = f"/api/transfer/listings/{self.listing.pk}/"
        self.assertEqual(self.client.post(f"{url}bid/", {"amount": "100000"}).status_code, 403)
        self.login(self.institute)
        own = self.client.post(f"{url}bid/", {"amount": "100000"}, "application/json")
        self.assertEqual(own.status_code, 403)
        self.assertEqual(own.json()["message"], "挂牌方不能对本单位的成果出价。")
        self.login(self.enterprise)
        ok = self.client.post(f"{url}bid/", {"amount": "100000"}, "application/json")
        self.assertEqual(ok.status_code, 201)
        self.assertEqual(ok.json()[0]["bidder"], "长春华锐光电科技有限公司")
        self.login(self.other_enterprise)
        low = self.client.post(f"{url}bid/", {"amount": "101000"}, "application/json")
        self.assertEqual(low.status_code, 409)
        self.assertIn("至少105,000.00元", low.json()["message"])
        self.assertEqual(Bid.objects.count(), 1)
        self.end(self.listing)
        self.login(self.institute)
        closed = self.client.post(f"{url}close/").json()
        self.assertEqual(closed["status"], ListingStatus.SOLD)
        self.assertEqual(closed["buyer_name"], "长春华锐光电科技有限公司")
        self.client.logout()
        self.assertEqual(self.client.get(url).json()["buyer_name"], "长春***有限公司")
        self.assertTrue(TechContract.objects.filter(listing=self.listing).exists())

    def test_negotiation_and_withdrawal_through_the_api(self):
        from resources.factories import AchievementFactory

        other = AchievementFactory(owner=self.university, allows_license=True)
        negotiated = self.list_it(other, mode="license", kind="negotiation")
        self.login(self.institute)
        url = f"/api/transfer/listings/{negotiated.pk}/negotiate/"
        unknown = self.client.post(url, {"buyer": "91220101MA0000000X", "price": "100000"})
        self.assertEqual(unknown.status_code, 400)
        deal = self.client.post(
            url, {"buyer": self.enterprise_org.uscc, "price": "120000"}, "application/json"
        )
        self.assertEqual(deal.status_code, 200, deal.json())
        self.assertEqual(deal.json()["deal_price"], "120000.00")
        withdrawn = self.client.post(
            f"/api/transfer/listings/{self.listing.pk}/withdraw/", {"reason": "调整"}
        )
        self.assertEqual(withdrawn.json()["status"], "withdrawn")

    def test_the_schema_describes_the_trading_endpoints(self):
        schema = yaml.safe_load(self.client.get("/api/schema/").content)
        for path in (
            "/api/transfer/listings/",
            "/api/transfer/listings/{id}/bid/",
            "/api/transfer/listings/{id}/negotiate/",
            "/api/transfer/contracts/{id}/register/",
            "/api/transfer/statistics/contracts/",
            "/api/transfer/statistics/funnel/",
        ):
            self.assertIn(path, schema["paths"])
