"""The one-time password (SPEC §11): an account that got its password from an admin (``create_account``,
the admin's add form) must set its own before it does anything else.

The flag is ``hospitals.User.must_change_password``; it is read here by name so that ``core`` stays below
the apps. Pages: ``PasswordChangeRequiredMiddleware`` sends the user to the password change page from
every page except that one, logout and static files. API: ``PasswordChanged``, one of DRF's default
permissions, answers 403 with ``code`` ``password_change_required`` and the message below, for a session
and a token alike. Setting a new password (change or reset by e-mail) clears the flag
(``hospitals.accounts``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from rest_framework.permissions import BasePermission

from core.security import API_PREFIX

# PBKDF2 rounds for a one-time password: its strength is its randomness (12 characters of a 56-letter
# alphabet, about 70 bits), which no stretching adds to; 1,000 rounds make 300 accounts of an onboarding
# workbook a fraction of a second instead of minutes (Django's default is 1,000,000 rounds, 0.75 s each).
ONE_TIME_ROUNDS = 1_000


class OneTimePasswordHasher(PBKDF2PasswordHasher):
    """PBKDF2-SHA256 with few rounds, for machine-made one-time passwords only (``one_time_hash``).

    Listed last in ``PASSWORD_HASHERS``: a login with the one-time password re-hashes it with the first
    (Django's ``check_password`` upgrades a hash of another algorithm), and the owner must replace it
    anyway before doing anything else."""

    algorithm = "pbkdf2_sha256_onetime"
    iterations = ONE_TIME_ROUNDS


def one_time_hash(password: str) -> str:
    """The stored form of a machine-made one-time password (never of a password a person chose)."""
    return make_password(password, hasher=OneTimePasswordHasher.algorithm)


PASSWORD_CHANGE_REQUIRED = (
    "您正在使用一次性初始密码，请先登录网页修改密码（修改密码页面），然后才能使用系统和接口。"
)
# The pages a user with a one-time password may still open (Django's own URL names).
ALLOWED_URL_NAMES = ("password_change", "password_change_done", "logout", "login")


def password_change_required(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "must_change_password", False))


class PasswordChangeRequiredMiddleware:
    """Redirect a user with a one-time password to the password change page (after authentication)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if password_change_required(getattr(request, "user", None)) and not self._allowed(request.path):
            return HttpResponseRedirect(reverse("password_change"))
        return self.get_response(request)

    @staticmethod
    def _allowed(path: str) -> bool:
        if path.startswith(API_PREFIX):  # the API answers for itself (``PasswordChanged``): a 403, not a 302
            return True
        static = "/" + settings.STATIC_URL.lstrip("/")
        if path.startswith(static):
            return True
        return path in {reverse(name) for name in ALLOWED_URL_NAMES}


class PasswordChanged(BasePermission):
    """DRF default permission: 403 ``password_change_required`` until the one-time password is changed."""

    message = PASSWORD_CHANGE_REQUIRED
    code = "password_change_required"

    def has_permission(self, request: Any, view: Any) -> bool:
        return not password_change_required(request.user)
