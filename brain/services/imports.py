"""Excel/CSV import of indicator values, through `core.services.imports`.

Columns: 指标代码, 区域代码, 期别, 数值, 说明. Every row is checked (indicator, region, period
form, value, the importer's right to that region, the same cell twice, a correction without a
reason), then all rows are saved or none. A row whose value is already the one in use is left
alone. The bureau imports any region; a district admin only their own district. The page runs
it as a job; `kechuang import_indicator_values FILE --as USER` is the command-line twin."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from brain.forms import ValueImportForm
from brain.models import IndicatorValue
from brain.services import values
from core import permissions
from core.models import User
from core.services.imports import Column, ImportRejected, body_rows, uploaded_rows, validate_rows
from core.services.imports import template_workbook as _workbook
from core.services.jobs import Progress, job_handler


def columns() -> list[Column]:
    return [
        Column("indicator", _("指标代码"), "rd_intensity"),
        Column("region", _("区域代码"), "220100"),
        Column("period", _("期别"), "2025"),
        Column("value", _("数值"), "2.42"),
        Column("note", _("说明"), _("2025年统计公报")),
    ]


def template_workbook() -> bytes:
    return _workbook(_("指标数值"), columns())


def import_values(actor, rows: list[list[Any]], progress: Progress | None = None) -> dict[str, int]:
    progress = progress or Progress()
    permissions.require(
        actor, "brain.enter_value", message=_("只有市科技局和区县管理员可以导入指标数值。")
    )
    cols = columns()
    body = body_rows(cols, rows)
    progress.start(len(body) * 2, _("校验数据"))
    cleaned = validate_rows(ValueImportForm, cols, body, progress)
    errors: list[str] = []
    seen: dict[tuple, int] = {}
    current = {
        (v.indicator_id, v.region_id, v.period): v.value
        for v in IndicatorValue.objects.filter(
            is_current=True,
            indicator__in={r["indicator"] for r in cleaned},
            region__in={r["region"] for r in cleaned},
        )
    }
    for number, row in enumerate(cleaned, start=2):
        indicator, region = row["indicator"], row["region"]
        if not permissions.can(actor, "brain.enter_value", region):
            errors.append(
                _("第%(n)d行：您无权填报“%(r)s”的数值（区县管理员只能填报本区县）")
                % {"n": number, "r": region.name}
            )
        key = (indicator.pk, region.pk, row["period"])
        if key in seen:
            errors.append(
                _("第%(n)d行：与第%(m)d行是同一指标、区域和期别") % {"n": number, "m": seen[key]}
            )
        seen.setdefault(key, number)
        old = current.get(key)
        if old is not None and old != row["value"] and not row["note"].strip():
            errors.append(
                _("第%(n)d行：%(r)s %(p)s 已有数值 %(v)s，修订时请在“说明”中写明原因")
                % {
                    "n": number,
                    "r": region.name,
                    "p": row["period"],
                    "v": values.display(indicator, old),
                }
            )
    if errors:
        raise ImportRejected(
            _("导入未完成：共 %(n)d 处错误，没有导入任何数据。") % {"n": len(errors)}, errors
        )
    progress.advance(0, _("保存数据"))
    result = {"imported": len(cleaned), "created": 0, "revised": 0, "unchanged": 0}
    with transaction.atomic():
        for row in cleaned:
            key = (row["indicator"].pk, row["region"].pk, row["period"])
            old = current.get(key)
            if old is not None and old == row["value"]:
                result["unchanged"] += 1
            else:
                values.enter_value(
                    actor, row["indicator"], row["region"], row["period"], row["value"], row["note"]
                )
                result["revised" if old is not None else "created"] += 1
            progress.advance(1)
    return result


def summary(result: dict[str, int]) -> str:
    return _("已导入 %(n)d 行：新增 %(c)d 个数值，修订 %(r)d 个，与现行值相同 %(s)d 个。") % {
        "n": result["imported"],
        "c": result["created"],
        "r": result["revised"],
        "s": result["unchanged"],
    }


# One transaction: a job a dead worker left imported nothing, and runs again on the kept file.
@job_handler("brain.import_values", permission="brain.enter_value", rerun=True)
def import_job(params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    actor = User.objects.get(pk=params["user_id"])
    with uploaded_rows(params) as rows:
        result = import_values(actor, rows, progress)
    progress.advance(0, summary(result))
    return result
