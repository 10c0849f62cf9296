"""Export of any filtered list to Excel or CSV, with Chinese headers."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from urllib.parse import quote

from django.http import HttpResponse, StreamingHttpResponse
from openpyxl import Workbook

EXPORT_FORMATS = ("xlsx", "csv")


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
                yield writer.writerow(row)

        response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    else:
        wb = Workbook(write_only=True)
        ws = wb.create_sheet(sheet)
        ws.append(list(headers))
        for row in rows:
            ws.append(list(row))
        buffer = io.BytesIO()
        wb.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = disposition
    return response
