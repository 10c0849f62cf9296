"""The open-sharing statistics page per role, the per-instrument breakdown and the export."""

import io

from openpyxl import load_workbook

from .test_statistics import YEAR, StatisticsTestCase

URL = "/sharing/statistics/"


class StatisticsPageTests(StatisticsTestCase):
    def test_the_bureau_sees_every_host_with_a_totals_row(self):
        self.login(self.city_admin)
        page = self.client.get(URL, {"year": YEAR})
        self.assertContains(page, f"{YEAR}年仪器开放共享统计")
        self.assertContains(page, "吉林大学")
        self.assertContains(page, "长春华锐光电科技有限公司")
        self.assertContains(page, "68.8%")  # 5.5 of 8 hours
        self.assertContains(page, "25.0%")
        self.assertContains(page, "合计（2 家）")
        self.assertContains(page, "54.2%")  # 6.5 of 12 hours
        self.assertContains(page, "1,850.00")
        self.assertContains(page, "4.33")

    def test_a_leader_sees_every_host_too(self):
        self.login(self.leader)
        page = self.client.get(URL, {"year": YEAR})
        self.assertContains(page, "吉林大学")
        self.assertContains(page, "长春华锐光电科技有限公司")

    def test_a_district_admin_sees_the_hosts_of_the_district_only(self):
        self.login(self.district_admin)
        page = self.client.get(URL, {"year": YEAR})
        self.assertContains(page, "长春华锐光电科技有限公司")
        self.assertNotContains(page, "吉林大学")
        self.assertContains(page, "合计（1 家）")
        outside = self.client.get(URL, {"year": YEAR, "host": self.university.pk})
        self.assertEqual(outside.status_code, 403)
        own = self.client.get(URL, {"year": YEAR, "host": self.enterprise_org.pk})
        self.assertContains(own, "傅里叶红外光谱仪")

    def test_a_host_sees_its_own_instruments_only(self):
        self.login(self.institute)
        page = self.client.get(URL, {"year": YEAR})
        self.assertContains(page, "吉林大学各仪器")
        self.assertContains(page, "场发射扫描电子显微镜")
        self.assertContains(page, "68.8%")
        self.assertNotContains(page, "长春华锐光电科技有限公司")
        other = self.client.get(URL, {"year": YEAR, "host": self.enterprise_org.pk})
        self.assertEqual(other.status_code, 403)

    def test_who_may_not_see_the_statistics(self):
        self.assertEqual(self.client.get(URL).status_code, 302)  # to the login page
        for user in (self.other_enterprise, self.expert, self.public):
            self.login(user)
            with self.subTest(user=str(user)):
                self.assertEqual(self.client.get(URL).status_code, 403)

    def test_a_year_without_slots_shows_dashes_and_an_empty_state(self):
        self.login(self.city_admin)
        page = self.client.get(URL, {"year": 2030})
        self.assertContains(page, "2030年没有开放时段的仪器")
        self.assertContains(page, "<strong>—</strong>", html=False)
        bad = self.client.get(URL, {"year": "明年"})
        self.assertContains(bad, "年度须为2000到2100之间的整数")

    def test_the_export_has_the_rows_and_the_totals(self):
        self.login(self.city_admin)
        response = self.client.get(URL, {"year": YEAR, "export": "xlsx"})
        self.assertEqual(response.status_code, 200)
        sheet = load_workbook(
            io.BytesIO(
                b"".join(response.streaming_content) if response.streaming else response.content
            )
        ).active
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(rows[0][0], "单位")
        self.assertEqual(rows[0][4], "利用率")
        names = [r[0] for r in rows[1:]]
        self.assertEqual(names, ["吉林大学", "长春华锐光电科技有限公司", "合计"])
        self.assertEqual(rows[1][4], "68.8%")
        csv = self.client.get(URL, {"year": YEAR, "export": "csv"})
        text = (
            b"".join(csv.streaming_content).decode("utf-8-sig")
            if csv.streaming
            else (csv.content.decode("utf-8-sig"))
        )
        self.assertIn("吉林大学,1,8.00,5.50,68.8%,2,2,1650.00,4.50", text)
        host = self.client.get(URL, {"year": YEAR, "host": self.university.pk, "export": "csv"})
        text = (
            b"".join(host.streaming_content).decode("utf-8-sig")
            if host.streaming
            else (host.content.decode("utf-8-sig"))
        )
        self.assertIn("仪器,开放时段数", text)
        self.assertIn("场发射扫描电子显微镜,2,8.00,5.50", text)
