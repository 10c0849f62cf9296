"""Valuation in a real Chromium: an owner tries the income approach, reads the working and the
sensitivity table, and saves a report, on a desktop and on a phone."""

import datetime
from decimal import Decimal as D

import pytest

from core.models import HighTechField, Organisation, User
from kechuang.browser import SHOTS, login, requires_chromium
from resources.factories import AchievementFactory
from transfer.models import TechContract

pytestmark = [pytest.mark.browser, requires_chromium]


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


COST = {
    "materials": "200000",
    "labour": "300000",
    "multiplier": "2.5",
    "return_rate": "20",
    "risk": "10",
    "newness": "100",
}


def registered_contracts():
    """Four registered 技术转让/许可 contracts in 电子信息 (median 450,000)."""
    seller = Organisation.objects.get(name="长春华锐光电科技有限公司")
    clerk = User.objects.get(username="city_admin")
    for n, amount in enumerate(("200000", "400000", "500000", "1000000"), 1):
        TechContract.objects.create(
            kind="transfer" if n % 2 else "license",
            title=f"激光器技术合同{n}",
            subject="激光器封装技术",
            seller=seller,
            buyer_name="长春某公司",
            field=HighTechField.objects.get(code="1"),
            total_amount=D(amount),
            declared_tech_amount=D(amount),
            tech_amount=D(amount),
            payment_terms="一次性支付",
            signed_on=datetime.date(2025, n, 15),
            status="registered",
            created_by=clerk,
        )


def fill_income(page):
    page.check("input[name=revenue_mode][value=growth]")
    page.fill("#id_base_revenue", "3000000")
    page.fill("#id_growth_rate", "10")
    page.fill("#id_horizon", "5")
    page.fill("#id_margin", "12")
    page.fill("#id_share", "25")
    page.fill("#id_discount_rate", "10")


def test_owner_values_an_achievement_and_keeps_the_report(live_server, browser, personas):
    SHOTS.mkdir(parents=True, exist_ok=True)
    AchievementFactory(
        owner=Organisation.objects.get(name="长春华锐光电科技有限公司"),
        title="激光雷达点云处理芯片",
        hightech_field=HighTechField.objects.get(code="1"),
    )
    base = live_server.url
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    login(page, base, "enterprise")
    page.goto(f"{base}/transfer/valuation/")
    page.click("text=测算与报告")
    page.click("text=按收益法测算")
    fill_income(page)
    page.fill("#id_share", "120")
    page.click("form.form button >> text=测算")
    assert "利润分成率应大于0%且不超过100%。" in page.inner_text("form.form")
    page.fill("#id_share", "25")
    page.click("form.form button >> text=测算")
    result = page.inner_text("#result")
    assert "第1年：3,000,000 × 12% × 25% ÷ 1.10¹ = 81,818.18" in result
    assert "敏感性分析" in result
    assert fits(page)
    page.screenshot(path=SHOTS / "transfer-valuation-income.png", full_page=True)
    page.click("form.form button >> text=保存为报告")
    main = page.inner_text("main")
    assert "定价参考报告已保存" in main and "409,090.90" in main
    assert "不能替代具有资质的资产评估机构出具的评估报告" in main
    page.screenshot(path=SHOTS / "transfer-valuation-report.png", full_page=True)

    page.click("p.crumbs >> text=激光雷达点云处理芯片")
    page.click("text=按成本法测算")
    for name, value in COST.items():
        page.fill(f"#id_{name}", value)
    page.click("form.form button >> text=测算")
    result = page.inner_text("#result")
    assert "1,140,000 ÷ (1 − 10%) = 1,266,666.67" in result and "待核实" in result
    page.screenshot(path=SHOTS / "transfer-valuation-cost.png", full_page=True)

    registered_contracts()
    page.goto(page.url.replace("/cost/", "/market/"))
    result = page.inner_text("#result")
    assert "中位数" in result and "450,000.00" in result
    page.screenshot(path=SHOTS / "transfer-valuation-market.png", full_page=True)
    context.close()

    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", device_scale_factor=2
    )
    page = phone.new_page()
    login(page, base, "enterprise")
    page.goto(f"{base}/transfer/valuation/")
    page.click("text=测算与报告")
    page.click("text=按收益法测算")
    fill_income(page)
    page.click("form.form button >> text=测算")
    assert "81,818.18" in page.inner_text("#result")
    assert fits(page)
    page.screenshot(path=SHOTS / "transfer-valuation-income-phone.png", full_page=True)
    phone.close()
