"""Two approvals at the same moment, in two connections (PostgreSQL): the program's row lock
lets only as many vouchers through as the budget holds."""

from decimal import Decimal

from django.test import TransactionTestCase, skipUnlessDBFeature

from core.choices import OrgType, Role
from core.factories import MembershipFactory, OrganisationFactory
from core.testing import ReferenceDataMixin, run_together
from sharing.choices import ApplicationStatus
from sharing.factories import VoucherProgramFactory
from sharing.models import Voucher, VoucherApplication, VoucherProgram
from sharing.services import vouchers


@skipUnlessDBFeature("has_select_for_update")
class ConcurrentIssueTests(ReferenceDataMixin, TransactionTestCase):
    def setUp(self):
        super().setUp()
        bureau = OrganisationFactory(name="长春市科学技术局", type=OrgType.GOVERNMENT)
        self.admins = [
            MembershipFactory(organisation=bureau, role=Role.CITY_ADMIN).user for _ in range(2)
        ]
        # 70,000 left: either 50,000 voucher fits, both together do not.
        self.program = VoucherProgramFactory(budget=Decimal("100000"))
        VoucherProgram.objects.filter(pk=self.program.pk).update(committed=Decimal("30000"))
        self.applications = []
        for name in ("长春华锐光电科技有限公司", "长春启明汽车电子有限公司"):
            user = MembershipFactory(
                organisation=OrganisationFactory(name=name), role=Role.ENTERPRISE
            ).user
            self.applications.append(
                vouchers.apply_for_voucher(
                    user,
                    self.program,
                    face_value="50000",
                    category="testing",
                    purpose="新产品检测认证",
                )
            )

    def approve(self, admin, application):
        return lambda: vouchers.approve_application(
            admin, VoucherApplication.objects.get(pk=application.pk)
        )

    def test_two_approvals_beyond_the_budget_together_issue_exactly_one_voucher(self):
        outcomes = run_together(
            *(self.approve(a, app) for a, app in zip(self.admins, self.applications, strict=True))
        )
        self.assertEqual(outcomes.count("ok"), 1, outcomes)
        refusal = next(o for o in outcomes if o != "ok")
        self.assertEqual(refusal, "项目预算余额不足：剩余 20,000.00 元，申领面额 50,000.00 元。")
        self.assertEqual(Voucher.objects.count(), 1)
        program = VoucherProgram.objects.get(pk=self.program.pk)
        self.assertEqual(program.committed, Decimal("80000.00"))
        self.assertLessEqual(program.committed, program.budget)
        self.assertEqual(
            sorted(VoucherApplication.objects.values_list("status", flat=True)),
            [ApplicationStatus.APPROVED, ApplicationStatus.SUBMITTED],
        )

    def test_two_approvals_that_fit_both_go_through(self):
        VoucherProgram.objects.filter(pk=self.program.pk).update(committed=0)
        outcomes = run_together(
            *(self.approve(a, app) for a, app in zip(self.admins, self.applications, strict=True))
        )
        self.assertEqual(outcomes, ["ok", "ok"])
        self.assertEqual(
            VoucherProgram.objects.get(pk=self.program.pk).committed, Decimal("100000")
        )
        self.assertEqual(len(set(Voucher.objects.values_list("code", flat=True))), 2)
