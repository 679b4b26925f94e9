"""What every page view shares: calling a service from a form, and refusing pages to the wrong role.

Pages hold no rule: a form only parses input; the service decides, and a refusal
(``ValidationError`` or ``PermissionDenied``) is shown on the form that asked for it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse

from hospitals.models import Role, User

T = TypeVar("T")
View = Callable[..., HttpResponse]


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


def role_required(*roles: str) -> Callable[[View], View]:
    """Only these roles (and admins) may open the page; anyone else gets 403, as in the API."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not isinstance(user, User) or not user.is_authenticated:
                raise PermissionDenied
            if user.role not in roles and user.role != Role.ADMIN and not user.is_superuser:
                raise PermissionDenied("您的角色无权访问该页面。")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def page_user(request: HttpRequest) -> User:
    """The logged-in user of a ``login_required`` page, typed."""
    assert isinstance(request.user, User)
    return request.user
