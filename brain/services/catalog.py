"""The indicator catalog, loaded from brain/data/indicators.json (data, not code).

Loading is idempotent: indicator codes are the keys; a new code is created, a changed field is
updated (and audited), an unchanged indicator is left alone, and an indicator no longer in the
file is switched off (its values are kept). The whole file is checked first; one error and
nothing changes. `kechuang load_indicators`, the demo step and the catalog page's button all
run `load_catalog`.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from brain.choices import Direction, Frequency, Method
from brain.models import Indicator
from brain.services import computed
from core import permissions
from core.services import audit
from core.services.imports import ImportRejected

CATALOG_FILE = Path(__file__).resolve().parent.parent / "data" / "indicators.json"

REQUIRED = ("code", "name", "unit", "direction", "frequency", "method", "definition", "source")
OPTIONAL_TEXT = ("computer", "target_note", "comparison_key")
YEARS = ("baseline_year", "target_year")
VALUES = ("baseline_value", "target_value")
KNOWN = {*REQUIRED, *OPTIONAL_TEXT, *YEARS, *VALUES, "decimals"}


def read_catalog(path: Path | str = CATALOG_FILE) -> dict[str, Any]:
    path = Path(path)
    if not path.is_file():
        raise ImportRejected(_("找不到指标目录文件：%(f)s") % {"f": path}, [])
    try:
        return json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportRejected(
            _("指标目录文件不是有效的 UTF-8 JSON：%(e)s") % {"e": exc}, []
        ) from None


def _clean(item: Any, number: int, errors: list[str]) -> dict[str, Any] | None:
    """One catalog entry as Indicator field values, or None with its problems in `errors`."""
    where = _("第%(n)d个指标") % {"n": number}
    if not isinstance(item, dict):
        errors.append(_("%(w)s：应为一个对象") % {"w": where})
        return None
    if item.get("code"):
        where = _("指标“%(c)s”") % {"c": item["code"]}
    problems: list[str] = []
    unknown = sorted(set(item) - KNOWN)
    if unknown:
        problems.append(_("有未知的字段：%(f)s") % {"f": "、".join(unknown)})
    for key in REQUIRED:
        if not str(item.get(key) or "").strip():
            problems.append(_("缺少“%(f)s”") % {"f": key})
    if item.get("direction") and item["direction"] not in Direction.values:
        problems.append(_("方向应为 higher 或 lower"))
    if item.get("frequency") and item["frequency"] not in Frequency.values:
        problems.append(_("频率应为 year、quarter 或 month"))
    if item.get("method") and item["method"] not in Method.values:
        problems.append(_("取得方式应为 entered、imported 或 computed"))
    computer = str(item.get("computer") or "")
    if item.get("method") == Method.COMPUTED and computer not in computed.COMPUTERS:
        problems.append(
            _("计算函数“%(c)s”不存在（可用：%(all)s）")
            % {"c": computer, "all": "、".join(sorted(computed.COMPUTERS))}
        )
    if item.get("method") != Method.COMPUTED and computer:
        problems.append(_("只有平台数据实时计算的指标才能指定计算函数"))
    data: dict[str, Any] = {k: str(item.get(k) or "").strip() for k in REQUIRED + OPTIONAL_TEXT}
    for key in YEARS:
        value = item.get(key)
        if value is None:
            data[key] = None
        elif isinstance(value, int) and not isinstance(value, bool) and 1990 <= value <= 2100:
            data[key] = value
        else:
            problems.append(_("“%(f)s”应为 1990—2100 之间的年份") % {"f": key})
    for key in VALUES:
        value = item.get(key)
        if value is None:
            data[key] = None
            continue
        try:
            if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
                raise InvalidOperation
            data[key] = Decimal(value).quantize(Decimal("0.0001"))
        except InvalidOperation:
            problems.append(_("“%(f)s”应为数字") % {"f": key})
    decimals = item.get("decimals", 2)
    if isinstance(decimals, int) and not isinstance(decimals, bool) and 0 <= decimals <= 4:
        data["decimals"] = decimals
    else:
        problems.append(_("小数位数应为 0—4 的整数"))
    for year, value, label in (
        ("baseline_year", "baseline_value", _("基期")),
        ("target_year", "target_value", _("目标")),
    ):
        if (item.get(year) is None) != (item.get(value) is None):
            problems.append(_("%(l)s年份和%(l)s值须同时填写") % {"l": label})
    if not problems and data["baseline_year"] and data["target_year"]:
        if data["target_year"] <= data["baseline_year"]:
            problems.append(_("目标年份应晚于基期年份"))
        elif data["target_value"] == data["baseline_value"]:
            problems.append(_("目标值与基期值相同，无法计算进度"))
    if problems:
        errors.extend(f"{where}：{p}" for p in problems)
        return None
    return data


def check_catalog(catalog: dict[str, Any]) -> list[dict[str, Any]]:
    """Every entry of the catalog as field values, or ImportRejected listing every problem."""
    items = catalog.get("indicators") if isinstance(catalog, dict) else None
    if not isinstance(items, list) or not items:
        raise ImportRejected(_("指标目录文件中没有“indicators”列表。"), [])
    errors: list[str] = []
    cleaned: list[dict[str, Any]] = []
    seen: set[str] = set()
    for number, item in enumerate(items, start=1):
        data = _clean(item, number, errors)
        if data is None:
            continue
        if data["code"] in seen:
            errors.append(_("指标“%(c)s”：代码重复") % {"c": data["code"]})
        seen.add(data["code"])
        data["sort_order"] = number
        cleaned.append(data)
    if errors:
        raise ImportRejected(
            _("指标目录未加载：共 %(n)d 处错误，没有改动任何指标。") % {"n": len(errors)}, errors
        )
    return cleaned


def load_catalog(actor=None, path: Path | str = CATALOG_FILE) -> dict[str, int]:
    """Create or update every indicator of the catalog file; switch off those left out.

    `actor` None is the system (the command, the demo); a user must be allowed to keep the
    catalog. Returns counts: created, updated, unchanged, deactivated."""
    if actor is not None:
        permissions.require(
            actor, "brain.manage_catalog", message=_("只有市科技局可以维护指标目录。")
        )
    cleaned = check_catalog(read_catalog(path))
    note = _("按指标目录文件加载")
    counts = {"created": 0, "updated": 0, "unchanged": 0, "deactivated": 0}
    with transaction.atomic():
        existing = {i.code: i for i in Indicator.objects.select_for_update()}
        for data in cleaned:
            data = {**data, "active": True}
            indicator = existing.pop(data["code"], None)
            if indicator is None:
                indicator = Indicator.objects.create(**data)
                audit.record_create(actor, indicator, note=note)
                counts["created"] += 1
                continue
            before = audit.snapshot(indicator)
            changed = [k for k, v in data.items() if getattr(indicator, k) != v]
            if not changed:
                counts["unchanged"] += 1
                continue
            for key in changed:
                setattr(indicator, key, data[key])
            indicator.save(update_fields=changed)
            audit.record_update(actor, indicator, before, note=note)
            counts["updated"] += 1
        for indicator in existing.values():
            if indicator.active:
                before = audit.snapshot(indicator)
                indicator.active = False
                indicator.save(update_fields=["active"])
                audit.record_update(
                    actor,
                    indicator,
                    before,
                    note=_("指标目录文件中已无此指标，停用（保留已有数值）"),
                )
                counts["deactivated"] += 1
    return counts


def summary(counts: dict[str, int]) -> str:
    return _("指标目录已加载：新增 %(c)d 个，更新 %(u)d 个，未变 %(s)d 个，停用 %(d)d 个。") % {
        "c": counts["created"],
        "u": counts["updated"],
        "s": counts["unchanged"],
        "d": counts["deactivated"],
    }
