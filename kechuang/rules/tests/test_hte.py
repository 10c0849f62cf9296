"""高新技术企业认定: every condition at, just below and just above its threshold (RULES.md A1)."""

import pytest

from .helpers import WAN, run, verdict

ALL_REVIEWS = {
    "core_ip": True,
    "ip_advancement": 8,
    "ip_core_support": 8,
    "ip_count_class1": 8,
    "ip_acquired_own": 6,
    "conversion": 30,
    "rd_management_system": 6,
    "rd_management_platform": 6,
    "rd_management_incentive": 4,
    "rd_management_talent": 4,
    "net_asset_growth": 6,
    "sales_growth": 4,
}


def reviewed(**overrides):
    return {"hte": {**ALL_REVIEWS, **overrides}}


@pytest.mark.parametrize(
    ("founded", "days", "passed"),
    [("2024-06-29", 366, True), ("2024-06-30", 365, True), ("2024-07-01", 364, False)],
)
def test_registration_needs_365_days(founded, days, passed):
    assert verdict("hte", "registered", founded=founded)[:2] == (passed, days)


@pytest.mark.parametrize(
    ("tech", "staff", "passed"), [(10, 100, True), (999, 10_000, False), (11, 100, True)]
)
def test_tech_staff_share_is_at_least_ten_percent(tech, staff, passed):
    assert verdict("hte", "tech_staff_ratio", tech_staff=tech, staff=staff)[0] is passed


@pytest.mark.parametrize(
    ("latest_revenue", "threshold"),
    [
        (50_000_000, 0.05),  # ≤ 5000万: 5 %
        (50_000_001, 0.04),  # 5000万 – 2亿 (含): 4 %
        (200_000_000, 0.04),
        (200_000_001, 0.03),  # > 2亿: 3 %
    ],
)
def test_rd_ratio_threshold_follows_the_latest_revenue_band(latest_revenue, threshold):
    revenue = [latest_revenue] * 3
    total = 3 * latest_revenue
    at = total * threshold
    for rd_total, passed in ((at, True), (at - 1, False), (at + 1, True)):
        rd = [rd_total / 3] * 3
        figures = dict(
            revenue=revenue,
            main_revenue=[v * 0.9 for v in revenue],
            rd_expense_hte=rd,
            rd_expense_hte_domestic=rd,
        )
        ok, value, used = verdict("hte", "rd_ratio", **figures)
        assert used == threshold
        assert ok is passed, (latest_revenue, rd_total, value)


def test_rd_ratio_of_a_young_company_uses_only_its_years_in_business():
    # founded in 2023: the 2022 column is not counted even if filled in
    record = dict(founded="2023-03-01", revenue=[900_000_000, 100_000_000, 100_000_000])
    for rd, passed in (([0, 4_000_000, 4_000_000], True), ([0, 4_000_000, 3_999_999], False)):
        ok, value, _ = verdict(
            "hte", "rd_ratio", rd_expense_hte=rd, rd_expense_hte_domestic=rd, **record
        )
        assert ok is passed and value == pytest.approx(0.04, abs=1e-7)


def test_a_missing_year_in_business_is_reported_missing_not_zero():
    a = run("hte", rd_expense_hte=[None, 4_500_000, 5_000_000], reviews=reviewed())
    c = a.criterion("rd_ratio")
    assert (c.passed, c.value, c.status) == (None, None, "missing")
    assert c.missing == ("rd_expense_hte",)
    assert a.eligible is False and a.status == "incomplete"
    assert any("缺少数据" in g and "研发费用（高企口径）" in g for g in a.gaps)


def test_rd_gap_says_how_much_more_rd_is_needed():
    a = run(
        "hte",
        revenue=[100_000_000] * 3,
        rd_expense_hte=[3_200_000] * 3,
        rd_expense_hte_domestic=[3_200_000] * 3,
    )
    assert "近三个会计年度研发费用占销售收入比例 3.2%，需 ≥ 4%，差额约 240 万元" in a.gaps


@pytest.mark.parametrize(("domestic", "passed"), [(0.60, True), (0.5999, False), (0.61, True)])
def test_domestic_rd_share_is_at_least_sixty_percent(domestic, passed):
    rd = [10_000_000] * 3
    ok, _, _ = verdict(
        "hte",
        "domestic_rd_share",
        rd_expense_hte=rd,
        rd_expense_hte_domestic=[v * domestic for v in rd],
    )
    assert ok is passed


@pytest.mark.parametrize(
    ("income", "passed"), [(60_000_000, True), (59_999_999, False), (60_000_001, True)]
)
def test_high_tech_income_share_is_at_least_sixty_percent(income, passed):
    assert (
        verdict("hte", "hightech_income_share", hightech_income=income, total_income=100_000_000)[0]
        is passed
    )


def test_a_major_incident_disqualifies():
    a = run("hte", major_incident=True, reviews=reviewed())
    assert a.eligible is False
    assert "申请认定前一年内发生过重大安全、重大质量事故或严重环境违法行为，不得认定" in a.gaps


def test_field_outside_the_eight_fields_is_missing_when_not_given():
    a = run("hte", hte_field=None, reviews=reviewed())
    assert a.criterion("hte_field").status == "missing"
    assert a.status == "incomplete"


def test_without_expert_reviews_the_outcome_waits_for_judgement():
    a = run("hte")
    assert a.eligible is None and a.status == "needs_review"
    assert a.score is None
    low, high = a.score_range
    assert low < 71 <= high
    assert a.criterion("core_ip").passed is None
    assert a.criterion("rd_management_system").points is None
    assert "拥有核心知识产权：待专家评审" in a.gaps


def test_with_reviews_the_score_is_exact_and_decides():
    a = run("hte", reviews=reviewed())
    assert (a.eligible, a.score) == (True, 90)
    parts = {c.id: c.points for c in a.criteria if c.points is not None}
    assert parts["conversion"] == 30 and parts["ip_count_class1"] == 8


@pytest.mark.parametrize(("management", "score", "eligible"), [(0, 70, False), (1, 71, True)])
def test_innovation_score_must_exceed_seventy(management, score, eligible):
    reviews = reviewed(
        rd_management_system=management,
        rd_management_platform=0,
        rd_management_incentive=0,
        rd_management_talent=0,
    )
    a = run("hte", reviews=reviews)
    assert a.score == score and a.eligible is eligible


def test_intellectual_property_points_are_capped_at_thirty():
    standards = [{"year": 2024, "level": "national", "lead": False}]
    a = run("hte", standards=standards, reviews=reviewed(ip_standards_bonus=2))
    assert a.criterion("ip_standards_bonus").points == 2
    assert a.score == 90  # 8 + 8 + 8 + 6 + 2 = 32, counted as 30


def test_an_enterprise_with_no_ip_fails_core_ip_whatever_the_experts_say():
    a = run(
        "hte", ip_class1=0, ip_class1_own=0, ip_class1_high_value=0, ip_class2=0, reviews=reviewed()
    )
    assert a.criterion("core_ip").passed is False
    assert a.eligible is False


def test_core_ip_judged_insufficient_makes_it_ineligible():
    assert run("hte", reviews=reviewed(core_ip=False)).eligible is False


@pytest.mark.parametrize(
    ("conversions", "band"),
    [
        ([15, 0, 0], (25, 30)),
        ([4, 4, 4], (19, 24)),
        ([3, 3, 3], (13, 18)),
        ([2, 2, 2], (7, 12)),
        ([1, 1, 1], (1, 6)),
        ([0, 0, 0], 0),
    ],
)
def test_conversion_bands_follow_the_yearly_average(conversions, band):
    c = run("hte", conversions=conversions).criterion("conversion")
    assert (c.points if c.points is not None else c.points_range) == band


@pytest.mark.parametrize(
    ("net_assets", "band"),
    [
        ([100, 135, 182.25], (9, 10)),  # 35 % a year
        ([100, 125, 156.25], (7, 8)),
        ([100, 115, 132.25], (5, 6)),
        ([100, 105, 110.25], (3, 4)),
        ([100, 101, 102.01], (1, 2)),
        ([100, 100, 100], 0),
    ],
)
def test_growth_bands(net_assets, band):
    c = run("hte", net_assets=[v * WAN for v in net_assets]).criterion("net_asset_growth")
    assert (c.points if c.points is not None else c.points_range) == band


def test_growth_of_a_two_year_old_company_is_left_to_the_experts():
    c = run("hte", founded="2023-02-01", net_assets=[None, 50 * WAN, 60 * WAN]).criterion(
        "net_asset_growth"
    )
    assert c.status == "review" and c.points_range == (0, 10)
