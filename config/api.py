"""API plumbing shared by every app: one error format, Chinese messages with machine-readable codes.

Every error body is ``{"code": "...", "message": "...", "errors": {...}}``: ``message`` is for people,
``code`` for programs, ``errors`` holds field-level detail when there is any.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

access_log = logging.getLogger("jjx.access")


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
    if hasattr(exc, "error_dict"):
        detail: Any = {
            field: [
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
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    request = context.get("request")
    view = context.get("view")
    if response.status_code in (status.HTTP_403_FORBIDDEN, status.HTTP_404_NOT_FOUND) and request is not None:
        access_log.warning(
            "refused user=%s route=%s method=%s object=%s status=%s",
            getattr(request.user, "pk", None),
            request.path,
            request.method,
            getattr(view, "kwargs", {}).get("pk") if view is not None else None,
            response.status_code,
        )
    detail = response.data
    default_code = getattr(exc, "default_code", "error")
    if isinstance(exc, exceptions.ValidationError):
        errors = detail if isinstance(detail, dict) else {"non_field_errors": detail}
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
