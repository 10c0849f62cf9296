"""Entering values: periods against the frequency, revisions kept, who may enter where, the
reads other parts of the brain use, and snapshots of computed indicators."""

import datetime
from decimal import Decimal as D
from unittest import mock

from django.core.exceptions import ValidationError
from django.test import SimpleTestCase

from brain.models import Indicator, IndicatorValue
from brain.services import catalog, values
from brain.services.periods import PeriodError, containing, parse, previous
from core.exceptions import NotAllowed, ServiceError
from core.models import AuditEntry, Region
from core.testing import PersonaTestCase


class BrainTestCase(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        catalog.load_catalog(None)
        cls.city = Region.objects.get(code="220100")
        cls.rd = Indicator.objects.get(code="rd_intensity")
        cls.hte = Indicator.objects.get(code="hte_count")
        cls.contracts = Indicator.objects.get(code="tech_contract_amount")


class PeriodTests(SimpleTestCase):
    def test_each_frequency_has_its_form(self):
        self.assertEqual(parse("2025", "year").end, datetime.date(2025, 12, 31))
        q = parse("2025q3", "quarter")
        self.assertEqual(
            (q.text, q.start, q.end),
            ("2025Q3", datetime.date(2025, 7, 1), datetime.date(2025, 9, 30)),
        )
        m = parse("2024-02", "month")
        self.assertEqual(m.end, datetime.date(2024, 2, 29))

    def test_a_period_of_the_wrong_form_says_the_right_one(self):
        with self.assertRaisesMessage(PeriodError, "季度指标的期别写作年份加 Q 和季度，如 2025Q3"):
            parse("2025-07", "quarter")
        with self.assertRaisesMessage(PeriodError, "年度指标的期别写作四位年份"):
            parse("2025Q1", "year")
        with self.assertRaisesMessage(PeriodError, "月度指标"):
            parse("2025-13", "month")
        with self.assertRaisesMessage(PeriodError, "年份应在 1990—2100 之间"):
            parse("1890", "year")

    def test_containing_and_previous(self):
        day = datetime.date(2025, 2, 10)
        self.assertEqual(containing(day, "quarter").text, "2025Q1")
        self.assertEqual(
            [p.text for p in previous(containing(day, "month"), 3)],
            ["2024-12", "2025-01", "2025-02"],
        )


class EnterValueTests(BrainTestCase):
    def test_first_value_then_a_correction_keeps_the_old_row(self):
        first = values.enter_value(self.city_admin, self.rd, self.city, "2024", "2.38", "统计公报")
        self.assertEqual((first.revision, first.is_current), (0, True))
        second = values.enter_value(
            self.city_admin, self.rd, self.city, "2024", "2.39", "统计局修正数"
        )
        first.refresh_from_db()
        self.assertFalse(first.is_current)
        self.assertEqual(
            (second.revision, second.value, second.entered_by), (1, D("2.39"), self.city_admin)
        )
        rows = IndicatorValue.objects.filter(indicator=self.rd, region=self.city, period="2024")
        self.assertEqual(rows.count(), 2)
        entry = AuditEntry.objects.get(
            object_id=str(second.pk), content_type__model="indicatorvalue"
        )
        self.assertEqual(entry.changes["value"], ["2.3800", "2.3900"])
        self.assertEqual(entry.note, "统计局修正数")

    def test_a_correction_needs_a_reason_and_a_different_value(self):
        values.enter_value(self.city_admin, self.rd, self.city, "2024", "2.38")
        with self.assertRaises(ValidationError) as caught:
            values.enter_value(self.city_admin, self.rd, self.city, "2024", "2.40")
        self.assertIn("写明原因", caught.exception.message_dict["note"][0])
        with self.assertRaisesMessage(ServiceError, "现行值已是 2.38，无需修订"):
            values.enter_value(self.city_admin, self.rd, self.city, "2024", "2.380", "再报")
        self.assertEqual(IndicatorValue.objects.count(), 1)

    def test_bad_input_is_named_and_nothing_is_saved(self):
        cases = [
            ("2024Q1", "2.1", "period", "年度指标的期别写作四位年份"),
            ("2024", "abc", "value", "不是数字"),
            ("2024", "", "value", "请填写数值"),
            ("2024", "120", "value", "百分比指标的数值应在 0 到 100 之间"),
            ("2024", "2.123456", "value", "最多保留 4 位小数"),
        ]
        for period, value, field, message in cases:
            with self.subTest(period=period, value=value):
                with self.assertRaises(ValidationError) as caught:
                    values.enter_value(self.city_admin, self.rd, self.city, period, value)
                self.assertIn(message, caught.exception.message_dict[field][0])
        with self.assertRaises(ValidationError) as caught:
            values.enter_value(self.city_admin, self.hte, self.city, "2024", "10.5")
        self.assertIn("应填写不小于 0 的整数", caught.exception.message_dict["value"][0])
        with self.assertRaises(ValidationError):
            values.enter_value(self.city_admin, self.contracts, self.city, "2024", "5")
        self.assertFalse(IndicatorValue.objects.exists())
        self.assertFalse(AuditEntry.objects.filter(content_type__model="indicatorvalue").exists())

    def test_district_admin_enters_only_their_own_district(self):
        saved = values.enter_value(self.district_admin, self.rd, self.hightech_zone, "2025", "5.1")
        self.assertEqual(saved.region, self.hightech_zone)
        with self.assertRaisesMessage(NotAllowed, "区县管理员只能填报本区县的数值"):
            values.enter_value(self.district_admin, self.rd, self.nanguan, "2025", "1.1")
        with self.assertRaisesMessage(NotAllowed, "区县管理员只能填报本区县的数值"):
            values.enter_value(self.district_admin, self.rd, self.city, "2025", "2.4")
        for user in (self.leader, self.enterprise, self.public):
            with self.subTest(user=user.username), self.assertRaises(NotAllowed):
                values.enter_value(user, self.rd, self.hightech_zone, "2025", "5.2", "x")
        self.assertEqual(IndicatorValue.objects.count(), 1)

    def test_an_inactive_indicator_takes_no_values(self):
        Indicator.objects.filter(pk=self.rd.pk).update(active=False)
        self.rd.refresh_from_db()
        with self.assertRaisesMessage(ServiceError, "已停用"):
            values.enter_value(self.city_admin, self.rd, self.city, "2024", "2.38")

    def test_visible_regions_per_role(self):
        self.assertEqual(len(values.visible_regions(self.leader)), 16)
        self.assertEqual(len(values.visible_regions(self.city_admin)), 16)
        self.assertEqual(
            [r.code for r in values.visible_regions(self.district_admin)], ["220100", "220173"]
        )
        with self.assertRaises(NotAllowed):
            values.visible_regions(self.enterprise)
        self.assertEqual(values.enterable_regions(self.leader), [])
        self.assertEqual(
            [r.code for r in values.enterable_regions(self.district_admin)], ["220173"]
        )


class ReadsForTheOtherPartsTests(BrainTestCase):
    def test_current_values_and_series_use_the_latest_revision(self):
        values.enter_value(self.city_admin, self.rd, self.city, "2023", "2.31")
        values.enter_value(self.city_admin, self.rd, self.city, "2024", "2.38")
        values.enter_value(self.city_admin, self.rd, self.city, "2024", "2.40", "修正")
        values.enter_value(self.city_admin, self.rd, self.hightech_zone, "2024", "5.3")
        self.assertEqual(
            values.current_values("rd_intensity", "2024"),
            {"220100": D("2.40"), "220173": D("5.3")},
        )
        self.assertEqual(
            values.current_values("rd_intensity", "2024", regions=["220173", "220102"]),
            {"220173": D("5.3")},
        )
        self.assertEqual(
            values.current_values("rd_intensity", "2024", regions=[self.city]),
            {"220100": D("2.40")},
        )
        self.assertEqual(
            values.series("rd_intensity", "220100"), [("2023", D("2.31")), ("2024", D("2.40"))]
        )

    def test_computed_indicators_fill_in_live_figures(self):
        from cultivation.models import PoolMembership

        PoolMembership.objects.create(
            organisation=self.enterprise_org,
            tier="hte",
            entered_on=datetime.date(2024, 3, 1),
            entry_reason="认定",
            entered_by=self.city_admin,
        )
        found = values.current_values("hte_count", "2024")
        self.assertEqual(found["220100"], D(1))
        self.assertEqual(found["220173"], D(1))
        self.assertEqual(found["220102"], D(0))
        this_year = str(datetime.date.today().year)
        self.assertEqual(values.series("hte_count", "220173")[-1], (this_year, D(1)))


class SnapshotTests(BrainTestCase):
    def test_the_bureau_freezes_live_figures_once(self):
        from cultivation.models import PoolMembership

        PoolMembership.objects.create(
            organisation=self.enterprise_org,
            tier="hte",
            entered_on=datetime.date(2024, 3, 1),
            entry_reason="认定",
            entered_by=self.city_admin,
        )
        counts = values.snapshot(self.city_admin, self.hte, "2024")
        self.assertEqual(counts, {"saved": 16, "unchanged": 0})
        row = IndicatorValue.objects.get(indicator=self.hte, region=self.city, period="2024")
        self.assertEqual((row.value, row.note), (D(1), "平台数据快照"))
        self.assertEqual(
            values.snapshot(self.city_admin, self.hte, "2024"), {"saved": 0, "unchanged": 16}
        )
        # The frozen figure stays although the platform's figure changes later.
        PoolMembership.objects.filter(organisation=self.enterprise_org).update(
            exited_on=datetime.date(2024, 6, 1)
        )
        self.assertEqual(values.current_values("hte_count", "2024")["220100"], D(1))

    def test_only_the_bureau_and_only_computed_indicators(self):
        for user in (self.leader, self.district_admin):
            with self.subTest(user=user.username), self.assertRaises(NotAllowed):
                values.snapshot(user, self.hte, "2024")
        with self.assertRaisesMessage(ServiceError, "不是平台数据实时计算的指标"):
            values.snapshot(self.city_admin, self.rd, "2024")
        with mock.patch(
            "brain.services.values.timezone.localdate", return_value=datetime.date(2024, 5, 1)
        ):
            with self.assertRaises(ValidationError):
                values.snapshot(self.city_admin, self.hte, "2025")
        self.assertFalse(IndicatorValue.objects.exists())
