"""Two organisations booking the same slot at the same moment, and two hosts opening
overlapping slots at once, each in its own connection (PostgreSQL)."""

import datetime

from django.test import TransactionTestCase, skipUnlessDBFeature
from django.utils import timezone

from core.choices import OrgType, Role
from core.factories import MembershipFactory, OrganisationFactory
from core.testing import ReferenceDataMixin, run_together
from resources.factories import InstrumentFactory
from sharing.models import Booking, SharingSlot
from sharing.services import bookings

TAKEN = "该时段已被其他单位预约，请选择其他时段。"


@skipUnlessDBFeature("has_select_for_update")
class ConcurrentBookingTests(ReferenceDataMixin, TransactionTestCase):
    def setUp(self):
        super().setUp()
        university = OrganisationFactory(name="吉林大学", type=OrgType.UNIVERSITY)
        self.hosts = [
            MembershipFactory(organisation=university, role=Role.INSTITUTE).user for _ in range(2)
        ]
        self.users = [
            MembershipFactory(
                organisation=OrganisationFactory(name=name), role=Role.ENTERPRISE
            ).user
            for name in ("长春华锐光电科技有限公司", "长春启明汽车电子有限公司")
        ]
        self.instrument = InstrumentFactory(owner=university)
        start = timezone.now() + datetime.timedelta(days=2)
        self.slot = bookings.open_slot(
            self.hosts[0], self.instrument, start, start + datetime.timedelta(hours=4)
        )

    def book(self, user):
        return lambda: bookings.book(
            user, SharingSlot.objects.get(pk=self.slot.pk), "样品", "形貌观察", 1
        )

    def test_two_organisations_book_the_same_slot_at_once_exactly_one_holds_it(self):
        for _round in range(3):
            outcomes = run_together(self.book(self.users[0]), self.book(self.users[1]))
            self.assertEqual(sorted(outcomes), sorted(["ok", TAKEN]), outcomes)
            live = Booking.objects.filter(slot=self.slot, status__in=bookings.LIVE_BOOKING)
            self.assertEqual(live.count(), 1)
            # Free the slot for the next round.
            held = Booking.objects.get(slot=self.slot, status="requested")
            bookings.refuse(self.hosts[0], held, "下一轮")
        self.assertEqual(Booking.objects.filter(slot=self.slot).count(), 3)

    def test_two_hosts_opening_overlapping_slots_at_once_one_is_refused(self):
        start = timezone.now() + datetime.timedelta(days=5)

        def open_at(user, offset_hours):
            begin = start + datetime.timedelta(hours=offset_hours)
            return lambda: bookings.open_slot(
                user, self.instrument, begin, begin + datetime.timedelta(hours=3)
            )

        outcomes = run_together(open_at(self.hosts[0], 0), open_at(self.hosts[1], 1))
        self.assertEqual(outcomes.count("ok"), 1, outcomes)
        refusal = next(o for o in outcomes if o != "ok")
        self.assertIn("与已开放的时段", refusal)
        self.assertEqual(SharingSlot.objects.filter(starts_at__gte=start).count(), 1)
