"""Monthly and quarterly reports: generation on a small arranged dataset (PDF with the embedded
Noto font and static SVG charts, the workbook's sheets), frozen versions, the command with
--due, and who may list, download and generate."""

from __future__ import annotations

import datetime
import io
import os
import shutil
import subprocess
import tempfile
from unittest import mock

from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook

from brain.models import Report
from brain.services import reports
from brain.tests.test_district_index import YEAR, IndexCase
from core.models import Job
from core.services.jobs import Progress, execute_job

MEDIA = tempfile.mkdtemp(prefix="brain-reports-")


@override_settings(MEDIA_ROOT=MEDIA)
class ReportTests(IndexCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.linear()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(MEDIA, ignore_errors=True)

    def make(self, kind="quarter", period=f"{YEAR}Q4") -> Report:
        return reports.generate_now(kind, period, self.city_admin, Progress())

    def test_generation_writes_a_pdf_with_the_font_and_a_workbook(self):
        report = self.make()
        self.assertEqual(report.status, Report.Status.READY)
        self.assertEqual(report.version, 1)
        self.assertTrue(report.data_version["tag"].startswith("v"))
        self.assertTrue(report.data_version["index"])
        with report.pdf.open("rb") as fh:
            pdf = fh.read()
        self.assertTrue(pdf.startswith(b"%PDF"))
        if os.environ.get("BRAIN_REPORT_PDF"):  # keep a copy to look at
            with open(os.environ["BRAIN_REPORT_PDF"], "wb") as out:
                out.write(pdf)
        with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
            fh.write(pdf)
            fh.flush()
            fonts = subprocess.run(["pdffonts", fh.name], capture_output=True, text=True).stdout
            text = subprocess.run(
                ["pdftotext", fh.name, "-"], capture_output=True, text=True
            ).stdout
        self.assertIn("Noto-Sans-SC", fonts)
        self.assertIn("长春市科学技术局", text)
        self.assertIn(f"长春市科技创新监测{YEAR}年第4季度通报", text)
        self.assertIn("数据截至", text)
        self.assertIn(report.data_version["tag"], text)
        self.assertIn("长春汽车经济技术开发区", text)  # the index ranking
        self.assertIn("第2页", text.replace(" ", ""))
        with report.xlsx.open("rb") as fh:
            book = load_workbook(io.BytesIO(fh.read()))
        self.assertEqual(
            book.sheetnames,
            ["封面", "目标监测", "科技创新指数", "成果转化", "技术合同登记", "关键指标"],
        )
        rows = list(book["科技创新指数"].values)
        self.assertEqual(rows[0][:4], ("排名", "区域", "行政区划代码", "综合得分"))
        self.assertEqual(rows[1][:2], (1, "长春汽车经济技术开发区"))

    def test_without_index_data_the_report_says_why(self):
        report = self.make("month", f"{YEAR + 1}-01")
        with report.xlsx.open("rb") as fh:
            book = load_workbook(io.BytesIO(fh.read()))
        self.assertIn("无法计算科技创新指数", list(book["科技创新指数"].values)[1][1])

    def test_regenerating_makes_a_new_version_and_keeps_the_old(self):
        first = self.make()
        pdf_name = first.pdf.name
        second = self.make()
        self.assertEqual(second.version, 2)
        first.refresh_from_db()
        self.assertEqual(first.pdf.name, pdf_name)
        self.assertEqual(first.status, Report.Status.READY)
        self.assertNotEqual(first.pdf.name, second.pdf.name)
        # A ready report is frozen: generating it again changes nothing.
        reports.generate(first, Progress())
        first.refresh_from_db()
        self.assertEqual(first.pdf.name, pdf_name)

    def test_an_unfinished_period_is_refused(self):
        from core.exceptions import ServiceError

        with self.assertRaises(ServiceError):
            reports.parse_period("quarter", "2999Q1")

    def test_due_generates_the_last_finished_month_and_quarter_once(self):
        today = datetime.date(YEAR + 1, 2, 10)
        with mock.patch("django.utils.timezone.localdate", return_value=today):
            call_command("brain_report", "--due", "--as", "city_admin", stdout=io.StringIO())
            made = {(r.kind, r.period) for r in Report.objects.all()}
            self.assertEqual(made, {("month", f"{YEAR + 1}-01"), ("quarter", f"{YEAR}Q4")})
            self.assertEqual(Report.objects.get(kind="month").created_by, self.city_admin)
            call_command("brain_report", "--due", stdout=io.StringIO())
        self.assertEqual(Report.objects.count(), 2)

    def test_command_for_one_period(self):
        out = io.StringIO()
        call_command("brain_report", "--kind", "quarter", "--period", f"{YEAR}Q3", stdout=out)
        self.assertIn("已生成", out.getvalue())
        self.assertEqual(Report.objects.get().status, Report.Status.READY)

    def test_bureau_generates_through_a_job_and_others_download(self):
        self.login(self.city_admin)
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            response = self.client.post(
                reverse("brain_reports"), {"kind": "quarter", "period": f"{YEAR}Q4"}
            )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(len(callbacks), 1)
        report = Report.objects.get()
        self.assertEqual(report.status, Report.Status.QUEUED)
        response = self.client.get(response["Location"])
        self.assertContains(response, "job-progress")
        job = execute_job(report.job_id)
        self.assertEqual(job.status, "succeeded", job.error)
        report.refresh_from_db()
        self.assertEqual(report.status, Report.Status.READY)
        for user in (self.leader, self.district_admin, self.city_admin):
            self.login(user)
            response = self.client.get(reverse("brain_reports"))
            self.assertContains(response, f"{YEAR}Q4")
            self.assertContains(response, report.data_tag)
            pdf = self.client.get(reverse("brain_report_file", args=[report.pk, "pdf"]))
            self.assertEqual(pdf.status_code, 200)
            self.assertTrue(b"".join(pdf.streaming_content).startswith(b"%PDF"))
            xlsx = self.client.get(reverse("brain_report_file", args=[report.pk, "xlsx"]))
            self.assertEqual(xlsx.status_code, 200)
        self.assertEqual(Job.objects.get().kind, "brain.report")

    def test_leaders_and_district_admins_may_not_generate(self):
        for user in (self.leader, self.district_admin):
            self.login(user)
            response = self.client.get(reverse("brain_reports"))
            self.assertNotContains(response, "生成通报</button>")
            response = self.client.post(
                reverse("brain_reports"), {"kind": "quarter", "period": f"{YEAR}Q4"}
            )
            self.assertEqual(response.status_code, 403)
        self.assertFalse(Report.objects.exists())

    def test_enterprise_and_anonymous_are_refused(self):
        report = self.make()
        self.login(self.enterprise)
        self.assertEqual(self.client.get(reverse("brain_reports")).status_code, 403)
        url = reverse("brain_report_file", args=[report.pk, "pdf"])
        self.assertEqual(self.client.get(url).status_code, 403)
        self.client.logout()
        self.assertEqual(self.client.get(url).status_code, 302)
