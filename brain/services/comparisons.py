"""Province and national comparison lines, loaded from a data file (never typed into code).

The file is a CSV with the header `province,year,indicator,value,unit`: one row per area
(全国 or a province), year and indicator name, such as the shared
`jilin-st-stats/province-st.csv`. An indicator of the catalog is compared with the rows whose
indicator name is its `comparison_key`. Loading checks every row first and saves all or none;
(indicator, area, year) is the key, so loading a newer file again updates values in place.
"""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from brain.models import ComparisonValue, Indicator
from brain.services import targets
from core.choices import AuditAction
from core.services import audit
from core.services.imports import ImportRejected

HEADER = ["province", "year", "indicator", "value", "unit"]
PROVINCE = "吉林"  # the province of the city (Changchun)
NATION = "全国"
COMPARED_AREAS = (PROVINCE, NATION)


def source_of(path: Path) -> str:
    """The data's source as its SOURCE.md beside the file states it ("Source: …"), else the
    file's name."""
    notes = path.parent / "SOURCE.md"
    if notes.is_file():
        text = " ".join(notes.read_text(encoding="utf-8").split())
        found = re.search(r"Source:\s*(.+?\.)(?:\s|$)", text)
        if found:
            return found.group(1).rstrip(".")[:200]
    return path.name[:200]


def check_rows(rows: list[list[str]]) -> list[dict[str, Any]]:
    """The file's rows as ComparisonValue fields, or ImportRejected naming each bad row."""
    if not rows or [c.strip().lstrip("\ufeff") for c in rows[0]] != HEADER:
        raise ImportRejected(
            _("表头应为 %(h)s。") % {"h": ",".join(HEADER)},
            [],
        )
    known_units = dict(
        Indicator.objects.exclude(comparison_key="").values_list("comparison_key", "unit")
    )
    stored_units = dict(ComparisonValue.objects.values_list("key", "unit").distinct())
    errors: list[str] = []
    cleaned: list[dict[str, Any]] = []
    seen: dict[tuple[str, str, int], int] = {}
    file_units: dict[str, str] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        problems = []
        if len(row) != len(HEADER):
            errors.append(
                _("第%(n)d行：应有 %(k)d 列，实有 %(m)d 列") % {"n": number, "k": 5, "m": len(row)}
            )
            continue
        area, year_text, key, value_text, unit = (c.strip() for c in row)
        if not area or len(area) > 20:
            problems.append(_("地区不能为空，且不超过 20 个字"))
        if not key or len(key) > 60:
            problems.append(_("指标名不能为空，且不超过 60 个字"))
        if not unit or len(unit) > 20:
            problems.append(_("单位不能为空，且不超过 20 个字"))
        year = int(year_text) if year_text.isdigit() else None
        if year is None or not 1990 <= year <= 2100:
            problems.append(_("年份“%(y)s”应为 1990—2100 之间的四位数") % {"y": year_text})
        try:
            value = Decimal(value_text)
            if not value.is_finite():
                raise InvalidOperation
            value = value.quantize(Decimal("0.0001"))
        except InvalidOperation:
            problems.append(_("数值“%(v)s”不是数字") % {"v": value_text})
            value = None
        expected = known_units.get(key) or stored_units.get(key) or file_units.get(key)
        if key and unit and expected and unit != expected:
            problems.append(
                _("指标“%(k)s”的单位应为“%(u)s”，而不是“%(x)s”")
                % {"k": key, "u": expected, "x": unit}
            )
        if key and unit:
            file_units.setdefault(key, unit)
        if year is not None and (key, area, year) in seen:
            problems.append(_("与第%(m)d行是同一地区、年份和指标") % {"m": seen[(key, area, year)]})
        if problems:
            errors.extend(_("第%(n)d行：%(p)s") % {"n": number, "p": p} for p in problems)
            continue
        seen[(key, area, year)] = number
        cleaned.append({"key": key, "area": area, "year": year, "value": value, "unit": unit})
    if errors:
        raise ImportRejected(
            _("对比数据未加载：共 %(n)d 处错误，没有导入任何数据。") % {"n": len(errors)}, errors
        )
    if not cleaned:
        raise ImportRejected(_("文件中没有数据行。"), [])
    return cleaned


def read_file(path: Path) -> list[list[str]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRejected(_("文件不是 UTF-8 编码的 CSV。"), []) from None
    return list(csv.reader(io.StringIO(text)))


def load_comparisons(path: Path | str, source: str = "", actor=None) -> dict[str, int]:
    """Check and save every row of the CSV at `path`; return counts created, updated, unchanged.

    `source` is stored with each value (default: from SOURCE.md beside the file). Run by
    `kechuang load_comparisons` (the system; the audit entry names no user)."""
    path = Path(path)
    if not path.is_file():
        raise ImportRejected(_("找不到文件：%(f)s") % {"f": path}, [])
    cleaned = check_rows(read_file(path))
    source = (source or source_of(path))[:200]
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    with transaction.atomic():
        existing = {
            (c.key, c.area, c.year): c
            for c in ComparisonValue.objects.filter(key__in={r["key"] for r in cleaned})
        }
        new = []
        for row in cleaned:
            found = existing.get((row["key"], row["area"], row["year"]))
            if found is None:
                new.append(ComparisonValue(**row, source=source))
                continue
            if (found.value, found.unit, found.source) == (row["value"], row["unit"], source):
                counts["unchanged"] += 1
                continue
            before = audit.snapshot(found)
            found.value, found.unit, found.source = row["value"], row["unit"], source
            found.save(update_fields=["value", "unit", "source"])
            audit.record_update(actor, found, before, note=_("加载对比数据文件"))
            counts["updated"] += 1
        ComparisonValue.objects.bulk_create(new, batch_size=1000)
        counts["created"] = len(new)
        audit.record(
            actor,
            AuditAction.CREATE if new else AuditAction.UPDATE,
            None,
            {
                "file": [None, path.name],
                "source": [None, source],
                **{k: [None, v] for k, v in counts.items()},
            },
            note=_("加载对比数据：新增 %(c)d 条，更新 %(u)d 条，未变 %(s)d 条")
            % {"c": counts["created"], "u": counts["updated"], "s": counts["unchanged"]},
            object_repr=_("对比数据 · %(f)s") % {"f": path.name},
        )
    return counts


def comparison_table(indicator: Indicator) -> dict[str, Any]:
    """The city's yearly values beside 吉林 and 全国 for the indicator's comparison_key:
    {"areas": [...], "unit": ..., "rows": [(year, city, [area values])]}; rows empty when the
    indicator has no key or nothing is loaded for it."""
    empty = {"areas": list(COMPARED_AREAS), "unit": "", "source": "", "rows": []}
    if not indicator.comparison_key:
        return empty
    found = list(
        ComparisonValue.objects.filter(key=indicator.comparison_key, area__in=COMPARED_AREAS)
    )
    if not found:
        return empty
    by_year: dict[int, dict[str, Decimal]] = {}
    for c in found:
        by_year.setdefault(c.year, {})[c.area] = c.value
    yearly, _live = targets.city_yearly(indicator)
    city = dict(yearly)
    years = sorted(set(by_year) | set(city), reverse=True)
    rows = [
        (year, city.get(year), [by_year.get(year, {}).get(a) for a in COMPARED_AREAS])
        for year in years
    ]
    return {
        "areas": list(COMPARED_AREAS),
        "unit": found[0].unit,
        "source": found[0].source,
        "rows": rows,
    }
