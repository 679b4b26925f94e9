"""API plumbing shared by every app: one error format, Chinese messages with machine-readable codes.

Every error body is ``{"code": "...", "message": "...", "errors": {...}}``: ``message`` is for people,
``code`` for programs, ``errors`` holds field-level detail when there is any.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler


def _first_message(detail: Any) -> str:
    if isinstance(detail, dict):
        for value in detail.values():
            return _first_message(value)
        return ""
    if isinstance(detail, list):
        return _first_message(detail[0]) if detail else ""
    return str(detail)


def _first_code(detail: Any, default: str) -> str:
    if isinstance(detail, dict):
        for value in detail.values():
            return _first_code(value, default)
    if isinstance(detail, list) and detail:
        return _first_code(detail[0], default)
    return getattr(detail, "code", None) or default


def django_validation_error_to_drf(exc: DjangoValidationError) -> exceptions.ValidationError:
    """A service's refusal as DRF's: each field's messages under its name (what concerns no single
    field, Django's ``__all__``, under ``non_field_errors`` as DRF names it)."""
    if hasattr(exc, "error_dict"):
        detail: Any = {
            (api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field): [
                exceptions.ErrorDetail(str(m), code=e.code or "invalid") for e in errors for m in e.messages
            ]
            for field, errors in exc.error_dict.items()
        }
    else:
        detail = [
            exceptions.ErrorDetail(str(m), code=e.code or "invalid")
            for e in exc.error_list
            for m in e.messages
        ]
    return exceptions.ValidationError(detail)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = django_validation_error_to_drf(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound("未找到该记录，或您无权查看。")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or "您无权执行此操作。")
    # Refused accesses are logged once, for the API and the pages alike, by
    # core.security.RefusedAccessLogMiddleware.
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data
    default_code = getattr(exc, "default_code", "error")
    if isinstance(exc, exceptions.ValidationError):
        errors = detail if isinstance(detail, dict) else {api_settings.NON_FIELD_ERRORS_KEY: detail}
        response.data = {
            "code": _first_code(exc.detail, "invalid"),
            "message": _first_message(errors) or "提交的数据有误。",
            "errors": errors,
        }
    else:
        message = detail.get("detail", "") if isinstance(detail, dict) else _first_message(detail)
        response.data = {
            "code": _first_code(getattr(exc, "detail", None), default_code),
            "message": str(message),
            "errors": {},
        }
    return response


# The one error body, as documented in the schema for every operation (built with inline_serializer
# because a Serializer may not declare a field named "errors" in its class body).
ApiErrorSerializer = inline_serializer(
    "ApiError",
    fields={
        "code": serializers.CharField(help_text="机器可读的错误代码，如 not_found、invalid"),
        "message": serializers.CharField(help_text="给人看的中文说明"),
        "errors": serializers.DictField(help_text="字段级错误：{字段: [说明, …]}；没有时为 {}"),
    },
)


# Statuses any operation may answer with the error body: 400 bad input (a filter, a page, a body),
# 401 not signed in, 403 out of scope or role, 404 not visible, 414 a URL over MAX_URL_BYTES
# (core.security.UrlLengthLimitMiddleware), 429 throttled.
ERROR_STATUSES = ("400", "401", "403", "404", "414", "429")
# Only requests with a body can be too large (core.security.RequestSizeLimitMiddleware) or in a
# media type the view does not parse.
BODY_ERROR_STATUSES = ("413", "415")


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema plus the error responses every operation really gives.

    Clients (and the schemathesis run in the test suite) then know that a refusal has the
    ``{"code", "message", "errors"}`` shape; a view that documents its own error response keeps it.
    """

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        statuses: tuple[str, ...] = ERROR_STATUSES
        if self.method in ("POST", "PUT", "PATCH"):
            statuses += BODY_ERROR_STATUSES
        for code in statuses:
            if code not in responses:
                responses[code] = self._get_response_for_code(ApiErrorSerializer, code, direction=direction)
        return responses


class SingleObjectListSchema(AutoSchema):
    """For a viewset whose ``list`` answers one object (a rollup, say), not an array of rows."""

    def _is_list_view(self, serializer: Any = None) -> bool:
        if getattr(self.view, "action", None) == "list":
            return False
        return bool(super()._is_list_view(serializer))


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404: a path under /api/ that matches no route gets the error format, not an HTML page."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": "not_found", "message": "未找到该接口或记录。", "errors": {}},
            status=404,
            json_dumps_params={"ensure_ascii": False},
        )
    return defaults.page_not_found(request, exception or Http404())


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the error format under /api/ (the traceback goes to the log, never to the client)."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": "server_error", "message": "服务器内部错误，请稍后再试。", "errors": {}},
            status=500,
            json_dumps_params={"ensure_ascii": False},
        )
    return defaults.server_error(request)


# The largest id PostgreSQL's bigint holds: an id list is refused above it instead of overflowing.
MAX_ID = 2**63 - 1


def validated(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    """An action's request body, validated by ``serializer_class`` (a 400 names each bad field)."""
    serializer = serializer_class(data=request.data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


# ------------------------------------------------------------------------------ text as typed


class TextField(serializers.CharField):
    """Text is stored as the user typed it (DRF trims it by default: a title's leading tab was lost).
    A value of only whitespace still counts as blank. What a spreadsheet would run is neutralised on
    export (``exports.writer.neutralise``), never on input."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["trim_whitespace"] = False
        super().__init__(**kwargs)

    def run_validation(self, data: Any = serializers.empty) -> Any:
        if isinstance(data, str) and data and not data.strip() and not self.allow_blank:
            self.fail("blank")
        return super().run_validation(data)


class ModelSerializer(serializers.ModelSerializer):
    """The project's ModelSerializer: a model's text fields are ``TextField`` (kept as typed)."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: TextField,
        models.TextField: TextField,
    }


def cached_json_response(
    request: Request,
    name: str,
    parts: Any,
    tables: Any,
    compute: Any,
) -> HttpResponse | Response:
    """The JSON answer ``compute()`` gives, rendered once and kept under ``parts`` and the versions of
    ``tables`` (``core.versions.cached``): a repeated request sends the stored bytes without recomputing
    or re-rendering them. The browsable API (any renderer but JSON) gets the same data as a ``Response``."""
    import json

    from rest_framework.renderers import JSONRenderer

    from core.versions import cached

    def render() -> bytes:
        return JSONRenderer().render(compute())

    body = cached(name, parts, tables, render)
    if isinstance(getattr(request, "accepted_renderer", None), JSONRenderer):
        return HttpResponse(body, content_type="application/json")
    return Response(json.loads(body))
