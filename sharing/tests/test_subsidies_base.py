"""What the 先用后补 tests share: the year's policy (30 %, 200,000 yuan a year per organisation,
5,000,000 yuan budget), an instrument of 吉林大学 and confirmed usage records made to order."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from core.testing import PersonaTestCase
from resources.factories import InstrumentFactory
from sharing.choices import BookingStatus, UsageStatus
from sharing.factories import BookingFactory, SlotFactory, SubsidyPolicyFactory, UsageFactory


class SubsidyTestCase(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.year = timezone.localdate().year
        cls.instrument = InstrumentFactory(owner=cls.university, title="场发射扫描电子显微镜")
        cls.policy = SubsidyPolicyFactory(year=cls.year)
        cls._day = 0

    @classmethod
    def usage(cls, user, fee, *, year=None, status=UsageStatus.CONFIRMED, instrument=None):
        """A usage record of `user`'s organisation on a slot in `year` (default: this year)
        with the fee given in yuan."""
        cls._day += 1
        start = timezone.make_aware(
            datetime.datetime(year or cls.year, 1, 2, 9)
        ) + datetime.timedelta(days=cls._day % 300, minutes=cls._day)
        slot = SlotFactory(
            instrument=instrument or cls.instrument,
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=4),
        )
        booking = BookingFactory(slot=slot, requester=user, status=BookingStatus.USED)
        return UsageFactory(booking=booking, fee=Decimal(str(fee)), status=status)
