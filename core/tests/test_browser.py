"""A real Chromium logs in as each role; screenshots land in var/screenshots/ for a person to see."""

import os
from pathlib import Path

import pytest
from django.conf import settings

from core.choices import OrgType, Role
from core.factories import DEMO_PASSWORD, MembershipFactory, OrganisationFactory, UserFactory
from core.models import Region
from core.services.reference import load_reference_data

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is installed by `make test`"),
]

ROLES = [
    ("enterprise", Role.ENTERPRISE, "李企业"),
    ("institute", Role.INSTITUTE, "张科研"),
    ("expert", Role.EXPERT, "刘专家"),
    ("broker", Role.BROKER, "陈经纪"),
    ("district_admin", Role.DISTRICT_ADMIN, "赵区管"),
    ("city_admin", Role.CITY_ADMIN, "孙市管"),
    ("leader", Role.LEADER, "周领导"),
]


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls here are plain ones.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-quic",
                "--lang=zh-CN",
            ],
        )
        yield b
        b.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def personas(transactional_db):
    load_reference_data()  # a transactional test empties the tables the migration filled
    zone = Region.objects.get(code="220173")
    org = OrganisationFactory(
        name="长春华锐光电科技有限公司", region=zone, contact_phone="13912345678"
    )
    OrganisationFactory(name="长春市科学技术局", type=OrgType.GOVERNMENT)
    UserFactory(username="public", display_name="王公众")
    for username, role, name in ROLES:
        MembershipFactory(
            user__username=username,
            user__display_name=name,
            user__is_staff=role in (Role.CITY_ADMIN, Role.DISTRICT_ADMIN),
            organisation=org,
            role=role,
            region=zone if role == Role.DISTRICT_ADMIN else None,
        )


def login(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("form.form button")
    page.wait_for_url(f"{base}/")


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
        assert ("审计日志" in header) == (role == Role.CITY_ADMIN)
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
