"""Loading the indicator catalog from its data file: idempotent, audited, all or nothing."""

import json
import tempfile
from decimal import Decimal as D
from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command
from django.test import TestCase

from brain.models import Indicator
from brain.services import catalog
from core.choices import AuditAction
from core.exceptions import NotAllowed
from core.models import AuditEntry
from core.testing import PersonaTestCase


def write_catalog(items: list[dict]) -> Path:
    path = Path(tempfile.mkdtemp()) / "indicators.json"
    path.write_text(json.dumps({"indicators": items}, ensure_ascii=False), encoding="utf-8")
    return path


def shipped_items() -> list[dict]:
    return json.loads(catalog.CATALOG_FILE.read_text(encoding="utf-8"))["indicators"]


class LoadCatalogTests(TestCase):
    def test_the_shipped_catalog_loads_with_its_baselines_and_targets(self):
        counts = catalog.load_catalog(None)
        self.assertEqual(counts["created"], len(shipped_items()))
        rd = Indicator.objects.get(code="rd_intensity")
        self.assertEqual((rd.baseline_year, rd.baseline_value), (2020, D("2.05")))
        self.assertEqual((rd.target_year, rd.target_value), (2025, D("2.6")))
        self.assertEqual(rd.comparison_key, "RD强度")
        self.assertEqual(Indicator.objects.get(code="hte_count").computer, "cultivation_hte")
        self.assertEqual(list(Indicator.objects.values_list("code", flat=True))[0], "rd_intensity")
        self.assertEqual(
            AuditEntry.objects.filter(action=AuditAction.CREATE).count(), counts["created"]
        )

    def test_loading_again_changes_nothing(self):
        catalog.load_catalog(None)
        before = AuditEntry.objects.count()
        counts = catalog.load_catalog(None)
        self.assertEqual(counts["created"] + counts["updated"] + counts["deactivated"], 0)
        self.assertEqual(AuditEntry.objects.count(), before)

    def test_a_changed_field_is_updated_and_audited_and_a_dropped_code_switched_off(self):
        catalog.load_catalog(None)
        items = shipped_items()
        items[0]["target_value"] = 2.7
        items[0]["name"] = "研发投入强度"
        dropped = items.pop()
        counts = catalog.load_catalog(None, write_catalog(items))
        self.assertEqual((counts["updated"], counts["deactivated"]), (1, 1))
        rd = Indicator.objects.get(code="rd_intensity")
        self.assertEqual((rd.name, rd.target_value), ("研发投入强度", D("2.7")))
        entry = AuditEntry.objects.filter(action=AuditAction.UPDATE, object_id=str(rd.pk)).get()
        self.assertEqual(entry.changes["name"], ["全社会研发投入强度", "研发投入强度"])
        self.assertFalse(Indicator.objects.get(code=dropped["code"]).active)

    def test_a_bad_file_changes_nothing_and_names_each_problem(self):
        catalog.load_catalog(None)
        items = shipped_items()
        items[0]["direction"] = "up"
        items[1]["baseline_value"] = "很多"
        items[2]["computer"] = "nowhere"
        items[3].update(baseline_year=2026, baseline_value=100)
        items[5]["baseline_year"] = 2020
        items.append(dict(items[4]))
        with self.assertRaises(catalog.ImportRejected) as caught:
            catalog.load_catalog(None, write_catalog(items))
        errors = "\n".join(caught.exception.errors)
        self.assertIn("指标“rd_intensity”：方向应为 higher 或 lower", errors)
        self.assertIn("指标“rd_expenditure”：“baseline_value”应为数字", errors)
        self.assertIn("指标“hte_count”：计算函数“nowhere”不存在", errors)
        self.assertIn("指标“sme_tech_count”：目标年份应晚于基期年份", errors)
        self.assertIn("指标“leader_count”：基期年份和基期值须同时填写", errors)
        self.assertIn("代码重复", errors)
        self.assertEqual(Indicator.objects.get(code="rd_intensity").direction, "higher")


class CatalogPermissionTests(PersonaTestCase):
    def test_only_the_bureau_loads_the_catalog(self):
        for user in (self.leader, self.district_admin, self.enterprise):
            with self.subTest(user=user.username), self.assertRaises(NotAllowed):
                catalog.load_catalog(user)
        self.assertFalse(Indicator.objects.exists())
        self.assertEqual(catalog.load_catalog(self.city_admin)["created"], len(shipped_items()))
        self.assertTrue(AuditEntry.objects.filter(actor=self.city_admin).exists())


class LoadIndicatorsCommandTests(TestCase):
    def test_command_loads_and_reports(self):
        out = StringIO()
        call_command("load_indicators", stdout=out)
        self.assertIn(f"新增 {len(shipped_items())} 个", out.getvalue())
        out = StringIO()
        call_command("load_indicators", stdout=out)
        self.assertIn("新增 0 个，更新 0 个", out.getvalue())

    def test_command_prints_the_problems_of_a_bad_file(self):
        items = shipped_items()
        items[0]["frequency"] = "weekly"
        err = StringIO()
        with self.assertRaisesMessage(CommandError, "没有改动任何指标"):
            call_command(
                "load_indicators",
                "--file",
                str(write_catalog(items)),
                stdout=StringIO(),
                stderr=err,
            )
        self.assertIn("频率应为 year、quarter 或 month", err.getvalue())
        self.assertFalse(Indicator.objects.exists())
