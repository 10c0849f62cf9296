import datetime
from decimal import Decimal

from django.conf import settings
from django.utils import timezone, translation

from core.choices import OrgType, Role
from core.factories import MembershipFactory, OrganisationFactory
from core.models import Job
from programs.choices import ApplicationStatus, AssignmentStatus, CallKind, CallStatus
from programs.factories import CallFactory, pdf_upload
from programs.models import Application, Call, Recusal
from programs.services import applications as service
from programs.services import review
from resources.factories import DemandFactory, ExpertFactory

from .base import BUDGET, ProgramTestCase

S = ApplicationStatus
A = AssignmentStatus


def application_post(call, topic, **overrides):
    data = {
        "title": "车规级激光雷达芯片研制",
        "topic": topic.pk,
        "summary": "研制车规级激光雷达接收芯片，探测距离不低于200米。",
        "keywords": "激光雷达，芯片",
        "pi_name": "王研究",
        "team": "王研究｜长春华锐光电科技有限公司｜总体设计\n李工程｜吉林大学｜芯片设计",
        "co_organisations": "吉林大学",
        "requested_funding": "80",
        "self_funding": "40",
        "budget-equipment_amount": "30",
        "budget-equipment_note": "测试台两套",
        "budget-business_amount": "50",
        "budget-labour_amount": "20",
        "budget-indirect_amount": "20",
    }
    data.update(overrides)
    return data


class CallPageTests(ProgramTestCase):
    def test_the_public_sees_published_calls_with_their_phase_but_not_drafts(self):
        CallFactory(title="尚未发布的指南", status=CallStatus.DRAFT, published_at=None)
        CallFactory(
            title="明年开始的指南",
            opens_at=timezone.now() + datetime.timedelta(days=5),
            closes_at=timezone.now() + datetime.timedelta(days=30),
        )
        response = self.client.get("/programs/")
        self.assertContains(response, self.call.title)
        self.assertContains(response, "申报中")
        self.assertContains(response, "未开始")
        self.assertNotContains(response, "尚未发布的指南")
        self.assertNotContains(response, "新建指南")

    def test_the_city_admin_also_sees_drafts_and_may_create_a_call(self):
        CallFactory(title="尚未发布的指南", status=CallStatus.DRAFT, published_at=None)
        self.login(self.city_admin)
        response = self.client.get("/programs/")
        self.assertContains(response, "尚未发布的指南")
        self.assertContains(response, "新建指南")

    def test_filters_by_year_and_kind_and_explains_an_empty_result(self):
        CallFactory(title="揭榜挂帅专项", kind=CallKind.CHALLENGE, year=2025)
        response = self.client.get("/programs/", {"kind": "challenge"})
        self.assertContains(response, "揭榜挂帅专项")
        self.assertNotContains(response, self.call.title)
        response = self.client.get("/programs/", {"year": "2025", "kind": "general"})
        self.assertContains(response, "没有符合条件的申报指南")

    def test_call_list_query_count_does_not_grow_with_rows(self):
        # distinct years, count, one page of rows, recent 公示: however many calls there are
        with self.assertNumQueries(4):
            self.client.get("/programs/")
        CallFactory.create_batch(9)
        with self.assertNumQueries(4):
            response = self.client.get("/programs/")
        self.assertEqual(len(response.context["page"].object_list), 10)

    def test_an_eligible_applicant_gets_the_start_button(self):
        self.login(self.enterprise)
        response = self.client.get(f"/programs/calls/{self.call.pk}/")
        self.assertContains(response, "开始申报")
        self.assertContains(response, self.topic.title)

    def test_an_ineligible_applicant_sees_every_reason(self):
        call = CallFactory(eligible_org_types=[OrgType.UNIVERSITY])
        call.eligible_regions.set([self.nanguan])
        self.login(self.enterprise)
        response = self.client.get(f"/programs/calls/{call.pk}/")
        self.assertContains(response, "本指南不接受“企业”类单位申报")
        self.assertContains(response, "本指南不接受所在区域的单位申报")
        self.assertNotContains(response, "开始申报")

    def test_a_draft_call_is_refused_to_the_public(self):
        draft = CallFactory(status=CallStatus.DRAFT, published_at=None)
        response = self.client.get(f"/programs/calls/{draft.pk}/")
        self.assertContains(response, "指南不存在或您无权访问", status_code=403)

    def test_the_city_admin_creates_a_call_through_the_form(self):
        self.login(self.city_admin)
        data = {
            "title": "2027年度长春市科技成果转化专项",
            "program": "长春市科技发展计划·成果转化",
            "year": "2027",
            "kind": "general",
            "region": "",
            "description": "支持高校院所成果在长春落地转化。",
            "budget_total": "2000",
            "max_funding": "80",
            "indirect_cap_percent": "30",
            "eligible_org_types": ["enterprise", "university"],
            "max_applications_per_org": "2",
            "opens_at": "2027-03-01T09:00",
            "closes_at": "2027-04-01T17:00",
            "fix_days": "5",
            "reviewers_per_application": "5",
            "max_reviews_per_expert": "10",
            "recusal_years": "3",
            "randomised": "on",
            "probability_cap": "0.5",
            "alternates": "2",
            "criteria": "innovation｜创新性｜40\nbenefit｜转化效益｜60",
            "spread_threshold": "20",
            "publicity_working_days": "5",
        }
        bad = self.client.post("/programs/calls/new/", {**data, "criteria": "a｜创新性｜40"})
        self.assertContains(bad, "评分指标的分值合计必须为100分")
        response = self.client.post("/programs/calls/new/", data)
        call = Call.objects.get(title="2027年度长春市科技成果转化专项")
        self.assertRedirects(response, f"/programs/calls/{call.pk}/")
        self.assertEqual(call.status, CallStatus.DRAFT)
        self.assertEqual(call.created_by, self.city_admin)
        self.assertEqual(call.eligible_org_types, ["enterprise", "university"])
        self.assertEqual(call.criteria[1], {"key": "benefit", "name": "转化效益", "points": 60})

    def test_an_enterprise_may_not_open_the_call_form(self):
        self.login(self.enterprise)
        self.assertContains(
            self.client.get("/programs/calls/new/"), "只有科技管理部门", status_code=403
        )
        response = self.client.get(f"/programs/calls/{self.call.pk}/edit/")
        self.assertEqual(response.status_code, 403)

    def test_a_published_call_with_applications_keeps_its_criteria_but_takes_other_edits(self):
        # Call.created_by is null=True without blank=True: the service's full_clean needs it.
        Call.objects.filter(pk=self.call.pk).update(created_by=self.city_admin)
        self.submitted()
        self.login(self.city_admin)
        form = self.client.get(f"/programs/calls/{self.call.pk}/edit/").context["form"]
        data = {}
        for name, field in form.fields.items():
            value = form[name].value()
            if name in ("opens_at", "closes_at"):
                value = value.strftime("%Y-%m-%dT%H:%M")
            elif name == "criteria":
                value = field.prepare_value(value)
            elif value is None:
                value = ""
            data[name] = value
        data["randomised"] = "on" if data["randomised"] else ""
        data["description"] = "补充：优先支持产业链关键环节。"
        response = self.client.post(f"/programs/calls/{self.call.pk}/edit/", data)
        self.assertRedirects(response, f"/programs/calls/{self.call.pk}/")
        self.call.refresh_from_db()
        self.assertEqual(self.call.description, "补充：优先支持产业链关键环节。")
        data["criteria"] = "innovation｜创新性｜50\nbenefit｜效益｜50"
        response = self.client.post(f"/programs/calls/{self.call.pk}/edit/", data)
        self.assertContains(response, "已有单位申报，不能再修改")

    def test_a_challenge_topic_needs_a_demand_and_is_listed_with_its_reward(self):
        call = CallFactory(kind=CallKind.CHALLENGE, status=CallStatus.DRAFT, published_at=None)
        demand = DemandFactory(
            owner=self.enterprise_org, title="车载激光雷达降本", challenge_ok=True
        )
        self.login(self.city_admin)
        self.client.post(f"/programs/calls/{call.pk}/topics/", {"code": "JB01", "title": "x"})
        self.assertFalse(call.topics.exists())
        self.client.post(
            f"/programs/calls/{call.pk}/topics/",
            {
                "code": "JB01",
                "title": "低成本车载激光雷达",
                "description": "成本降低50%。",
                "demand": demand.pk,
                "reward": "300",
            },
        )
        self.client.post(f"/programs/calls/{call.pk}/publish/")
        call.refresh_from_db()
        self.assertEqual(call.status, CallStatus.PUBLISHED)
        self.client.logout()
        response = self.client.get(f"/programs/calls/{call.pk}/")
        self.assertContains(response, "低成本车载激光雷达")
        self.assertContains(response, f'href="/resources/demands/{demand.pk}/"')
        self.assertContains(response, "300")

    def test_the_manager_sees_counts_and_starts_the_panel_job(self):
        application = self.confirmed()
        service.accept_application(self.city_admin, application)
        self.login(self.city_admin)
        response = self.client.get(f"/programs/calls/{self.call.pk}/")
        self.assertContains(
            response, f"/programs/applications/?call={self.call.pk}&amp;status=accepted"
        )
        response = self.client.post(f"/programs/calls/{self.call.pk}/panel/")
        job = Job.objects.get(kind="programs.panel")
        self.assertRedirects(response, f"/jobs/{job.pk}/", fetch_redirect_response=False)
        self.assertEqual(job.params, {"call": self.call.pk, "actor": self.city_admin.pk})

    def test_a_district_admin_may_not_start_the_panel_of_a_city_call(self):
        self.login(self.district_admin)
        response = self.client.post(f"/programs/calls/{self.call.pk}/panel/")
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Job.objects.exists())


class ApplicationPageTests(ProgramTestCase):
    def test_an_applicant_fills_in_the_form_with_budget_team_and_partners(self):
        self.login(self.preparer)
        url = f"/programs/applications/new/?call={self.call.pk}"
        self.assertContains(self.client.get(url), "预算表")
        response = self.client.post(url, application_post(self.call, self.topic))
        application = Application.objects.get(title="车规级激光雷达芯片研制")
        self.assertRedirects(response, f"/programs/applications/{application.pk}/")
        self.assertEqual(application.organisation, self.enterprise_org)
        self.assertEqual(list(application.co_organisations.all()), [self.university])
        self.assertEqual(
            application.team[1], {"name": "李工程", "organisation": "吉林大学", "role": "芯片设计"}
        )
        lines = {line.category: (line.amount, line.note) for line in application.budget_lines.all()}
        self.assertEqual(lines["equipment"], (Decimal("30"), "测试台两套"))
        page = self.client.get(f"/programs/applications/{application.pk}/")
        self.assertContains(page, "缺少附件“申报书正文”")
        self.assertContains(page, "测试台两套")

    def test_an_unknown_partner_is_named_in_the_error(self):
        self.login(self.preparer)
        response = self.client.post(
            f"/programs/applications/new/?call={self.call.pk}",
            application_post(self.call, self.topic, co_organisations="不存在的研究院"),
        )
        self.assertContains(response, "单位名录中没有“不存在的研究院”")
        self.assertFalse(Application.objects.exists())

    def test_an_expert_may_not_start_an_application(self):
        self.login(self.expert)
        response = self.client.get(f"/programs/applications/new/?call={self.call.pk}")
        self.assertContains(response, "只有企业或高校院所用户可以申报项目", status_code=403)

    def test_the_budget_mismatch_message_appears_on_submit(self):
        application = self.ready_application(budget={**BUDGET, "business": "10"})
        self.login(self.preparer)
        page = self.client.get(f"/programs/applications/{application.pk}/")
        self.assertContains(page, "预算科目合计80")
        response = self.client.post(f"/programs/applications/{application.pk}/submit/", follow=True)
        self.assertContains(
            response, "预算科目合计80.00万元，与申请财政资金和自筹资金之和120.00万元不一致"
        )
        application.refresh_from_db()
        self.assertEqual(application.status, S.DRAFT)

    def test_another_enterprise_cannot_open_the_application_page(self):
        application = self.ready_application()
        attachment = application.attachments.get()
        for user in (self.other_enterprise, self.expert):
            self.login(user)
            response = self.client.get(f"/programs/applications/{application.pk}/")
            self.assertContains(response, "申报书不存在或您无权访问", status_code=403)
            self.assertNotContains(response, application.title, status_code=403)
            download = f"/programs/applications/{application.pk}/attachments/{attachment.pk}/"
            self.assertEqual(self.client.get(download).status_code, 403)
        self.login(self.preparer)
        download = self.client.get(
            f"/programs/applications/{application.pk}/attachments/{attachment.pk}/"
        )
        self.assertEqual(b"".join(download.streaming_content)[:4], b"%PDF")

    def test_attachments_are_added_and_removed_on_the_page(self):
        application = self.ready_application()
        self.login(self.preparer)
        self.client.post(
            f"/programs/applications/{application.pk}/attachments/",
            {"kind": "budget", "file": pdf_upload("预算说明.pdf")},
        )
        added = application.attachments.get(kind="budget")
        page = self.client.get(f"/programs/applications/{application.pk}/")
        self.assertContains(page, "预算说明.pdf")
        self.client.post(f"/programs/applications/{application.pk}/attachments/{added.pk}/delete/")
        self.assertFalse(application.attachments.filter(kind="budget").exists())
        history = self.client.get(f"/programs/applications/{application.pk}/")
        self.assertContains(history, "预算说明：预算说明.pdf")

    def test_the_org_admin_confirms_and_the_city_admin_accepts_through_the_pages(self):
        application = self.submitted()
        self.login(self.preparer)
        self.assertNotContains(
            self.client.get(f"/programs/applications/{application.pk}/"), "单位审核通过"
        )
        self.login(self.enterprise)
        page = self.client.get(f"/programs/applications/{application.pk}/")
        self.assertContains(page, "退回填报人")
        self.client.post(f"/programs/applications/{application.pk}/confirm/")
        application.refresh_from_db()
        self.assertEqual(application.status, S.CONFIRMED)
        self.login(self.city_admin)
        page = self.client.get(f"/programs/applications/{application.pk}/")
        self.assertContains(page, "形式审查通过")
        self.assertContains(page, "不予受理")
        response = self.client.post(f"/programs/applications/{application.pk}/accept/", follow=True)
        self.assertContains(response, "形式审查通过。")
        application.refresh_from_db()
        self.assertEqual(application.status, S.ACCEPTED)
        self.assertContains(response, "单位审核通过")  # in the transitions

    def test_a_return_needs_a_reason_and_the_applicant_sees_it(self):
        application = self.confirmed()
        self.login(self.city_admin)
        response = self.client.post(
            f"/programs/applications/{application.pk}/return/", {"reason": " "}, follow=True
        )
        self.assertContains(response, "请填写退回修改的原因")
        self.client.post(
            f"/programs/applications/{application.pk}/return/", {"reason": "缺少单位承诺书"}
        )
        self.login(self.preparer)
        page = self.client.get(f"/programs/applications/{application.pk}/")
        self.assertContains(page, "退回修改原因：缺少单位承诺书")
        self.assertContains(page, "提交单位审核")

    def test_a_district_admin_cannot_accept_an_application_outside_their_district(self):
        outsider = MembershipFactory(
            user__username="qiming_preparer", organisation=self.other_enterprise_org,
            role=Role.ENTERPRISE,
        ).user  # fmt: skip
        application = self.confirmed(user=outsider, admin=self.other_enterprise)
        self.login(self.district_admin)
        response = self.client.post(f"/programs/applications/{application.pk}/accept/", follow=True)
        self.assertContains(response, "您无权审查该申报书（不属于您管理的区域）。")
        application.refresh_from_db()
        self.assertEqual(application.status, S.CONFIRMED)

    def test_a_district_admin_checks_applications_of_their_district(self):
        application = self.confirmed()
        self.login(self.district_admin)
        response = self.client.post(
            f"/programs/applications/{application.pk}/reject/",
            {"reason": "申报单位不符合条件"},
            follow=True,
        )
        self.assertContains(response, "不予受理原因：申报单位不符合条件")

    def test_a_submitted_application_can_no_longer_be_edited(self):
        application = self.submitted()
        self.login(self.preparer)
        response = self.client.get(f"/programs/applications/{application.pk}/edit/", follow=True)
        self.assertContains(response, "申报书当前状态为“待单位审核”，不能修改。")

    def test_edits_show_in_the_change_history_and_transitions(self):
        application = self.ready_application()
        self.login(self.preparer)
        self.client.post(
            f"/programs/applications/{application.pk}/edit/",
            application_post(self.call, self.topic, title="新的项目名称"),
        )
        page = self.client.get(f"/programs/applications/{application.pk}/")
        self.assertContains(page, "修改记录")
        self.assertContains(page, "新的项目名称")
        self.assertContains(page, "创建申报书")

    def test_applicants_see_their_organisation_and_admins_do_not_see_drafts(self):
        draft = self.ready_application(title="草稿中的项目")
        submitted = self.submitted(title="已提交的项目")
        self.login(self.enterprise)
        response = self.client.get("/programs/applications/")
        self.assertContains(response, draft.title)
        self.assertContains(response, submitted.title)
        self.login(self.other_enterprise)
        self.assertContains(self.client.get("/programs/applications/"), "还没有申报书")
        self.login(self.city_admin)
        response = self.client.get("/programs/applications/", {"status": "submitted"})
        self.assertContains(response, submitted.title)
        self.assertNotContains(self.client.get("/programs/applications/"), draft.title)

    def test_application_list_query_count_does_not_grow_with_rows(self):
        self.ready_application()
        self.login(self.enterprise)
        self.client.get("/programs/applications/")  # the first page stamps the session
        # session, user, membership, review tasks, unread count, call choices, count, rows
        with self.assertNumQueries(8):
            self.client.get("/programs/applications/")
        call = CallFactory(max_applications_per_org=20)
        for i in range(9):
            service.create_application(self.preparer, call, title=f"项目{i}")
        with self.assertNumQueries(8):
            response = self.client.get("/programs/applications/")
        self.assertEqual(len(response.context["page"].object_list), 10)


class ReviewPageTests(ProgramTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.call.reviewers_per_application = 3
        cls.call.alternates = 1
        cls.call.probability_cap = Decimal("0.8")
        cls.call.save()
        cls.reviewers = []
        for i in range(5):
            org = OrganisationFactory(name=f"评审专家单位{i}")
            user = MembershipFactory(
                user__username=f"reviewer{i}", organisation=org, role=Role.EXPERT
            ).user
            ExpertFactory(owner=org, user=user, title=f"评审专家{i}", keywords="激光器，封装")
            cls.reviewers.append(user)
        cls.colleague = ExpertFactory(owner=cls.enterprise_org, title="同单位专家")

    def setUp(self):
        self.application = self.confirmed(
            team=[{"name": "李工程", "organisation": "吉林大学", "role": "芯片设计"}]
        )
        service.accept_application(self.city_admin, self.application)
        review.build_panel(self.city_admin, self.call)

    def invited(self):
        assignment = self.application.assignments.filter(status=A.INVITED).first()
        return assignment, assignment.expert.user

    def test_an_invited_expert_sees_who_applies_but_not_the_whole_application(self):
        assignment, user = self.invited()
        self.login(user)
        self.assertContains(self.client.get("/programs/reviews/"), self.application.title)
        page = self.client.get(f"/programs/reviews/{assignment.pk}/")
        self.assertContains(page, "长春华锐光电科技有限公司")
        self.assertContains(page, "李工程（吉林大学）")
        self.assertContains(page, "存在利益冲突需回避")
        self.assertNotContains(page, "预算表")
        self.assertNotContains(page, "评分表")

    def test_the_expert_accepts_scores_and_then_sees_the_others_anonymised(self):
        assignment, user = self.invited()
        self.login(user)
        self.client.post(f"/programs/reviews/{assignment.pk}/respond/", {"answer": "accept"})
        page = self.client.get(f"/programs/reviews/{assignment.pk}/")
        self.assertContains(page, "预算表")
        self.assertContains(page, "评分表")
        self.assertContains(page, "创新性与先进性")
        sheet = {"score_innovation": "25", "score_feasibility": "20", "score_team": "12",
                 "score_benefit": "15", "score_budget": "18"}  # fmt: skip
        response = self.client.post(
            f"/programs/reviews/{assignment.pk}/", {**sheet, "comment": "方案可行。"}
        )
        self.assertContains(response, "“经费预算合理性”的得分须在0到10分之间")
        self.assertContains(response, "评审意见不少于10个字")
        sheet["score_budget"] = "8"
        response = self.client.post(
            f"/programs/reviews/{assignment.pk}/",
            {**sheet, "comment": "技术路线清晰，团队基础扎实，预算基本合理。"},
            follow=True,
        )
        self.assertContains(response, "评分已提交")
        self.assertContains(response, "我的评分")
        self.assertContains(response, "80.00")
        self.assertContains(response, "其他专家尚未提交评分")

    def test_an_expert_cannot_open_the_review_page_of_an_application_they_are_recused_from(self):
        assignment, user = self.invited()
        self.login(user)
        response = self.client.post(
            f"/programs/reviews/{assignment.pk}/respond/",
            {"answer": "decline", "reason": "曾指导项目负责人", "conflict": "on"},
        )
        self.assertRedirects(response, "/programs/reviews/")
        self.assertTrue(Recusal.objects.filter(expert=assignment.expert).exists())
        response = self.client.get(f"/programs/reviews/{assignment.pk}/")
        self.assertContains(response, "您已回避该项目的评审", status_code=403)
        self.assertNotContains(response, self.application.title, status_code=403)

    def test_a_decline_needs_a_reason(self):
        assignment, user = self.invited()
        self.login(user)
        response = self.client.post(
            f"/programs/reviews/{assignment.pk}/respond/", {"answer": "decline"}, follow=True
        )
        self.assertContains(response, "请说明谢绝或回避的原因")

    def test_another_expert_cannot_open_someone_elses_task(self):
        assignment, _user = self.invited()
        self.login(self.expert)
        response = self.client.get(f"/programs/reviews/{assignment.pk}/")
        self.assertContains(response, "评审任务不存在或您无权访问", status_code=403)

    def test_the_city_admin_sees_the_panel_reasons_and_recusals_the_applicant_does_not(self):
        self.login(self.city_admin)
        page = self.client.get(f"/programs/applications/{self.application.pk}/")
        self.assertContains(page, "遴选依据")
        self.assertContains(page, "匹配度")
        self.assertContains(page, "同单位专家")
        self.assertContains(page, "与申报单位同单位")
        self.login(self.preparer)
        page = self.client.get(f"/programs/applications/{self.application.pk}/")
        self.assertNotContains(page, "遴选依据")
        self.assertNotContains(page, "评审专家0")

    def test_the_review_menu_appears_for_experts_with_tasks_only(self):
        _assignment, user = self.invited()
        self.login(user)
        self.assertContains(self.client.get("/programs/"), 'href="/programs/reviews/"')
        self.login(self.enterprise)
        self.assertNotContains(self.client.get("/programs/"), 'href="/programs/reviews/"')


class EnglishPageTests(ProgramTestCase):
    def test_the_program_pages_speak_english_after_switching(self):
        # The language middleware leaves the last request's language active in this thread.
        self.addCleanup(translation.activate, settings.LANGUAGE_CODE)
        self.client.post("/i18n/setlang/", {"language": "en", "next": "/"})
        response = self.client.get(f"/programs/calls/{self.call.pk}/")
        self.assertContains(response, "Eligibility and dates")
        self.assertContains(response, "30% of direct costs excluding equipment")
        self.assertContains(self.client.get("/programs/"), "Science programmes")


class CallQuestionPageTests(ProgramTestCase):
    def test_the_calls_own_questions_are_asked_on_the_form_and_shown_on_the_page(self):
        self.call.form_fields = [
            {"key": "staff", "label": "研发人员数", "type": "number", "required": True},
            {"key": "stage", "label": "技术阶段", "type": "choice", "required": False,
             "choices": ["实验室", "中试", "产业化"]},
        ]  # fmt: skip
        self.call.save()
        application = self.ready_application()
        self.login(self.preparer)
        url = f"/programs/applications/{application.pk}/edit/"
        form = self.client.get(url).content.decode()
        self.assertIn("研发人员数", form)
        self.assertIn("产业化", form)
        data = {
            "title": application.title, "topic": self.topic.pk, "summary": application.summary,
            "keywords": application.keywords, "pi_name": "王研究", "requested_funding": "80",
            "self_funding": "40", "answer_staff": "12", "answer_stage": "中试",
            **{f"{c}_amount": v for c, v in BUDGET.items()},
        }  # fmt: skip
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 302, response.content.decode()[:2000])
        application.refresh_from_db()
        self.assertEqual(application.answers, {"staff": "12", "stage": "中试"})
        page = self.client.get(f"/programs/applications/{application.pk}/").content.decode()
        self.assertIn("技术阶段", page)
        self.assertIn("中试", page)

    def test_questions_are_written_as_lines_on_the_call_form(self):
        from django import forms as django_forms

        from programs.forms.fields import QuestionsField

        field = QuestionsField(required=False)
        self.assertEqual(
            field.clean("stage｜技术阶段｜选项｜是｜实验室、中试"),
            [{"key": "stage", "label": "技术阶段", "type": "choice", "required": True,
              "choices": ["实验室", "中试"]}],
        )  # fmt: skip
        with self.assertRaisesMessage(
            django_forms.ValidationError, "第1行的类型应为文本、数字或选项"
        ):
            field.clean("stage｜技术阶段｜日期")
        with self.assertRaisesMessage(django_forms.ValidationError, "须列出可选项"):
            field.clean("stage｜技术阶段｜选项")
