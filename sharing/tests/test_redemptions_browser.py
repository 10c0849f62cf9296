"""Innovation vouchers redeemed in a real Chromium: a provider redeems part of a voucher and sees
what remains, the holder rates the service on a phone, the provider claims settlement, the
bureau approves and downloads the payment list; once the voucher has expired a further
redemption is refused with the expiry date on the page. The pages fit 1366×768 and 390 px."""

import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from core.choices import OrgType, Role
from core.factories import MembershipFactory, OrganisationFactory
from core.models import Organisation, User
from kechuang.browser import DESKTOP, PHONE, SHOTS, fits, login, requires_chromium
from sharing.factories import ServiceProviderFactory, VoucherFactory, VoucherProgramFactory
from sharing.models import Redemption, SettlementClaim, Voucher
from sharing.services import abuse

pytestmark = [pytest.mark.browser, requires_chromium]


def fill_redeem_form(page, code, uscc, contract, amount):
    page.fill("#id_code", code)
    page.fill("#id_holder_uscc", uscc)
    page.fill("#id_contract_number", contract)
    page.fill("#id_signed_on", (timezone.localdate() - datetime.timedelta(days=1)).isoformat())
    page.select_option("#id_category", "testing")
    page.fill("#id_contract_amount", "24000")
    page.fill("#id_amount", amount)
    page.fill("#id_service_description", "新型光电传感器第三方检测（环境可靠性与电磁兼容）")
    page.click("#redeem form.form button")


def test_a_voucher_is_redeemed_rated_settled_and_refused_once_expired(
    live_server, browser, personas
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    holder = Organisation.objects.get(name="长春华锐光电科技有限公司")
    agency = OrganisationFactory(name="长春技术转移中心", type=OrgType.SERVICE_AGENCY)
    clerk = MembershipFactory(
        user__username="provider", user__display_name="孙服务", organisation=agency,
        role=Role.BROKER,
    ).user  # fmt: skip
    ServiceProviderFactory(organisation=agency, categories=["testing", "rd"], created_by=clerk)
    program = VoucherProgramFactory(
        name="2026年长春市科技创新券（第一批）", max_share=Decimal("0.5")
    )
    voucher = VoucherFactory(
        program=program,
        holder=holder,
        face_value=Decimal("30000"),
        issued_at=timezone.now() - datetime.timedelta(days=10),
    )
    bureau_user = User.objects.get(username="city_admin")
    base = live_server.url

    # The provider looks the voucher up and redeems part of it (1366×768).
    desktop = browser.new_context(**DESKTOP)
    page = desktop.new_page()
    login(page, base, "provider")
    page.click("nav.mainnav >> text=共享服务")
    page.click("nav.section-tabs >> text=核销与兑付")
    page.fill("#id_lookup-code", voucher.code.lower())
    page.click("#lookup button")
    assert "30,000.00" in page.inner_text("#lookup-result")
    assert "长春***有限公司" in page.inner_text("#redeem")
    fill_redeem_form(page, voucher.code, holder.uscc, "JC-2026-001", "12000.01")
    assert "核销金额不能超过合同金额的 50%（12,000.00 元）。" in page.inner_text("#redeem")
    assert not Redemption.objects.exists()
    page.fill("#id_amount", "10000")
    page.click("#redeem form.form button")
    assert "剩余 20,000.00 元" in page.inner_text("main")
    assert "20,000.00" in page.inner_text(".stats")
    assert fits(page)
    page.screenshot(path=SHOTS / "sharing-redeem-detail.png", full_page=True)
    page.goto(f"{base}/sharing/redemptions/")
    assert fits(page)
    page.screenshot(path=SHOTS / "sharing-redeem-provider.png", full_page=True)

    # The holder rates the service on a phone.
    phone = browser.new_context(**PHONE)
    hpage = phone.new_page()
    login(hpage, base, "enterprise")
    hpage.goto(f"{base}/sharing/redemptions/")
    assert "长春技术转移中心" in hpage.inner_text("#list")
    hpage.click("#list >> text=去评价 >> visible=true")
    hpage.check("input[name=rating][value='5']")
    hpage.fill("#id_comment", "检测及时，报告规范。")
    hpage.click("#rate button")
    assert "服务评价已提交" in hpage.inner_text("main")
    assert "检测及时，报告规范。" in hpage.inner_text("#rate")
    assert fits(hpage)
    hpage.screenshot(path=SHOTS / "sharing-redeem-rating-phone.png", full_page=True)
    phone.close()
    assert Redemption.objects.get().rating == 5

    # The provider claims settlement of what it redeemed.
    page.goto(f"{base}/sharing/redemptions/")
    assert "共 10,000.00 元" in page.inner_text("#settle")
    page.click("#settle button")
    claim = SettlementClaim.objects.get()
    assert "已提交" in page.inner_text("main")
    assert "10,000.00" in page.inner_text("#lines")
    desktop.close()

    # The bureau approves from its queue and downloads the payment list.
    bureau = browser.new_context(**DESKTOP, accept_downloads=True)
    bpage = bureau.new_page()
    login(bpage, base, "city_admin")
    bpage.goto(f"{base}/sharing/redemptions/")
    assert "长春技术转移中心" in bpage.inner_text("#queue")
    assert fits(bpage)
    bpage.screenshot(path=SHOTS / "sharing-redeem-bureau.png", full_page=True)
    bpage.click("#queue >> text=批准兑付")
    assert "已批准" in bpage.inner_text("main")
    bpage.click(".page-head .actions >> text=兑付清单")
    assert "10,000.00" in bpage.inner_text("#payments")
    assert fits(bpage)
    bpage.screenshot(path=SHOTS / "sharing-redeem-payments.png", full_page=True)
    with bpage.expect_download() as info:
        bpage.click("text=下载 Excel")
    rows = list(load_workbook(io.BytesIO(open(info.value.path(), "rb").read())).active.values)
    assert rows[0][:6] == (
        "序号",
        "服务机构",
        "统一社会信用代码",
        "兑付申请编号",
        "核销笔数",
        "兑付金额（元）",
    )
    assert rows[1][:6] == (
        1,
        "长春技术转移中心",
        agency.uscc,
        f"DF{program.year}-{claim.pk:05d}",
        1,
        10000,
    )
    assert rows[2][0] == "合计" and rows[2][5] == 10000
    bureau.close()

    # The bureau's pages on a phone, with a relation declared after the fact and scanned.
    abuse.record_relation(bureau_user, agency.uscc, holder.uscc, "control", "参股30%")
    assert abuse.scan(program) == 1
    bphone = browser.new_context(**PHONE)
    ppage = bphone.new_page()
    login(ppage, base, "city_admin")
    ppage.goto(f"{base}/sharing/flags/")
    assert "已登记关联关系：控股或参股" in ppage.inner_text("#flags")
    assert fits(ppage)
    ppage.screenshot(path=SHOTS / "sharing-redeem-flags-phone.png", full_page=True)
    for url in ("/sharing/redemptions/", "/sharing/settlements/payments/", "/sharing/flags/",
                "/sharing/relations/", f"/sharing/settlements/{claim.pk}/"):  # fmt: skip
        ppage.goto(base + url)
        assert fits(ppage), url
    ppage.goto(f"{base}/sharing/settlements/payments/")
    ppage.screenshot(path=SHOTS / "sharing-redeem-payments-phone.png", full_page=True)
    bphone.close()

    # Once the voucher has expired, a further redemption is refused with the date shown.
    expired_on = timezone.localdate() - datetime.timedelta(days=1)
    Voucher.objects.filter(pk=voucher.pk).update(expires_on=expired_on)
    pphone = browser.new_context(**PHONE)
    page = pphone.new_page()
    login(page, base, "provider")
    page.goto(f"{base}/sharing/redemptions/")
    fill_redeem_form(page, voucher.code, holder.uscc, "JC-2026-002", "5000")
    expected = (
        f"创新券已于{expired_on.year}年{expired_on.month}月{expired_on.day}日过期，不能核销。"
    )
    assert expected in page.inner_text("#redeem")
    assert fits(page)
    page.screenshot(path=SHOTS / "sharing-redeem-expired-phone.png", full_page=True)
    pphone.close()
    assert Redemption.objects.count() == 1
    assert Voucher.objects.get(pk=voucher.pk).redeemed == Decimal("10000")
