"""The catalog API: public reading of published catalogs, compiling by the bureau only, errors in
the documented {code, message, errors} shape."""

import yaml

from transfer.models import Catalog
from transfer.services import catalogs
from transfer.tests.test_catalogs import ROUND, CatalogTestCase


class CatalogApiTests(CatalogTestCase):
    def post(self, path, body=None):
        return self.client.post(path, body or {}, content_type="application/json")

    def test_anyone_lists_and_reads_published_catalogs(self):
        catalog = self.published()
        self.catalog(title="编制中的目录")
        listed = self.client.get("/api/transfer/catalogs/").json()
        self.assertEqual([c["title"] for c in listed["results"]], [catalog.title])
        self.assertEqual(listed["results"][0]["entry_count"], 2)
        self.assertTrue(
            listed["results"][0]["pdf_url"].endswith(f"/transfer/catalogs/{catalog.pk}/pdf/")
        )
        detail = self.client.get(f"/api/transfer/catalogs/{catalog.pk}/").json()
        self.assertEqual(
            [(e["number"], e["title"], e["field"]) for e in detail["entries"]],
            [
                (1, "高功率半导体激光器封装技术", "电子信息"),
                (2, "高强度镁合金板材轧制工艺", "新材料"),
            ],
        )
        self.assertEqual(detail["entries"][0]["modes"], ["转让", "许可"])
        draft = Catalog.objects.get(title="编制中的目录")
        missing = self.client.get(f"/api/transfer/catalogs/{draft.pk}/")
        self.assertEqual(missing.status_code, 404)
        self.assertEqual(missing.json()["code"], "not_found")

    def test_bureau_creates_fills_orders_and_publishes(self):
        self.login(self.city_admin)
        created = self.post(
            "/api/transfer/catalogs/", {"title": f"{ROUND}优秀科技成果目录", "period": ROUND}
        )
        self.assertEqual(created.status_code, 201, created.content)
        pk = created.json()["id"]
        candidates = self.client.get(f"/api/transfer/catalogs/{pk}/candidates/").json()
        self.assertEqual(candidates["count"], 2)
        for screening in (self.laser_screening, self.alloy_screening):
            added = self.post(f"/api/transfer/catalogs/{pk}/entries/", {"screening": screening.pk})
            self.assertEqual(added.status_code, 201, added.content)
        ids = [e["id"] for e in added.json()["entries"]]
        reordered = self.post(f"/api/transfer/catalogs/{pk}/reorder/", {"entries": ids[::-1]})
        self.assertEqual(reordered.status_code, 200)
        bad = self.post(f"/api/transfer/catalogs/{pk}/reorder/", {"entries": ids[:1]})
        self.assertEqual(bad.status_code, 400)
        self.assertIn("每一条", bad.json()["message"])
        published = self.post(f"/api/transfer/catalogs/{pk}/publish/")
        self.assertEqual(published.status_code, 200, published.content)
        self.assertEqual(published.json()["status"], "published")
        again = self.post(
            f"/api/transfer/catalogs/{pk}/entries/", {"screening": self.laser_screening.pk}
        )
        self.assertEqual(again.status_code, 409)
        self.assertEqual(again.json()["code"], "invalid_transition")
        self.assertEqual(again.json()["message"], "目录已发布，不能再修改。")

    def test_empty_catalog_is_refused_and_stays_a_draft(self):
        self.login(self.city_admin)
        catalog = self.catalog()
        response = self.post(f"/api/transfer/catalogs/{catalog.pk}/publish/")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            response.json(),
            {"code": "error", "message": "目录中还没有成果，不能发布。", "errors": {}},
        )
        catalog.refresh_from_db()
        self.assertEqual(catalog.status, "draft")

    def test_enterprise_and_anonymous_cannot_compile(self):
        catalog = self.catalog()
        body = {"title": "企业自编目录", "period": ROUND}
        self.assertEqual(self.post("/api/transfer/catalogs/", body).status_code, 403)
        self.login(self.enterprise)
        refused = self.post("/api/transfer/catalogs/", body)
        self.assertEqual(refused.status_code, 403)
        self.assertEqual(refused.json()["message"], "只有市科技局可以编制成果目录。")
        add = self.post(
            f"/api/transfer/catalogs/{catalog.pk}/entries/", {"screening": self.laser_screening.pk}
        )
        self.assertEqual(add.status_code, 403)
        self.assertEqual(Catalog.objects.count(), 1)
        self.assertFalse(catalog.entries.exists())
        catalogs.add_entry(self.city_admin, catalog, self.laser_screening)  # still draft and open

    def test_schema_describes_the_catalog_and_valuation_endpoints(self):
        schema = yaml.safe_load(self.client.get("/api/schema/").content)
        for path in (
            "/api/transfer/catalogs/",
            "/api/transfer/catalogs/{id}/publish/",
            "/api/transfer/valuations/",
            "/api/transfer/valuations/preview/",
        ):
            self.assertIn(path, schema["paths"])
