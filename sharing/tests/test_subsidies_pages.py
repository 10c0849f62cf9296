"""先用后补 pages: the organisation's terms, records, live preview and claim; the bureau's queue,
decisions, policy form and payment list; who may open what."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from openpyxl import load_workbook

from sharing.choices import ClaimStatus
from sharing.models import SubsidyClaim, SubsidyPolicy
from sharing.services import subsidies

from .test_subsidies_base import SubsidyTestCase

URL = "/sharing/subsidies/"


class OrganisationPageTests(SubsidyTestCase):
    def setUp(self):
        self.a = self.usage(self.enterprise, "1200")
        self.b = self.usage(self.enterprise, "800.50")
        self.usage(self.enterprise, "0")  # not listed

    def test_the_page_shows_terms_records_and_the_computed_amount_with_its_working(self):
        self.login(self.enterprise)
        page = self.client.get(URL)
        self.assertContains(page, "30%")
        self.assertContains(page, "200,000.00")  # the cap
        self.assertContains(page, f'value="{self.a.pk}"')
        self.assertContains(page, f'value="{self.b.pk}"')
        self.assertContains(page, 'name="records"', count=2)  # the free record is not listed
        self.assertContains(page, "2,000.50 元 × 补贴比例 30% = 600.15 元")
        self.assertContains(
            page, '<strong class="money" id="quote-amount">600.15</strong>', html=False
        )
        self.assertContains(page, "提交申请")

    def test_the_live_preview_recomputes_for_the_ticked_records(self):
        self.login(self.enterprise)
        response = self.client.post(
            f"{URL}preview/",
            {"year": self.year, "records": [self.b.pk]},
            headers={"HX-Request": "true"},
        )
        self.assertContains(response, "800.50 元 × 补贴比例 30% = 240.15 元")
        self.assertNotContains(response, "<html")  # the fragment alone
        nothing = self.client.post(
            f"{URL}preview/", {"year": self.year}, headers={"HX-Request": "true"}
        )
        self.assertContains(nothing, "请至少选择一条使用记录")
        full = self.client.post(f"{URL}preview/", {"year": self.year, "records": [self.a.pk]})
        self.assertContains(full, "1,200.00 元 × 补贴比例 30% = 360.00 元")
        self.assertContains(full, "<html")
        self.assertFalse(SubsidyClaim.objects.exists())

    def test_submitting_leads_to_the_claim_with_its_working_and_lines(self):
        self.login(self.enterprise)
        response = self.client.post(
            f"{URL}claim/", {"year": self.year, "records": [self.a.pk, self.b.pk]}, follow=True
        )
        claim = SubsidyClaim.objects.get()
        self.assertRedirects(response, f"{URL}claims/{claim.pk}/")
        self.assertContains(response, "已提交")
        self.assertContains(response, "申请补贴 600.15 元，等待市科技局审核")
        self.assertContains(response, "2,000.50 元 × 补贴比例 30% = 600.15 元")
        self.assertContains(response, "场发射扫描电子显微镜", count=2)
        self.assertContains(response, "待审核")
        listing = self.client.get(URL)
        self.assertContains(listing, f"XYHB{self.year}-{claim.pk:05d}")
        self.assertContains(listing, "没有可申请补贴的使用记录")

    def test_nothing_ticked_is_refused_on_the_page_and_changes_nothing(self):
        self.login(self.enterprise)
        response = self.client.post(f"{URL}claim/", {"year": self.year})
        self.assertContains(response, "请至少选择一条使用记录", status_code=400)
        self.assertFalse(SubsidyClaim.objects.exists())

    def test_a_claim_outside_the_window_is_refused_and_the_button_hidden(self):
        SubsidyPolicy.objects.filter(pk=self.policy.pk).update(claims_until=self.policy.claims_from)
        self.login(self.enterprise)
        page = self.client.get(URL)
        self.assertContains(page, "当前不在受理期内")
        self.assertNotContains(page, 'id="submit-claim"')
        response = self.client.post(f"{URL}claim/", {"year": self.year, "records": [self.a.pk]})
        self.assertContains(response, "当前不在受理期内", status_code=409)
        self.assertFalse(SubsidyClaim.objects.exists())

    def test_a_year_without_a_policy(self):
        self.login(self.enterprise)
        self.assertContains(
            self.client.get(URL, {"year": self.year - 2}),
            f"{self.year - 2}年度先用后补政策尚未发布",
        )

    def test_who_may_open_the_page(self):
        for user in (self.district_admin, self.leader, self.expert):
            self.login(user)
            self.assertEqual(self.client.get(URL).status_code, 403, user.username)
            self.assertEqual(self.client.post(f"{URL}claim/", {"year": self.year}).status_code, 403)
        self.client.logout()
        self.assertEqual(self.client.get(URL).status_code, 302)  # to the login page
        self.assertFalse(SubsidyClaim.objects.exists())


class ClaimDetailTests(SubsidyTestCase):
    def setUp(self):
        self.usage(self.enterprise, "10000")
        self.claim = subsidies.submit_claim(self.enterprise, self.year)
        self.url = f"{URL}claims/{self.claim.pk}/"

    def test_only_the_claimant_organisation_and_the_bureau_see_the_claim(self):
        self.login(self.enterprise)
        self.assertContains(self.client.get(self.url), "3,000.00")
        self.login(self.city_admin)
        page = self.client.get(self.url)
        self.assertContains(page, "不予批准的理由")
        for user in (self.other_enterprise, self.institute, self.district_admin, self.leader):
            self.login(user)
            response = self.client.get(self.url)
            self.assertEqual(response.status_code, 403, user.username)
        self.client.logout()
        self.assertEqual(self.client.get(self.url).status_code, 302)

    def test_the_claimant_sees_no_decision_forms_and_cannot_decide(self):
        self.login(self.enterprise)
        self.assertNotContains(self.client.get(self.url), "不予批准的理由")
        self.assertEqual(self.client.post(f"{self.url}approve/").status_code, 403)
        self.login(self.district_admin)
        self.assertEqual(self.client.post(f"{self.url}approve/").status_code, 403)
        self.assertEqual(
            self.client.post(f"{self.url}refuse/", {"reason": "不符合"}).status_code, 403
        )
        self.claim.refresh_from_db()
        self.assertEqual(self.claim.status, ClaimStatus.SUBMITTED)


class BureauPageTests(SubsidyTestCase):
    def setUp(self):
        self.usage(self.enterprise, "10000")
        self.claim = subsidies.submit_claim(self.enterprise, self.year)  # 3,000.00
        self.login(self.city_admin)

    def test_the_bureau_sees_budget_use_the_queue_and_the_policy_form(self):
        page = self.client.get(URL)
        self.assertContains(page, "5,000,000.00")  # the budget
        self.assertContains(page, "长春华锐光电科技有限公司")
        self.assertContains(page, f"XYHB{self.year}-{self.claim.pk:05d}")
        self.assertContains(page, 'name="rate_percent"')
        self.assertContains(page, "该年度已有申请，补贴比例和单位上限不能再修改")
        self.assertNotContains(page, "本单位的申请")

    def test_approving_from_the_queue_with_a_reduced_amount(self):
        url = f"{URL}claims/{self.claim.pk}/approve/"
        refused = self.client.post(url, {"amount": "2500", "back": "list"}, follow=True)
        self.assertContains(refused, "须填写理由")
        self.claim.refresh_from_db()
        self.assertEqual(self.claim.status, ClaimStatus.SUBMITTED)
        done = self.client.post(
            url, {"amount": "2500", "reason": "部分收费不属于测试服务", "back": "list"}, follow=True
        )
        self.assertRedirects(done, f"{URL}?year={self.year}#queue")
        self.assertContains(done, "批准补贴 2,500.00 元")
        self.assertContains(done, "已使用 0.1%")  # 2,500 of 5,000,000 → 0.05 % → 0.1 %
        self.claim.refresh_from_db()
        self.assertEqual(self.claim.approved_amount, Decimal("2500.00"))

    def test_refusing_without_a_reason_changes_nothing(self):
        url = f"{URL}claims/{self.claim.pk}/refuse/"
        response = self.client.post(url, {"reason": ""}, follow=True)
        self.assertContains(response, "请填写不予批准的理由")
        self.claim.refresh_from_db()
        self.assertEqual(self.claim.status, ClaimStatus.SUBMITTED)
        done = self.client.post(url, {"reason": "收费凭证不全"}, follow=True)
        self.assertRedirects(done, f"{URL}claims/{self.claim.pk}/")
        self.assertContains(done, "所列使用记录可重新申请")

    def test_the_policy_form(self):
        bad = self.client.post(
            f"{URL}policy/",
            {
                "year": self.year,
                "rate_percent": "35",
                "cap_per_user": "200000",
                "budget": "5000000",
                "claims_from": f"{self.year}-01-01",
                "claims_until": f"{self.year + 1}-03-31",
            },
        )
        self.assertContains(bad, "已有申请，不能修改补贴比例和单位上限", status_code=400)
        self.policy.refresh_from_db()
        self.assertEqual(self.policy.rate, Decimal("0.300"))
        reversed_window = self.client.post(
            f"{URL}policy/",
            {
                "year": self.year + 1,
                "rate_percent": "25",
                "cap_per_user": "100000",
                "budget": "2000000",
                "claims_from": f"{self.year + 1}-06-01",
                "claims_until": f"{self.year + 1}-01-01",
            },
        )
        self.assertContains(reversed_window, "受理截止日期不能早于受理开始日期", status_code=400)
        ok = self.client.post(
            f"{URL}policy/",
            {
                "year": self.year + 1,
                "rate_percent": "25",
                "cap_per_user": "100000",
                "budget": "2000000",
                "claims_from": f"{self.year + 1}-01-01",
                "claims_until": f"{self.year + 2}-03-31",
                "note": "长春市先用后补实施细则",
            },
            follow=True,
        )
        self.assertContains(ok, f"已保存{self.year + 1}年度先用后补政策")
        self.assertEqual(SubsidyPolicy.objects.get(year=self.year + 1).rate, Decimal("0.250"))
        self.login(self.enterprise)
        self.assertEqual(self.client.post(f"{URL}policy/", {}).status_code, 403)

    def test_the_payment_list_downloads_with_a_total_row(self):
        subsidies.approve_claim(self.city_admin, self.claim)
        self.usage(self.broker, "5000")
        subsidies.approve_claim(self.city_admin, subsidies.submit_claim(self.broker, self.year))
        response = self.client.get(f"{URL}payments/{self.year}/", {"export": "xlsx"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response["Content-Disposition"])
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = [[c.value for c in row] for row in sheet.iter_rows()]
        self.assertEqual(
            rows[0],
            ["序号", "单位名称", "统一社会信用代码", "申请编号", "使用记录数", "服务收费合计",
             "批准补贴金额（元）", "审核时间"],
        )  # fmt: skip
        self.assertEqual(rows[1][1], "长春华锐光电科技有限公司")
        self.assertEqual(Decimal(str(rows[1][6])), Decimal("3000"))
        self.assertEqual(rows[3][0], "合计")
        self.assertEqual(Decimal(str(rows[3][6])), Decimal("4500"))
        as_csv = self.client.get(f"{URL}payments/{self.year}/", {"export": "csv"})
        text = b"".join(as_csv.streaming_content).decode("utf-8-sig")
        lines = list(csv.reader(io.StringIO(text)))
        self.assertEqual(lines[-1][:1] + lines[-1][4:7], ["合计", "2", "15000.00", "4500.00"])
        for user in (self.district_admin, self.enterprise):
            self.login(user)
            self.assertEqual(self.client.get(f"{URL}payments/{self.year}/").status_code, 403)
