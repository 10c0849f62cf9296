"""Importing records from Excel or CSV: all or nothing, with each error's row and column."""

import io
import tempfile
from io import StringIO

from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from core.choices import JobStatus
from core.models import AuditEntry, Job
from core.services.imports import ImportRejected
from core.testing import PersonaTestCase
from integrity.factories import id_number
from integrity.models import IntegrityRecord
from integrity.services.imports import columns, import_records

PERSON_ID = id_number("220102", "19850312", 123)


def workbook(rows, name="失信记录.xlsx") -> io.BytesIO:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = name
    return buffer


class ImportTests(PersonaTestCase):
    def headers(self):
        return [c.header for c in columns()]

    def row(self, **values):
        defaults = {
            "subject_kind": "单位",
            "organisation": self.enterprise_org.uscc,
            "finding": "在科技计划项目申报中提供虚假材料。",
            "severity": "严重",
            "decision_number": "吉科诚〔2026〕3号",
            "decision_date": "2026-03-15",
            "issued_by": "长春市科学技术局",
            "restricted_from": "2026/3/15",
            "restricted_until": "2027-06-30",
            "activities": "申报科技计划项目，资质认定与评价",
        }
        values = {**defaults, **values}
        return [values.get(c.name, "") for c in columns()]

    def person_row(self, **values):
        person = {
            "subject_kind": "个人",
            "organisation": "",
            "person_name": "王某某",
            "person_id_number": PERSON_ID,
            "decision_number": "吉科诚〔2026〕4号",
            "activities": "担任评审专家",
        }
        return self.row(**{**person, **values})

    def test_template_has_chinese_headers_and_explains_the_choices(self):
        self.login(self.city_admin)
        response = self.client.get("/integrity/import/template/")
        wb = load_workbook(io.BytesIO(response.content))
        headers = [c.value for c in wb.worksheets[0][1]]
        self.assertEqual(headers[:2], ["失信主体类型（必填）", "失信单位统一社会信用代码"])
        self.assertIn("公民身份号码", headers)
        self.assertIn("限制的活动（必填）", headers)
        notes = {row[0].value: row[1].value for row in wb.worksheets[1].iter_rows(min_row=2)}
        self.assertEqual(notes["严重程度（必填）"], "可填：一般、较重、严重")
        self.assertIn("（多个用逗号分隔）", notes["限制的活动（必填）"])

    def test_good_file_imports_every_row_with_an_audit_entry_each(self):
        result = import_records(self.city_admin, [self.headers(), self.row(), self.person_row()])
        self.assertEqual(result["imported"], 2)
        org_record = IntegrityRecord.objects.get(decision_number="吉科诚〔2026〕3号")
        self.assertEqual(org_record.organisation, self.enterprise_org)
        self.assertEqual(org_record.activities, ["apply", "recognition"])
        self.assertEqual(org_record.created_by, self.city_admin)
        person = IntegrityRecord.objects.get(decision_number="吉科诚〔2026〕4号")
        self.assertEqual((person.person_name, person.person_id_number), ("王某某", PERSON_ID))
        self.assertEqual(AuditEntry.objects.filter(action="create", note="批量导入").count(), 2)

    def test_one_bad_row_rejects_the_file_naming_row_and_column(self):
        rows = [
            self.headers(),
            self.row(),
            self.person_row(person_id_number="220102198503121231"),
            self.row(restricted_from="2026-02-30"),
            self.row(organisation="91220101MA17X3KW07"),
            self.row(severity="特别严重", activities="出国访问"),
        ]
        with self.assertRaises(ImportRejected) as ctx:
            import_records(self.city_admin, rows)
        errors = ctx.exception.errors
        self.assertEqual(
            ctx.exception.message, f"导入未完成：共 {len(errors)} 处错误，没有导入任何数据。"
        )
        self.assertIn(
            "第3行：「公民身份号码」公民身份号码校验位不符：第18位应为“0”，实际为“1”。", errors
        )
        self.assertTrue(any(e.startswith("第4行：「限制开始日期」") for e in errors), errors)
        self.assertIn(
            "第5行：「失信单位统一社会信用代码」"
            "平台中没有统一社会信用代码为 91220101MA17X3KW07 的单位，请先登记该单位。",
            errors,
        )
        self.assertIn("第6行：「严重程度（必填）」的“特别严重”不是可选值", errors)
        self.assertIn("第6行：「限制的活动（必填）」的“出国访问”不是可选值", errors)
        self.assertFalse(IntegrityRecord.objects.exists())
        self.assertFalse(AuditEntry.objects.exists())

    def test_missing_subject_is_reported_on_its_column(self):
        with self.assertRaises(ImportRejected) as ctx:
            import_records(self.city_admin, [self.headers(), self.person_row(person_name="")])
        self.assertEqual(
            ctx.exception.errors, ["第2行：「失信人员姓名」个人记录须填写失信人员姓名。"]
        )

    def test_csv_works_like_excel(self):
        import csv

        text = StringIO()
        csv.writer(text).writerows([self.headers(), self.person_row()])
        rows = list(csv.reader(StringIO(text.getvalue())))
        self.assertEqual(import_records(self.city_admin, rows)["imported"], 1)

    def test_district_admin_cannot_import(self):
        with self.assertRaisesMessage(Exception, "只有市科技局可以导入科研失信记录。"):
            import_records(self.district_admin, [self.headers(), self.row()])
        self.login(self.district_admin)
        self.assertEqual(self.client.get("/integrity/import/").status_code, 403)

    def test_upload_runs_as_a_job_whose_progress_and_errors_show_on_the_import_page(self):
        self.login(self.city_admin)
        bad = workbook([self.headers(), self.row(), self.row(decision_date="明天")])
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post("/integrity/import/", {"file": bad})
        job = Job.objects.get(kind="integrity.import")
        self.assertRedirects(response, f"/integrity/import/?job={job.pk}")
        self.assertEqual(job.status, JobStatus.FAILED)
        page = self.client.get(response["Location"])
        self.assertContains(page, "导入科研失信记录：失信记录.xlsx")
        self.assertContains(page, "没有导入任何数据")
        self.assertContains(page, "第3行：「处理决定日期」")
        self.assertFalse(IntegrityRecord.objects.exists())

        good = workbook([self.headers(), self.row()])
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post("/integrity/import/", {"file": good})
        page = self.client.get(response["Location"])
        self.assertContains(page, "已导入 1 条科研失信记录。")
        self.assertEqual(IntegrityRecord.objects.count(), 1)

    def test_wrong_file_type_is_refused_before_any_work(self):
        self.login(self.city_admin)
        upload = io.BytesIO(b"hello")
        upload.name = "失信记录.txt"
        response = self.client.post("/integrity/import/", {"file": upload}, follow=True)
        self.assertContains(response, "只支持 .xlsx 或 .csv 文件。")
        self.assertFalse(Job.objects.exists())


class ImportCommandTests(PersonaTestCase):
    def test_command_line_import_reports_row_errors_then_imports_a_good_file(self):
        cols = columns()
        good = {
            "subject_kind": "个人",
            "person_name": "王某某",
            "person_id_number": PERSON_ID,
            "finding": "抄袭",
            "severity": "一般",
            "decision_number": "吉科诚〔2026〕8号",
            "decision_date": "2026-03-15",
            "issued_by": "长春市科学技术局",
            "restricted_from": "2026-03-15",
            "activities": "担任评审专家",
        }
        bad = {**good, "person_id_number": "22010219850312"}
        headers = [c.header for c in cols]
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as fh:
            fh.write(workbook([headers, [bad.get(c.name, "") for c in cols]]).getvalue())
            fh.flush()
            err = StringIO()
            with self.assertRaisesMessage(CommandError, "没有导入任何数据"):
                call_command("import_integrity", fh.name, "--as", "city_admin", stderr=err)
            self.assertIn(
                "第2行：「公民身份号码」公民身份号码应为18位，当前为14位。", err.getvalue()
            )
        self.assertFalse(IntegrityRecord.objects.exists())
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as fh:
            fh.write(workbook([headers, [good.get(c.name, "") for c in cols]]).getvalue())
            fh.flush()
            out = StringIO()
            with self.assertRaisesMessage(CommandError, "只有市科技局可以导入科研失信记录。"):
                call_command("import_integrity", fh.name, "--as", "enterprise", stderr=StringIO())
            call_command(
                "import_integrity", fh.name, "--as", "city_admin", stdout=out, stderr=StringIO()
            )
        self.assertIn("已导入 1 条科研失信记录。", out.getvalue())
        self.assertEqual(IntegrityRecord.objects.get().decision_number, "吉科诚〔2026〕8号")
