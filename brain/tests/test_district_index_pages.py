"""The district innovation index pages and API: who may open them, the ranking with its export,
the sensitivity table, the methodology generated from the computation, and the empty state."""

from __future__ import annotations

import csv
import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from brain.tests.test_district_index import YEAR, IndexCase

PAGES = ("brain_index", "brain_index_sensitivity", "brain_index_methodology")


class IndexPagesTests(IndexCase):
    """Values 1…15 in reference order; 宽城区 lacks 全社会研发经费投入 (imputed), 双阳区's
    财政科技支出占比 is 90 (winsorised)."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.linear(
            skip={"rd_expenditure": {"220103"}},
            override={("fiscal_st_share", "220112"): 90},
        )

    def get(self, name, user, **params):
        self.login(user)
        return self.client.get(reverse(name), {"year": YEAR, **params})

    def test_leader_bureau_and_district_admin_may_open_every_page(self):
        for user in (self.leader, self.city_admin, self.district_admin):
            for name in PAGES:
                response = self.get(name, user)
                self.assertEqual(response.status_code, 200, (user, name))

    def test_enterprise_is_refused_and_anonymous_sent_to_login(self):
        for name in PAGES:
            self.assertEqual(self.get(name, self.enterprise).status_code, 403)
        self.client.logout()
        response = self.client.get(reverse("brain_index"))
        self.assertEqual(response.status_code, 302)
        self.assertIn("login", response["Location"])

    def test_ranking_lists_units_with_scores_ranges_and_notes(self):
        response = self.get("brain_index", self.leader)
        self.assertContains(response, "长春市县（市）区科技创新指数")
        self.assertContains(response, "长春汽车经济技术开发区")
        self.assertContains(response, "100.00")
        self.assertContains(response, "补齐：全社会研发经费投入")
        self.assertContains(response, "异常值缩尾：财政科技支出占一般公共预算支出比重")
        self.assertContains(response, "国家高新技术企业数（平台本年度没有相关记录")
        self.assertContains(response, "idx-bar")

    def test_district_admin_sees_only_their_own_row(self):
        response = self.get("brain_index", self.district_admin)
        self.assertContains(response, "长春高新技术产业开发区")
        self.assertContains(response, "此处只显示长春高新技术产业开发区的结果")
        self.assertNotContains(response, "长春汽车经济技术开发区")
        self.assertNotContains(response, "补齐：")

    def test_ranking_exports_to_excel_and_csv(self):
        response = self.get("brain_index", self.city_admin, export="xlsx")
        self.assertEqual(response.status_code, 200)
        self.assertIn("spreadsheetml", response["Content-Type"])
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.values)
        self.assertEqual(rows[0][:4], ("排名", "区域", "行政区划代码", "综合得分"))
        self.assertEqual(rows[1][:3], (1, "长春汽车经济技术开发区", "220174"))
        self.assertEqual(len(rows), 16)
        response = self.get("brain_index", self.city_admin, export="csv")
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        table = list(csv.reader(io.StringIO(text)))
        self.assertEqual(table[0][-1], "说明")
        kuancheng = next(r for r in table if r[1] == "宽城区")
        self.assertIn("补齐值：全社会研发经费投入", kuancheng[-1])

    def test_sensitivity_table_has_every_scenario(self):
        response = self.get("brain_index_sensitivity", self.leader)
        self.assertContains(response, "基准方案")
        self.assertContains(response, "各指标等权重")
        self.assertContains(response, "全社会研发投入强度 权重 +20%")
        self.assertContains(response, "Z-score 标准化（算术平均）")
        self.assertContains(response, "几何平均汇总")
        self.assertContains(response, "不处理异常值")

    def test_methodology_shows_what_was_computed(self):
        response = self.get("brain_index_methodology", self.leader)
        # the imputation with its unit, the winsorised original, the weights used
        self.assertContains(response, "宽城区")
        self.assertContains(response, "90.00")
        self.assertContains(response, "（上界）")
        self.assertContains(response, "53.3%")  # 创新投入 0.4 / 0.75 with 成果转化 out
        self.assertContains(response, "(x − min) ÷ (max − min) × 100")
        self.assertContains(response, "均值 ± 3 倍标准差")

    def test_empty_year_says_which_indicators_lack_data(self):
        self.login(self.leader)
        response = self.client.get(reverse("brain_index"), {"year": YEAR - 1})
        self.assertContains(response, f"{YEAR - 1} 年度没有可用于计算指数的数值")
        self.assertContains(response, "全社会研发投入强度：本年度没有任何县（市）区的数值")
        self.assertNotContains(response, "导出 Excel")

    def test_year_outside_the_choices_falls_back_with_a_message(self):
        self.login(self.leader)
        response = self.client.get(reverse("brain_index"), {"year": "abc"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "error-text")
        self.assertContains(response, "长春汽车经济技术开发区")  # the default year, 2024

    def test_ranking_page_reads_a_bounded_number_of_queries(self):
        self.login(self.leader)
        with CaptureQueriesContext(connection) as queries:
            self.client.get(reverse("brain_index"), {"year": YEAR})
        self.assertLess(len(queries), 60)


class IndexApiTests(IndexCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.linear(skip={"rd_expenditure": {"220103"}})

    def test_index_of_a_year_with_ranks_ranges_and_record(self):
        self.login(self.leader)
        response = self.client.get("/api/brain/index/", {"year": YEAR})
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual(body["year"], YEAR)
        self.assertEqual(body["ranked"], 15)
        first = body["ranking"][0]
        self.assertEqual((first["unit"], first["rank"], first["score"]), ("220174", 1, "100.00"))
        self.assertEqual(len(first["ranks"]), len(body["scenarios"]))
        self.assertIn("rank_best", first)
        self.assertEqual(body["record"]["imputations"][0]["unit"], "220103")
        self.assertTrue(body["data_version"]["tag"].startswith("v"))
        skipped = {i["code"]: i["status"] for i in body["indicators"] if not i["used"]}
        self.assertEqual(skipped["hte_count"], "no_platform_data")

    def test_enterprise_gets_403_and_bad_year_400(self):
        self.login(self.enterprise)
        response = self.client.get("/api/brain/index/", {"year": YEAR})
        self.assertEqual(response.status_code, 403)
        self.assertEqual(response.json()["code"], "not_allowed")
        self.login(self.leader)
        response = self.client.get("/api/brain/index/", {"year": 1})
        self.assertEqual(response.status_code, 400)
        self.assertIn("year", response.json()["errors"])

    def test_district_admin_gets_their_own_unit(self):
        self.login(self.district_admin)
        body = self.client.get("/api/brain/index/", {"year": YEAR}).json()
        self.assertEqual([r["unit"] for r in body["ranking"]], ["220173"])
        self.assertEqual(body["scope"], ["220173"])
        self.assertEqual(body["record"]["imputations"], [])
        self.assertEqual(body["record"]["imputations_hidden"], 1)
