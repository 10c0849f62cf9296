"""Excel/CSV import for any app: a template with Chinese headers, rows read from .xlsx or UTF-8
.csv, each row checked by the same form as the page, errors by row and column, all or nothing.

An app describes its columns with `form_columns`, checks the file with `body_rows` and
`validate_rows`, and saves the cleaned rows with its own service.
"""

from __future__ import annotations

import csv
import io
import uuid
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import QueryDict
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from core.exceptions import ServiceError
from core.models import Job
from core.services import jobs
from core.services.jobs import Progress

MAX_ROWS = 200_000
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# A workbook of ordinary rows unpacks to ~16 times its size (20,000 rows of the example
# achievement: 1.1 MB → 17.4 MB); 30 times the largest upload leaves room for any real one.
MAX_UNPACKED_BYTES = 30 * MAX_UPLOAD_BYTES
MAX_COLUMNS = 64  # the widest template has 30 columns

_TRUE = {"是", "true", "1", "yes", "y", "✓", "可"}
_FALSE = {"否", "false", "0", "no", "n", ""}


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


def form_columns(form_class: type[forms.BaseForm], examples: dict[str, str]) -> list[Column]:
    """One column per form field, headed by its label; choices may be written by label or value."""
    out = []
    for name, f in form_class().fields.items():
        choices: dict[str, str] = {}
        if hasattr(f, "queryset"):
            # Related taxonomy entries are written by their code or their name.
            for obj in f.queryset:
                key = getattr(obj, "code", obj.pk)
                choices[str(obj)] = str(key)
                choices[str(getattr(obj, "name", obj))] = str(key)
                choices[str(key)] = str(key)
        elif getattr(f, "choices", None):
            for value, label in f.choices:
                if value not in ("", None):
                    choices[str(label)] = str(value)
                    choices[str(value)] = str(value)
        multiple = bool(choices) and getattr(f.widget, "allow_multiple_selected", False)
        header = str(f.label) + ("（必填）" if f.required else "")
        out.append(Column(name, header, examples.get(name, ""), choices, multiple))
    return out


def template_workbook(title: str, cols: list[Column]) -> bytes:
    """The template: headers and an example row, and a sheet explaining what each column takes."""
    wb = Workbook()
    ws = wb.active
    ws.title = title
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
    """The rows of an .xlsx or UTF-8 .csv file. Reading stops after the most rows an import
    takes (blank rows not counted) and the widest template, so neither a sheet of a million
    rows nor a workbook that unpacks to gigabytes (a 'zip bomb') is held in memory."""
    name = filename.lower()
    try:
        if name.endswith(".csv"):
            text = content.decode("utf-8-sig")
            return _capped(csv.reader(io.StringIO(text)))
        if name.endswith(".xlsx"):
            _refuse_zip_bomb(content)
            wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            sheet = wb.worksheets[0]
            return _capped(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS))
    except ImportRejected:
        raise
    except (UnicodeDecodeError, csv.Error):
        raise ImportRejected(
            _("文件不是 UTF-8 编码的 CSV，请用模板另存为“CSV UTF-8”。"), []
        ) from None
    except Exception:
        raise ImportRejected(_("无法读取该 Excel 文件，请确认它是 .xlsx 格式。"), []) from None
    raise ImportRejected(_("只支持 .xlsx 或 .csv 文件。"), [])


def _capped(rows) -> list[list[Any]]:
    """The rows, up to the header and MAX_ROWS + 1 non-blank data rows (one more than allowed,
    so `body_rows` can still say the file is too long)."""
    kept: list[list[Any]] = []
    filled = 0
    for row in rows:
        row = list(row[:MAX_COLUMNS])
        kept.append(row)
        if any(value not in (None, "") for value in row):
            filled += 1
            if filled > MAX_ROWS + 1:
                break
    return kept


def _refuse_zip_bomb(content: bytes) -> None:
    """An .xlsx is a zip archive: refuse one whose parts unpack to more than any import needs,
    by the sizes its directory declares (openpyxl then reads the sheet as a stream, so a
    directory that lies still cannot fill memory)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise ImportRejected(_("无法读取该 Excel 文件，请确认它是 .xlsx 格式。"), []) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise ImportRejected(
            _("该 Excel 文件解压后超过 %(n)d MB，不像导入模板，已拒绝。请用模板填写后再导入。")
            % {"n": MAX_UNPACKED_BYTES // (1024 * 1024)},
            [],
        )


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return str(value).strip()


def body_rows(cols: list[Column], rows: list[list[Any]]) -> list[list[Any]]:
    """The data rows of a file whose header row matches the template; blank rows left out."""
    if not rows or not any(cell(c) for c in rows[0]):
        raise ImportRejected(_("文件是空的。"), [])
    headers = [cell(h) for h in rows[0]]
    expected = [c.header for c in cols]
    if headers[: len(expected)] != expected:
        missing = [h for h in expected if h not in headers]
        detail = _("缺少列：%s") % "、".join(missing) if missing else _("列的顺序与模板不一致")
        raise ImportRejected(_("表头与模板不符（%s），请下载最新模板。") % detail, [])
    body = [r for r in rows[1:] if any(cell(c) for c in r)]
    if len(body) > MAX_ROWS:
        raise ImportRejected(_("一次最多导入 %(n)d 行。") % {"n": MAX_ROWS}, [])
    return body


def form_data(
    cols: list[Column], row: list[Any], bool_fields: set[str]
) -> tuple[dict[str, Any], list[str]]:
    """A row as form data (choice labels turned into values), and the problems found doing so."""
    data: dict[str, Any] = {}
    problems: list[str] = []
    for i, col in enumerate(cols):
        raw = cell(row[i]) if i < len(row) else ""
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


def as_querydict(data: dict[str, Any]) -> QueryDict:
    qd = QueryDict(mutable=True)
    for k, v in data.items():
        if isinstance(v, list):
            qd.setlist(k, [str(x) for x in v])
        elif v not in (None, ""):
            qd[k] = str(v)
    return qd


def validate_rows(
    form_class: type[forms.BaseForm],
    cols: list[Column],
    body: list[list[Any]],
    progress: Progress,
    prepare: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Every row's cleaned data, or ImportRejected listing each error by row and column.

    Row numbers are those the user sees in Excel: the header is row 1. `prepare` turns a row's
    values into what the form takes (codes into keys, say) before it is validated.
    """
    bool_fields = {
        n for n, f in form_class.base_fields.items() if isinstance(f, forms.BooleanField)
    }
    cleaned: list[dict[str, Any]] = []
    errors: list[str] = []
    for number, row in enumerate(body, start=2):
        data, problems = form_data(cols, row, bool_fields)
        if prepare is not None:
            data = prepare(data)
        form = form_class(data=as_querydict(data))
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
    return cleaned


def start_import(actor, kind: str, title: str, upload, params: dict[str, Any] | None = None) -> Job:
    """Keep an uploaded file and start the import job of `kind` on it. The file is refused here
    when its size or type is wrong, before any work; its rows are checked by the job."""
    if upload is None:
        raise ImportRejected(_("请选择要导入的文件。"), [])
    if upload.size > MAX_UPLOAD_BYTES:
        raise ImportRejected(_("文件超过 20MB，请拆分后分批导入。"), [])
    if not upload.name.lower().endswith((".xlsx", ".csv")):
        raise ImportRejected(_("只支持 .xlsx 或 .csv 文件。"), [])
    path = default_storage.save(
        f"imports/{uuid.uuid4().hex}-{upload.name[-60:]}", ContentFile(upload.read())
    )
    return jobs.start_job(
        actor,
        kind,
        title,
        {"user_id": actor.pk, "path": path, "filename": upload.name, **(params or {})},
    )


@contextmanager
def uploaded_rows(params: dict[str, Any]) -> Iterator[list[list[Any]]]:
    """The rows of the file `start_import` kept for a job. The file is removed when the block
    ends, imported or refused — but not when the worker dies inside it: the job then runs
    again on the same file (the import is one transaction, so running it again is safe)."""
    try:
        with default_storage.open(params["path"], "rb") as fh:
            content = fh.read()
        yield read_rows(params["filename"], content)
    finally:
        default_storage.delete(params["path"])


def import_file_from_command(
    command, file: str, username: str, run: Callable[[Any, list[list[Any]], Progress], dict]
) -> dict:
    """The command-line twin of an import page: read FILE as USERNAME, run the import with a
    progress bar, print row errors to stderr and stop with the refusal if anything is wrong."""
    from pathlib import Path

    from django.core.management.base import CommandError

    from core.models import User
    from core.services.jobs import TqdmProgress

    path = Path(file)
    if not path.is_file():
        raise CommandError(_("找不到文件：%(f)s") % {"f": file})
    actor = User.objects.filter(username=username).first()
    if actor is None:
        raise CommandError(_("没有用户名为“%(u)s”的用户。") % {"u": username})
    progress = TqdmProgress(_("导入"))
    try:
        return run(actor, read_rows(path.name, path.read_bytes()), progress)
    except ImportRejected as exc:
        for error in exc.errors:
            command.stderr.write(error)
        raise CommandError(exc.message) from None
    except ServiceError as exc:
        raise CommandError(exc.message) from None
    finally:
        progress.close()
