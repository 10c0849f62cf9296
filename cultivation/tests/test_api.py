"""The cultivation API: the same services, permissions and Chinese errors as the pages."""

import datetime

from core.testing import PersonaTestCase
from cultivation.factories import write_enterprise
from cultivation.models import Assessment, EnterpriseYear, PoolMembership


class CultivationApiTests(PersonaTestCase):
    def test_enterprise_posts_a_year_then_corrects_it(self):
        self.login(self.enterprise)
        body = {"organisation": self.enterprise_org.uscc, "year": 2024, "staff": 100}
        created = self.client.post("/api/cultivation/years/", body, content_type="application/json")
        self.assertEqual(created.status_code, 201, created.content)
        body["staff"] = 120
        updated = self.client.post("/api/cultivation/years/", body, content_type="application/json")
        self.assertEqual(updated.status_code, 200)
        self.assertEqual(EnterpriseYear.objects.get().staff, 120)

    def test_inconsistent_figures_are_refused_field_by_field_in_chinese(self):
        self.login(self.enterprise)
        body = {"organisation": self.enterprise_org.uscc, "year": 2024, "staff": 10, "rd_staff": 20}
        response = self.client.post(
            "/api/cultivation/years/", body, content_type="application/json"
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("研发人员数不能多于职工总数", str(response.json()["errors"]["rd_staff"]))
        self.assertFalse(EnterpriseYear.objects.exists())

    def test_another_enterprise_can_neither_write_nor_list_these_figures(self):
        write_enterprise(self.enterprise_org, 2024)
        self.login(self.other_enterprise)
        body = {"organisation": self.enterprise_org.uscc, "year": 2024, "staff": 1}
        response = self.client.post(
            "/api/cultivation/years/", body, content_type="application/json"
        )
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.client.get("/api/cultivation/years/").json()["count"], 0)

    def test_assessment_through_the_api_is_kept_and_readable(self):
        write_enterprise(self.enterprise_org, 2024)
        self.login(self.enterprise)
        body = {"organisation": self.enterprise_org.uscc, "ruleset": "hte", "on": "2025-06-01"}
        response = self.client.post(
            "/api/cultivation/assessments/", body, content_type="application/json"
        )
        self.assertEqual(response.status_code, 201)
        data = response.json()
        self.assertIs(data["eligible"], False)
        self.assertIn("研发费用占销售收入比例", data["result"]["gaps"][0])
        listed = self.client.get("/api/cultivation/assessments/?ruleset=hte").json()
        self.assertEqual(listed["count"], 1)
        body["ruleset"] = "nonsense"
        missing = self.client.post(
            "/api/cultivation/assessments/", body, content_type="application/json"
        )
        self.assertEqual(missing.status_code, 404)
        self.assertIn("没有名为", missing.json()["message"])
        self.assertEqual(Assessment.objects.count(), 1)

    def test_pools_for_the_bureau_read_only_for_the_district_closed_to_enterprises(self):
        write_enterprise(self.enterprise_org, 2024)
        self.login(self.city_admin)
        body = {
            "organisation": self.enterprise_org.uscc,
            "tier": "sme_tech",
            "entered_on": "2025-06-01",
            "reason": "2025年第一批入库",
        }
        response = self.client.post(
            "/api/cultivation/pools/", body, content_type="application/json"
        )
        self.assertEqual(response.status_code, 201, response.content)
        stay = response.json()["id"]
        refused = self.client.post("/api/cultivation/pools/", body, content_type="application/json")
        self.assertEqual(refused.status_code, 409)
        self.assertIn("已在科技型中小企业库中", refused.json()["message"])

        self.login(self.district_admin)
        self.assertEqual(self.client.get("/api/cultivation/pools/").json()["count"], 1)
        out = {"exited_on": "2025-07-01", "reason": "错误"}
        forbidden = self.client.post(
            f"/api/cultivation/pools/{stay}/exit/", out, content_type="application/json"
        )
        self.assertEqual(forbidden.status_code, 403)

        self.login(self.enterprise)
        self.assertEqual(self.client.get("/api/cultivation/pools/").status_code, 403)

        self.login(self.city_admin)
        done = self.client.post(
            f"/api/cultivation/pools/{stay}/exit/", out, content_type="application/json"
        )
        self.assertEqual(done.status_code, 200)
        self.assertEqual(PoolMembership.objects.get().exited_on, datetime.date(2025, 7, 1))
