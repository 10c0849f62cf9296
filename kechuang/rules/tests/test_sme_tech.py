"""科技型中小企业评价: base conditions, scoring bands, pass rule, direct routes, versions (A2)."""

import datetime as dt

import pytest

from kechuang.rules import NoVersionInForce, assess

from .helpers import enterprise, points, run, verdict

LOW_SCORE = dict(
    tech_staff=4,
    rd_staff=4,
    rd_expense=[0, 0, 0],
    ip_class1=0,
    ip_class1_own=0,
    ip_class1_high_value=0,
    ip_class2=0,
)


def test_the_healthy_enterprise_passes_on_its_score():
    a = run("sme_tech")
    assert (a.eligible, a.score, a.version) == (True, 90, "2022")
    assert a.routes == ("评价得分 ≥60分且科技人员指标不为0",)
    assert a.gaps == ()


@pytest.mark.parametrize(
    ("criterion", "field", "at", "above"),
    [
        ("staff_limit", "staff", 500, 501),
        ("assets_limit", "total_assets", 200_000_000, 200_000_001),
    ],
)
def test_size_limits_are_inclusive(criterion, field, at, above):
    changes = {field: at, "tech_staff": 30, "rd_staff": 20}
    assert verdict("sme_tech", criterion, **changes)[0] is True
    assert verdict("sme_tech", criterion, **{**changes, field: above})[0] is False


def test_revenue_limit_uses_the_latest_year():
    assert (
        verdict("sme_tech", "revenue_limit", revenue=[300_000_000, 90_000_000, 200_000_000])[0]
        is True
    )
    a = run("sme_tech", revenue=[100_000_000, 100_000_000, 200_000_001])
    assert a.criterion("revenue_limit").passed is False and a.eligible is False
    assert "年销售收入 2 亿元，需 ≤ 2 亿元" in a.gaps[0]


@pytest.mark.parametrize(
    ("tech", "expected"),
    [(3000, 20), (2999, 16), (2500, 16), (2499, 12), (2000, 12), (1500, 8), (1000, 4), (999, 0)],
)
def test_tech_staff_bands(tech, expected):
    assert points("sme_tech", "tech_staff", tech_staff=tech, rd_staff=0, staff=10_000) == expected


@pytest.mark.parametrize(
    ("rd", "expected"),
    [
        (6_000_000, 50),
        (5_999_999, 40),
        (5_000_000, 40),
        (4_000_000, 30),
        (3_000_000, 20),
        (2_000_000, 10),
        (1_999_999, 0),
    ],
)
def test_rd_to_sales_bands(rd, expected):
    figures = dict(rd_expense=[0, 0, rd], total_cost=[1e9, 1e9, 1e9])  # the cost way scores 0
    assert points("sme_tech", "rd_sales_ratio", **figures) == expected
    assert run("sme_tech", **figures).criterion("rd_cost_ratio").points == 0


def test_rd_takes_the_better_of_the_two_ways():
    a = run(
        "sme_tech", rd_expense=[0, 0, 3_000_000], total_cost=[10_000_000, 10_000_000, 10_000_000]
    )
    assert a.criterion("rd_sales_ratio").points == 20  # 3 % of sales
    assert a.criterion("rd_cost_ratio").points == 50  # 30 % of costs
    assert a.score == 20 + 50 + 30


@pytest.mark.parametrize(
    ("class2", "expected"), [(5, 24), (4, 24), (3, 18), (2, 12), (1, 6), (0, 0)]
)
def test_results_bands_for_class_two_ip(class2, expected):
    a = run("sme_tech", ip_class1=0, ip_class1_own=0, ip_class1_high_value=0, ip_class2=class2)
    assert a.criterion("results_class2").points == expected
    assert a.criterion("results_class1").points == 0


@pytest.mark.parametrize(
    ("rd", "class2", "score", "eligible"),
    [(6_000_000, 1, 60, True), (4_000_000, 4, 58, False)],  # tech 4 + R&D + results
)
def test_pass_mark_is_sixty(rd, class2, score, eligible):
    a = run(
        "sme_tech",
        tech_staff=10,
        rd_staff=10,
        rd_expense=[0, 0, rd],
        ip_class1=0,
        ip_class1_own=0,
        ip_class1_high_value=0,
        ip_class2=class2,
    )
    assert (a.score, a.eligible) == (score, eligible)
    if not eligible:
        assert "评价得分 58 分，需 ≥ 60 分，至少差 2 分" in a.gaps
        assert any(
            g.startswith(
                "可提分：研发费用占销售收入比例 4%（30 分），达到 ≥ 5% 可得 40 分，差额约 100 万元"
            )
            for g in a.gaps
        )


def test_zero_tech_staff_points_fail_even_with_a_high_score():
    a = run("sme_tech", tech_staff=9, rd_staff=9, rd_expense=[0, 0, 6_000_000])
    assert a.score == 80
    assert a.criterion("tech_staff_scored").passed is False
    assert a.eligible is False
    assert "科技人员指标得分 0 分，需 > 0 分" in a.gaps
    assert any(
        "科技人员占职工总数比例 9%（0 分），达到 ≥ 10% 可得 4 分，差额约 2 人" in g for g in a.gaps
    )


@pytest.mark.parametrize(
    ("certified", "eligible"), [("2022-07-01", True), ("2022-06-30", False), ("2025-07-01", False)]
)
def test_a_valid_hte_certificate_confirms_directly(certified, eligible):
    a = run("sme_tech", hte_certified_on=certified, **LOW_SCORE)
    assert a.eligible is eligible
    if eligible:
        assert a.routes == ("直接确认：有效期内的高新技术企业",)
    else:
        assert any(
            g.startswith("或满足以下任一条件：直接确认：有效期内的高新技术企业") for g in a.gaps
        )


@pytest.mark.parametrize(
    ("changes", "route"),
    [
        (
            {"awards": [{"year": 2021, "level": "national", "rank": 3}]},
            "直接确认：近五年国家级科技奖励（排名前三）",
        ),
        ({"rd_institution": "provincial"}, "直接确认：省部级以上研发机构"),
        (
            {"standards": [{"year": 2022, "level": "industry", "lead": True}]},
            "直接确认：近五年主导制定国际、国家或行业标准",
        ),
    ],
)
def test_other_direct_routes(changes, route):
    a = run("sme_tech", **LOW_SCORE, **changes)
    assert a.eligible is True and a.routes == (route,)


@pytest.mark.parametrize(
    "changes",
    [
        {"awards": [{"year": 2019, "level": "national", "rank": 1}]},  # more than five years ago
        {"awards": [{"year": 2023, "level": "national", "rank": 4}]},  # ranked fourth
        {"awards": [{"year": 2023, "level": "provincial", "rank": 1}]},
        {"standards": [{"year": 2023, "level": "industry", "lead": False}]},  # only took part
    ],
)
def test_near_misses_of_direct_routes_do_not_count(changes):
    assert run("sme_tech", **LOW_SCORE, **changes).eligible is False


def test_direct_route_still_needs_the_base_conditions():
    assert run("sme_tech", hte_certified_on="2024-01-01", blacklisted=True).eligible is False


def test_the_2022_guide_adds_conditions_and_the_date_picks_the_version():
    record = enterprise(audited_tax=False)
    old = assess(record, "sme_tech", dt.date(2021, 6, 1))
    new = assess(record, "sme_tech", dt.date(2022, 6, 1))
    assert (old.version, old.eligible) == ("2017", True)
    assert (new.version, new.eligible) == ("2022", False)
    assert "企业所得税不是查账征收" in new.gaps
    assert "audited_tax" not in {c.id for c in old.criteria}


def test_no_version_before_the_2017_measures():
    with pytest.raises(NoVersionInForce) as caught:
        assess(enterprise(), "sme_tech", dt.date(2016, 1, 1))
    assert "2016-01-01" in caught.value.en and "没有有效的" in caught.value.zh
