"""Celery tasks: thin, take ids and ISO dates, call one service, safe to run twice.

Every task inherits ``acks_late`` and ``reject_on_worker_lost`` from settings (a task whose worker dies
is delivered again), which is why each service is idempotent: the send log, the one-bulletin-per-month
constraint and the one-evaluation-per-hospital constraint make a second run change nothing.
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from reporting.bulletins.services import rollup_previous_month
from reporting.reminders.services import reminders_send_due


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_due_reminders(today: str | None = None) -> dict[str, int]:
    """Daily: every report reminder whose step has come (SPEC §8). ``today`` is for replays and tests."""
    return reminders_send_due(today=_date(today))


@shared_task(acks_late=True, reject_on_worker_lost=True)
def build_previous_month_rollup(today: str | None = None) -> list[int]:
    """Monthly, day 1: last month's bulletin (draft) and its workbook, for every campaign."""
    return [b.pk for b in rollup_previous_month(today=_date(today))]
