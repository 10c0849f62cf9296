"""Tier pools in a real Chromium: the bureau admits an enterprise and finds it in the pool, on a
desktop and on a phone."""

import datetime

import pytest

from core.factories import OrganisationFactory
from core.models import Organisation, Region, User
from cultivation.factories import write_enterprise
from cultivation.models import PoolMembership
from cultivation.services import pools
from kechuang.browser import SHOTS, login, requires_chromium

pytestmark = [pytest.mark.browser, requires_chromium]


def other_members():
    """Two enterprises already in the pool (one has left it), so the list looks like a list."""
    bureau = User.objects.get(username="city_admin")
    for name, code, exit_on in (
        ("长春启明汽车电子有限公司", "220102", None),
        ("吉林省中科光谱仪器股份有限公司", "220104", datetime.date(2025, 12, 31)),
    ):
        org = OrganisationFactory(name=name, region=Region.objects.get(code=code))
        write_enterprise(org)
        stay = pools.admit(
            bureau,
            org,
            "sme_tech",
            datetime.date(2025, 5, 20),
            "2025年第二批科技型中小企业入库名单（吉科办〔2025〕9号）",
            certificate_number=f"2025{code}A0007",
        )
        if exit_on:
            pools.remove(bureau, stay, exit_on, "资格有效期届满未重新评价入库")


def test_city_admin_admits_an_enterprise_and_finds_it_in_the_pool(live_server, browser, personas):
    SHOTS.mkdir(parents=True, exist_ok=True)
    org = Organisation.objects.get(name="长春华锐光电科技有限公司")
    write_enterprise(org)
    other_members()
    base = live_server.url
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()

    login(page, base, "city_admin")
    page.click("nav.mainnav >> text=梯次培育")
    assert "长春启明汽车电子有限公司" in page.inner_text("table")
    page.click("text=办理入库")
    page.fill("#id_organisation", org.uscc)
    page.select_option("#id_tier", "sme_tech")
    page.fill("#id_entered_on", "2025-06-01")
    page.fill("#id_certificate_number", "2025220173A0012")
    page.fill("#id_reason", "2025年第三批科技型中小企业入库名单（吉科办〔2025〕15号）")
    page.click("form.form button >> text=入库")
    main = page.inner_text("main")
    assert "长春华锐光电科技有限公司 已进入科技型中小企业库。" in main
    assert "符合条件" in main and "得分 76 分" in main

    page.click("p.crumbs a")
    table = page.inner_text("table")
    assert "长春华锐光电科技有限公司" in table and "2025220173A0012" in table
    assert "吉林省中科光谱仪器股份有限公司" not in table  # left the pool: 已出库 only
    assert "科技型中小企业 2" in page.inner_text("nav.tier-tabs")
    page.screenshot(path=SHOTS / "cultivation-pools.png", full_page=True)

    page.click("table >> text=长春华锐光电科技有限公司")
    assert "入库评价" in page.inner_text("main")
    assert "2025-06-01" in page.inner_text("main")
    page.screenshot(path=SHOTS / "cultivation-stay.png", full_page=True)
    context.close()

    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", device_scale_factor=2
    )
    page = phone.new_page()
    login(page, base, "city_admin")
    page.goto(f"{base}/cultivation/pools/?state=all")
    assert "吉林省中科光谱仪器股份有限公司" in page.inner_text("table")
    # Nothing sticks out sideways: the table scrolls inside its own box.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=SHOTS / "cultivation-pools-phone.png", full_page=True)
    page.click("table >> text=长春华锐光电科技有限公司")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=SHOTS / "cultivation-stay-phone.png", full_page=True)
    phone.close()
    assert PoolMembership.objects.current().filter(organisation=org, tier="sme_tech").exists()
