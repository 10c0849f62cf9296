"""A science-program application in a real Chromium: filled in and submitted by a preparer,
confirmed by the organisation's administrator, accepted in the formal check, then scored."""

from decimal import Decimal

import pytest
from django.test import override_settings

from core.choices import OrgType, Role
from core.factories import MembershipFactory, OrganisationFactory
from core.models import Membership, Organisation, User
from kechuang.browser import SHOTS, login, requires_chromium
from programs.choices import ApplicationStatus, AssignmentStatus
from programs.factories import PDF_BYTES, CallFactory, TopicFactory
from programs.models import Application
from programs.services import review
from resources.factories import ExpertFactory

pytestmark = [pytest.mark.browser, requires_chromium]

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def shoot(page, name):
    """Save the page at desktop and phone width."""
    page.screenshot(path=SHOTS / f"{name}-desktop.png", full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=SHOTS / f"{name}-phone.png", full_page=True)
    page.set_viewport_size(DESKTOP)


def logout(page):
    page.click("header form button.link >> text=退出")


def test_an_application_goes_from_the_preparer_to_the_formal_check_and_review(
    live_server, browser, personas, tmp_path
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    org = Organisation.objects.get(name="长春华锐光电科技有限公司")
    Membership.objects.filter(user__username="enterprise").update(is_org_admin=True)
    MembershipFactory(
        user__username="preparer", user__display_name="吴填报", organisation=org,
        role=Role.ENTERPRISE,
    )  # fmt: skip
    OrganisationFactory(name="吉林大学", type=OrgType.UNIVERSITY)
    call = CallFactory(
        title="2026年度长春市重点研发计划·光电信息专项", alternates=0,
        probability_cap=Decimal("0.8"),
    )  # fmt: skip
    topic = TopicFactory(call=call, code="GD01", title="高功率半导体激光器关键技术")
    for i in range(4):
        reviewer_org = OrganisationFactory(name=f"长春光学精密机械研究所{i}")
        user = MembershipFactory(
            user__username=f"reviewer{i}", user__display_name=f"评审专家{i}",
            organisation=reviewer_org, role=Role.EXPERT,
        ).user  # fmt: skip
        ExpertFactory(owner=reviewer_org, user=user, title=f"评审专家{i}")
    proposal = tmp_path / "申报书正文.pdf"
    proposal.write_bytes(PDF_BYTES)
    base = live_server.url

    with override_settings(MEDIA_ROOT=tmp_path / "media", INDEX_DIR=tmp_path / "no-index"):
        context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
        page = context.new_page()

        # The preparer fills in the application and its budget, with a live total.
        login(page, base, "preparer")
        page.goto(f"{base}/programs/calls/{call.pk}/")
        shoot(page, "programs-call")
        page.click("a.button >> text=开始申报")
        page.fill("#id_title", "高功率半导体激光器封装与散热技术研究")
        page.select_option("#id_topic", str(topic.pk))
        page.fill("#id_summary", "研究高功率半导体激光器封装结构与散热，输出功率不低于100W。")
        page.fill("#id_keywords", "半导体激光器，封装，散热")
        page.fill("#id_pi_name", "王研究")
        page.fill(
            "#id_team", "王研究｜长春华锐光电科技有限公司｜总体设计\n李工程｜吉林大学｜热仿真"
        )
        page.fill("#id_co_organisations", "吉林大学")
        page.fill("#id_requested_funding", "80")
        page.fill("#id_self_funding", "40")
        for category, amount in (("equipment", "30"), ("business", "50"), ("labour", "20")):
            page.fill(f"#id_budget-{category}_amount", amount)
        assert "不一致" in page.inner_text("#budget-state")
        page.fill("#id_budget-indirect_amount", "20")
        page.fill("#id_budget-equipment_note", "激光器老化测试台两套")
        assert page.inner_text("#budget-total") == "120.00"
        assert "一致" in page.inner_text("#budget-state")
        shoot(page, "programs-application-form")
        page.click("form.form button >> text=保存")
        assert "申报书已保存" in page.inner_text("main")
        assert "缺少附件“申报书正文”" in page.inner_text("#checklist")

        page.select_option("#id_kind", "proposal")
        page.set_input_files("#id_file", str(proposal))
        page.click("#attachments button >> text=上传")
        assert "已上传" in page.inner_text("main")
        assert "可以提交单位审核" in page.inner_text("#checklist")
        shoot(page, "programs-applicant")
        page.click("button >> text=提交单位审核")
        assert "已提交单位审核" in page.inner_text("main")
        logout(page)

        # The organisation's administrator confirms it.
        application = Application.objects.get()
        login(page, base, "enterprise")
        page.goto(f"{base}/programs/applications/{application.pk}/")
        page.click("button >> text=单位审核通过")
        assert "单位审核通过，申报书已报送形式审查" in page.inner_text("main")
        logout(page)

        # The city admin accepts it in the formal check.
        login(page, base, "city_admin")
        page.goto(f"{base}/programs/calls/new/")
        shoot(page, "programs-call-form")
        page.goto(f"{base}/programs/")
        shoot(page, "programs-calls")
        page.goto(f"{base}/programs/applications/")
        shoot(page, "programs-applications")
        page.click(f"a >> text={application.title}")
        page.click("#check button >> text=形式审查通过")
        assert "形式审查通过。" in page.inner_text("main")
        application.refresh_from_db()
        assert application.status == ApplicationStatus.ACCEPTED
        logout(page)

        # The panel is built (as the job would) and one expert accepts, then scores.
        city_admin = User.objects.get(username="city_admin")
        review.build_panel(city_admin, call)
        assignment = application.assignments.filter(status=AssignmentStatus.INVITED).first()
        reviewer = assignment.expert.user
        review.respond(reviewer, assignment, accept=True)
        login(page, base, reviewer.username)
        page.goto(f"{base}/programs/reviews/")
        page.click(f"a >> text={application.title}")
        for key, value in (("innovation", "26"), ("feasibility", "21"), ("team", "12")):
            page.fill(f"#id_score_{key}", value)
        page.fill("#id_score_benefit", "16")
        page.fill("#id_score_budget", "8")
        page.fill("#id_comment", "技术路线清晰，散热方案有创新，预算基本合理。")
        assert page.inner_text("#score-total") == "83.0"
        shoot(page, "programs-expert-scoring")
        page.click("#score-sheet button >> text=提交评分")
        assert "评分已提交" in page.inner_text("main")
        assert "我的评分" in page.inner_text("main")
        page.screenshot(path=SHOTS / "programs-expert-submitted-desktop.png")
        logout(page)

        # Another invited expert sees who applies before answering.
        invited = application.assignments.filter(status=AssignmentStatus.INVITED).first()
        login(page, base, invited.expert.user.username)
        page.goto(f"{base}/programs/reviews/{invited.pk}/")
        assert "李工程（吉林大学）" in page.inner_text("main")
        shoot(page, "programs-expert-invited")
        logout(page)

        # The city admin sees the panel, why each expert was picked, and the recusals.
        login(page, base, "city_admin")
        page.goto(f"{base}/programs/applications/{application.pk}/")
        assert "遴选依据" in page.inner_text("#panel")
        shoot(page, "programs-admin")
        context.close()
