from decimal import Decimal as D
from io import StringIO

from django.core.management import call_command
from django.test import TestCase

from brain.models import Indicator, IndicatorValue
from brain.services import targets, values
from core.models import Region, User


class BrainDemoTests(TestCase):
    def run_demo(self) -> str:
        out = StringIO()
        call_command("demo", "--seed", "3", "--quiet-logins", stdout=out, stderr=StringIO())
        return out.getvalue()

    def test_demo_fills_the_brain_once(self):
        output = self.run_demo()
        self.assertIn("监测指标 13 条", output)
        self.assertEqual(
            [v for _p, v in values.series("rd_intensity", "220100")][:6],
            [D(x) for x in ("2.05", "2.15", "2.22", "2.31", "2.38", "2.42")],
        )
        # Every district, county and development zone has the district index's four figures.
        units = Region.objects.exclude(kind="city")
        self.assertEqual(units.count(), 15)
        for code in (
            "rd_intensity",
            "rd_expenditure",
            "fiscal_st_share",
            "industrial_rd_intensity",
        ):
            for period in ("2024", "2025"):
                found = values.current_values(code, period, regions=units)
                self.assertEqual(len(found), 15, (code, period))
        # The units' R&D spending adds up to the city's (within rounding).
        spent = sum(values.current_values("rd_expenditure", "2025", regions=units).values())
        self.assertAlmostEqual(float(spent), 193.5, delta=1)
        # R&D intensity is behind the plan's path, so the warning shows.
        row = targets.target_row(Indicator.objects.get(code="rd_intensity"))
        self.assertTrue(row.progress.behind)
        # Computed indicators are snapshotted for the current period.
        hte = Indicator.objects.get(code="hte_count")
        self.assertEqual(
            IndicatorValue.objects.filter(indicator=hte, note="平台数据快照").count(), 16
        )
        before = IndicatorValue.objects.count()
        again = self.run_demo()
        self.assertIn("监测指标 0 条，指标数值 0 条，平台数据快照 0 条", again)
        self.assertEqual(IndicatorValue.objects.count(), before)
        # The demo's bureau login sees the targets page with the warning.
        self.client.force_login(User.objects.get(username="demo_leader"))
        self.assertContains(self.client.get("/brain/targets/"), "严重滞后")
