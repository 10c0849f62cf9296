"""Instrument sharing through the API: the same rules as the pages, errors in the platform's
one shape, a double booking is a 409."""

import datetime

import yaml
from django.utils import timezone

from sharing.choices import BookingStatus
from sharing.models import Booking, SharingSlot

from .test_bookings_base import SharingTestCase
from .test_statistics import YEAR, StatisticsTestCase

TAKEN = "该时段已被其他单位预约，请选择其他时段。"
BODY = {
    "sample_description": "锂电池正极材料粉末",
    "service_requested": "形貌观察",
    "sample_count": 2,
}


class InstrumentApiTests(SharingTestCase):
    def test_instruments_and_their_slots_are_public(self):
        free, taken = self.slot(), self.slot()
        self.book(taken)
        listed = self.client.get("/api/sharing/instruments/", {"free": "true"}).json()
        self.assertEqual(listed["count"], 1)
        row = listed["results"][0]
        self.assertEqual(row["title"], "场发射扫描电子显微镜")
        self.assertEqual(row["owner_name"], "吉林大学")
        self.assertEqual(row["free_slots"], 1)
        slots = self.client.get(f"/api/sharing/instruments/{self.instrument.pk}/slots/").json()
        states = {s["id"]: (s["state"], s["state_label"]) for s in slots["results"]}
        self.assertEqual(states[free.pk], ("free", "可预约"))
        self.assertEqual(states[taken.pk], ("booked", "已被预约"))
        self.login(self.enterprise)
        slots = self.client.get(f"/api/sharing/instruments/{self.instrument.pk}/slots/").json()
        self.assertIn(
            ("mine", "本单位已预约"), [(s["state"], s["state_label"]) for s in slots["results"]]
        )

    def test_the_host_opens_one_slot_or_a_batch(self):
        url = f"/api/sharing/instruments/{self.instrument.pk}/slots/"
        start = timezone.localtime() + datetime.timedelta(days=3)
        start = start.replace(hour=9, minute=0, second=0, microsecond=0)
        one = {
            "starts_at": start.isoformat(),
            "ends_at": (start + datetime.timedelta(hours=3)).isoformat(),
        }
        self.assertEqual(self.client.post(url, one, "application/json").status_code, 403)
        self.login(self.enterprise)
        refused = self.client.post(url, one, "application/json")
        self.assertEqual(refused.status_code, 403)
        self.assertEqual(refused.json()["code"], "not_allowed")
        self.login(self.institute)
        created = self.client.post(url, one, "application/json")
        self.assertEqual(created.status_code, 201, created.json())
        self.assertEqual(created.json()[0]["hours"], "3.00")
        clash = self.client.post(url, one, "application/json")
        self.assertEqual(clash.status_code, 409)
        self.assertIn("与已开放的时段", clash.json()["message"])
        day = start.date() + datetime.timedelta(days=7)
        batch = {
            "date_from": day.isoformat(),
            "date_to": (day + datetime.timedelta(days=6)).isoformat(),
            "weekdays": [day.weekday()],
            "periods": "09:00-12:00, 14:00-17:00",
        }
        made = self.client.post(url, batch, "application/json")
        self.assertEqual(made.status_code, 201, made.json())
        self.assertEqual(len(made.json()), 2)
        bad = self.client.post(url, {**batch, "periods": "全天"}, "application/json")
        self.assertEqual(bad.status_code, 400)
        self.assertEqual(bad.json()["code"], "invalid")
        self.assertIn("无法识别时间段“全天”", bad.json()["message"])
        neither = self.client.post(url, {"note": "x"}, "application/json")
        self.assertEqual(neither.status_code, 400)
        self.assertEqual(SharingSlot.objects.count(), 3)
        slot = SharingSlot.objects.first()
        self.assertEqual(
            self.client.post(f"/api/sharing/slots/{slot.pk}/withdraw/").status_code, 204
        )


class BookingApiTests(SharingTestCase):
    def test_booking_and_the_double_booking_409(self):
        slot = self.slot()
        self.assertEqual(
            self.client.post("/api/sharing/bookings/", {**BODY, "slot": slot.pk}).status_code, 403
        )
        self.login(self.institute)
        own = self.client.post(
            "/api/sharing/bookings/", {**BODY, "slot": slot.pk}, "application/json"
        )
        self.assertEqual(own.status_code, 403)
        self.assertEqual(own.json()["message"], "不能预约本单位的仪器")
        self.login(self.enterprise)
        created = self.client.post(
            "/api/sharing/bookings/", {**BODY, "slot": slot.pk}, "application/json"
        )
        self.assertEqual(created.status_code, 201, created.json())
        self.assertEqual(created.json()["status"], "requested")
        self.assertEqual(created.json()["host_name"], "吉林大学")
        self.login(self.other_enterprise)
        again = self.client.post(
            "/api/sharing/bookings/", {**BODY, "slot": slot.pk}, "application/json"
        )
        self.assertEqual(again.status_code, 409)
        self.assertEqual(
            again.json(), {"code": "invalid_transition", "message": TAKEN, "errors": {}}
        )
        missing = self.client.post(
            "/api/sharing/bookings/",
            {"slot": slot.pk, "service_requested": "x"},
            "application/json",
        )
        self.assertEqual(missing.status_code, 400)
        self.assertIn("sample_description", missing.json()["errors"])
        self.assertEqual(Booking.objects.count(), 1)
        other = self.client.get(f"/api/sharing/bookings/{created.json()['id']}/")
        self.assertEqual(other.status_code, 403)

    def test_the_whole_cycle_through_the_api(self):
        booking = self.book()
        url = f"/api/sharing/bookings/{booking.pk}/"
        self.login(self.enterprise)
        self.assertEqual(self.client.post(f"{url}approve/").status_code, 403)
        mine = self.client.get("/api/sharing/bookings/").json()
        self.assertEqual([b["id"] for b in mine["results"]], [booking.pk])
        self.login(self.institute)
        hosted = self.client.get("/api/sharing/bookings/", {"side": "host"}).json()
        self.assertEqual(hosted["count"], 1)
        self.assertEqual(self.client.get("/api/sharing/bookings/").json()["count"], 0)
        approved = self.client.post(f"{url}approve/")
        self.assertEqual(approved.json()["status"], "approved")
        early = self.client.post(
            f"{url}usage/",
            {"hours": "2", "samples": 2, "fee": "600", "service_summary": "形貌观察"},
            "application/json",
        )
        self.assertEqual(early.status_code, 409)
        self.assertIn("后才能登记使用记录", early.json()["message"])
        self.start(booking)
        recorded = self.client.post(
            f"{url}usage/",
            {"hours": "2", "samples": 2, "fee": "600", "service_summary": "形貌观察"},
            "application/json",
        )
        self.assertEqual(recorded.status_code, 201, recorded.json())
        self.assertEqual(recorded.json()["usage"]["status"], "recorded")
        self.login(self.enterprise)
        disputed = self.client.post(
            f"{url}dispute/", {"reason": "只用了1.5小时"}, "application/json"
        )
        self.assertEqual(disputed.json()["usage"]["status"], "disputed")
        self.login(self.institute)
        corrected = self.client.patch(
            f"{url}usage/",
            {"hours": "1.5", "samples": 2, "fee": "450", "service_summary": "形貌观察"},
            "application/json",
        )
        self.assertEqual(corrected.json()["usage"]["hours"], "1.50")
        self.login(self.enterprise)
        bad = self.client.post(f"{url}confirm/", {"satisfaction": 9}, "application/json")
        self.assertEqual(bad.status_code, 400)
        self.assertEqual(bad.json()["message"], "请选择满意度（1–5分）。")
        done = self.client.post(f"{url}confirm/", {"satisfaction": 5}, "application/json")
        self.assertEqual(done.json()["usage"]["status"], "confirmed")
        self.assertEqual(done.json()["status"], "used")

    def test_refuse_and_cancel_through_the_api(self):
        first, second = self.book(), self.approved()
        self.login(self.institute)
        no_reason = self.client.post(
            f"/api/sharing/bookings/{first.pk}/refuse/", {}, "application/json"
        )
        self.assertEqual(no_reason.status_code, 400)
        refused = self.client.post(
            f"/api/sharing/bookings/{first.pk}/refuse/", {"reason": "设备检修"}, "application/json"
        )
        self.assertEqual(refused.json()["status"], "refused")
        self.assertEqual(refused.json()["reason"], "设备检修")
        host_cancel = self.client.post(
            f"/api/sharing/bookings/{second.pk}/cancel/", {}, "application/json"
        )
        self.assertEqual(host_cancel.status_code, 400)
        self.assertEqual(host_cancel.json()["message"], "请填写取消原因。")
        self.login(self.enterprise)
        cancelled = self.client.post(f"/api/sharing/bookings/{second.pk}/cancel/")
        self.assertEqual(cancelled.json()["status"], BookingStatus.CANCELLED)


class StatisticsApiTests(StatisticsTestCase):
    def test_statistics_per_role(self):
        self.assertEqual(self.client.get("/api/sharing/statistics/").status_code, 403)
        self.login(self.city_admin)
        data = self.client.get("/api/sharing/statistics/", {"year": YEAR}).json()
        self.assertEqual(
            [h["name"] for h in data["hosts"]], ["吉林大学", "长春华锐光电科技有限公司"]
        )
        self.assertEqual(data["hosts"][0]["utilisation"], "0.6875")
        self.assertEqual(data["hosts"][0]["hours_offered"], "8.00")
        self.assertEqual(data["totals"]["outside_users"], 3)
        self.login(self.district_admin)
        data = self.client.get("/api/sharing/statistics/", {"year": YEAR}).json()
        self.assertEqual([h["name"] for h in data["hosts"]], ["长春华锐光电科技有限公司"])
        refused = self.client.get(
            "/api/sharing/statistics/", {"year": YEAR, "host": self.university.pk}
        )
        self.assertEqual(refused.status_code, 403)
        self.login(self.institute)
        data = self.client.get(
            "/api/sharing/statistics/", {"year": YEAR, "host": self.university.pk}
        ).json()
        self.assertEqual([h["name"] for h in data["hosts"]], ["吉林大学"])
        self.assertEqual(data["instruments"][0]["title"], "场发射扫描电子显微镜")
        self.login(self.other_enterprise)
        self.assertEqual(self.client.get("/api/sharing/statistics/").status_code, 403)

    def test_the_schema_documents_the_routes(self):
        schema = yaml.safe_load(self.client.get("/api/schema/").content)
        for path in (
            "/api/sharing/instruments/",
            "/api/sharing/instruments/{id}/slots/",
            "/api/sharing/bookings/",
            "/api/sharing/bookings/{id}/approve/",
            "/api/sharing/bookings/{id}/usage/",
            "/api/sharing/bookings/{id}/confirm/",
            "/api/sharing/statistics/",
        ):
            self.assertIn(path, schema["paths"])
