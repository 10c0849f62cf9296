"""Command-line twins: `kechuang import_figures` and `kechuang pool_scan`."""

import json
import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command

from core.testing import PersonaTestCase
from cultivation.factories import write_enterprise
from cultivation.models import EnterpriseYear
from cultivation.services.imports import columns


def csv_file(rows: list[list[str]]) -> str:
    header = ",".join(c.header for c in columns())
    body = "\n".join(",".join(r) for r in rows)
    path = Path(tempfile.mkdtemp()) / "figures.csv"
    path.write_text(f"{header}\n{body}\n", encoding="utf-8-sig")
    return str(path)


def row(uscc: str, year: str, staff: str, tech: str = "") -> list[str]:
    values = {"organisation": uscc, "year": year, "staff": staff, "tech_staff": tech}
    return [values.get(c.name, "") for c in columns()]


class ImportCommandTests(PersonaTestCase):
    def test_rows_are_imported_as_the_user(self):
        path = csv_file([row(self.enterprise_org.uscc, "2024", "120", "30")])
        out = StringIO()
        call_command("import_figures", path, "--as", "enterprise", stdout=out, stderr=StringIO())
        self.assertIn("新增 1 个年度", out.getvalue())
        self.assertEqual(EnterpriseYear.objects.get().tech_staff, 30)

    def test_one_bad_row_imports_nothing_and_names_the_row(self):
        path = csv_file(
            [
                row(self.enterprise_org.uscc, "2023", "100"),
                row(self.enterprise_org.uscc, "2024", "10", "30"),
            ]
        )
        err = StringIO()
        with self.assertRaisesMessage(CommandError, "没有导入任何数据"):
            call_command(
                "import_figures", path, "--as", "enterprise", stdout=StringIO(), stderr=err
            )
        self.assertIn("第3行：「科技人员数」科技人员数不能多于职工总数", err.getvalue())
        self.assertFalse(EnterpriseYear.objects.exists())

    def test_an_enterprise_may_not_import_another_enterprises_rows(self):
        path = csv_file([row(self.other_enterprise_org.uscc, "2024", "100")])
        err = StringIO()
        with self.assertRaises(CommandError):
            call_command(
                "import_figures", path, "--as", "enterprise", stdout=StringIO(), stderr=err
            )
        self.assertIn("您无权填报", err.getvalue())
        self.assertFalse(EnterpriseYear.objects.exists())

    def test_the_same_enterprise_and_year_twice_in_one_file_is_refused(self):
        path = csv_file(
            [
                row(self.enterprise_org.uscc, "2024", "100"),
                row(self.enterprise_org.uscc, "2024", "90"),
            ]
        )
        err = StringIO()
        with self.assertRaises(CommandError):
            call_command(
                "import_figures", path, "--as", "city_admin", stdout=StringIO(), stderr=err
            )
        self.assertIn("第3行：与第2行是同一企业同一年度", err.getvalue())


class BlankCodeTests(PersonaTestCase):
    def test_a_row_without_the_enterprise_code_is_named_not_a_crash(self):
        path = csv_file([row("", "2024", "100")])
        err = StringIO()
        with self.assertRaises(CommandError):
            call_command(
                "import_figures", path, "--as", "city_admin", stdout=StringIO(), stderr=err
            )
        self.assertIn("第2行：「统一社会信用代码」", err.getvalue())
        self.assertFalse(EnterpriseYear.objects.exists())


class PoolScanCommandTests(PersonaTestCase):
    def test_scan_lists_the_candidate(self):
        write_enterprise(self.enterprise_org, 2024)
        out = StringIO()
        call_command(
            "pool_scan", "--tier", "sme_tech", "--on", "2025-06-01", stdout=out, stderr=StringIO()
        )
        self.assertIn("符合条件未入库 1 家", out.getvalue())
        out = StringIO()
        call_command(
            "pool_scan",
            "--tier",
            "sme_tech",
            "--on",
            "2025-06-01",
            "--json",
            stdout=out,
            stderr=StringIO(),
        )
        self.assertEqual(
            json.loads(out.getvalue())["candidates"][0]["name"], self.enterprise_org.name
        )

    def test_a_bad_date_is_refused_in_words(self):
        with self.assertRaisesMessage(CommandError, "日期格式应为 YYYY-MM-DD"):
            call_command("pool_scan", "--tier", "hte", "--on", "2025-13-01", stderr=StringIO())
