"""核销 and rating through the services: every refusal names its reason and writes nothing; the
running totals on the voucher and the program always equal the redemptions behind them."""

import datetime
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from core.choices import AuditAction
from core.exceptions import InvalidTransition, NotAllowed, NotFound, ServiceError
from core.models import AuditEntry, Notification
from integrity.factories import IntegrityRecordFactory
from sharing.choices import ProviderStatus, VoucherStatus
from sharing.factories import ServiceProviderFactory
from sharing.models import AbuseFlag, OrgRelation, Redemption, Voucher, VoucherProgram
from sharing.services import redemptions
from sharing.services.codes import new_code

from .test_redemptions_base import RedemptionTestCase, days_ago


def long(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


class RedeemTests(RedemptionTestCase):
    def assert_refused(self, cls, message, user=None, **overrides):
        before = self.totals()
        audits = AuditEntry.objects.count()
        with self.assertRaises(cls) as caught:
            self.redeem(user, **overrides)
        self.assertIn(message, caught.exception.message)
        self.assertEqual(self.totals(), before)
        self.assertEqual(AuditEntry.objects.count(), audits)
        self.assertFalse(AbuseFlag.objects.exists())
        return caught.exception

    def test_a_provider_redeems_part_of_a_voucher(self):
        redemption = self.redeem()
        self.assertEqual(redemption.amount, Decimal("10000.00"))
        self.assertEqual(redemption.provider, self.provider)
        self.assertEqual(self.totals(), (Decimal("10000"), Decimal("10000"), 1))
        voucher = Voucher.objects.get(pk=self.voucher.pk)
        self.assertEqual(voucher.remaining, Decimal("20000"))
        self.assertEqual(voucher.status, VoucherStatus.ACTIVE)
        note = Notification.objects.get(user=self.enterprise)
        self.assertIn("长春技术转移中心已核销贵单位创新券", note.title)
        self.assertIn("剩余20,000.00元", note.title)
        self.assertIn("请对服务进行评价", note.title)
        self.assertEqual(note.url, f"/sharing/redemptions/{redemption.pk}/")
        entry = AuditEntry.objects.get(action=AuditAction.CREATE, object_id=str(redemption.pk))
        self.assertIn(self.voucher.code, entry.object_repr)

    def test_redeeming_the_rest_uses_the_voucher_up_and_then_nothing_is_left(self):
        self.redeem(contract_amount="60000", amount="30000")
        voucher = Voucher.objects.get(pk=self.voucher.pk)
        self.assertEqual(voucher.status, VoucherStatus.USED_UP)
        self.assert_refused(
            InvalidTransition, "创新券余额为 0，已用完。", contract_number="JC-2026-002"
        )

    def test_the_code_is_read_as_typed_and_the_holder_code_normalised(self):
        typed = self.voucher.code.lower().replace("-", " ")
        uscc = " " + self.enterprise_org.uscc.lower() + " "
        redemption = self.redeem(code=typed, holder_uscc=uscc)
        self.assertEqual(redemption.voucher_id, self.voucher.pk)

    def test_a_malformed_or_unknown_code_is_refused(self):
        self.assert_refused(ServiceError, "券号格式不正确或校验位不符", code="2026-ABC")
        self.assert_refused(NotFound, "未找到该券号", code=new_code(self.program.year))

    def test_only_a_registered_provider_redeems(self):
        self.assert_refused(NotAllowed, "本单位不是入库科技服务机构", user=self.enterprise)
        self.assert_refused(NotAllowed, "本单位不是入库科技服务机构", user=self.city_admin)
        self.assert_refused(NotAllowed, "本单位不是入库科技服务机构", user=self.district_admin)
        self.assert_refused(NotAllowed, "请先登录", user=AnonymousUser())
        self.provider.status = ProviderStatus.PENDING
        self.provider.save()
        self.assert_refused(NotAllowed, "尚未入库为科技服务机构（当前状态：待审核）")
        self.provider.status = ProviderStatus.SUSPENDED
        self.provider.save()
        self.assert_refused(NotAllowed, "服务机构资格已暂停")

    def test_the_holder_must_be_the_contracting_party(self):
        other = self.other_enterprise_org.uscc
        self.assert_refused(
            ServiceError, f"该创新券不属于合同委托方（统一社会信用代码 {other}）", holder_uscc=other
        )

    def test_a_program_with_designated_providers_refuses_the_others(self):
        elsewhere = ServiceProviderFactory()
        self.program.providers.add(elsewhere)
        self.assert_refused(NotAllowed, "指定了服务机构，本单位不在指定范围内")
        self.program.providers.add(self.provider)
        self.redeem()

    def test_the_category_must_suit_the_program_and_the_provider(self):
        self.provider.categories = ["testing", "rd", "ip"]
        self.provider.save()
        self.assert_refused(
            ServiceError,
            "该创新券不能用于“知识产权服务”服务（适用服务类别：检验检测、研发设计、仪器设备共享）",
            category="ip",
        )
        self.assert_refused(
            ServiceError, "本单位入库的服务类别不含“仪器设备共享”", category="instrument"
        )
        self.assert_refused(ServiceError, "请选择服务类别", category="cooking")

    def test_an_expired_voucher_is_refused_even_before_the_expiry_command_ran(self):
        day = days_ago(1)
        Voucher.objects.filter(pk=self.voucher.pk).update(expires_on=day)
        self.assert_refused(InvalidTransition, f"创新券已于{long(day)}过期，不能核销。")
        Voucher.objects.filter(pk=self.voucher.pk).update(expires_on=datetime.date(2026, 5, 31))
        self.assert_refused(InvalidTransition, "创新券已于2026年5月31日过期，不能核销。")

    def test_a_cancelled_voucher_is_refused(self):
        Voucher.objects.filter(pk=self.voucher.pk).update(status=VoucherStatus.CANCELLED)
        self.assert_refused(InvalidTransition, "创新券已作废，不能核销。")

    def test_the_amount_must_fit_the_remaining_value(self):
        self.redeem(contract_amount="60000", amount="25000")
        self.assert_refused(
            InvalidTransition,
            "核销金额超过创新券余额（剩余 5,000.00 元）。",
            contract_number="JC-2026-002",
        )
        self.assert_refused(ServiceError, "核销金额须大于0元", contract_number="X", amount="0")
        self.assert_refused(ServiceError, "核销金额须大于0元", contract_number="X", amount="-5")
        self.assert_refused(ServiceError, "最多保留两位小数", contract_number="X", amount="1.001")
        self.assert_refused(ServiceError, "请填写核销金额", contract_number="X", amount="")

    def test_the_amount_may_not_pass_the_programs_share_of_the_contract(self):
        self.assert_refused(
            ServiceError,
            "核销金额不能超过合同金额的 50%（7,500.00 元）。",
            contract_amount="15000",
            amount="7500.01",
        )
        # 15,000.01 × 50% = 7,500.005, rounded half up to the fen.
        redemption = self.redeem(contract_amount="15000.01", amount="7500.01")
        self.assertEqual(redemption.amount, Decimal("7500.01"))

    def test_the_contract_date_must_lie_between_issue_and_today(self):
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        self.assert_refused(ServiceError, "不能晚于今天", signed_on=tomorrow)
        self.assert_refused(ServiceError, "早于创新券发放日期", signed_on=days_ago(11))
        self.assert_refused(ServiceError, "合同签订日期须为日期", signed_on="明天")
        self.redeem(signed_on=days_ago(10))

    def test_one_contract_is_redeemed_once_on_a_voucher(self):
        self.redeem()
        self.assert_refused(InvalidTransition, "合同 JC-2026-001 已用该创新券核销过", amount="5000")

    def test_an_integrity_record_bars_the_holder_or_the_provider(self):
        record = IntegrityRecordFactory(
            organisation=self.enterprise_org,
            restricted_from=days_ago(30),
            restricted_until=timezone.localdate() + datetime.timedelta(days=365),
        )
        self.assert_refused(ServiceError, "长春华锐光电科技有限公司存在科研失信记录")
        record.organisation = self.agency
        record.save()
        self.assert_refused(ServiceError, "存在科研失信记录")

    def test_an_inconsistent_total_becomes_a_clear_refusal(self):
        # Were the program's running total ever near its budget, the check constraint refuses.
        VoucherProgram.objects.filter(pk=self.program.pk).update(
            redeemed=self.program.budget - Decimal("5000")
        )
        with self.assertRaises(InvalidTransition) as caught:
            self.redeem()
        self.assertIn("超出创新券余额或项目预算", caught.exception.message)
        self.assertEqual(Redemption.objects.count(), 0)
        self.assertEqual(Voucher.objects.get(pk=self.voucher.pk).redeemed, 0)

    def test_a_redemption_between_related_organisations_stands_and_is_flagged(self):
        first, second = sorted([self.agency, self.enterprise_org], key=lambda o: o.pk)
        OrgRelation.objects.create(first=first, second=second, kind="group")
        redemption = self.redeem()
        flag = AbuseFlag.objects.get()
        self.assertEqual(flag.rule, "same_group")
        self.assertEqual(flag.redemption, redemption)
        self.assertIn("已登记关联关系：同一集团", flag.message)
        self.assertEqual(self.totals()[0], Decimal("10000"))

    def test_sequential_redemptions_keep_the_running_totals_equal_to_the_rows(self):
        second = self.make_voucher(holder=self.other_enterprise_org, face_value="10000")
        results = []
        for n, (voucher, amount) in enumerate(
            [(self.voucher, "12000"), (second, "6000"), (self.voucher, "15000"),
             (second, "5000"), (self.voucher, "3000"), (self.voucher, "0.01")]
        ):  # fmt: skip
            try:
                self.redeem(
                    voucher=voucher,
                    contract_number=f"HT-{n}",
                    contract_amount="100000",
                    amount=amount,
                )
                results.append("ok")
            except InvalidTransition as exc:
                results.append(exc.message)
        self.assertEqual(results[:3] + results[4:5], ["ok", "ok", "ok", "ok"])
        self.assertIn("剩余 4,000.00 元", results[3])
        self.assertEqual(results[5], "创新券余额为 0，已用完。")
        for voucher in (self.voucher, second):
            stored = Voucher.objects.get(pk=voucher.pk)
            rows = sum(r.amount for r in stored.redemptions.all())
            self.assertEqual(stored.redeemed, rows)
            self.assertLessEqual(stored.redeemed, stored.face_value)
        program = VoucherProgram.objects.get(pk=self.program.pk)
        self.assertEqual(program.redeemed, sum(r.amount for r in Redemption.objects.all()))
        self.assertEqual(program.redeemed, Decimal("36000"))
        self.assertLessEqual(program.redeemed, program.budget)


class RatingTests(RedemptionTestCase):
    def setUp(self):
        self.redemption = self.redeem()

    def test_the_holder_rates_the_service_once(self):
        rated = redemptions.rate(self.enterprise, self.redemption, 5, "检测及时，报告规范。")
        self.assertEqual(rated.rating, 5)
        stored = Redemption.objects.get(pk=self.redemption.pk)
        self.assertEqual((stored.rating, stored.rating_comment), (5, "检测及时，报告规范。"))
        self.assertIsNotNone(stored.rated_at)
        self.assertIn("评价5分", Notification.objects.get(user=self.broker).title)
        with self.assertRaises(InvalidTransition) as caught:
            redemptions.rate(self.enterprise, self.redemption, 1)
        self.assertEqual(caught.exception.message, "该服务已评价。")
        self.assertEqual(Redemption.objects.get(pk=self.redemption.pk).rating, 5)

    def test_only_the_holders_members_rate(self):
        for user in (self.broker, self.other_enterprise, self.city_admin, self.district_admin):
            with self.assertRaises(NotAllowed, msg=user.username) as caught:
                redemptions.rate(user, self.redemption, 4)
            self.assertIn("只有持券企业的用户可以评价", caught.exception.message)
        self.assertIsNone(Redemption.objects.get(pk=self.redemption.pk).rating)

    def test_a_rating_outside_one_to_five_is_refused(self):
        for bad in (0, 6, "很好", None):
            with self.assertRaises(ServiceError) as caught:
                redemptions.rate(self.enterprise, self.redemption, bad)
            self.assertIn("请选择1–5分", caught.exception.message)
        self.assertIsNone(Redemption.objects.get(pk=self.redemption.pk).rating)


class VisibilityTests(RedemptionTestCase):
    def setUp(self):
        self.redemption = self.redeem()

    def test_the_provider_the_holder_and_the_bureau_see_a_redemption(self):
        for user in (self.broker, self.enterprise, self.city_admin):
            self.assertEqual(redemptions.get_redemption(user, self.redemption.pk), self.redemption)
            self.assertEqual(list(redemptions.redemptions_for(user)), [self.redemption])

    def test_another_enterprise_and_the_district_admin_do_not(self):
        for user in (self.other_enterprise, self.district_admin, self.institute, self.leader):
            with self.assertRaises(NotAllowed):
                redemptions.get_redemption(user, self.redemption.pk)
            self.assertFalse(redemptions.redemptions_for(user).exists())

    def test_a_provider_looks_a_voucher_up_with_the_holder_partly_hidden(self):
        found = redemptions.lookup(self.broker, self.voucher.code)
        self.assertEqual(found["remaining"], Decimal("20000"))
        self.assertEqual(found["holder"], "长春***有限公司")
        self.assertEqual(found["state_label"], "有效")
        with self.assertRaises(NotAllowed):
            redemptions.lookup(self.other_enterprise, self.voucher.code)
