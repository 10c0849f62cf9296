"""The 核销与兑付 pages: the provider's redeem form and list, the holder's rating, who may see a
redemption, and the bureau's list with its export."""

import io
from decimal import Decimal

from openpyxl import load_workbook

from sharing.choices import ProviderStatus
from sharing.models import Redemption, Voucher

from .test_redemptions_base import RedemptionTestCase, days_ago

URL = "/sharing/redemptions/"


class RedeemPageTests(RedemptionTestCase):
    def test_the_provider_sees_the_redeem_form_with_its_own_categories(self):
        self.login(self.broker)
        page = self.client.get(URL)
        self.assertContains(page, "核销创新券")
        self.assertContains(page, 'value="testing"')
        self.assertContains(page, 'value="rd"')
        self.assertNotContains(page, 'value="instrument"')
        self.assertContains(page, "没有待申请兑付的核销记录")

    def test_looking_a_voucher_up_shows_its_remaining_value(self):
        self.redeem()
        self.login(self.broker)
        page = self.client.get(URL, {"lookup-code": self.voucher.code})
        self.assertContains(page, "剩余可核销（元）")
        self.assertContains(page, "20,000.00")
        self.assertContains(page, "长春***有限公司")
        bad = self.client.get(URL, {"lookup-code": "2026-XYZ"})
        self.assertContains(bad, "券号格式不正确或校验位不符")

    def test_redeeming_through_the_form_shows_the_remaining_value(self):
        self.login(self.broker)
        response = self.client.post(f"{URL}redeem/", self.redeem_input(), follow=True)
        self.assertContains(response, "核销成功")
        self.assertContains(response, "剩余 20,000.00 元")
        redemption = Redemption.objects.get()
        self.assertEqual(response.redirect_chain[-1][0], f"{URL}{redemption.pk}/")

    def test_a_refusal_is_shown_on_the_form_and_changes_nothing(self):
        Voucher.objects.filter(pk=self.voucher.pk).update(expires_on=days_ago(1))
        self.login(self.broker)
        response = self.client.post(f"{URL}redeem/", self.redeem_input())
        self.assertEqual(response.status_code, 400)
        day = days_ago(1)
        self.assertContains(
            response,
            f"创新券已于{day.year}年{day.month}月{day.day}日过期，不能核销。",
            status_code=400,
        )
        self.assertContains(response, 'value="JC-2026-001"', status_code=400)  # kept as typed
        self.assertFalse(Redemption.objects.exists())
        bad = self.client.post(f"{URL}redeem/", self.redeem_input(amount="12000"))
        self.assertEqual(bad.status_code, 400)
        self.assertFalse(Redemption.objects.exists())

    def test_the_share_of_the_contract_is_explained(self):
        self.login(self.broker)
        response = self.client.post(f"{URL}redeem/", self.redeem_input(amount="10000.01"))
        self.assertContains(
            response, "核销金额不能超过合同金额的 50%（10,000.00 元）。", status_code=400
        )

    def test_an_enterprise_that_is_not_a_provider_gets_403(self):
        self.login(self.other_enterprise)
        self.assertEqual(self.client.get(URL).status_code, 403)
        self.assertEqual(self.client.post(f"{URL}redeem/", self.redeem_input()).status_code, 403)
        self.login(self.district_admin)
        self.assertEqual(self.client.get(URL).status_code, 403)
        self.assertFalse(Redemption.objects.exists())

    def test_the_public_is_asked_to_log_in(self):
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 302)
        self.assertIn("/accounts/login/", response["Location"])

    def test_a_suspended_provider_is_told_why_it_cannot_redeem(self):
        self.provider.status = ProviderStatus.SUSPENDED
        self.provider.save()
        self.login(self.broker)
        page = self.client.get(URL)
        self.assertContains(page, "服务机构资格已暂停")
        self.assertNotContains(page, 'name="contract_number"')
        self.assertEqual(self.client.post(f"{URL}redeem/", self.redeem_input()).status_code, 403)


class RedemptionDetailPageTests(RedemptionTestCase):
    def setUp(self):
        self.redemption = self.redeem()
        self.url = f"{URL}{self.redemption.pk}/"

    def test_the_holder_sees_its_redemptions_and_rates_the_service(self):
        self.login(self.enterprise)
        listing = self.client.get(URL)
        self.assertContains(listing, "本单位创新券的核销记录")
        self.assertContains(listing, "去评价")
        page = self.client.get(self.url)
        self.assertContains(page, "提交评价")
        self.assertContains(page, "20,000.00")  # what is left on the voucher
        bad = self.client.post(f"{self.url}rate/", {"rating": "9"})
        self.assertEqual(bad.status_code, 400)
        self.assertIsNone(Redemption.objects.get().rating)
        ok = self.client.post(
            f"{self.url}rate/", {"rating": "4", "comment": "报告很规范"}, follow=True
        )
        self.assertContains(ok, "服务评价已提交")
        self.assertContains(ok, "报告很规范")
        self.assertNotContains(ok, "提交评价")
        self.assertEqual(Redemption.objects.get().rating, 4)
        again = self.client.post(f"{self.url}rate/", {"rating": "1"})
        self.assertContains(again, "该服务已评价", status_code=400)
        self.assertEqual(Redemption.objects.get().rating, 4)

    def test_the_provider_and_the_bureau_see_it_but_cannot_rate(self):
        for user in (self.broker, self.city_admin):
            self.login(user)
            page = self.client.get(self.url)
            self.assertContains(page, "JC-2026-001")
            self.assertNotContains(page, "提交评价")
            self.assertEqual(self.client.post(f"{self.url}rate/", {"rating": "5"}).status_code, 403)

    def test_others_get_403(self):
        for user in (self.other_enterprise, self.district_admin, self.expert):
            self.login(user)
            self.assertEqual(self.client.get(self.url).status_code, 403, user.username)
        self.assertEqual(self.client.get(f"{URL}999999/").status_code, 404)


class BureauRedemptionPageTests(RedemptionTestCase):
    def test_the_bureau_reads_redemptions_by_program_and_exports_them(self):
        self.redeem()
        other = self.make_voucher(holder=self.other_enterprise_org, face_value="10000")
        self.redeem(voucher=other, contract_number="JC-2026-009", amount="5000")
        self.login(self.city_admin)
        page = self.client.get(URL)
        self.assertContains(page, "待审核的兑付申请")
        self.assertContains(page, "长春启明汽车电子有限公司")
        self.assertContains(page, "兑付清单")
        self.assertContains(page, "/sharing/relations/")
        response = self.client.get(URL, {"program": self.program.pk, "export": "xlsx"})
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.values)
        self.assertEqual(rows[0][2], "券号")
        self.assertEqual(len(rows), 3)
        self.assertEqual(sorted(r[9] for r in rows[1:]), [Decimal("5000"), Decimal("10000")])
        self.assertEqual({r[11] for r in rows[1:]}, {"未申请兑付"})
        filtered = self.client.get(URL, {"q": other.code})
        self.assertContains(filtered, "JC-2026-009")
        self.assertNotContains(filtered, "JC-2026-001")
