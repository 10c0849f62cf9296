"""创新型中小企业, 专精特新中小企业, 专精特新“小巨人” (工信部企业〔2022〕63号, RULES.md A3)."""

import pytest

from .helpers import points, run, verdict

NO_IP = dict(
    ip_class1=0,
    ip_class1_own=0,
    ip_class1_high_value=0,
    ip_class2=0,
    ip_class1_main=0,
    invention_patents_main=0,
)


# -- 创新型中小企业 ---------------------------------------------------------------------------------
def test_innovative_sme_healthy_enterprise_scores_ninety_five():
    a = run("innovative_sme")
    assert (a.eligible, a.score) == (True, 95)


@pytest.mark.parametrize(
    ("main", "expected"),
    [
        (70_010_000, 20),
        (70_000_000, 15),
        (60_000_000, 15),
        (59_990_000, 10),
        (55_000_000, 10),
        (50_000_000, 5),
        (49_990_000, 0),
    ],
)
def test_innovative_main_business_share_bands(main, expected):
    assert (
        points("innovative_sme", "main_share", main_revenue=[main * 0.8, main * 0.9, main])
        == expected
    )


@pytest.mark.parametrize(
    ("liabilities", "expected"),
    [(82_485_000, 10), (82_500_000, 5), (112_500_000, 5), (112_515_000, 0)],  # of 1.5亿 assets
)
def test_innovative_debt_ratio_bands(liabilities, expected):
    assert points("innovative_sme", "debt_ratio", total_liabilities=liabilities) == expected


@pytest.mark.parametrize(
    ("rd", "expected"),
    [
        (5_000_000, 20),
        (4_999_000, 15),
        (3_000_000, 15),
        (2_000_000, 10),
        (1_000_000, 5),
        (999_000, 0),
    ],
)
def test_innovative_rd_ratio_bands(rd, expected):
    assert points("innovative_sme", "rd_ratio", rd_expense=[rd, rd, rd]) == expected


@pytest.mark.parametrize(
    ("latest", "expected"), [(103_500_000, 20), (90_000_000, 5), (89_991_000, 0)]
)
def test_innovative_main_growth_bands(latest, expected):
    figures = dict(
        main_revenue=[72_000_000, 90_000_000, latest],
        revenue=[80_000_000, 100_000_000, 120_000_000],
    )
    assert points("innovative_sme", "main_growth", **figures) == expected


@pytest.mark.parametrize(
    ("ip", "expected"),
    [
        (dict(ip_class1=1, ip_class1_own=1, ip_class1_high_value=1, ip_class2=0), 20),
        (dict(ip_class1=1, ip_class1_own=1, ip_class1_high_value=0, ip_class2=0), 15),
        (dict(ip_class1=1, ip_class1_own=0, ip_class1_high_value=0, ip_class2=0), 10),
        (dict(ip_class1=0, ip_class1_own=0, ip_class1_high_value=0, ip_class2=1), 5),
        (dict(ip_class1=0, ip_class1_own=0, ip_class1_high_value=0, ip_class2=0), 0),
    ],
)
def test_innovative_ip_takes_the_best_level(ip, expected):
    a = run("innovative_sme", **ip)
    assert a.score == 95 - 20 + expected


def test_innovative_each_category_needs_its_minimum():
    a = run(
        "innovative_sme",
        strategic_emerging=False,
        main_revenue=[40_000_000, 45_000_000, 50_000_000],
    )
    assert a.score == 40 + 25 + 10  # innovation, growth (15 + 10), specialisation (5 + 5)
    assert a.criterion("specialisation_score").passed is False
    assert a.eligible is False
    assert "专业化指标得分 10 分，需 ≥ 15 分，至少差 5 分" in a.gaps


@pytest.mark.parametrize(("raised", "eligible"), [(5_000_000, True), (4_999_999, False)])
def test_innovative_direct_route_by_equity(raised, eligible):
    a = run(
        "innovative_sme",
        **NO_IP,
        rd_expense=[0, 0, 0],
        strategic_emerging=False,
        equity_raised=[0, raised / 2, raised / 2],
    )
    assert a.criterion("total_score").passed is False
    assert a.eligible is eligible
    if eligible:
        assert a.routes == ("直接认定：近三年新增股权融资 ≥500万元",)


# -- 专精特新中小企业 -------------------------------------------------------------------------------
WEAK = dict(**NO_IP, digital_level=1, net_profit=[0, 0, 0])  # 75 − 23 = 52 certain points


def test_specialised_healthy_enterprise_is_eligible_whatever_the_province_adds():
    a = run("specialised_sme")
    assert a.eligible is True and a.score is None and a.score_range == (75, 90)
    assert a.criterion("distinctive").status == "review"


@pytest.mark.parametrize(("review", "eligible"), [(None, None), (8, True), (7, False)])
def test_specialised_province_points_decide_a_borderline_score(review, eligible):
    reviews = {"specialised_sme": {"distinctive": review}} if review is not None else None
    a = run("specialised_sme", **WEAK, reviews=reviews)
    assert a.eligible is eligible
    if review is None:
        assert a.score_range == (52, 67) and a.status == "needs_review"
    else:
        assert a.score == 52 + review


@pytest.mark.parametrize(("rd", "passed"), [(1_000_000, True), (999_999, False)])
def test_specialised_needs_a_million_of_rd(rd, passed):
    assert (
        verdict(
            "specialised_sme",
            "rd_amount",
            rd_expense=[rd, rd, rd],
            revenue=[20_000_000] * 3,
            main_revenue=[18_000_000] * 3,
        )[0]
        is passed
    )


def test_specialised_small_revenue_needs_equity_instead():
    small = dict(
        revenue=[9_000_000, 9_500_000, 9_999_999],
        main_revenue=[8_000_000, 8_500_000, 9_000_000],
        rd_expense=[1_000_000] * 3,
    )
    short = run("specialised_sme", **small, equity_raised=[0, 10_000_000, 9_999_999])
    assert short.eligible is False
    assert "上年度营业收入总额 1000 万元，需 ≥ 1000 万元" in short.gaps[0]
    assert "或满足以下任一条件：近2年新增股权融资 ≥2000万元" in short.gaps
    assert (
        run("specialised_sme", **small, equity_raised=[0, 10_000_000, 10_000_000]).eligible is True
    )


@pytest.mark.parametrize(("years", "expected"), [(1.9, 0), (2, 1), (9.9, 4), (10, 5), (14, 5)])
def test_specialised_niche_years_earn_a_point_per_two_years(years, expected):
    assert points("specialised_sme", "niche_years_points", niche_years=years) == expected


@pytest.mark.parametrize(("items", "expected"), [(0, 0), (1, 3), (2, 5)])
def test_specialised_quality_items_earn_three_points_each_up_to_five(items, expected):
    assert points("specialised_sme", "quality_items", quality_items=items) == expected


@pytest.mark.parametrize(
    ("rd", "expected"), [(5_000_000, 10), (4_000_000, 8), (1_000_000, 3 * 0 + 2), (999_999, 0)]
)
def test_specialised_rd_points_take_the_better_of_amount_and_ratio(rd, expected):
    figures = dict(
        rd_expense=[rd] * 3, revenue=[1e9] * 3, main_revenue=[9e8] * 3, net_profit=[8e7] * 3
    )
    a = run("specialised_sme", **figures)
    assert a.criterion("rd_amount_points").points == expected
    assert a.criterion("rd_ratio_points").points == 0  # ≤ 0.5 % of 10亿


def test_specialised_direct_route_by_average_rd():
    a = run(
        "specialised_sme",
        **WEAK,
        rd_expense=[0, 10_000_000, 10_000_000],
        reviews={"specialised_sme": {"distinctive": 0}},
    )
    assert a.eligible is True and a.routes[-1] == "直通：近2年研发费用年均 ≥1000万元"


def test_specialised_unconfirmed_values_are_flagged():
    a = run("specialised_sme")
    assert {"net_margin", "debt_ratio", "rd_staff_share", "rd_institution", "ip_high_value"} <= set(
        a.unconfirmed
    )
    assert a.criterion("rd_amount_points").confirmed is True


# -- 专精特新“小巨人” -------------------------------------------------------------------------------
def test_little_giant_healthy_enterprise_is_eligible_on_the_general_route():
    a = run("little_giant")
    assert a.eligible is True and a.routes == ("新：一般条件",)
    small = a.criterion("small_equity")
    assert (small.status, small.passed, small.threshold) == ("not_applicable", None, None)


@pytest.mark.parametrize(
    ("latest", "threshold"), [(100_000_000, 0.03), (99_999_999, 0.06), (50_000_000, 0.06)]
)
def test_little_giant_rd_threshold_follows_revenue(latest, threshold):
    revenue = [latest] * 3
    base = dict(revenue=revenue, main_revenue=[v * 0.9 for v in revenue])
    at = latest * threshold
    assert verdict("little_giant", "rd_ratio_each_year", rd_expense=[0, at, at], **base)[:3:2] == (
        True,
        threshold,
    )
    # each of the two years counts: one year short fails
    assert (
        verdict("little_giant", "rd_ratio_each_year", rd_expense=[0, at * 0.999, at], **base)[0]
        is False
    )


def test_little_giant_small_company_route():
    small = dict(
        revenue=[40_000_000, 44_000_000, 48_000_000],
        main_revenue=[30_000_000, 33_000_000, 36_300_000],
        rd_expense=[0, 15_000_000, 15_000_000],
        rd_staff=50,
        tech_staff=50,
    )
    ok = run("little_giant", **small, equity_raised=[0, 40_000_000, 40_000_000])
    assert ok.eligible is True
    assert ok.criterion("rd_ratio_each_year").status == "not_applicable"
    short = run("little_giant", **small, equity_raised=[0, 40_000_000, 39_999_999])
    assert short.eligible is False
    assert (
        "近2年新增股权融资总额（营业收入5000万元以下） 8000 万元，需 ≥ 8000 万元，差额约 1 元"
        in short.gaps
    )


@pytest.mark.parametrize(
    ("changes", "eligible"),
    [
        ({"awards": [{"year": 2023, "level": "national", "rank": 3}]}, True),
        ({"awards": [{"year": 2023, "level": "national", "rank": 4}]}, False),
        ({"maker_china": [{"year": 2024, "rank": 50}]}, True),
        ({"maker_china": [{"year": 2024, "rank": 51}]}, False),
    ],
)
def test_little_giant_direct_routes_replace_the_innovation_conditions(changes, eligible):
    a = run("little_giant", **NO_IP, **changes)
    assert a.criterion("core_ip").passed is False
    assert a.eligible is eligible


@pytest.mark.parametrize(("liabilities", "passed"), [(105_000_000, True), (105_015_000, False)])
def test_little_giant_debt_ratio_at_most_seventy_percent(liabilities, passed):
    a = run("little_giant", total_liabilities=liabilities)
    assert a.criterion("debt_ratio").passed is passed
    if not passed:
        assert "上年度资产负债率 70%，需 ≤ 70%，负债总额需减少约 1.5 万元" in a.gaps


def test_little_giant_niche_years_and_market_share():
    assert verdict("little_giant", "niche_years", niche_years=2.9)[0] is False
    assert verdict("little_giant", "market_share", niche_market_share=0.1)[0] is True
    assert verdict("little_giant", "market_share", niche_market_share=0.0999)[0] is False
