"""Excel/CSV import of enterprises' yearly figures, through `core.services.imports`: each row
names the enterprise by its 统一社会信用代码; all rows are checked, then all saved or none.

An enterprise's own users may only import their own rows; the bureau imports for anyone."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from core import permissions
from core.models import User
from core.services.imports import (
    Column,
    ImportRejected,
    body_rows,
    form_columns,
    uploaded_rows,
    validate_rows,
)
from core.services.imports import template_workbook as _workbook
from core.services.jobs import Progress, job_handler
from cultivation.forms import FiguresImportForm
from cultivation.services import figures

EXAMPLE = {
    "organisation": "91220101MA17X3KW07",
    "year": "2025",
    "revenue": "60000000",
    "main_revenue": "57000000",
    "rd_expense": "2400000",
    "rd_expense_hte": "2400000",
    "rd_expense_hte_domestic": "2300000",
    "staff": "120",
    "tech_staff": "30",
    "rd_staff": "22",
}


def columns() -> list[Column]:
    return form_columns(FiguresImportForm, EXAMPLE)


def template_workbook() -> bytes:
    return _workbook(_("企业年度数据"), columns())


def import_figures(
    actor, rows: list[list[Any]], progress: Progress | None = None
) -> dict[str, int]:
    progress = progress or Progress()
    permissions.require(actor, "cultivation.self_assess", message=_("您无权导入企业年度数据。"))
    cols = columns()
    body = body_rows(cols, rows)
    progress.start(len(body) * 2, _("校验数据"))
    cleaned = validate_rows(FiguresImportForm, cols, body, progress)
    errors, seen = [], {}
    for number, row in enumerate(cleaned, start=2):
        org = row["organisation"]
        if not permissions.can(actor, "cultivation.change_figures", org):
            errors.append(_("第%(n)d行：您无权填报“%(org)s”的数据") % {"n": number, "org": org})
        key = (org.pk, row["year"])
        if key in seen:
            errors.append(
                _("第%(n)d行：与第%(m)d行是同一企业同一年度") % {"n": number, "m": seen[key]}
            )
        seen.setdefault(key, number)
    if errors:
        raise ImportRejected(
            _("导入未完成：共 %(n)d 处错误，没有导入任何数据。") % {"n": len(errors)}, errors
        )
    progress.advance(0, _("保存数据"))
    result = figures.save_years(actor, cleaned, progress)
    return {"imported": len(cleaned), **result}


# One transaction: a job a dead worker left imported nothing, and runs again on the kept file.
@job_handler("cultivation.import", permission="cultivation.self_assess", rerun=True)
def import_job(params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    actor = User.objects.get(pk=params["user_id"])
    with uploaded_rows(params) as rows:
        result = import_figures(actor, rows, progress)
    progress.advance(
        0,
        _("已导入 %(n)d 行：新增 %(c)d 个年度，更新 %(u)d 个年度。")
        % {"n": result["imported"], "c": result["created"], "u": result["updated"]},
    )
    return result
