"""The arithmetic of progress toward a target, checked against figures worked by hand."""

from decimal import Decimal as D

from django.test import SimpleTestCase

from brain.services.progress import (
    ON_TRACK,
    REACHED,
    SERIOUS,
    TREND,
    UNJUDGED,
    WARNING,
    assess,
)

# 研发投入强度: baseline 2020 2.05 %, target 2025 2.60 %.
RD = {"direction": "higher", "baseline_year": 2020, "baseline_value": D("2.05")}
RD_TARGET = {"target_year": 2025, "target_value": D("2.60")}


class HandComputedTests(SimpleTestCase):
    def test_rd_intensity_2023(self):
        # 2023, actual 2.31:
        #   elapsed share  = (2023 − 2020) / (2025 − 2020) = 3/5 = 0.6  → 60 %
        #   expected       = 2.05 + (2.60 − 2.05) × 0.6 = 2.05 + 0.33 = 2.38
        #   gap            = 2.31 − 2.38 = −0.07
        #   percent of way = (2.31 − 2.05) / (2.60 − 2.05) = 0.26 / 0.55 = 0.472727… → 47.27 %
        #   required pace  = (2.60 − 2.31) / (2025 − 2023) = 0.29 / 2 = 0.145 per year
        #   average pace   = (2.31 − 2.05) / (2023 − 2020) = 0.26 / 3 = 0.08666… per year
        #   behind: 2.31 < 2.38; serious: 47.27 % < 0.8 × 60 % = 48 % → 严重滞后
        p = assess(year=2023, actual=D("2.31"), **RD, **RD_TARGET)
        self.assertEqual(p.elapsed, D("60"))
        self.assertEqual(p.expected, D("2.38"))
        self.assertEqual(p.gap, D("-0.07"))
        self.assertEqual(round(p.percent, 2), D("47.27"))
        self.assertEqual(p.required_pace, D("0.145"))
        self.assertEqual(round(p.average_pace, 5), D("0.08667"))
        self.assertEqual(p.target_gap, D("-0.29"))
        self.assertEqual(p.status, SERIOUS)
        self.assertTrue(p.behind)

    def test_rd_intensity_2022_is_a_warning_not_serious(self):
        # 2022, actual 2.22:
        #   elapsed share = 2/5 = 0.4 → 40 %;  expected = 2.05 + 0.55 × 0.4 = 2.27
        #   percent       = 0.17 / 0.55 = 0.30909… → 30.91 %;  0.8 × 40 % = 32 % → serious
        # 2022, actual 2.23 instead:
        #   percent = 0.18 / 0.55 = 0.32727… → 32.73 % ≥ 32 %, still 2.23 < 2.27 → 预警
        self.assertEqual(assess(year=2022, actual=D("2.22"), **RD, **RD_TARGET).status, SERIOUS)
        p = assess(year=2022, actual=D("2.23"), **RD, **RD_TARGET)
        self.assertEqual(p.expected, D("2.27"))
        self.assertEqual(round(p.percent, 2), D("32.73"))
        self.assertEqual(p.status, WARNING)

    def test_a_lower_is_better_indicator(self):
        # 单位GDP能耗 style: baseline 2020 1.00, target 2025 0.80, lower is better.
        # 2024, actual 0.86:
        #   share = 4/5 = 0.8;  expected = 1.00 + (0.80 − 1.00) × 0.8 = 0.84
        #   behind: 0.86 > 0.84;  percent = (0.86 − 1.00) / (0.80 − 1.00) = 0.7 → 70 %
        #   0.8 × 80 % = 64 % → 70 % is not below → 预警
        #   required pace = (0.80 − 0.86) / 1 = −0.06
        p = assess(
            direction="lower",
            year=2024,
            actual=D("0.86"),
            baseline_year=2020,
            baseline_value=D("1.00"),
            target_year=2025,
            target_value=D("0.80"),
        )
        self.assertEqual(p.expected, D("0.84"))
        self.assertEqual(p.percent, D("70"))
        self.assertEqual(p.required_pace, D("-0.06"))
        self.assertEqual(p.status, WARNING)


class EarlyWarningBoundaryTests(SimpleTestCase):
    """At 2024 the path expects 2.05 + 0.55 × 0.8 = 2.49; serious below 0.8 × 80 % = 64 % of the
    way, i.e. below 2.05 + 0.55 × 0.64 = 2.402."""

    def status(self, actual: str, direction: str = "higher") -> str:
        return assess(
            year=2024, actual=D(actual), **{**RD, "direction": direction}, **RD_TARGET
        ).status

    def test_equal_to_the_path_is_not_behind(self):
        self.assertEqual(self.status("2.49"), ON_TRACK)

    def test_just_below_the_path_is_a_warning(self):
        self.assertEqual(self.status("2.4899"), WARNING)

    def test_just_above_the_path_is_on_track(self):
        self.assertEqual(self.status("2.4901"), ON_TRACK)

    def test_exactly_eighty_percent_of_the_time_share_is_only_a_warning(self):
        self.assertEqual(self.status("2.402"), WARNING)

    def test_just_below_eighty_percent_of_the_time_share_is_serious(self):
        self.assertEqual(self.status("2.4019"), SERIOUS)

    def test_lower_is_better_equal_to_the_path_is_not_behind(self):
        kwargs = {
            "direction": "lower",
            "year": 2024,
            "baseline_year": 2020,
            "baseline_value": D("1.00"),
            "target_year": 2025,
            "target_value": D("0.80"),
        }
        self.assertEqual(assess(actual=D("0.84"), **kwargs).status, ON_TRACK)
        self.assertEqual(assess(actual=D("0.8401"), **kwargs).status, WARNING)
        self.assertEqual(assess(actual=D("0.8399"), **kwargs).status, ON_TRACK)


class OtherCasesTests(SimpleTestCase):
    def test_reaching_the_target_is_reported_as_reached(self):
        p = assess(year=2024, actual=D("2.60"), **RD, **RD_TARGET)
        self.assertEqual(p.status, REACHED)
        self.assertEqual(p.bar, D("100"))

    def test_after_the_target_year_the_path_ends_at_the_target(self):
        # 2026, actual 2.50: share kept at 1, expected = 2.60, no yearly pace left to require.
        p = assess(year=2026, actual=D("2.50"), **RD, **RD_TARGET)
        self.assertEqual(p.elapsed, D("100"))
        self.assertEqual(p.expected, D("2.60"))
        self.assertIsNone(p.required_pace)
        self.assertEqual(p.status, WARNING)  # 0.45 / 0.55 = 81.8 % ≥ 80 %

    def test_the_baseline_year_has_no_average_pace(self):
        p = assess(year=2020, actual=D("2.05"), **RD, **RD_TARGET)
        self.assertIsNone(p.average_pace)
        self.assertEqual(p.percent, D("0"))
        self.assertEqual(p.status, ON_TRACK)

    def test_without_a_target_only_the_trend(self):
        p = assess(year=2024, actual=D("182.6"), **RD)
        self.assertEqual(p.status, TREND)
        self.assertIsNone(p.expected)
        self.assertIsNone(p.percent)

    def test_a_target_without_a_baseline_cannot_be_behind(self):
        # 2023, actual 0.85 against 1.00 in 2025: required pace (1.00 − 0.85) / 2 = 0.075.
        p = assess(
            direction="higher",
            year=2023,
            actual=D("0.85"),
            target_year=2025,
            target_value=D("1.00"),
        )
        self.assertEqual(p.status, UNJUDGED)
        self.assertEqual(p.required_pace, D("0.075"))
        self.assertIsNone(p.expected)
        reached = assess(
            direction="higher", year=2025, actual=D("1.02"), target_year=2025, target_value=D("1")
        )
        self.assertEqual(reached.status, REACHED)

    def test_a_negative_way_keeps_the_bar_at_zero(self):
        p = assess(year=2024, actual=D("1.90"), **RD, **RD_TARGET)
        self.assertLess(p.percent, 0)
        self.assertEqual(p.bar, D("0"))
        self.assertEqual(p.status, SERIOUS)
