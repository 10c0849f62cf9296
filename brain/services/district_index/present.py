"""The computed index as plain rows for the pages, the exports and the API, and the
methodology page's content — all taken from the definition and the computation's record, with
other units' entries left out for a district admin."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
from django.utils.translation import gettext as _

from brain.choices import Direction
from brain.services.district_index.compute import DistrictIndex, IndicatorInput

TWO = Decimal("0.01")


# -- labels ----------------------------------------------------------------------------------


def option_labels() -> dict[str, str]:
    return {
        "mean": _("用其他单位该指标的平均值补齐，并标注为补齐值"),
        "none": _("不补齐，按该单位已有的指标计算（权重在已有指标间重新归一）"),
        "sd": _("超出“均值 ± k 倍标准差”的数值缩尾到边界值（一次处理）"),
        "outliers_none": _("不处理异常值"),
        "minmax": _("极差标准化到 0—100"),
        "zscore": _("Z-score 标准化"),
        "arithmetic": _("加权算术平均"),
        "geometric": _("加权几何平均"),
        "drop": _("各单位数值相同的指标剔除，其权重分给同一分项的其他指标"),
        "midpoint": _("各单位数值相同的指标一律记 50 分"),
    }


def scenario_label(scenario, names: dict[str, str]) -> str:
    """A scenario of the sensitivity analysis in words (`names`: indicator code → name)."""
    step = round(scenario.options.weight_step * 100)
    if scenario.kind == "base":
        return _("基准方案")
    if scenario.kind == "equal_weights":
        return _("各指标等权重")
    if scenario.kind == "weight_up":
        return _("%(name)s 权重 +%(p)d%%") % {"name": names.get(scenario.indicator), "p": step}
    if scenario.kind == "weight_down":
        return _("%(name)s 权重 −%(p)d%%") % {"name": names.get(scenario.indicator), "p": step}
    if scenario.kind == "normalisation":
        if scenario.options.normalisation == "zscore":
            return _("Z-score 标准化（算术平均）")
        return _("极差标准化")
    if scenario.kind == "aggregation":
        if scenario.options.aggregation == "geometric":
            return _("几何平均汇总")
        return _("算术平均汇总")
    if scenario.options.outliers == "none":
        return _("不处理异常值")
    return _("异常值缩尾（±%(k)s 倍标准差）") % {"k": _num(scenario.options.outlier_k)}


def scenario_short(scenario) -> str:
    """A column heading for the sensitivity table."""
    if scenario.kind == "base":
        return _("基准")
    if scenario.kind == "equal_weights":
        return _("等权")
    if scenario.kind in ("weight_up", "weight_down"):
        return ("+" if scenario.kind == "weight_up" else "−") + str(
            round(scenario.options.weight_step * 100)
        )
    if scenario.kind == "normalisation":
        return _("Z值") if scenario.options.normalisation == "zscore" else _("极差")
    if scenario.kind == "aggregation":
        return _("几何") if scenario.options.aggregation == "geometric" else _("算术")
    return _("不缩尾") if scenario.options.outliers == "none" else _("缩尾")


def _num(value: float) -> str:
    return f"{value:g}"


# -- plain rows for pages, exports and the API -------------------------------------------------


def _dec(value: float | None, places: Decimal = TWO) -> Decimal | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return Decimal(str(value)).quantize(places)


def exclusion_text(index: DistrictIndex, missing, share: float) -> str:
    """Why a unit is not ranked: the indicators it lacks, their share and the limit."""
    names = index.names
    return _("缺少 %(n)d 项指标（%(share)s%%，上限 %(max)s%%）：%(list)s") % {
        "n": len(missing),
        "share": _num(round(share * 100, 1)),
        "max": _num(round(index.definition.options.max_missing_share * 100, 1)),
        "list": "、".join(names.get(c, c) for c in missing),
    }


def ranking(index: DistrictIndex) -> list[dict[str, Any]]:
    """The rows the viewer sees, best rank first: unit, score, rank, rank range and median
    under the sensitivity analysis, dimension sub-scores, and notes (excluded, imputed,
    winsorised)."""
    if index.empty:
        return []
    names = index.names
    sens = {r.unit: r for r in index.sensitivity.unit_rows()} if index.sensitivity else {}
    total = index.ranked_count
    rows = []
    for row in index.result.unit_rows():
        if not index.sees(row.unit):
            continue
        s = sens.get(row.unit)
        rows.append(
            {
                "code": row.unit,
                "name": names[row.unit],
                "score": _dec(row.score),
                "rank": row.rank,
                "best": s.best if s else None,
                "worst": s.worst if s else None,
                "median": _dec(s.median, Decimal("0.1")) if s and s.median is not None else None,
                "ranks": list(s.ranks) if s else [],
                "dimensions": [
                    {
                        "code": d.code,
                        "name": d.name,
                        "score": _dec(row.group_scores.get(d.code)),
                    }
                    for d in index.definition.dimensions
                    if d.code in row.group_scores
                ],
                "excluded": exclusion_text(index, row.exclusion.missing, row.exclusion.share)
                if row.exclusion
                else "",
                "imputed": [names.get(c, c) for c in row.imputed],
                "winsorised": [names.get(c, c) for c in row.winsorised],
                "bar": _bar(s.best, s.worst, row.rank, total) if s and s.best else None,
            }
        )
    return rows


def _bar(best: int, worst: int, rank: int, total: int) -> dict[str, float]:
    """Positions (percent of the width) of the rank range and the base rank on a 1…total
    scale, for the small range bar."""
    span = max(total - 1, 1)

    def at(r: int) -> float:
        return round((r - 1) / span * 100, 1)

    return {"left": at(best), "width": max(at(worst) - at(best), 0.0), "mark": at(rank)}


def dimension_headers(index: DistrictIndex) -> list[tuple[str, str]]:
    if index.empty:
        return []
    used = {g.code for g in index.result.record.groups if g.used}
    return [(d.code, d.name) for d in index.definition.dimensions if d.code in used]


def scenario_columns(index: DistrictIndex) -> list[dict[str, Any]]:
    if index.sensitivity is None:
        return []
    names = index.names
    return [
        {
            "key": s.key,
            "kind": s.kind,
            "label": scenario_label(s, names),
            "short": scenario_short(s),
            "indicator": names.get(s.indicator, "") if s.indicator else "",
            "changed": len([u for u in index.sensitivity.changed(s.key) if index.sees(u)])
            if s.key != "base"
            else 0,
        }
        for s in index.sensitivity.scenarios
    ]


def export_headers(index: DistrictIndex) -> list[str]:
    return [
        _("排名"),
        _("区域"),
        _("行政区划代码"),
        _("综合得分"),
        *[name for _code, name in dimension_headers(index)],
        _("敏感性分析排名区间"),
        _("排名中位数"),
        _("说明"),
    ]


def export_rows(index: DistrictIndex):
    dims = [code for code, _name in dimension_headers(index)]
    for row in ranking(index):
        by_code = {d["code"]: d["score"] for d in row["dimensions"]}
        notes = []
        if row["excluded"]:
            notes.append(_("未参与排名：%(r)s") % {"r": row["excluded"]})
        if row["imputed"]:
            notes.append(_("补齐值：%(l)s") % {"l": "、".join(row["imputed"])})
        if row["winsorised"]:
            notes.append(_("异常值缩尾：%(l)s") % {"l": "、".join(row["winsorised"])})
        yield (
            row["rank"] if row["rank"] else "",
            row["name"],
            row["code"],
            row["score"] if row["score"] is not None else "",
            *[by_code.get(c) if by_code.get(c) is not None else "" for c in dims],
            _range(row["best"], row["worst"]),
            row["median"] if row["median"] is not None else "",
            "；".join(notes),
        )


def _range(best: int | None, worst: int | None) -> str:
    if not best:
        return ""
    return str(best) if best == worst else f"{best}–{worst}"


def _visible_record(index: DistrictIndex) -> dict[str, Any]:
    """The computation record with other units' entries left out for a district admin (their
    counts stay, so the page can say that there were some)."""
    record = index.result.record.as_dict()
    for key in ("exclusions", "imputations", "winsorisations"):
        entries = record[key]
        record[key] = [e for e in entries if index.sees(e["unit"])]
        record[f"{key}_hidden"] = len(entries) - len(record[key])
    for item in record["indicators"]:
        item["missing"] = [u for u in item["missing"] if index.sees(u)]
    return record


def api_payload(index: DistrictIndex) -> dict[str, Any]:
    """Everything of one year's index as JSON-ready data (scores as strings with 2 decimals)."""
    definition = index.definition
    body: dict[str, Any] = {
        "index": {"code": definition.code, "name": definition.name, "version": definition.version},
        "year": index.year,
        "data_version": index.version.as_dict(),
        "units": len(index.units),
        "ranked": index.ranked_count,
        "scope": None if index.visible is None else sorted(index.visible),
        "indicators": [
            {
                "code": i.code,
                "name": i.name,
                "unit": i.unit,
                "dimension": i.spec.dimension,
                "direction": i.direction,
                "weight_given": round(definition.overall_weight(i.code), 6),
                "used": i.used,
                "status": i.status,
                "reason": i.reason,
                "periods": list(i.periods),
                "live_units": len(i.live_units),
            }
            for i in index.inputs
        ],
        "ranking": [],
        "scenarios": [],
        "record": None,
    }
    if index.empty:
        return body
    for row in ranking(index):
        body["ranking"].append(
            {
                "unit": row["code"],
                "name": row["name"],
                "score": _text(row["score"]),
                "rank": row["rank"],
                "rank_best": row["best"],
                "rank_worst": row["worst"],
                "rank_median": _text(row["median"]),
                "ranks": row["ranks"],
                "dimensions": {d["code"]: _text(d["score"]) for d in row["dimensions"]},
                "excluded": row["excluded"],
                "imputed": row["imputed"],
                "winsorised": row["winsorised"],
            }
        )
    body["scenarios"] = [
        {"key": c["key"], "kind": c["kind"], "label": c["label"]} for c in scenario_columns(index)
    ]
    body["record"] = _visible_record(index)
    return body


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


# -- the methodology page ----------------------------------------------------------------------


def methodology(index: DistrictIndex) -> dict[str, Any]:
    """What the methodology page shows, all taken from the definition and this computation's
    record: indicators with directions and weights (given and used), the options in words,
    exclusions, imputations and winsorisations (the viewer's units), each indicator's
    statistics and normalisation range, and the raw data matrix."""
    definition = index.definition
    options = definition.options
    record = index.result.record if index.result is not None else None
    records = {r.code: r for r in record.indicators} if record else {}
    groups = {g.code: g for g in record.groups} if record else {}
    names = index.names
    total_dim = sum(d.weight for d in definition.dimensions)

    dimensions = []
    for d in definition.dimensions:
        inside = sum(i.weight for i in d.indicators)
        items = []
        for spec in d.indicators:
            item = index.input(spec.code)
            rec = records.get(spec.code)
            items.append(
                {
                    "code": spec.code,
                    "name": item.name,
                    "unit": item.unit,
                    "direction": item.direction,
                    "direction_label": Direction(item.direction).label,
                    "source": item.catalog.source if item.catalog else "",
                    "weight_within": _pct(spec.weight / inside),
                    "weight_given": _pct(definition.overall_weight(spec.code)),
                    "weight_used": _pct(rec.weight) if rec and rec.used else None,
                    "used": item.used,
                    "reason": item.reason,
                    "periods": item.periods,
                    "year_value": spec.year_value,
                    "live": bool(item.live_units),
                    "stats": _stats(item, rec) if rec else None,
                }
            )
        g = groups.get(d.code)
        dimensions.append(
            {
                "code": d.code,
                "name": d.name,
                "weight_given": _pct(d.weight / total_dim),
                "weight_used": _pct(g.weight) if g and g.used else None,
                "indicators": items,
            }
        )

    visible = _visible_record(index) if record else {}
    data_rows = []
    if record:
        used = [r.code for r in record.indicators]
        imputed = {(e["unit"], e["indicator"]): e["value"] for e in visible["imputations"]}
        clipped = {(e["unit"], e["indicator"]) for e in visible["winsorisations"]}
        for u in index.units:
            if not index.sees(u.code):
                continue
            cells = []
            for code in used:
                item = index.input(code)
                raw = item.values.get(u.code, imputed.get((u.code, code)))
                cells.append(
                    {
                        "text": item.display(raw),
                        "imputed": (u.code, code) in imputed,
                        "winsorised": (u.code, code) in clipped,
                    }
                )
            data_rows.append({"name": u.name, "cells": cells})

    return {
        "dimensions": dimensions,
        "options": methodology_options(options),
        "exclusions": [
            {
                "name": names.get(e["unit"], e["unit"]),
                "text": exclusion_text(index, e["missing"], e["share"]),
            }
            for e in visible.get("exclusions", [])
        ],
        "imputations": [
            {
                "unit": names.get(e["unit"], e["unit"]),
                "indicator": names.get(e["indicator"], e["indicator"]),
                "value": index.input(e["indicator"]).display(e["value"]),
                "based_on": e["based_on"],
            }
            for e in visible.get("imputations", [])
        ],
        "winsorisations": [
            {
                "unit": names.get(e["unit"], e["unit"]),
                "indicator": names.get(e["indicator"], e["indicator"]),
                "original": index.input(e["indicator"]).display(e["original"]),
                "treated": index.input(e["indicator"]).display(e["treated"]),
                "side": e["side"],
            }
            for e in visible.get("winsorisations", [])
        ],
        "hidden": {
            key: visible.get(f"{key}_hidden", 0)
            for key in ("exclusions", "imputations", "winsorisations")
        },
        "data_headers": [index.input(r.code) for r in record.indicators] if record else [],
        "data_rows": data_rows,
        "scenarios": scenario_columns(index),
    }


def methodology_options(options) -> dict[str, Any]:
    """The options of the definition in words (and `raw`: the Options themselves)."""
    labels = option_labels()
    return {
        "imputation": labels[options.imputation],
        "max_missing_share": _num(round(options.max_missing_share * 100, 1)),
        "outliers": labels["sd"] if options.outliers == "sd" else labels["outliers_none"],
        "outlier_k": _num(options.outlier_k),
        "normalisation": labels[options.normalisation],
        "constant": labels[options.constant],
        "aggregation": labels[options.aggregation],
        "geometric_floor": _num(options.geometric_floor),
        "weight_step": _num(round(options.weight_step * 100)),
        "tie_decimals": options.tie_decimals,
        "raw": options,
    }


def _pct(weight: float) -> Decimal:
    return Decimal(str(weight * 100)).quantize(Decimal("0.1"))


def _stats(item: IndicatorInput, rec) -> dict[str, str | None]:
    """The indicator's statistics as text: mean, SD and bounds with two more decimals than the
    indicator's own, the normalisation range with its own."""
    decimals = item.catalog.decimals if item.catalog else 2

    def show(value, extra: int = 0):
        return None if value is None else f"{Decimal(str(value)):,.{decimals + extra}f}"

    return {
        "observed": rec.observed,
        "mean": show(rec.mean, 2),
        "sd": show(rec.sd, 2),
        "lower_bound": show(rec.lower_bound, 2),
        "upper_bound": show(rec.upper_bound, 2),
        "minimum": show(rec.minimum),
        "maximum": show(rec.maximum),
    }
