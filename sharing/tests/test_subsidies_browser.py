"""先用后补 and the open-sharing evaluation in a real Chromium: an enterprise with confirmed usage
sees the amount and its working (live as records are ticked), claims; the bureau approves on a
phone and downloads the payment list; the published evaluation shows the grades. The pages fit a
1366×768 screen and a 390 px phone."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from core.choices import OrgType, Role
from core.factories import MembershipFactory, OrganisationFactory
from kechuang.browser import DESKTOP, PHONE, SHOTS, fits, login, requires_chromium
from resources.factories import InstrumentFactory
from sharing.choices import BookingStatus
from sharing.factories import BookingFactory, SlotFactory, SubsidyPolicyFactory, UsageFactory
from sharing.models import SharingEvaluation, SubsidyClaim
from sharing.services import evaluation as ev

pytestmark = [pytest.mark.browser, requires_chromium]


def used(instrument, user, start, fee, hours=4, satisfaction=5):
    slot = SlotFactory(
        instrument=instrument, starts_at=start, ends_at=start + datetime.timedelta(hours=hours)
    )
    booking = BookingFactory(slot=slot, requester=user, status=BookingStatus.USED)
    return UsageFactory(
        booking=booking, fee=Decimal(fee), hours=Decimal(hours), satisfaction=satisfaction
    )


def at(year, month, day, hour=9):
    return timezone.make_aware(datetime.datetime(year, month, day, hour))


def test_an_enterprise_claims_the_bureau_approves_and_the_evaluation_is_published(
    live_server, browser, personas, tmp_path
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    from core.models import User

    year = timezone.localdate().year
    enterprise = User.objects.get(username="enterprise")
    university = OrganisationFactory(name="吉林大学", type=OrgType.UNIVERSITY)
    MembershipFactory(organisation=university, role=Role.INSTITUTE)
    microscope = InstrumentFactory(owner=university, title="场发射扫描电子显微镜")
    spectrometer = InstrumentFactory(owner=university, title="X射线光电子能谱仪")
    SubsidyPolicyFactory(year=year, note="长春市大型科研仪器开放共享补贴办法（试行）")
    used(microscope, enterprise, at(year, 3, 2), "1200")
    used(spectrometer, enterprise, at(year, 4, 8), "800.50")

    # Last year's evaluation: 吉林大学 and a second host, published.
    agency = OrganisationFactory(name="长春光机所检测中心", type=OrgType.INSTITUTE)
    MembershipFactory(organisation=agency, role=Role.INSTITUTE)
    ict = InstrumentFactory(owner=agency, title="激光共聚焦显微镜")
    for day in range(1, 6):
        SlotFactory(
            instrument=microscope,
            starts_at=at(year - 1, 5, day),
            ends_at=at(year - 1, 5, day, 13),
        )
    used(microscope, enterprise, at(year - 1, 6, 1), "900")
    used(ict, enterprise, at(year - 1, 6, 2), "600", satisfaction=4)
    bureau = User.objects.get(username="city_admin")
    ev.publish_evaluation(bureau, ev.run_evaluation(bureau, year - 1))
    base = live_server.url

    # The enterprise, on a desktop screen.
    desktop = browser.new_context(**DESKTOP)
    page = desktop.new_page()
    login(page, base, "enterprise")
    page.click("nav.mainnav >> text=共享服务")
    page.click("nav.section-tabs >> text=先用后补")
    terms = page.inner_text("#terms")
    assert "30%" in terms and "200,000.00" in terms
    quote = page.inner_text("#quote")
    assert "2,000.50 元 × 补贴比例 30% = 600.15 元" in quote
    assert "尚可申请 200,000.00 元" in quote
    page.uncheck("#claim tbody tr:nth-child(1) input[type=checkbox]")
    expect(page.locator("#quote-amount")).to_have_text("240.15")
    assert "800.50 元 × 补贴比例 30% = 240.15 元" in page.inner_text("#quote")
    page.check("#claim tbody tr:nth-child(1) input[type=checkbox]")
    expect(page.locator("#quote-amount")).to_have_text("600.15")
    assert fits(page)
    page.screenshot(path=SHOTS / "sharing-subsidy-claim.png", full_page=True)
    small = browser.new_context(**PHONE)
    mobile = small.new_page()
    login(mobile, base, "enterprise")
    mobile.goto(f"{base}/sharing/subsidies/")
    assert "600.15" in mobile.inner_text("#quote")
    assert fits(mobile)
    mobile.screenshot(path=SHOTS / "sharing-subsidy-phone.png", full_page=True)
    small.close()
    page.click("#submit-claim")
    main = page.inner_text("main")
    assert "申请补贴 600.15 元，等待市科技局审核" in main
    assert "计算过程" in main and "场发射扫描电子显微镜" in main
    assert fits(page)
    page.screenshot(path=SHOTS / "sharing-subsidy-detail.png", full_page=True)
    desktop.close()
    claim = SubsidyClaim.objects.get()

    # The bureau, on a phone: approves from the queue and downloads the payment list.
    phone = browser.new_context(**PHONE, accept_downloads=True)
    page = phone.new_page()
    login(page, base, "city_admin")
    page.goto(f"{base}/sharing/subsidies/")
    assert "长春华锐光电科技有限公司" in page.inner_text("#queue")
    assert fits(page)
    page.screenshot(path=SHOTS / "sharing-subsidy-bureau-phone.png", full_page=True)
    page.click("#queue button >> text=批准")
    assert "已批准长春华锐光电科技有限公司的申请，批准补贴 600.15 元" in page.inner_text("main")
    assert "没有待审核的申请" in page.inner_text("#queue")
    with page.expect_download() as info:
        page.click("text=导出拨付清单（Excel）")
    target = tmp_path / "payments.xlsx"
    info.value.save_as(target)
    rows = [[c.value for c in row] for row in load_workbook(target).active.iter_rows()]
    assert rows[0][:4] == ["序号", "单位名称", "统一社会信用代码", "申请编号"]
    assert rows[1][1] == "长春华锐光电科技有限公司"
    assert rows[1][3] == f"XYHB{year}-{claim.pk:05d}"
    assert Decimal(str(rows[1][6])) == Decimal("600.15")
    assert rows[-1][0] == "合计" and Decimal(str(rows[-1][6])) == Decimal("600.15")
    page.goto(f"{base}/sharing/subsidies/claims/{claim.pk}/")
    assert "已批准" in page.inner_text("main")
    assert fits(page)
    page.screenshot(path=SHOTS / "sharing-subsidy-claim-phone.png", full_page=True)
    page.goto(f"{base}/sharing/evaluations/")
    assert fits(page)
    page.screenshot(path=SHOTS / "sharing-evaluation-list-phone.png", full_page=True)
    phone.close()

    # Anyone sees the published evaluation.
    evaluation = SharingEvaluation.objects.get()
    for name, viewport in (
        ("sharing-evaluation.png", {"width": 1366, "height": 768}),
        ("sharing-evaluation-phone.png", {"width": 390, "height": 844}),
    ):
        context = browser.new_context(viewport=viewport, locale="zh-CN")
        page = context.new_page()
        page.goto(f"{base}/sharing/evaluations/")
        page.click(f"text={year - 1}年度")
        ranking = page.inner_text("#ranking")
        assert "长春光机所检测中心" in ranking and "吉林大学" in ranking
        assert "较差" in ranking or "合格" in ranking
        assert "评价参数状态：待核实" in page.inner_text("#method")
        assert page.url.endswith(f"/sharing/evaluations/{evaluation.pk}/")
        assert fits(page)
        page.screenshot(path=SHOTS / name, full_page=True)
        context.close()
