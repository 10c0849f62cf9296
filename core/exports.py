"""Export of any filtered list to Excel or CSV, with Chinese headers."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from urllib.parse import quote

from django.http import HttpResponse, StreamingHttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

EXPORT_FORMATS = ("xlsx", "csv")

# Text a spreadsheet would run as a formula (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(ws, value):
    """A cell for a write-only sheet: text that starts like a formula stays text (string type
    with the quote prefix, as Excel's leading apostrophe does); other values as they are."""
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def safe_text(value):
    """A CSV value: text that starts like a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class _Echo:
    def write(self, value):
        return value


def export_response(
    headers: Sequence[str], rows: Iterable[Sequence], filename: str, fmt: str, sheet: str
) -> HttpResponse:
    disposition = f"attachment; filename*=UTF-8''{quote(filename)}.{fmt}"
    if fmt == "csv":
        writer = csv.writer(_Echo())

        def stream():
            yield "\ufeff"  # so that Excel opens UTF-8 Chinese correctly
            yield writer.writerow(headers)
            for row in rows:
                yield writer.writerow([safe_text(v) for v in row])

        response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    else:
        wb = Workbook(write_only=True)
        ws = wb.create_sheet(sheet)
        ws.append(list(headers))
        for row in rows:
            ws.append([safe_cell(ws, v) for v in row])
        buffer = io.BytesIO()
        wb.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = disposition
    return response
