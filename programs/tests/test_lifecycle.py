"""After review: 立项 and 公示, 任务书, reports, inspection, changes, acceptance, tracking."""

import datetime
import subprocess
from decimal import Decimal
from unittest import mock

from django.core.management import call_command
from django.utils import timezone

from core.exceptions import InvalidTransition, NotAllowed
from core.models import Notification
from programs.choices import (
    ApplicationStatus,
    AssignmentStatus,
    ChangeKind,
    InspectionConclusion,
    ObjectionStatus,
    OutcomeKind,
    ReportStatus,
    ReviewStage,
    Verdict,
)
from programs.exceptions import IneligibleApplicant
from programs.models import Application
from programs.services import applications as applications_service
from programs.services import decision, execution, review

from .base import ProgramTestCase

S = ApplicationStatus
MILESTONES = [{"title": "样机研制", "due": "2027-06-30", "deliverable": "样机1台"}]
INDICATORS = [{"name": "输出功率", "target": "≥100W"}]


class LifecycleTests(ProgramTestCase):
    def reviewed(self, user=None, admin=None, **data):
        application = self.confirmed(user=user, admin=admin, **data)
        Application.objects.filter(pk=application.pk).update(
            status=S.REVIEWED, review_score=Decimal("85")
        )
        application.refresh_from_db()
        return application

    def funded(self):
        application = self.reviewed()
        decision.propose(self.city_admin, self.call, {application.pk: "80"})
        publicity = decision.start_publicity(
            self.city_admin, self.call, starts_on=timezone.localdate() - datetime.timedelta(days=30)
        )
        decision.finalise(self.city_admin, publicity)
        application.refresh_from_db()
        return application

    def contracted(self):
        application = self.funded()
        start = timezone.localdate() - datetime.timedelta(days=400)
        contract = execution.issue_contract(
            self.city_admin, application, start_date=start,
            end_date=start + datetime.timedelta(days=730), funding="80",
            budget={"equipment": "20", "business": "40", "labour": "20"},
            milestones=MILESTONES, indicators=INDICATORS,
        )  # fmt: skip
        execution.sign_contract(self.enterprise, contract)
        application.refresh_from_db()
        return application

    def test_publicity_counts_working_days_and_an_objection_must_be_resolved_first(self):
        application = self.reviewed()
        decision.propose(self.city_admin, self.call, {application.pk: "80"})
        publicity = decision.start_publicity(
            self.city_admin, self.call, starts_on=datetime.date(2026, 9, 30)
        )
        self.assertEqual(publicity.ends_on, datetime.date(2026, 10, 13))  # over 国庆 and 调休
        with mock.patch.object(timezone, "localdate", return_value=datetime.date(2026, 10, 12)):
            objection = decision.file_objection(
                None, publicity, application, name="匿名群众", contact="13800001111",
                content="该项目负责人同期承担两项同类项目，存在重复申报。",
            )  # fmt: skip
            with self.assertRaisesMessage(InvalidTransition, "期满后才能正式立项"):
                decision.finalise(self.city_admin, publicity)
        with mock.patch.object(timezone, "localdate", return_value=datetime.date(2026, 10, 14)):
            with self.assertRaisesMessage(InvalidTransition, "公示期已结束，不再受理异议"):
                decision.file_objection(
                    None,
                    publicity,
                    application,
                    name="甲",
                    contact="1",
                    content="迟到的异议内容十个字以上",
                )
            with self.assertRaisesMessage(InvalidTransition, "还有1条异议未处理"):
                decision.finalise(self.city_admin, publicity)
            decision.resolve_objection(
                self.city_admin, objection, upheld=False, resolution="经核查，两项目研究内容不同。"
            )
            publicity = decision.finalise(self.city_admin, publicity)
        application.refresh_from_db()
        self.assertEqual(application.status, S.FUNDED)
        objection.refresh_from_db()
        self.assertEqual(objection.status, ObjectionStatus.DISMISSED)
        pdf = publicity.notice.read()
        self.assertTrue(pdf.startswith(b"%PDF"))
        text = _pdf_text(publicity.notice.path)
        self.assertIn("长春市科学技术局", text)
        self.assertIn(application.title[:10], text)
        fonts = subprocess.run(["pdffonts", publicity.notice.path], capture_output=True, text=True)
        self.assertIn("Noto-Sans-SC", fonts.stdout)  # real glyphs, not empty boxes

    def test_an_upheld_objection_takes_the_project_off_the_list(self):
        application = self.reviewed()
        decision.propose(self.city_admin, self.call, {application.pk: "80"})
        publicity = decision.start_publicity(self.city_admin, self.call)
        objection = decision.file_objection(
            self.public, publicity, application, name="王公众", contact="13800001111",
            content="申报材料中的专利不属于申报单位。",
        )  # fmt: skip
        decision.resolve_objection(
            self.city_admin, objection, upheld=True, resolution="经核实，专利权属不符。"
        )
        application.refresh_from_db()
        self.assertEqual(application.status, S.NOT_FUNDED)

    def test_a_list_above_the_calls_budget_is_refused_and_nothing_is_proposed(self):
        self.call.budget_total = Decimal("100")
        self.call.save()
        first = self.reviewed()
        second = self.reviewed(user=self.other_enterprise, admin=self.other_enterprise)
        with self.assertRaisesMessage(InvalidTransition, "超过指南财政资金总额100"):
            decision.propose(self.city_admin, self.call, {first.pk: "80", second.pk: "60"})
        statuses = set(Application.objects.values_list("status", flat=True))
        self.assertEqual(statuses, {S.REVIEWED})

    def test_a_proposal_above_the_call_cap_is_refused(self):
        application = self.reviewed()
        with self.assertRaisesMessage(InvalidTransition, "不超过单项上限100"):
            decision.propose(self.city_admin, self.call, {application.pk: "150"})

    def test_the_contract_schedules_reports_and_an_overdue_one_blocks_new_applications(self):
        application = self.contracted()
        reports = list(application.reports.order_by("due_date"))
        self.assertEqual(len(reports), 3)  # 24 months in periods of 6: the last is the final report
        self.assertLess(reports[0].due_date, timezone.localdate())  # the first is overdue
        with self.assertRaises(IneligibleApplicant) as refused:
            self.ready_application(title="新项目")
        self.assertIn("逾期未交的项目进展报告", refused.exception.message)
        self.assertIn(application.title, refused.exception.message)

        self.assertEqual(execution.send_reminders(), 2)  # the two periods already past
        self.assertTrue(
            Notification.objects.filter(
                user=self.preparer, title__contains="进展报告已逾期"
            ).exists()
        )
        for report in reports[:2]:
            execution.submit_report(
                self.preparer, report, progress="完成了封装结构设计和热仿真，样机正在加工，经费按计划使用。",
                spent="30",
            )  # fmt: skip
        self.ready_application(title="新项目")  # no longer blocked

    def test_reminders_come_once_a_day_from_the_command(self):
        application = self.contracted()
        call_command("program_reminders", stdout=open("/dev/null", "w"))
        first = Notification.objects.filter(title__contains="进展报告").count()
        call_command("program_reminders", stdout=open("/dev/null", "w"))
        self.assertEqual(Notification.objects.filter(title__contains="进展报告").count(), first)
        self.assertGreater(first, 0)
        self.assertTrue(application.reports.exclude(reminded_on=None).exists())

    def test_a_district_admin_inspects_only_projects_in_their_district(self):
        application = self.contracted()  # the enterprise is in the high-tech zone
        inspection = execution.record_inspection(
            self.district_admin, application, inspected_on=timezone.localdate(),
            findings="样机进度滞后两个月。", conclusion=InspectionConclusion.RECTIFY,
            rectify_by=timezone.localdate() + datetime.timedelta(days=60),
        )  # fmt: skip
        self.assertEqual(inspection.get_conclusion_display(), "限期整改")
        other = self.confirmed(user=self.other_enterprise, admin=self.other_enterprise)
        with self.assertRaises(NotAllowed):
            execution.record_inspection(
                self.district_admin, other, inspected_on=timezone.localdate(), findings="x",
                conclusion=InspectionConclusion.NORMAL,
            )  # fmt: skip

    def test_an_approved_change_updates_the_project_and_a_bad_one_is_refused(self):
        application = self.contracted()
        with self.assertRaisesMessage(InvalidTransition, "须等于资助经费80"):
            execution.request_change(
                self.preparer, application, ChangeKind.BUDGET, "设备涨价",
                {"budget": {"equipment": "50", "business": "40"}},
            )  # fmt: skip
        change = execution.request_change(
            self.preparer, application, ChangeKind.PI, "原负责人调离", {"pi_name": "赵新负责"}
        )
        with self.assertRaises(NotAllowed):
            execution.decide_change(self.preparer, change, approve=True)
        execution.decide_change(self.city_admin, change, approve=True, note="同意")
        application.refresh_from_db()
        self.assertEqual(application.pi_name, "赵新负责")
        delay = execution.request_change(
            self.preparer, application, ChangeKind.SCHEDULE, "疫情影响",
            {"end_date": (application.contract.end_date + datetime.timedelta(days=90)).isoformat()},
        )  # fmt: skip
        execution.decide_change(self.city_admin, delay, approve=True)
        application.contract.refresh_from_db()
        self.assertEqual(
            application.contract.end_date,
            timezone.localdate() - datetime.timedelta(days=400) + datetime.timedelta(days=820),
        )

    def test_acceptance_reuses_the_panel_and_ends_with_a_verdict_and_outcomes(self):
        from core.choices import Role
        from core.factories import MembershipFactory, OrganisationFactory
        from resources.factories import ExpertFactory

        for i in range(5):
            org = OrganisationFactory(name=f"验收专家单位{i}")
            user = MembershipFactory(
                user__username=f"acceptor{i}", organisation=org, role=Role.EXPERT
            ).user
            ExpertFactory(owner=org, user=user, title=f"验收专家{i}")
        application = self.contracted()
        execution.submit_final_report(
            self.preparer, application, summary="项目完成全部研究内容，输出功率达到120W，申请专利3件。",
            indicators_met=[{"name": "输出功率", "result": "120W"}],
        )  # fmt: skip
        with self.assertRaisesMessage(InvalidTransition, "验收专家尚未完成评分"):
            execution.give_verdict(self.city_admin, application, Verdict.PASSED)
        self.call.probability_cap = Decimal("0.8")
        self.call.save()
        review.build_panel(
            self.city_admin, self.call, stage=ReviewStage.ACCEPTANCE, only=[application.pk]
        )
        panel = application.assignments.filter(
            stage=ReviewStage.ACCEPTANCE, status=AssignmentStatus.INVITED
        )
        self.assertEqual(panel.count(), 3)
        sheet = {"innovation": 25, "feasibility": 20, "team": 12, "benefit": 15, "budget": 8}
        for assignment in panel:
            review.respond(assignment.expert.user, assignment, accept=True)
            review.submit_scores(
                assignment.expert.user, assignment, sheet, "完成了任务书约定的指标。"
            )
        acceptance = execution.give_verdict(self.city_admin, application, Verdict.PASSED)
        self.assertEqual(acceptance.score, Decimal("80.00"))
        application.refresh_from_db()
        self.assertEqual(application.status, S.CLOSED)
        outcome = execution.record_outcome(
            self.preparer, application, kind=OutcomeKind.REVENUE, title="激光器模块销售",
            year=2027, amount=Decimal("560"),
        )  # fmt: skip
        self.assertEqual(application.outcomes.get(), outcome)
        with self.assertRaisesMessage(InvalidTransition, "须填写金额"):
            execution.record_outcome(
                self.preparer, application, kind=OutcomeKind.REVENUE, title="无金额", year=2027
            )

    def test_a_report_is_reviewed_by_the_supervisor(self):
        application = self.contracted()
        report = application.reports.order_by("due_date").first()
        execution.submit_report(
            self.preparer,
            report,
            progress="完成热仿真和结构设计，样机加工过半，进度符合任务书要求。",
        )
        report = execution.review_report(
            self.city_admin, report, accept=False, note="请补充经费使用明细"
        )
        self.assertEqual(report.status, ReportStatus.RETURNED)
        self.assertTrue(
            applications_service.overdue_reports(self.enterprise_org).filter(pk=report.pk).exists()
        )


def _pdf_text(path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
