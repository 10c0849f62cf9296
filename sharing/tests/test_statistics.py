"""Open-sharing statistics: hours offered and used by others, services, users, fees,
satisfaction, per host and per instrument, and who may read whose."""

import datetime
from decimal import Decimal

from django.utils import timezone

from core.exceptions import NotAllowed
from resources.factories import InstrumentFactory
from sharing.choices import BookingStatus, UsageStatus
from sharing.factories import BookingFactory, SlotFactory, UsageFactory
from sharing.services.sharing_stats import (
    HostStats,
    host_statistics,
    instrument_statistics,
    summary,
    visible_hosts,
)

from .test_bookings_base import SharingTestCase

YEAR = 2025


def at(month, day, hour, year=YEAR):
    return timezone.make_aware(datetime.datetime(year, month, day, hour))


class StatisticsTestCase(SharingTestCase):
    """吉林大学 offers its microscope 8 hours in 2025 (two 4-hour slots) plus one slot in 2024;
    the two enterprises used it; a second host, 长春华锐光电, offers a spectrometer."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        inst = cls.instrument
        cls.s1 = SlotFactory(instrument=inst, starts_at=at(3, 3, 9), ends_at=at(3, 3, 13))
        cls.s2 = SlotFactory(instrument=inst, starts_at=at(3, 4, 9), ends_at=at(3, 4, 13))
        cls.s_old = SlotFactory(
            instrument=inst, starts_at=at(12, 1, 9, 2024), ends_at=at(12, 1, 13, 2024)
        )
        UsageFactory(
            booking__slot=cls.s1, booking__requester=cls.enterprise, hours=Decimal("3"),
            fee=Decimal("900"), satisfaction=5,
        )  # fmt: skip
        UsageFactory(
            booking__slot=cls.s2, booking__requester=cls.other_enterprise, hours=Decimal("2.5"),
            fee=Decimal("750"), satisfaction=4,
        )  # fmt: skip
        UsageFactory(booking__slot=cls.s_old, booking__requester=cls.enterprise)  # 2024
        cls.spectrometer = InstrumentFactory(owner=cls.enterprise_org, title="傅里叶红外光谱仪")
        cls.s3 = SlotFactory(
            instrument=cls.spectrometer, starts_at=at(5, 6, 14), ends_at=at(5, 6, 16)
        )
        cls.s4 = SlotFactory(
            instrument=cls.spectrometer, starts_at=at(5, 7, 14), ends_at=at(5, 7, 16)
        )
        UsageFactory(
            booking__slot=cls.s3, booking__requester=cls.broker, hours=Decimal("1"),
            fee=Decimal("200"), satisfaction=4,
        )  # fmt: skip
        # Recorded but not confirmed: not counted.
        UsageFactory(
            booking__slot=cls.s4, booking__requester=cls.other_enterprise,
            status=UsageStatus.RECORDED, satisfaction=None, confirmed_at=None,
        )  # fmt: skip


class HostStatisticsTests(StatisticsTestCase):
    def test_the_figures_of_each_host(self):
        rows = {r.name: r for r in host_statistics(YEAR)}
        self.assertEqual(set(rows), {"吉林大学", "长春华锐光电科技有限公司"})
        jlu = rows["吉林大学"]
        self.assertIsInstance(jlu, HostStats)
        self.assertEqual(jlu.organisation_id, self.university.pk)
        self.assertEqual(jlu.region_id, self.university.region_id)
        self.assertEqual(jlu.instruments, 1)
        self.assertEqual(jlu.hours_offered, Decimal("8.00"))
        self.assertEqual(jlu.hours_used, Decimal("5.50"))
        self.assertEqual(jlu.utilisation, Decimal("0.6875"))
        self.assertEqual(jlu.services, 2)
        self.assertEqual(jlu.outside_users, 2)
        self.assertEqual(jlu.fees, Decimal("1650.00"))
        self.assertEqual(jlu.satisfaction, Decimal("4.50"))
        hr = rows["长春华锐光电科技有限公司"]
        self.assertEqual(
            (hr.hours_offered, hr.hours_used, hr.utilisation, hr.services, hr.satisfaction),
            (Decimal("4.00"), Decimal("1.00"), Decimal("0.2500"), 1, Decimal("4.00")),
        )

    def test_the_year_is_the_local_year_of_the_slot_start(self):
        # 2025-12-31 23:00 in Changchun is 15:00 UTC: it belongs to 2025, not 2026.
        late = SlotFactory(
            instrument=self.instrument, starts_at=at(12, 31, 23), ends_at=at(12, 31, 23) +
            datetime.timedelta(hours=2),
        )  # fmt: skip
        UsageFactory(booking__slot=late, booking__requester=self.enterprise, hours=Decimal("2"))
        jlu = next(r for r in host_statistics(YEAR) if r.name == "吉林大学")
        self.assertEqual(jlu.hours_offered, Decimal("10.00"))
        self.assertEqual(jlu.hours_used, Decimal("7.50"))
        self.assertEqual(jlu.outside_users, 2)  # 长春华锐 counted once
        old = host_statistics(2024)
        self.assertEqual([(r.name, r.hours_offered) for r in old], [("吉林大学", Decimal("4.00"))])
        self.assertEqual(host_statistics(2026), [])

    def test_satisfaction_rounds_half_up_and_utilisation_to_four_places(self):
        s5 = SlotFactory(instrument=self.instrument, starts_at=at(6, 2, 9), ends_at=at(6, 2, 13))
        UsageFactory(
            booking__slot=s5, booking__requester=self.broker, hours=Decimal("1"), satisfaction=4
        )
        jlu = next(r for r in host_statistics(YEAR) if r.name == "吉林大学")
        self.assertEqual(jlu.satisfaction, Decimal("4.33"))  # (5 + 4 + 4) / 3
        self.assertEqual(jlu.utilisation, Decimal("0.5417"))  # 6.5 / 12
        self.assertEqual(jlu.outside_users, 3)

    def test_a_host_without_services_has_zeroes_and_no_satisfaction(self):
        xrd = InstrumentFactory(owner=self.other_enterprise_org, title="X射线衍射仪")
        SlotFactory(instrument=xrd, starts_at=at(7, 1, 9), ends_at=at(7, 1, 12))
        BookingFactory(
            slot__instrument=xrd, slot__starts_at=at(7, 2, 9), slot__ends_at=at(7, 2, 12),
            requester=self.enterprise, status=BookingStatus.APPROVED,
        )  # fmt: skip
        row = next(r for r in host_statistics(YEAR) if r.name == "长春启明汽车电子有限公司")
        self.assertEqual(row.hours_offered, Decimal("6.00"))
        self.assertEqual(
            (row.hours_used, row.utilisation, row.services, row.outside_users, row.fees),
            (Decimal("0.00"), Decimal("0.0000"), 0, 0, Decimal("0.00")),
        )
        self.assertIsNone(row.satisfaction)

    def test_restricted_to_given_organisations(self):
        rows = host_statistics(YEAR, organisations=[self.enterprise_org.pk])
        self.assertEqual([r.name for r in rows], ["长春华锐光电科技有限公司"])
        self.assertEqual(host_statistics(YEAR, organisations=[]), [])
        self.assertEqual(
            host_statistics(YEAR, organisations=iter([self.university.pk]))[0].services, 2
        )

    def test_few_queries(self):
        with self.assertNumQueries(3):
            host_statistics(YEAR)

    def test_the_totals_count_users_once_across_hosts(self):
        totals = summary(YEAR)
        self.assertEqual(totals["hosts"], 2)
        self.assertEqual(totals["instruments"], 2)
        self.assertEqual(totals["hours_offered"], Decimal("12.00"))
        self.assertEqual(totals["hours_used"], Decimal("6.50"))
        self.assertEqual(totals["utilisation"], Decimal("0.5417"))
        self.assertEqual(totals["services"], 3)
        self.assertEqual(totals["outside_users"], 3)
        self.assertEqual(totals["fees"], Decimal("1850.00"))
        self.assertEqual(totals["satisfaction"], Decimal("4.33"))
        empty = summary(2030)
        self.assertIsNone(empty["utilisation"])
        self.assertIsNone(empty["satisfaction"])

    def test_per_instrument_breakdown(self):
        XRD = InstrumentFactory(owner=self.university, title="X射线衍射仪")
        SlotFactory(instrument=XRD, starts_at=at(8, 1, 9), ends_at=at(8, 1, 11))
        rows = instrument_statistics(YEAR, self.university.pk)
        self.assertEqual([r.title for r in rows], ["X射线衍射仪", "场发射扫描电子显微镜"])
        self.assertEqual((rows[0].slots, rows[0].hours_offered), (1, Decimal("2.00")))
        self.assertIsNotNone(rows[0].utilisation)
        self.assertEqual(rows[1].hours_used, Decimal("5.50"))
        self.assertEqual(rows[1].utilisation, Decimal("0.6875"))


class VisibilityTests(StatisticsTestCase):
    def test_who_sees_which_hosts(self):
        self.assertIsNone(visible_hosts(self.city_admin))
        self.assertIsNone(visible_hosts(self.leader))
        district = visible_hosts(self.district_admin)
        self.assertEqual(
            [r.name for r in host_statistics(YEAR, district)], ["长春华锐光电科技有限公司"]
        )
        self.assertEqual(visible_hosts(self.institute), [self.university.pk])
        for user in (self.other_enterprise, self.expert, self.public):
            with self.subTest(user=str(user)):
                with self.assertRaisesMessage(NotAllowed, "可以查看共享统计"):
                    visible_hosts(user)
