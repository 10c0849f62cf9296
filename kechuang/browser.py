"""Fixtures for browser tests: Debian's Chromium driven by Playwright, and one user per role."""

import os
from pathlib import Path

import pytest

from core.choices import Role

# Nothing here touches the database or models at import time: the root conftest imports this
# module, and the Django-free packages' tests run without Django configured.
CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parent.parent / "var" / "screenshots"

ROLES = [
    ("enterprise", Role.ENTERPRISE, "李企业"),
    ("institute", Role.INSTITUTE, "张科研"),
    ("expert", Role.EXPERT, "刘专家"),
    ("broker", Role.BROKER, "陈经纪"),
    ("district_admin", Role.DISTRICT_ADMIN, "赵区管"),
    ("city_admin", Role.CITY_ADMIN, "孙市管"),
    ("leader", Role.LEADER, "周领导"),
]

# Browser contexts for the two screens every page must fit.
DESKTOP = {"viewport": {"width": 1366, "height": 768}, "locale": "zh-CN"}
PHONE = {"viewport": {"width": 390, "height": 844}, "locale": "zh-CN", "device_scale_factor": 2}

requires_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Chromium is installed by `make test`"
)


def fits(page) -> bool:
    """Whether the page fits the screen's width (no sideways scrolling)."""
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def login(page, base, username):
    from core.factories import DEMO_PASSWORD

    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("form.form button")
    page.wait_for_url(f"{base}/")


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
        violations = _watch_content_security_policy(b)
        yield b
        b.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    # Every browser test also checks that its pages run under the Content-Security-Policy.
    assert not violations, f"Content-Security-Policy refused: {violations}"


def _watch_content_security_policy(browser) -> list[str]:
    """Collect the console's CSP refusals of every page the tests open in this browser."""
    violations: list[str] = []

    def watch(page):
        page.on(
            "console",
            lambda message: (
                violations.append(f"{page.url}: {message.text}")
                if message.type == "error" and "Content Security Policy" in message.text
                else None
            ),
        )

    new_context, new_page = browser.new_context, browser.new_page

    def context_watched(*args, **kwargs):
        context = new_context(*args, **kwargs)
        context.on("page", watch)
        return context

    def page_watched(*args, **kwargs):
        page = new_page(*args, **kwargs)
        watch(page)
        return page

    browser.new_context, browser.new_page = context_watched, page_watched
    return violations


@pytest.fixture
def personas(transactional_db):
    from core.choices import OrgType
    from core.factories import MembershipFactory, OrganisationFactory, UserFactory
    from core.models import Region
    from core.services.reference import load_reference_data

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
