"""What the instrument-sharing tests share (no tests of its own): 吉林大学's electron microscope
with slots from tomorrow, bookings and usage taken through the services."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from core.testing import PersonaTestCase
from resources.factories import InstrumentFactory
from sharing.models import Booking, SharingSlot
from sharing.services import bookings, usage

HOST_PHONE = "0431-85166666"


def local(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


class SharingTestCase(PersonaTestCase):
    """`self.institute` acts for 吉林大学, the host of `self.instrument`; the two enterprises
    book; `self.city_admin` is the bureau."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.university.contact_phone = HOST_PHONE
        cls.university.save()
        cls.instrument = InstrumentFactory(
            owner=cls.university, title="场发射扫描电子显微镜", fee="300元/小时"
        )

    def slot(self, days=None, hour: int = 9, hours: int = 4, instrument=None) -> SharingSlot:
        """A slot opened by the host, `days` from today (default: a day after the last slot
        opened) at `hour` (local time)."""
        instrument = instrument or self.instrument
        if days is None:
            days = 3 + SharingSlot.objects.filter(instrument=instrument).count()
        day = timezone.localdate() + datetime.timedelta(days=days)
        start = local(day, hour)
        return bookings.open_slots(
            self.institute,
            instrument,
            [(start, start + datetime.timedelta(hours=hours))],
        )[0]

    def book(self, slot=None, user=None, **overrides) -> Booking:
        values = {
            "sample_description": "锂电池正极材料粉末，约5克",
            "service_requested": "表面形貌观察与能谱分析",
            "sample_count": 3,
        }
        values.update(overrides)
        return bookings.book(user or self.enterprise, slot or self.slot(), **values)

    def approved(self, slot=None, user=None) -> Booking:
        return bookings.approve(self.institute, self.book(slot, user))

    def start(self, booking: Booking, hours_ago: int = 5) -> Booking:
        """Move the booking's slot into the past, as if it had taken place."""
        start = timezone.now() - datetime.timedelta(hours=hours_ago)
        SharingSlot.objects.filter(pk=booking.slot_id).update(
            starts_at=start, ends_at=start + datetime.timedelta(hours=4)
        )
        booking.refresh_from_db()
        booking.slot.refresh_from_db()
        return booking

    def used(self, booking=None, **overrides):
        booking = booking or self.start(self.approved())
        values = {
            "hours": Decimal("3.5"),
            "samples": 3,
            "fee": Decimal("1050"),
            "service_summary": "完成3个样品的形貌观察与能谱分析，出具测试报告。",
        }
        values.update(overrides)
        return usage.record_usage(self.institute, booking, **values)
