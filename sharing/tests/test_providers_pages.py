"""科技服务机构 pages: the public directory with filters and ratings, the application form with a
named bad line, and the bureau's decisions."""

from sharing.choices import ProviderStatus
from sharing.factories import ServiceProviderFactory
from sharing.models import ServiceProvider

from .test_vouchers_base import VoucherTestCase

FORM = {
    "categories": ["brokerage", "consulting"],
    "services": "技术转移、成果评价与技术经纪服务。",
    "qualifications": "技术经纪人资格 | JJ-2024-001 | 2030-12-31",
    "contact_name": "陈经纪",
    "contact_phone": "0431-85551234",
}


class DirectoryPageTests(VoucherTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.testing = ServiceProviderFactory(
            organisation__name="长春检测技术服务有限公司",
            categories=["testing"],
            qualifications=[
                {"name": "实验室认可（CNAS）", "number": "L1234", "valid_until": "2020-01-31"}
            ],
        )
        cls.pending = ServiceProviderFactory(
            organisation__name="长春待审科技服务有限公司", status=ProviderStatus.PENDING
        )

    def test_the_public_directory_shows_registered_providers_with_their_details(self):
        page = self.client.get("/sharing/providers/")
        self.assertContains(page, "长春检测技术服务有限公司")
        self.assertContains(page, "检验检测")
        self.assertContains(page, "已过期")
        self.assertContains(page, "暂无评价")
        self.assertNotContains(page, "长春待审科技服务有限公司")
        self.assertNotContains(page, 'name="status"')

    def test_filters_and_the_empty_state(self):
        page = self.client.get("/sharing/providers/", {"category": "ip"})
        self.assertContains(page, "没有符合条件的服务机构，请调整筛选条件。")
        page = self.client.get("/sharing/providers/", {"q": "检测技术"})
        self.assertContains(page, "长春检测技术服务有限公司")
        page = self.client.get("/sharing/providers/", {"region": self.nanguan.pk})
        self.assertNotContains(page, "长春检测技术服务有限公司")

    def test_the_bureau_sees_pending_providers_with_status(self):
        self.assertNotContains(
            self.client.get("/sharing/providers/", {"status": "pending"}),
            "长春待审科技服务有限公司",
        )
        self.login(self.city_admin)
        page = self.client.get("/sharing/providers/", {"status": "pending"})
        self.assertContains(page, "长春待审科技服务有限公司")
        self.assertNotContains(page, "长春检测技术服务有限公司")

    def test_the_directory_is_paginated(self):
        for n in range(21):
            ServiceProviderFactory(organisation__name=f"长春科技服务有限公司{n:02d}")
        page = self.client.get("/sharing/providers/")
        self.assertContains(page, "?page=2")

    def test_a_pending_provider_is_hidden_from_the_public(self):
        self.assertEqual(self.client.get(f"/sharing/providers/{self.pending.pk}/").status_code, 404)
        self.login(self.city_admin)
        self.assertContains(self.client.get(f"/sharing/providers/{self.pending.pk}/"), "同意入库")


class ApplyPageTests(VoucherTestCase):
    def test_an_organisation_applies_and_a_bad_line_is_named(self):
        self.login(self.broker)
        self.assertContains(self.client.get("/sharing/providers/apply/"), "申请入库科技服务机构")
        bad = self.client.post(
            "/sharing/providers/apply/",
            {**FORM, "qualifications": "技术经纪人资格 | JJ-2024-001 | 2030-12-31\n经纪资格"},
        )
        self.assertContains(bad, "第2行“经纪资格”格式不对", status_code=400)
        self.assertFalse(ServiceProvider.objects.exists())
        done = self.client.post("/sharing/providers/apply/", FORM, follow=True)
        self.assertContains(done, "入库申请已提交，等待市科技局审核。")
        self.assertContains(done, "待审核")
        self.assertContains(done, "JJ-2024-001")

    def test_who_may_open_the_application(self):
        self.assertEqual(self.client.get("/sharing/providers/apply/").status_code, 302)
        for user in (self.expert, self.district_admin, self.city_admin):
            self.login(user)
            self.assertEqual(self.client.get("/sharing/providers/apply/").status_code, 403)

    def test_changing_categories_of_a_registered_provider_says_it_is_reviewed_again(self):
        self.login(self.broker)
        self.client.post("/sharing/providers/apply/", FORM)
        ServiceProvider.objects.update(status=ProviderStatus.REGISTERED)
        page = self.client.get("/sharing/providers/apply/")
        self.assertContains(page, "修改服务类别后需重新经市科技局审核")
        done = self.client.post(
            "/sharing/providers/apply/", {**FORM, "categories": ["brokerage"]}, follow=True
        )
        self.assertContains(done, "服务类别有变化，已重新提交市科技局审核")
        self.assertEqual(ServiceProvider.objects.get().status, ProviderStatus.PENDING)


class DecisionPageTests(VoucherTestCase):
    def setUp(self):
        self.provider = ServiceProviderFactory(
            organisation=self.agency, status=ProviderStatus.PENDING
        )
        self.url = f"/sharing/providers/{self.provider.pk}/decide/"

    def test_the_bureau_registers_and_refusal_needs_a_reason(self):
        self.login(self.city_admin)
        bad = self.client.post(self.url, {"decision": "refuse", "reason": ""})
        self.assertContains(bad, "不予入库须填写理由。", status_code=400)
        self.assertEqual(self.reload(self.provider).status, ProviderStatus.PENDING)
        done = self.client.post(self.url, {"decision": "register"}, follow=True)
        self.assertContains(done, "当前状态：已入库")
        self.assertContains(done, "暂停资格")

    def test_others_cannot_decide(self):
        # Its own members see the pending entry but may not decide; others do not see it.
        for user, status in (
            (self.broker, 403),
            (self.district_admin, 404),
            (self.enterprise, 404),
        ):
            self.login(user)
            response = self.client.post(self.url, {"decision": "register"})
            self.assertEqual(response.status_code, status, user)
        self.assertEqual(self.reload(self.provider).status, ProviderStatus.PENDING)
