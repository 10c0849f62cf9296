"""Composite indicators (综合指数) after the OECD/JRC handbook: missing data, outliers,
normalisation, weighting, aggregation, ranking and a sensitivity analysis of the ranks.

Plain arrays in, dataclasses out; no Django. Typical use:

    from kechuang.composite import CompositeInput, IndicatorSpec, GroupSpec, Options, compute
    problem = CompositeInput(units, (IndicatorSpec("rd", "higher", 0.4, "input"), ...), values,
                             groups=(GroupSpec("input", 0.4), ...))
    result = compute(problem, Options(outlier_k=3))
    result.scores, result.ranks, result.record.imputations
    sens = sensitivity(result)
    sens.ranks, sens.best, sens.worst, sens.median

Every choice is an option with a documented default (see `Options`), and every step is kept in
`CompositeResult.record` so a methodology page can show what was computed.
"""

from .index import CompositeResult, UnitScore, compute
from .record import (
    Exclusion,
    GroupRecord,
    Imputation,
    IndicatorRecord,
    Record,
    Winsorisation,
)
from .sensitivity import Scenario, SensitivityResult, UnitSensitivity, scenarios, sensitivity
from .spec import CompositeError, CompositeInput, GroupSpec, IndicatorSpec, Options
from .steps import competition_ranks

__all__ = [
    "CompositeError",
    "CompositeInput",
    "CompositeResult",
    "Exclusion",
    "GroupRecord",
    "GroupSpec",
    "Imputation",
    "IndicatorRecord",
    "IndicatorSpec",
    "Options",
    "Record",
    "Scenario",
    "SensitivityResult",
    "UnitScore",
    "UnitSensitivity",
    "Winsorisation",
    "competition_ranks",
    "compute",
    "scenarios",
    "sensitivity",
]
