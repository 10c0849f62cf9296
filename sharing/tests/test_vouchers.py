"""创新券 services: eligibility reason by reason, applying, issuing within the budget, numbers
and verification, expiry and cancellation giving the remainder back, and the programs."""

import datetime
from decimal import Decimal
from io import StringIO
from unittest import mock

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from core.exceptions import InvalidTransition, NotAllowed, NotFound, ServiceError
from core.models import AuditEntry, Notification, Region
from sharing.choices import ApplicationStatus, ProgramStatus, ProviderStatus, VoucherStatus
from sharing.factories import ServiceProviderFactory, VoucherFactory, VoucherProgramFactory
from sharing.models import Voucher, VoucherApplication, VoucherProgram
from sharing.services import codes, vouchers

from .test_vouchers_base import VoucherTestCase, today

DAY = datetime.timedelta(days=1)


class EligibilityTests(VoucherTestCase):
    def reasons(self, organisation=None, program=None, **kwargs):
        return vouchers.check_eligibility(
            organisation or self.enterprise_org, program or self.program, **kwargs
        )

    def test_an_enterprise_meeting_every_condition_is_eligible(self):
        self.assertEqual(self.reasons(face_value=30000, category="testing"), [])

    def test_only_enterprises_may_apply(self):
        self.assertEqual(
            self.reasons(self.university), ["创新券仅面向企业申领（贵单位类型：高等院校）。"]
        )

    def test_the_program_must_be_open_and_the_day_within_its_window(self):
        draft = VoucherProgramFactory(status=ProgramStatus.DRAFT)
        self.assertEqual(self.reasons(program=draft), ["该项目不在受理中（当前状态：草稿）。"])
        start, end = self.program.apply_from, self.program.apply_until
        self.assertEqual(
            self.reasons(on=start - DAY), [f"申领尚未开始：{start.isoformat()}起受理。"]
        )
        self.assertEqual(self.reasons(on=end + DAY), [f"申领已于{end.isoformat()}截止。"])
        self.assertEqual(self.reasons(on=end), [])

    def test_a_tier_condition_needs_a_current_pool_membership(self):
        self.program.eligible_tiers = ["sme_tech"]
        self.program.save()
        self.assertEqual(self.reasons(), ["须为科技型中小企业入库企业。"])
        stay = self.pool()
        self.assertEqual(self.reasons(), [])
        stay.exited_on = today()
        stay.exit_reason = "评价不再符合条件"
        stay.save()
        self.assertEqual(self.reasons(), ["须为科技型中小企业入库企业。"])

    def test_the_tier_reason_names_every_tier_the_program_accepts(self):
        self.program.eligible_tiers = ["hte", "little_giant"]
        self.program.save()
        self.pool(tier="sme_tech")  # in a pool, but not one of these
        self.assertEqual(self.reasons(), ["须为高新技术企业或专精特新“小巨人”企业入库企业。"])
        self.pool(tier="hte")
        self.assertEqual(self.reasons(), [])

    def test_a_region_condition_names_the_regions_and_the_enterprise_region(self):
        self.program.regions.set([self.nanguan])
        self.assertEqual(
            self.reasons(),
            ["本项目限南关区的企业申领，贵单位所在区域为长春高新技术产业开发区。"],
        )
        self.assertEqual(self.reasons(self.other_enterprise_org), [])

    def test_a_city_wide_region_includes_its_districts(self):
        city = Region.objects.filter(kind="city").first()
        if city is None or self.hightech_zone.parent_id != city.pk:
            self.skipTest("reference data has no city parent")
        self.program.regions.set([city])
        self.assertEqual(self.reasons(), [])

    def test_vouchers_held_and_pending_applications_count_against_the_limit(self):
        self.apply()
        self.assertEqual(
            self.reasons(),
            ["每家企业限领1张，贵单位已有0张本项目创新券、1份待审核申领。"],
        )
        voucher = vouchers.approve_application(self.city_admin, VoucherApplication.objects.get())
        self.assertEqual(
            self.reasons(),
            ["每家企业限领1张，贵单位已有1张本项目创新券、0份待审核申领。"],
        )
        vouchers.cancel_voucher(self.city_admin, voucher, "企业注销")
        self.assertEqual(self.reasons(), [])  # a cancelled voucher does not count

    def test_an_integrity_restriction_is_a_reason_with_its_decision(self):
        self.restrict()
        reasons = self.reasons()
        self.assertEqual(len(reasons), 1)
        self.assertIn("长春华锐光电科技有限公司存在科研失信记录（长科诚〔2026〕7号", reasons[0])
        self.assertIn("不得申报科技计划项目", reasons[0])

    def test_face_value_and_category_must_be_among_the_programs(self):
        self.assertEqual(
            self.reasons(face_value=20000), ["申领面额须为10,000、30,000、50,000元之一。"]
        )
        self.assertEqual(
            self.reasons(category="ip"),
            ["拟购买服务类别须为本项目适用类别：检验检测、研发设计、仪器设备共享。"],
        )

    def test_every_failing_reason_is_listed_at_once(self):
        self.program.eligible_tiers = ["sme_tech"]
        self.program.save()
        self.program.regions.set([self.nanguan])
        self.restrict()
        reasons = self.reasons(face_value=1, category="ip")
        self.assertEqual(len(reasons), 5, reasons)


class ApplicationTests(VoucherTestCase):
    def test_an_enterprise_applies_and_the_bureau_is_told(self):
        application = self.apply()
        self.assertEqual(application.status, ApplicationStatus.SUBMITTED)
        self.assertEqual(application.organisation, self.enterprise_org)
        self.assertEqual(application.face_value, Decimal("30000.00"))
        self.assertTrue(
            AuditEntry.objects.filter(
                content_type__model="voucherapplication", object_id=str(application.pk)
            ).exists()
        )
        notice = Notification.objects.get(user=self.city_admin)
        self.assertIn("长春华锐光电科技有限公司申领30,000.00元", notice.title)

    def test_only_enterprise_users_may_apply(self):
        for user in (self.institute, self.broker, self.city_admin, self.district_admin):
            with self.assertRaisesMessage(NotAllowed, "只有企业用户可以为本单位申领创新券"):
                self.apply(user)
        self.assertFalse(VoucherApplication.objects.exists())

    def test_an_ineligible_application_lists_its_reasons_and_is_not_saved(self):
        self.restrict()
        with self.assertRaises(vouchers.NotEligible) as ctx:
            self.apply(face="20000")
        self.assertTrue(ctx.exception.message.startswith("不符合申领条件："))
        self.assertEqual(len(ctx.exception.problems), 2)
        self.assertIn("申领面额须为10,000、30,000、50,000元之一。", ctx.exception.problems)
        self.assertFalse(VoucherApplication.objects.exists())

    def test_purpose_is_required(self):
        with self.assertRaises(ValidationError) as ctx:
            vouchers.apply_for_voucher(
                self.enterprise, self.program, face_value=30000, category="testing", purpose=" "
            )
        self.assertEqual(ctx.exception.message_dict, {"purpose": ["请填写服务需求说明。"]})

    def test_the_applicant_withdraws_while_submitted_others_may_not(self):
        application = self.apply()
        with self.assertRaisesMessage(NotAllowed, "只有申领企业的用户可以撤回申领"):
            vouchers.withdraw_application(self.other_enterprise, application)
        with self.assertRaises(NotAllowed):
            vouchers.withdraw_application(self.city_admin, application)
        vouchers.withdraw_application(self.enterprise, application)
        self.assertEqual(self.reload(application).status, ApplicationStatus.WITHDRAWN)
        with self.assertRaisesMessage(InvalidTransition, "该申领已处理（已撤回），不能撤回"):
            vouchers.withdraw_application(self.enterprise, application)
        self.assertEqual(vouchers.check_eligibility(self.enterprise_org, self.program), [])

    def test_the_bureau_refuses_with_a_reason_and_the_enterprise_is_told(self):
        application = self.apply()
        with self.assertRaises(ValidationError) as ctx:
            vouchers.refuse_application(self.city_admin, application, "  ")
        self.assertEqual(ctx.exception.message_dict, {"reason": ["不予发券须填写理由。"]})
        self.assertEqual(self.reload(application).status, ApplicationStatus.SUBMITTED)
        vouchers.refuse_application(self.city_admin, application, "服务需求与项目支持方向不符")
        application.refresh_from_db()
        self.assertEqual(application.status, ApplicationStatus.REFUSED)
        self.assertEqual(application.reason, "服务需求与项目支持方向不符")
        notice = Notification.objects.get(user=self.enterprise)
        self.assertIn("创新券申领未通过", notice.title)
        self.assertIn("服务需求与项目支持方向不符", notice.title)

    def test_applications_are_seen_by_their_organisation_and_the_bureau(self):
        mine = self.apply()
        theirs = self.apply(self.other_enterprise)
        self.assertEqual(list(vouchers.applications_for(self.enterprise)), [mine])
        self.assertEqual(set(vouchers.applications_for(self.city_admin)), {mine, theirs})
        self.assertEqual(list(vouchers.applications_for(self.public)), [])
        with self.assertRaises(NotAllowed):
            vouchers.get_application(self.other_enterprise, mine.pk)


class IssueTests(VoucherTestCase):
    def test_approving_issues_a_voucher_and_commits_its_face_value(self):
        voucher = self.issue()
        self.assertTrue(codes.is_well_formed(voucher.code))
        self.assertTrue(voucher.code.startswith(f"{self.program.year}-"))
        self.assertEqual(voucher.status, VoucherStatus.ACTIVE)
        self.assertEqual(voucher.face_value, Decimal("30000.00"))
        self.assertEqual(voucher.expires_on, today() + datetime.timedelta(days=180))
        self.assertEqual(voucher.holder, self.enterprise_org)
        self.assertEqual(voucher.application.status, ApplicationStatus.APPROVED)
        self.assertEqual(voucher.application.decided_by, self.city_admin)
        program = self.reload(self.program)
        self.assertEqual(program.committed, Decimal("30000.00"))
        self.assertEqual(program.available, Decimal("970000.00"))
        notice = Notification.objects.get(user=self.enterprise, title__startswith="创新券已发放")
        self.assertIn(voucher.code, notice.title)
        self.assertEqual(notice.url, f"/sharing/vouchers/{voucher.pk}/")
        self.assertTrue(
            AuditEntry.objects.filter(
                content_type__model="voucher", object_id=str(voucher.pk)
            ).exists()
        )

    def test_an_approval_beyond_the_remaining_budget_is_refused_and_changes_nothing(self):
        program = VoucherProgramFactory(budget=Decimal("50000"))
        self.issue(program=program, face="30000")
        application = self.apply(self.other_enterprise, program, face="30000")
        with self.assertRaisesMessage(
            InvalidTransition, "项目预算余额不足：剩余 20,000.00 元，申领面额 30,000.00 元。"
        ):
            vouchers.approve_application(self.city_admin, application)
        self.assertEqual(self.reload(program).committed, Decimal("30000.00"))
        self.assertEqual(self.reload(application).status, ApplicationStatus.SUBMITTED)
        self.assertEqual(Voucher.objects.filter(program=program).count(), 1)

    def test_only_the_bureau_approves(self):
        application = self.apply()
        for user in (self.district_admin, self.enterprise, self.leader, self.institute):
            with self.assertRaisesMessage(NotAllowed, "只有市科技局可以审核创新券申领"):
                vouchers.approve_application(user, application)
        self.assertFalse(Voucher.objects.exists())
        self.assertEqual(self.reload(self.program).committed, 0)

    def test_eligibility_is_checked_again_when_issuing(self):
        application = self.apply()
        self.restrict()
        with self.assertRaises(vouchers.NotEligible) as ctx:
            vouchers.approve_application(self.city_admin, application)
        self.assertIn("存在科研失信记录", ctx.exception.message)
        self.assertFalse(Voucher.objects.exists())

    def test_an_application_made_within_the_window_may_be_issued_after_it(self):
        application = self.apply()
        VoucherApplication.objects.filter(pk=application.pk).update(
            submitted_at=application.submitted_at - datetime.timedelta(days=5)
        )
        VoucherProgram.objects.filter(pk=self.program.pk).update(apply_until=today() - 3 * DAY)
        voucher = vouchers.approve_application(self.city_admin, application)
        self.assertEqual(voucher.status, VoucherStatus.ACTIVE)

    def test_an_application_is_decided_once(self):
        application = self.apply()
        vouchers.approve_application(self.city_admin, application)
        with self.assertRaisesMessage(InvalidTransition, "该申领已处理（已发券）"):
            vouchers.approve_application(self.city_admin, application)
        with self.assertRaisesMessage(InvalidTransition, "该申领已处理（已发券）"):
            vouchers.refuse_application(self.city_admin, application, "重复")
        self.assertEqual(self.reload(self.program).committed, Decimal("30000.00"))

    def test_a_number_already_taken_is_drawn_again(self):
        taken = VoucherFactory(program=self.program, holder=self.other_enterprise_org)
        fresh = codes.new_code(self.program.year)
        application = self.apply()
        with mock.patch.object(codes, "new_code", side_effect=[taken.code, fresh]):
            voucher = vouchers.approve_application(self.city_admin, application)
        self.assertEqual(voucher.code, fresh)
        self.assertEqual(Voucher.objects.count(), 2)


class VerificationTests(VoucherTestCase):
    def setUp(self):
        self.voucher = self.issue()

    def test_a_number_is_found_however_it_is_typed(self):
        typed = self.voucher.code.lower().replace("-", " ")
        self.assertEqual(vouchers.get_voucher_by_code(typed), self.voucher)

    def test_a_wrong_check_character_or_format_is_caught_before_the_lookup(self):
        code = self.voucher.code
        wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
        for bad in (wrong, "2026-ABC", ""):
            with self.assertRaisesMessage(ServiceError, "券号格式不正确或校验位不符，请核对。"):
                vouchers.get_voucher_by_code(bad)

    def test_every_single_typo_and_every_neighbour_swap_but_zero_z_is_caught(self):
        code = "2026-7K3QD9XM-" + codes.check_character("20267K3QD9XM")
        self.assertTrue(codes.is_well_formed(code))
        for i in [*range(0, 4), *range(5, 13), 14]:
            for char in codes.ALPHABET[:10] if i < 4 else codes.ALPHABET:
                typo = code[:i] + char + code[i + 1 :]
                self.assertEqual(codes.is_well_formed(typo), typo == code, typo)
        for a in codes.ALPHABET:
            for b in codes.ALPHABET.replace(a, ""):
                check = codes.check_character(f"2026{a}{b}000000")
                swapped = f"2026-{b}{a}000000-{check}"
                self.assertEqual(codes.is_well_formed(swapped), {a, b} == {"0", "Z"}, swapped)

    def test_an_unknown_well_formed_number_is_not_found(self):
        with self.assertRaisesMessage(NotFound, "未找到该券号。"):
            vouchers.get_voucher_by_code(codes.new_code(2026))

    def test_the_holder_is_masked_except_for_its_members_and_the_bureau(self):
        code = self.voucher.code
        self.assertEqual(vouchers.verify(code, self.public).holder, "长春***有限公司")
        self.assertEqual(vouchers.verify(code, self.other_enterprise).holder, "长春***有限公司")
        self.assertEqual(vouchers.verify(code, self.district_admin).holder, "长春***有限公司")
        self.assertEqual(vouchers.verify(code, self.enterprise).holder, "长春华锐光电科技有限公司")
        self.assertEqual(vouchers.verify(code, self.city_admin).holder, "长春华锐光电科技有限公司")
        result = vouchers.verify(code)
        self.assertEqual((result.state, result.state_label), ("active", "有效"))
        self.assertEqual(result.remaining, Decimal("30000.00"))

    def test_the_effective_state(self):
        v = self.voucher
        self.assertEqual(vouchers.voucher_state(v), "active")
        self.assertEqual(vouchers.voucher_state(v, v.expires_on + DAY), "expired")
        v.redeemed = v.face_value
        self.assertEqual(vouchers.voucher_state(v, v.expires_on + DAY), "used_up")
        v.status = VoucherStatus.CANCELLED
        self.assertEqual(vouchers.voucher_state(v), "cancelled")

    def test_a_voucher_is_seen_by_its_holder_and_the_bureau_only(self):
        self.assertEqual(vouchers.get_voucher(self.enterprise, self.voucher.pk), self.voucher)
        self.assertEqual(vouchers.get_voucher(self.city_admin, self.voucher.pk), self.voucher)
        for user in (self.other_enterprise, self.district_admin, self.public, self.broker):
            with self.assertRaisesMessage(NotAllowed, "只有持券企业的用户或市科技局"):
                vouchers.get_voucher(user, self.voucher.pk)
        self.assertEqual(list(vouchers.vouchers_for(self.other_enterprise)), [])


class ExpiryAndCancellationTests(VoucherTestCase):
    def setUp(self):
        self.voucher = self.issue()
        # A provider has redeemed 10,000 of it.
        Voucher.objects.filter(pk=self.voucher.pk).update(redeemed=Decimal("10000"))
        VoucherProgram.objects.filter(pk=self.program.pk).update(redeemed=Decimal("10000"))

    def past_due(self):
        Voucher.objects.filter(pk=self.voucher.pk).update(expires_on=today() - DAY)

    def test_expiry_gives_the_unused_remainder_back_once(self):
        other = self.issue(self.other_enterprise)  # not yet due
        self.past_due()
        self.assertEqual(vouchers.expire_vouchers(), 1)
        voucher = self.reload(self.voucher)
        self.assertEqual(voucher.status, VoucherStatus.EXPIRED)
        self.assertEqual(voucher.released, Decimal("20000.00"))
        program = self.reload(self.program)
        self.assertEqual(program.committed, Decimal("40000.00"))  # 10,000 used + 30,000 other
        self.assertEqual(vouchers.expire_vouchers(), 0)  # idempotent
        self.assertEqual(self.reload(self.program).committed, Decimal("40000.00"))
        self.assertEqual(self.reload(other).status, VoucherStatus.ACTIVE)
        notice = Notification.objects.get(user=self.enterprise, title__contains="已于")
        self.assertIn("20,000.00 元额度已失效", notice.title)

    def test_a_voucher_expiring_today_is_still_valid(self):
        Voucher.objects.filter(pk=self.voucher.pk).update(expires_on=today())
        self.assertEqual(vouchers.expire_vouchers(), 0)
        self.assertEqual(vouchers.voucher_state(self.reload(self.voucher)), "active")

    def test_the_command(self):
        out = StringIO()
        call_command(
            "expire_vouchers", "--date", (self.voucher.expires_on + DAY).isoformat(), stdout=out
        )
        self.assertIn("已处理 1 张到期创新券", out.getvalue())
        self.assertEqual(self.reload(self.voucher).status, VoucherStatus.EXPIRED)
        with self.assertRaisesMessage(CommandError, "--date 须为日期"):
            call_command("expire_vouchers", "--date", "明天")

    def test_the_bureau_cancels_with_a_reason_and_the_remainder_goes_back(self):
        with self.assertRaises(ValidationError):
            vouchers.cancel_voucher(self.city_admin, self.voucher, "")
        self.assertEqual(self.reload(self.voucher).status, VoucherStatus.ACTIVE)
        vouchers.cancel_voucher(self.city_admin, self.voucher, "企业申请注销")
        voucher = self.reload(self.voucher)
        self.assertEqual(voucher.status, VoucherStatus.CANCELLED)
        self.assertEqual(voucher.released, Decimal("20000.00"))
        self.assertEqual(self.reload(self.program).committed, Decimal("10000.00"))
        notice = Notification.objects.get(user=self.enterprise, title__contains="已作废")
        self.assertIn("企业申请注销", notice.title)
        with self.assertRaisesMessage(InvalidTransition, "该创新券已作废，不能作废"):
            vouchers.cancel_voucher(self.city_admin, voucher, "再次")
        self.past_due()
        self.assertEqual(vouchers.expire_vouchers(), 0)  # nothing released twice
        self.assertEqual(self.reload(self.program).committed, Decimal("10000.00"))

    def test_only_the_bureau_cancels(self):
        for user in (self.enterprise, self.district_admin):
            with self.assertRaisesMessage(NotAllowed, "只有市科技局可以作废创新券"):
                vouchers.cancel_voucher(user, self.voucher, "不用了")
        self.assertEqual(self.reload(self.voucher).status, VoucherStatus.ACTIVE)


class ProgramTests(VoucherTestCase):
    def values(self, **overrides):
        return {
            "name": "2027年长春市科技创新券",
            "year": 2027,
            "budget": "2000000",
            "face_values": "10000,30000,50000",
            "categories": ["testing", "rd"],
            "apply_from": today(),
            "apply_until": today() + 30 * DAY,
            "valid_days": 180,
            "per_enterprise": 1,
            "max_share": "0.5",
            **overrides,
        }

    def test_the_bureau_creates_a_draft_opens_and_closes_it(self):
        program = vouchers.create_program(self.city_admin, **self.values())
        self.assertEqual(program.status, ProgramStatus.DRAFT)
        self.assertEqual(program.face_values, [10000, 30000, 50000])
        self.assertEqual(program.budget, Decimal("2000000.00"))
        self.assertNotIn(program, vouchers.programs_for(self.public))
        self.assertIn(program, vouchers.programs_for(self.city_admin))
        vouchers.open_program(self.city_admin, program)
        self.assertIn(program, vouchers.programs_for(self.public))
        application = self.apply(program=program)
        vouchers.close_program(self.city_admin, program)
        self.assertEqual(self.reload(program).status, ProgramStatus.CLOSED)
        application.refresh_from_db()
        self.assertEqual(application.status, ApplicationStatus.REFUSED)
        self.assertEqual(application.reason, "项目已结束受理，未审核的申领不再办理。")
        with self.assertRaisesMessage(InvalidTransition, "项目已结束，不能再修改"):
            vouchers.update_program(self.city_admin, program, budget="3000000")

    def test_bad_face_values_name_the_bad_value(self):
        with self.assertRaises(ValidationError) as ctx:
            vouchers.create_program(self.city_admin, **self.values(face_values="10000, 3万, 5"))
        self.assertEqual(
            ctx.exception.message_dict["face_values"],
            ["券面额“3万”不是正整数（元），请用逗号分隔，如 10000,30000,50000。"],
        )
        with self.assertRaises(ValidationError) as ctx:
            vouchers.create_program(self.city_admin, **self.values(face_values="10000,-5"))
        self.assertIn("“-5”", ctx.exception.message_dict["face_values"][0])
        self.assertEqual(
            vouchers.parse_face_values("50000，10000 30000,10000"), [10000, 30000, 50000]
        )
        self.assertFalse(VoucherProgram.objects.exclude(pk=self.program.pk).exists())

    def test_other_bad_values_are_named_by_field(self):
        with self.assertRaises(ValidationError) as ctx:
            vouchers.create_program(
                self.city_admin,
                **self.values(
                    budget="0",
                    categories=[],
                    apply_from=today(),
                    apply_until=today() - DAY,
                    max_share="1.5",
                ),
            )
        errors = ctx.exception.message_dict
        self.assertEqual(errors["budget"], ["预算总额须大于0元。"])
        self.assertEqual(errors["categories"], ["请至少选择一个适用服务类别。"])
        self.assertIn("须不早于开始日期", errors["apply_until"][0])
        self.assertIn("抵扣比例上限须大于0且不超过1", errors["max_share"][0])
        self.assertFalse(VoucherProgram.objects.exclude(pk=self.program.pk).exists())

    def test_designated_providers_must_be_registered(self):
        pending = ServiceProviderFactory(status=ProviderStatus.PENDING)
        with self.assertRaises(ValidationError) as ctx:
            vouchers.create_program(self.city_admin, **self.values(providers=[pending.pk]))
        self.assertIn("指定服务机构须为已入库机构", ctx.exception.message_dict["providers"][0])
        registered = ServiceProviderFactory()
        program = vouchers.create_program(
            self.city_admin, **self.values(providers=[registered.pk], regions=["220102"])
        )
        self.assertEqual(list(program.providers.all()), [registered])
        self.assertEqual(list(program.regions.all()), [self.nanguan])

    def test_the_budget_cannot_go_below_what_is_committed(self):
        self.issue(face="50000")
        with self.assertRaisesMessage(
            InvalidTransition,
            "预算总额不能低于已发券额度：已发券50,000.00元，拟调整为40,000.00元。",
        ):
            vouchers.update_program(self.city_admin, self.program, budget="40000")
        self.assertEqual(self.reload(self.program).budget, Decimal("1000000.00"))
        vouchers.update_program(self.city_admin, self.program, budget="50000")
        self.assertEqual(self.reload(self.program).available, Decimal("0.00"))

    def test_an_open_program_keeps_its_terms(self):
        with self.assertRaisesMessage(InvalidTransition, "不能修改：券面额（元）"):
            vouchers.update_program(self.city_admin, self.program, face_values="20000")
        vouchers.update_program(
            self.city_admin, self.program, face_values="10000,30000,50000", description="补充说明"
        )  # unchanged terms may be sent back as they are
        self.assertEqual(self.reload(self.program).description, "补充说明")

    def test_only_the_bureau_manages_programs(self):
        for user in (self.district_admin, self.enterprise, self.leader):
            with self.assertRaisesMessage(NotAllowed, "只有市科技局可以管理创新券项目"):
                vouchers.create_program(user, **self.values())
            with self.assertRaises(NotAllowed):
                vouchers.close_program(user, self.program)
        self.assertEqual(self.reload(self.program).status, ProgramStatus.OPEN)

    def test_a_draft_past_its_deadline_cannot_be_opened(self):
        program = vouchers.create_program(
            self.city_admin,
            **self.values(apply_from=today() - 10 * DAY, apply_until=today() - DAY),
        )
        with self.assertRaisesMessage(InvalidTransition, "已过，请先修改申领期"):
            vouchers.open_program(self.city_admin, program)
        self.assertEqual(self.reload(program).status, ProgramStatus.DRAFT)
