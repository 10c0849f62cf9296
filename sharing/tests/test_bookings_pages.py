"""The instrument-sharing pages per role: the public list and calendar, booking from the
calendar (and being told the slot was taken), the bookings pages of both sides, a booking's page
(only for its two organisations and the bureau) and the host's slot management."""

import datetime

from django.test import override_settings
from django.utils import timezone

from sharing.choices import BookingStatus, UsageStatus
from sharing.models import Booking, SharingSlot, UsageRecord
from sharing.services import bookings

from .test_bookings_base import HOST_PHONE, SharingTestCase

TAKEN = "该时段已被其他单位预约，请选择其他时段。"
BOOKING = {
    "sample_description": "锂电池正极材料粉末",
    "service_requested": "形貌观察",
    "sample_count": "2",
}


def week_of(slot) -> str:
    day = timezone.localtime(slot.starts_at).date()
    return (day - datetime.timedelta(days=day.weekday())).isoformat()


class InstrumentListPageTests(SharingTestCase):
    def test_the_public_sees_instruments_with_free_slots(self):
        first = self.slot(days=2)
        self.slot(days=3)
        page = self.client.get("/sharing/instruments/")
        self.assertContains(page, "场发射扫描电子显微镜")
        self.assertContains(page, "吉林大学")
        self.assertContains(page, "300元/小时")
        self.assertContains(page, '<td class="num">2</td>', html=False)
        self.assertContains(page, timezone.localtime(first.starts_at).strftime("%m-%d %H:%M"))

    def test_filters_and_empty_states(self):
        self.slot()
        none = self.client.get("/sharing/instruments/", {"q": "核磁共振"})
        self.assertContains(none, "没有符合条件的仪器，请调整筛选条件。")
        found = self.client.get("/sharing/instruments/", {"q": "电子显微", "free": "on"})
        self.assertContains(found, "场发射扫描电子显微镜")
        by_owner = self.client.get("/sharing/instruments/", {"owner": self.university.pk})
        self.assertContains(by_owner, "场发射扫描电子显微镜")
        SharingSlot.objects.all().delete()
        self.assertNotContains(
            self.client.get("/sharing/instruments/", {"free": "on"}), "场发射扫描电子显微镜"
        )

    def test_a_host_sees_its_instruments_with_the_slot_management_link(self):
        self.login(self.institute)
        page = self.client.get("/sharing/instruments/")
        self.assertContains(page, "本单位的共享仪器")
        self.assertContains(page, f"/sharing/instruments/{self.instrument.pk}/slots/")
        self.login(self.enterprise)
        self.assertNotContains(self.client.get("/sharing/instruments/"), "本单位的共享仪器")


class CalendarPageTests(SharingTestCase):
    def setUp(self):
        self.free = self.slot(days=8, hour=9)
        self.taken = self.slot(days=8, hour=14)
        self.book(self.taken, self.other_enterprise)
        self.url = f"/sharing/instruments/{self.instrument.pk}/"

    def test_the_public_sees_the_week_and_is_asked_to_log_in(self):
        page = self.client.get(self.url)  # the week of the next free slot
        self.assertContains(page, "09:00–13:00")
        self.assertContains(page, "可预约")
        self.assertContains(page, "已被预约")
        self.assertContains(page, "登录后预约")
        self.assertContains(page, "以单位用户身份登录后可以预约")
        self.assertNotContains(page, 'name="sample_description"')
        monday = week_of(self.free)
        self.assertContains(page, f"{monday} 至")
        later = self.client.get(self.url, {"week": "2099-01-07"})
        self.assertContains(later, "2099-01-05 至 01-11")
        self.assertContains(later, "本周没有开放时段，请查看其他周。")

    def test_an_enterprise_picks_a_slot_and_books_it(self):
        self.login(self.enterprise)
        page = self.client.get(self.url, {"week": week_of(self.free)})
        self.assertContains(page, f"slot={self.free.pk}#book")
        form = self.client.get(self.url, {"week": week_of(self.free), "slot": self.free.pk})
        self.assertContains(form, 'name="sample_description"')
        self.assertContains(form, "开始前 24 小时以前在线取消")
        response = self.client.post(f"/sharing/slots/{self.free.pk}/book/", BOOKING, follow=True)
        booking = Booking.objects.get(slot=self.free)
        self.assertRedirects(response, f"/sharing/bookings/{booking.pk}/")
        self.assertContains(response, "已提交预约")
        self.assertContains(response, "等待仪器所属单位确认")
        calendar = self.client.get(self.url, {"week": week_of(self.free)})
        self.assertContains(calendar, "本单位已预约")

    def test_a_slot_taken_meanwhile_is_refused_with_the_message_on_the_page(self):
        self.login(self.enterprise)
        response = self.client.post(f"/sharing/slots/{self.taken.pk}/book/", BOOKING)
        self.assertContains(response, TAKEN, status_code=409)
        self.assertEqual(Booking.objects.filter(slot=self.taken).count(), 1)

    def test_missing_fields_are_shown_and_nothing_is_booked(self):
        self.login(self.enterprise)
        response = self.client.post(
            f"/sharing/slots/{self.free.pk}/book/", {**BOOKING, "sample_description": ""}
        )
        self.assertContains(response, "请填写样品描述。", status_code=400)
        self.assertFalse(Booking.objects.filter(slot=self.free).exists())

    def test_the_host_sees_its_own_instrument_and_the_management_link(self):
        self.login(self.institute)
        page = self.client.get(self.url, {"slot": self.free.pk})
        self.assertContains(page, "这是本单位的仪器，不能预约")
        self.assertContains(page, f"/sharing/instruments/{self.instrument.pk}/slots/")
        self.assertNotContains(page, 'name="sample_description"')
        refused = self.client.post(f"/sharing/slots/{self.free.pk}/book/", BOOKING)
        self.assertEqual(refused.status_code, 403)

    def test_roles_that_do_not_book_are_told_so(self):
        for user in (self.city_admin, self.district_admin, self.expert):
            self.login(user)
            with self.subTest(user=str(user)):
                self.assertContains(
                    self.client.get(self.url), "只有企业、高校院所等单位用户可以预约仪器"
                )

    def test_an_unpublished_instrument_is_not_found(self):
        self.instrument.status = "archived"
        self.instrument.save()
        self.assertEqual(self.client.get(self.url).status_code, 404)


class SlotManagementPageTests(SharingTestCase):
    def setUp(self):
        self.url = f"/sharing/instruments/{self.instrument.pk}/slots/"

    def test_only_the_host_manages_slots(self):
        self.assertEqual(self.client.get(self.url).status_code, 302)  # to the login page
        for user in (self.enterprise, self.district_admin, self.expert):
            self.login(user)
            with self.subTest(user=str(user)):
                self.assertEqual(self.client.get(self.url).status_code, 403)
        self.login(self.institute)
        page = self.client.get(self.url)
        self.assertContains(page, "批量开放")
        self.assertContains(page, "还没有开放时段")

    def test_batch_and_single_slots_from_the_forms(self):
        self.login(self.institute)
        start = timezone.localdate() + datetime.timedelta(days=7)
        monday = start - datetime.timedelta(days=start.weekday())
        response = self.client.post(
            self.url,
            {
                "form": "batch",
                "batch-date_from": monday.isoformat(),
                "batch-date_to": (monday + datetime.timedelta(days=6)).isoformat(),
                "batch-weekdays": ["0", "1"],
                "batch-periods": "09:00-12:00, 13:30-17:30",
                "batch-note": "",
            },
            follow=True,
        )
        self.assertContains(response, "已开放4个预约时段")
        self.assertEqual(SharingSlot.objects.count(), 4)
        self.assertContains(response, "13:30–17:30")
        overlap = self.client.post(
            self.url,
            {
                "form": "one",
                "one-starts_at": f"{monday.isoformat()}T10:00",
                "one-ends_at": f"{monday.isoformat()}T11:00",
            },
        )
        self.assertContains(overlap, "与已开放的时段", status_code=400)
        bad = self.client.post(
            self.url,
            {
                "form": "batch",
                "batch-date_from": monday.isoformat(),
                "batch-date_to": monday.isoformat(),
                "batch-periods": "上午",
            },
        )
        self.assertContains(bad, "无法识别时间段“上午”", status_code=400)
        self.assertEqual(SharingSlot.objects.count(), 4)

    def test_withdrawing_a_free_slot_and_not_a_booked_one(self):
        free, taken = self.slot(), self.slot()
        self.book(taken)
        self.login(self.institute)
        page = self.client.get(self.url)
        self.assertContains(page, "长春华锐光电科技有限公司")
        done = self.client.post(f"/sharing/slots/{free.pk}/withdraw/", follow=True)
        self.assertContains(done, "已撤销时段")
        refused = self.client.post(f"/sharing/slots/{taken.pk}/withdraw/", follow=True)
        self.assertContains(refused, "该时段已有预约，请先处理预约")
        self.assertEqual(list(SharingSlot.objects.all()), [taken])
        self.login(self.enterprise)
        self.assertEqual(self.client.post(f"/sharing/slots/{taken.pk}/withdraw/").status_code, 403)


class BookingPagesTests(SharingTestCase):
    def test_a_booking_page_is_for_its_two_organisations_and_the_bureau(self):
        booking = self.book()
        url = f"/sharing/bookings/{booking.pk}/"
        self.assertEqual(self.client.get(url).status_code, 302)
        for user in (self.other_enterprise, self.district_admin, self.leader, self.expert):
            self.login(user)
            with self.subTest(user=str(user)):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 403)
        for user in (self.enterprise, self.institute, self.city_admin):
            self.login(user)
            self.assertContains(self.client.get(url), "锂电池正极材料粉末")

    def test_the_host_approves_from_the_list_and_refuses_with_a_reason(self):
        first, second = self.book(), self.book(user=self.other_enterprise)
        self.login(self.institute)
        listing = self.client.get("/sharing/bookings/", {"side": "host"})
        self.assertContains(listing, "长春华锐光电科技有限公司")
        self.assertContains(listing, "长春启明汽车电子有限公司")
        back = "/sharing/bookings/?side=host"
        response = self.client.post(
            f"/sharing/bookings/{first.pk}/approve/", {"next": back}, follow=True
        )
        self.assertRedirects(response, back)
        self.assertContains(response, "已确认长春华锐光电科技有限公司的预约")
        empty = self.client.post(f"/sharing/bookings/{second.pk}/refuse/", {"reason": ""})
        self.assertContains(empty, "请填写拒绝理由。", status_code=400)
        done = self.client.post(
            f"/sharing/bookings/{second.pk}/refuse/", {"reason": "设备校准"}, follow=True
        )
        self.assertContains(done, "已拒绝该预约，时段已重新开放")
        self.assertContains(done, "设备校准")
        second.refresh_from_db()
        self.assertEqual(second.status, BookingStatus.REFUSED)
        # The requester may not decide.
        self.login(self.enterprise)
        third = self.book()
        self.assertEqual(
            self.client.post(f"/sharing/bookings/{third.pk}/approve/").status_code, 403
        )

    def test_my_bookings_status_filter_and_empty_states(self):
        self.login(self.enterprise)
        self.assertContains(self.client.get("/sharing/bookings/"), "本单位还没有预约仪器")
        self.assertEqual(self.client.get("/sharing/bookings/", {"side": "host"}).status_code, 403)
        booking = self.book()
        page = self.client.get("/sharing/bookings/")
        self.assertContains(page, "场发射扫描电子显微镜")
        self.assertContains(page, "取消预约")
        none = self.client.get("/sharing/bookings/", {"status": "approved"})
        self.assertContains(none, "没有该状态的预约")
        cancel = self.client.post(
            f"/sharing/bookings/{booking.pk}/cancel/", {"next": "/sharing/bookings/"}, follow=True
        )
        self.assertContains(cancel, "预约已取消，该时段已重新开放")
        self.login(self.institute)
        self.assertContains(self.client.get("/sharing/bookings/", {"side": "host"}), "已取消")
        self.login(self.public)
        self.assertEqual(self.client.get("/sharing/bookings/").status_code, 403)

    @override_settings(SHARING_CANCEL_HOURS=24)
    def test_too_late_to_cancel_names_the_deadline_and_the_phone(self):
        booking = self.approved()
        start = timezone.now() + datetime.timedelta(hours=5)
        SharingSlot.objects.filter(pk=booking.slot_id).update(
            starts_at=start, ends_at=start + datetime.timedelta(hours=2)
        )
        self.login(self.enterprise)
        page = self.client.get(f"/sharing/bookings/{booking.pk}/")
        self.assertContains(page, "已超过在线取消期限")
        self.assertContains(page, HOST_PHONE)
        self.assertNotContains(page, f'action="/sharing/bookings/{booking.pk}/cancel/"')
        refused = self.client.post(f"/sharing/bookings/{booking.pk}/cancel/", follow=True)
        self.assertContains(refused, f"请致电仪器所属单位吉林大学：{HOST_PHONE}")
        booking.refresh_from_db()
        self.assertEqual(booking.status, BookingStatus.APPROVED)
        # The host may still cancel, with a reason.
        self.login(self.institute)
        page = self.client.get(f"/sharing/bookings/{booking.pk}/")
        self.assertContains(page, "取消已确认的预约")
        no_reason = self.client.post(f"/sharing/bookings/{booking.pk}/cancel/", {"reason": ""})
        self.assertContains(no_reason, "请填写取消原因", status_code=400)
        done = self.client.post(
            f"/sharing/bookings/{booking.pk}/cancel/", {"reason": "仪器故障"}, follow=True
        )
        self.assertContains(done, "预约已取消")

    def test_usage_is_recorded_confirmed_and_final_on_the_pages(self):
        booking = self.start(self.approved())
        url = f"/sharing/bookings/{booking.pk}/"
        self.login(self.institute)
        self.assertContains(self.client.get(url), "登记使用记录")
        too_long = self.client.post(
            f"{url}usage/",
            {"hours": "5", "samples": "2", "fee": "600", "service_summary": "形貌观察"},
        )
        self.assertContains(too_long, "机时须大于0且不超过该时段的4.00小时", status_code=400)
        done = self.client.post(
            f"{url}usage/",
            {"hours": "2", "samples": "2", "fee": "600", "service_summary": "形貌观察"},
            follow=True,
        )
        self.assertContains(done, "已登记使用记录，等待预约单位确认")
        self.assertContains(done, "待用户确认")
        self.login(self.other_enterprise)
        self.assertEqual(self.client.post(f"{url}confirm/", {"satisfaction": "5"}).status_code, 403)
        self.login(self.enterprise)
        page = self.client.get(url)
        self.assertContains(page, "确认并评价")
        missing = self.client.post(f"{url}confirm/", {"satisfaction": ""})
        self.assertContains(missing, "请选择满意度（1–5分）", status_code=400)
        confirmed = self.client.post(
            f"{url}confirm/", {"satisfaction": "5", "comment": "很专业"}, follow=True
        )
        self.assertContains(confirmed, "已确认使用记录，感谢您的评价")
        self.assertContains(confirmed, "双方已确认")
        self.assertEqual(UsageRecord.objects.get().status, UsageStatus.CONFIRMED)
        self.login(self.institute)
        page = self.client.get(url)
        self.assertNotContains(page, "更正使用记录")
        late = self.client.post(
            f"{url}usage/",
            {"hours": "1", "samples": "2", "fee": "300", "service_summary": "形貌观察"},
            follow=True,
        )
        self.assertContains(late, "已确认的使用记录不能修改")

    def test_a_dispute_and_the_correction_from_the_pages(self):
        booking = self.start(self.approved())
        self.used(booking)
        url = f"/sharing/bookings/{booking.pk}/"
        self.login(self.enterprise)
        self.assertContains(self.client.get("/sharing/bookings/"), f"{url}#confirm")
        disputed = self.client.post(f"{url}dispute/", {"reason": "只用了2小时"}, follow=True)
        self.assertContains(disputed, "已提出异议")
        self.assertContains(disputed, "只用了2小时")
        self.login(self.institute)
        self.assertContains(self.client.get(url), "更正使用记录")
        fixed = self.client.post(
            f"{url}usage/",
            {"hours": "2", "samples": "3", "fee": "600", "service_summary": "形貌观察"},
            follow=True,
        )
        self.assertContains(fixed, "使用记录已更正，等待预约单位重新确认")
        self.assertContains(fixed, "此前的异议")
        self.assertEqual(bookings.get_booking_for(self.institute, booking.pk).usage.hours, 2)
