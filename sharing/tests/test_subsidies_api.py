"""先用后补 through the API: policies, claimable records, claims, decisions, payments."""

from __future__ import annotations

import datetime

from sharing.choices import ClaimStatus
from sharing.models import SubsidyClaim, SubsidyPolicy
from sharing.services import subsidies

from .test_subsidies_base import SubsidyTestCase

API = "/api/sharing/subsidies/"


class PolicyApiTests(SubsidyTestCase):
    def body(self, **changes):
        body = {
            "year": self.year + 1,
            "rate": "0.25",
            "cap_per_user": "100000",
            "budget": "2000000",
            "claims_from": datetime.date(self.year + 1, 1, 1).isoformat(),
            "claims_until": datetime.date(self.year + 2, 3, 31).isoformat(),
        }
        body.update(changes)
        return body

    def test_signed_in_users_read_the_bureau_writes(self):
        self.assertEqual(self.client.get(f"{API}policies/").status_code, 403)
        self.login(self.enterprise)
        listed = self.client.get(f"{API}policies/").json()
        self.assertEqual(listed["results"][0]["year"], self.year)
        self.assertEqual(listed["results"][0]["rate"], "0.300")
        self.assertEqual(listed["results"][0]["remaining"], "5000000.00")
        one = self.client.get(f"{API}policies/{self.year}/").json()
        self.assertEqual(one["cap_per_user"], "200000.00")
        refused = self.client.post(f"{API}policies/", self.body(), "application/json")
        self.assertEqual(refused.status_code, 403)
        self.assertEqual(refused.json()["code"], "not_allowed")
        self.login(self.city_admin)
        created = self.client.post(f"{API}policies/", self.body(), "application/json")
        self.assertEqual(created.status_code, 201, created.json())
        self.assertEqual(created.json()["rate"], "0.250")
        bad = self.client.post(
            f"{API}policies/", self.body(year=self.year + 2, rate="1.5"), "application/json"
        )
        self.assertEqual(bad.status_code, 400)
        self.assertFalse(SubsidyPolicy.objects.filter(year=self.year + 2).exists())

    def test_rate_and_cap_are_locked_once_claimed_but_the_budget_may_rise(self):
        self.usage(self.enterprise, "1000")
        subsidies.submit_claim(self.enterprise, self.year)
        self.login(self.city_admin)
        locked = self.client.patch(
            f"{API}policies/{self.year}/", {"rate": "0.5"}, "application/json"
        )
        self.assertEqual(locked.status_code, 409)
        self.assertEqual(locked.json()["code"], "invalid_transition")
        self.assertEqual(locked.json()["message"], "已有申请，不能修改补贴比例和单位上限。")
        raised = self.client.patch(
            f"{API}policies/{self.year}/", {"budget": "6000000"}, "application/json"
        )
        self.assertEqual(raised.status_code, 200, raised.json())
        self.assertEqual(raised.json()["budget"], "6000000.00")
        self.login(self.district_admin)
        self.assertEqual(
            self.client.patch(
                f"{API}policies/{self.year}/", {"budget": "7000000"}, "application/json"
            ).status_code,
            403,
        )


class ClaimApiTests(SubsidyTestCase):
    def setUp(self):
        self.a = self.usage(self.enterprise, "1200")
        self.b = self.usage(self.enterprise, "800.50")

    def test_claimable_records_with_the_amount(self):
        self.login(self.enterprise)
        body = self.client.get(f"{API}claimable/", {"year": self.year}).json()
        self.assertEqual([r["id"] for r in body["records"]], [self.a.pk, self.b.pk])
        self.assertEqual(body["records"][0]["host"], "吉林大学")
        self.assertEqual(body["quote"]["amount"], "600.15")
        self.assertIn("2,000.50 元 × 补贴比例 30% = 600.15 元", body["quote"]["working"][0])
        preview = self.client.post(
            f"{API}claims/preview/", {"year": self.year, "records": [self.a.pk]}, "application/json"
        ).json()
        self.assertEqual(preview["amount"], "360.00")
        self.login(self.district_admin)
        self.assertEqual(self.client.get(f"{API}claimable/").status_code, 403)

    def test_claiming_listing_and_reading(self):
        self.login(self.enterprise)
        created = self.client.post(
            f"{API}claims/", {"year": self.year, "records": [self.b.pk]}, "application/json"
        )
        self.assertEqual(created.status_code, 201, created.json())
        claim = created.json()
        self.assertEqual(claim["amount"], "240.15")  # 800.50 × 30% = 240.15
        self.assertEqual(claim["status"], "submitted")
        self.assertEqual([line["usage"] for line in claim["lines"]], [self.b.pk])
        again = self.client.post(
            f"{API}claims/", {"year": self.year, "records": [self.b.pk]}, "application/json"
        )
        self.assertEqual(again.status_code, 409)
        self.assertEqual(again.json()["message"], "所选使用记录已在其他申请中。")
        rest = self.client.post(f"{API}claims/", {"year": self.year}, "application/json")
        self.assertEqual(rest.json()["amount"], "360.00")  # all that is left: 1,200 × 30%
        self.assertEqual(self.client.get(f"{API}claims/").json()["count"], 2)
        self.login(self.other_enterprise)
        self.assertEqual(self.client.get(f"{API}claims/").json()["count"], 0)
        other = self.client.get(f"{API}claims/{claim['id']}/")
        self.assertEqual(other.status_code, 403)
        self.assertEqual(other.json()["message"], "只有申请单位和市科技局可以查看该申请。")
        self.login(self.city_admin)
        self.assertEqual(self.client.get(f"{API}claims/", {"year": self.year}).json()["count"], 2)
        self.assertEqual(self.client.get(f"{API}claims/99999/").status_code, 404)

    def test_decisions_through_the_api(self):
        claim = subsidies.submit_claim(self.enterprise, self.year)  # 600.15
        url = f"{API}claims/{claim.pk}/"
        self.login(self.district_admin)
        self.assertEqual(
            self.client.post(f"{url}approve/", {}, "application/json").status_code, 403
        )
        self.login(self.enterprise)
        self.assertEqual(
            self.client.post(f"{url}approve/", {}, "application/json").status_code, 403
        )
        self.login(self.city_admin)
        too_much = self.client.post(f"{url}approve/", {"amount": "700"}, "application/json")
        self.assertEqual(too_much.status_code, 400)
        self.assertIn("不能高于申请金额（600.15元）", too_much.json()["message"])
        no_reason = self.client.post(f"{url}refuse/", {}, "application/json")
        self.assertEqual(no_reason.status_code, 400)
        self.assertIn("reason", no_reason.json()["errors"])
        approved = self.client.post(f"{url}approve/", {}, "application/json")
        self.assertEqual(approved.status_code, 200, approved.json())
        self.assertEqual(approved.json()["approved_amount"], "600.15")
        self.assertEqual(approved.json()["status"], ClaimStatus.APPROVED)
        twice = self.client.post(f"{url}refuse/", {"reason": "重复"}, "application/json")
        self.assertEqual(twice.status_code, 409)
        payments = self.client.get(f"{API}claims/payments/", {"year": self.year}).json()
        self.assertEqual(payments["items"][0]["organisation"], "长春华锐光电科技有限公司")
        self.assertEqual(payments["total"]["approved_amount"], "600.15")
        self.login(self.enterprise)
        self.assertEqual(self.client.get(f"{API}claims/payments/").status_code, 403)
        self.assertEqual(SubsidyClaim.objects.get().status, ClaimStatus.APPROVED)
