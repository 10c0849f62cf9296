"""定价参考 as people use it: the calculator pages (测算 without saving, 保存为报告) and the API."""

from decimal import Decimal as D

from core.models import AuditEntry
from transfer.models import ValuationReport
from transfer.services import valuation
from transfer.tests.test_valuation import COST, DISCLAIMER, INCOME, ValuationTestCase


class CalculatorPageTests(ValuationTestCase):
    def url(self, method="income"):
        return f"/transfer/achievements/{self.record.pk}/valuation/{method}/"

    def test_every_valuation_page_says_it_is_no_appraisal(self):
        self.login(self.enterprise)
        report = valuation.save_report(self.enterprise, self.record, "cost", COST)
        for url in (
            "/transfer/valuation/",
            f"/transfer/achievements/{self.record.pk}/valuation/",
            self.url("income"),
            self.url("cost"),
            self.url("market"),
            f"/transfer/valuations/{report.pk}/",
        ):
            self.assertContains(self.client.get(url), DISCLAIMER, msg_prefix=url)

    def test_the_form_shows_the_reference_shares_and_industry_ranges(self):
        self.login(self.enterprise)
        page = self.client.get(self.url())
        self.assertContains(page, "三分法 33%、四分法 25%")
        self.assertContains(page, "光学/电子")
        self.assertContains(page, "精密仪器（提成率 4%–5.5%）")

    def test_preview_shows_the_working_and_the_sensitivity_table_without_saving(self):
        self.login(self.enterprise)
        page = self.client.post(self.url(), {**INCOME, "preview": "1"})
        self.assertContains(page, "第1年</strong>：3,000,000 × 12% × 25% ÷ 1.10¹ = 81,818.18")
        self.assertContains(page, "245,454.54")
        self.assertContains(page, "敏感性分析")
        self.assertContains(page, "<strong>24.55</strong>", html=True)  # 25% × 10%, in 万元
        self.assertFalse(ValuationReport.objects.exists())

    def test_save_keeps_a_report_and_lists_it_on_the_achievement(self):
        self.login(self.enterprise)
        response = self.client.post(self.url(), {**INCOME, "save": "1"})
        report = ValuationReport.objects.get()
        self.assertRedirects(response, f"/transfer/valuations/{report.pk}/")
        page = self.client.get(f"/transfer/valuations/{report.pk}/")
        self.assertContains(page, "3,000,000 × 12% × 25% ÷ 1.10¹ = 81,818.18")
        self.assertContains(page, "利润分成法")
        listing = self.client.get(f"/transfer/achievements/{self.record.pk}/valuation/")
        self.assertContains(listing, "245,454.54")
        self.assertContains(listing, "收益法")

    def test_bad_input_shows_chinese_errors_beside_the_fields_and_saves_nothing(self):
        self.login(self.enterprise)
        page = self.client.post(
            self.url(), {**INCOME, "share": "120", "discount_rate": "-1", "save": "1"}
        )
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "利润分成率应大于0%且不超过100%。")
        self.assertContains(page, "折现率应不小于0%且小于100%。")
        self.assertFalse(ValuationReport.objects.exists())

    def test_yearly_figures_with_ascii_commas_are_refused_as_ambiguous(self):
        self.login(self.enterprise)
        data = {**INCOME, "revenue_mode": "list", "revenues": "300,330,363"}
        page = self.client.post(self.url(), data)
        self.assertContains(page, "请不要使用英文逗号")
        data["revenues"] = "3000000\n3300000、3630000"
        page = self.client.post(self.url(), data)
        self.assertContains(page, "245,454.54")

    def test_market_page_lists_the_comparables_and_refuses_to_save_too_few(self):
        self.contract("500000")
        self.login(self.enterprise)
        page = self.client.get(self.url("market"))
        self.assertContains(page, "可比交易不足")
        self.assertContains(page, "500,000.00")
        refused = self.client.post(self.url("market"), {"save": "1"})
        self.assertContains(refused, "可比交易不足")
        self.assertFalse(ValuationReport.objects.exists())

    def test_cost_page_marks_the_risk_sign_as_unconfirmed(self):
        self.login(self.city_admin)
        page = self.client.post(self.url("cost"), {**COST, "preview": "1"})
        self.assertContains(page, "待核实")
        self.assertContains(page, "1,266,666.67")

    def test_the_home_lists_own_achievements_and_the_bureau_can_search(self):
        self.login(self.enterprise)
        self.assertContains(self.client.get("/transfer/valuation/"), "激光雷达点云处理芯片")
        self.login(self.other_enterprise)
        self.assertNotContains(self.client.get("/transfer/valuation/"), "激光雷达点云处理芯片")
        self.login(self.city_admin)
        found = self.client.get("/transfer/valuation/", {"q": "点云"})
        self.assertContains(found, "激光雷达点云处理芯片")

    def test_anonymous_visitors_are_sent_to_log_in(self):
        response = self.client.get(self.url())
        self.assertEqual(response.status_code, 302)
        self.assertIn("/accounts/login/", response["Location"])


class ValuationApiTests(ValuationTestCase):
    def post(self, path, body):
        return self.client.post(path, body, content_type="application/json")

    def body(self, **extra):
        return {
            "achievement": self.record.pk,
            "method": "income",
            **{k: v for k, v in INCOME.items()},
            **extra,
        }

    def test_preview_computes_without_saving(self):
        self.login(self.enterprise)
        response = self.post("/api/transfer/valuations/preview/", self.body())
        self.assertEqual(response.status_code, 200, response.content)
        data = response.json()
        self.assertEqual(D(str(data["value"])), D("245454.54"))
        self.assertEqual(data["working"][3]["expr"], "3,000,000 × 12% × 25% ÷ 1.10¹")
        self.assertEqual(data["disclaimer"], DISCLAIMER)
        self.assertEqual(data["sensitivity"]["axis"], ["25", "29", "33"])
        self.assertFalse(ValuationReport.objects.exists())

    def test_save_and_list_the_reports_of_an_achievement(self):
        self.login(self.enterprise)
        created = self.post("/api/transfer/valuations/", self.body())
        self.assertEqual(created.status_code, 201, created.content)
        self.assertEqual(created.json()["value"], "245454.54")
        cost = {"achievement": self.record.pk, "method": "cost", **COST}
        self.assertEqual(self.post("/api/transfer/valuations/", cost).status_code, 201)
        listed = self.client.get(f"/api/transfer/valuations/?achievement={self.record.pk}")
        self.assertEqual(listed.json()["count"], 2)
        self.assertTrue(AuditEntry.objects.filter(action="create", object_repr__contains="成本法"))

    def test_errors_have_the_documented_shape(self):
        self.login(self.enterprise)
        response = self.post("/api/transfer/valuations/", self.body(share="0", horizon=30))
        self.assertEqual(response.status_code, 400)
        data = response.json()
        self.assertEqual(data["code"], "invalid")
        self.assertEqual(data["errors"]["share"], ["利润分成率应大于0%且不超过100%。"])
        self.assertEqual(data["errors"]["horizon"], ["收益年限应为1到20之间的整数年。"])
        refused = self.post(
            "/api/transfer/valuations/", {"achievement": self.record.pk, "method": "market"}
        )
        self.assertEqual(refused.status_code, 400)
        self.assertEqual(refused.json()["code"], "no_value")
        self.assertIn("可比交易不足", refused.json()["message"])
        self.assertFalse(ValuationReport.objects.exists())

    def test_another_organisation_is_refused(self):
        valuation.save_report(self.enterprise, self.record, "cost", COST)
        self.login(self.other_enterprise)
        response = self.post("/api/transfer/valuations/preview/", self.body())
        self.assertEqual(response.status_code, 403)
        self.assertEqual(response.json()["code"], "not_allowed")
        listed = self.client.get(f"/api/transfer/valuations/?achievement={self.record.pk}")
        self.assertEqual(listed.status_code, 403)
        self.assertEqual(self.client.get("/api/transfer/valuations/").json()["count"], 0)
        self.client.logout()
        self.assertEqual(
            self.post("/api/transfer/valuations/preview/", self.body()).status_code, 403
        )
