"""Redemptions and settlement claims arriving at the same moment, each in its own connection
(PostgreSQL): the budget invariants hold whatever the interleaving."""

import datetime
from decimal import Decimal

from django.test import TransactionTestCase, skipUnlessDBFeature
from django.utils import timezone

from core.choices import OrgType, Role
from core.factories import MembershipFactory, OrganisationFactory
from core.testing import ReferenceDataMixin, run_together
from sharing.factories import ServiceProviderFactory, VoucherFactory, VoucherProgramFactory
from sharing.models import Redemption, SettlementClaim, SettlementLine, Voucher, VoucherProgram
from sharing.services import redemptions, settlement


@skipUnlessDBFeature("has_select_for_update")
class ConcurrentRedemptionTests(ReferenceDataMixin, TransactionTestCase):
    def setUp(self):
        super().setUp()
        agency = OrganisationFactory(name="长春技术转移中心", type=OrgType.SERVICE_AGENCY)
        self.clerks = [
            MembershipFactory(organisation=agency, role=Role.BROKER).user for _ in range(3)
        ]
        self.provider = ServiceProviderFactory(organisation=agency, created_by=self.clerks[0])
        self.program = VoucherProgramFactory(budget=Decimal("100000"))
        self.holders = [
            OrganisationFactory(name=name)
            for name in (
                "长春华锐光电科技有限公司",
                "长春启明汽车电子有限公司",
                "长春一汽零部件有限公司",
            )
        ]
        for holder in self.holders:
            MembershipFactory(organisation=holder, role=Role.ENTERPRISE)
        issued = timezone.now() - datetime.timedelta(days=5)
        self.vouchers = [
            VoucherFactory(
                program=self.program, holder=h, face_value=Decimal("30000"), issued_at=issued
            )
            for h in self.holders
        ]

    def redeem(self, voucher, amount, contract, clerk=0):
        def call():
            redemptions.redeem(
                self.clerks[clerk],
                code=voucher.code,
                holder_uscc=voucher.holder.uscc,
                contract_number=contract,
                signed_on=timezone.localdate(),
                category="testing",
                contract_amount=Decimal("100000"),
                service_description="检测服务",
                amount=amount,
            )

        return call

    def assert_invariants(self):
        program = VoucherProgram.objects.get(pk=self.program.pk)
        rows = Redemption.objects.filter(voucher__program=program)
        self.assertEqual(program.redeemed, sum((r.amount for r in rows), Decimal(0)))
        self.assertLessEqual(program.redeemed, program.budget)
        for voucher in Voucher.objects.filter(program=program):
            mine = sum((r.amount for r in voucher.redemptions.all()), Decimal(0))
            self.assertEqual(voucher.redeemed, mine, voucher.code)
            self.assertLessEqual(voucher.redeemed, voucher.face_value)
        return program

    def test_redemptions_past_the_face_value_cannot_all_stand(self):
        voucher = self.vouchers[0]
        outcomes = run_together(
            *(self.redeem(voucher, Decimal("12000"), f"HT-{n}", clerk=n % 3) for n in range(4))
        )
        self.assertEqual(outcomes.count("ok"), 2, outcomes)
        for refusal in (o for o in outcomes if o != "ok"):
            self.assertEqual(refusal, "核销金额超过创新券余额（剩余 6,000.00 元）。")
        stored = Voucher.objects.get(pk=voucher.pk)
        self.assertEqual(stored.redeemed, Decimal("24000"))
        self.assertEqual(Redemption.objects.count(), 2)
        self.assert_invariants()

    def test_the_same_contract_redeemed_twice_at_once_stands_once(self):
        voucher = self.vouchers[0]
        outcomes = run_together(
            self.redeem(voucher, Decimal("5000"), "HT-1", clerk=0),
            self.redeem(voucher, Decimal("5000"), "HT-1", clerk=1),
        )
        self.assertEqual(outcomes.count("ok"), 1, outcomes)
        self.assertIn("同一合同不能重复核销", next(o for o in outcomes if o != "ok"))
        self.assertEqual(Voucher.objects.get(pk=voucher.pk).redeemed, Decimal("5000"))
        self.assert_invariants()

    def test_redemptions_across_the_vouchers_of_one_program_add_up(self):
        calls = []
        for n, voucher in enumerate(self.vouchers):
            for k, amount in enumerate(("20000", "15000", "0.01")):
                calls.append(self.redeem(voucher, Decimal(amount), f"HT-{n}-{k}", clerk=k))
        outcomes = run_together(*calls)
        self.assertNotIn(None, outcomes)
        self.assertTrue(all(o == "ok" or "创新券余额" in o for o in outcomes), outcomes)
        program = self.assert_invariants()
        # On each 30,000 voucher 20,000 and 15,000 cannot both stand.
        for voucher in Voucher.objects.filter(program=program):
            self.assertLessEqual(voucher.redeemed, Decimal("30000"))
            self.assertGreaterEqual(voucher.redeemed, Decimal("15000"))
        self.assertEqual(program.redeemed, sum(v.redeemed for v in Voucher.objects.all()))

    def test_two_claims_for_the_same_redemptions_settle_them_once(self):
        run_together(self.redeem(self.vouchers[0], Decimal("8000"), "HT-1"))
        run_together(self.redeem(self.vouchers[1], Decimal("4000"), "HT-2"))
        outcomes = run_together(
            lambda: settlement.claim_settlement(self.clerks[0], self.program),
            lambda: settlement.claim_settlement(self.clerks[1], self.program),
        )
        self.assertEqual(outcomes.count("ok"), 1, outcomes)
        self.assertIn(
            next(o for o in outcomes if o != "ok"),
            (
                "所选核销记录已在其他兑付申请中。",
                f"本单位在“{self.program.name}”中没有待申请兑付的核销记录。",
            ),
        )
        self.assertEqual(SettlementClaim.objects.count(), 1)
        self.assertEqual(SettlementLine.objects.filter(active=True).count(), 2)
        self.assertEqual(SettlementClaim.objects.get().total, Decimal("12000"))
