"""Tier pools: entries need a passing assessment and a clean integrity record; exits keep why."""

import datetime

from django.db import IntegrityError

from core.exceptions import InvalidTransition, NotAllowed, ServiceError
from core.factories import OrganisationFactory
from core.models import AuditEntry
from core.testing import PersonaTestCase
from cultivation.choices import Tier
from cultivation.factories import write_enterprise
from cultivation.models import PoolMembership
from cultivation.services import pools
from integrity.factories import IntegrityRecordFactory
from integrity.services import IntegrityRestricted

ON = datetime.date(2025, 6, 1)


class AdmitTests(PersonaTestCase):
    def setUp(self):
        write_enterprise(self.enterprise_org, 2024)

    def test_admission_keeps_the_assessment_behind_it(self):
        stay = pools.admit(
            self.city_admin, self.enterprise_org, Tier.SME_TECH, ON, "入库编号 2025-001"
        )
        self.assertTrue(stay.entry_assessment.eligible)
        self.assertEqual(stay.entry_assessment.ruleset, "sme_tech")
        self.assertEqual(pools.current_tiers(self.enterprise_org), [Tier.SME_TECH])
        self.assertTrue(AuditEntry.objects.filter(note="入库").exists())

    def test_an_enterprise_that_fails_the_rules_is_refused_with_the_gap(self):
        with self.assertRaisesMessage(ServiceError, "研发费用占销售收入比例 3.9%，需 ≥ 4%"):
            pools.admit(self.city_admin, self.enterprise_org, Tier.HTE, ON, "认定")
        self.assertFalse(PoolMembership.objects.exists())

    def test_a_verdict_pending_expert_review_needs_the_confirmation(self):
        # With enough R&D the 高企 figures pass; core IP and the innovation score need experts.
        write_enterprise(
            self.enterprise_org,
            2024,
            rd_expense_hte=[2000000, 2500000, 3000000],
            rd_expense_hte_domestic=[2000000, 2500000, 3000000],
        )
        with self.assertRaisesMessage(ServiceError, "专家评审"):
            pools.admit(self.city_admin, self.enterprise_org, Tier.HTE, ON, "认定")
        stay = pools.admit(
            self.city_admin,
            self.enterprise_org,
            Tier.HTE,
            ON,
            "吉林省2025年第一批高新技术企业名单，专家评审创新能力78分",
            expert_confirmed=True,
        )
        self.assertIsNone(stay.entry_assessment.eligible)

    def test_integrity_restriction_blocks_recognition_through_the_gate(self):
        record = IntegrityRecordFactory(
            organisation=self.enterprise_org,
            activities=["recognition"],
            restricted_from=datetime.date(2025, 1, 1),
            restricted_until=datetime.date(2026, 12, 31),
        )
        with self.assertRaises(IntegrityRestricted) as caught:
            pools.admit(self.city_admin, self.enterprise_org, Tier.SME_TECH, ON, "入库")
        self.assertIn(record.decision_number, caught.exception.message)
        self.assertFalse(PoolMembership.objects.exists())

    def test_twice_in_the_same_pool_is_refused(self):
        pools.admit(self.city_admin, self.enterprise_org, Tier.SME_TECH, ON, "入库")
        with self.assertRaisesMessage(InvalidTransition, "已在科技型中小企业库中"):
            pools.admit(self.city_admin, self.enterprise_org, Tier.SME_TECH, ON, "入库")

    def test_the_database_refuses_a_second_open_stay_too(self):
        pools.admit(self.city_admin, self.enterprise_org, Tier.SME_TECH, ON, "入库")
        with self.assertRaises(IntegrityError):
            PoolMembership.objects.create(
                organisation=self.enterprise_org,
                tier=Tier.SME_TECH,
                entered_on=ON,
                entry_reason="重复",
                entered_by=self.city_admin,
            )

    def test_only_the_bureau_admits(self):
        for user in (self.district_admin, self.enterprise, self.leader):
            with self.assertRaises(NotAllowed):
                pools.admit(user, self.enterprise_org, Tier.SME_TECH, ON, "入库")

    def test_leaders_are_chosen_among_hte_members(self):
        with self.assertRaisesMessage(ServiceError, "须为在库的高新技术企业"):
            pools.admit(self.city_admin, self.enterprise_org, Tier.LEADER, ON, "市政府认定")

    def test_only_enterprises_enter_pools(self):
        with self.assertRaisesMessage(ServiceError, "只有企业"):
            pools.admit(self.city_admin, self.university, Tier.SME_TECH, ON, "入库")


class ExitAndHistoryTests(PersonaTestCase):
    def setUp(self):
        write_enterprise(self.enterprise_org, 2024)
        self.stay = pools.admit(self.city_admin, self.enterprise_org, Tier.SME_TECH, ON, "入库")

    def test_exit_keeps_the_reason_and_a_fresh_assessment_and_allows_re_entry(self):
        out = pools.remove(
            self.city_admin, self.stay, datetime.date(2026, 5, 1), "未按期更新入库信息"
        )
        self.assertEqual(out.exit_reason, "未按期更新入库信息")
        self.assertEqual(out.exit_assessment.on, datetime.date(2026, 5, 1))
        self.assertEqual(pools.current_tiers(self.enterprise_org), [])
        write_enterprise(self.enterprise_org, 2025)
        again = pools.admit(
            self.city_admin,
            self.enterprise_org,
            Tier.SME_TECH,
            datetime.date(2026, 6, 1),
            "重新入库",
        )
        history = list(pools.history_of(self.enterprise_org))
        self.assertEqual([h.pk for h in history], [again.pk, self.stay.pk])

    def test_exit_twice_or_before_entry_is_refused(self):
        with self.assertRaisesMessage(ServiceError, "出库日期不能早于入库日期"):
            pools.remove(self.city_admin, self.stay, datetime.date(2025, 1, 1), "错误")
        pools.remove(self.city_admin, self.stay, datetime.date(2025, 7, 1), "撤销", reassess=False)
        with self.assertRaises(InvalidTransition):
            pools.remove(self.city_admin, self.stay, datetime.date(2025, 8, 1), "再次")

    def test_district_admin_sees_own_region_members_only(self):
        write_enterprise(self.other_enterprise_org, 2024)
        pools.admit(self.city_admin, self.other_enterprise_org, Tier.SME_TECH, ON, "入库")
        seen = set(
            pools.members_for(self.district_admin).values_list("organisation__name", flat=True)
        )
        self.assertEqual(seen, {self.enterprise_org.name})
        with self.assertRaises(NotAllowed):
            pools.members_for(self.enterprise)

    def test_members_on_a_date(self):
        pools.remove(self.city_admin, self.stay, datetime.date(2025, 9, 1), "出库", reassess=False)
        self.assertEqual(
            pools.members_for(self.city_admin, Tier.SME_TECH, datetime.date(2025, 8, 31)).count(), 1
        )
        self.assertEqual(
            pools.members_for(self.city_admin, Tier.SME_TECH, datetime.date(2025, 9, 1)).count(), 0
        )


class ScanTests(PersonaTestCase):
    def test_scan_finds_candidates_and_members_who_no_longer_qualify(self):
        write_enterprise(self.enterprise_org, 2025)
        write_enterprise(self.other_enterprise_org, 2024)
        stay = pools.admit(self.city_admin, self.other_enterprise_org, Tier.SME_TECH, ON, "入库")
        # Later the member's staff grows beyond an SME's.
        write_enterprise(self.other_enterprise_org, 2025, staff=900, tech_staff=100, rd_staff=80)
        later = datetime.date(2026, 6, 1)
        fresh = OrganisationFactory(name="长春未填报科技有限公司")
        result = pools.scan(Tier.SME_TECH, later)
        self.assertEqual([r["name"] for r in result["candidates"]], [self.enterprise_org.name])
        self.assertEqual([r["name"] for r in result["failing_members"]], [stay.organisation.name])
        self.assertNotIn(fresh.name, [r["name"] for r in result["candidates"]])
        self.assertEqual(result["members"], 1)

    def test_a_member_without_this_years_figures_is_incomplete_not_failing(self):
        write_enterprise(self.enterprise_org, 2024)
        pools.admit(self.city_admin, self.enterprise_org, Tier.SME_TECH, ON, "入库")
        result = pools.scan(Tier.SME_TECH, datetime.date(2026, 6, 1))  # 2025 not reported
        self.assertEqual(result["failing_members"], [])
        self.assertEqual(
            [r["name"] for r in result["incomplete_members"]], [self.enterprise_org.name]
        )

    def test_leaders_have_no_rule_set_to_scan(self):
        with self.assertRaisesMessage(ServiceError, "没有评价规则"):
            pools.scan(Tier.LEADER, ON)
