"""API conventions shared by every app: one error shape, one pagination."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.exceptions import ServiceError


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


def _flatten(detail) -> dict[str, list[str]] | list[str]:
    if isinstance(detail, dict):
        return {k: [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in detail.items()}
    if isinstance(detail, list):
        return [str(m) for m in detail]
    return [str(detail)]


def error_response(code: str, message: str, http_status: int, errors=None) -> Response:
    return Response({"code": code, "message": message, "errors": errors or {}}, status=http_status)


def exception_handler(exc, context):
    """Every API error is {code, message, errors}; `errors` maps fields to messages."""
    if isinstance(exc, ServiceError):
        problems = getattr(exc, "problems", None)
        errors = {"non_field_errors": list(problems)} if problems else None
        return error_response(exc.code, exc.message, exc.status, errors)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            errors = {k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()}
        else:
            errors = {"non_field_errors": list(exc.messages)}
        first = next(iter(errors.values()))[0]
        return error_response("invalid", first, status.HTTP_400_BAD_REQUEST, errors)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("未找到该对象。"))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(_("您没有权限执行此操作。"))

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        if isinstance(errors, list):
            errors = {"non_field_errors": errors}
        first = next(iter(errors.values()), [_("输入有误。")])
        first_message = first[0] if isinstance(first, list) and first else _("输入有误。")
        response.data = {"code": "invalid", "message": first_message, "errors": errors}
    else:
        code = getattr(exc, "default_code", "error")
        detail = getattr(exc, "detail", str(exc))
        response.data = {"code": str(code), "message": str(detail), "errors": {}}
    return response
