"""Reads of a user's in-app notifications."""

from __future__ import annotations

from django.db.models import QuerySet

from hospitals.models import User
from hospitals.selectors import AnyUser
from reporting.notices.models import Notification


def notifications_for(user: AnyUser) -> QuerySet[Notification]:
    if not isinstance(user, User):
        return Notification.objects.none()
    return Notification.objects.filter(user=user)
