"""Vouchers in a real Chromium: the bureau opens a program; an enterprise in the 科技型中小企业
pool sees it is eligible and applies; the bureau issues; the enterprise sees its number; the
public verification page shows it valid with the holder masked. The provider directory too.
Every page fits a 1366×768 screen and a 390 px phone."""

import datetime

import pytest
from django.utils import timezone

from core.choices import Role
from core.factories import MembershipFactory, OrganisationFactory
from core.models import Organisation, User
from cultivation.models import PoolMembership
from kechuang.browser import DESKTOP, PHONE, SHOTS, fits, login, requires_chromium
from sharing.choices import ProgramStatus, ProviderStatus
from sharing.factories import ServiceProviderFactory, VoucherProgramFactory
from sharing.models import Voucher
from sharing.services import vouchers

pytestmark = [pytest.mark.browser, requires_chromium]


def test_the_bureau_opens_an_enterprise_applies_and_the_public_verifies(
    live_server, browser, personas
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    org = Organisation.objects.get(name="长春华锐光电科技有限公司")
    PoolMembership.objects.create(
        organisation=org,
        tier="sme_tech",
        entered_on=timezone.localdate() - datetime.timedelta(days=90),
        entry_reason="科技型中小企业评价入库（2026年第一批）",
        entered_by=User.objects.get(username="city_admin"),
    )
    program = VoucherProgramFactory(
        name="2026年长春市科技创新券（第一批）",
        status=ProgramStatus.DRAFT,
        eligible_tiers=["sme_tech"],
        description="支持科技型中小企业购买检验检测、研发设计和大型仪器共享服务。",
    )
    ServiceProviderFactory(organisation__name="长春检测技术服务有限公司")
    base = live_server.url

    bureau = browser.new_context(**DESKTOP)
    page = bureau.new_page()
    login(page, base, "city_admin")
    page.goto(f"{base}/sharing/programs/")
    page.click("#programs >> text=2026年长春市科技创新券（第一批）")
    page.click("#open-program")
    assert "项目已开始受理" in page.inner_text("main")
    assert fits(page)

    enterprise = browser.new_context(**DESKTOP)
    page2 = enterprise.new_page()
    login(page2, base, "enterprise")
    page2.click("nav.mainnav >> text=共享服务")
    page2.click("nav.section-tabs >> text=创新券")
    page2.click("#programs >> text=2026年长春市科技创新券（第一批）")
    assert "长春华锐光电科技有限公司符合申领条件" in page2.inner_text("#eligibility")
    page2.select_option("#id_face_value", "30000")
    page2.select_option("#id_category", "testing")
    page2.fill("#id_purpose", "新型光电传感器电磁兼容与环境可靠性检测。")
    page2.click("#apply button")
    assert "申领已提交" in page2.inner_text("main")
    assert "待审核" in page2.inner_text("#my-applications")
    assert fits(page2)
    page2.screenshot(path=SHOTS / "sharing-voucher-apply.png", full_page=True)

    page.goto(f"{base}/sharing/programs/{program.pk}/")
    assert "符合申领条件" in page.inner_text("#queue")
    page.screenshot(path=SHOTS / "sharing-voucher-queue.png", full_page=True)
    page.click("#queue button >> text=发券")
    voucher = Voucher.objects.get()
    assert f"券号 {voucher.code}" in page.inner_text("main")
    assert "970,000.00" in page.inner_text("#budget")
    assert fits(page)
    page.screenshot(path=SHOTS / "sharing-voucher-program.png", full_page=True)
    bureau.close()

    page2.goto(f"{base}/sharing/vouchers/")
    assert voucher.code in page2.inner_text("#my-vouchers")
    assert "有效" in page2.inner_text("#my-vouchers")
    assert fits(page2)
    page2.screenshot(path=SHOTS / "sharing-voucher-mine.png", full_page=True)
    enterprise.close()

    phone = browser.new_context(**PHONE)
    page3 = phone.new_page()
    page3.goto(f"{base}/sharing/vouchers/verify/")
    page3.fill("#id_code", voucher.code.lower().replace("-", ""))
    page3.click("#verify-form button")
    result = page3.inner_text("#verify-result")
    assert "长春***有限公司" in result
    assert "长春华锐光电科技有限公司" not in result
    assert "有效" in result
    assert "30,000.00" in result
    assert fits(page3)
    page3.screenshot(path=SHOTS / "sharing-voucher-verify-phone.png", full_page=True)
    wrong = voucher.code[:-1] + ("0" if voucher.code[-1] != "0" else "1")
    page3.fill("#id_code", wrong)
    page3.click("#verify-form button")
    assert "校验位不符" in page3.inner_text("#verify-error")
    page3.goto(f"{base}/sharing/programs/{program.pk}/")
    assert fits(page3)
    page3.screenshot(path=SHOTS / "sharing-voucher-program-phone.png", full_page=True)
    phone.close()

    phone = browser.new_context(**PHONE)
    page4 = phone.new_page()
    login(page4, base, "enterprise")
    for url in ("/sharing/vouchers/", f"/sharing/vouchers/{voucher.pk}/", "/sharing/programs/"):
        page4.goto(base + url)
        assert fits(page4), url
    page4.goto(f"{base}/sharing/vouchers/")
    page4.screenshot(path=SHOTS / "sharing-voucher-mine-phone.png", full_page=True)
    phone.close()

    rival = MembershipFactory(
        organisation=OrganisationFactory(name="长春启明汽车电子有限公司"), role=Role.ENTERPRISE
    ).user
    PoolMembership.objects.create(
        organisation=rival.current_membership.organisation,
        tier="sme_tech",
        entered_on=timezone.localdate() - datetime.timedelta(days=30),
        entry_reason="科技型中小企业评价入库",
        entered_by=User.objects.get(username="city_admin"),
    )
    vouchers.apply_for_voucher(
        rival, program, face_value="10000", category="rd", purpose="车载控制器结构设计。"
    )  # waits in the bureau's queue
    phone = browser.new_context(**PHONE)
    page5 = phone.new_page()
    login(page5, base, "city_admin")
    for url in (
        f"/sharing/programs/{program.pk}/",
        f"/sharing/programs/{program.pk}/edit/",
        "/sharing/vouchers/",
        f"/sharing/vouchers/{voucher.pk}/",
    ):
        page5.goto(base + url)
        assert fits(page5), url
    page5.goto(f"{base}/sharing/programs/{program.pk}/")
    page5.screenshot(path=SHOTS / "sharing-voucher-bureau-phone.png", full_page=True)
    phone.close()


def test_the_provider_directory_and_an_application(live_server, browser, personas):
    SHOTS.mkdir(parents=True, exist_ok=True)
    ServiceProviderFactory(
        organisation__name="长春检测技术服务有限公司",
        categories=["testing", "instrument"],
        qualifications=[
            {
                "name": "检验检测机构资质认定（CMA）",
                "number": "220012345678",
                "valid_until": "2029-12-31",
            },
            {"name": "实验室认可（CNAS）", "number": "L12345", "valid_until": "2024-06-30"},
        ],
    )
    ServiceProviderFactory(
        organisation__name="长春工业设计研究院有限公司",
        categories=["rd", "consulting"],
        services="工业设计、结构仿真与样机开发，面向汽车零部件和光电企业。",
    )
    ServiceProviderFactory(
        organisation__name="长春待审科技服务有限公司", status=ProviderStatus.PENDING
    )
    base = live_server.url

    desktop = browser.new_context(**DESKTOP)
    page = desktop.new_page()
    page.goto(f"{base}/sharing/providers/")
    text = page.inner_text("#providers")
    assert "长春检测技术服务有限公司" in text
    assert "已过期" in text
    assert "暂无评价" in text
    assert "长春待审科技服务有限公司" not in text
    assert fits(page)
    page.screenshot(path=SHOTS / "sharing-providers.png", full_page=True)
    page.select_option("#id_category", "rd")
    page.click("form.filters button")
    assert "长春检测技术服务有限公司" not in page.inner_text("main")
    assert "长春工业设计研究院有限公司" in page.inner_text("#providers")
    page.click("#providers >> text=长春工业设计研究院有限公司")
    assert "工业设计、结构仿真" in page.inner_text("main")
    assert fits(page)
    page.screenshot(path=SHOTS / "sharing-providers-detail.png", full_page=True)
    desktop.close()

    phone = browser.new_context(**PHONE)
    page = phone.new_page()
    login(page, base, "enterprise")
    page.goto(f"{base}/sharing/providers/")
    assert fits(page)
    page.screenshot(path=SHOTS / "sharing-providers-phone.png", full_page=True)
    page.click("text=申请入库")
    page.check("input[name=categories][value=testing]")
    page.fill("#id_services", "光电器件检测与可靠性试验。")
    page.fill("#id_qualifications", "CMA | 2200999 | 2030-01-01\n只有名称")
    page.fill("#id_contact_name", "李企业")
    page.fill("#id_contact_phone", "0431-85550001")
    page.click("form.form button >> text=提交申请")
    assert "第2行“只有名称”格式不对" in page.inner_text("main")
    page.fill("#id_qualifications", "CMA | 2200999 | 2030-01-01")
    page.click("form.form button >> text=提交申请")
    assert "入库申请已提交" in page.inner_text("main")
    assert fits(page)
    page.screenshot(path=SHOTS / "sharing-providers-apply-phone.png", full_page=True)
    phone.close()
