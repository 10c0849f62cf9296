"""目标监测 and an indicator's values in a real Chromium: a leader reads the warning on a desktop
and on a phone; the bureau corrects a value and finds the old one kept; a district admin enters
their own district's value on a phone."""

import pytest

from brain.models import IndicatorValue
from brain.services import catalog, values
from core.models import Region, User
from kechuang.browser import SHOTS, login, requires_chromium

pytestmark = [pytest.mark.browser, requires_chromium]

RD_CITY = ["2.05", "2.15", "2.22", "2.31", "2.38", "2.42"]
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def fill_values():
    catalog.load_catalog(None)
    bureau = User.objects.get(username="city_admin")
    city = Region.objects.get(code="220100")
    rd = catalog.Indicator.objects.get(code="rd_intensity")
    for year, v in zip(range(2020, 2026), RD_CITY, strict=True):
        values.enter_value(bureau, rd, city, str(year), v, "统计公报")
    share = catalog.Indicator.objects.get(code="industrial_rd_share")
    for year, v in ((2024, "67.1"), (2025, "70.4")):
        values.enter_value(bureau, share, city, str(year), v, "统计公报")
    for region in Region.objects.exclude(kind="city"):
        values.enter_value(bureau, rd, region, "2025", "1.85", "区县统计快报")


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_leader_reads_the_targets_and_the_warning(live_server, browser, personas):
    SHOTS.mkdir(parents=True, exist_ok=True)
    fill_values()
    for name, viewport in (("", DESKTOP), ("-phone", PHONE)):
        context = browser.new_context(viewport=viewport, locale="zh-CN")
        page = context.new_page()
        login(page, live_server.url, "leader")
        page.goto(f"{live_server.url}/brain/targets/?sort=warning")
        main = page.inner_text("main")
        assert "严重滞后" in main and "已达标" in main
        assert "完成 67.3%，时间进度 100%" in main
        first = page.locator(".target-card h2").first.inner_text()
        assert first in ("全社会研发投入强度", "国家高新技术企业数")
        assert no_sideways_scroll(page)
        page.screenshot(path=str(SHOTS / f"brain-targets{name}.png"), full_page=True)
        page.goto(f"{live_server.url}/brain/targets/?view=table")
        assert "所需年均增量" in page.inner_text("main") or name
        assert no_sideways_scroll(page)
        page.screenshot(path=str(SHOTS / f"brain-targets-table{name}.png"))
        context.close()


def test_bureau_corrects_a_value_and_the_old_one_is_kept(live_server, browser, personas):
    fill_values()
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    login(page, live_server.url, "city_admin")
    page.goto(f"{live_server.url}/brain/indicators/rd_intensity/")
    # The main menu, 科创大脑 included, stays on one row at 1366 pixels.
    assert page.evaluate("document.querySelector('.topbar-inner').offsetHeight") < 70
    page.select_option("#id_region", "220100")
    page.fill("#id_period", "2025")
    page.fill("#id_value", "2.45")
    page.click("#enter button >> text=保存")
    assert "修订已有数值时请在“说明”中写明原因" in page.inner_text("main")
    page.fill("#id_note", "统计年鉴正式数")
    page.click("form.form button >> text=保存")
    main = page.inner_text("main")
    assert "已修订 长春市 2025 的数值为 2.45（第 1 次修订），原值已保留。" in main
    assert "长春市 2025 的修订记录" in main
    history = page.inner_text("#history")
    assert "统计年鉴正式数" in history and "2.42" in history and "已被修订" in history
    assert no_sideways_scroll(page)
    page.screenshot(path=str(SHOTS / "brain-indicator.png"), full_page=True)
    rows = IndicatorValue.objects.filter(indicator__code="rd_intensity", region__code="220100")
    assert rows.filter(period="2025").count() == 2
    context.close()


def test_district_admin_enters_own_district_on_a_phone(live_server, browser, personas):
    fill_values()
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    login(page, live_server.url, "district_admin")
    page.goto(f"{live_server.url}/brain/indicators/rd_intensity/")
    main = page.inner_text("main")
    assert "长春高新技术产业开发区" in main and "南关区" not in main
    assert page.locator("#id_region option").count() == 1
    page.fill("#id_period", "2025Q1")
    page.fill("#id_value", "5.6")
    page.fill("#id_note", "区统计局年报")
    page.click("#enter button >> text=保存")
    assert "年度指标的期别写作四位年份" in page.inner_text("main")
    page.fill("#id_period", "2024")
    page.click("form.form button >> text=保存")
    assert "已保存 长春高新技术产业开发区 2024 的数值 5.60。" in page.inner_text("main")
    assert no_sideways_scroll(page)
    page.screenshot(path=str(SHOTS / "brain-indicator-district-phone.png"), full_page=True)
    context.close()
