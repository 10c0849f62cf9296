"""The API's one error shape where the fuzz test found it missing, and the schema that documents
it: every answer under /api/ is {code, message, errors} with a Chinese message."""

from __future__ import annotations

import json

from django.test import SimpleTestCase

from core.testing import PersonaTestCase
from kechuang.tests import fuzzing


class ErrorShapeTests(PersonaTestCase):
    def assertErrorShape(self, response, status: int, code: str) -> dict:
        self.assertEqual(response.status_code, status, response.content)
        self.assertEqual(response["Content-Type"], "application/json")
        body = response.json()
        self.assertEqual(set(body), {"code", "message", "errors"})
        self.assertEqual(body["code"], code)
        self.assertRegex(body["message"], r"[\u4e00-\u9fff]")
        return body

    def test_an_api_address_no_route_matches_is_a_404_in_the_error_shape(self):
        # An id that is not a number, a code with a NUL (PostgreSQL cannot compare it), no route.
        for address in ("/api/calls/1e-07/", "/api/regions/%00/", "/api/no-such-thing/"):
            with self.subTest(address):
                self.assertErrorShape(self.client.get(address), 404, "not_found")

    def test_a_page_address_no_route_matches_keeps_the_html_page(self):
        response = self.client.get("/no-such-page/")
        self.assertEqual(response.status_code, 404)
        self.assertIn("text/html", response["Content-Type"])

    def test_an_unexpected_error_is_a_chinese_page_or_the_error_shape(self):
        from django.test import RequestFactory

        from kechuang.api import server_error

        for path in ("/resources/achievements/", "/api/resources/achievements/"):
            try:
                raise RuntimeError("a fault in the code")
            except RuntimeError:
                response = server_error(RequestFactory().get(path))
            self.assertEqual(response.status_code, 500)
            self.assertNotIn("Retry-After", response)
            if path.startswith("/api/"):
                body = json.loads(response.content)
                self.assertEqual(body["code"], "server_error")
                self.assertEqual(body["message"], "服务器内部错误，请稍后重试。")
            else:
                self.assertIn("服务器内部错误，请稍后重试。", response.content.decode())

    def test_a_body_that_is_not_json_is_refused_in_chinese(self):
        self.login(self.city_admin)
        response = self.client.post("/api/organisations/", "\x00", content_type="application/json")
        body = self.assertErrorShape(response, 400, "parse_error")
        self.assertTrue(body["message"].startswith("请求内容无法解析："))

    def test_a_json_null_body_is_refused_in_chinese(self):
        self.login(self.city_admin)
        response = self.client.post("/api/organisations/", "null", content_type="application/json")
        body = self.assertErrorShape(response, 400, "invalid")
        self.assertEqual(body["message"], "未提供请求数据。")

    def test_an_organisation_code_with_a_nul_character_is_refused_not_looked_up(self):
        self.login(self.city_admin)
        org = self.enterprise_org
        response = self.client.patch(
            f"/api/organisations/{org.pk}/",
            {"region": "2201\x0073"},
            content_type="application/json",
        )
        body = self.assertErrorShape(response, 400, "invalid")
        self.assertEqual(body["errors"]["region"], ["不能包含空字符（\\x00）。"])

    def test_a_search_word_with_a_nul_character_is_refused_not_searched(self):
        """PostgreSQL cannot compare such text; without the check these were server errors."""
        from transfer.services import catalogs

        catalog = catalogs.create_catalog(
            self.city_admin, {"title": "测试目录", "period": "2026年", "introduction": ""}
        )
        self.login(self.city_admin)
        for address in (
            "/api/sharing/providers/?q=%00",
            f"/api/transfer/catalogs/{catalog.pk}/candidates/?q=%00",
        ):
            with self.subTest(address):
                body = self.assertErrorShape(self.client.get(address), 400, "invalid")
                self.assertIn("q", body["errors"])


class SchemaDocumentsErrorsTests(SimpleTestCase):
    """A generated client learns the error shape and the integer ids from the schema."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.document = fuzzing.schema_document()

    def test_every_operation_documents_its_errors_in_the_error_shape(self):
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        self.assertEqual(
            self.document["components"]["schemas"]["Error"]["required"],
            ["code", "message", "errors"],
        )
        for method, path in fuzzing.operations(self.document):
            operation = self.document["paths"][path][method.lower()]
            expected = {"400", "401", "403", "404"}
            if method != "GET":
                expected.add("409")
            if "requestBody" in operation:
                expected.add("415")
            for status in expected:
                with self.subTest(method=method, path=path, status=status):
                    self.assertEqual(operation["responses"][status]["content"], error)

    def test_object_ids_in_addresses_are_documented_as_integers(self):
        parameters = self.document["paths"]["/api/calls/{id}/"]["get"]["parameters"]
        self.assertEqual(parameters[0]["schema"], {"type": "integer"})
