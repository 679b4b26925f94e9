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


def notifications_unread_count(user: AnyUser) -> int:
    """The nav's badge: one indexed COUNT (``notification_user_read_idx``)."""
    return notifications_for(user).filter(read_at__isnull=True).count()
