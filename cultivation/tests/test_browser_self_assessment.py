"""资格自评 in a real Chromium: an enterprise corrects a year's figures, runs the 科技型中小企业 and
高新技术企业 self-assessments and reads the verdicts, on a desktop and on a phone."""

import datetime

import pytest

from core.models import Organisation
from cultivation.factories import write_enterprise
from cultivation.models import Assessment, EnterpriseYear
from kechuang.browser import SHOTS, login, requires_chromium

pytestmark = [pytest.mark.browser, requires_chromium]


def no_page_overflow(page) -> bool:
    """The page itself never scrolls sideways; wide tables scroll inside their own box."""
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_enterprise_runs_its_self_assessments(live_server, browser, personas):
    SHOTS.mkdir(parents=True, exist_ok=True)
    org = Organisation.objects.get(name="长春华锐光电科技有限公司")
    last_year = datetime.date.today().year - 1
    write_enterprise(org, last_year=last_year)  # three years of figures that pass 科技型中小企业
    base = live_server.url
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()

    login(page, base, "enterprise")
    page.click("nav.mainnav >> text=资格自评")
    page.wait_for_url(f"{base}/cultivation/enterprises/{org.pk}/")
    assert "年度经营数据" in page.inner_text("main")
    assert no_page_overflow(page)

    # Correct last year's staff count through the form.
    page.click(f"text=修改{last_year}年度")
    assert page.is_disabled("#id_year")
    page.fill("#id_staff", "125")
    page.fill("#id_tech_staff", "200")
    page.click("form.form button >> text=保存")
    assert "科技人员数不能多于职工总数。" in page.inner_text("main")
    page.screenshot(path=SHOTS / "cultivation-year-form.png", full_page=True)
    page.fill("#id_tech_staff", "31")
    page.click("form.form button >> text=保存")
    assert f"{last_year}年度数据已保存。" in page.inner_text("main")
    assert EnterpriseYear.objects.get(organisation=org, year=last_year).staff == 125
    page.click(".page-head >> text=修改记录")
    change = page.inner_text("table.audit tbody tr:first-child")
    assert "职工总数" in change and "120" in change and "125" in change and "李企业" in change
    assert no_page_overflow(page)
    page.screenshot(path=SHOTS / "cultivation-history.png", full_page=True)
    page.click("text=返回培育档案")

    # 科技型中小企业: eligible, with its score.
    page.click("#ruleset-sme_tech >> text=开始自评")
    page.wait_for_url(f"{base}/cultivation/assessments/*/")
    assert page.inner_text("#verdict strong") == "符合条件"
    assert "逐条对照" in page.inner_text("main")
    page.click("text=返回培育档案")

    # 高新技术企业: not eligible, for the three-year R&D ratio, and says by how much.
    page.click("#ruleset-hte >> text=开始自评")
    page.wait_for_url(f"{base}/cultivation/assessments/*/")
    assert page.inner_text("#verdict strong") == "不符合条件"
    gaps = page.inner_text("#gaps")
    assert "研发费用占销售收入比例" in gaps
    assert "待专家评审" in page.inner_text("#criteria")
    assert no_page_overflow(page)
    page.screenshot(path=SHOTS / "cultivation-self-assessment.png", full_page=True)

    # Both verdicts on the enterprise's file.
    page.click("text=返回培育档案")
    cards = page.inner_text("#self-assessment")
    assert page.inner_text("#ruleset-sme_tech .latest .badge") == "符合条件"
    assert page.inner_text("#ruleset-hte .latest .badge") == "不符合条件"
    assert "尚未自评" in cards  # the other rule sets
    page.screenshot(path=SHOTS / "cultivation-enterprise.png", full_page=True)
    context.close()

    # The same on a phone: the criteria table scrolls inside its box, not the page.
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True, has_touch=True
    )
    page = phone.new_page()
    login(page, base, "enterprise")
    hte = Assessment.objects.filter(organisation=org, ruleset="hte").latest("pk")
    page.goto(f"{base}/cultivation/assessments/{hte.pk}/")
    assert page.inner_text("#verdict strong") == "不符合条件"
    assert no_page_overflow(page)
    page.screenshot(path=SHOTS / "cultivation-self-assessment-phone.png", full_page=True)
    page.goto(f"{base}/cultivation/enterprises/{org.pk}/")
    assert no_page_overflow(page)
    page.screenshot(path=SHOTS / "cultivation-enterprise-phone.png", full_page=True)
    page.goto(f"{base}/cultivation/enterprises/{org.pk}/years/{last_year}/")
    assert no_page_overflow(page)
    page.screenshot(path=SHOTS / "cultivation-year-form-phone.png", full_page=True)
    phone.close()
    assert Assessment.objects.filter(organisation=org).count() == 2
