"""科创属性评价指引 (2024): four conditions, their alternatives and the exemption (RULES.md A4)."""

import pytest

from .helpers import run, verdict

FAST = dict(
    revenue=[64_000_000, 80_000_000, 100_000_000], main_revenue=[60_000_000, 75_000_000, 90_000_000]
)


def test_fast_growing_enterprise_with_seven_patents_has_the_attributes():
    a = run("star_market", **FAST)
    assert a.eligible is True
    assert a.routes == ("研发投入占比 ≥5%", "营业收入复合增长率 ≥25%")


def test_growth_just_short_of_twenty_five_percent_fails_with_the_revenue_needed():
    a = run(
        "star_market",
        revenue=[64_000_000, 80_000_000, 99_000_000],
        main_revenue=[60_000_000, 75_000_000, 90_000_000],
    )
    assert a.eligible is False
    assert "最近三年营业收入复合增长率 24.4%，需 ≥ 25%，差额约 100 万元" in a.gaps


@pytest.mark.parametrize(("latest", "eligible"), [(300_000_000, True), (299_999_999, False)])
def test_large_revenue_replaces_growth(latest, eligible):
    revenue = [latest] * 3
    a = run(
        "star_market",
        revenue=revenue,
        main_revenue=[v * 0.9 for v in revenue],
        rd_expense=[latest * 0.05] * 3,
    )
    assert a.eligible is eligible


def test_listing_standard_five_is_exempt_from_the_revenue_condition():
    a = run("star_market", listing_standard=5)
    assert a.eligible is True
    assert "第五套上市标准（免于营业收入条件）" in a.routes


@pytest.mark.parametrize(("patents", "passed"), [(7, True), (6, False)])
def test_seven_invention_patents(patents, passed):
    a = run("star_market", invention_patents_main=patents, **FAST)
    assert a.criterion("invention_patents").passed is passed
    if not passed:
        assert "应用于主营业务并能够产业化的发明专利 6 项，需 ≥ 7 项，差额约 1 项" in a.gaps


def test_rd_amount_replaces_the_rd_ratio():
    big = [1_000_000_000, 1_250_000_000, 1_562_500_000]
    rd = [30_000_000, 30_000_000, 20_000_000]  # 8000万 in all, about 2 % of revenue
    a = run("star_market", revenue=big, main_revenue=[v * 0.9 for v in big], rd_expense=rd)
    assert a.criterion("rd_ratio_3y").passed is False
    assert a.criterion("rd_total_3y").passed is True
    assert a.eligible is True


@pytest.mark.parametrize(("rd_staff", "passed"), [(10, True), (9, False)])
def test_rd_staff_at_least_ten_percent(rd_staff, passed):
    assert verdict("star_market", "rd_staff_ratio", rd_staff=rd_staff)[0] is passed
