"""The gate every other app calls: who is barred from what, on which day, and what they are told."""

import datetime

from django.utils import timezone, translation

from core.exceptions import ServiceError
from core.testing import PersonaTestCase
from integrity.choices import Activity, Severity
from integrity.factories import IntegrityRecordFactory, PersonRecordFactory, id_number
from integrity.services import (
    IntegrityRestricted,
    Person,
    check_integrity,
    require_integrity,
)
from integrity.services.records import revoke_record

MAY_1 = datetime.date(2026, 5, 1)


class OrganisationGateTests(PersonaTestCase):
    def restrict(self, **extra):
        values = {
            "organisation": self.enterprise_org,
            "decision_number": "吉科诚〔2026〕3号",
            "severity": Severity.GRAVE,
            "restricted_from": datetime.date(2026, 1, 1),
            "restricted_until": datetime.date(2027, 6, 30),
            "activities": ["apply", "recognition"],
        }
        return IntegrityRecordFactory(**{**values, **extra})

    def test_restricted_organisation_is_refused_with_decision_number_and_end_date(self):
        self.restrict()
        with self.assertRaises(IntegrityRestricted) as ctx:
            require_integrity(self.enterprise_org, "apply", MAY_1)
        self.assertEqual(
            ctx.exception.message,
            "长春华锐光电科技有限公司存在科研失信记录（吉科诚〔2026〕3号，严重），"
            "2027年6月30日前不得申报科技计划项目。",
        )
        self.assertIsInstance(ctx.exception, ServiceError)
        self.assertEqual((ctx.exception.code, ctx.exception.status), ("integrity_restricted", 403))

    def test_refusal_reads_in_english_for_english_users(self):
        self.restrict()
        with translation.override("en"), self.assertRaises(IntegrityRestricted) as ctx:
            require_integrity(self.enterprise_org, "apply", MAY_1)
        self.assertEqual(
            ctx.exception.message,
            "长春华锐光电科技有限公司 has a research misconduct record (吉科诚〔2026〕3号, Grave) "
            "and may not apply for S&T programme projects until 2027-06-30.",
        )

    def test_open_ended_restriction_reads_as_long_term(self):
        self.restrict(restricted_until=None)
        with self.assertRaisesMessage(IntegrityRestricted, "长期不得参加资质认定与评价。"):
            require_integrity(self.enterprise_org, Activity.RECOGNITION, datetime.date(2040, 1, 1))

    def test_restriction_holds_on_its_last_day_and_not_after(self):
        self.restrict(restricted_until=datetime.date(2026, 3, 31))
        with self.assertRaises(IntegrityRestricted):
            require_integrity(self.enterprise_org, "apply", datetime.date(2026, 3, 31))
        require_integrity(self.enterprise_org, "apply", datetime.date(2026, 4, 1))
        self.assertEqual(check_integrity(self.enterprise_org, "apply", MAY_1), [])

    def test_restriction_does_not_bar_before_it_starts(self):
        self.restrict(restricted_from=datetime.date(2026, 6, 1))
        require_integrity(self.enterprise_org, "apply", MAY_1)

    def test_revoked_record_no_longer_bars(self):
        record = self.restrict()
        revoke_record(self.city_admin, record, "处理决定已被行政复议撤销")
        require_integrity(self.enterprise_org, "apply", MAY_1)

    def test_record_barring_another_activity_does_not_bar_this_one(self):
        self.restrict(activities=["review"])
        require_integrity(self.enterprise_org, "apply", MAY_1)
        require_integrity(self.enterprise_org, "listing", MAY_1)
        with self.assertRaises(IntegrityRestricted):
            require_integrity(self.enterprise_org, "review", MAY_1)

    def test_other_organisations_are_not_barred(self):
        self.restrict()
        require_integrity(self.other_enterprise_org, "apply", MAY_1)

    def test_the_longest_restriction_is_the_one_named(self):
        self.restrict(decision_number="吉科诚〔2026〕1号")
        self.restrict(decision_number="吉科诚〔2026〕2号", restricted_until=None)
        records = check_integrity(self.enterprise_org, "apply", MAY_1)
        self.assertEqual(
            [r.decision_number for r in records], ["吉科诚〔2026〕2号", "吉科诚〔2026〕1号"]
        )
        with self.assertRaisesMessage(IntegrityRestricted, "吉科诚〔2026〕2号"):
            require_integrity(self.enterprise_org, "apply", MAY_1)

    def test_today_in_changchun_is_the_default_date(self):
        today = timezone.localdate()
        self.restrict(restricted_from=today, restricted_until=today)
        with self.assertRaises(IntegrityRestricted):
            require_integrity(self.enterprise_org, "apply")

    def test_a_check_is_one_query(self):
        self.restrict()
        self.restrict(activities=["apply"])
        with self.assertNumQueries(1):
            records = check_integrity(self.enterprise_org, "apply", MAY_1)
            names = [r.subject_name for r in records]
        self.assertEqual(names, ["长春华锐光电科技有限公司"] * 2)

    def test_unknown_activity_is_a_programming_error(self):
        with self.assertRaises(ValueError):
            check_integrity(self.enterprise_org, "travel", MAY_1)


class PersonGateTests(PersonaTestCase):
    def setUp(self):
        self.number = id_number("220104", "19780605", 201)
        self.expert.id_number = self.number
        self.expert.save(update_fields=["id_number"])

    def test_person_record_bars_the_user_with_the_same_id_number(self):
        PersonRecordFactory(
            person_name="刘专家",
            person_id_number=self.number,
            activities=["review"],
            restricted_until=None,
            decision_number="吉科诚〔2026〕7号",
            severity=Severity.GENERAL,
        )
        with self.assertRaises(IntegrityRestricted) as ctx:
            require_integrity(self.expert, "review", MAY_1)
        self.assertEqual(
            ctx.exception.message,
            "刘专家存在科研失信记录（吉科诚〔2026〕7号，一般），长期不得担任评审专家。",
        )
        require_integrity(self.institute, "review", MAY_1)  # no ID number on file

    def test_id_number_with_lower_case_x_matches(self):
        number = "11010519491231002X"
        self.broker.id_number = number.lower()
        self.broker.save(update_fields=["id_number"])
        PersonRecordFactory(person_id_number=number)
        self.assertEqual(len(check_integrity(self.broker, "apply", MAY_1)), 1)

    def test_record_linked_to_an_account_bars_that_account(self):
        PersonRecordFactory(user=self.broker)  # the broker has no ID number on file
        with self.assertRaises(IntegrityRestricted):
            require_integrity(self.broker, "apply", MAY_1)

    def test_person_without_an_account_is_checked_by_id_number(self):
        PersonRecordFactory(person_id_number=self.number)
        self.assertEqual(len(check_integrity(Person("刘专家", self.number), "apply", MAY_1)), 1)
        other = id_number("220104", "19780605", 202)
        self.assertEqual(check_integrity(Person("刘专家", other), "apply", MAY_1), [])
        self.assertEqual(check_integrity(Person("无名", ""), "apply", MAY_1), [])

    def test_person_records_do_not_bar_their_employer(self):
        PersonRecordFactory(person_id_number=self.number)
        require_integrity(self.university, "apply", MAY_1)
