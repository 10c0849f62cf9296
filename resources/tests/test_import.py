import io

from openpyxl import Workbook, load_workbook

from core.choices import JobStatus
from core.models import Job
from core.testing import PersonaTestCase
from resources.choices import RecordStatus
from resources.models import Achievement
from resources.registry import KINDS
from resources.services.imports import ImportRejected, columns, import_records


def workbook(rows) -> io.BytesIO:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = "成果.xlsx"
    return buffer


class ImportTests(PersonaTestCase):
    def headers(self):
        return [c.header for c in columns(KINDS["achievements"])]

    def row(self, **values):
        cols = columns(KINDS["achievements"])
        return [values.get(c.name, "") for c in cols]

    def test_template_has_chinese_headers_and_an_example(self):
        response = self.client.get("/resources/achievements/import/template/")
        wb = load_workbook(io.BytesIO(response.content))
        headers = [c.value for c in wb.worksheets[0][1]]
        self.assertIn("成果名称（必填）", headers)
        self.assertIn("技术成熟度（必填）", headers)
        self.assertEqual(wb.worksheets[1].title, "填写说明")

    def test_good_file_imports_every_row_as_drafts(self):
        rows = [
            self.headers(),
            self.row(
                title="成果一",
                summary="简介一",
                trl="6",
                region="南关区",
                chain_nodes="屏,光",
                allows_license="是",
            ),
            self.row(title="成果二", summary="简介二", trl="4级 实验室环境中的部件验证"),
        ]
        result = import_records(self.institute, KINDS["achievements"], rows)
        self.assertEqual(result["imported"], 2)
        first = Achievement.objects.get(title="成果一")
        self.assertEqual(first.status, RecordStatus.DRAFT)
        self.assertTrue(first.allows_license)
        self.assertEqual(sorted(n.name for n in first.chain_nodes.all()), ["光", "屏"])
        self.assertEqual(Achievement.objects.get(title="成果二").trl, 4)

    def test_one_bad_row_rejects_the_whole_file_with_row_and_column(self):
        rows = [
            self.headers(),
            self.row(title="成果一", summary="简介", trl="6"),
            self.row(title="", summary="简介", trl="12"),
            self.row(title="成果三", summary="简介", trl="5", allows_license="也许"),
        ]
        with self.assertRaises(ImportRejected) as ctx:
            import_records(self.institute, KINDS["achievements"], rows)
        errors = ctx.exception.errors
        self.assertTrue(any(e.startswith("第3行：「成果名称」") for e in errors), errors)
        self.assertTrue(
            any(e.startswith("第3行：「技术成熟度（必填）」的“12”不是可选值") for e in errors),
            errors,
        )
        self.assertTrue(any("第4行" in e and "是”或“否" in e for e in errors), errors)
        self.assertFalse(Achievement.objects.exists())

    def test_wrong_headers_are_refused(self):
        with self.assertRaisesMessage(ImportRejected, "表头与模板不符"):
            import_records(self.institute, KINDS["achievements"], [["名称", "简介"], ["a", "b"]])

    def test_upload_runs_as_a_job_and_reports_errors_in_chinese(self):
        self.login(self.institute)
        bad = workbook([self.headers(), self.row(title="成果", summary="简介", trl="abc")])
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post("/resources/achievements/import/", {"file": bad})
        job = Job.objects.get()
        self.assertRedirects(response, f"/jobs/{job.pk}/")
        self.assertEqual(job.status, JobStatus.FAILED)
        page = self.client.get(f"/jobs/{job.pk}/")
        self.assertContains(page, "没有导入任何数据")
        self.assertContains(page, "第2行")
        self.assertFalse(Achievement.objects.exists())

    def test_upload_of_a_good_file_with_submission(self):
        self.login(self.institute)
        good = workbook([self.headers(), self.row(title="成果甲", summary="简介", trl="7")])
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post("/resources/achievements/import/", {"file": good, "submit": "1"})
        self.assertEqual(Job.objects.get().status, JobStatus.SUCCEEDED)
        self.assertEqual(Achievement.objects.get().status, RecordStatus.SUBMITTED)

    def test_wrong_file_type_is_refused_before_any_work(self):
        self.login(self.institute)
        upload = io.BytesIO(b"hello")
        upload.name = "成果.txt"
        response = self.client.post(
            "/resources/achievements/import/", {"file": upload}, follow=True
        )
        self.assertContains(response, "只支持 .xlsx 或 .csv 文件。")
        self.assertFalse(Job.objects.exists())

    def test_an_import_whose_worker_died_runs_again_on_the_kept_file_exactly_once(self):
        from django.core.files.storage import default_storage

        from core.services import jobs

        self.login(self.institute)
        good = workbook([self.headers(), self.row(title="成果甲", summary="简介", trl="7")])
        self.client.post("/resources/achievements/import/", {"file": good})  # queued, not run
        job = Job.objects.get()
        self.assertTrue(default_storage.exists(job.params["path"]))
        # The worker took it and died: RUNNING, nobody holds its lease, nothing imported.
        Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, result={"attempts": 1})
        with self.captureOnCommitCallbacks(execute=True):
            jobs.recover_interrupted_jobs()
        job.refresh_from_db()
        self.assertEqual(job.status, JobStatus.SUCCEEDED)
        self.assertEqual(list(Achievement.objects.values_list("title", flat=True)), ["成果甲"])
        self.assertFalse(default_storage.exists(job.params["path"]))

    def test_a_refused_file_is_not_kept(self):
        from django.core.files.storage import default_storage

        self.login(self.institute)
        bad = workbook([self.headers(), self.row(title="成果", summary="简介", trl="abc")])
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post("/resources/achievements/import/", {"file": bad})
        job = Job.objects.get()
        self.assertEqual(job.status, JobStatus.FAILED)
        self.assertFalse(default_storage.exists(job.params["path"]))

    def test_a_workbook_that_unpacks_to_too_much_is_refused_unread(self):
        import zipfile
        from unittest import mock

        bomb = io.BytesIO()
        with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("xl/worksheets/sheet1.xml", b"0" * (3 * 1024 * 1024))
        bomb.seek(0)
        bomb.name = "成果.xlsx"
        self.login(self.institute)
        with (
            mock.patch("core.services.imports.MAX_UNPACKED_BYTES", 2 * 1024 * 1024),
            self.captureOnCommitCallbacks(execute=True),
        ):
            self.client.post("/resources/achievements/import/", {"file": bomb})
        job = Job.objects.get()
        self.assertEqual(job.status, JobStatus.FAILED)
        self.assertIn("解压后超过 2 MB", job.message)
        self.assertFalse(Achievement.objects.exists())

    def test_a_sheet_longer_than_allowed_is_refused_without_reading_it_all(self):
        from unittest import mock

        from core.services import imports as core_imports

        rows = [self.headers()] + [self.row(title=f"成果{n}", summary="简介") for n in range(40)]
        with mock.patch("core.services.imports.MAX_ROWS", 5):
            read = core_imports.read_rows("成果.xlsx", workbook(rows).getvalue())
            self.assertEqual(len(read), 1 + 6)  # the header and one row past the limit
            with self.assertRaisesMessage(ImportRejected, "一次最多导入 5 行。"):
                import_records(self.institute, KINDS["achievements"], read)

    def test_public_user_cannot_import(self):
        self.login(self.public)
        self.assertEqual(self.client.get("/resources/achievements/import/").status_code, 403)


class ImportCommandTests(PersonaTestCase):
    def test_command_line_import_reports_row_errors_and_imports_nothing(self):
        import tempfile
        from io import StringIO

        from django.core.management import CommandError, call_command

        cols = columns(KINDS["achievements"])
        good_values = {"title": "成果", "summary": "简介", "trl": "6"}
        bad_values = {"title": "成果", "trl": "10"}
        good = [good_values.get(c.name, "") for c in cols]
        bad = [bad_values.get(c.name, "") for c in cols]
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as fh:
            fh.write(workbook([[c.header for c in cols], good, bad]).getvalue())
            fh.flush()
            err = StringIO()
            with self.assertRaisesMessage(CommandError, "没有导入任何数据"):
                call_command(
                    "import_records",
                    fh.name,
                    kind="achievements",
                    user="institute",
                    stderr=err,
                    stdout=StringIO(),
                )
            self.assertIn("第3行", err.getvalue())
            self.assertFalse(Achievement.objects.exists())
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as fh:
            fh.write(workbook([[c.header for c in cols], good]).getvalue())
            fh.flush()
            out = StringIO()
            call_command(
                "import_records",
                fh.name,
                kind="achievements",
                user="institute",
                stdout=out,
                stderr=StringIO(),
            )
            self.assertIn("已导入 1 条科技成果", out.getvalue())
