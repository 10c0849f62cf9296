"""Importing indicator values from Excel/CSV: the page's job and the command, all or nothing."""

import io
import tempfile
from decimal import Decimal as D
from io import StringIO
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from brain.models import IndicatorValue
from brain.services import values
from brain.tests.test_values import BrainTestCase
from core.choices import JobStatus
from core.models import Job

HEADER = "指标代码,区域代码,期别,数值,说明"


def csv_text(rows: list[str]) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


def csv_path(rows: list[str]) -> str:
    path = Path(tempfile.mkdtemp()) / "values.csv"
    path.write_text(csv_text(rows), encoding="utf-8-sig")
    return str(path)


class ImportCommandTests(BrainTestCase):
    def run_import(self, rows, user="city_admin"):
        out, err = StringIO(), StringIO()
        try:
            call_command(
                "import_indicator_values", csv_path(rows), "--as", user, stdout=out, stderr=err
            )
        finally:
            self.err = err.getvalue()
        return out.getvalue()

    def test_rows_are_imported_and_a_correction_becomes_a_revision(self):
        values.enter_value(self.city_admin, self.rd, self.city, "2024", "2.38")
        out = self.run_import(
            [
                "rd_intensity,220100,2024,2.39,统计局修正数",
                "rd_intensity,220173,2024,5.2,",
                "tech_contract_amount,220100,2025q3,12345.6,",
                "rd_intensity,220102,2024,1.8,",
            ]
        )
        self.assertIn("已导入 4 行：新增 3 个数值，修订 1 个，与现行值相同 0 个。", out)
        current = IndicatorValue.objects.get(region=self.city, period="2024", is_current=True)
        self.assertEqual(
            (current.value, current.revision, current.note), (D("2.39"), 1, "统计局修正数")
        )
        self.assertEqual(IndicatorValue.objects.get(indicator=self.contracts).period, "2025Q3")
        out = self.run_import(["rd_intensity,220100,2024,2.39,"])
        self.assertIn("与现行值相同 1 个", out)

    def test_one_bad_row_imports_nothing_and_each_error_is_named(self):
        with self.assertRaisesMessage(CommandError, "没有导入任何数据"):
            self.run_import(
                [
                    "rd_intensity,220100,2023,2.31,",
                    "rd_intensity,220100,2024-01,2.38,",
                    "no_such,220100,2024,1,",
                    "rd_intensity,999999,2024,1,",
                    "hte_count,220100,2024,12.5,",
                    "rd_intensity,220173,2024,,",
                ]
            )
        self.assertIn("第3行：「期别」期别“2024-01”格式不对：年度指标的期别写作四位年份", self.err)
        self.assertIn("第4行：「指标代码」没有代码为“no_such”的指标", self.err)
        self.assertIn("第5行：「区域代码」没有代码为“999999”的区域", self.err)
        self.assertIn("第6行：「数值」“家”为单位的指标应填写不小于 0 的整数", self.err)
        self.assertIn("第7行：「数值」请填写数值", self.err)
        self.assertFalse(IndicatorValue.objects.exists())

    def test_the_same_cell_twice_in_one_file_is_refused(self):
        with self.assertRaises(CommandError):
            self.run_import(["rd_intensity,220100,2023,2.31,", "rd_intensity,220100,2023,2.32,"])
        self.assertIn("第3行：与第2行是同一指标、区域和期别", self.err)
        self.assertFalse(IndicatorValue.objects.exists())

    def test_a_correction_without_a_reason_is_refused(self):
        values.enter_value(self.city_admin, self.rd, self.city, "2024", "2.38")
        with self.assertRaises(CommandError):
            self.run_import(["rd_intensity,220100,2024,2.40,"])
        self.assertIn("第2行：长春市 2024 已有数值 2.38，修订时请在“说明”中写明原因", self.err)

    def test_a_district_admin_imports_their_own_district_only(self):
        with self.assertRaises(CommandError):
            self.run_import(
                ["rd_intensity,220173,2024,5.2,", "rd_intensity,220102,2024,1.8,"],
                user="district_admin",
            )
        self.assertIn("第3行：您无权填报“南关区”的数值", self.err)
        self.assertFalse(IndicatorValue.objects.exists())
        self.run_import(["rd_intensity,220173,2024,5.2,"], user="district_admin")
        self.assertEqual(IndicatorValue.objects.get().entered_by, self.district_admin)

    def test_leaders_and_enterprises_may_not_import(self):
        for user in ("leader", "enterprise"):
            with (
                self.subTest(user=user),
                self.assertRaisesMessage(CommandError, "只有市科技局和区县管理员"),
            ):
                self.run_import(["rd_intensity,220173,2024,5.2,"], user=user)

    def test_wrong_headers_are_refused(self):
        path = Path(tempfile.mkdtemp()) / "values.csv"
        path.write_text("指标,区域,期别,数值\nrd_intensity,220100,2024,2\n", encoding="utf-8")
        with self.assertRaisesMessage(CommandError, "表头与模板不符"):
            call_command(
                "import_indicator_values",
                str(path),
                "--as",
                "city_admin",
                stdout=StringIO(),
                stderr=StringIO(),
            )


class ImportPageTests(BrainTestCase):
    def upload(self, rows):
        return SimpleUploadedFile("指标数值.csv", csv_text(rows).encode("utf-8-sig"), "text/csv")

    def test_the_template_has_the_five_columns(self):
        self.login(self.district_admin)
        response = self.client.get("/brain/values/import/template/")
        ws = load_workbook(io.BytesIO(response.content)).active
        self.assertEqual([c.value for c in ws[1]], ["指标代码", "区域代码", "期别", "数值", "说明"])

    def test_a_good_file_is_imported_by_the_job(self):
        self.login(self.city_admin)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                "/brain/values/import/",
                {"file": self.upload(["rd_intensity,220100,2025,2.42,公报"])},
            )
        job = Job.objects.get(kind="brain.import_values")
        self.assertRedirects(response, f"/brain/values/import/?job={job.pk}")
        self.assertEqual(job.status, JobStatus.SUCCEEDED)
        page = self.client.get(response["Location"])
        self.assertContains(page, "导入指标数值：指标数值.csv")
        self.assertContains(page, "已导入 1 行：新增 1 个数值")
        self.assertEqual(IndicatorValue.objects.get().value, D("2.42"))

    def test_a_bad_file_shows_the_row_errors(self):
        self.login(self.district_admin)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                "/brain/values/import/", {"file": self.upload(["rd_intensity,220100,2025,2.42,"])}
            )
        page = self.client.get(response["Location"])
        self.assertContains(page, "没有导入任何数据")
        self.assertContains(page, "第2行：您无权填报“长春市”的数值")
        self.assertContains(page, "区县管理员只能导入本区县的数值")
        self.assertFalse(IndicatorValue.objects.exists())

    def test_the_page_per_role(self):
        self.login(self.leader)
        self.assertEqual(self.client.get("/brain/values/import/").status_code, 403)
        self.assertEqual(self.client.get("/brain/values/import/template/").status_code, 403)
        self.login(self.city_admin)
        page = self.client.get("/brain/values/import/")
        self.assertContains(page, "市科技局可以导入全市和各区县的数值")
        self.assertContains(page, "220173")
