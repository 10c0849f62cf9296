"""The catalog in a real Chromium: the bureau compiles and publishes one on a desktop; anyone
reads it on a phone without logging in."""

from decimal import Decimal as D

import pytest

from core.models import HighTechField, Organisation, User
from kechuang.browser import SHOTS, login, requires_chromium
from resources.factories import AchievementFactory
from transfer.models import Screening

pytestmark = [pytest.mark.browser, requires_chromium]

RECORDS = [
    ("高功率半导体激光器封装与热管理技术", "1", "A", "91.50", True, D("120")),
    ("基于深度学习的工业视觉缺陷检测系统", "1", "A", "88.00", False, None),
    ("高强度镁合金板材轧制工艺", "4", "B", "79.25", True, D("1500")),
]


def selected_achievements():
    org = Organisation.objects.get(name="长春华锐光电科技有限公司")
    bureau = User.objects.get(username="city_admin")
    for title, field, grade, score, license_ok, price in RECORDS:
        record = AchievementFactory(
            owner=org,
            title=title,
            hightech_field=HighTechField.objects.get(code=field),
            summary="采用新型热沉结构和金锡共晶焊接工艺，输出功率提高到200W以上，已完成中试。",
            allows_license=license_ok,
            allows_equity=not license_ok,
            asking_price=price,
            contact_name="李明",
            contact_phone="0431-85001234",
        )
        Screening.objects.create(
            achievement=record,
            round="2026年第4季度",
            indicator_version="2026-1",
            score=D(score),
            grade=grade,
            decision="selected",
            created_by=bureau,
        )


def fits(page) -> bool:
    """Nothing sticks out sideways (wide tables scroll inside their own frame)."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_bureau_publishes_a_catalog_that_anyone_reads_on_a_phone(
    live_server, browser, personas, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    SHOTS.mkdir(parents=True, exist_ok=True)
    selected_achievements()
    base = live_server.url
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    login(page, base, "city_admin")
    page.goto(f"{base}/transfer/catalogs/")
    page.click("text=编制新目录")
    page.fill("#id_title", "2026年第4季度优秀科技成果目录")
    page.fill("#id_period", "2026年第4季度")
    page.fill("#id_introduction", "为加快科技成果在长春落地转化，编制本目录。")
    page.click("form.form button >> text=保存")
    page.click("text=添加入选成果")
    for _ in RECORDS:
        page.click("table >> text=列入目录 >> nth=0")
    assert "没有可添加的成果" in page.inner_text("main")
    page.click("text=返回目录")
    main = page.inner_text("main")
    assert "编制中" in main and "收录成果 3 项" in main
    assert fits(page)
    page.screenshot(path=SHOTS / "transfer-catalog-draft.png", full_page=True)
    page.click("text=发布目录")
    main = page.inner_text("main")
    assert "目录已发布" in main and "下载 PDF 版" in main
    page.screenshot(path=SHOTS / "transfer-catalog-published.png", full_page=True)
    url = page.url
    context.close()

    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", device_scale_factor=2
    )
    page = phone.new_page()
    page.goto(url)  # not logged in
    main = page.inner_text("main")
    assert "高功率半导体激光器封装与热管理技术" in main and "新材料" in main
    assert fits(page)
    page.screenshot(path=SHOTS / "transfer-catalog-phone.png", full_page=True)
    phone.close()
