"""Keeping the records: who may register, read, correct and revoke them, and what each sees."""

import datetime
import shutil
import tempfile

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from core.exceptions import InvalidTransition, NotAllowed
from core.models import AuditEntry
from core.testing import PersonaTestCase
from integrity.factories import IntegrityRecordFactory, PersonRecordFactory, id_number
from integrity.models import IntegrityRecord
from integrity.services import records

PERSON_ID = id_number("220102", "19850312", 123)  # 220102198503121230


def record_data(org, **extra):
    data = {
        "subject_kind": "organisation",
        "organisation": org,
        "finding": "在科技计划项目申报中提供虚假的财务审计报告。",
        "severity": "serious",
        "decision_number": "吉科诚〔2026〕3号",
        "decision_date": datetime.date(2026, 3, 15),
        "issued_by": "长春市科学技术局",
        "restricted_from": datetime.date(2026, 3, 15),
        "restricted_until": datetime.date(2027, 6, 30),
        "activities": ["apply"],
    }
    return {**data, **extra}


def form_fields(**extra):
    fields = {
        "subject_kind": "organisation",
        "organisation": "",
        "person_name": "",
        "person_id_number": "",
        "user": "",
        "finding": "在项目结题材料中抄袭他人研究成果。",
        "severity": "grave",
        "decision_number": "吉科诚〔2026〕5号",
        "decision_date": "2026-04-01",
        "issued_by": "长春市科学技术局",
        "restricted_from": "2026-04-01",
        "restricted_until": "",
        "activities": ["apply", "review"],
    }
    return {**fields, **extra}


class RecordServiceTests(PersonaTestCase):
    def test_city_admin_registers_and_corrects_a_record_and_both_are_audited(self):
        record = records.create_record(self.city_admin, record_data(self.enterprise_org))
        created = AuditEntry.objects.get(action="create", object_id=str(record.pk))
        self.assertEqual(created.actor, self.city_admin)
        self.assertEqual(created.changes["organisation"], [None, "长春华锐光电科技有限公司"])
        self.assertEqual(created.changes["activities"], [None, ["申报科技计划项目"]])

        records.update_record(
            self.city_admin, record, {"severity": "grave", "activities": ["review", "apply"]}
        )
        entry = AuditEntry.objects.get(action="update", object_id=str(record.pk))
        self.assertEqual(entry.changes["severity"], ["较重", "严重"])
        self.assertEqual(
            entry.changes["activities"],
            [["申报科技计划项目"], ["申报科技计划项目", "担任评审专家"]],
        )
        self.assertEqual(set(entry.changes), {"severity", "activities"})

    def test_district_admin_may_read_but_not_register(self):
        with self.assertRaisesMessage(NotAllowed, "只有市科技局可以登记科研失信记录。"):
            records.create_record(self.district_admin, record_data(self.enterprise_org))
        record = IntegrityRecordFactory(organisation=self.enterprise_org)
        with self.assertRaisesMessage(NotAllowed, "只有市科技局可以修改科研失信记录。"):
            records.update_record(self.district_admin, record, {"severity": "general"})
        with self.assertRaisesMessage(NotAllowed, "只有市科技局可以撤销科研失信记录。"):
            records.revoke_record(self.district_admin, record, "有误")
        self.assertEqual(records.get_record_for_user(self.district_admin, record.pk), record)
        self.assertFalse(AuditEntry.objects.exists())

    def test_kind_decides_which_subject_fields_are_kept(self):
        record = records.create_record(
            self.city_admin,
            record_data(self.enterprise_org, person_name="张三", person_id_number=PERSON_ID),
        )
        self.assertEqual((record.person_name, record.person_id_number), ("", ""))
        person = records.create_record(
            self.city_admin,
            record_data(
                self.enterprise_org,
                subject_kind="person",
                person_name="张三",
                person_id_number=PERSON_ID.lower(),
            ),
        )
        self.assertIsNone(person.organisation)
        self.assertEqual(person.subject_name, "张三")

    def test_missing_subject_and_reversed_dates_get_field_messages(self):
        with self.assertRaises(ValidationError) as ctx:
            records.create_record(
                self.city_admin,
                record_data(
                    None,
                    restricted_from=datetime.date(2026, 5, 1),
                    restricted_until=datetime.date(2026, 4, 30),
                    activities=[],
                ),
            )
        errors = ctx.exception.message_dict
        self.assertEqual(errors["organisation"], ["单位记录须填写失信单位。"])
        self.assertEqual(errors["activities"], ["请至少选择一项限制的活动。"])
        self.assertFalse(IntegrityRecord.objects.exists())
        with self.assertRaises(ValidationError) as ctx:
            records.create_record(
                self.city_admin,
                record_data(
                    self.enterprise_org,
                    restricted_from=datetime.date(2026, 5, 1),
                    restricted_until=datetime.date(2026, 4, 30),
                ),
            )
        self.assertEqual(
            ctx.exception.message_dict["restricted_until"], ["限制截止日期不能早于开始日期。"]
        )

    def test_linked_account_must_carry_the_same_id_number(self):
        self.expert.id_number = id_number("220104", "19780605", 201)
        self.expert.save(update_fields=["id_number"])
        data = record_data(
            None, subject_kind="person", person_name="刘专家", person_id_number=PERSON_ID
        )
        with self.assertRaises(ValidationError) as ctx:
            records.create_record(self.city_admin, {**data, "user": self.expert})
        self.assertEqual(
            ctx.exception.message_dict["user"],
            ["所关联账号登记的身份证号与本记录的公民身份号码不一致。"],
        )

    def test_revoking_needs_a_reason_happens_once_and_freezes_the_record(self):
        record = IntegrityRecordFactory(organisation=self.enterprise_org)
        with self.assertRaises(ValidationError):
            records.revoke_record(self.city_admin, record, "  ")
        records.revoke_record(self.city_admin, record, "处理决定已被撤销")
        entry = AuditEntry.objects.get(action="transition", object_id=str(record.pk))
        self.assertEqual(entry.note, "处理决定已被撤销")
        self.assertEqual(entry.changes["revoked_by"], [None, "孙市管"])
        with self.assertRaisesMessage(InvalidTransition, "撤销"):
            records.revoke_record(self.city_admin, record, "再撤销一次")
        with self.assertRaisesMessage(InvalidTransition, "该记录已撤销，不能再修改。"):
            records.update_record(self.city_admin, record, {"severity": "general"})


class RecordPageTests(PersonaTestCase):
    def setUp(self):
        today = timezone.localdate()
        self.org_record = IntegrityRecordFactory(
            organisation=self.enterprise_org,
            decision_number="吉科诚〔2026〕3号",
            restricted_from=today - datetime.timedelta(days=10),
            restricted_until=today + datetime.timedelta(days=300),
        )
        self.person_record = PersonRecordFactory(
            person_name="王某某",
            person_id_number=PERSON_ID,
            decision_number="吉科诚〔2024〕9号",
            restricted_from=today - datetime.timedelta(days=900),
            restricted_until=today - datetime.timedelta(days=100),
            activities=["review"],
        )

    def test_enterprise_public_and_anonymous_cannot_open_the_list(self):
        self.assertRedirects(self.client.get("/integrity/"), "/accounts/login/?next=/integrity/")
        for user in (self.public, self.enterprise, self.expert, self.leader):
            self.login(user)
            self.assertEqual(self.client.get("/integrity/").status_code, 403, user)
            self.assertEqual(self.client.get(f"/integrity/{self.org_record.pk}/").status_code, 403)
            self.assertNotContains(self.client.get("/"), "科研诚信")

    def test_district_admin_reads_records_with_id_numbers_masked(self):
        self.login(self.district_admin)
        self.assertContains(self.client.get("/"), 'href="/integrity/">科研诚信</a>', html=False)
        page = self.client.get("/integrity/")
        self.assertContains(page, "长春华锐光电科技有限公司")
        self.assertContains(page, "2201**********1230")
        self.assertNotContains(page, PERSON_ID)
        self.assertNotContains(page, "登记失信记录")
        detail = self.client.get(f"/integrity/{self.person_record.pk}/")
        self.assertContains(detail, "2201**********1230")
        self.assertNotContains(detail, "撤销记录")
        self.assertNotContains(detail, "编辑")
        self.assertEqual(self.client.get("/integrity/new/").status_code, 403)
        self.assertEqual(self.client.get(f"/integrity/{self.org_record.pk}/edit/").status_code, 403)

    def test_bureau_sees_id_numbers_in_full(self):
        self.login(self.city_admin)
        self.assertContains(self.client.get("/integrity/"), PERSON_ID)
        self.assertContains(self.client.get(f"/integrity/{self.person_record.pk}/"), PERSON_ID)

    def test_list_shows_each_records_state(self):
        self.login(self.city_admin)
        page = self.client.get("/integrity/")
        self.assertContains(page, '<span class="badge status-returned">生效中</span>', html=True)
        self.assertContains(page, '<span class="badge">已到期</span>', html=True)

    def test_filters_by_activity_date_kind_and_text(self):
        self.login(self.district_admin)
        today = timezone.localdate()

        def shown(**params):
            page = self.client.get("/integrity/", params)
            return [r.pk for r in page.context["page"]]

        self.assertEqual(shown(activity="review"), [self.person_record.pk])
        self.assertEqual(shown(in_force_on=today.isoformat()), [self.org_record.pk])
        self.assertEqual(shown(subject_kind="person"), [self.person_record.pk])
        self.assertEqual(shown(q=self.enterprise_org.uscc.lower()), [self.org_record.pk])
        self.assertEqual(shown(q="〔2024〕"), [self.person_record.pk])
        self.assertEqual(shown(q="王某"), [self.person_record.pk])
        empty = self.client.get("/integrity/", {"severity": "general"})
        self.assertContains(empty, "没有符合条件的科研失信记录，请调整筛选条件。")

    def test_list_queries_do_not_grow_with_the_records(self):
        self.login(self.city_admin)
        self.client.get("/integrity/")
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as few:
            self.client.get("/integrity/")
        IntegrityRecordFactory.create_batch(8)
        PersonRecordFactory.create_batch(8)
        with CaptureQueriesContext(connection) as many:
            page = self.client.get("/integrity/")
        self.assertEqual(page.context["page"].paginator.count, 18)
        self.assertEqual(len(many), len(few))

    def test_export_masks_id_numbers_for_district_admins(self):
        self.login(self.district_admin)
        response = self.client.get("/integrity/", {"export": "csv"})
        content = b"".join(response.streaming_content).decode("utf-8-sig")
        self.assertIn("处理决定文号", content.splitlines()[0])
        self.assertIn("吉科诚〔2026〕3号", content)
        self.assertIn("2201**********1230", content)
        self.assertNotIn(PERSON_ID, content)

    def test_city_admin_registers_an_organisation_record_through_the_form(self):
        self.login(self.city_admin)
        response = self.client.post(
            "/integrity/new/", form_fields(organisation=self.other_enterprise_org.uscc.lower())
        )
        record = IntegrityRecord.objects.get(decision_number="吉科诚〔2026〕5号")
        self.assertRedirects(response, f"/integrity/{record.pk}/")
        self.assertEqual(record.organisation, self.other_enterprise_org)
        self.assertEqual(record.activities, ["apply", "review"])
        page = self.client.get(f"/integrity/{record.pk}/")
        self.assertContains(page, "长期")
        self.assertContains(page, "担任评审专家")

    def test_form_names_an_unknown_organisation_and_a_bad_id_number(self):
        self.login(self.city_admin)
        import random

        from core.factories import make_uscc

        unknown = make_uscc(random.Random(5))
        response = self.client.post("/integrity/new/", form_fields(organisation=unknown))
        self.assertContains(response, f"平台中没有统一社会信用代码为 {unknown} 的单位")
        response = self.client.post(
            "/integrity/new/",
            form_fields(
                subject_kind="person", person_name="张三", person_id_number="220102198503121231"
            ),
        )
        self.assertContains(response, "公民身份号码校验位不符：第18位应为“0”，实际为“1”。")
        self.assertFalse(
            IntegrityRecord.objects.filter(decision_number="吉科诚〔2026〕5号").exists()
        )

    def test_revoke_from_the_page_needs_a_reason(self):
        self.login(self.city_admin)
        url = f"/integrity/{self.org_record.pk}/revoke/"
        self.assertContains(
            self.client.post(url, {"reason": ""}, follow=True), "撤销时必须填写原因。"
        )
        page = self.client.post(url, {"reason": "登记有误"}, follow=True)
        self.assertContains(page, "记录已撤销，不再限制相关活动。")
        self.assertContains(page, "原因：登记有误")
        self.assertContains(page, '<span class="badge">已撤销</span>', html=True)
        self.assertNotContains(page, f'href="/integrity/{self.org_record.pk}/edit/"')


@override_settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="integrity-media-"))
class DecisionDocumentTests(PersonaTestCase):
    @classmethod
    def tearDownClass(cls):
        from django.conf import settings

        shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)
        super().tearDownClass()

    def post(self, upload):
        self.login(self.city_admin)
        return self.client.post(
            "/integrity/new/",
            {**form_fields(organisation=self.enterprise_org.uscc), "decision_document": upload},
        )

    def test_only_a_pdf_is_accepted(self):
        response = self.post(SimpleUploadedFile("决定书.docx", b"PK\x03\x04"))
        self.assertContains(response, "处理决定书只能上传 PDF 文件，“决定书.docx”不是 PDF 文件。")
        response = self.post(SimpleUploadedFile("决定书.pdf", b"<html>not a pdf</html>"))
        self.assertContains(response, "“决定书.pdf”的内容不是 PDF，请上传处理决定书的 PDF 文件。")
        self.assertFalse(IntegrityRecord.objects.exists())

    def test_a_document_over_ten_megabytes_is_refused(self):
        big = SimpleUploadedFile("决定书.pdf", b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024))
        self.assertContains(self.post(big), "处理决定书不能超过 10MB，该文件为 10.0MB。")

    def test_pdf_is_kept_and_shown_only_to_readers(self):
        self.post(SimpleUploadedFile("决定书.pdf", b"%PDF-1.7\n%%EOF\n"))
        record = IntegrityRecord.objects.get()
        url = f"/integrity/{record.pk}/document/"
        self.assertContains(self.client.get(f"/integrity/{record.pk}/"), url)
        self.login(self.district_admin)
        response = self.client.get(url)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertEqual(b"".join(response.streaming_content), b"%PDF-1.7\n%%EOF\n")
        self.login(self.enterprise)
        self.assertEqual(self.client.get(url).status_code, 404)


class AdminTests(PersonaTestCase):
    def test_city_admin_registers_through_the_back_office_with_an_audit_entry(self):
        self.login(self.city_admin)
        response = self.client.post(
            "/admin/integrity/integrityrecord/add/",
            form_fields(organisation=self.enterprise_org.uscc),
        )
        record = IntegrityRecord.objects.get()
        self.assertRedirects(response, "/admin/integrity/integrityrecord/")
        self.assertEqual(record.created_by, self.city_admin)
        entry = AuditEntry.objects.get(action="create")
        self.assertEqual(entry.changes["decision_number"], [None, "吉科诚〔2026〕5号"])

    def test_district_admin_reads_the_back_office_list_but_cannot_add_or_delete(self):
        record = IntegrityRecordFactory(organisation=self.enterprise_org)
        self.login(self.district_admin)
        listing = self.client.get("/admin/integrity/integrityrecord/")
        self.assertContains(listing, record.decision_number)
        self.assertEqual(self.client.get("/admin/integrity/integrityrecord/add/").status_code, 403)
        change = self.client.get(f"/admin/integrity/integrityrecord/{record.pk}/change/")
        self.assertNotContains(change, 'name="_save"')
        self.assertNotContains(change, "deletelink")
