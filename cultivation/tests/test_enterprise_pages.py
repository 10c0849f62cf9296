"""The enterprise's 培育档案 pages: figures, profile, history, self-assessment with its PDF, and
the import of figures — what each role sees and may do."""

import csv
import datetime
import io
import subprocess
from decimal import Decimal
from urllib.parse import unquote

from openpyxl import load_workbook

from core.choices import JobStatus
from core.models import Job
from core.testing import PersonaTestCase
from cultivation.factories import write_enterprise
from cultivation.forms import FIGURE_FIELDS
from cultivation.models import Assessment, EnterpriseProfile, EnterpriseYear
from cultivation.services.imports import columns
from integrity.factories import IntegrityRecordFactory

ON = "2025-06-01"


def year_fields(figures: EnterpriseYear | None = None, **changes) -> dict:
    """What the year form posts: every figure of `figures` (blank when not reported)."""
    data = {"year": figures.year if figures else ""}
    for name in FIGURE_FIELDS:
        value = getattr(figures, name) if figures else None
        data[name] = "" if value is None else str(value)
    return {**data, **{k: str(v) for k, v in changes.items()}}


class PageTestCase(PersonaTestCase):
    def url(self, org=None, rest=""):
        return f"/cultivation/enterprises/{(org or self.enterprise_org).pk}/{rest}"


class FiguresPageTests(PageTestCase):
    def test_enterprise_user_lands_on_its_own_empty_file(self):
        self.login(self.enterprise)
        self.assertRedirects(self.client.get("/cultivation/"), self.url())
        page = self.client.get(self.url())
        self.assertContains(page, "长春华锐光电科技有限公司")
        self.assertContains(page, "尚未填报年度数据，先新增年度或导入。")
        self.assertContains(page, f'href="{self.url()}years/new/"')
        self.assertContains(page, "科技型中小企业评价")
        self.assertContains(page, "高新技术企业认定")
        self.assertContains(page, "尚未自评")
        self.assertContains(page, "该企业尚未进入任何培育库")

    def test_the_menu_leads_an_enterprise_to_self_assessment(self):
        self.login(self.enterprise)
        self.assertContains(self.client.get("/"), 'href="/cultivation/">资格自评</a>', html=False)

    def test_enterprise_adds_a_year_and_sees_amounts_in_wan_yuan(self):
        self.login(self.enterprise)
        response = self.client.post(
            self.url(rest="years/new/"),
            year_fields(
                year=2024, revenue="60000000", rd_expense="2400000.5", staff=120, tech_staff=30
            ),
            follow=True,
        )
        self.assertRedirects(response, self.url())
        row = EnterpriseYear.objects.get(organisation=self.enterprise_org, year=2024)
        self.assertEqual(row.revenue, Decimal("60000000"))
        self.assertEqual(row.updated_by, self.enterprise)
        page = response
        self.assertContains(page, "2024年度数据已保存。")
        self.assertContains(page, "2024年度")
        self.assertContains(page, '<td class="num">6,000.00</td>', html=True)
        self.assertContains(page, '<td class="num">240.00</td>', html=True)
        self.assertContains(page, '<td class="num">120</td>', html=True)
        self.assertContains(page, '<td class="num">—</td>', html=True)  # not reported
        self.assertContains(page, f'href="{self.url()}years/2024/"')
        self.assertNotContains(page, "尚未填报年度数据")

    def test_more_tech_staff_than_staff_is_refused_in_chinese_and_nothing_is_saved(self):
        self.login(self.enterprise)
        response = self.client.post(
            self.url(rest="years/new/"), year_fields(year=2024, staff=120, tech_staff=130)
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "科技人员数不能多于职工总数。")
        self.assertContains(response, "有数据需要修改，请查看标红的项目。")
        self.assertFalse(EnterpriseYear.objects.exists())

    def test_a_year_already_reported_or_not_yet_begun_is_refused(self):
        write_enterprise(self.enterprise_org, 2024)
        self.login(self.enterprise)
        response = self.client.post(self.url(rest="years/new/"), year_fields(year=2024, staff=1))
        self.assertContains(response, "2024年度的数据已经填报，请在列表中修改。")
        next_year = datetime.date.today().year + 1
        response = self.client.post(
            self.url(rest="years/new/"), year_fields(year=next_year, staff=1)
        )
        self.assertContains(response, "不能填报尚未开始的年度。")
        self.assertEqual(EnterpriseYear.objects.get(year=2024).staff, 120)

    def test_form_groups_the_figures_and_keeps_the_year_of_an_existing_row(self):
        write_enterprise(self.enterprise_org, 2024)
        self.login(self.enterprise)
        page = self.client.get(self.url(rest="years/2024/"))
        for legend in ("收入与成本", "研发费用", "资产", "人员", "知识产权与成果转化"):
            self.assertContains(page, f"<legend>{legend}</legend>", html=True)
        self.assertContains(page, "修改2024年度数据")
        figures = EnterpriseYear.objects.get(organisation=self.enterprise_org, year=2024)
        self.client.post(self.url(rest="years/2024/"), year_fields(figures, year=2020, staff=125))
        self.assertEqual(
            list(
                EnterpriseYear.objects.filter(
                    organisation=self.enterprise_org, staff=125
                ).values_list("year", flat=True)
            ),
            [2024],
        )
        self.assertEqual(self.client.get(self.url(rest="years/2019/")).status_code, 404)

    def test_history_shows_who_changed_which_figure_from_what_to_what(self):
        self.login(self.enterprise)
        self.client.post(
            self.url(rest="years/new/"), year_fields(year=2024, staff=100, revenue=5000000)
        )
        figures = EnterpriseYear.objects.get(organisation=self.enterprise_org, year=2024)
        self.client.post(self.url(rest="years/2024/"), year_fields(figures, staff=120))
        page = self.client.get(self.url(rest="history/"))
        self.assertContains(page, "长春华锐光电科技有限公司 2024年度数据")
        self.assertContains(
            page,
            '<div class="change"><strong>职工总数</strong>：<del>100</del> → <ins>120</ins></div>',
            html=True,
        )
        self.assertContains(page, "李企业")
        self.assertContains(page, "5,000,000.00 元")  # the creation, in 元
        entries = page.context["page"].object_list
        self.assertEqual([e.action for e in entries], ["update", "create"])  # newest first

    def test_enterprise_edits_its_profile(self):
        self.login(self.enterprise)
        page = self.client.get(self.url(rest="profile/"))
        self.assertContains(page, "<legend>合规情况</legend>", html=True)
        response = self.client.post(
            self.url(rest="profile/"),
            {"founded": "2016-04-12", "resident": "true", "hte_field": "electronic_info"},
            follow=True,
        )
        self.assertRedirects(response, self.url())
        profile = EnterpriseProfile.objects.get(organisation=self.enterprise_org)
        self.assertEqual(profile.founded, datetime.date(2016, 4, 12))
        self.assertIs(profile.resident, True)
        self.assertIsNone(profile.blacklisted)  # 未知 stays unknown, not 否
        page = response
        self.assertContains(page, "企业基本情况已保存。")
        self.assertContains(page, "<dd>2016-04-12</dd>", html=True)
        self.assertContains(page, "<dd>电子信息</dd>", html=True)
        self.assertContains(page, "已填写 3 / ")
        tomorrow = datetime.date.today() + datetime.timedelta(days=1)
        response = self.client.post(self.url(rest="profile/"), {"founded": tomorrow.isoformat()})
        self.assertContains(response, "日期不能晚于今天。")

    def test_figures_export_in_the_import_columns(self):
        write_enterprise(self.enterprise_org, 2024)
        self.login(self.enterprise)
        response = self.client.get(self.url(), {"export": "csv"})
        lines = list(
            csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
        )
        self.assertEqual(lines[0], [c.header for c in columns()])
        self.assertEqual(
            [line[:2] for line in lines[1:]],
            [[self.enterprise_org.uscc, str(y)] for y in (2022, 2023, 2024)],
        )


class WhoMayDoWhatTests(PageTestCase):
    def setUp(self):
        write_enterprise(self.enterprise_org, 2024)
        self.assessment = Assessment.objects.create(
            organisation=self.enterprise_org,
            ruleset="sme_tech",
            version="2022",
            title="科技型中小企业评价",
            on=datetime.date(2025, 6, 1),
            eligible=True,
            status="eligible",
        )

    def test_another_enterprise_is_refused_every_page_of_this_one(self):
        self.login(self.other_enterprise)
        for rest in ("", "years/new/", "years/2024/", "profile/", "history/", "assess/hte/"):
            response = self.client.get(self.url(rest=rest))
            self.assertEqual(response.status_code, 403, rest)
        page = self.client.get(self.url())
        self.assertContains(page, "您无权查看该企业的经营数据。", status_code=403)
        self.assertContains(
            self.client.post(self.url(rest="years/new/"), year_fields(year=2021, staff=1)),
            "只有本企业用户或市科技局可以填报该企业的数据。",
            status_code=403,
        )
        response = self.client.post(self.url(rest="assess/hte/"), {"on": ON})
        self.assertEqual(response.status_code, 403)
        for url in (
            f"/cultivation/assessments/{self.assessment.pk}/",
            f"/cultivation/assessments/{self.assessment.pk}/pdf/",
        ):
            self.assertEqual(self.client.get(url).status_code, 403, url)
        self.assertFalse(EnterpriseYear.objects.filter(year=2021).exists())
        self.assertEqual(Assessment.objects.count(), 1)
        # Their own page is theirs.
        self.assertRedirects(self.client.get("/cultivation/"), self.url(self.other_enterprise_org))

    def test_district_admin_reads_enterprises_of_the_district_but_edits_nothing(self):
        self.login(self.district_admin)
        page = self.client.get(self.url())
        self.assertContains(page, "年度经营数据")
        self.assertContains(page, '<td class="num">6,000.00</td>', html=True)
        self.assertNotContains(page, "新增年度")
        self.assertNotContains(page, "编辑基本情况")
        self.assertNotContains(page, f'href="{self.url()}years/2024/"')
        self.assertContains(page, "开始自评")  # may assess, as the bureau may
        for rest in ("years/new/", "years/2024/", "profile/"):
            self.assertEqual(self.client.get(self.url(rest=rest)).status_code, 403, rest)
        self.client.post(self.url(rest="years/2024/"), year_fields(year=2024, staff=1))
        self.assertEqual(EnterpriseYear.objects.get(year=2024).staff, 120)
        self.assertEqual(
            self.client.get(f"/cultivation/assessments/{self.assessment.pk}/").status_code, 200
        )
        self.assertEqual(self.client.get(self.url(self.other_enterprise_org)).status_code, 403)

    def test_district_admin_finds_only_enterprises_of_the_district(self):
        self.login(self.district_admin)
        page = self.client.get("/cultivation/")
        self.assertContains(page, "企业名称或统一社会信用代码")
        self.assertContains(page, "只列出长春高新技术产业开发区的企业")
        page = self.client.get("/cultivation/", {"q": "长春"})
        self.assertContains(page, f'<a href="{self.url()}">长春华锐光电科技有限公司</a>', html=True)
        self.assertContains(page, "2024年度")
        self.assertNotContains(page, "长春启明汽车电子有限公司")
        self.assertNotContains(page, "吉林大学")
        page = self.client.get("/cultivation/", {"q": "启明"})
        self.assertContains(page, "没有找到名称或统一社会信用代码包含“启明”的企业。")

    def test_the_bureau_finds_any_enterprise_by_its_code(self):
        self.login(self.city_admin)
        page = self.client.get("/cultivation/", {"q": self.other_enterprise_org.uscc.lower()})
        self.assertContains(page, "长春启明汽车电子有限公司")
        self.assertContains(page, "未填报")
        page = self.client.get(self.url())
        self.assertContains(page, "新增年度")  # the bureau may keep any enterprise's figures

    def test_users_who_neither_act_for_an_enterprise_nor_administer_are_refused(self):
        for user in (self.public, self.expert, self.institute):
            self.login(user)
            self.assertEqual(self.client.get("/cultivation/").status_code, 403, user)
            self.assertEqual(self.client.get(self.url()).status_code, 403, user)
        self.client.logout()
        self.assertRedirects(self.client.get(self.url()), f"/accounts/login/?next={self.url()}")

    def test_a_university_has_no_enterprise_file(self):
        self.login(self.city_admin)
        self.assertEqual(self.client.get(self.url(self.university)).status_code, 403)


class AssessmentPageTests(PageTestCase):
    def setUp(self):
        write_enterprise(self.enterprise_org, 2024)
        self.login(self.enterprise)

    def assess(self, ruleset: str, on: str = ON):
        response = self.client.post(self.url(rest=f"assess/{ruleset}/"), {"on": on})
        a = Assessment.objects.latest("pk")
        self.assertRedirects(response, f"/cultivation/assessments/{a.pk}/")
        return a, self.client.get(response["Location"])

    def test_the_form_names_the_rule_set_in_force_with_its_version_and_source(self):
        page = self.client.get(self.url(rest="assess/hte/"))
        self.assertContains(page, "<h1>高新技术企业认定</h1>", html=True)
        self.assertContains(page, "2016版")
        self.assertContains(page, "国科发火〔2016〕32号《高新技术企业认定管理办法》")
        self.assertContains(page, f'value="{datetime.date.today().isoformat()}"')
        self.assertEqual(self.client.get(self.url(rest="assess/nonsense/")).status_code, 404)

    def test_a_date_before_2017_is_refused(self):
        response = self.client.post(self.url(rest="assess/hte/"), {"on": "2016-05-01"})
        self.assertContains(response, "基准日不能早于2017年。")
        self.assertFalse(Assessment.objects.exists())

    def test_hte_self_assessment_shows_each_criterion_and_what_to_improve(self):
        a, page = self.assess("hte")
        self.assertEqual((a.ruleset, a.created_by), ("hte", self.enterprise))
        self.assertContains(page, "高新技术企业认定自评结果")
        self.assertContains(
            page,
            '<div class="stat verdict-failed" id="verdict"><strong>不符合条件</strong><span>自评结论</span></div>',
            html=True,
        )
        self.assertContains(page, "2025-06-01")
        self.assertContains(page, "（2016版）")
        # The criteria table: value, threshold, verdict and the clause behind it.
        self.assertContains(page, "近三个会计年度研发费用占销售收入比例")
        self.assertContains(page, "3.93%")
        self.assertContains(page, "≥ 4.00%")
        self.assertContains(page, '<span class="badge status-returned">不符合</span>', html=True)
        self.assertContains(page, "国科发火〔2016〕32号 第十一条（五）")
        self.assertContains(
            page, '<span class="badge status-submitted">待专家评审</span>', html=True
        )
        # The gaps, and that expert judgement is not guessed.
        self.assertContains(page, "需要改进的方面")
        self.assertContains(
            page,
            "<li>近三个会计年度研发费用占销售收入比例 3.9%，需 ≥ 4%，差额约 10 万元</li>",
            html=True,
        )
        self.assertContains(page, "本系统不作推测")
        self.assertContains(page, "31–80 分")  # the score as far as the figures decide it
        # The file shows the latest verdict on the rule set's card and in the list.
        home = self.client.get(self.url())
        self.assertContains(
            home,
            f'<a href="/cultivation/assessments/{a.pk}/"><span class="badge status-returned">不符合条件</span></a>',
            html=True,
        )

    def test_sme_tech_self_assessment_passes_with_its_score(self):
        a, page = self.assess("sme_tech")
        self.assertTrue(a.eligible)
        self.assertContains(page, "<strong>符合条件</strong>", html=True)
        self.assertContains(page, "<strong>76 分</strong>", html=True)
        self.assertContains(page, "科技型中小企业评价（2022版）")

    def test_values_not_yet_confirmed_against_the_policy_are_marked(self):
        a, page = self.assess("specialised_sme")
        unconfirmed = [c for c in a.result["criteria"] if not c["confirmed"]]
        self.assertTrue(unconfirmed)
        self.assertContains(page, unconfirmed[0]["label"])
        self.assertContains(
            page,
            '<span class="badge status-submitted" title="该项取值尚待与政策原文核实">待核实</span>',
            count=len(unconfirmed),
            html=True,
        )

    def test_missing_figures_are_named_not_counted_as_zero(self):
        EnterpriseYear.objects.filter(organisation=self.enterprise_org).update(staff=None)
        _a, page = self.assess("sme_tech")
        self.assertContains(page, "缺少数据")
        self.assertContains(page, "缺少：职工总数")

    def test_a_recognition_restriction_is_shown_above_the_criteria(self):
        record = IntegrityRecordFactory(
            organisation=self.enterprise_org,
            activities=["recognition"],
            restricted_from=datetime.date(2025, 1, 1),
            restricted_until=datetime.date(2026, 12, 31),
        )
        a, page = self.assess("sme_tech")
        self.assertIs(a.eligible, False)
        self.assertContains(page, "科研诚信限制：")
        self.assertContains(page, record.decision_number)
        self.assertContains(page, "<strong>不符合条件</strong>", html=True)

    def test_pdf_has_the_verdict_and_the_chinese_font_embedded(self):
        a, _page = self.assess("hte")
        response = self.client.get(f"/cultivation/assessments/{a.pk}/pdf/")
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertTrue(response.content.startswith(b"%PDF"))
        disposition = response["Content-Disposition"]
        self.assertTrue(disposition.startswith("inline; filename*=UTF-8''"), disposition)
        self.assertEqual(
            unquote(disposition.split("''", 1)[1]),
            "长春华锐光电科技有限公司-高新技术企业认定-2025-06-01.pdf",
        )
        import tempfile

        with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
            fh.write(response.content)
            fh.flush()
            fonts = subprocess.run(["pdffonts", fh.name], capture_output=True, text=True).stdout
            text = subprocess.run(
                ["pdftotext", fh.name, "-"], capture_output=True, text=True
            ).stdout
        self.assertIn("Noto-Sans-SC", fonts)  # real glyphs, not empty boxes
        self.assertIn("长春华锐光电科技有限公司", text)
        self.assertIn("不符合条件", text)
        self.assertIn("需要改进的方面", text)

    def test_an_unknown_assessment_is_not_found(self):
        self.assertEqual(self.client.get("/cultivation/assessments/999/").status_code, 404)


class ImportPageTests(PageTestCase):
    def csv_file(self, rows, name="年度数据.csv"):
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow([c.header for c in columns()])
        for values in rows:
            writer.writerow([values.get(c.name, "") for c in columns()])
        upload = io.BytesIO(text.getvalue().encode("utf-8-sig"))
        upload.name = name
        return upload

    def row(self, org=None, **values):
        return {
            "organisation": (org or self.enterprise_org).uscc,
            "year": "2024",
            "revenue": "60000000",
            "staff": "120",
            "tech_staff": "30",
            **values,
        }

    def test_template_download_has_the_chinese_headers(self):
        self.login(self.enterprise)
        response = self.client.get("/cultivation/import/template/")
        self.assertIn("filename*=UTF-8''", response["Content-Disposition"])
        headers = [c.value for c in load_workbook(io.BytesIO(response.content)).worksheets[0][1]]
        self.assertEqual(headers[:2], ["统一社会信用代码（必填）", "会计年度（必填）"])
        self.assertIn("科技人员数", headers)

    def test_page_explains_whose_rows_may_be_imported(self):
        self.login(self.enterprise)
        page = self.client.get("/cultivation/import/")
        self.assertContains(page, "用统一社会信用代码指明企业")
        self.assertContains(page, "企业用户只能导入本企业的数据")
        self.login(self.public)
        self.assertEqual(self.client.get("/cultivation/import/").status_code, 403)

    def test_a_good_csv_is_imported_by_the_job(self):
        self.login(self.enterprise)
        upload = self.csv_file([self.row(year="2023", staff="110"), self.row()])
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post("/cultivation/import/", {"file": upload})
        job = Job.objects.get(kind="cultivation.import")
        self.assertRedirects(response, f"/cultivation/import/?job={job.pk}")
        self.assertEqual(job.status, JobStatus.SUCCEEDED)
        page = self.client.get(response["Location"])
        self.assertContains(page, "导入企业年度数据：年度数据.csv")
        self.assertContains(page, "已导入 2 行：新增 2 个年度，更新 0 个年度。")
        self.assertEqual(
            list(
                EnterpriseYear.objects.filter(organisation=self.enterprise_org).values_list(
                    "year", "staff"
                )
            ),
            [(2024, 120), (2023, 110)],
        )
        self.assertContains(self.client.get(self.url()), '<td class="num">6,000.00</td>', html=True)

    def test_one_bad_row_saves_nothing_and_the_page_names_it(self):
        self.login(self.enterprise)
        upload = self.csv_file(
            [
                self.row(year="2023"),
                self.row(tech_staff="130"),
                self.row(org=self.other_enterprise_org, year="2024"),
            ]
        )
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post("/cultivation/import/", {"file": upload})
        job = Job.objects.get(kind="cultivation.import")
        self.assertEqual(job.status, JobStatus.FAILED)
        page = self.client.get(response["Location"])
        self.assertContains(page, "没有导入任何数据")
        self.assertContains(page, "第3行：「科技人员数」科技人员数不能多于职工总数。")
        self.assertFalse(EnterpriseYear.objects.exists())

    def test_rows_of_another_enterprise_are_refused(self):
        self.login(self.enterprise)
        upload = self.csv_file([self.row(), self.row(org=self.other_enterprise_org)])
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post("/cultivation/import/", {"file": upload})
        page = self.client.get(response["Location"])
        self.assertContains(page, "第3行：您无权填报“长春启明汽车电子有限公司”的数据")
        self.assertFalse(EnterpriseYear.objects.exists())

    def test_a_wrong_file_type_is_refused_before_any_work(self):
        self.login(self.enterprise)
        upload = io.BytesIO(b"hello")
        upload.name = "年度数据.txt"
        response = self.client.post("/cultivation/import/", {"file": upload}, follow=True)
        self.assertContains(response, "只支持 .xlsx 或 .csv 文件。")
        self.assertFalse(Job.objects.exists())
