"""Bids and registrations arriving at the same moment, in two connections (PostgreSQL)."""

import datetime
from decimal import Decimal

from django.test import TransactionTestCase, skipUnlessDBFeature
from django.utils import timezone

from core.choices import OrgType, Role
from core.factories import MembershipFactory, OrganisationFactory
from core.testing import ReferenceDataMixin, run_together
from resources.factories import AchievementFactory
from transfer.choices import ContractKind
from transfer.models import Bid, Listing, TechContract
from transfer.services import contracts, listings


@skipUnlessDBFeature("has_select_for_update")
class ConcurrentBidTests(ReferenceDataMixin, TransactionTestCase):
    def setUp(self):
        super().setUp()
        university = OrganisationFactory(name="吉林大学", type=OrgType.UNIVERSITY)
        self.owner = MembershipFactory(organisation=university, role=Role.INSTITUTE).user
        self.bidders = [
            MembershipFactory(
                organisation=OrganisationFactory(name=name), role=Role.ENTERPRISE
            ).user
            for name in (
                "长春华锐光电科技有限公司",
                "长春启明汽车电子有限公司",
                "长春一汽零部件有限公司",
            )
        ]
        achievement = AchievementFactory(owner=university, allows_assignment=True)
        now = timezone.now()
        self.listing = listings.create_listing(
            self.owner,
            achievement,
            mode="assignment",
            reserve_price="100000",
            min_step="5000",
            starts_at=now - datetime.timedelta(hours=1),
            ends_at=now + datetime.timedelta(days=1),
        )
        listings.place_bid(self.bidders[2], self.listing, "100000")

    def bid(self, user, amount):
        return lambda: listings.place_bid(user, Listing.objects.get(pk=self.listing.pk), amount)

    def test_two_bids_of_the_same_next_amount_one_wins_the_other_is_refused(self):
        outcomes = run_together(
            self.bid(self.bidders[0], "105000"), self.bid(self.bidders[1], "105000")
        )
        self.assertEqual(outcomes.count("ok"), 1, outcomes)
        refusal = next(o for o in outcomes if o != "ok")
        self.assertIn("出价须不低于当前最高价105,000.00元", refusal)
        self.assertIn("至少110,000.00元", refusal)
        self.assertEqual(
            list(Bid.objects.order_by("amount").values_list("amount", flat=True)),
            [Decimal("100000"), Decimal("105000")],
        )

    def test_two_valid_bids_at_once_cannot_both_stand_when_the_second_does_not_beat_the_first(
        self,
    ):
        # Each beats the standing 100,000 by the step, but not each other: the lock decides.
        outcomes = run_together(
            self.bid(self.bidders[0], "105000"), self.bid(self.bidders[1], "106000")
        )
        self.assertEqual(outcomes.count("ok"), 1, outcomes)
        self.assertEqual(Bid.objects.count(), 2)


@skipUnlessDBFeature("has_select_for_update")
class ConcurrentRegistrationTests(ReferenceDataMixin, TransactionTestCase):
    def setUp(self):
        super().setUp()
        from core.models import HighTechField

        seller = OrganisationFactory(name="吉林大学", type=OrgType.UNIVERSITY)
        user = MembershipFactory(organisation=seller, role=Role.INSTITUTE).user
        bureau = OrganisationFactory(name="长春市科学技术局", type=OrgType.GOVERNMENT)
        self.registrars = [
            MembershipFactory(organisation=bureau, role=Role.CITY_ADMIN).user for _ in range(2)
        ]
        self.contracts = []
        for n in range(2):
            contract = contracts.create_contract(
                user,
                kind=ContractKind.TRANSFER,
                title=f"技术转让合同{n}",
                subject="专利权转让",
                buyer_name="某公司",
                field=HighTechField.objects.first(),
                total_amount="100000",
                declared_tech_amount="100000",
                payment_terms="一次性支付",
                signed_on=timezone.localdate(),
            )
            self.contracts.append(contracts.submit_contract(user, contract))

    def test_simultaneous_registrations_get_consecutive_numbers(self):
        def register(registrar, contract):
            return lambda: contracts.register_contract(
                registrar, TechContract.objects.get(pk=contract.pk)
            )

        outcomes = run_together(
            *(register(r, c) for r, c in zip(self.registrars, self.contracts, strict=True))
        )
        self.assertEqual(outcomes, ["ok", "ok"])
        year = timezone.localdate().year
        self.assertEqual(
            sorted(TechContract.objects.values_list("registration_number", flat=True)),
            [f"22010{year}000001", f"22010{year}000002"],
        )
