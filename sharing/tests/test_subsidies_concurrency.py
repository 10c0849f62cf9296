"""Approvals and claims arriving at the same moment, in separate connections (PostgreSQL)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.test import TransactionTestCase, skipUnlessDBFeature
from django.utils import timezone

from core.choices import OrgType, Role
from core.factories import MembershipFactory, OrganisationFactory
from core.testing import ReferenceDataMixin, run_together
from resources.factories import InstrumentFactory
from sharing.choices import BookingStatus, ClaimStatus
from sharing.factories import BookingFactory, SlotFactory, SubsidyPolicyFactory, UsageFactory
from sharing.models import SubsidyClaim, SubsidyPolicy
from sharing.services import subsidies


@skipUnlessDBFeature("has_select_for_update")
class ConcurrentSubsidyTests(ReferenceDataMixin, TransactionTestCase):
    def setUp(self):
        super().setUp()
        self.year = timezone.localdate().year
        university = OrganisationFactory(name="吉林大学", type=OrgType.UNIVERSITY)
        instrument = InstrumentFactory(owner=university)
        bureau = OrganisationFactory(name="长春市科学技术局", type=OrgType.GOVERNMENT)
        self.admins = [
            MembershipFactory(organisation=bureau, role=Role.CITY_ADMIN).user for _ in range(2)
        ]
        # Budget 10,000 with 4,000 already approved: 6,000 remain.
        self.policy = SubsidyPolicyFactory(
            year=self.year, budget=Decimal("10000"), approved_total=Decimal("4000")
        )
        self.users = []
        for n, name in enumerate(("长春华锐光电科技有限公司", "长春启明汽车电子有限公司")):
            user = MembershipFactory(
                organisation=OrganisationFactory(name=name), role=Role.ENTERPRISE
            ).user
            self.users.append(user)
            start = timezone.make_aware(datetime.datetime(self.year, 2, 1 + n, 9))
            slot = SlotFactory(
                instrument=instrument, starts_at=start, ends_at=start + datetime.timedelta(hours=4)
            )
            booking = BookingFactory(slot=slot, requester=user, status=BookingStatus.USED)
            # 13,000 × 30% = 3,900 and 12,000 × 30% = 3,600
            UsageFactory(booking=booking, fee=Decimal("13000") - n * 1000)
        self.claims = [subsidies.submit_claim(u, self.year) for u in self.users]

    def approve(self, admin, claim):
        return lambda: subsidies.approve_claim(admin, SubsidyClaim.objects.get(pk=claim.pk))

    def test_two_approvals_beyond_the_remaining_budget_one_is_refused(self):
        # 3,900 + 3,600 = 7,500 > 6,000 remaining: either fits alone, not both.
        self.assertEqual([c.amount for c in self.claims], [Decimal("3900.00"), Decimal("3600.00")])
        outcomes = run_together(
            self.approve(self.admins[0], self.claims[0]),
            self.approve(self.admins[1], self.claims[1]),
        )
        self.assertEqual(outcomes.count("ok"), 1, outcomes)
        refusal = next(o for o in outcomes if o != "ok")
        self.assertTrue(refusal.startswith("年度补贴预算余额不足：剩余 2,"), refusal)
        policy = SubsidyPolicy.objects.get(pk=self.policy.pk)
        self.assertLessEqual(policy.approved_total, policy.budget)
        approved = SubsidyClaim.objects.get(status=ClaimStatus.APPROVED)
        self.assertEqual(policy.approved_total, Decimal("4000") + approved.approved_amount)
        self.assertEqual(SubsidyClaim.objects.filter(status=ClaimStatus.SUBMITTED).count(), 1)

    def test_the_same_claim_approved_twice_at_once_counts_once(self):
        outcomes = run_together(
            self.approve(self.admins[0], self.claims[1]),
            self.approve(self.admins[1], self.claims[1]),
        )
        self.assertEqual(outcomes.count("ok"), 1, outcomes)
        self.assertIn("该申请已处理（已批准）", next(o for o in outcomes if o != "ok"))
        policy = SubsidyPolicy.objects.get(pk=self.policy.pk)
        self.assertEqual(policy.approved_total, Decimal("7600.00"))
