import yaml

from core.testing import PersonaTestCase


class ApiTests(PersonaTestCase):
    def test_schema_describes_the_organisation_endpoints(self):
        response = self.client.get("/api/schema/")
        schema = yaml.safe_load(response.content)
        self.assertEqual(schema["info"]["title"], "科创智服云平台 API")
        self.assertIn("/api/organisations/", schema["paths"])
        self.assertIn("/api/auth/token/", schema["paths"])

    def test_docs_page_is_served_without_any_cdn(self):
        response = self.client.get("/api/docs/")
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("cdn.", response.content.decode())

    def test_anonymous_list_with_filters(self):
        response = self.client.get("/api/organisations/", {"region": "220173"})
        names = [o["name"] for o in response.json()["results"]]
        self.assertIn("长春华锐光电科技有限公司", names)
        self.assertNotIn("吉林大学", names)

    def test_bad_filter_value_gets_the_error_shape(self):
        response = self.client.get("/api/organisations/", {"region": "999999"})
        self.assertEqual(response.status_code, 400)
        body = response.json()
        self.assertEqual(body["code"], "invalid")
        self.assertIn("region", body["errors"])

    def test_unknown_object_gets_the_error_shape(self):
        response = self.client.get("/api/organisations/999999/")
        self.assertEqual(response.status_code, 404)
        self.assertEqual(response.json()["code"], "not_found")

    def test_city_admin_updates_through_the_api_and_it_is_audited(self):
        self.login(self.city_admin)
        response = self.client.patch(
            f"/api/organisations/{self.university.pk}/",
            {"chain_nodes": ["GD-01"]},
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["chain_nodes"], ["GD-01"])
        from core.models import AuditEntry

        entry = AuditEntry.objects.get(action="update", object_id=str(self.university.pk))
        self.assertEqual(entry.changes["chain_nodes"], [[], ["光电信息·屏"]])
