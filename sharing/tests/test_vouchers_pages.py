"""创新券 pages: programs, eligibility and applying, the bureau's queue and export, vouchers,
cancellation and the public verification page."""

import datetime
import io
from decimal import Decimal

from openpyxl import load_workbook

from sharing.choices import ApplicationStatus, ProgramStatus, VoucherStatus
from sharing.factories import VoucherProgramFactory
from sharing.models import Voucher, VoucherApplication, VoucherProgram
from sharing.services import codes

from .test_vouchers_base import VoucherTestCase, today


class ProgramPageTests(VoucherTestCase):
    def url(self, program=None, suffix=""):
        return f"/sharing/programs/{(program or self.program).pk}/{suffix}"

    def test_the_public_sees_open_programs_but_not_drafts(self):
        VoucherProgramFactory(name="2027年创新券（草稿）", status=ProgramStatus.DRAFT)
        page = self.client.get("/sharing/programs/")
        self.assertContains(page, "2026年长春市科技创新券（第一批）")
        self.assertNotContains(page, "2027年创新券（草稿）")
        self.assertNotContains(page, "新建项目")
        self.login(self.city_admin)
        page = self.client.get("/sharing/programs/")
        self.assertContains(page, "2027年创新券（草稿）")
        self.assertContains(page, "新建项目")

    def test_the_detail_shows_terms_budget_and_asks_the_public_to_log_in(self):
        page = self.client.get(self.url())
        self.assertContains(page, "10,000 元 / 30,000 元 / 50,000 元")
        self.assertContains(page, "1,000,000.00")  # available
        self.assertContains(page, "企业用户登录后可以查看本单位是否符合申领条件")
        self.assertNotContains(page, 'name="purpose"')
        self.assertNotContains(page, 'id="queue"')

    def test_an_eligible_enterprise_applies_from_the_page(self):
        self.login(self.enterprise)
        page = self.client.get(self.url())
        self.assertContains(page, "长春华锐光电科技有限公司符合申领条件")
        self.assertContains(page, 'name="purpose"')
        bad = self.client.post(
            self.url(suffix="apply/"), {"face_value": "30000", "category": "testing", "purpose": ""}
        )
        self.assertEqual(bad.status_code, 400)
        self.assertContains(bad, "请填写服务需求说明。", status_code=400)
        self.assertFalse(VoucherApplication.objects.exists())
        done = self.client.post(
            self.url(suffix="apply/"),
            {"face_value": "30000", "category": "testing", "purpose": "新产品检测认证"},
            follow=True,
        )
        self.assertContains(done, "申领已提交，等待市科技局审核")
        self.assertContains(done, "待审核")
        self.assertEqual(VoucherApplication.objects.get().face_value, Decimal("30000"))
        self.assertContains(done, "本单位已达本项目申领上限：每家企业限领1张")
        self.assertNotContains(done, "暂不符合申领条件")

    def test_an_ineligible_enterprise_sees_every_reason_and_no_form(self):
        self.program.eligible_tiers = ["sme_tech"]
        self.program.save()
        self.program.regions.set([self.nanguan])
        self.login(self.enterprise)
        page = self.client.get(self.url())
        self.assertContains(page, "暂不符合申领条件")
        self.assertContains(page, "须为科技型中小企业入库企业。")
        self.assertContains(page, "本项目限南关区的企业申领")
        self.assertNotContains(page, 'name="purpose"')
        refused = self.client.post(
            self.url(suffix="apply/"),
            {"face_value": "30000", "category": "testing", "purpose": "检测"},
        )
        self.assertEqual(refused.status_code, 400)
        self.assertFalse(VoucherApplication.objects.exists())

    def test_the_bureau_issues_from_the_queue_and_the_budget_moves(self):
        application = self.apply()
        self.login(self.city_admin)
        page = self.client.get(self.url())
        self.assertContains(page, 'id="queue"')
        self.assertContains(page, "符合申领条件")
        done = self.client.post(f"/sharing/applications/{application.pk}/approve/", follow=True)
        voucher = Voucher.objects.get()
        self.assertContains(done, f"已发券：长春华锐光电科技有限公司，券号 {voucher.code}")
        self.assertContains(done, "970,000.00")
        self.assertContains(done, voucher.code)

    def test_a_budget_refusal_is_shown_and_nothing_is_issued(self):
        program = VoucherProgramFactory(budget=Decimal("20000"))
        application = self.apply(program=program)
        self.login(self.city_admin)
        page = self.client.post(f"/sharing/applications/{application.pk}/approve/", follow=True)
        self.assertContains(page, "项目预算余额不足：剩余 20,000.00 元，申领面额 30,000.00 元。")
        self.assertFalse(Voucher.objects.exists())

    def test_refusing_needs_a_reason(self):
        application = self.apply()
        self.login(self.city_admin)
        page = self.client.post(
            f"/sharing/applications/{application.pk}/refuse/", {"reason": ""}, follow=True
        )
        self.assertContains(page, "不予发券须填写理由。")
        self.assertEqual(self.reload(application).status, ApplicationStatus.SUBMITTED)
        page = self.client.post(
            f"/sharing/applications/{application.pk}/refuse/",
            {"reason": "企业不在支持范围"},
            follow=True,
        )
        self.assertContains(page, "已不予发券")
        self.assertEqual(self.reload(application).status, ApplicationStatus.REFUSED)

    def test_others_cannot_approve(self):
        application = self.apply()
        for user in (self.district_admin, self.enterprise):
            self.login(user)
            response = self.client.post(f"/sharing/applications/{application.pk}/approve/")
            self.assertEqual(response.status_code, 403)
        self.login(self.other_enterprise)
        self.assertEqual(
            self.client.post(f"/sharing/applications/{application.pk}/approve/").status_code, 403
        )
        self.assertFalse(Voucher.objects.exists())

    def test_the_enterprise_withdraws_its_application(self):
        application = self.apply()
        self.login(self.enterprise)
        page = self.client.post(f"/sharing/applications/{application.pk}/withdraw/", follow=True)
        self.assertContains(page, "申领已撤回")
        self.assertEqual(self.reload(application).status, ApplicationStatus.WITHDRAWN)

    def test_the_bureau_exports_the_programs_vouchers(self):
        voucher = self.issue()
        self.login(self.city_admin)
        response = self.client.get(self.url(), {"export": "xlsx"})
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(rows[0][0], "券号")
        self.assertEqual(rows[1][0], voucher.code)
        self.assertEqual(rows[1][2], "长春华锐光电科技有限公司")
        self.assertEqual(rows[1][-1], "有效")
        self.login(self.enterprise)
        self.assertEqual(self.client.get(self.url(), {"export": "csv"}).status_code, 403)

    def test_the_bureau_creates_a_program_and_a_bad_face_value_is_named(self):
        self.login(self.city_admin)
        values = {
            "name": "2027年长春市科技创新券",
            "year": "2027",
            "budget": "2000000",
            "face_values": "10000,3万",
            "apply_from": today().isoformat(),
            "apply_until": (today() + datetime.timedelta(days=60)).isoformat(),
            "valid_days": "180",
            "per_enterprise": "1",
            "max_share": "0.5",
            "categories": ["testing", "rd"],
            "eligible_tiers": ["sme_tech"],
        }
        bad = self.client.post("/sharing/programs/new/", values)
        self.assertEqual(bad.status_code, 400)
        self.assertContains(bad, "券面额“3万”不是正整数（元）", status_code=400)
        self.assertEqual(VoucherProgram.objects.count(), 1)
        values["face_values"] = "10000,30000"
        done = self.client.post("/sharing/programs/new/", values, follow=True)
        self.assertContains(done, "已创建项目“2027年长春市科技创新券”（草稿）")
        program = VoucherProgram.objects.get(name="2027年长春市科技创新券")
        self.assertEqual(program.eligible_tiers, ["sme_tech"])
        opened = self.client.post(self.url(program, "open/"), follow=True)
        self.assertContains(opened, "项目已开始受理")
        self.assertEqual(self.reload(program).status, ProgramStatus.OPEN)

    def test_lowering_the_budget_below_what_is_committed_is_refused_on_the_page(self):
        self.issue(face="50000")
        self.login(self.city_admin)
        form = self.client.get(self.url(suffix="edit/"))
        self.assertContains(form, "项目受理中，只能调整预算总额")
        data = {
            "budget": "40000",
            "apply_until": self.program.apply_until.isoformat(),
            "description": "",
        }
        page = self.client.post(self.url(suffix="edit/"), data)
        self.assertEqual(page.status_code, 400)
        self.assertContains(page, "预算总额不能低于已发券额度：已发券50,000.00元", status_code=400)
        self.assertEqual(self.reload(self.program).budget, Decimal("1000000"))

    def test_district_admins_cannot_create_programs(self):
        self.login(self.district_admin)
        self.assertEqual(self.client.get("/sharing/programs/new/").status_code, 403)


class VoucherPageTests(VoucherTestCase):
    def setUp(self):
        self.voucher = self.issue()

    def test_the_enterprise_sees_its_vouchers_and_applications(self):
        self.login(self.enterprise)
        page = self.client.get("/sharing/vouchers/")
        self.assertContains(page, self.voucher.code)
        self.assertContains(page, "30,000.00")
        self.assertContains(page, "未使用")
        self.assertContains(page, "已发券")  # the application's status
        self.login(self.other_enterprise)
        page = self.client.get("/sharing/vouchers/")
        self.assertNotContains(page, self.voucher.code)
        self.assertContains(page, "本单位还没有创新券")

    def test_the_detail_is_for_the_holder_and_the_bureau(self):
        url = f"/sharing/vouchers/{self.voucher.pk}/"
        self.assertEqual(self.client.get(url).status_code, 302)  # to the login page
        for user, code in (
            (self.enterprise, 200),
            (self.city_admin, 200),
            (self.other_enterprise, 403),
            (self.district_admin, 403),
        ):
            self.login(user)
            self.assertEqual(self.client.get(url).status_code, code, user)

    def test_the_bureau_filters_and_exports_all_vouchers(self):
        other = self.issue(self.other_enterprise)
        Voucher.objects.filter(pk=other.pk).update(expires_on=today() - datetime.timedelta(days=1))
        self.login(self.city_admin)
        page = self.client.get("/sharing/vouchers/", {"status": "expired"})
        self.assertContains(page, other.code)
        self.assertNotContains(page, self.voucher.code)
        response = self.client.get("/sharing/vouchers/", {"status": "active", "export": "csv"})
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        self.assertIn(self.voucher.code, text)
        self.assertNotIn(other.code, text)

    def test_the_bureau_cancels_with_a_reason(self):
        self.login(self.city_admin)
        url = f"/sharing/vouchers/{self.voucher.pk}/cancel/"
        bad = self.client.post(url, {"reason": ""})
        self.assertContains(bad, "作废创新券须填写理由。", status_code=400)
        self.assertEqual(self.reload(self.voucher).status, VoucherStatus.ACTIVE)
        done = self.client.post(url, {"reason": "企业申请注销"}, follow=True)
        self.assertContains(done, "30,000.00 元未使用额度已退回项目预算")
        self.assertEqual(self.reload(self.voucher).status, VoucherStatus.CANCELLED)
        self.assertEqual(self.reload(self.program).committed, 0)
        self.login(self.enterprise)
        self.assertEqual(self.client.post(url, {"reason": "x"}).status_code, 403)


class VerifyPageTests(VoucherTestCase):
    def setUp(self):
        self.voucher = self.issue()

    def test_the_public_verifies_a_number_and_sees_the_holder_masked(self):
        page = self.client.get("/sharing/vouchers/verify/", {"code": self.voucher.code.lower()})
        self.assertContains(page, "长春***有限公司")
        self.assertNotContains(page, "长春华锐光电科技有限公司")
        self.assertContains(page, "2026年长春市科技创新券（第一批）")
        self.assertContains(page, "有效")
        self.login(self.enterprise)
        page = self.client.get("/sharing/vouchers/verify/", {"code": self.voucher.code})
        self.assertContains(page, "长春华锐光电科技有限公司")

    def test_a_mistyped_number_and_an_unknown_one(self):
        code = self.voucher.code
        # Two neighbours of the random part swapped; the check catches every such swap but
        # 0 <-> Z (see codes.py), so take the first pair it catches, or a wrong check character.
        swaps = [
            code[:i] + code[i + 1] + code[i] + code[i + 2 :]
            for i in range(5, 12)
            if {code[i], code[i + 1]} not in ({code[i]}, {"0", "Z"})
        ]
        swapped = swaps[0] if swaps else code[:-1] + ("0" if code[-1] != "0" else "1")
        page = self.client.get("/sharing/vouchers/verify/", {"code": swapped})
        self.assertContains(page, "券号格式不正确或校验位不符，请核对。", status_code=400)
        page = self.client.get("/sharing/vouchers/verify/", {"code": codes.new_code(2026)})
        self.assertContains(page, "未找到该券号。", status_code=404)
        self.assertEqual(self.client.get("/sharing/vouchers/verify/").status_code, 200)

    def test_an_expired_voucher_reads_as_expired_before_the_command_runs(self):
        Voucher.objects.filter(pk=self.voucher.pk).update(
            expires_on=today() - datetime.timedelta(days=1)
        )
        page = self.client.get("/sharing/vouchers/verify/", {"code": self.voucher.code})
        self.assertContains(page, "已过期")
