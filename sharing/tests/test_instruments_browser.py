"""Instrument sharing in a real Chromium: an enterprise finds an instrument and books a slot
from the week calendar; another organisation, whose page was open on the same slot, is told it
was taken; the host approves, records the usage after the slot, the enterprise confirms it with
a satisfaction score on a phone, and the statistics show the utilisation. The pages fit a
1366×768 screen and a 390 px phone."""

import datetime

import pytest
from django.utils import timezone

from core.choices import OrgType, Role
from core.factories import MembershipFactory, OrganisationFactory
from kechuang.browser import DESKTOP, PHONE, SHOTS, fits, login, requires_chromium
from resources.factories import InstrumentFactory
from sharing.models import Booking, SharingSlot, UsageRecord
from sharing.services import bookings

pytestmark = [pytest.mark.browser, requires_chromium]

TAKEN = "该时段已被其他单位预约，请选择其他时段。"


def test_an_enterprise_books_the_host_serves_and_the_statistics_show_it(
    live_server, browser, personas
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    university = OrganisationFactory(
        name="吉林大学", type=OrgType.UNIVERSITY, contact_phone="0431-85166666"
    )
    host = MembershipFactory(
        user__username="jlu", user__display_name="张科研", organisation=university,
        role=Role.INSTITUTE,
    ).user  # fmt: skip
    MembershipFactory(
        user__username="rival", user__display_name="钱企业",
        organisation=OrganisationFactory(name="长春启明汽车电子有限公司"), role=Role.ENTERPRISE,
    )  # fmt: skip
    instrument = InstrumentFactory(
        owner=university,
        title="场发射扫描电子显微镜",
        model_number="SU8010",
        fee="300元/小时",
        sharing_terms="工作日对外开放，需提前预约并说明样品情况。",
    )
    InstrumentFactory(owner=university, title="X射线衍射仪", fee="200元/样")
    day = timezone.localdate() + datetime.timedelta(days=7)
    bookings.open_batch(
        host,
        instrument,
        date_from=day - datetime.timedelta(days=day.weekday()),
        date_to=day - datetime.timedelta(days=day.weekday()) + datetime.timedelta(days=4),
        periods="09:00-12:00, 13:30-17:30",
    )
    slot = SharingSlot.objects.order_by("starts_at").first()
    base = live_server.url
    calendar_url = f"{base}/sharing/instruments/{instrument.pk}/"

    # The rival has the booking form of the first slot open before anyone books it.
    rival = browser.new_context(**DESKTOP)
    rival_page = rival.new_page()
    login(rival_page, base, "rival")
    rival_page.goto(f"{calendar_url}?slot={slot.pk}#book")
    assert rival_page.is_visible("#id_sample_description")

    desktop = browser.new_context(**DESKTOP)
    page = desktop.new_page()
    login(page, base, "enterprise")
    page.click("nav.mainnav >> text=共享服务")
    page.click("nav.section-tabs >> text=仪器共享")
    assert "场发射扫描电子显微镜" in page.inner_text("main")
    assert fits(page)
    page.screenshot(path=SHOTS / "sharing-booking-instruments.png", full_page=True)
    page.click("table >> text=场发射扫描电子显微镜")
    assert "可预约" in page.inner_text("#calendar")
    assert fits(page)
    page.screenshot(path=SHOTS / "sharing-booking-calendar.png", full_page=True)
    page.click(f"a.slot[data-slot='{slot.pk}']")
    page.fill("#id_sample_description", "锂电池正极材料粉末，约5克")
    page.fill("#id_service_requested", "表面形貌观察与能谱分析")
    page.fill("#id_sample_count", "3")
    page.click("#book button")
    assert "已提交预约" in page.inner_text("main")
    booking = Booking.objects.get(slot=slot)
    assert booking.organisation.name == "长春华锐光电科技有限公司"
    page.goto(calendar_url)
    assert "本单位已预约" in page.inner_text("#calendar")

    # The rival submits the form it had open: refused, with the message on the page.
    rival_page.fill("#id_sample_description", "汽车电子元件焊点")
    rival_page.fill("#id_service_requested", "焊点截面观察")
    rival_page.click("#book button")
    assert TAKEN in rival_page.inner_text("#book")
    assert Booking.objects.filter(slot=slot).count() == 1
    assert fits(rival_page)
    rival_page.screenshot(path=SHOTS / "sharing-booking-taken.png", full_page=True)
    rival.close()

    # The host approves from its bookings list.
    owner = browser.new_context(**DESKTOP)
    host_page = owner.new_page()
    login(host_page, base, "jlu")
    host_page.goto(f"{base}/sharing/bookings/?side=host")
    assert "长春华锐光电科技有限公司" in host_page.inner_text("main")
    assert fits(host_page)
    host_page.screenshot(path=SHOTS / "sharing-booking-host.png", full_page=True)
    host_page.click("table button >> text=确认")
    assert "已确认长春华锐光电科技有限公司的预约" in host_page.inner_text("main")
    host_page.goto(f"{base}/sharing/instruments/{instrument.pk}/slots/")
    assert fits(host_page)
    host_page.screenshot(path=SHOTS / "sharing-booking-slots.png", full_page=True)

    # After the slot, the host records the usage.
    start = timezone.now() - datetime.timedelta(hours=4)
    SharingSlot.objects.filter(pk=slot.pk).update(
        starts_at=start, ends_at=start + datetime.timedelta(hours=3)
    )
    host_page.goto(f"{base}/sharing/bookings/{booking.pk}/")
    host_page.fill("#id_hours", "2.5")
    host_page.fill("#id_samples", "3")
    host_page.fill("#id_fee", "750")
    host_page.fill("#id_service_summary", "完成3个样品的形貌观察与能谱分析，出具测试报告。")
    host_page.click("#usage button")
    assert "已登记使用记录，等待预约单位确认" in host_page.inner_text("main")
    assert fits(host_page)
    host_page.screenshot(path=SHOTS / "sharing-booking-usage.png", full_page=True)
    desktop.close()

    # The enterprise confirms on a phone.
    phone = browser.new_context(**PHONE)
    page = phone.new_page()
    login(page, base, "enterprise")
    page.goto(f"{base}/sharing/bookings/")
    assert fits(page)
    page.screenshot(path=SHOTS / "sharing-booking-mine-phone.png", full_page=True)
    page.click("table >> text=确认记录")
    page.check("#confirm input[value='5']")
    page.fill("#id_comment", "报告及时，数据清晰。")
    page.click("#confirm button")
    assert "已确认使用记录，感谢您的评价" in page.inner_text("main")
    assert UsageRecord.objects.get().satisfaction == 5
    assert fits(page)
    page.screenshot(path=SHOTS / "sharing-booking-confirmed-phone.png", full_page=True)
    page.goto(calendar_url + "?week=" + (day - datetime.timedelta(days=day.weekday())).isoformat())
    assert "可预约" in page.inner_text("#calendar")
    assert fits(page)
    page.screenshot(path=SHOTS / "sharing-booking-calendar-phone.png", full_page=True)
    phone.close()

    # The statistics show the utilisation: 2.5 of the 3 + 9 × 3.5 … hours offered.
    year = timezone.localdate().year
    offered = sum(
        (s.ends_at - s.starts_at).total_seconds() / 3600
        for s in SharingSlot.objects.all()
        if timezone.localtime(s.starts_at).year == year
    )
    expected = f"{2.5 / offered * 100:.1f}%"
    owner_page = owner.new_page()
    owner_page.goto(f"{base}/sharing/statistics/")
    text = owner_page.inner_text("main")
    assert "场发射扫描电子显微镜" in text
    assert expected in text
    assert fits(owner_page)
    owner_page.screenshot(path=SHOTS / "sharing-booking-statistics.png", full_page=True)
    owner.close()

    phone = browser.new_context(**PHONE)
    page = phone.new_page()
    login(page, base, "city_admin")
    page.goto(f"{base}/sharing/statistics/")
    assert "吉林大学" in page.inner_text("main")
    assert expected in page.inner_text("main")
    assert fits(page)
    page.screenshot(path=SHOTS / "sharing-booking-statistics-phone.png", full_page=True)
    page.goto(f"{base}/sharing/instruments/{instrument.pk}/slots/")
    assert fits(page)
    page.screenshot(path=SHOTS / "sharing-booking-slots-phone.png", full_page=True)
    for url in (
        "/sharing/instruments/",
        f"/sharing/instruments/{instrument.pk}/",
        f"/sharing/bookings/{booking.pk}/",
        "/sharing/bookings/?side=host",
    ):
        page.goto(base + url)
        assert fits(page), url
    phone.close()
