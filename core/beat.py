"""The beat schedule in django-celery-beat's tables, seeded from ``CELERY_BEAT_SCHEDULE``.

django-celery-beat's own ``DatabaseScheduler`` writes every ``CELERY_BEAT_SCHEDULE`` entry over its row
each time beat starts (``update_or_create``), which would undo a clerk's change in the admin at the
next restart. ``SeedOnceScheduler`` only creates the rows that are missing; from then on the admin is
the schedule. ``manage.py sync_beat_schedule`` does the same without starting beat.
"""

from __future__ import annotations

from typing import Any

from celery.schedules import crontab
from django.conf import settings
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler


def _crontab_row(schedule: crontab) -> CrontabSchedule:
    """The crontab in the project's time zone: "day 1, 09:00" means 09:00 in Asia/Shanghai."""
    row, _ = CrontabSchedule.objects.get_or_create(
        minute=schedule._orig_minute,
        hour=schedule._orig_hour,
        day_of_week=schedule._orig_day_of_week,
        day_of_month=schedule._orig_day_of_month,
        month_of_year=schedule._orig_month_of_year,
        timezone=settings.CELERY_TIMEZONE,
    )
    return row


@transaction.atomic
def beat_schedule_seed(schedule: dict[str, dict[str, Any]] | None = None) -> list[str]:
    """Create the periodic tasks that do not exist yet; returns the names created. Existing rows, edited
    or not, are left alone."""
    schedule = settings.CELERY_BEAT_SCHEDULE if schedule is None else schedule
    created = []
    for name, entry in schedule.items():
        if PeriodicTask.objects.filter(name=name).exists():
            continue
        spec = entry["schedule"]
        fields: dict[str, Any] = {"name": name, "task": entry["task"]}
        if isinstance(spec, crontab):
            fields["crontab"] = _crontab_row(spec)
        else:
            fields["interval"], _ = IntervalSchedule.objects.get_or_create(
                every=int(spec.run_every.total_seconds()), period=IntervalSchedule.SECONDS
            )
        PeriodicTask.objects.create(**fields)
        created.append(name)
    return created


class SeedOnceScheduler(DatabaseScheduler):
    """``DatabaseScheduler`` that seeds missing entries instead of overwriting admin edits."""

    def setup_schedule(self) -> None:
        self.install_default_entries(self.schedule)
        beat_schedule_seed(dict(self.app.conf.beat_schedule))
