"""双随机: the draw is stratified by region, reproducible from its seed, and never sends an
inspector to their own organisation."""

import datetime
from collections import Counter
from decimal import Decimal

from core.exceptions import NotAllowed, ServiceError
from core.factories import OrganisationFactory
from core.models import Region
from core.testing import PersonaTestCase
from cultivation.choices import Tier
from cultivation.factories import InspectorFactory
from cultivation.models import PoolMembership, SpotCheck
from cultivation.services import spotchecks
from cultivation.services.spotchecks import allocate, draw

ON = datetime.date(2025, 6, 1)


class AllocationTests(PersonaTestCase):
    def test_largest_remainder_gives_exactly_the_total(self):
        self.assertEqual(
            allocate({"朝阳区": 50, "南关区": 30, "宽城区": 20}, 10),
            {"朝阳区": 5, "南关区": 3, "宽城区": 2},
        )
        self.assertEqual(allocate({"A": 1, "B": 1, "C": 1}, 2), {"A": 1, "B": 1, "C": 0})
        self.assertEqual(allocate({"A": 7, "B": 3}, 5), {"A": 4, "B": 1})  # 3.5/1.5: tie → larger
        self.assertEqual(sum(allocate({"A": 13, "B": 29, "C": 58}, 17).values()), 17)

    def test_same_seed_same_draw_other_seed_other_draw(self):
        population = {"朝阳区": list(range(1, 41)), "南关区": list(range(41, 101))}
        inspectors = [(i, None) for i in range(1, 11)]
        a = draw(population, Decimal("10"), inspectors, 2, seed=20251126)
        b = draw(
            {k: list(reversed(v)) for k, v in population.items()},
            Decimal("10"),
            list(reversed(inspectors)),
            2,
            seed=20251126,
        )
        c = draw(population, Decimal("10"), inspectors, 2, seed=7)
        self.assertEqual(a, b)  # input order does not matter
        self.assertNotEqual(a.enterprises, c.enterprises)
        self.assertEqual(a.quotas, {"朝阳区": 4, "南关区": 6})
        self.assertEqual(Counter(s for _o, s in a.enterprises), Counter(a.quotas))

    def test_a_recorded_seed_draws_the_published_result_on_any_later_python(self):
        # Pinned: a draw published years ago must come out the same when it is checked again.
        result = draw(
            {"A": list(range(1, 11)), "B": list(range(11, 21))},
            Decimal("30"),
            [(1, None), (2, None), (3, None)],
            1,
            seed=2025,
        )
        self.assertEqual(
            result.enterprises, [(6, "A"), (7, "A"), (1, "A"), (12, "B"), (11, "B"), (20, "B")]
        )
        self.assertEqual(result.inspectors, [[2], [1], [3], [1], [3], [2]])

    def test_inspectors_share_the_work_evenly_and_skip_their_own_organisation(self):
        population = {"区": list(range(1, 21))}
        inspectors = [(100, 1), (101, 2), (102, None), (103, None), (104, None)]
        result = draw(population, Decimal("100"), inspectors, 2, seed=1)
        load = Counter(i for team in result.inspectors for i in team)
        self.assertLessEqual(max(load.values()) - min(load.values()), 1)
        for (org, _s), team in zip(result.enterprises, result.inspectors, strict=True):
            self.assertEqual(len(set(team)), 2)
            if org == 1:
                self.assertNotIn(100, team)
            if org == 2:
                self.assertNotIn(101, team)

    def test_too_few_inspectors_is_refused(self):
        with self.assertRaisesMessage(ServiceError, "在库检查人员不足"):
            draw({"区": [1, 2]}, Decimal("100"), [(1, None)], 2, seed=1)


class SpotCheckServiceTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        chaoyang = Region.objects.get(code="220104")
        for k in range(30):
            region = cls.hightech_zone if k < 20 else chaoyang
            org = OrganisationFactory(name=f"长春抽查样本{k:02d}科技有限公司", region=region)
            PoolMembership.objects.create(
                organisation=org,
                tier=Tier.SME_TECH,
                entered_on=datetime.date(2024, 5, 1),
                entry_reason="入库",
                entered_by=cls.city_admin,
            )
        InspectorFactory.create_batch(6)

    def test_draw_is_recorded_stratified_and_reproducible(self):
        check = spotchecks.create_spot_check(
            self.city_admin,
            title="2025年科技型中小企业双随机抽查",
            tier=Tier.SME_TECH,
            on=ON,
            ratio=Decimal("20"),
            seed=42,
        )
        self.assertEqual(check.items.count(), 6)
        self.assertEqual(check.strata, {"长春高新技术产业开发区": 4, "朝阳区": 2})
        self.assertTrue(all(item.inspectors.count() == 2 for item in check.items.all()))
        self.assertTrue(spotchecks.reproduces(check))
        # The same seed on the same population draws the same enterprises.
        again = spotchecks.create_spot_check(
            self.city_admin, title="复核", tier=Tier.SME_TECH, on=ON, ratio=Decimal("20"), seed=42
        )
        self.assertEqual(
            list(check.items.values_list("organisation_id", flat=True)),
            list(again.items.values_list("organisation_id", flat=True)),
        )

    def test_a_tampered_result_no_longer_reproduces(self):
        check = spotchecks.create_spot_check(
            self.city_admin, title="抽查", tier=Tier.SME_TECH, on=ON, ratio=Decimal("10"), seed=3
        )
        item = check.items.first()
        other = PoolMembership.objects.exclude(
            organisation_id__in=check.items.values("organisation_id")
        ).first()
        item.organisation_id = other.organisation_id
        item.save()
        self.assertFalse(spotchecks.reproduces(check))

    def test_an_empty_pool_is_refused_in_words(self):
        with self.assertRaisesMessage(ServiceError, "没有在库企业"):
            spotchecks.create_spot_check(
                self.city_admin, title="抽查", tier=Tier.HTE, on=ON, ratio=Decimal("10")
            )
        self.assertFalse(SpotCheck.objects.exists())

    def test_only_the_bureau_draws(self):
        with self.assertRaises(NotAllowed):
            spotchecks.create_spot_check(
                self.district_admin, title="抽查", tier=Tier.SME_TECH, on=ON, ratio=Decimal("10")
            )
