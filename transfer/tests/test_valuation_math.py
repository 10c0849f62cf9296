"""The valuation arithmetic on hand-computed examples (no Django, no database)."""

from decimal import Decimal as D

import pytest

from transfer.services import valuation_math as vm


def test_income_profit_split_on_a_hand_computed_example():
    # Two years, margin 20%, 分成率 30% (so 6% of revenue is the technology's), discount 8%:
    #   year 1: 1,000,000 × 20% × 30% = 60,000;  60,000 ÷ 1.08   = 55,555.555… → 55,555.56
    #   year 2: 2,000,000 × 20% × 30% = 120,000; 120,000 ÷ 1.1664 = 102,880.658… → 102,880.66
    #   value = 55,555.56 + 102,880.66 = 158,436.22
    years = vm.income_years([D(1_000_000), D(2_000_000)], D(8), [D(20), D(30)])
    assert [y.value for y in years] == [D("55555.56"), D("102880.66")]
    assert vm.income_value([D(1_000_000), D(2_000_000)], D(8), [D(20), D(30)]) == D("158436.22")


def test_growth_forecast_starts_from_the_first_year():
    # 3,000,000 growing 10% a year: 3,000,000; 3,300,000; 3,630,000
    assert vm.growth_revenues(D(3_000_000), D(10), 3) == [D(3_000_000), D(3_300_000), D(3_630_000)]
    assert vm.growth_revenues(D(1_000), D(-50), 3) == [D(1000), D(500), D(250)]


def test_cost_approach_on_a_hand_computed_example():
    # C = 200,000, V = 300,000, β₁ = 2.5, L = 20%, β₂ = 10%:
    #   C + β₁V = 200,000 + 2.5 × 300,000 = 950,000
    #   × (1 + 20%) = 1,140,000
    #   ÷ (1 − 10%) = 1,266,666.666… → 1,266,666.67
    steps = vm.cost_value(D(200_000), D(300_000), D("2.5"), D(20), D(10))
    assert steps.direct == D(950_000)
    assert steps.with_return == D(1_140_000)
    assert steps.replacement == D("1266666.67")
    assert steps.value == D("1266666.67")
    # 成新率 60%: 1,266,666.67 × 60% = 760,000.002 → 760,000.00
    assert vm.cost_value(D(200_000), D(300_000), D("2.5"), D(20), D(10), D(60)).value == D(
        "760000.00"
    )


def test_cost_approach_refuses_a_risk_of_one_hundred_percent():
    with pytest.raises(ValueError):
        vm.cost_value(D(1), D(1), D(1), D(0), D(100))


def test_quartiles_interpolate_between_order_statistics():
    # n = 5: positions 0.25×4 = 1, 0.5×4 = 2, 0.75×4 = 3 → the 2nd, 3rd and 4th values
    q1, median, q3 = vm.quartiles([D(800), D(100), D(1600), D(400), D(200)])
    assert (q1.value, median.value, q3.value) == (D(200), D(400), D(800))
    # n = 4 (100, 200, 300, 1000): Q1 at 0.75 → 100 + 0.75 × 100 = 175; median at 1.5 → 250;
    # Q3 at 2.25 → 300 + 0.25 × 700 = 475
    q1, median, q3 = vm.quartiles([D(1000), D(300), D(100), D(200)])
    assert (q1.value, median.value, q3.value) == (D(175), D(250), D(475))
    assert (q1.index, q1.fraction) == (1, D("0.75"))


def test_sensitivity_rises_with_the_share_and_falls_with_the_rate():
    revenues = vm.growth_revenues(D(5_000_000), D(8), 5)
    shares, rates = [D(25), D(29), D(33)], [D(8), D(10), D(12), D(15)]
    grid = vm.income_grid(revenues, [D(15)], shares, rates)
    for row in grid:  # higher discount rate → lower value
        assert row == sorted(row, reverse=True) and len(set(row)) == len(row)
    for column in zip(*grid, strict=True):  # higher 分成率 → higher value
        assert list(column) == sorted(column) and len(set(column)) == len(column)


def test_numbers_read_as_in_the_working():
    assert vm.money(D("3000000")) == "3,000,000"
    assert vm.money(D("81818.181")) == "81,818.18"
    assert vm.percent(D("12.50")) == "12.5%"
    assert vm.growth_base(D(10)) == "1.10"
    assert vm.growth_base(D("12.5")) == "1.125"
    assert vm.growth_base(D(0)) == "1.00"
    assert vm.superscript(12) == "¹²"
