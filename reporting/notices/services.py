"""Sending a reminder exactly once (SPEC §8), and reading in-app notifications.

``SendBatch`` claims each (target, step, channel) key in ``SendLog`` before it sends. A retried task, a
second beat, or two workers at once all race for the same unique rows: one inserts a row and sends, the
others' ``ON CONFLICT DO NOTHING`` returns nothing for it and they send nothing. The choice is
at-most-once: the claim commits before the e-mail goes out, and if the mail server refuses, the claim
is removed so the next run tries again. A worker killed between the commit and the SMTP call loses that
one e-mail rather than sending it twice.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from email.utils import format_datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.utils import timezone

from core import clock
from hospitals.models import Hospital, OrgUnit, Role, User
from hospitals.selectors import AnyUser
from reporting.notices.models import Notification, SendLog

logger = logging.getLogger(__name__)
Channel = SendLog.Channel


def send_mail(
    subject: str,
    message: str,
    from_email: str | None,
    recipient_list: Sequence[str],
    *,
    fail_silently: bool = False,
) -> int:
    """``django.core.mail.send_mail`` with the message's Date header on the one clock, like the send log's
    and the in-app notification's time (Django would stamp the real time)."""
    date = format_datetime(timezone.localtime(clock.now()))
    email = EmailMessage(subject, message, from_email, list(recipient_list), headers={"Date": date})
    return email.send(fail_silently=fail_silently)


@dataclass
class _Send:
    key: tuple[str, str, str]
    subject: str
    body: str
    users: Sequence[User]
    recipients: list[str]
    hospital: Hospital | None
    kind: str
    link: str
    count_as: str
    # A digest of unreachable people counts the people it lists, and gives back their keys on failure.
    counts: int = 1
    gives_back: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class _Unreachable:
    """A person a reminder was meant for who has no e-mail address (SPEC §8, issue 16): listed once per
    reminder step on the banner's 无法送达 digest, instead of being skipped silently."""

    key: tuple[str, str, str]
    hospital: Hospital
    line: str

    def as_send(self) -> _Send:
        # Claimed like a send (the same unique key), so a second run lists nobody twice.
        return _Send(self.key, self.line, "", (), [], self.hospital, "unreachable", "", "unreachable")


@dataclass
class SendBatch:
    """The sends of one reminder run, claimed together: ``add`` queues one step of one reminder through
    one channel, ``flush`` claims every queued key in one ``INSERT … ON CONFLICT DO NOTHING RETURNING``
    and sends only what it claimed. So a run costs the same few writes for 30 hospitals as for 300, and a
    second run of the same day claims nothing and sends nothing."""

    sends: dict[tuple[str, str, str], _Send] = field(default_factory=dict)
    unreachable: dict[tuple[str, str, str], _Unreachable] = field(default_factory=dict)

    def add_unreachable(
        self, *, target: str, step: str, person: Any, hospital: Hospital, reminder: str
    ) -> None:
        """``person`` (a ``hospitals.Person``) should have had ``reminder`` by e-mail but has no address."""
        key = (target, f"{step}:unreachable:{person.pk}", Channel.EMAIL)
        line = f"{hospital.name} {person.name}（{person.title or person.code}）：{reminder}"
        self.unreachable.setdefault(key, _Unreachable(key, hospital, line[:200]))

    def add(
        self,
        *,
        target: str,
        step: str,
        channel: str,
        subject: str,
        body: str,
        count_as: str,
        users: Sequence[User] = (),
        emails: Sequence[str] = (),
        hospital: Hospital | None = None,
        kind: str = "reminder",
        link: str = "",
    ) -> None:
        """In-app messages go to ``users``; e-mail to ``emails``. Nothing is queued when there is nobody
        to send to, so a reporter who adds an e-mail address later still gets the next run's reminder."""
        recipients = (
            [u.username for u in users] if channel == Channel.IN_APP else sorted(set(filter(None, emails)))
        )
        if not recipients:
            return
        key = (target, step, channel)
        self.sends.setdefault(
            key, _Send(key, subject, body, users, recipients, hospital, kind, link, count_as)
        )

    def flush(self) -> Counter[str]:
        """Claim and send everything queued; returns how many were sent per ``count_as``. An e-mail the
        mail server refuses gives its key back (the next run tries again), the others still go out, and
        the first failure is raised at the end so the task retries."""
        sent: Counter[str] = Counter()
        if not self.sends and not self.unreachable:
            return sent
        with transaction.atomic():
            keys = set(_claim([*self.sends.values(), *(u.as_send() for u in self.unreachable.values())]))
            claimed = [self.sends[key] for key in self.sends if key in keys]
            claimed += _unreachable_digests([u for key, u in self.unreachable.items() if key in keys])
            Notification.objects.bulk_create(
                [
                    Notification(user=u, kind=s.kind, title=s.subject[:200], body=s.body, link=s.link)
                    for s in claimed
                    if s.key[2] == Channel.IN_APP
                    for u in s.users
                ]
            )
        failure: Exception | None = None
        for send in claimed:
            if send.key[2] == Channel.EMAIL:
                try:
                    send_mail(
                        send.subject,
                        send.body,
                        settings.DEFAULT_FROM_EMAIL,
                        send.recipients,
                        fail_silently=False,
                    )
                except Exception as error:
                    for target, step, channel in send.gives_back or [send.key]:
                        SendLog.objects.filter(target=target, step=step, channel=channel).delete()
                    target, step = send.key[:2]
                    logger.exception("reminder e-mail failed target=%s step=%s", target, step)
                    failure = failure or error
                    continue
            sent[send.count_as] += send.counts
        self.sends.clear()
        self.unreachable.clear()
        if failure is not None:
            raise failure
        return sent


def _unreachable_digests(entries: list[_Unreachable]) -> list[_Send]:
    """One in-app and one e-mail digest per banner listing the people just found unreachable, to the
    banner's reviewers. Its entries were claimed in the send log already, so the digest itself is not."""
    if not entries:
        return []
    by_banner: dict[int, list[_Unreachable]] = {}
    for entry in sorted(entries, key=lambda e: (e.hospital.code, e.line)):
        by_banner.setdefault(entry.hospital.banner_id, []).append(entry)
    reviewers: dict[int, list[User]] = {}
    for user in User.objects.filter(role=Role.BANNER_REVIEWER, org_unit_id__in=by_banner, is_active=True):
        assert user.org_unit_id is not None
        reviewers.setdefault(user.org_unit_id, []).append(user)
    banners = OrgUnit.objects.in_bulk(list(by_banner))  # one query, not one per banner
    digests = []
    for banner_id, listed in by_banner.items():
        banner = banners[banner_id]
        subject = f"【无法送达】{banner.name}有{len(listed)}条提醒因收件人没有电子邮箱未能送达"
        body = "以下人员没有登记电子邮箱，提醒未能发出。请医院在“人员与科室”中补填邮箱：\n" + "\n".join(
            f"- {e.line}" for e in listed
        )
        users = reviewers.get(banner_id, [])
        keys = tuple(e.key for e in listed)
        target = f"digest:unreachable:banner:{banner_id}"
        digests.append(
            _Send(
                (target, "", Channel.IN_APP),
                subject,
                body,
                users,
                [u.username for u in users],
                None,
                "digest",
                "",
                "unreachable",
                counts=len(listed),
            )
        )
        emails = sorted({u.email for u in users if u.email})
        if emails:
            digests.append(
                _Send(
                    (target, "", Channel.EMAIL),
                    subject,
                    body,
                    users,
                    emails,
                    None,
                    "digest",
                    "",
                    "unreachable_digest",
                    gives_back=keys,
                )
            )
    return digests


CLAIM_CHUNK = 500  # rows per INSERT on SQLite (PostgreSQL claims every send in one statement)


def _claim(sends: list[_Send]) -> list[tuple[str, str, str]]:
    """Insert the send log rows that are not there yet; return the keys this call inserted. A second
    beat or worker racing for the same keys gets none of them back, so nothing is sent twice."""
    table = connection.ops.quote_name(SendLog._meta.db_table)
    columns = "target, step, channel, hospital_id, recipients, subject, sent_at"
    now = clock.now()
    claimed: list[tuple[str, str, str]] = []
    if connection.vendor == "postgresql" and sends:
        # One statement whatever the number of sends: each column as one array parameter.
        columns_of = list(
            zip(
                *(
                    (*s.key, s.hospital.pk if s.hospital else None, ", ".join(s.recipients), s.subject[:200])
                    for s in sends
                ),
                strict=True,
            )
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({columns}) "  # only the table name and placeholders
                "SELECT t, s, c, h, r, j, %s FROM unnest(%s::text[], %s::text[], %s::text[], %s::bigint[], "
                "%s::text[], %s::text[]) AS u(t, s, c, h, r, j) "
                "ON CONFLICT (target, step, channel) DO NOTHING RETURNING target, step, channel",
                [now, *(list(column) for column in columns_of)],
            )
            return [tuple(row) for row in cursor.fetchall()]
    for start in range(0, len(sends), CLAIM_CHUNK):
        chunk = sends[start : start + CLAIM_CHUNK]
        rows = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(chunk))
        params: list[Any] = []
        for s in chunk:
            params += [
                *s.key,
                s.hospital.pk if s.hospital else None,
                ", ".join(s.recipients),
                s.subject[:200],
                now,
            ]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {rows} "  # only the table name and placeholders
                "ON CONFLICT (target, step, channel) DO NOTHING RETURNING target, step, channel",
                params,
            )
            claimed += [tuple(row) for row in cursor.fetchall()]
    return claimed


def notification_mark_read(*, user: AnyUser, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's own notifications read (all unread ones when no ids are given); returns how many."""
    if not isinstance(user, User):
        raise PermissionDenied("请先登录。")
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=clock.now())
