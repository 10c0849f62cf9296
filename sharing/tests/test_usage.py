"""Usage records: the host records, the booking unit confirms or disputes, the host corrects;
confirmed records are final."""

from decimal import Decimal

from core.exceptions import InvalidTransition, NotAllowed, ServiceError
from core.models import AuditEntry, Notification
from sharing.choices import BookingStatus, UsageStatus
from sharing.models import UsageRecord
from sharing.services import bookings, usage

from .test_bookings_base import SharingTestCase


class RecordTests(SharingTestCase):
    def test_the_host_records_usage_after_the_start_and_the_user_is_asked_to_confirm(self):
        booking = self.start(self.approved())
        Notification.objects.all().delete()
        record = self.used(booking)
        self.assertEqual(record.status, UsageStatus.RECORDED)
        self.assertEqual(record.hours, Decimal("3.50"))
        self.assertEqual(record.fee, Decimal("1050.00"))
        booking.refresh_from_db()
        self.assertEqual(booking.status, BookingStatus.USED)
        note = Notification.objects.get(user=self.enterprise)
        self.assertIn("请确认使用记录", note.title)
        self.assertIn("机时3.50小时，样品3个，收费1,050.00元", note.body)
        self.assertTrue(
            AuditEntry.objects.filter(content_type__model="usagerecord", action="create").exists()
        )

    def test_not_before_the_slot_has_started(self):
        booking = self.approved()
        with self.assertRaisesMessage(InvalidTransition, "后才能登记使用记录"):
            self.used(booking)
        self.assertFalse(UsageRecord.objects.exists())

    def test_only_for_an_approved_booking_and_only_once(self):
        requested = self.start(self.book())
        with self.assertRaisesMessage(
            InvalidTransition, "只能为已确认的预约登记使用记录（当前状态：待确认）"
        ):
            self.used(requested)
        booking = self.start(self.approved())
        self.used(booking)
        booking.refresh_from_db()
        with self.assertRaisesMessage(InvalidTransition, "该预约已登记使用记录"):
            self.used(booking)
        self.assertEqual(UsageRecord.objects.count(), 1)

    def test_only_the_host_records(self):
        booking = self.start(self.approved())
        for user in (self.enterprise, self.other_enterprise, self.district_admin):
            with self.subTest(user=str(user)):
                with self.assertRaisesMessage(NotAllowed, "只有仪器所属单位的用户可以登记使用记录"):
                    usage.record_usage(
                        user, booking, hours=1, samples=1, fee=0, service_summary="测试"
                    )
        self.assertFalse(UsageRecord.objects.exists())

    def test_bad_values_get_specific_messages_and_change_nothing(self):
        booking = self.start(self.approved())
        cases = [
            ({"hours": "0"}, "机时须大于0且不超过该时段的4.00小时，填写的是0.00小时"),
            ({"hours": "4.5"}, "机时须大于0且不超过该时段的4.00小时，填写的是4.50小时"),
            ({"hours": "三小时"}, "机时须为数字"),
            ({"samples": -1}, "样品数须为不小于0的整数"),
            ({"fee": "-1"}, "收费金额不能为负数"),
            ({"fee": ""}, "请填写收费金额"),
            ({"service_summary": " "}, "请填写服务内容"),
        ]
        for values, message in cases:
            with self.subTest(values=values), self.assertRaisesMessage(ServiceError, message):
                self.used(booking, **values)
        booking.refresh_from_db()
        self.assertEqual(booking.status, BookingStatus.APPROVED)
        self.assertFalse(UsageRecord.objects.exists())
        # The whole slot and no fee are fine.
        record = self.used(booking, hours="4", fee="0")
        self.assertEqual(record.hours, Decimal("4.00"))


class ConfirmTests(SharingTestCase):
    def setUp(self):
        self.record = self.used()

    def test_the_booking_unit_confirms_with_a_satisfaction_score(self):
        Notification.objects.all().delete()
        record = usage.confirm_usage(self.enterprise, self.record, 4, "报告及时，数据清晰。")
        self.assertEqual(record.status, UsageStatus.CONFIRMED)
        self.assertEqual(record.satisfaction, 4)
        self.assertEqual(record.confirmed_by, self.enterprise)
        note = Notification.objects.get(user=self.institute)
        self.assertIn("使用记录已确认", note.title)
        self.assertIn("满意度4分", note.title)

    def test_satisfaction_is_required_and_between_one_and_five(self):
        for value in (None, "", 0, 6, "很好", True):
            with self.subTest(value=value):
                with self.assertRaisesMessage(ServiceError, "请选择满意度（1–5分）"):
                    usage.confirm_usage(self.enterprise, self.record, value)
        self.record.refresh_from_db()
        self.assertEqual(self.record.status, UsageStatus.RECORDED)

    def test_only_the_booking_unit_confirms(self):
        for user in (self.institute, self.other_enterprise, self.city_admin):
            with self.subTest(user=str(user)):
                with self.assertRaisesMessage(NotAllowed, "只有预约单位的用户可以确认使用记录"):
                    usage.confirm_usage(user, self.record, 5)

    def test_a_confirmed_record_is_final(self):
        usage.confirm_usage(self.enterprise, self.record, 5)
        with self.assertRaisesMessage(InvalidTransition, "已确认的使用记录不能修改"):
            usage.correct_usage(
                self.institute,
                self.record,
                hours="1",
                samples=1,
                fee="100",
                service_summary="改一下",
            )
        with self.assertRaisesMessage(InvalidTransition, "已确认的使用记录不能修改"):
            usage.dispute_usage(self.enterprise, self.record, "收费偏高")
        with self.assertRaisesMessage(InvalidTransition, "该使用记录已确认"):
            usage.confirm_usage(self.enterprise, self.record, 3)
        self.record.refresh_from_db()
        self.assertEqual(self.record.satisfaction, 5)
        self.assertEqual(self.record.hours, Decimal("3.50"))


class DisputeTests(SharingTestCase):
    def setUp(self):
        self.record = self.used()

    def test_a_dispute_needs_a_reason_and_tells_the_host(self):
        with self.assertRaisesMessage(ServiceError, "请填写异议说明"):
            usage.dispute_usage(self.enterprise, self.record, "")
        with self.assertRaisesMessage(NotAllowed, "只有预约单位的用户可以对使用记录提出异议"):
            usage.dispute_usage(self.other_enterprise, self.record, "不对")
        Notification.objects.all().delete()
        record = usage.dispute_usage(self.enterprise, self.record, "实际只用了2小时")
        self.assertEqual(record.status, UsageStatus.DISPUTED)
        self.assertIn("实际只用了2小时", Notification.objects.get(user=self.institute).title)
        with self.assertRaisesMessage(InvalidTransition, "请等待仪器所属单位更正后再确认"):
            usage.confirm_usage(self.enterprise, record, 5)

    def test_the_host_corrects_and_the_audit_keeps_before_and_after(self):
        usage.dispute_usage(self.enterprise, self.record, "实际只用了2小时")
        with self.assertRaisesMessage(NotAllowed, "只有仪器所属单位的用户可以更正使用记录"):
            usage.correct_usage(
                self.enterprise, self.record, hours="2", samples=3, fee="600", service_summary="x"
            )
        Notification.objects.all().delete()
        record = usage.correct_usage(
            self.institute,
            self.record,
            hours="2",
            samples=3,
            fee="600",
            service_summary="完成3个样品的形貌观察。",
        )
        self.assertEqual(record.status, UsageStatus.RECORDED)
        self.assertEqual(record.hours, Decimal("2.00"))
        entry = AuditEntry.objects.filter(content_type__model="usagerecord", action="update").get()
        self.assertEqual(entry.changes["hours"], ["3.50", "2.00"])
        self.assertEqual(entry.changes["fee"], ["1050.00", "600.00"])
        self.assertEqual(entry.changes["status"], ["用户有异议", "待用户确认"])
        self.assertIn("原异议：实际只用了2小时", entry.note)
        self.assertIn("请重新确认", Notification.objects.get(user=self.enterprise).title)
        confirmed = usage.confirm_usage(self.enterprise, record, 4)
        self.assertEqual(confirmed.status, UsageStatus.CONFIRMED)

    def test_a_correction_is_checked_like_a_record(self):
        with self.assertRaisesMessage(ServiceError, "机时须大于0且不超过该时段的4.00小时"):
            usage.correct_usage(
                self.institute, self.record, hours="9", samples=1, fee="0", service_summary="x"
            )
        self.record.refresh_from_db()
        self.assertEqual(self.record.hours, Decimal("3.50"))

    def test_a_used_booking_can_no_longer_be_cancelled(self):
        booking = self.record.booking
        with self.assertRaisesMessage(InvalidTransition, "该预约已服务，不能再取消"):
            bookings.cancel(self.institute, booking, "仪器故障")
