"""One enterprise's assessment under one rule set, as plain objects (and the CLI's JSON)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .engine import NA, PASS, STATUS, TRUE, UNDECIDED, BatchResult, CriterionColumns
from .schema import FIELDS


@dataclass(frozen=True)
class CriterionResult:
    """A criterion as assessed: value, threshold, verdict, points, source, inputs, certainty.

    `passed` is True/False when the figures decide, None when an expert's judgement is needed
    (`status` "review"), data are missing ("missing", with the fields in `missing`) or the
    criterion does not apply to this enterprise ("not_applicable"). For scored criteria
    `passed` says whether the indicator earned points and `points` is None while experts still
    pick inside a band (`points_range`). `confirmed` is False for values RULES.md marks
    unconfirmed (待核实).
    """

    id: str
    label: str
    status: str  # passed | failed | review | missing | not_applicable
    passed: bool | None
    value: Any
    threshold: Any
    op: str
    unit: str
    source: str
    inputs: tuple[str, ...]
    confirmed: bool
    points: float | None = None
    points_range: tuple[float, float] | None = None
    max_points: float | None = None
    value_range: tuple[float, float] | None = None
    missing: tuple[str, ...] = ()
    judgement: bool = False
    reviewed: bool = False
    wording: str = ""
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The command line's fields: id, value, threshold, passed, points, source."""
        return {
            "id": self.id,
            "value": _json(self.value),
            "threshold": _json(self.threshold),
            "passed": self.passed,
            "points": _json(self.points),
            "source": self.source,
        }


@dataclass(frozen=True)
class Assessment:
    """The verdict for one enterprise under one rule-set version on one date.

    `eligible` is None only when an expert judgement still decides the outcome; `status` says
    eligible / not_eligible / needs_review / incomplete (not eligible for want of data, see
    the criteria with status "missing"). `routes` names the ways taken (e.g. a direct route).
    """

    enterprise: str
    ruleset: str
    version: str
    title: str
    on: dt.date
    eligible: bool | None
    status: str
    score: float | None
    score_range: tuple[float, float] | None
    routes: tuple[str, ...]
    criteria: tuple[CriterionResult, ...]
    gaps: tuple[str, ...]

    @property
    def unconfirmed(self) -> tuple[str, ...]:
        """Criteria whose values are 待核实 in RULES.md."""
        return tuple(c.id for c in self.criteria if not c.confirmed)

    def criterion(self, criterion_id: str) -> CriterionResult:
        return next(c for c in self.criteria if c.id == criterion_id)

    def to_dict(self) -> dict[str, Any]:
        """The command-line contract: one output line."""
        return {
            "enterprise": self.enterprise,
            "ruleset": self.ruleset,
            "version": self.version,
            "eligible": self.eligible,
            "score": _json(self.score),
            "criteria": [c.to_dict() for c in self.criteria],
            "gaps": list(self.gaps),
        }


def assessment_from_batch(batch: BatchResult, i: int) -> Assessment:
    verdict = int(batch.eligible[i])
    eligible = None if verdict == UNDECIDED else verdict == TRUE
    if eligible:
        status = "eligible"
    elif eligible is None:
        status = "needs_review"
    else:
        status = "incomplete" if batch.incomplete[i] else "not_eligible"
    score = batch.score
    score_value, score_range = None, None
    if score is not None:
        low, high = float(score.low[i]), float(score.high[i])
        score_value = low if low == high else None
        score_range = (low, high)
    routes = tuple(
        node.children[int(k)].route for node, k in ((n, c[i]) for n, c in batch.routes) if k >= 0
    )
    return Assessment(
        enterprise=batch.ids[i],
        ruleset=batch.ruleset.name,
        version=batch.ruleset.version,
        title=batch.ruleset.title,
        on=batch.on,
        eligible=eligible,
        status=status,
        score=score_value,
        score_range=score_range,
        routes=routes,
        criteria=tuple(_criterion(columns, i) for columns in batch.criteria.values()),
        gaps=tuple(batch.gaps[i]) if batch.gaps else (),
    )


def _criterion(columns: CriterionColumns, i: int) -> CriterionResult:
    c = columns.criterion
    state = int(columns.state[i])
    passed = True if state == PASS else (False if state == 0 else None)
    raw = float(columns.value[i])
    value: Any = None if math.isnan(raw) else raw
    value_range = None
    if columns.value_high is not None:  # a score: a value once experts have nothing left
        high = float(columns.value_high[i])
        value_range = (raw, high)
        value = raw if raw == high else None
    elif value is not None and c.unit == "bool":
        value = value == 1.0
    elif value is not None and c.quantity is not None and c.quantity.kind == "category":
        value = FIELDS[c.quantity.fields[0]].choices[int(value)]
    if c.compare in ("is", "in"):
        threshold: Any = list(c.threshold) if isinstance(c.threshold, tuple) else c.threshold
    elif c.scored and c.points.bands and c.points.bands[0].kind == "in":
        band = c.points.bands[int(columns.band[i])]
        threshold = list(band.choices) if band.choices else None
    else:
        t = float(columns.threshold[i])
        threshold = None if math.isnan(t) else t
    if state == NA:
        threshold = None
    points = points_range = max_points = None
    if c.scored:
        low, high = float(columns.low[i]), float(columns.high[i])
        points = low if low == high else None
        points_range = (low, high)
        max_points = c.points.high
    bits = int(columns.missing[i])
    missing = tuple(name for k, name in enumerate(c.inputs) if bits >> k & 1) if state == 3 else ()
    return CriterionResult(
        id=c.id,
        label=c.label,
        status=STATUS[state],
        passed=passed,
        value=value,
        threshold=threshold,
        op=c.op,
        unit=c.unit,
        source=c.source,
        inputs=c.inputs,
        confirmed=c.confirmed,
        points=points,
        points_range=points_range,
        max_points=max_points,
        value_range=value_range,
        missing=missing,
        judgement=c.judgement,
        reviewed=bool(columns.reviewed[i]) if columns.reviewed is not None else False,
        wording=c.wording,
        note=c.note,
    )


def _json(value: Any) -> Any:
    """Numbers for JSON: whole numbers as integers, others to 6 decimals (enough for 0.0001 %)."""
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer() and abs(value) < 2**53:
            return int(value)
        return float(np.round(value, 6))  # numpy's rounding, as the batch writer uses
    return value
