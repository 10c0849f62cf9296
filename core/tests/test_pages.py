import io

from openpyxl import load_workbook

from core.factories import OrganisationFactory
from core.testing import PersonaTestCase


class PageTests(PersonaTestCase):
    def test_home_is_in_chinese_and_lists_the_industry_chains(self):
        response = self.client.get("/")
        self.assertContains(response, '<html lang="zh-CN">')
        self.assertContains(response, "长春市科创智服云平台")
        for chain in ("光电信息", "汽车", "生物医药", "现代农业", "数字经济"):
            self.assertContains(response, chain)
        self.assertContains(response, "屏")

    def test_navigation_shows_only_what_the_visitor_may_open(self):
        anonymous = self.client.get("/").content.decode()
        self.assertNotIn("审计日志", anonymous)
        self.assertNotIn("管理后台", anonymous)
        self.login(self.city_admin)
        admin_page = self.client.get("/").content.decode()
        self.assertIn("审计日志", admin_page)
        self.assertIn("管理后台", admin_page)
        self.login(self.enterprise)
        enterprise_page = self.client.get("/").content.decode()
        self.assertNotIn("审计日志", enterprise_page)
        self.assertIn("后台任务", enterprise_page)

    def test_every_role_opens_home_profile_and_directory(self):
        for user in (
            self.public,
            self.enterprise,
            self.institute,
            self.expert,
            self.broker,
            self.district_admin,
            self.city_admin,
            self.leader,
        ):
            self.login(user)
            for url in ("/", "/accounts/profile/", "/organisations/", "/jobs/"):
                self.assertEqual(self.client.get(url).status_code, 200, (user, url))

    def test_language_switch_to_english(self):
        response = self.client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
        self.assertContains(response, '<html lang="en">')
        self.assertContains(response, "Organisations")

    def test_directory_filters_by_region_and_shows_an_empty_state(self):
        response = self.client.get("/organisations/", {"region": "220173"})
        self.assertContains(response, "长春华锐光电科技有限公司")
        self.assertNotContains(response, "长春启明汽车电子有限公司")
        empty = self.client.get("/organisations/", {"q": "不存在的单位名称"})
        self.assertContains(empty, "没有符合条件的单位")

    def test_directory_export_to_excel_has_chinese_headers_and_the_filtered_rows(self):
        response = self.client.get("/organisations/", {"region": "220102", "export": "xlsx"})
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.values)
        self.assertEqual(rows[0][:3], ("单位名称", "单位类型", "统一社会信用代码"))
        names = {r[0] for r in rows[1:]}
        self.assertIn("长春启明汽车电子有限公司", names)
        self.assertNotIn("长春华锐光电科技有限公司", names)

    def test_contact_phone_is_masked_for_outsiders(self):
        self.enterprise_org.contact_phone = "13912345678"
        self.enterprise_org.save()
        self.assertContains(
            self.client.get(f"/organisations/{self.enterprise_org.pk}/"), "139****5678"
        )
        self.login(self.enterprise)
        self.assertContains(
            self.client.get(f"/organisations/{self.enterprise_org.pk}/"), "13912345678"
        )
        api = self.client.logout() or self.client.get(
            f"/api/organisations/{self.enterprise_org.pk}/"
        )
        self.assertEqual(api.json()["contact_phone"], "139****5678")

    def test_profile_of_a_user_without_organisation_explains_it(self):
        self.login(self.public)
        self.assertContains(self.client.get("/accounts/profile/"), "以公众身份使用平台")

    def test_organisation_list_query_count_does_not_grow_with_rows(self):
        # count, four filter choice lists, one page of rows — however many rows there are
        with self.assertNumQueries(6):
            self.client.get("/organisations/")
        OrganisationFactory.create_batch(25)
        with self.assertNumQueries(6):
            response = self.client.get("/organisations/")
        self.assertEqual(len(response.context["page"].object_list), 20)


class LanguageDefaultTests(PersonaTestCase):
    def test_an_english_browser_still_gets_chinese_until_the_user_switches(self):
        response = self.client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
        self.assertContains(response, '<html lang="zh-CN">')
        self.client.post("/i18n/setlang/", {"language": "en", "next": "/"})
        self.assertContains(self.client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN"), '<html lang="en">')


class SecurityHeaderTests(PersonaTestCase):
    def test_pages_may_run_only_the_platforms_own_scripts(self):
        self.login(self.enterprise)
        policy = self.client.get("/")["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
        self.assertEqual(directives["script-src"], "'self'")
        self.assertEqual(directives["connect-src"], "'self'")
        self.assertEqual(directives["frame-ancestors"], "'none'")
        self.assertEqual(self.client.get("/")["X-Content-Type-Options"], "nosniff")

    def test_the_api_pages_for_developers_keep_their_inline_scripts(self):
        policy = self.client.get("/api/docs/")["Content-Security-Policy"]
        self.assertIn("script-src 'self' 'unsafe-inline'", policy)

    def test_json_answers_carry_no_page_policy(self):
        self.assertNotIn("Content-Security-Policy", self.client.get("/api/regions/"))
