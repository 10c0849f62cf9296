import datetime
import threading
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import TransactionTestCase, skipUnlessDBFeature
from django.utils import timezone

from core.choices import OrgType, Role
from core.exceptions import InvalidTransition, NotAllowed
from core.factories import MembershipFactory, OrganisationFactory
from core.models import AuditEntry
from core.services.reference import load_reference_data
from integrity.factories import IntegrityRecordFactory
from programs.choices import ApplicationStatus, AttachmentKind, CallKind
from programs.exceptions import IneligibleApplicant, NotReady
from programs.factories import ApplicationFactory, CallFactory, TopicFactory, pdf_upload
from programs.models import Application, Transition
from programs.services import applications as service

from .base import BUDGET, ProgramTestCase

S = ApplicationStatus


class PreparingTests(ProgramTestCase):
    def test_colleagues_prepare_one_application_and_every_change_is_in_its_history(self):
        application = self.ready_application()
        service.update_application(self.enterprise, application, summary="新的摘要，补充了指标。")
        service.update_application(
            self.preparer, application, budget={**BUDGET, "business": "45", "labour": "25"}
        )
        entries = AuditEntry.objects.filter(
            content_type__model="application", object_id=str(application.pk), action="update"
        ).order_by("pk")
        actors = [e.actor for e in entries]
        self.assertIn(self.enterprise, actors)
        self.assertIn(self.preparer, actors)
        summary_change = next(e for e in entries if "summary" in e.changes)
        self.assertEqual(summary_change.changes["summary"][1], "新的摘要，补充了指标。")
        budget_change = next(e for e in entries if "budget" in e.changes)
        self.assertEqual(budget_change.changes["budget"][0]["业务费"], "50.00")
        self.assertEqual(budget_change.changes["budget"][1]["业务费"], "45.00")

    def test_another_organisation_cannot_open_or_edit_the_draft(self):
        application = self.ready_application()
        for user in (self.other_enterprise, self.institute, self.expert, self.public):
            with self.assertRaises(NotAllowed):
                service.get_application_for_user(user, application.pk)
        with self.assertRaises(NotAllowed):
            service.update_application(self.other_enterprise, application, title="改名")
        self.assertNotIn(application, service.applications_for(self.other_enterprise))

    def test_budget_lines_must_add_up_to_the_total(self):
        application = self.ready_application(budget={**BUDGET, "business": "10"})
        with self.assertRaises(NotReady) as refused:
            service.submit_application(self.preparer, application)
        self.assertIn("预算科目合计80", refused.exception.message)
        self.assertIn("120", refused.exception.message)
        application.refresh_from_db()
        self.assertEqual(application.status, S.DRAFT)
        self.assertEqual(application.number, "")

    def test_indirect_costs_are_capped_and_funding_above_the_call_limit_is_refused(self):
        application = self.ready_application(
            requested_funding=Decimal("150"),
            self_funding=Decimal("0"),
            budget={"equipment": "50", "business": "40", "labour": "10", "indirect": "50"},
        )
        with self.assertRaises(NotReady) as refused:
            service.submit_application(self.preparer, application)
        message = refused.exception.message
        self.assertIn("超过单项资助上限100", message)
        self.assertIn("间接费用不得超过直接费用扣除设备费后的30%（15.00万元）", message)

    def test_attachments_are_checked_for_type_size_and_content(self):
        application = self.ready_application()
        exe = SimpleUploadedFile("病毒.exe", b"MZ\x90\x00", content_type="application/octet-stream")
        with self.assertRaisesMessage(InvalidTransition, "不支持的文件类型“exe”"):
            service.add_attachment(self.preparer, application, AttachmentKind.OTHER, exe)
        fake = SimpleUploadedFile("预算说明.pdf", b"not a pdf", content_type="application/pdf")
        with self.assertRaisesMessage(InvalidTransition, "内容与扩展名不符"):
            service.add_attachment(self.preparer, application, AttachmentKind.BUDGET, fake)
        self.assertEqual(application.attachments.count(), 1)

    def test_a_missing_proposal_is_named_when_submitting(self):
        application = service.create_application(
            self.preparer, self.call, title="无附件的申报", topic=self.topic, summary="摘要",
            pi_name="王研究", requested_funding=Decimal("80"), self_funding=Decimal("40"),
            budget=BUDGET,
        )  # fmt: skip
        with self.assertRaisesMessage(NotReady, "缺少附件“申报书正文”"):
            service.submit_application(self.preparer, application)


class CallFormTests(ProgramTestCase):
    def test_a_calls_extra_questions_and_attachments_are_required_and_typed(self):
        self.call.form_fields = [
            {"key": "staff", "label": "研发人员数", "type": "number", "required": True},
            {"key": "stage", "label": "技术阶段", "type": "choice", "required": False,
             "choices": ["实验室", "中试", "产业化"]},
        ]  # fmt: skip
        self.call.required_attachments = ["proposal", "pledge"]
        self.call.save()
        application = self.ready_application()
        with self.assertRaises(NotReady) as refused:
            service.submit_application(self.preparer, application)
        self.assertIn("研发人员数未填写", refused.exception.problems)
        self.assertIn("缺少附件“单位承诺书”", refused.exception.problems)
        with self.assertRaisesMessage(InvalidTransition, "“研发人员数”须填写数字"):
            service.update_application(self.preparer, application, answers={"staff": "十二"})
        with self.assertRaisesMessage(
            InvalidTransition, "须从以下选项中选择：实验室、中试、产业化"
        ):
            service.update_application(self.preparer, application, answers={"stage": "量产"})
        service.update_application(
            self.preparer, application, answers={"staff": "12", "stage": "中试"}
        )
        service.add_attachment(
            self.preparer, application, AttachmentKind.PLEDGE, pdf_upload("承诺书.pdf")
        )
        self.assertEqual(service.submit_application(self.preparer, application).status, S.SUBMITTED)

    def test_a_call_with_a_bad_question_is_refused(self):
        from programs.services import calls

        with self.assertRaisesMessage(InvalidTransition, "须列出可选项"):
            calls.update_call(
                self.city_admin, self.call,
                form_fields=[{"key": "stage", "label": "技术阶段", "type": "choice"}],
            )  # fmt: skip


class SubmittingTests(ProgramTestCase):
    def test_submitting_numbers_the_application_and_the_org_admin_confirms_it(self):
        application = self.submitted()
        self.assertEqual(application.status, S.SUBMITTED)
        self.assertTrue(application.number.startswith("2026"))
        with self.assertRaises(NotAllowed):
            service.confirm_application(self.preparer, application)  # not the org's admin
        application = service.confirm_application(self.enterprise, application)
        self.assertEqual(application.status, S.CONFIRMED)
        steps = list(application.transitions.values_list("to_status", "actor__username"))
        self.assertEqual(steps[-2:], [(S.SUBMITTED, "preparer"), (S.CONFIRMED, "enterprise")])

    def test_nothing_can_be_submitted_after_the_deadline(self):
        application = self.ready_application()
        self.call.closes_at = timezone.now() - datetime.timedelta(minutes=1)
        self.call.save()
        with self.assertRaisesMessage(InvalidTransition, "已过申报截止时间"):
            service.submit_application(self.preparer, application)

    def test_an_organisation_under_an_integrity_restriction_cannot_submit(self):
        application = self.ready_application()
        IntegrityRecordFactory(
            organisation=self.enterprise_org,
            decision_number="长科诚〔2026〕7号",
            restricted_until=datetime.date(2028, 6, 30),
            activities=["apply"],
        )
        with self.assertRaises(IneligibleApplicant) as refused:
            service.submit_application(self.preparer, application)
        self.assertIn("长科诚〔2026〕7号", refused.exception.message)
        self.assertIn("2028年6月30日", refused.exception.message)
        application.refresh_from_db()
        self.assertEqual(application.status, S.DRAFT)

    def test_the_per_organisation_limit_counts_submitted_applications(self):
        self.call.max_applications_per_org = 1
        self.call.save()
        first, second = self.ready_application(), self.ready_application(title="第二项")
        service.submit_application(self.preparer, first)
        with self.assertRaisesMessage(IneligibleApplicant, "每个单位限报1项，本单位已提交1项"):
            service.submit_application(self.preparer, second)
        with self.assertRaisesMessage(IneligibleApplicant, "每个单位限报1项"):
            self.ready_application(title="第三项")

    def test_a_call_for_universities_refuses_an_enterprise(self):
        call = CallFactory(eligible_org_types=["university", "institute"])
        with self.assertRaisesMessage(IneligibleApplicant, "不接受“企业”类单位申报"):
            service.create_application(self.preparer, call, title="企业申报高校专项")

    def test_a_challenge_call_needs_the_challenge_chosen(self):
        call = CallFactory(kind=CallKind.CHALLENGE)
        TopicFactory(call=call)
        with self.assertRaisesMessage(InvalidTransition, "须选择要揭的榜单"):
            service.create_application(self.preparer, call, title="揭榜")


class FormalCheckTests(ProgramTestCase):
    def test_a_returned_application_can_be_fixed_and_submitted_once_more(self):
        application = self.confirmed()
        application = service.return_application(self.city_admin, application, "预算说明不完整")
        self.assertEqual(application.status, S.RETURNED)
        self.assertEqual(application.return_reason, "预算说明不完整")
        service.update_application(self.preparer, application, summary="补充了预算说明。")
        application = service.submit_application(self.preparer, application)
        application = service.confirm_application(self.enterprise, application)
        with self.assertRaisesMessage(InvalidTransition, "已退回修改过一次"):
            service.return_application(self.city_admin, application, "仍不完整")
        application = service.accept_application(self.city_admin, application)
        self.assertEqual(application.status, S.ACCEPTED)

    def test_fixing_after_the_window_is_refused(self):
        application = service.return_application(
            self.city_admin, self.confirmed(), "缺少单位承诺书"
        )
        Application.objects.filter(pk=application.pk).update(
            fix_deadline=timezone.now() - datetime.timedelta(hours=1)
        )
        with self.assertRaisesMessage(InvalidTransition, "退回修改的期限已过"):
            service.submit_application(self.preparer, application)

    def test_a_district_admin_checks_only_applicants_of_their_district(self):
        ours = self.confirmed()  # enterprise_org is in the high-tech zone
        service.accept_application(self.district_admin, ours)
        theirs = self.confirmed(user=self.other_enterprise, admin=self.other_enterprise)
        with self.assertRaisesMessage(NotAllowed, "不属于您管理的区域"):
            service.accept_application(self.district_admin, theirs)
        with self.assertRaises(NotAllowed):
            service.get_application_for_user(self.district_admin, theirs.pk)
        theirs.refresh_from_db()
        self.assertEqual(theirs.status, S.CONFIRMED)

    def test_two_admins_accepting_the_same_application_make_one_transition(self):
        application = self.confirmed()
        stale = Application.objects.get(pk=application.pk)
        service.accept_application(self.city_admin, application)
        with self.assertRaisesMessage(InvalidTransition, "当前状态为“形式审查通过”"):
            service.accept_application(self.district_admin, stale)
        self.assertEqual(
            Transition.objects.filter(application=application, to_status=S.ACCEPTED).count(), 1
        )


@skipUnlessDBFeature("has_select_for_update")
class ConcurrentApprovalTests(TransactionTestCase):
    """Two admins pressing 通过 at the same moment, in two connections (PostgreSQL)."""

    def setUp(self):
        load_reference_data()  # an earlier transactional test's flush emptied the regions

    def _fixture_teardown(self):
        super()._fixture_teardown()
        load_reference_data()  # and so does this one's, for the tests after it

    def test_simultaneous_accepts_produce_one_transition(self):
        bureau = OrganisationFactory(name="长春市科学技术局", type=OrgType.GOVERNMENT)
        admins = [
            MembershipFactory(organisation=bureau, role=Role.CITY_ADMIN).user for _ in range(2)
        ]
        application = ApplicationFactory(
            organisation=OrganisationFactory(), status=S.CONFIRMED, number="20260010001"
        )
        barrier = threading.Barrier(2)
        outcomes = []

        def accept(admin):
            try:
                barrier.wait()
                service.accept_application(admin, Application.objects.get(pk=application.pk))
                outcomes.append("ok")
            except InvalidTransition:
                outcomes.append("refused")
            finally:
                connection.close()

        threads = [threading.Thread(target=accept, args=(admin,)) for admin in admins]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(sorted(outcomes), ["ok", "refused"])
        self.assertEqual(
            Transition.objects.filter(application=application, to_status=S.ACCEPTED).count(), 1
        )
