"""The resource library in a real Chromium: draft, submit, review, publish, search."""

import pytest

from core.models import Organisation, User
from kechuang.browser import SHOTS, login, requires_chromium
from resources.choices import RecordStatus
from resources.factories import AchievementFactory
from resources.models import Achievement

pytestmark = [pytest.mark.browser, requires_chromium]


def test_achievement_goes_from_draft_to_the_public_catalog(live_server, browser, personas):
    SHOTS.mkdir(parents=True, exist_ok=True)
    org = Organisation.objects.get(name="长春华锐光电科技有限公司")
    for i in range(12):
        AchievementFactory(
            owner=org, title=f"车载激光雷达点云处理技术{i}", trl=4 + i % 5, asking_price=30 + 40 * i
        )
    base = live_server.url
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()

    login(page, base, "institute")
    page.goto(f"{base}/resources/achievements/new/")
    page.fill("#id_title", "高功率半导体激光器封装技术")
    page.fill("#id_summary", "采用金刚石热沉结构，输出功率提高30%。")
    page.select_option("#id_trl", "7")
    page.check("#id_allows_license")
    page.screenshot(path=SHOTS / "achievement-form.png", full_page=True)
    page.click("form.form button >> text=保存")
    assert "已保存为草稿" in page.inner_text("main")
    page.click("button:has-text('提交审核')")
    assert "已提交审核" in page.inner_text("main")
    page.click("header form button.link >> text=退出")

    login(page, base, "city_admin")
    page.goto(f"{base}/resources/review/")
    page.screenshot(path=SHOTS / "review-queue.png", full_page=True)
    page.check("input[name=pick]")
    page.click("button[value=approve]")
    assert "已处理 1 条" in page.inner_text("main")
    assert (
        Achievement.objects.get(title="高功率半导体激光器封装技术").status == RecordStatus.PUBLISHED
    )
    page.click("header form button.link >> text=退出")

    page.goto(f"{base}/resources/achievements/?q=激光")
    results = page.inner_text(".results")
    assert "高功率半导体激光器封装技术" in results and "车载激光雷达" in results
    page.screenshot(path=SHOTS / "catalog.png", full_page=True)
    page.click("text=高功率半导体激光器封装技术")
    assert "7级" in page.inner_text("main")
    page.screenshot(path=SHOTS / "achievement-detail.png", full_page=True)
    context.close()

    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True
    )
    page = phone.new_page()
    page.goto(f"{base}/resources/achievements/?q=激光雷达")
    assert "车载激光雷达点云处理技术" in page.inner_text(".results")
    page.screenshot(path=SHOTS / "catalog-phone.png", full_page=True)
    phone.close()
    assert User.objects.filter(username="institute").exists()
