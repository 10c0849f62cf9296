"""Trading in a real Chromium: an enterprise finds a listing from the 成果转化 hub and bids (a
bid below the step is refused with the amounts), the owner closes it and completes the contract
draft, the registrar registers it; the pages fit a 1366×768 screen and a phone."""

import datetime

import pytest
from django.utils import timezone

from core.choices import OrgType, Role
from core.factories import MembershipFactory, OrganisationFactory
from core.models import HighTechField
from kechuang.browser import SHOTS, login, requires_chromium
from resources.factories import AchievementFactory
from transfer.models import Listing, TechContract
from transfer.services import listings

pytestmark = [pytest.mark.browser, requires_chromium]


def fits(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_an_enterprise_bids_and_the_owner_and_registrar_finish_the_deal(
    live_server, browser, personas
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    university = OrganisationFactory(name="吉林大学", type=OrgType.UNIVERSITY)
    MembershipFactory(
        user__username="jlu", user__display_name="张科研", organisation=university,
        role=Role.INSTITUTE,
    )  # fmt: skip
    rival = MembershipFactory(
        organisation=OrganisationFactory(name="长春启明汽车电子有限公司"), role=Role.ENTERPRISE
    ).user
    achievement = AchievementFactory(
        owner=university,
        title="高功率半导体激光器封装技术",
        allows_assignment=True,
        hightech_field=HighTechField.objects.first(),
    )
    now = timezone.now()
    listing = listings.create_listing(
        university.memberships.get().user,
        achievement,
        mode="assignment",
        reserve_price="100000",
        min_step="5000",
        starts_at=now - datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(days=3),
        terms="一次性付款，提供三个月技术指导。",
    )
    listings.place_bid(rival, listing, "100000")
    base = live_server.url

    desktop = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = desktop.new_page()
    login(page, base, "enterprise")
    page.click("nav.mainnav >> text=成果转化")
    assert "挂牌中的成果" in page.inner_text("main")
    assert fits(page)
    page.screenshot(path=SHOTS / "transfer-home.png", full_page=True)
    page.click("table >> text=高功率半导体激光器封装技术")
    assert "长春***有限公司" in page.inner_text("#history")
    page.fill("#id_amount", "102000")
    page.click("#bid button")
    assert "至少105,000.00元" in page.inner_text("#bid")
    page.fill("#id_amount", "108000")
    page.click("#bid button")
    assert "出价成功" in page.inner_text("main")
    assert "本单位" in page.inner_text("#history")
    assert fits(page)
    page.screenshot(path=SHOTS / "transfer-listing.png", full_page=True)
    desktop.close()

    Listing.objects.filter(pk=listing.pk).update(
        starts_at=now - datetime.timedelta(days=4), ends_at=now - datetime.timedelta(minutes=1)
    )
    owner = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = owner.new_page()
    login(page, base, "jlu")
    page.goto(f"{base}/transfer/listings/{listing.pk}/")
    assert "长春华锐光电科技有限公司" in page.inner_text("#history")  # the owner sees names
    page.click("text=结束竞价并确认结果")
    assert "合同草稿已生成" in page.inner_text("main")
    page.click("text=查看合同")
    page.click("text=修改")
    page.fill("#id_payment_terms", "合同生效后30日内一次性支付。")
    page.fill("#id_signed_on", timezone.localdate().isoformat())
    page.click("form.form button >> text=保存")
    page.click("button >> text=提交认定登记")
    assert "已提交认定登记" in page.inner_text("main")
    owner.close()

    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", device_scale_factor=2
    )
    page = phone.new_page()
    login(page, base, "city_admin")
    contract = TechContract.objects.get()
    page.goto(f"{base}/transfer/contracts/{contract.pk}/")
    page.fill("#id_tech_amount", "108000")
    page.click("#register button")
    assert "已登记，登记编号22010" in page.inner_text("main")
    assert fits(page)
    page.screenshot(path=SHOTS / "transfer-contract-phone.png", full_page=True)
    for url in ("/transfer/", "/transfer/statistics/", "/transfer/statistics/funnel/",
                f"/transfer/listings/{listing.pk}/"):  # fmt: skip
        page.goto(base + url)
        assert fits(page), url
    page.goto(f"{base}/transfer/statistics/")
    assert "108,000.00" in page.inner_text("main")
    page.screenshot(path=SHOTS / "transfer-statistics-phone.png", full_page=True)
    phone.close()
