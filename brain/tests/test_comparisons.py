"""Province and national comparison lines loaded from a CSV file, all or nothing."""

import tempfile
import unittest
from decimal import Decimal as D
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import TestCase

from brain.models import ComparisonValue
from brain.services import catalog, comparisons, values
from core.models import AuditEntry, Region, User

SHARED = Path(settings.BASE_DIR).parent / "shared" / "data" / "jilin-st-stats"
HEADER = "province,year,indicator,value,unit"


def write_csv(rows: list[str], source: str | None = None) -> Path:
    folder = Path(tempfile.mkdtemp())
    path = folder / "province-st.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    if source is not None:
        (folder / "SOURCE.md").write_text(
            f"# province-st.csv\nSome notes.\nSource: {source}.\nMore text.\n", encoding="utf-8"
        )
    return path


class LoadComparisonsTests(TestCase):
    def test_rows_are_saved_with_the_source_and_a_second_load_updates_in_place(self):
        path = write_csv(
            [
                "全国,2022,RD强度,2.56,%",
                "吉林,2022,RD强度,1.43,%",
                "吉林,2022,RD经费,188.0,亿元",
            ],
            source="测试统计年鉴（第 3 表）",
        )
        counts = comparisons.load_comparisons(path)
        self.assertEqual(counts, {"created": 3, "updated": 0, "unchanged": 0})
        jilin = ComparisonValue.objects.get(key="RD强度", area="吉林", year=2022)
        self.assertEqual(
            (jilin.value, jilin.unit, jilin.source), (D("1.43"), "%", "测试统计年鉴（第 3 表）")
        )
        path.write_text(
            "\n".join([HEADER, "全国,2022,RD强度,2.56,%", "吉林,2022,RD强度,1.45,%"]) + "\n",
            encoding="utf-8",
        )
        counts = comparisons.load_comparisons(path)
        self.assertEqual(counts, {"created": 0, "updated": 1, "unchanged": 1})
        self.assertEqual(ComparisonValue.objects.get(area="吉林", key="RD强度").value, D("1.45"))
        self.assertTrue(AuditEntry.objects.filter(object_repr__startswith="对比数据").exists())

    def test_bad_rows_are_named_and_nothing_is_saved(self):
        catalog.load_catalog(None)
        path = write_csv(
            [
                "全国,2022,RD强度,2.56,%",
                "吉林,二〇二二,RD强度,1.43,%",
                "吉林,2022,RD强度,很多,%",
                "吉林,2021,RD强度,1.3,亿元",
                "全国,2022,RD强度,2.6,%",
                ",2022,RD经费,10,亿元",
                "吉林,2022,RD经费",
            ]
        )
        with self.assertRaises(comparisons.ImportRejected) as caught:
            comparisons.load_comparisons(path)
        errors = "\n".join(caught.exception.errors)
        self.assertIn("第3行：年份“二〇二二”应为 1990—2100 之间的四位数", errors)
        self.assertIn("第4行：数值“很多”不是数字", errors)
        self.assertIn("第5行：指标“RD强度”的单位应为“%”，而不是“亿元”", errors)
        self.assertIn("第6行：与第2行是同一地区、年份和指标", errors)
        self.assertIn("第7行：地区不能为空", errors)
        self.assertIn("第8行：应有 5 列，实有 3 列", errors)
        self.assertFalse(ComparisonValue.objects.exists())

    def test_the_command_and_its_errors(self):
        out = StringIO()
        call_command(
            "load_comparisons",
            str(write_csv(["全国,2023,RD强度,2.65,%"])),
            "--source",
            "国家统计局",
            stdout=out,
        )
        self.assertIn("新增 1 条", out.getvalue())
        self.assertEqual(ComparisonValue.objects.get().source, "国家统计局")
        err = StringIO()
        with self.assertRaisesMessage(CommandError, "没有导入任何数据"):
            call_command(
                "load_comparisons",
                str(write_csv(["全国,2023,RD强度,x,%"])),
                stdout=StringIO(),
                stderr=err,
            )
        self.assertIn("第2行：数值“x”不是数字", err.getvalue())
        with self.assertRaisesMessage(CommandError, "表头应为 province,year,indicator,value,unit"):
            bad = Path(tempfile.mkdtemp()) / "x.csv"
            bad.write_text("地区,年份\n", encoding="utf-8")
            call_command("load_comparisons", str(bad), stdout=StringIO(), stderr=StringIO())

    def test_the_table_puts_the_city_beside_jilin_and_the_nation(self):
        catalog.load_catalog(None)
        admin = User.objects.create(username="bureau_admin", is_superuser=True)
        city = Region.objects.get(code="220100")
        rd = catalog.Indicator.objects.get(code="rd_intensity")
        values.enter_value(admin, rd, city, "2022", "2.22")
        comparisons.load_comparisons(
            write_csv(
                [
                    "全国,2022,RD强度,2.56,%",
                    "吉林,2022,RD强度,1.43,%",
                    "北京,2022,RD强度,6.83,%",
                    "全国,2021,RD强度,2.43,%",
                ]
            )
        )
        table = comparisons.comparison_table(rd)
        self.assertEqual(table["areas"], ["吉林", "全国"])
        self.assertEqual(
            table["rows"],
            [(2022, D("2.22"), [D("1.43"), D("2.56")]), (2021, None, [None, D("2.43")])],
        )


@unittest.skipUnless((SHARED / "province-st.csv").is_file(), "共享数据 jilin-st-stats 不在本机")
class RealFileTests(TestCase):
    def test_the_shared_province_file_loads_with_its_source(self):
        catalog.load_catalog(None)
        counts = comparisons.load_comparisons(SHARED / "province-st.csv")
        self.assertGreater(counts["created"], 1000)
        self.assertTrue(ComparisonValue.objects.filter(area="吉林", key="RD强度").exists())
        self.assertTrue(ComparisonValue.objects.filter(area="吉林", key="高新技术企业数").exists())
        self.assertIn("huhuaping/techme", ComparisonValue.objects.first().source)
        again = comparisons.load_comparisons(SHARED / "province-st.csv")
        self.assertEqual(again["created"] + again["updated"], 0)
