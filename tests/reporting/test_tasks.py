"""The schedule and the tasks: beat rows seeded once and editable, the Shanghai crontab in UTC, and a
real Celery worker consuming from Redis."""

import datetime as dt
from collections.abc import Iterator

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings
from django.core import mail
from django.db import connection
from django_celery_beat.models import PeriodicTask

from config.celery_app import app
from core.beat import SeedOnceScheduler, beat_schedule_seed
from reporting.bulletins.models import Bulletin
from reporting.notices.models import SendLog
from reporting.tasks import build_previous_month_rollup, send_due_reminders
from tests.conftest import Alxa
from tests.factories import reporter_for
from tests.reporting.conftest import SetClock, make_report

UTC = dt.UTC


# transaction=True: beat's scheduler closes and reopens the connection, as it does in production.
@pytest.mark.django_db(transaction=True)
def test_the_schedule_is_seeded_once_and_admin_edits_survive_a_beat_start() -> None:
    created = beat_schedule_seed()
    assert sorted(created) == sorted(settings.CELERY_BEAT_SCHEDULE)
    assert {"daily-reminders", "monthly-rollup"} <= set(created)
    assert beat_schedule_seed() == []
    task = PeriodicTask.objects.get(name="daily-reminders")
    assert task.task == "reporting.tasks.send_due_reminders"
    assert (task.crontab.hour, task.crontab.minute, str(task.crontab.timezone)) == ("9", "0", "Asia/Shanghai")

    # A clerk moves the reminders to 08:30 in the admin; starting beat must not put 09:00 back.
    edited = type(task.crontab).objects.create(minute="30", hour="8", timezone="Asia/Shanghai")
    task.crontab = edited
    task.save()
    SeedOnceScheduler(app=app, lazy=True).setup_schedule()
    assert PeriodicTask.objects.get(name="daily-reminders").crontab.hour == "8"
    assert PeriodicTask.objects.filter(name__in=settings.CELERY_BEAT_SCHEDULE).count() == len(created)
    assert settings.CELERY_BEAT_SCHEDULER == "core.beat:SeedOnceScheduler"


@pytest.mark.django_db
def test_day_1_at_0900_in_shanghai_fires_at_0100_utc() -> None:
    beat_schedule_seed()
    schedule = PeriodicTask.objects.get(name="monthly-rollup").crontab.schedule
    last_run = dt.datetime(2021, 7, 1, 1, 0, tzinfo=UTC)

    def due_at(moment: dt.datetime) -> bool:
        schedule.nowfun = lambda: moment
        return schedule.is_due(last_run).is_due

    assert due_at(dt.datetime(2021, 8, 1, 0, 59, tzinfo=UTC)) is False
    assert due_at(dt.datetime(2021, 8, 1, 1, 0, tzinfo=UTC)) is True
    start, remaining, _ = schedule.remaining_delta(last_run.astimezone(schedule.tz))
    assert (start + remaining).astimezone(UTC) == dt.datetime(2021, 8, 1, 1, 0, tzinfo=UTC)


@pytest.fixture
def real_worker() -> Iterator[None]:
    """A worker thread consuming from the Redis broker of this run (TEST_BROKER_URL), with eager mode off.

    It shares this process, so it sees the test database (committed data: transaction=True) and the
    locmem mail outbox. Its connection is closed after each task so the test database can be dropped.
    """
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        pytest.skip("needs CELERY_BROKER_URL=redis://… (make test sets it)")

    def close_connection(**_: object) -> None:
        connection.close()

    task_postrun.connect(close_connection, weak=False)
    app.conf.task_always_eager = False
    app.control.purge()
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=30
        ):
            yield
    finally:
        app.conf.task_always_eager = True
        task_postrun.disconnect(close_connection)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_reminder_and_the_rollup_end_to_end(
    alxa: Alxa, set_clock: SetClock, real_worker: None
) -> None:
    set_clock("2021-08-06 10:00")
    make_report(alxa, state="submitted", month=dt.date(2021, 7, 1))
    for hospital in (alxa.h001, alxa.h006):  # reporters of two hospitals that have not submitted
        reporter_for(hospital, email=f"{hospital.code.lower()}@example.com")

    reminders = send_due_reminders.delay(today="2021-08-06")
    assert type(reminders).__name__ == "AsyncResult"  # queued to Redis, not run inline
    sent = reminders.get(timeout=60)
    # Report reminders to H001 and H006 (H004 submitted); 08-06 is also after the 07-31 milestone.
    assert (sent["in_app"], sent["email"]) == (2, 2)
    assert sent["milestone"] > 0
    assert send_due_reminders.delay(today="2021-08-06").get(timeout=60) == {}
    report_mails = [m for m in mail.outbox if "自查报告" in m.subject]
    assert sorted(m.to[0] for m in report_mails) == ["h001@example.com", "h006@example.com"]
    assert SendLog.objects.filter(step="after_1").count() == 4

    rollup = [build_previous_month_rollup.delay(today="2021-08-01") for _ in range(3)]
    ids = {pk for result in rollup for pk in result.get(timeout=60)}
    bulletin = Bulletin.objects.get()
    assert ids == {bulletin.pk}
    assert str(bulletin.workbook.name).endswith(".xlsx")
    reports = next(s for s in bulletin.data["sections"] if s["key"] == "reports_by_banner")
    assert ["阿拉善左旗", 5, 0, 1, 4, 0] in reports["rows"]
