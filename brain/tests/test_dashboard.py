"""The 科创大脑 dashboard: the chart data on a small hand example, who may open the page, the
numbers embedded in it, the API, and the chart assets put in place by `make setup`."""

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from brain.models import ComparisonValue, Indicator, IndicatorValue
from brain.services import charts
from core.choices import RegionKind
from core.models import Region
from core.testing import PersonaTestCase
from resources.factories import AchievementFactory

D = Decimal


def make_indicator(**fields) -> Indicator:
    base = {
        "code": "rd_test",
        "name": "研发投入强度（测试）",
        "unit": "%",
        "direction": "higher",
        "definition": "测试用",
        "source": "市统计局",
        "frequency": "year",
        "method": "entered",
        "baseline_year": 2020,
        "baseline_value": D("2.00"),
        "target_year": 2025,
        "target_value": D("3.00"),
        "target_note": "规划：3%",
        "comparison_key": "RD强度",
        "decimals": 2,
    }
    base.update(fields)
    return Indicator.objects.create(**base)


def put(indicator, code, period, value, user):
    IndicatorValue.objects.create(
        indicator=indicator,
        region=Region.objects.get(code=code),
        period=period,
        value=D(value),
        entered_by=user,
    )


class HandExample(PersonaTestCase):
    """南关区 2.50, 朝阳区 1.25, 高新区 5.10 and the city 2.40 in 2024; the city 2.30 in 2023;
    吉林省 1.30/1.40 and 全国 2.68 to compare."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.indicator = make_indicator()
        for code, period, value in (
            ("220102", "2024", "2.50"),
            ("220104", "2024", "1.25"),
            ("220173", "2024", "5.10"),
            ("220100", "2024", "2.40"),
            ("220100", "2023", "2.30"),
            ("220104", "2023", "1.00"),
        ):
            put(cls.indicator, code, period, value, cls.city_admin)
        # A corrected value: only the current one counts.
        IndicatorValue.objects.filter(region__code="220104", period="2024").update(
            is_current=False, revision=0
        )
        IndicatorValue.objects.create(
            indicator=cls.indicator,
            region=Region.objects.get(code="220104"),
            period="2024",
            value=D("1.25"),
            revision=1,
            entered_by=cls.city_admin,
        )
        IndicatorValue.objects.filter(region__code="220104", period="2024", revision=0).update(
            value=D("9.99")
        )
        for area, year, value in (("全国", 2024, "2.68"), ("吉林省", 2023, "1.30")):
            ComparisonValue.objects.create(
                key="RD强度", area=area, year=year, value=D(value), unit="%", source="统计公报"
            )
        ComparisonValue.objects.create(
            key="RD强度", area="吉林省", year=2024, value=D("1.40"), unit="%", source="吉林公报"
        )


class ChartDataTests(HandExample):
    def test_the_map_lists_every_unit_drawn_or_not(self):
        m = charts.map_chart(self.indicator, "2024")
        self.assertEqual(len(m["rows"]), 15)
        self.assertEqual(len(m["drawn"]), 11)
        self.assertEqual(
            [r["name"] for r in m["zones"]],
            [
                "长春经济技术开发区",
                "长春净月高新技术产业开发区",
                "长春高新技术产业开发区",
                "长春汽车经济技术开发区",
            ],
        )
        self.assertIn("公主岭市", [r["name"] for r in m["drawn"]])
        rows = {r["name"]: r for r in m["rows"]}
        self.assertEqual(rows["南关区"]["value"], 2.5)
        self.assertEqual(rows["朝阳区"]["value"], 1.25)  # the corrected value, not 9.99
        self.assertEqual(rows["长春高新技术产业开发区"]["text"], "5.10")
        self.assertEqual(rows["公主岭市"]["state"], "missing")
        self.assertEqual(len(m["missing"]), 12)
        self.assertEqual((m["min"], m["max"]), (1.25, 5.1))
        self.assertEqual(m["city"]["text"], "2.40")
        self.assertEqual(m["map"], "长春")
        self.assertIn("市统计局", m["source"])
        self.assertIn("2024", m["source"])

    def test_a_district_admin_sees_their_own_unit_only(self):
        visible = charts.visible_codes(self.district_admin)
        self.assertEqual(visible, {"220173"})
        m = charts.map_chart(self.indicator, "2024", visible)
        rows = {r["name"]: r for r in m["rows"]}
        self.assertEqual(rows["南关区"]["state"], "hidden")
        self.assertIsNone(rows["南关区"]["value"])
        self.assertEqual(rows["长春高新技术产业开发区"]["value"], 5.1)
        self.assertEqual(len(m["hidden"]), 14)
        self.assertEqual(m["city"]["text"], "2.40")  # the city's total stays
        self.assertIsNone(charts.visible_codes(self.leader))
        self.assertIsNone(charts.visible_codes(self.city_admin))

    def test_the_ranking_follows_the_direction(self):
        r = charts.ranking_chart(self.indicator, "2024")
        self.assertEqual(
            [(x["rank"], x["name"]) for x in r["rows"]],
            [(1, "长春高新技术产业开发区"), (2, "南关区"), (3, "朝阳区")],
        )
        self.indicator.direction = "lower"
        r = charts.ranking_chart(self.indicator, "2024")
        self.assertEqual([x["name"] for x in r["rows"]][0], "朝阳区")

    def test_the_trend_has_the_city_the_plan_and_the_comparisons(self):
        t = charts.trend_chart(self.indicator)
        self.assertEqual(t["categories"], ["2020", "2021", "2022", "2023", "2024", "2025"])
        series = {s["key"]: s for s in t["series"]}
        self.assertEqual(series["city"]["name"], "长春市")
        self.assertEqual(series["city"]["values"], [None, None, None, 2.3, 2.4, None])
        # The straight line from 2.00 (2020) to 3.00 (2025).
        self.assertEqual(series["target"]["values"], [2.0, 2.2, 2.4, 2.6, 2.8, 3.0])
        self.assertEqual(
            [s["key"] for s in t["series"]], ["city", "target", "area:吉林省", "area:全国"]
        )
        self.assertEqual(series["area:吉林省"]["values"], [None, None, None, 1.3, 1.4, None])
        self.assertEqual(series["area:全国"]["texts"][4], "2.68")
        self.assertEqual({s["axis"] for s in t["series"]}, {0})  # same unit, same scale
        self.assertEqual(t["axes"], [{"name": "%", "log": False}])
        self.assertEqual(
            t["rows"][4], {"period": "2024", "texts": ["2.40", "2.80", "1.40", "2.68"]}
        )
        self.assertIn("吉林公报", t["source"])
        self.assertIn("规划：3%", t["source"])

    def test_a_comparison_of_another_scale_gets_its_own_axis(self):
        firms = make_indicator(
            code="firms",
            name="高新技术企业数（测试）",
            unit="家",
            decimals=0,
            baseline_value=D("2000"),
            target_value=D("3000"),
            comparison_key="高企数",
        )
        put(firms, "220100", "2024", "2600", self.city_admin)
        for area, value in (("吉林省", "4000"), ("全国", "400000")):
            ComparisonValue.objects.create(
                key="高企数", area=area, year=2024, value=D(value), unit="家", source="科技部"
            )
        t = charts.trend_chart(firms)
        axes = {s["key"]: s["axis"] for s in t["series"]}
        self.assertEqual(axes, {"city": 0, "target": 0, "area:吉林省": 0, "area:全国": 1})
        self.assertEqual(t["axes"][1], {"name": "家（对比）", "log": False})

    def test_no_target_path_without_a_baseline(self):
        only_target = make_indicator(code="t2", baseline_year=None, baseline_value=None)
        self.assertEqual(charts.target_path(only_target), {"2025": D("3.00")})
        no_target = make_indicator(code="t3", target_year=None, target_value=None)
        self.assertEqual(charts.target_path(no_target), {})

    def test_the_funnel_by_district(self):
        AchievementFactory(owner=self.other_enterprise_org)  # 南关区, published
        AchievementFactory(owner=self.enterprise_org)  # 高新区
        f = charts.funnel_chart()
        self.assertEqual(f["stages"][0]["name"], "发布成果")
        self.assertEqual(f["stages"][0]["value"], 2)
        self.assertEqual(sorted(r["name"] for r in f["rows"]), ["南关区", "长春高新技术产业开发区"])
        own = charts.funnel_chart(self.hightech_zone)
        self.assertEqual([r["name"] for r in own["rows"]], ["长春高新技术产业开发区"])
        self.assertEqual(own["stages"][0]["value"], 1)


def embedded(response) -> dict:
    found = re.search(
        r'<script id="brain-charts" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert found, "the page embeds its chart data"
    return json.loads(found.group(1))


class DashboardPageTests(HandExample):
    def test_allowed_roles_see_the_page_and_others_are_refused(self):
        url = reverse("brain_dashboard")
        for user in (self.leader, self.city_admin, self.district_admin):
            self.login(user)
            page = self.client.get(url, {"indicator": "rd_test", "period": "2024"})
            self.assertEqual(page.status_code, 200, user)
            self.assertContains(page, "研发投入强度（测试） 分区域分布")
            self.assertContains(page, "表格视图")
            self.assertContains(page, "不在地图上绘制")
        for user in (self.enterprise, self.institute, self.expert, self.broker):
            self.login(user)
            self.assertEqual(self.client.get(url).status_code, 403)
        self.client.logout()
        self.assertEqual(self.client.get(url).status_code, 302)

    def test_the_page_embeds_the_numbers_and_tables_them(self):
        self.login(self.leader)
        page = self.client.get(
            reverse("brain_dashboard"), {"indicator": "rd_test", "period": "2024"}
        )
        data = embedded(page)
        rows = {r["name"]: r for r in data["map"]["rows"]}
        self.assertEqual(rows["南关区"]["value"], 2.5)
        self.assertEqual(rows["长春高新技术产业开发区"]["value"], 5.1)
        self.assertEqual(data["ranking"]["rows"][0]["name"], "长春高新技术产业开发区")
        self.assertEqual(data["trend"]["series"][1]["values"][-1], 3.0)
        self.assertIn("funnel", data)
        self.assertEqual(data["labels"]["noData"], "暂无数据")
        self.assertEqual(page.content.decode().count('<details class="chart-table">'), 4)
        self.assertContains(page, '<td class="num">5.10</td>', html=False)
        self.assertContains(page, "vendor/charts/echarts.min.js")
        self.assertContains(page, "vendor/charts/changchun.json")

    def test_defaults_to_the_newest_period_and_ignores_an_unknown_one(self):
        self.login(self.city_admin)
        page = self.client.get(reverse("brain_dashboard"), {"indicator": "rd_test", "period": "x"})
        self.assertEqual(page.context["period"], "2024")
        self.assertEqual(page.context["periods"], ["2024", "2023"])
        page = self.client.get(reverse("brain_dashboard"))
        self.assertEqual(page.context["indicator"], self.indicator)

    def test_a_district_admin_gets_their_unit_only(self):
        self.login(self.district_admin)
        page = self.client.get(
            reverse("brain_dashboard"), {"indicator": "rd_test", "period": "2024"}
        )
        data = embedded(page)
        values = {r["name"]: r["value"] for r in data["map"]["rows"]}
        self.assertIsNone(values["南关区"])
        self.assertEqual(values["长春高新技术产业开发区"], 5.1)
        self.assertNotIn("2.50", page.content.decode())
        self.assertContains(page, "不在查看范围")
        self.assertEqual(data["funnel"]["title"], "长春高新技术产业开发区成果转化漏斗")


class DashboardApiTests(HandExample):
    def test_the_api_gives_the_same_numbers(self):
        self.login(self.leader)
        data = self.client.get(
            reverse("brain_charts_api"), {"indicator": "rd_test", "period": "2024"}
        ).json()
        self.assertEqual(data["period"], "2024")
        self.assertEqual(data["ranking"]["rows"][0]["value"], 5.1)
        self.assertIn({"code": "rd_test", "name": "研发投入强度（测试）"}, data["indicators"])
        self.login(self.enterprise)
        refused = self.client.get(reverse("brain_charts_api"))
        self.assertEqual(refused.status_code, 403)
        self.assertEqual(set(refused.json()), {"code", "message", "errors"})


CHARTS_DIR = Path(settings.BASE_DIR) / "node_modules" / ".kechuang-charts"
needs_assets = pytest.mark.skipif(
    not CHARTS_DIR.is_dir(),
    reason="chart assets are put in node_modules/.kechuang-charts by `make setup` "
    "(scripts/chart-assets.py); not installed here",
)


@needs_assets
@pytest.mark.django_db
def test_the_chart_assets_are_served_and_match_the_regions():
    assert finders.find("vendor/charts/echarts.min.js")
    assert finders.find("vendor/charts/echarts.LICENSE")
    assert finders.find("vendor/charts/changchun.LICENSE")
    shapes = json.loads(Path(finders.find("vendor/charts/changchun.json")).read_text("utf-8"))
    drawn = {f["properties"]["name"]: f["properties"]["code"] for f in shapes["features"]}
    expected = dict(Region.objects.filter(kind__in=charts.DRAWN_KINDS).values_list("name", "code"))
    assert drawn == expected
    assert "公主岭市" in drawn and len(drawn) == 11
    assert not Region.objects.filter(kind=RegionKind.DEV_ZONE, name__in=drawn).exists()
