"""The integrity API: the same rules as the pages, errors in the project's one shape."""

import datetime

import yaml

from core.models import AuditEntry
from core.testing import PersonaTestCase
from integrity.factories import IntegrityRecordFactory, PersonRecordFactory, id_number
from integrity.models import IntegrityRecord

PERSON_ID = id_number("220102", "19850312", 123)


class RecordApiTests(PersonaTestCase):
    def payload(self, **extra):
        data = {
            "subject_kind": "organisation",
            "organisation": self.enterprise_org.uscc,
            "finding": "在科技计划项目申报中提供虚假材料。",
            "severity": "grave",
            "decision_number": "吉科诚〔2026〕3号",
            "decision_date": "2026-03-15",
            "issued_by": "长春市科学技术局",
            "restricted_from": "2026-03-15",
            "restricted_until": "2027-06-30",
            "activities": ["apply"],
        }
        return {**data, **extra}

    def test_enterprise_public_and_anonymous_are_refused(self):
        IntegrityRecordFactory(organisation=self.enterprise_org)
        response = self.client.get("/api/integrity/records/")
        self.assertEqual(response.status_code, 403)
        for user in (self.public, self.enterprise, self.leader):
            self.login(user)
            response = self.client.get("/api/integrity/records/")
            self.assertEqual(response.status_code, 403, user)
            self.assertEqual(
                response.json()["message"], "只有市科技局和区县管理员可以查看科研失信记录。"
            )

    def test_district_admin_lists_with_masked_id_numbers_but_cannot_create(self):
        PersonRecordFactory(person_name="王某某", person_id_number=PERSON_ID)
        self.login(self.district_admin)
        body = self.client.get("/api/integrity/records/").json()
        self.assertEqual(body["count"], 1)
        self.assertEqual(body["results"][0]["person_id_number"], "2201**********1230")
        refused = self.client.post(
            "/api/integrity/records/", self.payload(), content_type="application/json"
        )
        self.assertEqual(refused.status_code, 403)
        self.assertEqual(
            refused.json(),
            {"code": "not_allowed", "message": "只有市科技局可以登记科研失信记录。", "errors": {}},
        )
        self.assertFalse(
            IntegrityRecord.objects.filter(decision_number="吉科诚〔2026〕3号").exists()
        )

    def test_city_admin_creates_updates_and_revokes(self):
        self.login(self.city_admin)
        created = self.client.post(
            "/api/integrity/records/", self.payload(), content_type="application/json"
        )
        self.assertEqual(created.status_code, 201, created.content)
        body = created.json()
        self.assertEqual(body["subject_name"], "长春华锐光电科技有限公司")
        self.assertEqual(body["activities_display"], ["申报科技计划项目"])
        pk = body["id"]
        updated = self.client.patch(
            f"/api/integrity/records/{pk}/",
            {"severity": "serious"},
            content_type="application/json",
        )
        self.assertEqual(updated.json()["severity_display"], "较重")
        entry = AuditEntry.objects.get(action="update", object_id=str(pk))
        self.assertEqual(entry.changes, {"severity": ["严重", "较重"]})
        empty = self.client.post(f"/api/integrity/records/{pk}/revoke/", {"reason": ""})
        self.assertEqual(empty.status_code, 400)
        self.assertEqual(empty.json()["message"], "撤销时必须填写原因。")
        revoked = self.client.post(f"/api/integrity/records/{pk}/revoke/", {"reason": "登记有误"})
        self.assertEqual(
            (revoked.json()["state"], revoked.json()["revoke_reason"]), ("revoked", "登记有误")
        )

    def test_bad_id_number_gets_the_validators_message_and_saves_nothing(self):
        self.login(self.city_admin)
        response = self.client.post(
            "/api/integrity/records/",
            self.payload(
                subject_kind="person",
                organisation=None,
                person_name="王某某",
                person_id_number="220102198503121231",
            ),
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 400)
        body = response.json()
        self.assertEqual(body["code"], "invalid")
        self.assertEqual(
            body["errors"]["person_id_number"],
            ["公民身份号码校验位不符：第18位应为“0”，实际为“1”。"],
        )
        self.assertFalse(IntegrityRecord.objects.exists())

    def test_organisation_is_named_by_its_code_in_any_case(self):
        self.login(self.city_admin)
        lower = self.client.post(
            "/api/integrity/records/",
            self.payload(organisation=self.enterprise_org.uscc.lower()),
            content_type="application/json",
        )
        self.assertEqual(lower.status_code, 201, lower.content)
        self.assertEqual(lower.json()["organisation"], self.enterprise_org.uscc)
        unknown = self.client.post(
            "/api/integrity/records/",
            self.payload(organisation="91220101MA17X3KW07"),
            content_type="application/json",
        )
        self.assertEqual(
            unknown.json()["errors"]["organisation"],
            ["平台中没有统一社会信用代码为 91220101MA17X3KW07 的单位，请先登记该单位。"],
        )

    def test_unknown_activity_is_refused(self):
        self.login(self.city_admin)
        response = self.client.post(
            "/api/integrity/records/",
            self.payload(activities=["travel"]),
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("activities", response.json()["errors"])


class CheckApiTests(PersonaTestCase):
    def setUp(self):
        IntegrityRecordFactory(
            organisation=self.enterprise_org,
            decision_number="吉科诚〔2026〕3号",
            severity="grave",
            restricted_from=datetime.date(2026, 1, 1),
            restricted_until=datetime.date(2027, 6, 30),
            activities=["apply", "recognition"],
        )
        self.login(self.district_admin)

    def check(self, **params):
        return self.client.get("/api/integrity/check/", params)

    def test_restricted_organisation_is_not_allowed_and_told_why(self):
        body = self.check(
            organisation=self.enterprise_org.pk, activity="apply", on="2026-05-01"
        ).json()
        self.assertFalse(body["allowed"])
        self.assertEqual(
            body["message"],
            "长春华锐光电科技有限公司存在科研失信记录（吉科诚〔2026〕3号，严重），"
            "2027年6月30日前不得申报科技计划项目。",
        )
        self.assertEqual([r["decision_number"] for r in body["records"]], ["吉科诚〔2026〕3号"])
        self.assertEqual(body["records"][0]["state"], "in_force")

    def test_after_the_end_date_or_for_another_activity_it_is_allowed(self):
        later = self.check(organisation=self.enterprise_org.pk, activity="apply", on="2027-07-01")
        self.assertEqual(
            later.json(),
            {
                "allowed": True,
                "message": "长春华锐光电科技有限公司在2027年7月1日没有限制“申报科技计划项目”的科研失信记录。",
                "records": [],
            },
        )
        review = self.check(organisation=self.enterprise_org.pk, activity="review", on="2026-05-01")
        self.assertTrue(review.json()["allowed"])

    def test_a_user_is_checked_by_account_and_id_number(self):
        self.expert.id_number = PERSON_ID
        self.expert.save(update_fields=["id_number"])
        PersonRecordFactory(person_id_number=PERSON_ID, activities=["review"])
        body = self.check(user=self.expert.pk, activity="review", on="2026-05-01").json()
        self.assertFalse(body["allowed"])
        self.assertEqual(body["records"][0]["person_id_number"], "2201**********1230")

    def test_the_question_must_name_one_subject_and_a_known_activity(self):
        both = self.check(
            organisation=self.enterprise_org.pk, user=self.expert.pk, activity="apply"
        )
        self.assertEqual(both.status_code, 400)
        self.assertEqual(both.json()["message"], "请指定 organisation 或 user 其中之一。")
        unknown = self.check(organisation=self.enterprise_org.pk, activity="travel")
        self.assertEqual(unknown.status_code, 400)
        self.assertIn("activity", unknown.json()["errors"])

    def test_enterprise_cannot_ask(self):
        self.login(self.enterprise)
        response = self.check(organisation=self.enterprise_org.pk, activity="apply")
        self.assertEqual(response.status_code, 403)

    def test_schema_describes_the_integrity_endpoints(self):
        schema = yaml.safe_load(self.client.get("/api/schema/").content)
        self.assertIn("/api/integrity/check/", schema["paths"])
        self.assertIn("/api/integrity/records/{id}/revoke/", schema["paths"])
