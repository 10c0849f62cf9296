"""核销 and rating through the API: 201 with the remaining value, 409 for a voucher whose state
refuses (expired, used up), 400 for bad input, 403 for whoever is not a provider; the holder
but not another enterprise sees a redemption."""

from decimal import Decimal

import yaml

from sharing.models import Redemption, Voucher

from .test_redemptions_base import RedemptionTestCase, days_ago

API = "/api/sharing/redemptions/"


class RedemptionApiTests(RedemptionTestCase):
    def post(self, url, data):
        return self.client.post(url, data, "application/json")

    def test_a_provider_redeems_and_sees_the_remaining_value(self):
        self.login(self.broker)
        created = self.post(API, self.redeem_input())
        self.assertEqual(created.status_code, 201, created.json())
        self.assertEqual(created.json()["remaining"], "20000.00")
        self.assertEqual(created.json()["holder"], "长春华锐光电科技有限公司")
        listed = self.client.get(API).json()
        self.assertEqual(listed["count"], 1)
        self.assertEqual(listed["results"][0]["contract_number"], "JC-2026-001")

    def test_an_expired_voucher_is_a_409_with_the_reason(self):
        Voucher.objects.filter(pk=self.voucher.pk).update(expires_on=days_ago(1))
        self.login(self.broker)
        refused = self.post(API, self.redeem_input())
        self.assertEqual(refused.status_code, 409)
        self.assertEqual(refused.json()["code"], "invalid_transition")
        self.assertIn("过期，不能核销", refused.json()["message"])
        self.assertFalse(Redemption.objects.exists())

    def test_bad_input_is_a_400_with_the_message(self):
        self.login(self.broker)
        missing = self.post(API, self.redeem_input(amount=""))
        self.assertEqual(missing.status_code, 400)
        self.assertEqual(missing.json()["code"], "invalid")
        self.assertIn("amount", missing.json()["errors"])
        wrong_holder = self.post(API, self.redeem_input(holder_uscc=self.other_enterprise_org.uscc))
        self.assertEqual(wrong_holder.status_code, 400)
        self.assertIn("该创新券不属于合同委托方", wrong_holder.json()["message"])
        share = self.post(API, self.redeem_input(amount="15000"))
        self.assertEqual(share.status_code, 400)
        self.assertIn("合同金额的 50%（10,000.00 元）", share.json()["message"])
        unknown = self.post(API, self.redeem_input(code="2026-ABCDEFGH-1"))
        self.assertIn(unknown.status_code, (400, 404))
        self.assertFalse(Redemption.objects.exists())

    def test_an_enterprise_that_is_not_a_provider_gets_403(self):
        self.login(self.other_enterprise)
        refused = self.post(API, self.redeem_input())
        self.assertEqual(refused.status_code, 403)
        self.assertEqual(refused.json()["code"], "not_allowed")
        self.client.logout()
        self.assertEqual(self.post(API, self.redeem_input()).status_code, 403)
        self.assertFalse(Redemption.objects.exists())

    def test_the_holder_sees_and_rates_another_enterprise_does_not(self):
        redemption = self.redeem()
        url = f"{API}{redemption.pk}/"
        self.login(self.other_enterprise)
        self.assertEqual(self.client.get(url).status_code, 403)
        self.assertEqual(self.client.get(API).json()["count"], 0)
        self.assertEqual(self.post(f"{url}rate/", {"rating": 5}).status_code, 403)
        self.login(self.enterprise)
        self.assertEqual(self.client.get(url).json()["amount"], "10000.00")
        bad = self.post(f"{url}rate/", {"rating": 7})
        self.assertEqual(bad.status_code, 400)
        rated = self.post(f"{url}rate/", {"rating": 5, "comment": "非常专业"})
        self.assertEqual(rated.status_code, 200, rated.json())
        self.assertEqual(rated.json()["rating"], 5)
        again = self.post(f"{url}rate/", {"rating": 3})
        self.assertEqual(again.status_code, 409)
        self.assertEqual(again.json()["message"], "该服务已评价。")
        self.assertEqual(Redemption.objects.get().rating, 5)

    def test_the_bureau_lists_every_redemption_by_program(self):
        self.redeem()
        self.login(self.city_admin)
        listed = self.client.get(API, {"program": self.program.pk}).json()
        self.assertEqual(listed["count"], 1)
        self.assertEqual(Decimal(listed["results"][0]["amount"]), Decimal("10000"))
        self.login(self.district_admin)
        self.assertEqual(self.client.get(API).json()["count"], 0)

    def test_the_schema_documents_the_routes(self):
        schema = yaml.safe_load(self.client.get("/api/schema/").content)
        for path in (
            "/api/sharing/redemptions/",
            "/api/sharing/redemptions/{id}/rate/",
            "/api/sharing/settlements/",
            "/api/sharing/settlements/{id}/approve/",
            "/api/sharing/settlements/{id}/refuse/",
            "/api/sharing/flags/",
            "/api/sharing/flags/{id}/review/",
            "/api/sharing/relations/",
            "/api/sharing/relations/{id}/",
        ):
            self.assertIn(path, schema["paths"])
