"""The pages after review: 拟立项 and 公示 on the call page, the public 公示 page with its
objection form, and the project's 任务书, reports, inspections, changes, acceptance and outcomes
on its application page — each for the role that may use it, refused to the one that may not."""

import datetime
from decimal import Decimal
from unittest import mock

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from core.choices import Role
from core.factories import MembershipFactory, OrganisationFactory
from core.models import Job
from programs.choices import (
    ApplicationStatus,
    AssignmentStatus,
    ChangeStatus,
    InspectionConclusion,
    ObjectionStatus,
    ReportStatus,
    ReviewStage,
)
from programs.factories import CallFactory
from programs.models import Application, ChangeRequest, Contract, Objection, ProgressReport
from programs.services import decision, execution, review
from resources.factories import ExpertFactory

from .base import ProgramTestCase

S = ApplicationStatus
MILESTONES = [{"title": "样机研制", "due": "2027-06-30", "deliverable": "样机1台"}]
INDICATORS = [{"name": "输出功率", "target": "≥100W"}]
SHEET = {"innovation": 25, "feasibility": 20, "team": 12, "benefit": 15, "budget": 8}


class CycleTestCase(ProgramTestCase):
    def reviewed(self, score="85", spread="6", flagged=False, **data):
        application = self.confirmed(**data)
        Application.objects.filter(pk=application.pk).update(
            status=S.REVIEWED,
            review_score=Decimal(score),
            review_spread=Decimal(spread),
            review_flagged=flagged,
        )
        application.refresh_from_db()
        return application

    def in_publicity(self, **data):
        application = self.reviewed(**data)
        decision.propose(self.city_admin, self.call, {application.pk: "80"})
        publicity = decision.start_publicity(self.city_admin, self.call)
        return application, publicity

    def funded(self, user=None, admin=None):
        application = self.reviewed(user=user, admin=admin)
        decision.propose(self.city_admin, self.call, {application.pk: "80"})
        publicity = decision.start_publicity(
            self.city_admin, self.call, starts_on=timezone.localdate() - datetime.timedelta(days=30)
        )
        decision.finalise(self.city_admin, publicity)
        application.refresh_from_db()
        return application

    def contracted(self, user=None, admin=None, days_ago=400, months=6):
        application = self.funded(user=user, admin=admin)
        start = timezone.localdate() - datetime.timedelta(days=days_ago)
        contract = execution.issue_contract(
            self.city_admin, application, start_date=start,
            end_date=start + datetime.timedelta(days=730), funding="80",
            budget={"equipment": "20", "business": "40", "labour": "20"},
            milestones=MILESTONES, indicators=INDICATORS, report_every_months=months,
        )  # fmt: skip
        execution.sign_contract(admin or self.enterprise, contract)
        application.refresh_from_db()
        return application

    def page(self, application):
        return self.client.get(f"/programs/applications/{application.pk}/")


class DecisionPageTests(CycleTestCase):
    def test_the_manager_sees_the_reviewed_applications_ranked_with_the_spread_flag(self):
        self.call.max_applications_per_org = 3
        self.call.save()
        low = self.reviewed(score="72.5", title="排名第二的项目")
        high = self.reviewed(score="88", spread="25", flagged=True, title="排名第一的项目")
        self.login(self.city_admin)
        page = self.client.get(f"/programs/calls/{self.call.pk}/")
        content = page.content.decode()
        self.assertLess(content.index(high.title), content.index(low.title))
        self.assertContains(page, 'class="badge flag"', count=1)
        self.assertContains(page, f'name="propose-amount_{high.pk}"')
        self.assertContains(page, "列入拟立项名单")

    def test_the_city_admin_proposes_and_opens_the_publicity(self):
        application = self.reviewed()
        self.login(self.city_admin)
        response = self.client.post(
            f"/programs/calls/{self.call.pk}/propose/",
            {f"propose-pick_{application.pk}": "on", f"propose-amount_{application.pk}": "75"},
            follow=True,
        )
        self.assertContains(response, "已将1个项目列入拟立项名单")
        application.refresh_from_db()
        self.assertEqual((application.status, application.approved_funding), (S.PROPOSED, 75))
        response = self.client.post(f"/programs/calls/{self.call.pk}/publicity/", follow=True)
        publicity = self.call.publicities.get()
        self.assertContains(response, "公示已开始")
        self.assertContains(response, f"/programs/publicities/{publicity.pk}/")
        self.assertContains(response, f"{publicity.ends_on:%Y-%m-%d}（5 个工作日）")
        self.assertContains(response, "期满后才能正式立项")

    def test_a_refused_proposal_keeps_the_amounts_and_proposes_nothing(self):
        self.call.max_applications_per_org = 3
        self.call.budget_total = Decimal("150")
        self.call.save()
        first, second = self.reviewed(title="第一项"), self.reviewed(title="第二项")
        self.login(self.city_admin)
        response = self.client.post(
            f"/programs/calls/{self.call.pk}/propose/",
            {
                f"propose-pick_{first.pk}": "on",
                f"propose-amount_{first.pk}": "90",
                f"propose-pick_{second.pk}": "on",
                f"propose-amount_{second.pk}": "80",
            },
        )
        self.assertContains(response, "超过指南财政资金总额150")
        self.assertContains(response, 'value="90"')
        self.assertEqual(
            set(Application.objects.values_list("status", flat=True)), {S.REVIEWED}
        )  # all or nothing

    def test_an_enterprise_cannot_propose_or_finalise(self):
        application, publicity = self.in_publicity()
        self.login(self.enterprise)
        page = self.client.get(f"/programs/calls/{self.call.pk}/")
        self.assertNotContains(page, "拟立项名单")
        self.assertNotContains(page, "正式立项</button>")
        response = self.client.post(
            f"/programs/calls/{self.call.pk}/propose/",
            {f"propose-pick_{application.pk}": "on", f"propose-amount_{application.pk}": "80"},
        )
        self.assertContains(response, "指南不存在或您无权访问", status_code=403)
        with mock.patch.object(
            timezone, "localdate", return_value=publicity.ends_on + datetime.timedelta(days=1)
        ):
            response = self.client.post(f"/programs/publicities/{publicity.pk}/finalise/")
        self.assertEqual(response.status_code, 403)
        publicity.refresh_from_db()
        self.assertEqual(publicity.status, "open")

    def test_an_anonymous_visitor_reads_the_list_and_objects(self):
        application, publicity = self.in_publicity()
        page = self.client.get(f"/programs/publicities/{publicity.pk}/")
        for text in (application.title, application.number, "长春华锐光电科技有限公司", "王研究"):
            self.assertContains(page, text)
        self.assertContains(page, "80.00")
        self.assertContains(page, "提交异议")
        response = self.client.post(
            f"/programs/publicities/{publicity.pk}/",
            {
                "application": application.pk,
                "name": "张群众",
                "contact": "13800001111",
                "content": "该项目负责人同期承担两项同类项目，存在重复申报。",
            },
            follow=True,
        )
        self.assertContains(response, "感谢您的监督")
        objection = Objection.objects.get()
        self.assertEqual((objection.name, objection.submitted_by), ("张群众", None))
        self.assertNotContains(response, "13800001111")  # the contact is not published

    def test_an_objection_after_the_window_is_refused_in_chinese(self):
        application, publicity = self.in_publicity()
        later = publicity.ends_on + datetime.timedelta(days=1)
        with mock.patch.object(timezone, "localdate", return_value=later):
            page = self.client.get(f"/programs/publicities/{publicity.pk}/")
            self.assertContains(page, "公示期已结束，不再受理异议。")
            self.assertNotContains(page, "提交异议")
            response = self.client.post(
                f"/programs/publicities/{publicity.pk}/",
                {"application": application.pk, "name": "迟到者", "contact": "139",
                 "content": "迟到的异议内容，十个字以上。"},
            )  # fmt: skip
        self.assertContains(response, "公示期已结束，不再受理异议。")
        self.assertFalse(Objection.objects.exists())

    def test_the_manager_resolves_the_objection_finalises_and_the_notice_is_a_pdf(self):
        application, publicity = self.in_publicity()
        objection = decision.file_objection(
            None, publicity, application, name="张群众", contact="13800001111",
            content="该项目与已结题项目内容高度重复。",
        )  # fmt: skip
        self.login(self.city_admin)
        page = self.client.get(f"/programs/calls/{self.call.pk}/")
        self.assertContains(page, "该项目与已结题项目内容高度重复")
        self.assertContains(page, "13800001111")  # the bureau may call back
        response = self.client.post(
            f"/programs/publicities/{publicity.pk}/objections/{objection.pk}/resolve/",
            {"upheld": "0", f"objection-{objection.pk}-resolution": ""},
        )
        self.assertContains(response, "该字段是必填项")
        self.client.post(
            f"/programs/publicities/{publicity.pk}/objections/{objection.pk}/resolve/",
            {"upheld": "0", f"objection-{objection.pk}-resolution": "经核查，两项目内容不同。"},
        )
        objection.refresh_from_db()
        self.assertEqual(objection.status, ObjectionStatus.DISMISSED)
        response = self.client.post(f"/programs/publicities/{publicity.pk}/finalise/", follow=True)
        self.assertContains(response, "期满后才能正式立项")
        later = publicity.ends_on + datetime.timedelta(days=1)
        with mock.patch.object(timezone, "localdate", return_value=later):
            response = self.client.post(
                f"/programs/publicities/{publicity.pk}/finalise/", follow=True
            )
        self.assertContains(response, "已正式立项，立项通知已生成")
        application.refresh_from_db()
        self.assertEqual(application.status, S.FUNDED)

        notice = f"/programs/publicities/{publicity.pk}/notice/"
        for user in (self.city_admin, self.enterprise):
            self.login(user)
            response = self.client.get(notice)
            self.assertEqual(response["Content-Type"], "application/pdf")
            self.assertEqual(b"".join(response.streaming_content)[:4], b"%PDF")
        self.login(self.other_enterprise)
        self.assertContains(self.client.get(notice), "立项通知", status_code=403)
        self.client.logout()
        self.assertEqual(self.client.get(notice).status_code, 302)  # to the login page
        page = self.client.get(f"/programs/publicities/{publicity.pk}/")
        self.assertContains(page, "已正式立项")
        self.assertContains(page, application.title)

    def test_an_upheld_objection_takes_the_project_off_the_public_list(self):
        application, publicity = self.in_publicity()
        objection = decision.file_objection(
            None, publicity, application, name="王公众", contact="13800001111",
            content="申报材料中的专利不属于申报单位。",
        )  # fmt: skip
        self.login(self.city_admin)
        self.client.post(
            f"/programs/publicities/{publicity.pk}/objections/{objection.pk}/resolve/",
            {"upheld": "1", f"objection-{objection.pk}-resolution": "经核实，专利权属不符。"},
        )
        application.refresh_from_db()
        self.assertEqual(application.status, S.NOT_FUNDED)
        self.assertNotContains(
            self.client.get(f"/programs/publicities/{publicity.pk}/"), application.title
        )

    def test_the_public_notice_page_speaks_english_after_switching(self):
        _application, publicity = self.in_publicity()
        self.addCleanup(translation.activate, settings.LANGUAGE_CODE)
        self.client.post("/i18n/setlang/", {"language": "en", "next": "/"})
        page = self.client.get(f"/programs/publicities/{publicity.pk}/")
        self.assertContains(page, "Projects on notice (1)")
        self.assertContains(page, "Submit the objection")
        self.assertContains(page, "working days, public holidays excluded")

    def test_the_call_list_shows_the_publicities(self):
        _application, publicity = self.in_publicity()
        page = self.client.get("/programs/")
        self.assertContains(page, f"/programs/publicities/{publicity.pk}/")
        self.assertContains(page, "公示中")


class ContractAndReportPageTests(CycleTestCase):
    def contract_post(self, **overrides):
        start = timezone.localdate()
        data = {
            "contract-start_date": start.isoformat(),
            "contract-end_date": (start + datetime.timedelta(days=730)).isoformat(),
            "contract-funding": "80",
            "contract-report_every_months": "6",
            "contract-budget_equipment": "20",
            "contract-budget_business": "40",
            "contract-budget_labour": "20",
            "contract-milestones": "样机研制｜2027-06-30｜样机1台\n小批量试产|2028-03-31|",
            "contract-indicators": "输出功率｜≥100W\n申请发明专利｜3件",
        }
        data.update(overrides)
        return data

    def test_the_city_admin_issues_the_contract_and_the_organisation_admin_signs_it(self):
        application = self.funded()
        self.login(self.city_admin)
        self.assertContains(self.page(application), "下达任务书")
        url = f"/programs/applications/{application.pk}/contract/"
        response = self.client.post(url, self.contract_post(**{"contract-milestones": "样机"}))
        self.assertContains(response, "第1行应写成“节点｜日期｜成果”")
        self.assertContains(response, "申请发明专利｜3件")  # what was typed stays
        response = self.client.post(url, self.contract_post(), follow=True)
        self.assertContains(response, "任务书已下达")
        contract = Contract.objects.get(application=application)
        self.assertEqual(contract.milestones[1], {"title": "小批量试产", "due": "2028-03-31",
                                                  "deliverable": ""})  # fmt: skip
        self.assertEqual(contract.indicators[1], {"name": "申请发明专利", "target": "3件"})
        self.assertEqual(contract.budget, {"equipment": "20", "business": "40", "labour": "20"})

        self.login(self.preparer)  # a colleague, not the organisation's administrator
        page = self.page(application)
        self.assertContains(page, "等待承担单位管理员签署")
        self.assertNotContains(page, "签署任务书</button>")
        response = self.client.post(f"{url}sign/")
        self.assertContains(response, "只有项目承担单位的管理员可以签署任务书", status_code=403)
        self.login(self.enterprise)
        response = self.client.post(f"{url}sign/", follow=True)
        self.assertContains(response, "任务书已签署")
        self.assertContains(response, "进展报告")
        application.refresh_from_db()
        self.assertEqual(application.status, S.CONTRACTED)
        self.assertEqual(application.reports.count(), 3)

    def test_an_enterprise_cannot_issue_the_contract(self):
        application = self.funded()
        self.login(self.enterprise)
        self.assertNotContains(self.page(application), "下达任务书")
        response = self.client.post(
            f"/programs/applications/{application.pk}/contract/", self.contract_post()
        )
        self.assertContains(response, "您无权下达该项目的任务书", status_code=403)
        self.assertFalse(Contract.objects.exists())

    def test_overdue_reports_are_highlighted_and_handed_in_on_the_page(self):
        application = self.contracted()
        self.login(self.preparer)
        page = self.page(application)
        self.assertContains(page, 'class="overdue"', count=2)
        self.assertContains(page, "逾期 2 份")
        self.assertContains(page, "逾期未交进展报告期间，本单位不能申报新项目")
        report = application.reports.order_by("due_date").first()
        url = f"/programs/applications/{application.pk}/reports/{report.pk}/submit/"
        response = self.client.post(url, {f"report-{report.pk}-progress": "进展顺利"})
        self.assertContains(response, "请如实填写进展情况（不少于20个字）")
        self.client.post(
            url,
            {
                f"report-{report.pk}-progress": "完成封装结构设计和热仿真，样机加工过半，进度符合任务书要求。",
                f"report-{report.pk}-spent": "30",
            },
        )
        report.refresh_from_db()
        self.assertEqual((report.status, report.spent), (ReportStatus.SUBMITTED, 30))
        self.assertContains(self.page(application), 'class="overdue"', count=1)

    def test_a_district_admin_reviews_reports_in_their_district_only(self):
        outsider_org = self.other_enterprise_org  # 南关区, outside the high-tech zone
        outsider = MembershipFactory(
            user__username="qiming_preparer", organisation=outsider_org, role=Role.ENTERPRISE
        ).user
        outside = self.contracted(user=outsider, admin=self.other_enterprise)
        inside = self.contracted()
        progress = "完成封装结构设计和热仿真，样机加工过半，进度符合任务书要求。"
        for application, user in ((outside, outsider), (inside, self.preparer)):
            execution.submit_report(
                user, application.reports.order_by("due_date")[0], progress=progress
            )
        self.login(self.district_admin)
        report = outside.reports.order_by("due_date")[0]
        response = self.client.post(
            f"/programs/applications/{outside.pk}/reports/{report.pk}/review/",
            {"decision": "accept"},
        )
        self.assertEqual(response.status_code, 403)
        report.refresh_from_db()
        self.assertEqual(report.status, ReportStatus.SUBMITTED)

        report = inside.reports.order_by("due_date")[0]
        page = self.page(inside)
        self.assertContains(page, "退回补充")
        url = f"/programs/applications/{inside.pk}/reports/{report.pk}/review/"
        response = self.client.post(url, {"decision": "return"}, follow=True)
        self.assertContains(response, "退回补充须写明原因")
        self.client.post(url, {"decision": "return", f"review-{report.pk}-note": "请补充经费明细"})
        report.refresh_from_db()
        self.assertEqual(
            (report.status, report.review_note), (ReportStatus.RETURNED, "请补充经费明细")
        )
        self.login(self.preparer)
        self.assertContains(self.page(inside), "请补充经费明细")

    def test_the_applicant_cannot_review_their_own_report(self):
        application = self.contracted()
        report = application.reports.order_by("due_date")[0]
        execution.submit_report(
            self.preparer, report, progress="完成封装结构设计和热仿真，样机加工过半，进度正常。"
        )
        self.login(self.enterprise)
        self.assertNotContains(self.page(application), "审核第1期")
        response = self.client.post(
            f"/programs/applications/{application.pk}/reports/{report.pk}/review/",
            {"decision": "accept"},
        )
        self.assertContains(response, "您无权审核该报告", status_code=403)

    def test_an_overdue_report_blocks_starting_an_application_and_names_the_project(self):
        application = self.contracted()
        other_call = CallFactory(title="2027年度成果转化专项")
        self.login(self.enterprise)
        page = self.client.get(f"/programs/calls/{other_call.pk}/")
        self.assertContains(page, "逾期未交的进展报告")
        self.assertContains(page, application.title)
        self.assertContains(page, f"/programs/applications/{application.pk}/#reports")
        self.assertNotContains(page, "开始申报")

    def test_the_application_page_queries_do_not_grow_with_reports(self):
        application = self.contracted(months=6)
        for user in (self.preparer, self.city_admin):
            self.login(user)
            self.page(application)  # the first page after signing in stamps the session
            with CaptureQueriesContext(connection) as few:
                self.assertEqual(self.page(application).status_code, 200)
            ProgressReport.objects.bulk_create(
                ProgressReport(application=application, period=f"补充第{n}期",
                               due_date=timezone.localdate() - datetime.timedelta(days=n))
                for n in range(1, 7)
            )  # fmt: skip
            with CaptureQueriesContext(connection) as many:
                page = self.page(application)
            self.assertContains(page, "补充第6期")
            self.assertEqual(len(many), len(few), user.username)


class ChangeAndAcceptancePageTests(CycleTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.call.probability_cap = Decimal("0.8")
        cls.call.reviewers_per_application = 3
        cls.call.save()
        for i in range(4):
            org = OrganisationFactory(name=f"验收专家单位{i}")
            user = MembershipFactory(
                user__username=f"acceptor{i}", organisation=org, role=Role.EXPERT
            ).user
            ExpertFactory(owner=org, user=user, title=f"验收专家{i}", keywords="激光器")

    def test_inspections_are_recorded_by_the_supervisor_and_read_by_the_applicant(self):
        application = self.contracted()
        self.login(self.preparer)
        self.assertNotContains(self.page(application), "录入检查结果")
        response = self.client.post(
            f"/programs/applications/{application.pk}/inspections/",
            {"inspection-inspected_on": "2026-11-20", "inspection-conclusion": "normal",
             "inspection-findings": "自查正常"},
        )  # fmt: skip
        self.assertEqual(response.status_code, 403)
        self.login(self.district_admin)
        url = f"/programs/applications/{application.pk}/inspections/"
        data = {
            "inspection-inspected_on": timezone.localdate().isoformat(),
            "inspection-conclusion": InspectionConclusion.RECTIFY,
            "inspection-findings": "样机进度滞后两个月。",
        }
        self.assertContains(self.client.post(url, data), "限期整改须写明整改期限")
        rectify_by = timezone.localdate() + datetime.timedelta(days=60)
        self.client.post(url, {**data, "inspection-rectify_by": rectify_by.isoformat()})
        self.login(self.preparer)
        page = self.page(application)
        self.assertContains(page, "样机进度滞后两个月")
        self.assertContains(page, f"{rectify_by:%Y-%m-%d} 前整改")

    def test_a_change_is_requested_by_the_applicant_and_approved_by_the_bureau(self):
        application = self.contracted()
        url = f"/programs/applications/{application.pk}/changes/"
        self.login(self.preparer)
        self.assertContains(self.page(application), "申请变更")
        response = self.client.post(url, {"change-kind": "pi", "change-reason": "原负责人调离"})
        self.assertContains(response, "请填写变更后的内容")
        response = self.client.post(
            url,
            {"change-kind": "budget", "change-reason": "设备涨价", "change-budget_equipment": "50",
             "change-budget_business": "40"},
        )  # fmt: skip
        self.assertContains(response, "调整后的预算合计90万元，须等于资助经费80.00万元")
        new_end = application.contract.end_date + datetime.timedelta(days=90)
        self.client.post(
            url,
            {"change-kind": "schedule", "change-reason": "关键设备延期交付",
             "change-end_date": new_end.isoformat()},
        )  # fmt: skip
        change = ChangeRequest.objects.get()
        self.assertEqual(change.proposed, {"end_date": new_end.isoformat()})
        page = self.page(application)
        self.assertContains(page, f"结束日期延至{new_end.isoformat()}")
        self.assertNotContains(page, "提交变更申请")  # one pending change at a time

        decide = f"/programs/applications/{application.pk}/changes/{change.pk}/decide/"
        self.assertEqual(self.client.post(decide, {"decision": "approve"}).status_code, 403)
        self.login(self.city_admin)
        response = self.client.post(decide, {"decision": "approve"}, follow=True)
        self.assertContains(response, "已批准变更")
        change.refresh_from_db()
        self.assertEqual(change.status, ChangeStatus.APPROVED)
        self.assertEqual(Contract.objects.get().end_date, new_end)

    def test_acceptance_from_the_final_report_to_the_verdict_and_outcomes(self):
        application = self.contracted()
        self.login(self.preparer)
        response = self.client.post(
            f"/programs/applications/{application.pk}/acceptance/",
            {"final-summary": "项目完成全部研究内容，输出功率达到120W，申请发明专利3件。",
             "final-indicators_met": "输出功率｜120W"},
            follow=True,
        )  # fmt: skip
        self.assertContains(response, "验收申请已提交")
        self.assertContains(response, "≥100W")  # target and result side by side
        self.assertContains(response, "120W")

        panel = f"/programs/applications/{application.pk}/acceptance/panel/"
        self.login(self.enterprise)
        self.assertNotContains(self.page(application), "组建验收专家组")
        self.assertEqual(self.client.post(panel).status_code, 403)
        self.login(self.city_admin)
        self.assertContains(self.page(application), "组建验收专家组")
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(panel)
        self.assertRedirects(
            response, f"/programs/applications/{application.pk}/#acceptance",
            fetch_redirect_response=False,
        )  # fmt: skip
        job = Job.objects.get(kind="programs.panel")
        self.assertEqual(job.params["stage"], ReviewStage.ACCEPTANCE)
        self.assertEqual(job.params["only"], [application.pk])
        members = application.assignments.filter(
            stage=ReviewStage.ACCEPTANCE, status=AssignmentStatus.INVITED
        )
        self.assertEqual(members.count(), 3)
        page = self.page(application)
        self.assertContains(page, "验收专家组")
        self.assertContains(page, members[0].expert.title)
        self.assertContains(page, "验收专家全部提交评分后")

        for assignment in members:
            review.respond(assignment.expert.user, assignment, accept=True)
            review.submit_scores(
                assignment.expert.user, assignment, SHEET, "完成了任务书约定的指标。"
            )
        verdict = f"/programs/applications/{application.pk}/verdict/"
        response = self.client.post(verdict, {"verdict-verdict": "concluded"})
        self.assertContains(response, "结题或不通过须写明理由")
        self.login(self.enterprise)
        self.assertEqual(self.client.post(verdict, {"verdict-verdict": "passed"}).status_code, 403)
        self.login(self.city_admin)
        self.client.post(verdict, {"verdict-verdict": "passed"})
        application.refresh_from_db()
        self.assertEqual(application.status, S.CLOSED)
        self.assertNotContains(self.page(application), "填报成果")

        self.login(self.preparer)
        page = self.page(application)
        self.assertContains(page, "通过验收")
        self.assertContains(page, "80.00")
        response = self.client.post(
            f"/programs/applications/{application.pk}/outcomes/",
            {"outcome-kind": "revenue", "outcome-title": "激光器模块销售", "outcome-year": "2027"},
        )
        self.assertContains(response, "新增销售收入须填写金额")
        self.client.post(
            f"/programs/applications/{application.pk}/outcomes/",
            {"outcome-kind": "revenue", "outcome-title": "激光器模块销售", "outcome-year": "2027",
             "outcome-amount": "560"},
        )  # fmt: skip
        self.assertContains(self.page(application), "激光器模块销售")

    def test_the_expert_page_says_acceptance_and_shows_the_final_report(self):
        application = self.contracted()
        execution.submit_final_report(
            self.preparer, application, summary="项目完成全部研究内容，输出功率达到120W。",
            indicators_met=[{"name": "输出功率", "result": "120W"}],
        )  # fmt: skip
        review.build_panel(
            self.city_admin, self.call, stage=ReviewStage.ACCEPTANCE, only=[application.pk]
        )
        assignment = application.assignments.filter(
            stage=ReviewStage.ACCEPTANCE, status=AssignmentStatus.INVITED
        ).first()
        expert = assignment.expert.user
        self.login(expert)
        self.assertContains(self.client.get("/programs/reviews/"), "验收评审")
        page = self.client.get(f"/programs/reviews/{assignment.pk}/")
        self.assertContains(page, "验收评审邀请")
        self.assertNotContains(page, "输出功率达到120W")  # not before accepting
        self.client.post(f"/programs/reviews/{assignment.pk}/respond/", {"answer": "accept"})
        page = self.client.get(f"/programs/reviews/{assignment.pk}/")
        self.assertContains(page, "验收总结报告")
        self.assertContains(page, "输出功率达到120W")
        self.assertContains(page, "≥100W")
        self.assertContains(page, "验收评分表")


class MissingPublicityTests(ProgramTestCase):
    def test_a_publicity_that_does_not_exist_is_not_found_on_the_page_and_the_api(self):
        self.assertEqual(self.client.get("/programs/publicities/999/").status_code, 404)
        response = self.client.get("/api/publicities/999/")
        self.assertEqual(response.status_code, 404)
