"""Request-level guards shared by the API, the pages and the admin.

- ``RequestSizeLimitMiddleware`` refuses a body larger than ``MAX_REQUEST_BYTES`` before anything reads
  it (413 in the API's error format), so an oversized upload costs neither memory nor disk.
- ``UrlLengthLimitMiddleware`` refuses a URL (path and query string) longer than ``MAX_URL_BYTES``: 414 in
  the API's error format under ``/api/``, the Chinese error page elsewhere. gunicorn reads request lines up
  to 8190 bytes (``limit_request_line``, its maximum), so every URL between the two limits gets this
  answer; a longer request line is refused by gunicorn itself (its own 414 page).
- ``RefusedAccessLogMiddleware`` writes one ``jjx.access`` line for every refused access — 401/403/404
  in the API, 403 on pages and in the admin — naming the user, the route and the object id.
- ``lockout_response`` is django-axes' answer once a login is throttled: 429, the API's error format
  under ``/api/``, a short page elsewhere.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.encoding import escape_uri_path
from rest_framework.throttling import BaseThrottle

access_log = logging.getLogger("jjx.access")

API_PREFIX = "/api/"
# Refusals worth a log line. A 404 on a page is a typo more often than a probe; in the API it is the
# answer to another organisation's id, so it is logged there.
API_REFUSED = frozenset({401, 403, 404})
PAGE_REFUSED = frozenset({403})


def client_address(request: HttpRequest) -> str:
    """The client's address behind ``REST_FRAMEWORK["NUM_PROXIES"]`` proxies: DRF's own rule, so the
    API's throttles and django-axes' lockouts (``AXES_CLIENT_IP_CALLABLE``) count the same client."""
    return BaseThrottle().get_ident(request)  # type: ignore[arg-type]  # reads request.META only


def error_body(code: str, message: str, errors: dict[str, Any] | None = None) -> dict[str, Any]:
    """The one error format of the API (see ``core.api``)."""
    return {"code": code, "message": message, "errors": errors or {}}


class RequestSizeLimitMiddleware:
    """413 when the declared body is larger than ``settings.MAX_REQUEST_BYTES``.

    Goes first in MIDDLEWARE: nothing before it may touch ``request.body`` or ``request.POST``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.MAX_REQUEST_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit and length > limit:
            access_log.warning(
                "refused user=%s route=%s method=%s object=%s status=413 bytes=%s",
                None,
                request.path,
                request.method,
                None,
                length,
            )
            mib = math.ceil(limit / (1024 * 1024))
            return JsonResponse(
                error_body("request_too_large", f"请求体过大，上限为 {mib} MiB。"),
                status=413,
                json_dumps_params={"ensure_ascii": False},
            )
        return self.get_response(request)


def url_bytes(request: HttpRequest) -> int:
    """The length of the request's URL as sent: the percent-encoded path and the raw query string."""
    query = request.META.get("QUERY_STRING", "")
    return len(escape_uri_path(request.path)) + (len(query) + 1 if query else 0)


class UrlLengthLimitMiddleware:
    """414 when the URL is longer than ``settings.MAX_URL_BYTES`` (a filter list a client built too long,
    a probe): a documented answer instead of gunicorn's bare page, before any view parses the query."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.MAX_URL_BYTES
        length = url_bytes(request)
        if not limit or length <= limit:
            return self.get_response(request)
        user = getattr(request, "user", None)
        access_log.warning(
            "refused user=%s route=%s method=%s object=%s status=414 bytes=%s",
            getattr(user, "pk", None),
            request.path[:200],
            request.method,
            None,
            length,
        )
        message = f"请求地址过长（{length} 字节），上限为 {limit} 字节；请减少查询条件后重试。"
        if request.path.startswith(API_PREFIX):
            return JsonResponse(
                error_body("url_too_long", message), status=414, json_dumps_params={"ensure_ascii": False}
            )
        context = {"code": 414, "heading": "请求地址过长", "text": message}
        return render(request, "_error.html", context, status=414)


class RefusedAccessLogMiddleware:
    """Log refused accesses with user, route and object id (SPEC §1: scope is enforced and watched)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        refused = API_REFUSED if request.path.startswith(API_PREFIX) else PAGE_REFUSED
        if response.status_code in refused:
            match = request.resolver_match
            kwargs = match.kwargs if match is not None else {}
            object_id = next((v for k, v in kwargs.items() if k in {"pk", "id", "object_id"}), None)
            user = getattr(request, "user", None)
            access_log.warning(
                "refused user=%s route=%s path=%s method=%s object=%s status=%s",
                getattr(user, "pk", None),
                (match.route if match is not None else "") or "-",
                request.path,
                request.method,
                object_id,
                response.status_code,
            )
        return response


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """django-axes' AXES_LOCKOUT_CALLABLE: too many failed logins; try again after the cool-off."""
    minutes = max(1, settings.AXES_COOLOFF_MINUTES)
    message = f"登录失败次数过多，请 {minutes} 分钟后再试。"
    access_log.warning("refused user=%s route=login path=%s status=429 locked_out", None, request.path)
    if request.path.startswith(API_PREFIX):
        return JsonResponse(
            error_body("locked_out", message), status=429, json_dumps_params={"ensure_ascii": False}
        )
    return render(request, "registration/locked_out.html", {"message": message}, status=429)
