"""The 科创大脑 dashboard in a real Chromium: the 长春 map (公主岭市 included) and the other
charts draw from the page's own static files, each chart has its table view, on a desktop and
on a phone."""

from decimal import Decimal

import pytest

from brain.models import ComparisonValue, Indicator, IndicatorValue
from core.choices import RegionKind
from core.factories import OrganisationFactory
from core.models import Region, User
from kechuang.browser import SHOTS, login, requires_chromium
from resources.factories import AchievementFactory

from .test_dashboard import CHARTS_DIR

pytestmark = [
    pytest.mark.browser,
    requires_chromium,
    pytest.mark.skipif(
        not CHARTS_DIR.is_dir(), reason="chart assets are installed by `make setup`"
    ),
]

# R&D intensity (%) in 2025 by unit; 九台区 and 长春汽车经济技术开发区 have not reported.
FIGURES = {
    "220102": "2.61",
    "220103": "1.72",
    "220104": "2.95",
    "220105": "2.18",
    "220106": "1.94",
    "220112": "0.86",
    "220122": "0.52",
    "220182": "0.47",
    "220183": "0.69",
    "220184": "0.91",
    "220171": "3.84",
    "220172": "4.46",
    "220173": "5.32",
}
CITY = {"2020": "2.05", "2021": "2.15", "2022": "2.22", "2023": "2.31", "2024": "2.38"}


def figures():
    bureau = User.objects.get(username="city_admin")
    rd = Indicator.objects.create(
        code="rd_intensity",
        name="全社会研发投入强度",
        unit="%",
        direction="higher",
        definition="R&D经费支出占地区生产总值的比重。",
        source="市统计局、市科技局（统计公报）",
        frequency="year",
        method="entered",
        baseline_year=2020,
        baseline_value=Decimal("2.05"),
        target_year=2025,
        target_value=Decimal("2.6"),
        target_note="规划：研发投入强度接近全国平均水平（2.6%）",
        comparison_key="RD强度",
    )
    regions = {r.code: r for r in Region.objects.all()}
    rows = [("220100", p, v) for p, v in CITY.items()]
    rows += [(code, "2025", v) for code, v in FIGURES.items()] + [("220100", "2025", "2.42")]
    for code, period, value in rows:
        IndicatorValue.objects.create(
            indicator=rd,
            region=regions[code],
            period=period,
            value=Decimal(value),
            entered_by=bureau,
        )
    for area, values in (
        ("吉林省", ("1.30", "1.39", "1.43", "1.52", "1.55")),
        ("全国", ("2.40", "2.43", "2.56", "2.65", "2.68")),
    ):
        for year, value in zip(range(2020, 2025), values, strict=True):
            ComparisonValue.objects.create(
                key="RD强度",
                area=area,
                year=year,
                value=Decimal(value),
                unit="%",
                source="国家统计局、吉林省统计局（统计公报）",
            )
    for region in Region.objects.exclude(kind=RegionKind.CITY)[:5]:
        AchievementFactory(owner=OrganisationFactory(region=region))


def test_the_dashboard_draws_the_map_and_charts(live_server, browser, personas):
    SHOTS.mkdir(parents=True, exist_ok=True)
    figures()
    base = live_server.url
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    login(page, base, "leader")
    # Watched from here on: font requests of the login page may be cut off by the navigation.
    # A font subset the browser itself abandons (ERR_ABORTED) is not a missing file.
    failed = []
    page.on(
        "requestfailed",
        lambda r: (
            None
            if r.url.endswith(".woff2") and "ERR_ABORTED" in (r.failure or "")
            else failed.append(r.url)
        ),
    )
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{base}/brain/dashboard/")
    page.wait_for_selector("html[data-brain-charts=ready]", timeout=15000)
    assert not errors and not failed, (errors, failed)
    # The map: the 11 county-level units (公主岭市 included) drawn as SVG paths with labels.
    assert page.locator("#chart-map[data-rendered] svg path").count() >= 11
    map_text = page.inner_text("#chart-map")
    assert "公主岭市" in map_text or "公主岭市" in page.inner_html("#chart-map")
    for chart in ("ranking", "trend", "funnel"):
        assert page.locator(f"#chart-{chart}[data-rendered] svg").count() == 1, chart
    main = page.inner_text("main")
    assert "不在地图上绘制" in main and "长春高新技术产业开发区 5.32" in main
    assert "暂无数据（地图上为灰色）：九台区、长春汽车经济技术开发区" in main
    # The labels are drawn in the page's web font, not a fallback.
    assert page.evaluate("document.fonts.check('12px \"Noto Sans SC\"', '公主岭市')")
    page.screenshot(path=SHOTS / "brain-dashboard.png")
    page.screenshot(path=SHOTS / "brain-dashboard-full.png", full_page=True)
    # Every chart has its table view with the same numbers.
    assert page.locator("details.chart-table").count() == 4
    page.click("#map-title ~ details.chart-table summary")
    assert "5.32" in page.inner_text("#map-title ~ details.chart-table table")

    # Another period through the select (the form submits itself).
    page.select_option("#id_period", "2024")
    page.wait_for_selector("html[data-brain-charts=ready]")
    assert "期别 2024" in page.inner_text("#map-title ~ .chart-meta")
    context.close()

    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", device_scale_factor=2
    )
    page = phone.new_page()
    login(page, base, "leader")
    page.goto(f"{base}/brain/dashboard/")
    page.wait_for_selector("html[data-brain-charts=ready]", timeout=15000)
    assert page.locator("#chart-map[data-rendered] svg path").count() >= 11
    # Nothing sticks out sideways: tables scroll inside their own boxes.
    page.click("#map-title ~ details.chart-table summary")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=SHOTS / "brain-dashboard-phone.png", full_page=True)
    phone.close()

    # A district admin: the city's totals and their own unit; the other units not shown.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = phone.new_page()
    login(page, base, "district_admin")
    page.goto(f"{base}/brain/dashboard/")
    page.wait_for_selector("html[data-brain-charts=ready]", timeout=15000)
    assert page.locator("#chart-map[data-rendered] svg path").count() >= 11
    main = page.inner_text("main")
    assert "不在查看范围" in main and "长春高新技术产业开发区 5.32" in main
    assert "2.61" not in main  # 南关区's figure
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=SHOTS / "brain-dashboard-district-phone.png", full_page=True)
    phone.close()
