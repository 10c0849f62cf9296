"""Excel/CSV import of records: a template with Chinese headers, row-and-column errors,
all-or-nothing. Each row is validated by the same form as the page."""

from __future__ import annotations

import copy
import csv
import io
import types
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from core import permissions
from core.exceptions import ServiceError
from core.models import User
from core.services.jobs import Progress, job_handler
from resources.forms import form_for
from resources.registry import KINDS, Kind
from resources.services import records

MAX_ROWS = 200_000


class ImportRejected(ServiceError):
    code = "import_rejected"

    def __init__(self, message: str, errors: list[str]):
        super().__init__(message)
        self.errors = errors


@dataclass
class Column:
    name: str
    header: str
    example: str
    choices: dict[str, str] = field(default_factory=dict)  # label → value
    multiple: bool = False


def columns(kind: Kind) -> list[Column]:
    form = form_for(kind.model)()
    out = []
    for name, f in form.fields.items():
        choices: dict[str, str] = {}
        multiple = False
        if hasattr(f, "queryset"):
            # Related taxonomy entries are written by their code or their name.
            for obj in f.queryset:
                key = getattr(obj, "code", obj.pk)
                choices[str(obj)] = str(key)
                choices[str(getattr(obj, "name", obj))] = str(key)
                choices[str(key)] = str(key)
            multiple = hasattr(f, "widget") and getattr(f.widget, "allow_multiple_selected", False)
        elif getattr(f, "choices", None) and not hasattr(f, "queryset"):
            for value, label in f.choices:
                if value not in ("", None):
                    choices[str(label)] = str(value)
                    choices[str(value)] = str(value)
        header = str(f.label) + ("（必填）" if f.required else "")
        out.append(
            Column(name, header, EXAMPLES.get(kind.key, {}).get(name, ""), choices, multiple)
        )
    return out


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

_TRUE = {"是", "true", "1", "yes", "y", "✓", "可"}
_FALSE = {"否", "false", "0", "no", "n", ""}


def template_workbook(kind: Kind) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = str(kind.label)
    cols = columns(kind)
    ws.append([c.header for c in cols])
    ws.append([c.example for c in cols])
    notes = wb.create_sheet(_("填写说明"))
    notes.append([_("列"), _("说明")])
    for c in cols:
        hint = ""
        if c.choices:
            shown = [k for k, v in c.choices.items() if k != v] or list(c.choices)
            hint = _("可填：") + "、".join(dict.fromkeys(shown))
            if c.multiple:
                hint += _("（多个用逗号分隔）")
        notes.append([c.header, hint])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def read_rows(filename: str, content: bytes) -> list[list[Any]]:
    name = filename.lower()
    try:
        if name.endswith(".csv"):
            text = content.decode("utf-8-sig")
            return [row for row in csv.reader(io.StringIO(text))]
        if name.endswith(".xlsx"):
            wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            return [list(row) for row in wb.worksheets[0].iter_rows(values_only=True)]
    except (UnicodeDecodeError, csv.Error):
        raise ImportRejected(
            _("文件不是 UTF-8 编码的 CSV，请用模板另存为“CSV UTF-8”。"), []
        ) from None
    except Exception:
        raise ImportRejected(_("无法读取该 Excel 文件，请确认它是 .xlsx 格式。"), []) from None
    raise ImportRejected(_("只支持 .xlsx 或 .csv 文件。"), [])


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return str(value).strip()


def _form_data(
    cols: list[Column], row: list[Any], bool_fields: set[str]
) -> tuple[dict[str, Any], list[str]]:
    data: dict[str, Any] = {}
    problems: list[str] = []
    for i, col in enumerate(cols):
        raw = _cell(row[i]) if i < len(row) else ""
        if col.name in bool_fields:
            if raw.lower() in _TRUE:
                data[col.name] = "on"
            elif raw.lower() not in _FALSE:
                problems.append(
                    _("「%(col)s」应填“是”或“否”，而不是“%(v)s”") % {"col": col.header, "v": raw}
                )
            continue
        if col.choices and raw:
            parts = (
                [p.strip() for p in raw.replace("，", ",").split(",") if p.strip()]
                if col.multiple
                else [raw]
            )
            values = []
            for p in parts:
                if p not in col.choices:
                    problems.append(
                        _("「%(col)s」的“%(v)s”不是可选值") % {"col": col.header, "v": p}
                    )
                else:
                    values.append(col.choices[p])
            data[col.name] = values if col.multiple else (values[0] if values else raw)
        else:
            data[col.name] = raw
    return data, problems


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
    if not rows or not any(_cell(c) for c in rows[0]):
        raise ImportRejected(_("文件是空的。"), [])
    cols = columns(kind)
    headers = [_cell(h) for h in rows[0]]
    expected = [c.header for c in cols]
    if headers[: len(expected)] != expected:
        missing = [h for h in expected if h not in headers]
        detail = _("缺少列：%s") % "、".join(missing) if missing else _("列的顺序与模板不一致")
        raise ImportRejected(_("表头与模板不符（%s），请下载最新模板。") % detail, [])
    body = [r for r in rows[1:] if any(_cell(c) for c in r)]
    if len(body) > MAX_ROWS:
        raise ImportRejected(_("一次最多导入 %(n)d 行。") % {"n": MAX_ROWS}, [])

    form_class = _with_cached_choices(form_for(kind.model))
    bool_fields = {
        n for n, f in form_class.base_fields.items() if f.__class__.__name__ == "BooleanField"
    }
    pk_maps = _pk_maps(form_class)
    progress.start(len(body) * 2, _("校验数据"))
    cleaned: list[dict[str, Any]] = []
    errors: list[str] = []
    for number, row in enumerate(body, start=2):
        data, problems = _form_data(cols, row, bool_fields)
        data = {k: _to_pk(pk_maps, k, v) for k, v in data.items()}
        form = form_class(data=_as_querydict(data))
        if not form.is_valid():
            for name, messages in form.errors.items():
                label = str(form.fields[name].label) if name in form.fields else _("整行")
                problems.extend(f"「{label}」{m}" for m in messages)
        if problems:
            errors.extend(_("第%(n)d行：%(p)s") % {"n": number, "p": p} for p in problems)
        else:
            cleaned.append({name: form.cleaned_data[name] for name in form.fields})
        progress.advance(1)
    if errors:
        raise ImportRejected(
            _("导入未完成：共 %(n)d 处错误，没有导入任何数据。") % {"n": len(errors)}, errors
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


def _as_querydict(data: dict[str, Any]):
    from django.http import QueryDict

    qd = QueryDict(mutable=True)
    for k, v in data.items():
        if isinstance(v, list):
            qd.setlist(k, [str(x) for x in v])
        elif v not in (None, ""):
            qd[k] = str(v)
    return qd


@job_handler("resources.import", permission="resources.add_record")
def import_job(params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    from django.core.files.storage import default_storage

    actor = User.objects.get(pk=params["user_id"])
    kind = KINDS[params["kind"]]
    with default_storage.open(params["path"], "rb") as fh:
        content = fh.read()
    try:
        rows = read_rows(params["filename"], content)
        result = import_records(
            actor, kind, rows, submit=params.get("submit", False), progress=progress
        )
    finally:
        default_storage.delete(params["path"])
    progress.advance(0, _("已导入 %(n)d 条记录。") % {"n": result["imported"]})
    return result
