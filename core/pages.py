"""What every page view shares: calling a service from a form, and showing its refusal.

Pages hold no rule: a form only parses input; the service decides, and a refusal
(``ValidationError`` or ``PermissionDenied``) is shown on the form that asked for it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

T = TypeVar("T")


def add_service_error(form: forms.BaseForm, error: ValidationError | PermissionDenied) -> None:
    """Put a service's refusal on the form: on the field it names when the form has it, else on top."""
    if isinstance(error, PermissionDenied):
        form.add_error(None, str(error) or "您无权执行该操作。")
        return
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return
    form.add_error(None, error)


def error_text(error: ValidationError | PermissionDenied) -> str:
    """A refusal as one line, for a message where there is no form to put it on."""
    if isinstance(error, PermissionDenied):
        return str(error) or "您无权执行该操作。"
    return "；".join(str(m) for m in error.messages)


def call_service(form: forms.BaseForm, service: Callable[..., T], /, **kwargs: Any) -> T | None:
    """Run ``service(**kwargs)``; on a refusal put it on ``form`` and return None."""
    try:
        return service(**kwargs)
    except (ValidationError, PermissionDenied) as error:
        add_service_error(form, error)
        return None


def month_from_url(text: str) -> dt.date:
    """A month in a page URL (``2021-07``), or 404."""
    try:
        year, month = (int(x) for x in text.split("-"))
        return dt.date(year, month, 1)
    except ValueError as exc:
        raise Http404("月份格式不正确。") from exc


# Rows per page of a page list (the API pages by 50 too).
PAGE_ROWS = 50


def paginate(request: Any, rows: Any, per_page: int = PAGE_ROWS) -> Any:
    """One page of a page list (``core.pagination.ListPaginator``), from ``?page=``: a number past the
    end shows the last page and anything that is not a number the first, never an error. The template
    shows it with ``includes/pager.html``; the rows of the page are ``page.object_list``."""
    from core.pagination import ListPaginator

    page = ListPaginator(rows, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    page.other_params = query.urlencode()  # type: ignore[attr-defined]  # the filters, kept by the pager
    return page
