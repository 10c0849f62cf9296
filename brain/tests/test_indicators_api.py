"""The brain's indicator API: catalog with progress, values, entering, comparisons; per role."""

from decimal import Decimal as D

from brain.models import ComparisonValue, IndicatorValue
from brain.services import values
from brain.tests.test_values import BrainTestCase


class IndicatorApiTests(BrainTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        for year, v in ((2023, "2.31"), (2024, "2.38")):
            values.enter_value(cls.city_admin, cls.rd, cls.city, str(year), v)
        values.enter_value(cls.city_admin, cls.rd, cls.nanguan, "2024", "1.80")
        values.enter_value(cls.city_admin, cls.rd, cls.hightech_zone, "2024", "5.20")

    def test_the_catalog_with_progress(self):
        self.login(self.leader)
        data = self.client.get("/api/brain/indicators/").json()
        codes = [i["code"] for i in data["results"]]
        self.assertEqual(codes[0], "rd_intensity")
        detail = self.client.get("/api/brain/indicators/rd_intensity/").json()
        # 2024: expected 2.05 + 0.55 × 0.8 = 2.49; 0.33 / 0.55 = 60 % < 64 % → serious.
        self.assertEqual(detail["progress"]["year"], 2024)
        self.assertEqual(D(detail["progress"]["expected"]), D("2.49"))
        self.assertEqual(D(detail["progress"]["percent"]), D("60.00"))
        self.assertEqual(detail["progress"]["status"], "serious")
        self.assertEqual(detail["status_label"], "严重滞后")
        none = self.client.get("/api/brain/indicators/fiscal_st_expenditure/").json()
        self.assertIsNone(none["progress"])

    def test_values_filtered_and_limited_to_what_the_user_sees(self):
        self.login(self.leader)
        data = self.client.get("/api/brain/values/?indicator=rd_intensity&period=2024").json()
        self.assertEqual({r["region"] for r in data["results"]}, {"220100", "220102", "220173"})
        self.login(self.district_admin)
        data = self.client.get("/api/brain/values/?indicator=rd_intensity&period=2024").json()
        self.assertEqual({r["region"] for r in data["results"]}, {"220100", "220173"})
        data = self.client.get("/api/brain/values/?region=220102").json()
        self.assertEqual(data["count"], 0)

    def test_posting_a_value_makes_a_revision(self):
        self.login(self.city_admin)
        response = self.client.post(
            "/api/brain/values/",
            {
                "indicator": "rd_intensity",
                "region": "220100",
                "period": "2024",
                "value": "2.40",
                "note": "年报修正",
            },
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response.json()["revision"], 1)
        history = self.client.get(
            "/api/brain/values/?indicator=rd_intensity&region=220100&period=2024&history=1"
        ).json()
        self.assertEqual(
            [(r["value"], r["is_current"]) for r in history["results"]],
            [("2.4000", True), ("2.3800", False)],
        )

    def test_bad_posts_are_refused_with_the_reason(self):
        self.login(self.district_admin)
        post = lambda **d: self.client.post(  # noqa: E731
            "/api/brain/values/",
            {"indicator": "rd_intensity", "region": "220173", "period": "2025", "value": "5", **d},
            content_type="application/json",
        )
        response = post(region="220102")
        self.assertEqual(response.status_code, 403)
        self.assertEqual(response.json()["message"], "区县管理员只能填报本区县的数值。")
        response = post(period="2025Q1")
        self.assertEqual(response.status_code, 400)
        self.assertIn("年度指标的期别写作四位年份", response.json()["errors"]["period"][0])
        self.assertEqual(post(value="-1").status_code, 400)
        self.login(self.leader)
        self.assertEqual(post().status_code, 403)
        self.assertFalse(IndicatorValue.objects.filter(period="2025").exists())

    def test_comparisons_and_refusals(self):
        ComparisonValue.objects.create(
            key="RD强度", area="吉林", year=2022, value=D("1.43"), unit="%", source="x"
        )
        self.login(self.district_admin)
        data = self.client.get("/api/brain/comparisons/?key=RD强度").json()
        self.assertEqual(data["results"][0]["area"], "吉林")
        for user in (self.enterprise, self.public):
            self.login(user)
            for url in ("/api/brain/indicators/", "/api/brain/values/", "/api/brain/comparisons/"):
                with self.subTest(user=user.username, url=url):
                    response = self.client.get(url)
                    self.assertEqual(response.status_code, 403)
                    self.assertIn("科创大脑仅供", response.json()["message"])
