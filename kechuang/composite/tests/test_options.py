"""The options and edge cases of each step, on matrices small enough to read."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kechuang.composite import (
    CompositeError,
    CompositeInput,
    GroupSpec,
    IndicatorSpec,
    Options,
    competition_ranks,
    compute,
    sensitivity,
)

NAN = math.nan


def problem(values, specs=None, groups=()):
    values = np.array(values, dtype=float)
    specs = specs or tuple(IndicatorSpec(f"x{j}") for j in range(values.shape[1]))
    units = tuple("ABCDEFGH"[: values.shape[0]])
    return CompositeInput(units, specs, values, groups)


def test_competition_ranks_share_a_rank_and_skip_the_next():
    assert list(competition_ranks(np.array([10.0, 30.0, 30.0, 20.0, NAN]))) == [4, 1, 1, 3, 0]
    # equal to 6 decimals counts as equal (floating-point noise)
    assert list(competition_ranks(np.array([50.0, 50.0 + 1e-12, 49.0]))) == [1, 1, 3]


def test_lower_is_better_reverses_the_scale():
    result = compute(problem([[1], [2], [5]], (IndicatorSpec("cost", "lower"),)))
    # (5 − x) / (5 − 1) × 100 → 100, 75, 0
    assert result.normalised[:, 0] == pytest.approx([100, 75, 0])
    assert list(result.ranks) == [1, 2, 3]


def test_constant_indicator_is_dropped_and_its_weight_goes_to_its_dimension():
    specs = (
        IndicatorSpec("a", weight=1, group="g1"),
        IndicatorSpec("flat", weight=1, group="g1"),
        IndicatorSpec("b", weight=1, group="g2"),
    )
    values = [[0, 7, 10], [10, 7, 0], [5, 7, 5]]
    result = compute(problem(values, specs, (GroupSpec("g1"), GroupSpec("g2"))))
    flat = result.record.indicator("flat")
    assert flat.dropped == "constant" and flat.weight == 0
    # g1 keeps its half: a gets 0.5 overall (not 1/3 as a flat renormalisation would give)
    assert result.record.indicator("a").weight == pytest.approx(0.5)
    assert result.scores == pytest.approx([50, 50, 50])


def test_constant_indicator_scores_fifty_when_kept():
    result = compute(problem([[0, 7], [10, 7]]), Options(constant="midpoint"))
    assert result.record.indicator("x1").dropped is None
    assert result.normalised[:, 1] == pytest.approx([50, 50])
    assert result.scores == pytest.approx([25, 75])


def test_indicator_without_values_is_dropped():
    result = compute(problem([[1, NAN], [2, NAN], [3, NAN]]))
    assert result.record.indicator("x1").dropped == "no_values"
    assert result.record.exclusions == ()  # missing share counts usable indicators only
    assert list(result.ranks) == [3, 2, 1]


def test_indicator_only_one_kept_unit_has_is_dropped():
    result = compute(problem([[1, 5], [2, NAN], [3, NAN]]), Options(max_missing_share=0.5))
    assert result.record.indicator("x1").dropped == "too_few_values"
    assert result.record.imputations == ()


def test_available_case_scores_a_unit_on_what_it_has():
    # without imputation B is scored on x0 alone: x0 = 100 → 100
    values = [[0, 0], [10, NAN], [5, 10]]
    result = compute(problem(values), Options(imputation="none", max_missing_share=0.5))
    assert result.record.imputations == ()
    assert result.scores == pytest.approx([0, 100, 75])
    # with the mean: B's x1 = (0 + 10) / 2 = 5 → 50; B = (100 + 50) / 2 = 75
    assert compute(problem(values), Options(max_missing_share=0.5)).scores == pytest.approx(
        [0, 75, 75]
    )


def test_default_share_excludes_a_unit_missing_more_than_thirty_percent():
    # 3 of 8 missing = 37.5% > 30% → excluded; 2 of 8 = 25% → kept
    rows = np.arange(24, dtype=float).reshape(3, 8)
    rows[0, :3] = NAN
    rows[1, 3:5] = NAN
    result = compute(problem(rows))
    assert [e.unit for e in result.record.exclusions] == ["A"]
    assert result.record.exclusions[0].share == pytest.approx(0.375)


def test_no_outlier_treatment_leaves_values_alone():
    values = [[0], [1], [2], [3], [100]]
    treated = compute(problem(values), Options(outlier_k=1.5))
    untreated = compute(problem(values), Options(outliers="none", outlier_k=1.5))
    assert len(treated.record.winsorisations) == 1
    assert untreated.record.winsorisations == ()
    assert untreated.record.indicator("x0").upper_bound is None
    assert untreated.normalised[:, 0] == pytest.approx([0, 1, 2, 3, 100])


def test_low_outlier_is_raised_to_the_lower_bound():
    values = [[-100], [1], [2], [3], [4]]
    result = compute(problem(values), Options(outlier_k=1.5))
    (win,) = result.record.winsorisations
    assert win.side == "lower" and win.treated == pytest.approx(result.treated[0, 0])
    assert win.treated > -100


def test_z_scores_reverse_for_lower_is_better():
    result = compute(
        problem([[1], [2], [3]], (IndicatorSpec("cost", "lower"),)),
        Options(normalisation="zscore"),
    )
    sd = math.sqrt(2 / 3)
    assert result.normalised[:, 0] == pytest.approx([1 / sd, 0, -1 / sd])


def test_geometric_aggregation_needs_min_max():
    with pytest.raises(CompositeError) as exc:
        Options(aggregation="geometric", normalisation="zscore")
    assert exc.value.code == "bad_option"


def test_unknown_option_and_malformed_input_are_refused():
    with pytest.raises(CompositeError):
        Options.from_dict({"imputation": "mean", "colour": "red"})
    with pytest.raises(CompositeError) as exc:
        CompositeInput(("A",), (IndicatorSpec("x"),), np.zeros((2, 1)))
    assert exc.value.code == "bad_shape"
    with pytest.raises(CompositeError) as exc:
        CompositeInput(
            ("A",), (IndicatorSpec("x", group="g"),), np.zeros((1, 1)), (GroupSpec("h"),)
        )
    assert exc.value.code == "unknown_group"
    with pytest.raises(CompositeError) as exc:
        CompositeInput(("A",), (IndicatorSpec("x", "sideways"),), np.zeros((1, 1)))
    assert exc.value.code == "bad_direction"


def test_nothing_usable_gives_no_scores():
    result = compute(problem([[NAN, NAN], [NAN, NAN]]))
    assert not result.computed
    assert list(result.ranks) == [0, 0]
    assert sensitivity(result).scenarios[0].key == "base"


def test_options_from_data_round_trip():
    opts = Options.from_dict({"outlier_k": 2.5, "aggregation": "geometric"})
    assert Options.from_dict(opts.as_dict()) == opts


def test_sensitivity_alternatives_from_a_geometric_base():
    base = compute(problem([[0, 5], [5, 0], [10, 10]]), Options(aggregation="geometric"))
    sens = sensitivity(base)
    by_key = {s.key: s for s in sens.scenarios}
    assert by_key["aggregation"].options.aggregation == "arithmetic"
    assert by_key["normalisation"].options.normalisation == "zscore"
    assert by_key["normalisation"].options.aggregation == "arithmetic"
    assert by_key["outliers"].options.outliers == "none"
    assert by_key["weight_up:x0"].factor == pytest.approx(1.2)
