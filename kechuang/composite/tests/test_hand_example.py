"""A small index computed by hand, step by step, so every number below can be checked on paper.

Six units A–F, three indicators in two dimensions:

    dimension "in"  (weight 3): x1 higher is better (weight 2), x2 LOWER is better (weight 1)
    dimension "out" (weight 1): x3 higher is better (weight 1)

           x1     x2     x3
    A       0     10     50
    B       8     30     20
    C      24     40     30
    D      32      —     40      (x2 missing → imputed)
    E      51     60     10      (x1 an outlier at k = 1.5 → winsorised)
    F    1000      —      —      (2 of 3 missing > 50% → excluded)

Options: outlier_k = 1.5, max_missing_share = 0.5, everything else at its default.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from kechuang.composite import (
    CompositeInput,
    GroupSpec,
    IndicatorSpec,
    Options,
    compute,
    sensitivity,
)

NAN = math.nan
UNITS = ("A", "B", "C", "D", "E", "F")
VALUES = [
    [0, 10, 50],
    [8, 30, 20],
    [24, 40, 30],
    [32, NAN, 40],
    [51, 60, 10],
    [1000, NAN, NAN],
]
PROBLEM = CompositeInput(
    UNITS,
    (
        IndicatorSpec("x1", "higher", 2, "in"),
        IndicatorSpec("x2", "lower", 1, "in"),
        IndicatorSpec("x3", "higher", 1, "out"),
    ),
    np.array(VALUES, dtype=float),
    groups=(GroupSpec("in", 3), GroupSpec("out", 1)),
)
OPTIONS = Options(outlier_k=1.5, max_missing_share=0.5)


@pytest.fixture(scope="module")
def result():
    return compute(PROBLEM, OPTIONS)


def test_unit_missing_most_indicators_is_excluded_with_its_reason(result):
    # F lacks x2 and x3: 2/3 ≈ 0.67 > 0.5. D lacks only x2: 1/3 ≤ 0.5, kept.
    (exclusion,) = result.record.exclusions
    assert exclusion.unit == "F"
    assert exclusion.missing == ("x2", "x3")
    assert exclusion.share == pytest.approx(2 / 3)
    assert exclusion.reason == "too_many_missing"
    assert list(result.included) == [True, True, True, True, True, False]
    f = [row for row in result.unit_rows() if row.unit == "F"][0]
    assert f.score is None and f.rank is None and f.exclusion is exclusion


def test_outlier_is_winsorised_to_mean_plus_k_sd(result):
    # x1 over A–E (F's 1000 is not looked at): 0, 8, 24, 32, 51.
    # mean = 115 / 5 = 23; deviations −23, −15, 1, 9, 28;
    # squares 529 + 225 + 1 + 81 + 784 = 1620; population SD = √(1620 / 5) = √324 = 18.
    # bounds 23 ∓ 1.5 × 18 = −4 and 50: E's 51 lies beyond and becomes 50.
    x1 = result.record.indicator("x1")
    assert (x1.mean, x1.sd) == (pytest.approx(23), pytest.approx(18))
    assert (x1.lower_bound, x1.upper_bound) == (pytest.approx(-4), pytest.approx(50))
    (win,) = result.record.winsorisations
    assert (win.unit, win.indicator, win.original, win.side) == ("E", "x1", 51, "upper")
    assert win.treated == pytest.approx(50)
    # x2 (10, 30, 40, 60: mean 35, SD √325 ≈ 18.03, bounds ≈ 7.96 and 62.04) and
    # x3 (mean 30, SD √200 ≈ 14.14, bounds ≈ 8.79 and 51.21) have no outlier.
    assert result.record.indicator("x2").upper_bound == pytest.approx(35 + 1.5 * math.sqrt(325))


def test_missing_value_is_the_mean_of_the_other_units(result):
    # D's x2 = (10 + 30 + 40 + 60) / 4 = 35, from 4 units.
    (imp,) = result.record.imputations
    assert (imp.unit, imp.indicator, imp.based_on) == ("D", "x2", 4)
    assert imp.value == pytest.approx(35)
    assert result.treated[3, 1] == pytest.approx(35)
    assert result.record.indicator("x2").missing == ("D",)


def test_min_max_normalisation_is_direction_aware(result):
    # x1 after treatment 0 … 50:  (x − 0) / 50 × 100 = 2x  → A 0, B 16, C 48, D 64, E 100
    # x2 (lower) 10 … 60:  (60 − x) / 50 × 100 = 2(60 − x) → A 100, B 60, C 40, D 50, E 0
    # x3 10 … 50:  (x − 10) / 40 × 100 = 2.5(x − 10)        → A 100, B 25, C 50, D 75, E 0
    expected = [[0, 100, 100], [16, 60, 25], [48, 40, 50], [64, 50, 75], [100, 0, 0]]
    assert result.normalised[:5] == pytest.approx(np.array(expected, dtype=float))
    assert np.isnan(result.normalised[5]).all()
    x2 = result.record.indicator("x2")
    assert (x2.minimum, x2.maximum, x2.direction) == (10, 60, "lower")
    assert result.record.indicator("x1").maximum == pytest.approx(50)


def test_weights_are_normalised_at_both_levels(result):
    # dimensions 3 : 1 → 0.75, 0.25; inside "in" 2 : 1 → 2/3, 1/3;
    # overall x1 = 0.75 × 2/3 = 0.5, x2 = 0.75 × 1/3 = 0.25, x3 = 0.25 × 1 = 0.25.
    rec = result.record
    assert [g.weight for g in rec.groups] == pytest.approx([0.75, 0.25])
    assert [i.weight_within for i in rec.indicators] == pytest.approx([2 / 3, 1 / 3, 1])
    assert [i.weight for i in rec.indicators] == pytest.approx([0.5, 0.25, 0.25])


def test_scores_dimension_scores_and_tied_ranks(result):
    # "in" = (2·x1 + x2) / 3:  A (0 + 100)/3 = 33.33, B (32 + 60)/3 = 30.67,
    #   C (96 + 40)/3 = 45.33, D (128 + 50)/3 = 59.33, E (200 + 0)/3 = 66.67;  "out" = x3.
    # index = 0.75·in + 0.25·out:
    #   A 25 + 25 = 50;  B 23 + 6.25 = 29.25;  C 34 + 12.5 = 46.5;  D 44.5 + 18.75 = 63.25;
    #   E 50 + 0 = 50.
    # ranks: D 1; A and E tie at 50 → both 2; C 4 (3 is skipped); B 5; F not ranked.
    assert result.scores[:5] == pytest.approx([50, 29.25, 46.5, 63.25, 50])
    assert result.group_scores[:5, 0] == pytest.approx([100 / 3, 92 / 3, 136 / 3, 178 / 3, 200 / 3])
    assert list(result.ranks) == [2, 5, 4, 1, 2, 0]
    rows = result.unit_rows()
    assert [(r.unit, r.rank) for r in rows] == [
        ("D", 1),
        ("A", 2),
        ("E", 2),
        ("C", 4),
        ("B", 5),
        ("F", None),
    ]
    assert rows[0].group_scores == pytest.approx({"in": 178 / 3, "out": 75})
    assert rows[0].imputed == ("x2",) and rows[2].winsorised == ("x1",)


def test_geometric_aggregation_by_hand():
    # min-max values mapped to 1 + 0.99·s, then weighted geometric means:
    #   A (1, 100, 100): 1^0.5 · 100^0.25 · 100^0.25 = 10
    #   E (100, 1, 1):   100^0.5 · 1 · 1             = 10  (tied again)
    #   D (64.36, 50.5, 75.25): 8.0225 · 2.6658 · 2.9453 ≈ 62.99
    result = compute(PROBLEM, OPTIONS.replace(aggregation="geometric"))
    assert result.scores[0] == pytest.approx(10)
    assert result.scores[4] == pytest.approx(10)
    assert result.scores[3] == pytest.approx(64.36**0.5 * 50.5**0.25 * 75.25**0.25)
    assert list(result.ranks) == [4, 3, 2, 1, 4, 0]


def test_sensitivity_ranks_under_each_scenario():
    sens = sensitivity(compute(PROBLEM, OPTIONS))
    keys = [s.key for s in sens.scenarios]
    assert keys == [
        "base",
        "equal_weights",
        "weight_up:x1",
        "weight_down:x1",
        "weight_up:x2",
        "weight_down:x2",
        "weight_up:x3",
        "weight_down:x3",
        "normalisation",
        "aggregation",
        "outliers",
    ]
    # equal weights (1/3 each): A (0+100+100)/3 = 66.67, B (16+60+25)/3 = 33.67,
    #   C (48+40+50)/3 = 46, D (64+50+75)/3 = 63, E (100+0+0)/3 = 33.33 → A 1 D 2 C 3 B 4 E 5
    # x1 +20%: weights 0.6, 0.25, 0.25 over 1.1: A 50/1.1 = 45.45, B 30.85/1.1 = 28.05,
    #   C 51.3/1.1 = 46.64, D 69.65/1.1 = 63.32, E 60/1.1 = 54.55 → the A–E tie breaks: E 2, A 4
    # x1 −20%: 0.4, 0.25, 0.25 over 0.9: A 55.56, B 30.72, C 46.33, D 63.17, E 44.44
    # x2 +20%: 0.5, 0.3, 0.25 over 1.05: A 52.38, B 30.71, C 46.19, D 62.62, E 47.62
    # x2 −20%: 0.5, 0.2, 0.25 over 0.95: A 47.37, B 27.63, C 46.84, D 63.95, E 52.63
    # x3 +20%: 0.5, 0.25, 0.3 over 1.05: A 52.38, B 29.05, C 46.67, D 63.81, E 47.62
    # x3 −20%: 0.5, 0.25, 0.2 over 0.95: A 47.37, B 29.47, C 46.32, D 62.63, E 52.63
    # z-scores (arithmetic): A 0.097, B −0.518, C −0.044, D 0.437, E 0.028
    # geometric: see test_geometric_aggregation_by_hand
    # no outlier treatment: x1 = x/51·100 → A 50, B 29.09, C 46.03, D 62.62, E 50
    expected = {
        #    base eq  x1+ x1− x2+ x2− x3+ x3− z  geo none
        "A": [2, 1, 4, 2, 2, 3, 2, 3, 2, 4, 2],
        "B": [5, 4, 5, 5, 5, 5, 5, 5, 5, 3, 5],
        "C": [4, 3, 3, 3, 4, 4, 4, 4, 4, 2, 4],
        "D": [1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1],
        "E": [2, 5, 2, 4, 3, 2, 3, 2, 3, 4, 2],
        "F": [0] * 11,
    }
    for i, unit in enumerate(UNITS):
        assert list(sens.ranks[i]) == expected[unit], unit
    assert sens.scores[0, 2] == pytest.approx(50 / 1.1)
    # A: 1,2,2,2,2,2,2,3,3,4,4 → best 1, worst 4, median 2
    # E: 2,2,2,2,2,3,3,3,4,4,5 → best 2, worst 5, median 3
    rows = {r.unit: r for r in sens.unit_rows()}
    assert (rows["A"].best, rows["A"].worst, rows["A"].median) == (1, 4, 2)
    assert (rows["E"].best, rows["E"].worst, rows["E"].median) == (2, 5, 3)
    assert (rows["D"].best, rows["D"].worst, rows["D"].spread) == (1, 2, 1)
    assert rows["F"].best is None and rows["F"].ranks == (None,) * 11
    assert sens.changed("equal_weights") == ("A", "B", "C", "D", "E")
    assert sens.changed("outliers") == ()


def test_record_is_plain_json(result):
    data = json.loads(json.dumps(result.record.as_dict()))
    assert data["options"]["outlier_k"] == 1.5
    assert data["winsorisations"] == [
        {"unit": "E", "indicator": "x1", "original": 51.0, "treated": 50.0, "side": "upper"}
    ]
    assert data["exclusions"][0]["missing"] == ["x2", "x3"]


def test_same_input_gives_the_same_answer():
    first = sensitivity(compute(PROBLEM, OPTIONS))
    second = sensitivity(compute(PROBLEM, OPTIONS))
    assert np.array_equal(first.ranks, second.ranks)
    assert np.array_equal(first.scores, second.scores, equal_nan=True)
