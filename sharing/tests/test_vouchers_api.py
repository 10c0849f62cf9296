"""创新券 through the API: programs, eligibility, applications, issuing, vouchers and the public
verification, with the platform's error shape."""

import datetime

import yaml

from sharing.choices import ApplicationStatus, ProgramStatus, VoucherStatus
from sharing.models import Voucher, VoucherApplication, VoucherProgram
from sharing.services import codes

from .test_vouchers_base import VoucherTestCase, today

JSON = "application/json"


class ProgramApiTests(VoucherTestCase):
    def test_programs_are_public_but_drafts_are_the_bureaus(self):
        VoucherProgram.objects.create(
            name="草稿项目",
            year=2027,
            budget=100000,
            face_values=[10000],
            categories=["testing"],
            apply_from=today(),
            apply_until=today(),
        )
        listed = self.client.get("/api/sharing/programs/").json()
        self.assertEqual([p["name"] for p in listed["results"]], [self.program.name])
        first = listed["results"][0]
        self.assertEqual(first["available"], "1000000.00")
        self.assertEqual(first["phase"], "open")
        self.assertEqual(first["category_labels"], ["检验检测", "研发设计", "仪器设备共享"])
        self.login(self.city_admin)
        self.assertEqual(self.client.get("/api/sharing/programs/").json()["count"], 2)

    def test_the_bureau_creates_and_opens_a_program_and_errors_name_the_field(self):
        self.login(self.city_admin)
        body = {
            "name": "2027年创新券",
            "year": 2027,
            "budget": "500000",
            "face_values": ["10000", "two"],
            "categories": ["testing"],
            "eligible_tiers": ["sme_tech"],
            "regions": ["220173"],
            "apply_from": today().isoformat(),
            "apply_until": (today() + datetime.timedelta(days=30)).isoformat(),
        }
        bad = self.client.post("/api/sharing/programs/", body, JSON)
        self.assertEqual(bad.status_code, 400)
        self.assertEqual(bad.json()["code"], "invalid")
        self.assertIn("券面额“two”不是正整数", bad.json()["errors"]["face_values"][0])
        body["face_values"] = ["10000", "20000"]
        created = self.client.post("/api/sharing/programs/", body, JSON)
        self.assertEqual(created.status_code, 201, created.json())
        data = created.json()
        self.assertEqual((data["status"], data["face_values"]), ("draft", [10000, 20000]))
        self.assertEqual(data["regions"], ["220173"])
        opened = self.client.post(f"/api/sharing/programs/{data['id']}/open/")
        self.assertEqual(opened.json()["status"], ProgramStatus.OPEN)
        patched = self.client.patch(
            f"/api/sharing/programs/{data['id']}/", {"budget": "600000"}, JSON
        )
        self.assertEqual(patched.json()["budget"], "600000.00")

    def test_others_may_not_create_programs(self):
        self.login(self.district_admin)
        response = self.client.post("/api/sharing/programs/", {"name": "x"}, JSON)
        self.assertEqual(response.status_code, 403)
        self.assertEqual(response.json()["code"], "not_allowed")
        self.client.logout()
        self.assertIn(
            self.client.post("/api/sharing/programs/", {"name": "x"}, JSON).status_code, (401, 403)
        )

    def test_eligibility_for_the_callers_enterprise(self):
        self.program.eligible_tiers = ["sme_tech"]
        self.program.save()
        self.login(self.enterprise)
        url = f"/api/sharing/programs/{self.program.pk}/eligibility/"
        data = self.client.get(url, {"face_value": "20000"}).json()
        self.assertFalse(data["eligible"])
        self.assertEqual(
            data["reasons"],
            ["须为科技型中小企业入库企业。", "申领面额须为10,000、30,000、50,000元之一。"],
        )
        self.pool()
        self.assertEqual(self.client.get(url).json(), {
            "organisation": "长春华锐光电科技有限公司", "eligible": True, "reasons": []
        })  # fmt: skip
        self.login(self.institute)
        self.assertEqual(self.client.get(url).status_code, 403)

    def test_the_schema_describes_the_voucher_endpoints(self):
        schema = yaml.safe_load(self.client.get("/api/schema/").content)
        for path in (
            "/api/sharing/programs/",
            "/api/sharing/voucher-applications/{id}/approve/",
            "/api/sharing/vouchers/verify/",
            "/api/sharing/providers/apply/",
        ):
            self.assertIn(path, schema["paths"])


class ApplicationApiTests(VoucherTestCase):
    def body(self, **overrides):
        return {
            "program": self.program.pk,
            "face_value": "30000",
            "category": "testing",
            "purpose": "新产品检测认证",
            **overrides,
        }

    def test_an_enterprise_applies_and_the_bureau_issues(self):
        self.login(self.enterprise)
        created = self.client.post("/api/sharing/voucher-applications/", self.body(), JSON)
        self.assertEqual(created.status_code, 201, created.json())
        application = created.json()
        self.assertEqual(application["status"], ApplicationStatus.SUBMITTED)
        again = self.client.post("/api/sharing/voucher-applications/", self.body(), JSON)
        self.assertEqual(again.status_code, 409)
        self.assertEqual(again.json()["code"], "not_eligible")
        self.assertEqual(
            again.json()["errors"]["non_field_errors"],
            ["每家企业限领1张，贵单位已有0张本项目创新券、1份待审核申领。"],
        )
        url = f"/api/sharing/voucher-applications/{application['id']}/approve/"
        self.assertEqual(self.client.post(url).status_code, 403)
        self.login(self.district_admin)
        refused = self.client.post(url)
        self.assertEqual(refused.status_code, 403)
        self.assertEqual(refused.json()["code"], "not_allowed")
        self.login(self.city_admin)
        issued = self.client.post(url)
        self.assertEqual(issued.status_code, 201, issued.json())
        voucher = issued.json()
        self.assertTrue(codes.is_well_formed(voucher["code"]))
        self.assertEqual((voucher["state"], voucher["remaining"]), ("active", "30000.00"))
        self.login(self.enterprise)
        mine = self.client.get("/api/sharing/vouchers/").json()
        self.assertEqual([v["code"] for v in mine["results"]], [voucher["code"]])
        detail = self.client.get(f"/api/sharing/vouchers/{voucher['id']}/")
        self.assertEqual(detail.json()["holder_name"], "长春华锐光电科技有限公司")

    def test_an_application_others_cannot_see_and_refusal_needs_a_reason(self):
        application = self.apply()
        self.login(self.other_enterprise)
        self.assertEqual(
            self.client.get(f"/api/sharing/voucher-applications/{application.pk}/").status_code,
            403,
        )
        self.assertEqual(self.client.get("/api/sharing/voucher-applications/").json()["count"], 0)
        self.login(self.city_admin)
        url = f"/api/sharing/voucher-applications/{application.pk}/refuse/"
        bad = self.client.post(url, {"reason": ""}, JSON)
        self.assertEqual(bad.status_code, 400)
        self.assertEqual(bad.json()["errors"], {"reason": ["不予发券须填写理由。"]})
        done = self.client.post(url, {"reason": "不符合支持方向"}, JSON)
        self.assertEqual(done.json()["status"], ApplicationStatus.REFUSED)

    def test_withdrawing(self):
        application = self.apply()
        self.login(self.enterprise)
        done = self.client.post(f"/api/sharing/voucher-applications/{application.pk}/withdraw/")
        self.assertEqual(done.json()["status"], ApplicationStatus.WITHDRAWN)
        self.assertEqual(self.reload(application).status, ApplicationStatus.WITHDRAWN)

    def test_a_bad_face_value_is_refused_with_the_reason(self):
        self.login(self.enterprise)
        response = self.client.post(
            "/api/sharing/voucher-applications/", self.body(face_value="25000"), JSON
        )
        self.assertEqual(response.status_code, 409)
        self.assertIn("申领面额须为10,000、30,000、50,000元之一。", response.json()["message"])
        self.assertFalse(VoucherApplication.objects.exists())


class VoucherApiTests(VoucherTestCase):
    def setUp(self):
        self.voucher = self.issue()

    def test_another_enterprise_is_refused_a_voucher(self):
        self.login(self.other_enterprise)
        response = self.client.get(f"/api/sharing/vouchers/{self.voucher.pk}/")
        self.assertEqual(response.status_code, 403)
        self.assertIn("只有持券企业的用户或市科技局", response.json()["message"])
        self.client.logout()
        self.assertIn(self.client.get("/api/sharing/vouchers/").status_code, (401, 403))

    def test_verification_is_public_and_masks_the_holder(self):
        ok = self.client.get("/api/sharing/vouchers/verify/", {"code": self.voucher.code})
        self.assertEqual(ok.status_code, 200)
        self.assertEqual(ok.json()["holder"], "长春***有限公司")
        self.assertEqual(ok.json()["state_label"], "有效")
        bad = self.client.get("/api/sharing/vouchers/verify/", {"code": "2026-AAAAAAAA-A"})
        self.assertEqual(bad.status_code, 400)
        self.assertEqual(
            bad.json(),
            {"code": "invalid", "message": "券号格式不正确或校验位不符，请核对。", "errors": {}},
        )
        unknown = self.client.get("/api/sharing/vouchers/verify/", {"code": codes.new_code(2026)})
        self.assertEqual(unknown.status_code, 404)
        self.assertEqual(unknown.json()["message"], "未找到该券号。")

    def test_the_bureau_cancels_and_filters_by_state(self):
        self.login(self.city_admin)
        url = f"/api/sharing/vouchers/{self.voucher.pk}/cancel/"
        self.assertEqual(self.client.post(url, {}, JSON).status_code, 400)
        done = self.client.post(url, {"reason": "企业注销"}, JSON)
        self.assertEqual(done.json()["state"], VoucherStatus.CANCELLED)
        self.assertEqual(done.json()["released"], "30000.00")
        listed = self.client.get("/api/sharing/vouchers/", {"state": "cancelled"}).json()
        self.assertEqual(listed["count"], 1)
        self.assertEqual(
            self.client.get("/api/sharing/vouchers/", {"state": "active"}).json()["count"], 0
        )
        self.assertEqual(Voucher.objects.get().status, VoucherStatus.CANCELLED)
