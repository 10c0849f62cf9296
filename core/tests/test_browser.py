"""A real Chromium logs in as each role; screenshots land in var/screenshots/ for a person to see."""

import pytest

from core.choices import Role
from kechuang.browser import ROLES, SHOTS, login, requires_chromium

pytestmark = [pytest.mark.browser, requires_chromium]


def test_each_role_logs_in_and_sees_their_name_and_role(live_server, browser, personas):
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    page.goto(live_server.url)
    assert "长春市科创智服云平台" in page.inner_text("h1")
    page.screenshot(path=SHOTS / "home-public.png", full_page=True)
    for username, role, name in ROLES:
        login(page, live_server.url, username)
        header = page.inner_text("header")
        assert name in header and str(role.label) in header, header
        if role == Role.CITY_ADMIN:  # back-office tools sit under one 管理 menu
            page.click("header summary >> text=管理")
            assert "审计日志" in page.inner_text("header")
        else:
            assert "审计日志" not in page.inner_html("header")
        page.screenshot(path=SHOTS / f"home-{username}.png")
        page.goto(f"{live_server.url}/accounts/profile/")
        page.screenshot(path=SHOTS / f"profile-{username}.png")
        page.click("header form button.link >> text=退出")
    context.close()


def test_directory_on_a_phone_and_a_wrong_login(live_server, browser, personas):
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/organisations/")
    assert "长春华锐光电科技有限公司" in page.inner_text("main")
    assert "139****5678" not in page.content()  # list never shows contacts
    page.screenshot(path=SHOTS / "organisations-phone.png", full_page=True)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "enterprise")
    page.fill("#id_password", "wrong-password-1")
    page.click("form.form button")
    assert "用户名或密码错误。" in page.inner_text("main")
    page.screenshot(path=SHOTS / "login-error-phone.png", full_page=True)
    context.close()


def test_language_switch_to_english_and_back(live_server, browser, personas):
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/organisations/")
    page.click("button[name=language][value=en]")
    assert page.get_attribute("html", "lang") == "en"
    assert "Organisations" in page.inner_text("h1")
    page.screenshot(path=SHOTS / "organisations-english.png", full_page=True)
    page.click("button[name=language][value=zh-hans]")
    assert page.get_attribute("html", "lang") == "zh-CN"
    context.close()
