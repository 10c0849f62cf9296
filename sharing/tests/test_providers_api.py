"""科技服务机构 through the API: the public directory, applying and the bureau's decisions."""

from sharing.choices import ProviderStatus
from sharing.factories import ServiceProviderFactory
from sharing.models import ServiceProvider

from .test_vouchers_base import VoucherTestCase

JSON = "application/json"
BODY = {
    "categories": ["brokerage"],
    "services": "技术转移与技术经纪服务。",
    "qualifications": "技术经纪人资格 | JJ-2024-001 | 2030-12-31",
    "contact_name": "陈经纪",
    "contact_phone": "0431-85551234",
}


class ProviderApiTests(VoucherTestCase):
    def test_the_directory_is_public_with_ratings_and_filters(self):
        ServiceProviderFactory(
            organisation__name="长春检测技术服务有限公司", categories=["testing"]
        )
        ServiceProviderFactory(organisation__name="长春待审有限公司", status=ProviderStatus.PENDING)
        data = self.client.get("/api/sharing/providers/").json()
        self.assertEqual(
            [p["organisation_name"] for p in data["results"]], ["长春检测技术服务有限公司"]
        )
        first = data["results"][0]
        self.assertEqual((first["rating"], first["rating_count"], first["completed"]), (None, 0, 0))
        self.assertEqual(first["qualifications"][0]["expired"], False)
        self.assertEqual(
            self.client.get("/api/sharing/providers/", {"category": "rd"}).json()["count"], 0
        )
        self.assertEqual(
            self.client.get("/api/sharing/providers/", {"status": "pending"}).json()["count"], 1
        )  # the public still gets the registered ones only
        self.login(self.city_admin)
        pending = self.client.get("/api/sharing/providers/", {"status": "pending"}).json()
        self.assertEqual([p["organisation_name"] for p in pending["results"]], ["长春待审有限公司"])

    def test_an_organisation_applies_and_the_bureau_decides(self):
        self.login(self.broker)
        bad = self.client.post(
            "/api/sharing/providers/apply/", {**BODY, "qualifications": "只有名称"}, JSON
        )
        self.assertEqual(bad.status_code, 400)
        self.assertIn("第1行“只有名称”格式不对", bad.json()["errors"]["qualifications"][0])
        created = self.client.post("/api/sharing/providers/apply/", BODY, JSON)
        self.assertEqual(created.status_code, 201, created.json())
        provider = created.json()
        self.assertEqual(provider["status"], ProviderStatus.PENDING)
        url = f"/api/sharing/providers/{provider['id']}/decide/"
        self.assertEqual(self.client.post(url, {"decision": "register"}, JSON).status_code, 403)
        self.login(self.city_admin)
        refused = self.client.post(url, {"decision": "refuse"}, JSON)
        self.assertEqual(refused.status_code, 400)
        self.assertEqual(refused.json()["errors"], {"reason": ["不予入库须填写理由。"]})
        done = self.client.post(url, {"decision": "register"}, JSON)
        self.assertEqual(done.json()["status"], ProviderStatus.REGISTERED)
        self.assertEqual(ServiceProvider.objects.get().status, ProviderStatus.REGISTERED)

    def test_who_may_apply(self):
        self.login(self.expert)
        response = self.client.post("/api/sharing/providers/apply/", BODY, JSON)
        self.assertEqual(response.status_code, 403)
        self.assertEqual(response.json()["code"], "not_allowed")
        self.assertFalse(ServiceProvider.objects.exists())
