"""Computed indicators read the platform's records for a region and period."""

import datetime
from decimal import Decimal as D

from django.utils import timezone

from brain.services import computed
from brain.services.periods import parse
from bridging.models import Match
from core.exceptions import NotFound
from core.models import Region
from core.testing import PersonaTestCase
from cultivation.models import PoolMembership
from resources.factories import AchievementFactory, DemandFactory
from transfer.models import TechContract

Y2025 = parse("2025", "year")


def at(year, month, day):
    return timezone.make_aware(datetime.datetime(year, month, day, 10))


class PoolCountTests(PersonaTestCase):
    def stay(self, org, tier, entered, exited=None):
        return PoolMembership.objects.create(
            organisation=org,
            tier=tier,
            entered_on=entered,
            exited_on=exited,
            exit_reason="到期" if exited else "",
            entry_reason="认定",
            entered_by=self.city_admin,
        )

    def test_stays_current_at_the_period_end_by_organisation_region(self):
        d = datetime.date
        self.stay(self.enterprise_org, "hte", d(2024, 5, 1))  # in 220173, still in
        self.stay(
            self.other_enterprise_org, "hte", d(2025, 3, 1), d(2025, 12, 31)
        )  # left on the last day
        self.stay(self.university, "hte", d(2026, 1, 2))  # entered after 2025
        self.assertEqual(computed.compute("cultivation_hte", None, Y2025), D(1))
        self.assertEqual(computed.compute("cultivation_hte", self.hightech_zone, Y2025), D(1))
        self.assertEqual(computed.compute("cultivation_hte", self.nanguan, Y2025), D(0))
        # In the middle of 2025 the second enterprise was still in.
        self.assertEqual(
            computed.compute("cultivation_hte", None, parse("2025Q2", "quarter")), D(2)
        )

    def test_specialised_counts_both_specialised_tiers_and_others_their_own(self):
        d = datetime.date(2025, 1, 1)
        self.stay(self.enterprise_org, "specialised", d)
        self.stay(self.other_enterprise_org, "little_giant", d)
        self.stay(self.enterprise_org, "sme_tech", d)
        self.stay(self.enterprise_org, "leader", d)
        city = Region.objects.get(code="220100")
        self.assertEqual(computed.compute("cultivation_specialised", city, Y2025), D(2))
        self.assertEqual(computed.compute("cultivation_sme_tech", None, Y2025), D(1))
        self.assertEqual(computed.compute("cultivation_leader", self.nanguan, Y2025), D(0))

    def test_an_unknown_computer_is_named(self):
        with self.assertRaisesMessage(NotFound, "没有名为“nothing”的计算函数"):
            computed.compute("nothing", None, Y2025)


class TransferAmountTests(PersonaTestCase):
    def contract(self, seller, amount, registered_at, status="registered"):
        n = TechContract.objects.count() + 1
        return TechContract.objects.create(
            kind="transfer",
            title=f"技术合同{n}",
            subject="激光器封装技术",
            seller=seller,
            buyer_name="长春某公司",
            total_amount=D(amount),
            declared_tech_amount=D(amount),
            tech_amount=D(amount) if status == "registered" else None,
            payment_terms="一次性支付",
            status=status,
            registered_at=registered_at,
            created_by=self.institute,
        )

    def test_registered_tech_amount_in_ten_thousand_yuan_by_seller_region(self):
        self.contract(self.enterprise_org, "1250000", at(2025, 8, 3))  # 220173, Q3
        self.contract(self.university, "300000", at(2025, 9, 30))  # 220102, Q3
        self.contract(self.university, "990000", at(2025, 10, 1))  # Q4
        self.contract(self.university, "500000", None, status="submitted")  # not registered
        q3 = parse("2025Q3", "quarter")
        self.assertEqual(computed.compute("transfer_tech_amount", None, q3), D("155.00"))
        self.assertEqual(computed.compute("transfer_tech_amount", self.nanguan, q3), D("30.00"))
        self.assertEqual(
            computed.compute("transfer_tech_amount", self.hightech_zone, q3), D("125.00")
        )
        self.assertEqual(computed.compute("transfer_tech_amount", None, Y2025), D("254.00"))


class AchievementsAndMatchesTests(PersonaTestCase):
    def test_achievements_published_in_the_month_by_region(self):
        AchievementFactory(owner=self.enterprise_org, published_at=at(2025, 7, 2))
        AchievementFactory(owner=self.university, published_at=at(2025, 7, 31))
        AchievementFactory(owner=self.university, published_at=at(2025, 8, 1))
        AchievementFactory(owner=self.university, status="draft", published_at=None)
        july = parse("2025-07", "month")
        self.assertEqual(computed.compute("resources_achievements", None, july), D(2))
        self.assertEqual(computed.compute("resources_achievements", self.hightech_zone, july), D(1))

    def test_signed_matches_by_the_demand_owners_region(self):
        demand = DemandFactory(owner=self.enterprise_org)
        other = DemandFactory(owner=self.other_enterprise_org)
        for d, status, closed in (
            (demand, "signed", at(2025, 7, 9)),
            (other, "signed", at(2025, 6, 30)),
            (other, "failed", at(2025, 7, 9)),
        ):
            Match.objects.create(
                demand=d,
                supply_kind="achievement",
                achievement=AchievementFactory(owner=self.university),
                status=status,
                failure_reason="price" if status == "failed" else "",
                closed_at=closed,
            )
        july = parse("2025-07", "month")
        self.assertEqual(computed.compute("bridging_signed", None, july), D(1))
        self.assertEqual(computed.compute("bridging_signed", self.hightech_zone, july), D(1))
        self.assertEqual(computed.compute("bridging_signed", self.nanguan, july), D(0))
