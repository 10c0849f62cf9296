"""Checks on what a record holds, shared by the forms, the API, imports and the admin."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024


def validate_decision_document(value) -> None:
    """处理决定书: a PDF of at most 10 MB, recognised by its content as well as its name."""
    name = getattr(value, "name", "") or ""
    if not name.lower().endswith(".pdf"):
        raise ValidationError(
            _("处理决定书只能上传 PDF 文件，“%(name)s”不是 PDF 文件。"),
            code="document_type",
            params={"name": name.rsplit("/", 1)[-1]},
        )
    if value.size > MAX_DOCUMENT_BYTES:
        raise ValidationError(
            _("处理决定书不能超过 10MB，该文件为 %(size).1fMB。"),
            code="document_size",
            params={"size": value.size / 1024 / 1024},
        )
    stream = getattr(value, "file", value)
    position = stream.tell()
    stream.seek(0)
    head = stream.read(5)
    stream.seek(position)
    if head != b"%PDF-":
        raise ValidationError(
            _("“%(name)s”的内容不是 PDF，请上传处理决定书的 PDF 文件。"),
            code="document_content",
            params={"name": name.rsplit("/", 1)[-1]},
        )
