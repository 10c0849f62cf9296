"""API conventions shared by every app: one error shape, one pagination, and the schema hook
that documents that shape on every operation."""

from __future__ import annotations

import sys

from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError, models
from django.http import Http404, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions, routers, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.exceptions import ServiceError


class IntegerLookups:
    """Object ids (and other integer lookups, like a policy's year) in API addresses match digits
    only: /api/calls/abc/ is a 404 in the error shape instead of reaching a service with text
    where it expects a number. A lookup by code takes anything but `/`, `.` and NUL (which
    PostgreSQL refuses to compare: /api/regions/%00/ was a server error). A viewset may still
    name its own `lookup_value_regex`."""

    def get_lookup_regex(self, viewset, lookup_prefix: str = "") -> str:
        lookup_field = getattr(viewset, "lookup_field", "pk")
        lookup_url_kwarg = getattr(viewset, "lookup_url_kwarg", None) or lookup_field
        default = r"\d+" if _is_integer(viewset, lookup_field) else r"[^/.\x00]+"
        lookup_value = getattr(viewset, "lookup_value_regex", default)
        return f"(?P<{lookup_prefix}{lookup_url_kwarg}>{lookup_value})"


def _is_integer(viewset, lookup_field: str) -> bool:
    if lookup_field in ("pk", "id"):
        return True
    model = getattr(getattr(viewset, "queryset", None), "model", None)
    try:
        field = model._meta.get_field(lookup_field) if model else None
    except FieldDoesNotExist:
        return False
    return isinstance(field, models.IntegerField)


class DefaultRouter(IntegerLookups, routers.DefaultRouter):
    pass


class SimpleRouter(IntegerLookups, routers.SimpleRouter):
    pass


class SlugRelatedField(serializers.SlugRelatedField):
    """A related object named by its code or name. Text holding a NUL character names nothing,
    and PostgreSQL refuses to even compare it, so it is refused before the lookup."""

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            raise serializers.ValidationError(
                _("不能包含空字符（\\x00）。"), code="null_characters"
            )
        return super().to_internal_value(data)


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


def _text(message) -> str:
    # DRF says this in English only, when a body is missing or JSON null.
    if getattr(message, "code", None) == "null" and str(message) == "No data provided":
        return _("未提供请求数据。")
    return str(message)


def _flatten(detail) -> dict[str, list[str]] | list[str]:
    if isinstance(detail, dict):
        return {
            k: [_text(m) for m in (v if isinstance(v, list) else [v])] for k, v in detail.items()
        }
    if isinstance(detail, list):
        return [_text(m) for m in detail]
    return [_text(detail)]


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
    elif isinstance(exc, exceptions.ParseError):
        # DRF's parsers word these in English only ("JSON parse error - …").
        message = _("请求内容无法解析：%(detail)s") % {"detail": exc.detail}
        response.data = {"code": "parse_error", "message": message, "errors": {}}
    else:
        code = getattr(exc, "default_code", "error")
        detail = getattr(exc, "detail", str(exc))
        response.data = {"code": str(code), "message": str(detail), "errors": {}}
    return response


# Errors Django answers before any API view runs (an /api/ address no route matches, a request
# Django refuses, an unexpected exception) get the same shape under /api/; pages keep theirs.
def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def _plain_error(code: str, message: str, http_status: int) -> JsonResponse:
    body = {"code": code, "message": message, "errors": {}}
    return JsonResponse(body, status=http_status, json_dumps_params={"ensure_ascii": False})


def bad_request(request, exception):
    if _is_api(request):
        return _plain_error("bad_request", _("请求无效。"), status.HTTP_400_BAD_REQUEST)
    return defaults.bad_request(request, exception)


def not_found(request, exception):
    if _is_api(request):
        return _plain_error("not_found", _("没有这个接口地址。"), status.HTTP_404_NOT_FOUND)
    return defaults.page_not_found(request, exception)


# A lost database connection (the server restarting, a network cut) is the service being
# briefly unavailable, not a fault in the request: 503 with a time to retry, and the next
# request reconnects (connection health checks, docs/reliability.md).
UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5


def server_error(request):
    """Django's handler500, called while the exception is being handled. The page is plain
    HTML that needs neither the database nor the context processors."""
    unavailable = isinstance(sys.exc_info()[1], UNAVAILABLE)
    if unavailable:
        code, http_status = "unavailable", status.HTTP_503_SERVICE_UNAVAILABLE
        title = _("服务暂时不可用")
        message = _("平台的数据库暂时无法访问，您的操作没有完成。请稍等几秒后重试。")
    else:
        code, http_status = "server_error", status.HTTP_500_INTERNAL_SERVER_ERROR
        title = _("服务器出错")
        message = _("服务器内部错误，请稍后重试。")
    if _is_api(request):
        response = _plain_error(code, message, http_status)
    else:
        page = loader.get_template("500.html").render({"title": title, "message": message})
        response = HttpResponse(page, status=http_status)
    if unavailable:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


# The responses every operation may give besides its own, in the one shape above. Unsafe
# methods may also meet a record whose status forbids the step (409). Missing or invalid
# credentials are answered 403, not 401: session authentication comes first, and it names no
# WWW-Authenticate challenge (DRF then turns 401 into 403). 401 is documented all the same so
# that a generated client handles it.
ERROR_RESPONSES = {
    "400": "请求有误：参数或字段未通过校验，errors 按字段列出原因。",
    "401": "身份认证失败。本平台对未登录和令牌无效一般返回 403，客户端应同样处理 401。",
    "403": "未登录、令牌无效，或无权执行此操作。",
    "404": "对象不存在，或当前用户无权查看。",
    "503": "服务暂时不可用（数据库无法访问），按 Retry-After 头的秒数稍后重试。",
}
CONFLICT_RESPONSE = ("409", "对象当前的状态不允许此操作，message 说明当前状态。")
UNSUPPORTED_MEDIA_TYPE = (
    "415",
    "请求体的 Content-Type 不是本接口接受的类型，或请求体无法按其解析。",
)
STORAGE_FULL_RESPONSE = ("507", "服务器存储空间已满，上传的文件未保存；稍后重试。")
ADDRESS_BLOCKED_RESPONSE = (
    "429",
    "此网络地址登录失败次数过多，message 给出可以再试的时间。",
)
UNSAFE_METHODS = {"post", "put", "patch", "delete"}
INTEGER_PATTERN = {"type": "string", "pattern": "^\\d+$"}

ERROR_SCHEMA = {
    "type": "object",
    "description": "所有接口错误的统一结构。",
    "properties": {
        "code": {"type": "string", "description": "机器可读的错误代码，例如 invalid、not_found。"},
        "message": {"type": "string", "description": "给用户看的中文说明。"},
        "errors": {
            "type": "object",
            "description": "按字段列出的错误；与字段无关的在 non_field_errors 下。",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["code", "message", "errors"],
}


def _takes_files(operation, schemas) -> bool:
    """Whether the operation's multipart body has a file field."""
    schema = operation["requestBody"].get("content", {}).get("multipart/form-data", {})
    schema = schema.get("schema", {})
    if "$ref" in schema:
        schema = schemas.get(schema["$ref"].rsplit("/", 1)[-1], {})
    return any(field.get("format") == "binary" for field in schema.get("properties", {}).values())


def document_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: every operation documents the error shape for
    400/401/403/404/503, unsafe methods for 409, operations with a body for 415 (and 507 when they
    take files), the token endpoint 429, unless the view documented its own; id path
    parameters are integers."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    body = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for parameter in operation.get("parameters", []):
                # An id route matches digits only (IntegerLookups), which drf-spectacular
                # reads as a string pattern; it is an integer id.
                if parameter.get("in") == "path" and parameter["schema"] == INTEGER_PATTERN:
                    parameter["schema"] = {"type": "integer"}
            documented = dict(ERROR_RESPONSES)
            if method in UNSAFE_METHODS:
                documented[CONFLICT_RESPONSE[0]] = CONFLICT_RESPONSE[1]
            if "requestBody" in operation:
                documented[UNSUPPORTED_MEDIA_TYPE[0]] = UNSUPPORTED_MEDIA_TYPE[1]
                if _takes_files(operation, result["components"]["schemas"]):
                    documented[STORAGE_FULL_RESPONSE[0]] = STORAGE_FULL_RESPONSE[1]
            if operation.get("operationId") == "auth_token_create":
                documented[ADDRESS_BLOCKED_RESPONSE[0]] = ADDRESS_BLOCKED_RESPONSE[1]
            for status_code, description in documented.items():
                operation["responses"].setdefault(
                    status_code, {"content": body, "description": description}
                )
    return result
