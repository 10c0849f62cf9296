"""Slots, bookings, cancellation and reminders: every rule and refusal of the service."""

import datetime
from io import StringIO
from unittest import mock

from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from core.exceptions import InvalidTransition, NotAllowed, NotFound, ServiceError
from core.models import AuditEntry, CalendarDay, Notification
from resources.choices import RecordStatus
from resources.factories import InstrumentFactory
from sharing.choices import BookingStatus
from sharing.factories import BookingFactory
from sharing.models import Booking, SharingSlot
from sharing.services import bookings

from .test_bookings_base import HOST_PHONE, SharingTestCase, local

TAKEN = "该时段已被其他单位预约，请选择其他时段。"


def day(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


class SlotTests(SharingTestCase):
    def test_the_host_opens_a_slot_and_it_is_audited(self):
        slot = self.slot(days=2, hour=9)
        self.assertEqual(slot.instrument, self.instrument)
        self.assertEqual(slot.created_by, self.institute)
        self.assertEqual(str(slot.hours), "4.00")
        entry = AuditEntry.objects.get(content_type__model="sharingslot", object_id=str(slot.pk))
        self.assertEqual(entry.actor, self.institute)

    def test_only_the_owner_and_the_bureau_may_open_slots(self):
        start = local(day(2), 9)
        pair = [(start, start + datetime.timedelta(hours=3))]
        for user in (
            self.enterprise,
            self.other_enterprise,
            self.district_admin,
            self.leader,
            self.expert,  # a member of 吉林大学, but as an expert, not for the organisation
            self.public,
            AnonymousUser(),
        ):
            with self.subTest(user=str(user)):
                with self.assertRaisesMessage(NotAllowed, "只有仪器所属单位的用户可以开放预约时段"):
                    bookings.open_slots(user, self.instrument, pair)
        self.assertFalse(SharingSlot.objects.exists())
        self.assertEqual(len(bookings.open_slots(self.city_admin, self.instrument, pair)), 1)

    def test_the_end_must_follow_the_start_and_the_start_must_be_in_the_future(self):
        start = local(day(2), 9)
        with self.assertRaisesMessage(ServiceError, "的结束时间须晚于开始时间"):
            bookings.open_slot(self.institute, self.instrument, start, start)
        past = timezone.now() - datetime.timedelta(hours=1)
        with self.assertRaisesMessage(ServiceError, "的开始时间已过，只能开放将来的时段"):
            bookings.open_slot(
                self.institute, self.instrument, past, past + datetime.timedelta(hours=2)
            )
        self.assertFalse(SharingSlot.objects.exists())

    def test_an_unpublished_instrument_cannot_be_opened(self):
        draft = InstrumentFactory(owner=self.university, status=RecordStatus.DRAFT)
        start = local(day(2), 9)
        with self.assertRaisesMessage(
            InvalidTransition, "仪器发布后才能开放预约（当前状态：草稿）"
        ):
            bookings.open_slot(self.institute, draft, start, start + datetime.timedelta(hours=2))

    def test_an_overlapping_slot_is_refused_naming_both(self):
        self.slot(days=2, hour=9)  # 09:00–13:00
        start = local(day(2), 12)
        with self.assertRaises(InvalidTransition) as caught:
            bookings.open_slot(
                self.institute, self.instrument, start, start + datetime.timedelta(hours=2)
            )
        d = day(2).isoformat()
        self.assertIn(
            f"时段 {d} 12:00–14:00 与已开放的时段 {d} 09:00–13:00 重叠", caught.exception.message
        )
        self.assertEqual(SharingSlot.objects.count(), 1)
        # Touching ends are not an overlap.
        bookings.open_slot(self.institute, self.instrument, local(day(2), 13), local(day(2), 15))
        self.assertEqual(SharingSlot.objects.count(), 2)

    def test_another_instruments_slots_do_not_clash(self):
        other = InstrumentFactory(owner=self.university)
        self.slot(days=2, hour=9)
        self.slot(days=2, hour=9, instrument=other)
        self.assertEqual(SharingSlot.objects.count(), 2)

    def test_a_batch_opens_each_chosen_weekday_and_period(self):
        monday = day(7) - datetime.timedelta(days=day(7).weekday())
        created = bookings.open_batch(
            self.institute,
            self.instrument,
            date_from=monday,
            date_to=monday + datetime.timedelta(days=13),
            weekdays=[0, 2, 4],
            periods="09:00-12:00，13:30-17:30",
            note="需提前送样",
        )
        self.assertEqual(len(created), 2 * 3 * 2)
        self.assertEqual({timezone.localtime(s.starts_at).weekday() for s in created}, {0, 2, 4})
        first = timezone.localtime(created[0].starts_at)
        self.assertEqual((first.date(), first.hour), (monday, 9))
        self.assertEqual(timezone.localtime(created[1].starts_at).strftime("%H:%M"), "13:30")
        self.assertTrue(all(s.note == "需提前送样" for s in created))
        entry = AuditEntry.objects.get(content_type__model="instrument")
        self.assertIn("批量开放12个预约时段", entry.note)

    def test_workdays_only_follows_the_official_calendar(self):
        monday = day(7) - datetime.timedelta(days=day(7).weekday())
        week = [monday + datetime.timedelta(days=n) for n in range(7)]
        for d in week:
            CalendarDay.objects.create(date=d, is_workday=d.weekday() < 5)
        # A holiday on Wednesday and a make-up working Saturday (调休).
        CalendarDay.objects.filter(date=week[2]).update(is_workday=False)
        CalendarDay.objects.filter(date=week[5]).update(is_workday=True)
        created = bookings.open_batch(
            self.institute,
            self.instrument,
            date_from=week[0],
            date_to=week[6],
            periods="09:00-12:00",
            workdays_only=True,
        )
        days = [timezone.localtime(s.starts_at).date() for s in created]
        self.assertEqual(days, [week[0], week[1], week[3], week[4], week[5]])

    def test_a_batch_over_the_limit_is_refused_with_the_count(self):
        with self.assertRaisesMessage(ServiceError, "一次最多开放500个时段，本次为540个"):
            bookings.open_batch(
                self.institute,
                self.instrument,
                date_from=day(1),
                date_to=day(180),
                periods="08:00-09:00, 09:00-10:00, 10:00-11:00",
            )
        self.assertFalse(SharingSlot.objects.exists())

    def test_unreadable_or_reversed_periods_are_refused(self):
        cases = {
            "9点-12点": "无法识别时间段“9点-12点”",
            "12:00-09:00": "时间段“12:00-09:00”的结束时间须晚于开始时间",
            "25:00-26:00": "无法识别时间段“25:00-26:00”",
            "  ": "请填写每天的开放时间段",
        }
        for text, message in cases.items():
            with self.subTest(text=text), self.assertRaisesMessage(ServiceError, message):
                bookings.open_batch(
                    self.institute,
                    self.instrument,
                    date_from=day(1),
                    date_to=day(3),
                    periods=text,
                )
        with self.assertRaisesMessage(ServiceError, "重叠，请检查每天的时间段"):
            bookings.open_batch(
                self.institute,
                self.instrument,
                date_from=day(1),
                date_to=day(1),
                periods="09:00-12:00, 11:00-13:00",
            )
        with self.assertRaisesMessage(ServiceError, "不能早于开始日期"):
            bookings.open_batch(
                self.institute,
                self.instrument,
                date_from=day(3),
                date_to=day(1),
                periods="09:00-12:00",
            )
        self.assertFalse(SharingSlot.objects.exists())

    def test_a_batch_clashing_with_one_existing_slot_opens_nothing(self):
        self.slot(days=3, hour=10, hours=1)
        with self.assertRaisesMessage(InvalidTransition, "与已开放的时段"):
            bookings.open_batch(
                self.institute,
                self.instrument,
                date_from=day(1),
                date_to=day(5),
                periods="09:00-12:00",
            )
        self.assertEqual(SharingSlot.objects.count(), 1)

    def test_a_batch_starting_today_names_the_slot_already_begun(self):
        now = timezone.localtime()
        if now.hour == 0:
            now = now.replace(hour=1)
        with self.assertRaisesMessage(ServiceError, "的开始时间已过"):
            bookings.open_batch(
                self.institute,
                self.instrument,
                date_from=now.date(),
                date_to=now.date() + datetime.timedelta(days=1),
                periods="00:00-00:30",
            )

    def test_a_free_slot_may_be_withdrawn_a_booked_one_not(self):
        free, taken = self.slot(), self.slot()
        self.book(taken)
        with self.assertRaisesMessage(NotAllowed, "只有仪器所属单位的用户可以撤销开放时段"):
            bookings.withdraw_slot(self.enterprise, free)
        with self.assertRaisesMessage(InvalidTransition, "该时段已有预约，请先处理预约"):
            bookings.withdraw_slot(self.institute, taken)
        bookings.withdraw_slot(self.institute, free)
        self.assertEqual(list(SharingSlot.objects.all()), [taken])
        self.assertTrue(
            AuditEntry.objects.filter(content_type__model="sharingslot", action="delete").exists()
        )

    def test_a_slot_whose_booking_was_refused_is_withdrawn_and_kept_for_that_booking(self):
        slot = self.slot(days=4, hour=9)
        refused = bookings.refuse(self.institute, self.book(slot), "样品不符合要求")
        bookings.withdraw_slot(self.institute, slot)
        # Gone from what is offered (calendar, counts), still behind the refused booking.
        self.assertFalse(SharingSlot.objects.filter(pk=slot.pk).exists())
        refused = Booking.objects.get(pk=refused.pk)
        self.assertIsNotNone(refused.slot.withdrawn_at)
        with self.assertRaisesMessage(NotFound, "该时段已被仪器所属单位撤销"):
            self.book(refused.slot, user=self.other_enterprise)
        # The same period may be offered again.
        again = self.slot(days=4, hour=9)
        self.assertNotEqual(again.pk, slot.pk)
        self.assertTrue(
            AuditEntry.objects.filter(
                content_type__model="sharingslot", object_id=str(slot.pk), action="update"
            ).exists()
        )


class BookingTests(SharingTestCase):
    def test_an_enterprise_books_and_the_hosts_members_are_told(self):
        slot = self.slot()
        booking = self.book(slot)
        self.assertEqual(booking.status, BookingStatus.REQUESTED)
        self.assertEqual(booking.organisation, self.enterprise_org)
        self.assertEqual(booking.instrument, self.instrument)
        note = Notification.objects.get(user=self.institute)
        self.assertIn("长春华锐光电科技有限公司预约了“场发射扫描电子显微镜”", note.title)
        self.assertIn("锂电池正极材料粉末", note.body)
        self.assertEqual(note.url, f"/sharing/bookings/{booking.pk}/")
        # The university's expert does not act for it: no notification.
        self.assertFalse(Notification.objects.filter(user=self.expert).exists())
        self.assertTrue(
            AuditEntry.objects.filter(content_type__model="booking", object_id=str(booking.pk))
        )

    def test_the_own_organisations_instrument_cannot_be_booked(self):
        with self.assertRaisesMessage(NotAllowed, "不能预约本单位的仪器"):
            self.book(user=self.institute)
        self.assertFalse(Booking.objects.exists())

    def test_who_may_not_book(self):
        slot = self.slot()
        for user in (self.city_admin, self.district_admin, self.leader, self.expert, self.public):
            with self.subTest(user=str(user)):
                with self.assertRaisesMessage(
                    NotAllowed, "只有企业、高校院所等单位用户可以预约仪器"
                ):
                    self.book(slot, user)
        with self.assertRaisesMessage(NotAllowed, "请先登录"):
            self.book(slot, AnonymousUser())
        self.assertEqual(self.book(slot, self.broker).organisation, self.agency)

    def test_a_started_or_past_slot_cannot_be_booked(self):
        slot = self.slot()
        with self.assertRaisesMessage(InvalidTransition, "已开始或已过期，不能预约"):
            bookings.book(
                self.enterprise,
                slot,
                "样品",
                "测试",
                1,
                now=slot.starts_at + datetime.timedelta(minutes=1),
            )
        self.assertFalse(Booking.objects.exists())

    def test_required_fields_have_specific_messages_and_change_nothing(self):
        slot = self.slot()
        with self.assertRaisesMessage(ServiceError, "请填写样品描述"):
            self.book(slot, sample_description="  ")
        with self.assertRaisesMessage(ServiceError, "请填写服务需求"):
            self.book(slot, service_requested="")
        with self.assertRaisesMessage(ServiceError, "样品数量须为正整数"):
            self.book(slot, sample_count=0)
        with self.assertRaisesMessage(ServiceError, "样品数量须为正整数"):
            self.book(slot, sample_count="三个")
        self.assertFalse(Booking.objects.exists())
        self.assertFalse(Notification.objects.exists())

    def test_a_slot_held_by_a_live_booking_cannot_be_booked_again(self):
        slot = self.slot()
        self.book(slot)
        with self.assertRaisesMessage(InvalidTransition, TAKEN):
            self.book(slot, self.other_enterprise)
        with self.assertRaisesMessage(InvalidTransition, TAKEN):
            self.book(slot)  # nor twice by the same organisation
        self.assertEqual(Booking.objects.count(), 1)

    def test_the_constraint_refuses_a_second_live_booking_with_the_same_message(self):
        # A booking slipped in without the lock (the race on a database without row locks):
        # the check sees nothing, the unique constraint refuses, the user reads the message.
        slot = self.slot()
        BookingFactory(slot=slot, requester=self.other_enterprise)
        with mock.patch("sharing.services.bookings._held", return_value=False):
            with self.assertRaisesMessage(InvalidTransition, TAKEN):
                self.book(slot)
        self.assertEqual(Booking.objects.count(), 1)
        self.assertFalse(Notification.objects.filter(user=self.institute).exists())

    def test_an_unpublished_instrument_cannot_be_booked(self):
        slot = self.slot()
        self.instrument.status = RecordStatus.ARCHIVED
        self.instrument.save()
        slot.refresh_from_db()
        with self.assertRaisesMessage(InvalidTransition, "该仪器已停止共享"):
            self.book(slot)

    def test_a_withdrawn_slot_cannot_be_booked(self):
        slot = self.slot()
        SharingSlot.objects.filter(pk=slot.pk).delete()
        with self.assertRaisesMessage(NotFound, "该时段已被仪器所属单位撤销"):
            self.book(slot)


class DecisionTests(SharingTestCase):
    def test_the_host_approves_and_the_requester_is_told(self):
        booking = self.book()
        with self.assertRaisesMessage(NotAllowed, "只有仪器所属单位的用户可以确认预约"):
            bookings.approve(self.enterprise, booking)
        with self.assertRaisesMessage(NotAllowed, "只有仪器所属单位的用户可以确认预约"):
            bookings.approve(self.other_enterprise, booking)
        booking = bookings.approve(self.institute, booking)
        self.assertEqual(booking.status, BookingStatus.APPROVED)
        self.assertEqual(booking.decided_by, self.institute)
        note = Notification.objects.get(user=self.enterprise)
        self.assertIn("预约已确认：“场发射扫描电子显微镜”", note.title)
        entry = AuditEntry.objects.filter(action="transition", object_id=str(booking.pk)).get()
        self.assertEqual(entry.changes["status"], ["待确认", "已确认"])

    def test_refusing_needs_a_reason_and_frees_the_slot(self):
        booking = self.book()
        with self.assertRaisesMessage(ServiceError, "请填写拒绝理由"):
            bookings.refuse(self.institute, booking, " ")
        booking.refresh_from_db()
        self.assertEqual(booking.status, BookingStatus.REQUESTED)
        bookings.refuse(self.institute, booking, "该时段需做设备校准")
        booking.refresh_from_db()
        self.assertEqual(booking.status, BookingStatus.REFUSED)
        self.assertEqual(booking.reason, "该时段需做设备校准")
        self.assertIn(
            "理由：该时段需做设备校准", Notification.objects.get(user=self.enterprise).title
        )
        again = self.book(booking.slot, self.other_enterprise)
        self.assertEqual(again.status, BookingStatus.REQUESTED)

    def test_only_a_requested_booking_can_be_decided(self):
        booking = self.approved()
        with self.assertRaisesMessage(
            InvalidTransition, "只能处理待确认的预约（当前状态：已确认）"
        ):
            bookings.approve(self.institute, booking)
        with self.assertRaisesMessage(InvalidTransition, "只能处理待确认的预约"):
            bookings.refuse(self.institute, booking, "不行")

    def test_the_bureau_may_decide(self):
        booking = bookings.approve(self.city_admin, self.book())
        self.assertEqual(booking.status, BookingStatus.APPROVED)


@override_settings(SHARING_CANCEL_HOURS=24)
class CancelTests(SharingTestCase):
    def test_a_requested_booking_may_be_cancelled_until_the_start(self):
        booking = self.book()
        just_before = booking.slot.starts_at - datetime.timedelta(minutes=5)
        booking = bookings.cancel(self.enterprise, booking, now=just_before)
        self.assertEqual(booking.status, BookingStatus.CANCELLED)
        self.assertEqual(booking.cancelled_by, self.enterprise)
        self.assertIn(
            "长春华锐光电科技有限公司取消了预约",
            Notification.objects.filter(user=self.institute)[0].title,
        )
        # The slot is free again.
        self.assertEqual(self.book(booking.slot, self.other_enterprise).status, "requested")

    def test_an_approved_booking_until_the_deadline_then_only_by_phone(self):
        booking = self.approved()
        deadline = booking.slot.starts_at - datetime.timedelta(hours=24)
        late = deadline + datetime.timedelta(minutes=1)
        with self.assertRaises(InvalidTransition) as caught:
            bookings.cancel(self.enterprise, booking, now=late)
        message = caught.exception.message
        self.assertIn(f"已超过在线取消期限（{bookings.when(deadline)}，即开始前24小时）", message)
        self.assertIn(f"请致电仪器所属单位吉林大学：{HOST_PHONE}", message)
        booking.refresh_from_db()
        self.assertEqual(booking.status, BookingStatus.APPROVED)
        booking = bookings.cancel(self.enterprise, booking, "样品未准备好", now=deadline)
        self.assertEqual(booking.status, BookingStatus.CANCELLED)
        self.assertEqual(booking.reason, "样品未准备好")

    def test_without_a_phone_the_message_says_to_contact_the_host(self):
        self.university.contact_phone = ""
        self.university.save()
        booking = self.approved()
        late = booking.slot.starts_at - datetime.timedelta(hours=1)
        with self.assertRaisesMessage(InvalidTransition, "请联系仪器所属单位吉林大学。"):
            bookings.cancel(self.enterprise, booking, now=late)

    @override_settings(SHARING_CANCEL_HOURS=2)
    def test_the_deadline_follows_the_setting(self):
        booking = self.approved()
        three_hours_before = booking.slot.starts_at - datetime.timedelta(hours=3)
        booking = bookings.cancel(self.enterprise, booking, now=three_hours_before)
        self.assertEqual(booking.status, BookingStatus.CANCELLED)

    def test_the_host_cancels_an_approved_booking_with_a_reason_even_late(self):
        booking = self.approved()
        late = booking.slot.starts_at - datetime.timedelta(hours=1)
        with self.assertRaisesMessage(ServiceError, "请填写取消原因"):
            bookings.cancel(self.institute, booking, "", now=late)
        booking = bookings.cancel(self.institute, booking, "仪器故障，正在维修", now=late)
        self.assertEqual(booking.status, BookingStatus.CANCELLED)
        note = Notification.objects.filter(user=self.enterprise).first()
        self.assertIn("预约已被仪器所属单位取消", note.title)
        self.assertIn("仪器故障，正在维修", note.title)

    def test_the_host_refuses_rather_than_cancels_a_requested_booking(self):
        booking = self.book()
        with self.assertRaisesMessage(InvalidTransition, "待确认的预约请直接拒绝并说明理由"):
            bookings.cancel(self.institute, booking, "仪器故障")

    def test_others_may_not_cancel_and_nothing_after_the_start(self):
        booking = self.approved()
        for user in (self.other_enterprise, self.district_admin, self.expert):
            with self.subTest(user=str(user)):
                with self.assertRaisesMessage(
                    NotAllowed, "只有预约单位或仪器所属单位的用户可以取消预约"
                ):
                    bookings.cancel(user, booking, "不想要了")
        started = booking.slot.starts_at + datetime.timedelta(minutes=1)
        with self.assertRaisesMessage(InvalidTransition, "预约时段已开始，不能取消"):
            bookings.cancel(self.institute, booking, "仪器故障", now=started)
        bookings.cancel(
            self.enterprise, booking, now=booking.slot.starts_at - datetime.timedelta(days=2)
        )
        with self.assertRaisesMessage(InvalidTransition, "该预约已取消，不能再取消。"):
            bookings.cancel(self.enterprise, booking)


@override_settings(SHARING_REMINDER_HOURS=24)
class ReminderTests(SharingTestCase):
    def test_each_approved_booking_starting_soon_is_reminded_once(self):
        soon = self.approved(self.slot(days=1, hour=9))
        later = self.approved(self.slot(days=5))
        pending = self.book(self.slot(days=1, hour=14), self.other_enterprise)
        now = soon.slot.starts_at - datetime.timedelta(hours=20)
        Notification.objects.all().delete()
        self.assertEqual(bookings.send_reminders(now), 1)
        soon.refresh_from_db()
        self.assertEqual(soon.reminded_at, now)
        note = Notification.objects.get(user=self.enterprise)
        self.assertIn("预约提醒：“场发射扫描电子显微镜”", note.title)
        self.assertIn(
            "长春华锐光电科技有限公司将于", Notification.objects.get(user=self.institute).title
        )
        self.assertEqual(bookings.send_reminders(now), 0)  # idempotent
        self.assertEqual(Notification.objects.count(), 2)
        later.refresh_from_db()
        pending.refresh_from_db()
        self.assertIsNone(later.reminded_at)
        self.assertIsNone(pending.reminded_at)

    def test_the_command_prints_the_count(self):
        booking = self.approved(self.slot(days=1, hour=9))
        start = timezone.now() + datetime.timedelta(hours=3)
        SharingSlot.objects.filter(pk=booking.slot_id).update(
            starts_at=start, ends_at=start + datetime.timedelta(hours=2)
        )
        out = StringIO()
        call_command("sharing_reminders", stdout=out)
        self.assertIn("已发送 1 个预约的提醒", out.getvalue())
        out = StringIO()
        call_command("sharing_reminders", stdout=out)
        self.assertIn("已发送 0 个预约的提醒", out.getvalue())


class VisibilityTests(SharingTestCase):
    def test_a_booking_is_seen_by_its_two_organisations_and_the_bureau_only(self):
        booking = self.book()
        for user in (self.enterprise, self.institute, self.city_admin):
            self.assertEqual(bookings.get_booking_for(user, booking.pk), booking)
        for user in (self.other_enterprise, self.district_admin, self.leader, self.expert):
            with self.subTest(user=str(user)):
                with self.assertRaisesMessage(NotAllowed, "只有预约单位、仪器所属单位和市科技局"):
                    bookings.get_booking_for(user, booking.pk)
        with self.assertRaisesMessage(NotFound, "预约不存在"):
            bookings.get_booking_for(self.enterprise, booking.pk + 100)

    def test_the_two_sides_of_the_bookings_list(self):
        mine = self.book()
        theirs = self.book(user=self.other_enterprise)
        self.assertEqual(list(bookings.bookings_for(self.enterprise)), [mine])
        self.assertEqual(set(bookings.bookings_for(self.institute, "host")), {mine, theirs})
        self.assertFalse(bookings.bookings_for(self.enterprise, "host").exists())
        self.assertEqual(bookings.bookings_for(self.city_admin, "host").count(), 2)
        self.assertFalse(bookings.bookings_for(self.district_admin).exists())
        bookings.approve(self.institute, mine)
        self.assertEqual(
            list(bookings.bookings_for(self.institute, "host", BookingStatus.APPROVED)), [mine]
        )

    def test_slot_states_as_each_viewer_sees_them(self):
        free, mine, theirs = self.slot(), self.slot(), self.slot()
        self.book(mine)
        self.book(theirs, self.other_enterprise)
        past = self.slot()
        SharingSlot.objects.filter(pk=past.pk).update(
            starts_at=timezone.now() - datetime.timedelta(hours=3),
            ends_at=timezone.now() - datetime.timedelta(hours=1),
        )
        past.refresh_from_db()
        states = bookings.slot_states([free, mine, theirs, past], self.enterprise)
        self.assertEqual(
            [states[s.pk] for s in (free, mine, theirs, past)], ["free", "mine", "booked", "past"]
        )
        public = bookings.slot_states([mine], AnonymousUser())
        self.assertEqual(public[mine.pk], "booked")

    def test_the_instrument_list_counts_free_future_slots(self):
        first, second = self.slot(days=2), self.slot(days=3)
        self.book(first)
        InstrumentFactory(owner=self.university, title="X射线衍射仪")
        rows = {i.title: i for i in bookings.instruments_for()}
        self.assertEqual(rows["场发射扫描电子显微镜"].free_slots, 1)
        self.assertEqual(rows["场发射扫描电子显微镜"].next_free, second.starts_at)
        self.assertEqual(rows["X射线衍射仪"].free_slots, 0)
        only_free = [i.title for i in bookings.instruments_for(free_only=True)]
        self.assertEqual(only_free, ["场发射扫描电子显微镜"])
        self.assertEqual([i.title for i in bookings.instruments_for(q="衍射")], ["X射线衍射仪"])
