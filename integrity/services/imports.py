"""Excel/CSV import of records of dishonest conduct, through the shared machinery in
`core.services.imports`: every row is checked by the record form, then all are saved or none."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from core import permissions
from core.models import User
from core.services.imports import (
    Column,
    body_rows,
    form_columns,
    uploaded_rows,
    validate_rows,
)
from core.services.imports import template_workbook as _workbook
from core.services.jobs import Progress, job_handler
from integrity.forms import IntegrityImportForm
from integrity.services import records

EXAMPLE = {
    "subject_kind": "单位",
    "organisation": "91220101MA17X3KW07",
    "finding": "在科技计划项目申报中提供虚假的财务审计报告。",
    "severity": "严重",
    "decision_number": "吉科诚〔2026〕3号",
    "decision_date": "2026-03-15",
    "issued_by": "长春市科学技术局",
    "restricted_from": "2026-03-15",
    "restricted_until": "2027-06-30",
    "activities": "申报科技计划项目，资质认定与评价",
}


def columns() -> list[Column]:
    return form_columns(IntegrityImportForm, EXAMPLE)


def template_workbook() -> bytes:
    return _workbook(_("科研失信记录"), columns())


def import_records(
    actor, rows: list[list[Any]], progress: Progress | None = None
) -> dict[str, int]:
    """Validate every row, then save all of them or none. Errors name the row and the column."""
    progress = progress or Progress()
    permissions.require(
        actor, "integrity.add_record", message=_("只有市科技局可以导入科研失信记录。")
    )
    cols = columns()
    body = body_rows(cols, rows)
    progress.start(len(body) * 2, _("校验数据"))
    cleaned = validate_rows(IntegrityImportForm, cols, body, progress)
    progress.advance(0, _("保存数据"))
    records.create_records(actor, cleaned, progress)
    return {"imported": len(cleaned)}


# One transaction: a job a dead worker left imported nothing, and runs again on the kept file.
@job_handler("integrity.import", permission="integrity.add_record", rerun=True)
def import_job(params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    actor = User.objects.get(pk=params["user_id"])
    with uploaded_rows(params) as rows:
        result = import_records(actor, rows, progress)
    progress.advance(0, _("已导入 %(n)d 条科研失信记录。") % {"n": result["imported"]})
    return result
