"""The API's pagination (``DEFAULT_PAGINATION_CLASS``): page numbers for people, keyset for programs.

``?page=N`` (the default) is Django's paginator: a count and LIMIT/OFFSET, so page 2,000 of 100,000
lectures reads and discards the 99,950 rows before it. ``?cursor=`` switches the same list to keyset
paging (DRF's ``CursorPagination``): the first page is ``?cursor=`` (empty), each response gives
``next`` and ``previous`` links, no count, and every page is read from the position the previous one
ended at (``held_on <= …`` on the list's index, plus an offset only over rows that tie on that value),
so the last page costs what the first does.

The cursor pages in the list's own order when that order is on the model's own columns (the lectures'
``-held_on, -id``; ``?ordering=`` still applies), and by ``-id`` otherwise (an order that follows a
relation cannot be a keyset). Cursors are signed: a forged or damaged one is a 400 with a Chinese message,
never a query on a made-up position.
"""

from __future__ import annotations

from base64 import b64decode, b64encode
from typing import Any
from urllib import parse

from django.core import signing
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.pagination import Cursor, CursorPagination, PageNumberPagination, _positive_int
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from core.versions import cached_count

CURSOR_PARAM = "cursor"
_UNIQUE_LAST = {"id", "-id", "pk", "-pk"}


class ListPaginator(Paginator):
    """Django's paginator with two shortcuts for a queryset, same rows on every page:

    - the count is ``core.versions.cached_count``: kept while the tables it reads are unchanged, so
      paging through 100,000 lectures counts them once, not on every page;
    - a page in the second half of a list whose order ends on the primary key (a total order) is read
      from the other end (the reversed order, a small OFFSET, the rows turned back), so the last page of
      100,000 lectures reads 50 rows through the list's index instead of skipping 99,950.
    """

    @cached_property
    def count(self) -> int:
        if isinstance(self.object_list, QuerySet):
            return cached_count(self.object_list)
        return super().count

    def page(self, number: Any) -> Page:
        rows = self.object_list
        if not isinstance(rows, QuerySet) or not rows.query.order_by or self.orphans:
            return super().page(number)
        if str(rows.query.order_by[-1]) not in _UNIQUE_LAST:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        if bottom <= self.count // 2:
            return super().page(number)
        from_end = list(rows.reverse()[self.count - top : self.count - bottom])
        from_end.reverse()
        return Page(from_end, number, self)


_SIGNER = signing.Signer(salt="jjx.api.cursor")


def _invalid() -> ValidationError:
    return ValidationError({CURSOR_PARAM: [ErrorDetail("分页游标无效，请从首页重新翻页。", code="invalid")]})


def keyset_ordering(queryset: QuerySet[Any]) -> tuple[str, ...]:
    """The list's own order when a keyset can follow it (no lookup across a relation), else ``-id``."""
    query = queryset.query
    ordering = list(query.order_by) or (list(queryset.model._meta.ordering) if query.default_ordering else [])
    if ordering and all(isinstance(o, str) and "__" not in o and o != "?" for o in ordering):
        return tuple(str(o) for o in ordering)
    return ("-id",)


class KeysetPagination(CursorPagination):
    cursor_query_param = CURSOR_PARAM
    cursor_query_description = "键集分页游标：首页传空值(?cursor=)，其后使用响应中的 next / previous 链接。"

    def encode_cursor(self, cursor: Cursor) -> str:
        tokens: dict[str, Any] = {}
        if cursor.offset != 0:
            tokens["o"] = str(cursor.offset)
        if cursor.reverse:
            tokens["r"] = "1"
        if cursor.position is not None:
            tokens["p"] = cursor.position
        querystring = parse.urlencode(tokens, doseq=True)
        encoded = b64encode(querystring.encode("ascii")).decode("ascii")
        return replace_query_param(self.base_url or "", self.cursor_query_param, _SIGNER.sign(encoded))

    def decode_cursor(self, request: Request) -> Cursor | None:
        raw = request.query_params.get(self.cursor_query_param)
        if raw is None or raw == "":
            return None
        try:
            encoded = _SIGNER.unsign(raw)
            tokens = parse.parse_qs(
                b64decode(encoded.encode("ascii")).decode("ascii"), keep_blank_values=True
            )
            offset = _positive_int(tokens.get("o", ["0"])[0], cutoff=self.offset_cutoff)
            reverse = bool(int(tokens.get("r", ["0"])[0]))
            position: Any = tokens.get("p", [None])[0]
        except (signing.BadSignature, TypeError, ValueError, UnicodeError):
            raise _invalid() from None
        return Cursor(offset=offset, reverse=reverse, position=position)


class PageOrCursorPagination(PageNumberPagination):
    """Page numbers unless the request names ``?cursor=``; then keyset paging (see the module)."""

    django_paginator_class = ListPaginator

    def __init__(self) -> None:
        self.keyset: KeysetPagination | None = None

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any] | None:
        if CURSOR_PARAM not in request.query_params:
            return super().paginate_queryset(queryset, request, view)
        self.keyset = KeysetPagination()
        self.keyset.ordering = keyset_ordering(queryset)
        return self.keyset.paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data: Any) -> Response:
        if self.keyset is not None:
            return self.keyset.get_paginated_response(data)
        return super().get_paginated_response(data)

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        paged = super().get_paginated_response_schema(schema)
        paged["required"] = ["results"]
        paged["properties"]["count"]["description"] = "总条数(仅页码分页；键集分页 ?cursor= 不计数)"
        return paged

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            *super().get_schema_operation_parameters(view),
            {
                "name": CURSOR_PARAM,
                "required": False,
                "in": "query",
                "description": KeysetPagination.cursor_query_description,
                "schema": {"type": "string"},
            },
        ]

    def to_html(self) -> str:  # the browsable API's pager
        if self.keyset is not None:
            return self.keyset.to_html()
        return super().to_html()
