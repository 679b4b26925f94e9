"""Sending a reminder exactly once (SPEC §8), and reading in-app notifications.

``send_once`` claims the (target, step, channel) key in ``SendLog`` before it sends. A retried task, a
second beat, or two workers at once all race for the same unique row: one inserts it and sends, the
others get IntegrityError and send nothing. The choice is at-most-once: the claim commits before the
e-mail goes out, and if the mail server refuses, the claim is removed so the next run tries again.
A worker killed between the commit and the SMTP call loses that one e-mail rather than sending it
twice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import IntegrityError, transaction

from core import clock
from hospitals.models import Hospital, User
from hospitals.selectors import AnyUser
from reporting.notices.models import Notification, SendLog

logger = logging.getLogger(__name__)
Channel = SendLog.Channel


def send_once(
    *,
    target: str,
    step: str,
    channel: str,
    subject: str,
    body: str,
    users: Sequence[User] = (),
    emails: Sequence[str] = (),
    hospital: Hospital | None = None,
    kind: str = "reminder",
    link: str = "",
) -> bool:
    """Send one step of one reminder through one channel, unless it was sent before. True if sent now.

    In-app messages go to ``users``; e-mail to ``emails``. Nothing is claimed when there is nobody to
    send to, so a reporter who adds an e-mail address later still gets the next run's reminder.
    """
    recipients = (
        [u.username for u in users] if channel == Channel.IN_APP else sorted(set(filter(None, emails)))
    )
    if not recipients:
        return False
    with transaction.atomic():
        try:
            with transaction.atomic():
                log = SendLog.objects.create(
                    target=target,
                    step=step,
                    channel=channel,
                    hospital=hospital,
                    recipients=", ".join(recipients),
                    subject=subject[:200],
                )
        except IntegrityError:
            return False
        if channel == Channel.IN_APP:
            Notification.objects.bulk_create(
                [Notification(user=u, kind=kind, title=subject[:200], body=body, link=link) for u in users]
            )
    if channel == Channel.EMAIL:
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=False)
        except Exception:
            # Give the key back so the next run retries; the task's own retry will find it free.
            SendLog.objects.filter(pk=log.pk).delete()
            logger.exception("reminder e-mail failed target=%s step=%s", target, step)
            raise
    return True


def notification_mark_read(*, user: AnyUser, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's own notifications read (all unread ones when no ids are given); returns how many."""
    if not isinstance(user, User):
        raise PermissionDenied("请先登录。")
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=clock.now())
