"""Accounts (SPEC §11): a new account gets a one-time password and must change it at first login.

``account_create`` is the one way a program makes an account (the ``create_account`` command); the
admin's add form sets the same flag. Setting one's own password, by the change page or the reset link,
clears it: the two forms below are what Django's views use (``config/urls.py``). The guard that sends a
flagged user to the change page is ``core.accounts``.
"""

from __future__ import annotations

import logging
import secrets
from email.utils import format_datetime
from typing import Any

from django.contrib.auth import forms as auth_forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import loader
from django.utils import timezone

from core import clock
from core.accounts import one_time_hash
from hospitals.audit import record_change
from hospitals.models import ChangeRecord, Hospital, OrgUnit, Role, User
from hospitals.people import account_manager_check

logger = logging.getLogger(__name__)

# No 0/O, 1/l/I: the password is read off a screen or a printout and typed by hand.
ONE_TIME_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
ONE_TIME_LENGTH = 12


def one_time_password() -> str:
    """A random password of letters and digits, both present, that passes the password validators."""
    while True:
        password = "".join(secrets.choice(ONE_TIME_ALPHABET) for _ in range(ONE_TIME_LENGTH))
        if any(c.isdigit() for c in password) and any(c.isalpha() for c in password):
            return password


def account_new(
    *,
    username: str,
    role: str,
    hospital: Hospital | None = None,
    org_unit: OrgUnit | None = None,
    first_name: str = "",
    email: str = "",
) -> tuple[User, str]:
    """An unsaved account with a fresh one-time password (hashed with ``core.accounts.one_time_hash``),
    and the password. ``account_create`` saves one; the onboarding workbook saves many at once
    (``hospitals.onboarding``). An admin-role account is staff and superuser: the admin is theirs alone."""
    if role not in Role.values:
        raise ValidationError({"role": ValidationError(f"未知的角色：{role}。", code="invalid_choice")})
    is_admin = role == Role.ADMIN
    user = User(
        username=username,
        role=role,
        hospital=hospital,
        org_unit=org_unit,
        first_name=first_name,
        email=email,
        is_staff=is_admin,
        is_superuser=is_admin,
        must_change_password=True,
    )
    password = one_time_password()
    validate_password(password, user)
    user.password = one_time_hash(password)
    return user, password


@transaction.atomic
def account_create(
    *,
    username: str,
    role: str,
    hospital: Hospital | None = None,
    org_unit: OrgUnit | None = None,
    first_name: str = "",
    email: str = "",
    actor: User | None = None,
    channel: str = ChangeRecord.Channel.SYSTEM,
) -> tuple[User, str]:
    """Create an account with a one-time password; return it with the password (shown once, never kept).

    The model's rules refuse a wrong scope for the role and a taken user name (``ValidationError`` in
    Chinese, by field).
    """
    if actor is not None:  # a person's request: a league admin makes its own league's accounts only
        account_manager_check(actor, hospital=hospital, org_unit=org_unit)
    user, password = account_new(
        username=username, role=role, hospital=hospital, org_unit=org_unit, first_name=first_name, email=email
    )
    user.full_clean()
    user.save()
    record_change(
        user,
        action="create",
        actor=actor,
        channel=channel,
        changes={"username": [None, username], "role": [None, role], "must_change_password": [None, True]},
    )
    return user, password


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's form; the new password is the user's own, so a one-time password is no longer in use."""

    def save(self, commit: bool = True) -> Any:
        self.user.must_change_password = False
        return super().save(commit)


class SetPasswordForm(auth_forms.SetPasswordForm):
    """Django's form behind the reset link; clears the one-time flag as the change form does."""

    def save(self, commit: bool = True) -> Any:
        self.user.must_change_password = False
        return super().save(commit)


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's form; its mail's Date header is on the reporting clock, like the reminders' (Django would
    stamp the real time). The rest is Django's own ``send_mail``: a failure is logged, never shown, so the
    answer does not tell whether the address has an account."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        date = format_datetime(timezone.localtime(clock.now()))
        message = EmailMultiAlternatives(subject, body, from_email, [to_email], headers={"Date": date})
        if html_email_template_name is not None:
            html = loader.render_to_string(html_email_template_name, context)
            message.attach_alternative(html, "text/html")
        try:
            message.send()
        except Exception:
            logger.exception("Failed to send password reset email to %s", context["user"].pk)
