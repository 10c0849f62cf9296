"""研发投入后补助: rate, floor, cap and budget applied as configured, with the working shown."""

import datetime
from decimal import Decimal

from core.exceptions import InvalidTransition, NotAllowed, ServiceError
from core.factories import OrganisationFactory
from core.testing import PersonaTestCase
from cultivation.choices import SchemeStatus, SubsidyBasis, Tier
from cultivation.models import EnterpriseYear, PoolMembership
from cultivation.services import subsidies
from integrity.factories import IntegrityRecordFactory


def rd(org, year, amount):
    EnterpriseYear.objects.create(organisation=org, year=year, rd_expense=Decimal(amount))


class SubsidyTests(PersonaTestCase):
    def scheme(self, **extra):
        data = {
            "title": "2025年度研发投入后补助",
            "year": 2025,
            "basis": SubsidyBasis.TOTAL,
            "rate": Decimal("10"),
            "min_rd_expense": Decimal("1000000"),
            "cap": Decimal("500000"),
            "budget": None,
            "tiers": [],
        }
        return subsidies.create_scheme(self.city_admin, {**data, **extra})

    def test_rate_floor_and_cap(self):
        small = OrganisationFactory(name="长春小额科技有限公司")
        big = OrganisationFactory(name="长春大额科技有限公司")
        rd(self.enterprise_org, 2025, "2400000")
        rd(small, 2025, "800000")
        rd(big, 2025, "9000000")
        scheme = self.scheme()
        summary = subsidies.compute(self.city_admin, scheme)
        lines = {
            line.organisation.name: line for line in scheme.lines.select_related("organisation")
        }
        self.assertEqual(lines[self.enterprise_org.name].amount, Decimal("240000.00"))
        self.assertEqual(lines[big.name].amount, Decimal("500000.00"))
        self.assertIn("超过单户上限", lines[big.name].working)
        self.assertEqual(lines[small.name].amount, Decimal("0"))
        self.assertIn("低于下限", lines[small.name].working)
        self.assertEqual(summary["total"], Decimal("740000.00"))
        self.assertEqual(summary["paid"], 2)

    def test_increment_basis_needs_last_year_and_growth(self):
        grew = OrganisationFactory(name="长春增长科技有限公司")
        shrank = OrganisationFactory(name="长春下降科技有限公司")
        rd(grew, 2024, "2000000")
        rd(grew, 2025, "3000000")
        rd(shrank, 2024, "3000000")
        rd(shrank, 2025, "2000000")
        rd(self.enterprise_org, 2025, "2000000")  # no 2024 figure
        scheme = self.scheme(basis=SubsidyBasis.INCREMENT, rate=Decimal("20"))
        subsidies.compute(self.city_admin, scheme)
        lines = {
            line.organisation.name: line for line in scheme.lines.select_related("organisation")
        }
        self.assertEqual(lines[grew.name].base, Decimal("1000000"))
        self.assertEqual(lines[grew.name].amount, Decimal("200000.00"))
        self.assertEqual(lines[shrank.name].amount, 0)
        self.assertIn("未增长", lines[shrank.name].working)
        self.assertIn("缺少2024年度研发费用", lines[self.enterprise_org.name].working)

    def test_budget_scales_down_and_is_never_exceeded(self):
        orgs = [OrganisationFactory(name=f"长春预算{k}科技有限公司") for k in range(3)]
        for org in orgs:
            rd(org, 2025, "3333333.33")
        scheme = self.scheme(budget=Decimal("500000"))
        summary = subsidies.compute(self.city_admin, scheme)
        self.assertLessEqual(summary["total"], Decimal("500000"))
        self.assertGreater(summary["total"], Decimal("499999.9"))
        self.assertIn("按总额核减", scheme.lines.first().working)

    def test_only_pool_members_at_year_end_and_no_barred_enterprise(self):
        member = OrganisationFactory(name="长春在库科技有限公司")
        left = OrganisationFactory(name="长春出库科技有限公司")
        barred = OrganisationFactory(name="长春失信科技有限公司")
        for org in (member, left, barred, self.enterprise_org):
            rd(org, 2025, "2000000")
        for org in (member, left, barred):
            PoolMembership.objects.create(
                organisation=org,
                tier=Tier.HTE,
                entered_on=datetime.date(2024, 1, 1),
                entry_reason="认定",
                entered_by=self.city_admin,
                exited_on=datetime.date(2025, 6, 30) if org is left else None,
            )
        IntegrityRecordFactory(
            organisation=barred,
            activities=["apply"],
            restricted_from=datetime.date(2025, 1, 1),
            restricted_until=datetime.date(2099, 12, 31),
        )
        scheme = self.scheme(tiers=[Tier.HTE])
        summary = subsidies.compute(self.city_admin, scheme)
        self.assertEqual(
            list(scheme.lines.values_list("organisation__name", flat=True)), [member.name]
        )
        self.assertEqual(summary["barred"], 1)

    def test_approval_freezes_the_scheme_and_gives_the_payment_list(self):
        rd(self.enterprise_org, 2025, "2400000")
        scheme = self.scheme()
        with self.assertRaisesMessage(ServiceError, "还没有测算"):
            subsidies.approve(self.city_admin, scheme)
        subsidies.compute(self.city_admin, scheme)
        scheme = subsidies.approve(self.city_admin, scheme)
        self.assertEqual(scheme.status, SchemeStatus.APPROVED)
        rows = list(subsidies.payment_rows(scheme))
        self.assertEqual(rows[0][1], self.enterprise_org.name)
        self.assertEqual(rows[0][6], Decimal("240000.00"))
        with self.assertRaises(InvalidTransition):
            subsidies.compute(self.city_admin, scheme)
        with self.assertRaises(InvalidTransition):
            subsidies.update_scheme(self.city_admin, scheme, {"rate": Decimal("20")})

    def test_only_the_bureau_and_no_nonsense_rates(self):
        with self.assertRaises(NotAllowed):
            subsidies.create_scheme(self.district_admin, {"title": "x"})
        from django.core.exceptions import ValidationError

        with self.assertRaises(ValidationError):
            self.scheme(rate=Decimal("0"))
        with self.assertRaisesMessage(ServiceError, "未知的培育库"):
            self.scheme(tiers=["gold"])
