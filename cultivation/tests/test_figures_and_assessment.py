"""Yearly figures become the rule engine's record; assessments are kept with what they used."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError

from core.exceptions import NotAllowed
from core.models import AuditEntry
from core.testing import PersonaTestCase
from cultivation.factories import write_enterprise
from cultivation.models import Assessment, EnterpriseYear
from cultivation.services import assessment, figures
from integrity.factories import IntegrityRecordFactory

ON = datetime.date(2025, 6, 1)


class RecordTests(PersonaTestCase):
    def test_three_fiscal_years_before_the_date_oldest_first(self):
        write_enterprise(self.enterprise_org, 2024)
        record = figures.enterprise_record(self.enterprise_org, ON)
        self.assertEqual(record["year"], 2024)
        self.assertEqual(record["revenue"], [40000000, 50000000, 60000000])
        self.assertEqual(record["staff"], 120)
        self.assertEqual(record["niche_market_share"], 0.04)
        self.assertEqual(record["founded"], "2016-04-12")
        self.assertIs(record["research_misconduct"], False)

    def test_a_year_not_reported_is_missing_not_zero(self):
        write_enterprise(self.enterprise_org, 2024)
        EnterpriseYear.objects.filter(organisation=self.enterprise_org, year=2023).delete()
        record = figures.enterprise_record(self.enterprise_org, ON)
        self.assertEqual(record["revenue"], [40000000, None, 60000000])

    def test_figures_of_the_year_of_the_date_itself_are_not_used(self):
        write_enterprise(self.enterprise_org, 2025)
        record = figures.enterprise_record(self.enterprise_org, ON)
        self.assertEqual(record["revenue"], [None, 40000000, 50000000])

    def test_an_integrity_restriction_on_recognition_counts_as_research_misconduct(self):
        IntegrityRecordFactory(
            organisation=self.enterprise_org,
            activities=["recognition"],
            restricted_from=datetime.date(2025, 1, 1),
            restricted_until=datetime.date(2026, 12, 31),
        )
        self.assertIs(
            figures.enterprise_record(self.enterprise_org, ON)["research_misconduct"], True
        )
        later = datetime.date(2027, 1, 2)
        self.assertIs(
            figures.enterprise_record(self.enterprise_org, later)["research_misconduct"], False
        )


class SaveFiguresTests(PersonaTestCase):
    def test_enterprise_saves_a_year_and_the_change_is_audited_field_by_field(self):
        figures.save_year(self.enterprise, self.enterprise_org, {"year": 2024, "staff": 100})
        figures.save_year(self.enterprise, self.enterprise_org, {"year": 2024, "staff": 120})
        row = EnterpriseYear.objects.get(organisation=self.enterprise_org, year=2024)
        self.assertEqual(row.staff, 120)
        entry = AuditEntry.objects.filter(action="update").latest("pk")
        self.assertEqual(entry.changes["staff"], [100, 120])
        self.assertEqual(entry.actor, self.enterprise)

    def test_another_enterprise_may_not_write_or_read_these_figures(self):
        with self.assertRaises(NotAllowed):
            figures.save_year(
                self.other_enterprise, self.enterprise_org, {"year": 2024, "staff": 1}
            )
        with self.assertRaises(NotAllowed):
            assessment.assess_enterprise(self.other_enterprise, self.enterprise_org, "sme_tech", ON)
        self.assertFalse(EnterpriseYear.objects.exists())

    def test_district_admin_reads_own_region_only_and_writes_nothing(self):
        write_enterprise(self.enterprise_org, 2024)
        write_enterprise(self.other_enterprise_org, 2024)
        a = assessment.assess_enterprise(self.district_admin, self.enterprise_org, "sme_tech", ON)
        self.assertTrue(a.eligible)
        with self.assertRaises(NotAllowed):
            assessment.assess_enterprise(
                self.district_admin, self.other_enterprise_org, "sme_tech", ON
            )
        with self.assertRaises(NotAllowed):
            figures.save_year(self.district_admin, self.enterprise_org, {"year": 2024, "staff": 1})

    def test_negative_revenue_is_refused_and_nothing_saved(self):
        with self.assertRaises(ValidationError) as caught:
            figures.save_year(
                self.enterprise, self.enterprise_org, {"year": 2024, "revenue": Decimal("-1")}
            )
        self.assertIn("revenue", caught.exception.message_dict)
        self.assertFalse(EnterpriseYear.objects.exists())

    def test_universities_keep_no_enterprise_figures(self):
        with self.assertRaises(NotAllowed):
            figures.save_year(self.city_admin, self.university, {"year": 2024, "staff": 1})


class AssessmentTests(PersonaTestCase):
    def setUp(self):
        write_enterprise(self.enterprise_org, 2024)

    def test_sme_tech_passes_with_its_score_and_every_criterion_kept(self):
        a = assessment.assess_enterprise(self.enterprise, self.enterprise_org, "sme_tech", ON)
        self.assertTrue(a.eligible)
        self.assertEqual(a.status, "eligible")
        self.assertEqual(a.score, Decimal("76"))
        self.assertEqual(a.version, "2022")
        self.assertEqual(a.record["revenue"], [40000000, 50000000, 60000000])
        ids = [c["id"] for c in a.result["criteria"]]
        self.assertIn("no_research_misconduct", ids)
        self.assertTrue(all(c["source"] for c in a.result["criteria"]))

    def test_hte_fails_on_the_three_year_rd_ratio_and_says_by_how_much(self):
        a = assessment.assess_enterprise(self.enterprise, self.enterprise_org, "hte", ON)
        self.assertIs(a.eligible, False)
        self.assertEqual(
            a.result["gaps"][0],
            "近三个会计年度研发费用占销售收入比例 3.9%，需 ≥ 4%，差额约 10 万元",
        )
        rows = assessment.criteria_rows(a)
        failed = [r for r in rows if r["status"] == "failed"]
        self.assertTrue(failed)
        self.assertEqual(failed[0]["status_label"], "不符合")

    def test_the_2017_rules_apply_to_a_date_in_2019(self):
        write_enterprise(self.enterprise_org, 2018)
        a = assessment.assess_enterprise(
            self.enterprise, self.enterprise_org, "sme_tech", datetime.date(2019, 6, 1)
        )
        self.assertEqual(a.version, "2017")

    def test_integrity_restriction_fails_the_assessment_and_names_the_decision(self):
        record = IntegrityRecordFactory(
            organisation=self.enterprise_org,
            activities=["recognition"],
            restricted_from=datetime.date(2025, 1, 1),
            restricted_until=datetime.date(2026, 12, 31),
        )
        a = assessment.assess_enterprise(self.enterprise, self.enterprise_org, "sme_tech", ON)
        self.assertIs(a.eligible, False)
        self.assertIn(record.decision_number, a.integrity_refusal)
        criterion = next(c for c in a.result["criteria"] if c["id"] == "no_research_misconduct")
        self.assertEqual(criterion["status"], "failed")

    def test_unknown_rule_set_is_a_not_found_in_chinese(self):
        from core.exceptions import NotFound

        with self.assertRaisesMessage(NotFound, "没有名为“nonsense”的评价规则"):
            assessment.assess_enterprise(self.enterprise, self.enterprise_org, "nonsense", ON)
        self.assertFalse(Assessment.objects.exists())

    def test_missing_figures_are_reported_as_missing_not_failed(self):
        EnterpriseYear.objects.filter(organisation=self.enterprise_org).update(staff=None)
        a = assessment.assess_enterprise(self.enterprise, self.enterprise_org, "sme_tech", ON)
        staff = [
            c for c in a.result["criteria"] if "staff" in c["inputs"] and c["status"] == "missing"
        ]
        self.assertTrue(staff)
