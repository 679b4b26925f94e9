"""Page access by role: which users may open a page, and the page's user, typed."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from hospitals.models import Role, User

View = Callable[..., HttpResponse]


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
