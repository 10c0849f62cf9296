"""Excel/CSV import of records: a template with Chinese headers, row-and-column errors,
all-or-nothing. Each row is validated by the same form as the page."""

from __future__ import annotations

import copy
import types
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core import permissions
from core.models import User
from core.services.imports import (
    Column,
    ImportRejected,
    body_rows,
    form_columns,
    read_rows,
    uploaded_rows,
    validate_rows,
)
from core.services.imports import template_workbook as _workbook
from core.services.jobs import Progress, job_handler
from resources.forms import form_for
from resources.registry import KINDS, Kind
from resources.services import records

__all__ = ["ImportRejected", "columns", "import_records", "read_rows", "template_workbook"]


def columns(kind: Kind) -> list[Column]:
    return form_columns(form_for(kind.model), EXAMPLES.get(kind.key, {}))


EXAMPLES: dict[str, dict[str, str]] = {
    "achievements": {
        "title": "高能量密度锂离子电池正极材料制备技术",
        "summary": "一种高镍三元正极材料的共沉淀制备方法，比容量提高12%。",
        "trl": "6",
        "region": "长春高新技术产业开发区",
        "chain_nodes": "新能源",
        "allows_license": "是",
    },
    "patents": {
        "application_number": "200310102344.5",
        "title": "一种光学镜头",
        "applicants": "吉林大学",
    },
}


def template_workbook(kind: Kind) -> bytes:
    return _workbook(str(kind.label), columns(kind))


def _pk_maps(form_class) -> dict[str, dict[str, int]]:
    """For each related field, its entries' codes (or keys) mapped to primary keys, read once."""
    maps: dict[str, dict[str, int]] = {}
    for name, form_field in form_class.base_fields.items():
        if hasattr(form_field, "queryset"):
            model = form_field.queryset.model
            key = "code" if any(f.name == "code" for f in model._meta.fields) else "pk"
            maps[name] = {str(k): pk for k, pk in form_field.queryset.values_list(key, "pk")}
    return maps


def _to_pk(maps: dict[str, dict[str, int]], name: str, value):
    if name not in maps or value in (None, "", []):
        return value
    if isinstance(value, list):
        return [maps[name].get(str(v), v) for v in value]
    return maps[name].get(str(value), value)


def import_records(
    actor,
    kind: Kind,
    rows: list[list[Any]],
    *,
    submit: bool = False,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Validate every row, then save all of them or none. Errors name the row and the column."""
    progress = progress or Progress()
    permissions.require(
        actor, "resources.add_record", message=_("只有企业、高校院所等单位用户可以导入资源信息。")
    )
    cols = columns(kind)
    body = body_rows(cols, rows)
    form_class = _with_cached_choices(form_for(kind.model))
    pk_maps = _pk_maps(form_class)
    progress.start(len(body) * 2, _("校验数据"))
    cleaned = validate_rows(
        form_class,
        cols,
        body,
        progress,
        prepare=lambda data: {k: _to_pk(pk_maps, k, v) for k, v in data.items()},
    )

    progress.advance(0, _("保存数据"))
    records.create_records(actor, kind.model, cleaned, submit=submit, progress=progress)
    return {"imported": len(cleaned)}


def _with_cached_choices(form_class):
    """The record form with its related-choice lookups answered from memory: an import checks
    the same few taxonomy entries on every row, so they are read once instead of per row."""
    from django import forms as django_forms

    fields = {}
    for name, original in form_class.base_fields.items():
        if isinstance(original, django_forms.ModelChoiceField):
            cached = copy.deepcopy(original)
            cached._cached = _Shared((str(o.pk), o) for o in original.queryset)
            if isinstance(cached, django_forms.ModelMultipleChoiceField):
                cached._check_values = types.MethodType(_cached_check_values, cached)
                cached.clean = types.MethodType(_cached_clean_multiple, cached)
            else:
                cached.to_python = types.MethodType(_cached_to_python, cached)
            fields[name] = cached
    result = type(f"Cached{form_class.__name__}", (form_class,), {})
    result.base_fields = {**form_class.base_fields, **fields}
    return result


class _Shared(dict):
    """A lookup table that forms share: Django deep-copies fields for every form instance."""

    def __deepcopy__(self, memo):
        return self


def _cached_to_python(field, value):
    if value in field.empty_values:
        return None
    try:
        return field._cached[str(value)]
    except KeyError:
        raise ValidationError(
            field.error_messages["invalid_choice"], code="invalid_choice"
        ) from None


def _cached_clean_multiple(field, value):
    if not value:
        if field.required:
            raise ValidationError(field.error_messages["required"], code="required")
        return []
    return field._check_values(list(value))


def _cached_check_values(field, values):
    missing = [v for v in values if str(v) not in field._cached]
    if missing:
        raise ValidationError(
            field.error_messages["invalid_choice"],
            code="invalid_choice",
            params={"value": missing[0]},
        )
    return [field._cached[str(v)] for v in values]


# One transaction: a job a dead worker left imported nothing, and runs again on the kept file.
@job_handler("resources.import", permission="resources.add_record", rerun=True)
def import_job(params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    actor = User.objects.get(pk=params["user_id"])
    with uploaded_rows(params) as rows:
        result = import_records(
            actor,
            KINDS[params["kind"]],
            rows,
            submit=params.get("submit", False),
            progress=progress,
        )
    progress.advance(0, _("已导入 %(n)d 条记录。") % {"n": result["imported"]})
    return result
