"""The pages of targets, the catalog, one indicator and value entry, per role."""

import io
from decimal import Decimal as D

from openpyxl import load_workbook

from brain.models import ComparisonValue, Indicator, IndicatorValue
from brain.services import values
from brain.tests.test_values import BrainTestCase
from core.models import AuditEntry
from core.testing import PersonaTestCase

RD_CITY = ["2.05", "2.15", "2.22", "2.31", "2.38", "2.42"]


class WithValues(BrainTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        for year, v in zip(range(2020, 2026), RD_CITY, strict=True):
            values.enter_value(cls.city_admin, cls.rd, cls.city, str(year), v, "统计公报")
        values.enter_value(cls.city_admin, cls.rd, cls.hightech_zone, "2025", "5.60")
        values.enter_value(cls.city_admin, cls.rd, cls.nanguan, "2025", "1.90")


class AccessTests(WithValues):
    PAGES = ["/brain/targets/", "/brain/indicators/", "/brain/indicators/rd_intensity/"]

    def test_readers_see_the_pages(self):
        for user in (self.leader, self.city_admin, self.district_admin):
            self.login(user)
            for url in self.PAGES:
                with self.subTest(user=user.username, url=url):
                    self.assertEqual(self.client.get(url).status_code, 200)

    def test_enterprises_and_the_public_are_refused(self):
        for user in (self.enterprise, self.public, self.expert):
            self.login(user)
            for url in [*self.PAGES, "/brain/values/new/", "/brain/values/import/"]:
                with self.subTest(user=user.username, url=url):
                    self.assertEqual(self.client.get(url).status_code, 403)
        self.client.logout()
        self.assertEqual(self.client.get("/brain/targets/").status_code, 302)

    def test_the_menu_shows_the_brain_to_readers_only(self):
        self.login(self.leader)
        self.assertContains(self.client.get("/"), ">科创大脑</a>")
        self.login(self.enterprise)
        self.assertNotContains(self.client.get("/"), ">科创大脑</a>")

    def test_the_brain_home_leads_to_a_brain_page(self):
        self.login(self.leader)
        response = self.client.get("/brain/")
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith("/brain/"))
        self.login(self.enterprise)
        self.assertEqual(self.client.get("/brain/").status_code, 403)


class TargetsPageTests(WithValues):
    def test_progress_and_the_warning_are_shown(self):
        self.login(self.leader)
        page = self.client.get("/brain/targets/")
        self.assertContains(page, "全社会研发投入强度")
        # 2025: (2.42 − 2.05) / (2.60 − 2.05) = 67.3 % of the way at 100 % of the time.
        self.assertContains(page, "完成 67.3%，时间进度 100%")
        self.assertContains(page, '<span class="badge target-serious"', count=2)  # rd + hte
        self.assertContains(page, "严重滞后")
        self.assertContains(page, "无规划目标，监测趋势")

    def test_sorting_by_warning_puts_the_urgent_first(self):
        values.enter_value(
            self.city_admin,
            Indicator.objects.get(code="industrial_rd_share"),
            self.city,
            "2025",
            "70.4",
        )
        self.login(self.leader)
        page = self.client.get("/brain/targets/?sort=warning&view=table").content.decode()
        self.assertLess(
            page.index("全社会研发投入强度"), page.index("规上工业企业研发投入占全社会")
        )
        self.assertIn("已达标", page)
        catalog_order = self.client.get("/brain/targets/?view=table").content.decode()
        self.assertLess(
            catalog_order.index("全社会研发投入强度"), catalog_order.index("国家高新技术企业数")
        )

    def test_export_has_the_progress_figures(self):
        self.login(self.city_admin)
        response = self.client.get("/brain/targets/?export=xlsx")
        ws = load_workbook(
            io.BytesIO(
                b"".join(response.streaming_content) if response.streaming else response.content
            )
        ).active
        rows = list(ws.iter_rows(values_only=True))
        self.assertEqual(rows[0][:3], ("指标代码", "指标名称", "计量单位"))
        rd = next(r for r in rows if r[0] == "rd_intensity")
        self.assertEqual(rd[6:10], (2025, 2.42, 2025, 2.6))
        self.assertEqual(rd[12], 67.3)
        self.assertEqual(rd[-1], "严重滞后")

    def test_an_empty_catalog_is_explained(self):
        Indicator.objects.all().delete()
        self.login(self.city_admin)
        page = self.client.get("/brain/targets/")
        self.assertContains(page, "指标目录还是空的")
        self.assertContains(page, "从指标目录文件加载")
        self.login(self.leader)
        page = self.client.get("/brain/indicators/")
        self.assertContains(page, "请市科技局加载指标目录")


class EmptyCatalogLoadTests(PersonaTestCase):
    def test_the_bureau_loads_the_catalog_from_the_page(self):
        self.login(self.city_admin)
        response = self.client.post("/brain/indicators/load/", follow=True)
        self.assertContains(response, "指标目录已加载：新增")
        self.assertTrue(Indicator.objects.filter(code="rd_intensity").exists())
        self.login(self.leader)
        self.assertEqual(self.client.post("/brain/indicators/load/").status_code, 403)


class IndicatorPageTests(WithValues):
    def test_values_by_region_and_period_and_the_revision_history(self):
        values.enter_value(self.city_admin, self.rd, self.city, "2025", "2.44", "统计局修正数")
        self.login(self.leader)
        page = self.client.get("/brain/indicators/rd_intensity/")
        self.assertContains(page, "全社会研究与试验发展（R&amp;D）经费支出占地区生产总值的比重")
        self.assertContains(page, "市统计局、市科技局（统计公报）")
        self.assertContains(page, "长春高新技术产业开发区")
        self.assertContains(page, "5.60")
        self.assertContains(page, "修1")
        cell = self.client.get("/brain/indicators/rd_intensity/?region=220100&period=2025")
        self.assertContains(cell, "长春市 2025 的修订记录")
        self.assertContains(cell, "<s>2.42</s>", html=True)
        self.assertContains(cell, "统计局修正数")
        self.assertContains(cell, "第 1 次修订")
        self.assertNotContains(cell, "<td>2024</td>", html=True)
        # Leaders read; there is no entry form for them.
        self.assertNotContains(page, "填报或修订数值")

    def test_a_district_admin_sees_the_city_and_their_own_district_only(self):
        self.login(self.district_admin)
        page = self.client.get("/brain/indicators/rd_intensity/")
        self.assertContains(page, "长春高新技术产业开发区")
        self.assertNotContains(page, "南关区")
        self.assertNotContains(page, "1.90")
        self.assertContains(page, "填报或修订数值")
        self.assertContains(page, '<option value="220173"')
        self.assertNotContains(page, '<option value="220100"')

    def test_the_comparison_table_shows_jilin_and_the_nation(self):
        for area, value in (("吉林", "1.43"), ("全国", "2.41")):
            ComparisonValue.objects.create(
                key="RD强度", area=area, year=2022, value=D(value), unit="%", source="测试来源"
            )
        self.login(self.leader)
        page = self.client.get("/brain/indicators/rd_intensity/")
        self.assertContains(page, "与吉林省、全国对比")
        self.assertContains(
            page,
            '<tr><th scope="row">2022</th><td class="num">2.22</td><td class="num">1.43</td>'
            '<td class="num">2.41</td></tr>',
            html=True,
        )
        self.assertContains(page, "测试来源")
        other = self.client.get("/brain/indicators/fiscal_st_share/")
        self.assertContains(other, "该指标没有省、全国对比口径")

    def test_the_values_export(self):
        self.login(self.city_admin)
        response = self.client.get("/brain/indicators/rd_intensity/?export=csv")
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        self.assertIn("指标代码,指标名称,区域代码,区域,期别,数值", text)
        self.assertIn(
            "rd_intensity,全社会研发投入强度,220173,长春高新技术产业开发区,2025,5.6", text
        )

    def test_an_unknown_indicator_is_404(self):
        self.login(self.leader)
        self.assertEqual(self.client.get("/brain/indicators/nothing/").status_code, 404)

    def test_a_computed_indicator_shows_live_figures_and_the_bureau_snapshots_them(self):
        self.login(self.leader)
        page = self.client.get("/brain/indicators/hte_count/")
        self.assertContains(page, "实时（")
        self.assertNotContains(page, "平台数据快照")
        self.login(self.city_admin)
        page = self.client.get("/brain/indicators/hte_count/")
        self.assertContains(page, "平台数据快照")
        response = self.client.post("/brain/indicators/hte_count/snapshot/", follow=True)
        self.assertContains(response, "已保存平台数据快照：16 个区域的数值更新")
        self.assertEqual(
            IndicatorValue.objects.filter(indicator=self.hte, note="平台数据快照").count(), 16
        )
        self.login(self.district_admin)
        self.assertEqual(self.client.post("/brain/indicators/hte_count/snapshot/").status_code, 403)


class EntryPageTests(WithValues):
    def post(self, follow=False, **data):
        base = {"indicator": "rd_intensity", "region": "220173", "period": "2024", "value": "5.1"}
        return self.client.post("/brain/values/new/", {**base, **data}, follow=follow)

    def test_a_district_admin_enters_their_own_district(self):
        self.login(self.district_admin)
        response = self.post(note="区统计局")
        self.assertRedirects(
            response,
            "/brain/indicators/rd_intensity/?region=220173&period=2024#history",
            fetch_redirect_response=False,
        )
        row = IndicatorValue.objects.get(region=self.hightech_zone, period="2024")
        self.assertEqual((row.value, row.entered_by), (D("5.1"), self.district_admin))
        self.assertTrue(
            AuditEntry.objects.filter(object_id=str(row.pk), actor=self.district_admin).exists()
        )

    def test_another_region_is_not_offered_to_a_district_admin(self):
        self.login(self.district_admin)
        response = self.post(region="220102")
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "选择一个有效的选项", status_code=400)
        self.assertFalse(IndicatorValue.objects.filter(region=self.nanguan, period="2024").exists())

    def test_bad_input_is_named_on_the_form(self):
        self.login(self.city_admin)
        response = self.post(period="2024-07", value="1,2x")
        self.assertContains(response, "年度指标的期别写作四位年份，如 2025", status_code=400)
        self.assertContains(response, "不是数字", status_code=400)
        response = self.post(region="220100", period="2025", value="2.50")
        self.assertContains(response, "修订已有数值时请在“说明”中写明原因", status_code=400)
        response = self.post(region="220100", period="2025", value="2.42", note="再报")
        self.assertContains(response, "现行值已是 2.42，无需修订", status_code=400)
        self.assertEqual(IndicatorValue.objects.filter(region=self.city, period="2025").count(), 1)

    def test_a_correction_on_the_page_is_a_new_revision(self):
        self.login(self.city_admin)
        response = self.post(
            region="220100", period="2025", value="2.45", note="快报改年报", follow=True
        )
        self.assertContains(
            response, "已修订 长春市 2025 的数值为 2.45（第 1 次修订），原值已保留。"
        )
        self.assertEqual(
            list(
                IndicatorValue.objects.filter(region=self.city, period="2025").values_list(
                    "revision", "is_current"
                )
            ),
            [(1, True), (0, False)],
        )

    def test_leaders_may_not_enter(self):
        self.login(self.leader)
        self.assertEqual(self.client.get("/brain/values/new/").status_code, 403)
        self.assertEqual(self.post().status_code, 403)
