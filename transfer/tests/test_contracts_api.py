from django.utils import timezone

from transfer.models import TechContract

from .trading_base import TradingTestCase


class ContractApiTests(TradingTestCase):
    def body(self, **overrides):
        data = {
            "kind": "license",
            "title": "激光器封装专利实施许可合同",
            "subject": "专利实施许可，许可期限6年",
            "buyer": self.enterprise_org.uscc,
            "field": self.field.pk,
            "total_amount": "2000000",
            "declared_tech_amount": "1800000",
            "non_tech_part": "配套培训资料印制费",
            "payment_terms": "按年支付许可费",
            "signed_on": timezone.localdate().isoformat(),
        }
        data.update(overrides)
        return data

    def test_seller_creates_submits_and_the_registrar_registers(self):
        self.login(self.institute)
        created = self.client.post("/api/transfer/contracts/", self.body(), "application/json")
        self.assertEqual(created.status_code, 201, created.json())
        pk = created.json()["id"]
        self.assertEqual(created.json()["buyer"], self.enterprise_org.uscc)
        self.assertEqual(created.json()["seller_name"], "吉林大学")
        patched = self.client.patch(
            f"/api/transfer/contracts/{pk}/", {"title": "专利实施许可合同"}, "application/json"
        )
        self.assertEqual(patched.json()["title"], "专利实施许可合同")
        self.assertEqual(self.client.post(f"/api/transfer/contracts/{pk}/submit/").status_code, 200)
        self.assertEqual(
            self.client.post(f"/api/transfer/contracts/{pk}/register/").status_code, 403
        )
        self.login(self.city_admin)
        no_reason = self.client.post(f"/api/transfer/contracts/{pk}/refuse/", {"reasons": ""})
        self.assertEqual(no_reason.status_code, 400)
        self.assertEqual(no_reason.json()["code"], "invalid")
        self.assertIn("reasons", no_reason.json()["errors"])
        too_much = self.client.post(
            f"/api/transfer/contracts/{pk}/register/",
            {"tech_amount": "2500000"},
            "application/json",
        )
        self.assertEqual(too_much.status_code, 400)
        self.assertIn("不能超过合同总金额2,000,000.00元", too_much.json()["message"])
        registered = self.client.post(
            f"/api/transfer/contracts/{pk}/register/",
            {"registered_kind": "license", "tech_amount": "1800000"},
            "application/json",
        ).json()
        self.assertEqual(registered["status"], "registered")
        self.assertTrue(registered["registration_number"].startswith("22010"))
        cit = next(t for t in registered["tax_benefits"] if t["key"] == "cit")
        self.assertEqual(cit["exempt"], "1800000.00")
        stats = self.client.get("/api/transfer/statistics/contracts/").json()
        self.assertEqual(stats["totals"]["tech_amount"], "1800000.00")
        self.assertEqual(stats["groups"]["kind"][0]["label"], "技术许可")
        funnel = self.client.get("/api/transfer/statistics/funnel/", {"by": "district"})
        self.assertEqual(funnel.status_code, 200)

    def test_other_organisations_and_incomplete_contracts_are_refused(self):
        self.login(self.institute)
        pk = self.client.post(
            "/api/transfer/contracts/", self.body(signed_on=None), "application/json"
        ).json()["id"]
        incomplete = self.client.post(f"/api/transfer/contracts/{pk}/submit/")
        self.assertEqual(incomplete.status_code, 400)
        self.assertEqual(incomplete.json()["code"], "incomplete")
        self.assertIn("请填写签订日期", incomplete.json()["errors"]["non_field_errors"])
        self.login(self.other_enterprise)
        self.assertEqual(self.client.get(f"/api/transfer/contracts/{pk}/").status_code, 403)
        self.assertEqual(
            self.client.patch(
                f"/api/transfer/contracts/{pk}/", {"title": "x"}, "application/json"
            ).status_code,
            403,
        )
        self.assertEqual(self.client.get("/api/transfer/contracts/").json()["count"], 0)
        self.assertEqual(self.client.get("/api/transfer/statistics/contracts/").status_code, 403)
        self.assertEqual(TechContract.objects.get().title, "激光器封装专利实施许可合同")

    def test_a_district_admin_reads_the_own_district_statistics(self):
        self.registered(
            self.enterprise, title="华锐的合同", total_amount="100", declared_tech_amount="100"
        )
        self.registered(title="吉大的合同")
        self.login(self.district_admin)
        stats = self.client.get("/api/transfer/statistics/contracts/").json()
        self.assertEqual(stats["region"], "长春高新技术产业开发区")
        self.assertEqual(stats["totals"]["count"], 1)
