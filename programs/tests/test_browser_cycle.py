"""The whole science-program cycle in Chromium, on the demo data: experts score, the bureau
proposes and opens the 公示, a visitor objects, the objection is handled, 正式立项, the 任务书 is
issued and signed, an overdue report blocks a new application, a change is approved, the final
report is handed in, the acceptance panel scores and the verdict is given.

Each kind of step is clicked at least once; where several experts would repeat the same clicks,
the first does it in the browser and the others through the services.
"""

import datetime

import pytest
from django.test import override_settings
from django.utils import timezone

from core.choices import Role
from core.demo import generate
from core.factories import DEMO_PASSWORD, MembershipFactory
from core.services.reference import load_reference_data
from core.services.workdays import add_working_days
from kechuang.browser import SHOTS, login, requires_chromium
from programs.choices import ApplicationStatus, AssignmentStatus, ReviewStage, Verdict
from programs.models import Application, Call, ChangeRequest, Publicity, ReviewAssignment
from programs.services import review

pytestmark = [pytest.mark.browser, requires_chromium]

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
S = ApplicationStatus
A = AssignmentStatus
GOOD = {"innovation": 26, "feasibility": 21, "team": 12, "benefit": 16, "budget": 8}  # 83
FAIR = {"innovation": 24, "feasibility": 19, "team": 11, "benefit": 15, "budget": 7}  # 76
WEAK = {"innovation": 22, "feasibility": 18, "team": 10, "benefit": 14, "budget": 6}  # 70
HARSH = {"innovation": 10, "feasibility": 10, "team": 5, "benefit": 10, "budget": 5}  # 40


def shoot(page, name, selector=None):
    """Save the page (or one section of it) at desktop and at phone width."""
    for size, suffix in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page.set_viewport_size(size)
        page.wait_for_timeout(150)  # let the page lay itself out again at this width
        path = SHOTS / f"programs-cycle-{name}-{suffix}.png"
        if selector:
            page.locator(selector).screenshot(path=path)
        else:
            page.screenshot(path=path, full_page=True)
    page.set_viewport_size(DESKTOP)


def logout(page):
    page.click("header form button.link >> text=退出")


def text(page, selector="main"):
    return page.inner_text(selector)


def give_logins(assignments) -> None:
    """Demo experts have no accounts; the ones asked here get one, as they would to respond."""
    for assignment in assignments:
        expert = assignment.expert
        if expert.user_id is None:
            expert.user = MembershipFactory(
                user__username=f"cycle_expert{expert.pk}",
                user__display_name=expert.title,
                organisation=expert.owner,
                role=Role.EXPERT,
            ).user
            expert.save(update_fields=["user"])


def score_by_services(assignments, sheet, outlier=None) -> None:
    for n, assignment in enumerate(assignments):
        assignment.refresh_from_db()
        user = assignment.expert.user
        if assignment.status == A.INVITED:
            review.respond(user, assignment, accept=True)
        sheet_now = outlier if outlier and n == 0 else sheet
        review.submit_scores(user, assignment, sheet_now, "研究基础扎实，方案可行，同意。")


def test_the_whole_programs_cycle_in_the_browser(live_server, browser, transactional_db, tmp_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    load_reference_data()  # a transactional test empties the tables the migration filled
    with override_settings(MEDIA_ROOT=tmp_path / "media", INDEX_DIR=tmp_path / "no-index"):
        generate(seed=1, scale="small")
        run_cycle(live_server.url, browser)


def run_cycle(base, browser):
    review_call = Call.objects.get(title="2026年度长春市科技发展计划（第一批）")
    open_call = Call.objects.get(title="2026年度长春市重点研发计划（光电信息与先进制造）")
    mine = ReviewAssignment.objects.get(
        expert__user__username="demo_expert", status=A.INVITED, application__call=review_call
    )
    project = mine.application
    others = list(review_call.applications.exclude(pk=project.pk).order_by("pk"))
    applicant = project.created_by
    applicant.set_password(DEMO_PASSWORD)  # the demo applicant accounts have no password
    applicant.save()
    invited = ReviewAssignment.objects.filter(application__call=review_call, status=A.INVITED)
    give_logins(invited.select_related("expert"))

    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()

    # 1. The demo expert accepts and scores in the browser; the rest of the panel by services.
    login(page, base, "demo_expert")
    page.goto(f"{base}/programs/reviews/")
    page.click(f"a >> text={project.title}")
    assert "立项评审" in text(page)
    page.click("button >> text=接受，我与该项目无利益冲突")
    for key, value in GOOD.items():
        page.fill(f"#id_score_{key}", str(value))
    page.fill("#id_comment", "技术路线清晰，研究基础扎实，预算基本合理。")
    page.click("#score-sheet button >> text=提交评分")
    assert "评分已提交" in text(page)
    logout(page)
    score_by_services(invited.filter(application=project).exclude(pk=mine.pk), GOOD)
    score_by_services(invited.filter(application=others[0]), FAIR)
    score_by_services(invited.filter(application=others[1]), WEAK, outlier=HARSH)
    assert set(review_call.applications.values_list("status", flat=True)) == {S.REVIEWED}

    # 2. The bureau proposes two of the three, ranked by score, and opens the 公示.
    login(page, base, "demo_city")
    page.goto(f"{base}/programs/calls/{review_call.pk}/")
    ranking = text(page, "#decision")
    assert ranking.index(project.title) < ranking.index(others[0].title)
    assert "分歧较大" in ranking  # the harsh outlier on the third
    for application, amount in ((project, "80"), (others[0], "60")):
        page.check(f"#id_propose-pick_{application.pk}")
        page.fill(f"#id_propose-amount_{application.pk}", amount)
    assert page.inner_text("#propose-total") == "140.00"
    shoot(page, "admin-propose", "#decision")
    page.click("#decision button >> text=列入拟立项名单")
    assert "已将2个项目列入拟立项名单" in text(page)
    page.click("#decision button >> text=开始公示")
    assert "公示已开始" in text(page)
    publicity = Publicity.objects.get(call=review_call)

    # 3. Anyone may object on the public page, without an account.
    visitor = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    visitor.goto(f"{base}/programs/")
    visitor.click(f"#publicities a >> text={publicity.title}")
    assert project.title in text(visitor, "#list")
    visitor.select_option("#id_application", str(others[0].pk))
    visitor.fill("#id_name", "张群众")
    visitor.fill("#id_contact", "13800001111")
    visitor.fill("#id_content", "该项目与本单位已结题的市级项目研究内容高度重复。")
    visitor.click("#objection button >> text=提交异议")
    assert "感谢您的监督" in text(visitor)
    shoot(visitor, "publicity")
    visitor.context.close()

    # 4. The objection is handled; once the 公示 has ended, 正式立项 and its PDF notice.
    page.reload()
    objection = publicity.objections.get()
    page.fill(f"#id_objection-{objection.pk}-resolution", "经核查，两项目研究内容和考核指标不同。")
    shoot(page, "admin-publicity", "#publicity")
    page.click("#publicity button >> text=异议不成立")
    assert "异议不成立" in text(page)
    # The 公示 is moved into the past, its length still counted in working days.
    today = timezone.localdate()
    starts_on = today - datetime.timedelta(days=21)
    ends_on = add_working_days(starts_on, publicity.working_days)
    assert ends_on < today
    Publicity.objects.filter(pk=publicity.pk).update(starts_on=starts_on, ends_on=ends_on)
    page.reload()
    page.click("#publicity button >> text=正式立项")
    assert "已正式立项" in text(page)
    with page.expect_download() as download:
        page.click("#publicity a >> text=下载立项通知（PDF）")
    download.value.save_as(SHOTS / "programs-cycle-notice.pdf")
    assert (SHOTS / "programs-cycle-notice.pdf").read_bytes()[:4] == b"%PDF"
    project.refresh_from_db()
    assert project.status == S.FUNDED
    assert Application.objects.get(pk=others[1].pk).status == S.NOT_FUNDED

    # 5. The 任务书, started long enough ago that its first report is overdue.
    start = today - datetime.timedelta(days=220)
    page.goto(f"{base}/programs/applications/{project.pk}/")
    page.fill("#id_contract-start_date", start.isoformat())
    page.fill("#id_contract-end_date", (start + datetime.timedelta(days=730)).isoformat())
    for category, amount in (("equipment", "20"), ("business", "40"), ("labour", "20")):
        page.fill(f"#id_contract-budget_{category}", amount)
    page.fill(
        "#id_contract-milestones", "中试线建成｜2026-12-31｜中试线1条\n示范应用｜2027-09-30｜"
    )
    page.fill("#id_contract-indicators", "秸秆利用率｜≥85%\n申请发明专利｜3件")
    page.click("#contract button >> text=下达任务书")
    assert "任务书已下达" in text(page)
    logout(page)

    # 6. The applicant's administrator signs; the overdue report blocks a new application.
    login(page, base, applicant.username)
    page.goto(f"{base}/programs/applications/{project.pk}/")
    page.click("#contract button >> text=签署任务书")
    assert "任务书已签署" in text(page)
    assert "已逾期" in text(page, "#reports")
    shoot(page, "project")
    page.goto(f"{base}/programs/calls/{open_call.pk}/")
    block = text(page, "#overdue")
    assert project.title in block
    assert page.locator("a >> text=开始申报").count() == 0
    shoot(page, "overdue", "#apply")
    page.click(f"#overdue a >> text={project.title}")
    report = project.reports.order_by("due_date").first()
    page.fill(
        f"#id_report-{report.pk}-progress",
        "中试线主体设备安装完成，完成三批次试生产，工艺参数基本稳定。",
    )
    page.fill(f"#id_report-{report.pk}-spent", "32")
    page.click(f"form[action$='/reports/{report.pk}/submit/'] button")
    assert "进展报告已提交" in text(page)

    # 7. A change (延期) asked for by the applicant …
    page.click("#changes summary >> text=申请变更")
    page.select_option("#id_change-kind", "schedule")
    new_end = start + datetime.timedelta(days=820)
    page.fill("#id_change-end_date", new_end.isoformat())
    page.fill("#id_change-reason", "关键设备供货延迟三个月，需相应延长执行期。")
    page.click("#changes button >> text=提交变更申请")
    assert "变更申请已提交" in text(page)
    logout(page)

    # … approved by the bureau, which also accepts the report.
    login(page, base, "demo_city")
    page.goto(f"{base}/programs/applications/{project.pk}/")
    page.click(f"form[action$='/reports/{report.pk}/review/'] button[value=accept]")
    assert "进展报告已审核通过" in text(page)
    page.click("#changes button >> text=批准变更")
    assert "已批准变更" in text(page)
    assert ChangeRequest.objects.get().status == "approved"
    logout(page)

    # 8. The final report, then the acceptance panel built by its job.
    login(page, base, applicant.username)
    page.goto(f"{base}/programs/applications/{project.pk}/")
    page.fill(
        "#id_final-summary",
        "项目完成中试线建设和示范应用，秸秆综合利用率达到88%，申请发明专利3件。",
    )
    page.fill("#id_final-indicators_met", "秸秆利用率｜88%\n申请发明专利｜3件（已受理）")
    page.click("#acceptance button >> text=提交验收申请")
    assert "验收申请已提交" in text(page)
    logout(page)
    login(page, base, "demo_city")
    page.goto(f"{base}/programs/applications/{project.pk}/")
    page.click("#acceptance button >> text=组建验收专家组")
    assert "已开始组建验收专家组" in text(page)
    panel = ReviewAssignment.objects.filter(
        application=project, stage=ReviewStage.ACCEPTANCE, status=A.INVITED
    ).select_related("expert")
    assert panel.count() == review_call.reviewers_per_application
    assert panel[0].expert.title in text(page, "#acceptance")
    logout(page)

    # 9. The acceptance experts score: the first in the browser, the others by services.
    give_logins(panel)
    first = panel.order_by("pk").first()
    login(page, base, first.expert.user.username)
    page.goto(f"{base}/programs/reviews/{first.pk}/")
    assert "验收评审" in text(page)
    page.click("button >> text=接受，我与该项目无利益冲突")
    assert "88%" in text(page, "#final-report")
    for key, value in GOOD.items():
        page.fill(f"#id_score_{key}", str(value))
    page.fill("#id_comment", "任务书约定的指标全部完成，同意通过验收。")
    shoot(page, "expert-acceptance")
    page.click("#score-sheet button >> text=提交评分")
    assert "评分已提交" in text(page)
    logout(page)
    score_by_services(panel.exclude(pk=first.pk), GOOD)

    # 10. The verdict.
    login(page, base, "demo_city")
    page.goto(f"{base}/programs/applications/{project.pk}/")
    page.check(f"input[name='verdict-verdict'][value='{Verdict.PASSED}']")
    page.fill("#id_verdict-note", "考核指标全部完成，经费使用规范。")
    shoot(page, "acceptance", "#acceptance")
    page.click("#acceptance button >> text=作出验收结论")
    assert "验收结论已作出" in text(page)
    assert "通过验收" in text(page, "#acceptance")
    shoot(page, "acceptance-closed", "#acceptance")
    project.refresh_from_db()
    assert project.status == S.CLOSED
    assert project.contract.end_date == new_end
    context.close()
