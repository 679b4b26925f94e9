"""A worker killed with kill -9 in the middle of an export: another worker takes the job back within
the broker's visibility timeout and finishes a valid file; the user's export slot is freed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dj_database_url
import psycopg
import pytest
from django.conf import settings
from django.db import connection

from campaign.services import lecture_create
from config.celery_app import app
from exports.models import ExportJob
from exports.services import MAX_ACTIVE_JOBS_PER_USER
from tests.campaign.conftest import lecture_data
from tests.conftest import Alxa, client_for, streamed
from tests.exports.test_jobs import rows_of

# The test workers' visibility timeout: short, so the test waits seconds where production waits minutes.
VISIBILITY_TIMEOUT_S = 5
# Restore sweep (10 s) + visibility timeout + a worker's start, with room for a loaded machine.
RECOVERY_BOUND_S = 60
START_TIMEOUT_S = 60


def _test_database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.fail("needs DATABASE_URL on PostgreSQL (make test sets it)")
    server = url.rsplit("/", 1)[0]
    return f"{server}/{connection.settings_dict['NAME']}"


def _start_worker(name: str, log: Path) -> subprocess.Popen[bytes]:
    """A worker process as production runs it (prefork), in its own process group so that kill -9
    takes the pool's child with it."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _test_database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT_S),
    }
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "prefork"]
    command += ["--concurrency", "1", "--hostname", f"{name}@%h", "--loglevel", "INFO"]
    return subprocess.Popen(
        command,
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _wait(condition: Any, timeout: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    raise AssertionError(f"{what} within {timeout}s; worker log:\n{log.read_text()[-4000:]}")


def _status(job_id: int) -> str:
    return ExportJob.objects.values_list("status", flat=True).get(pk=job_id)


@pytest.fixture
def queue_to_redis() -> Iterator[None]:
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        pytest.fail("needs CELERY_BROKER_URL=redis://… (make test sets it)")
    app.conf.task_always_eager = False
    app.control.purge()
    try:
        yield
    finally:
        app.control.purge()
        app.conf.task_always_eager = True


def test_the_broker_hands_a_dead_workers_task_back_within_minutes() -> None:
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    assert settings.CELERY_TASK_ACKS_LATE
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    assert options["visibility_timeout"] == 300  # README "Production": taken back within 5 min 10 s
    assert options["unacked_restore_interval"] * options["unacked_restore_throttle"] == 10
    assert app.tasks["exports.tasks.run_export_job"].time_limit < options["visibility_timeout"]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_an_export_whose_worker_is_killed_is_finished_by_another(
    alxa: Alxa, settings: Any, tmp_path: Path, queue_to_redis: None
) -> None:
    settings.EXPORT_ASYNC_ROW_THRESHOLD = -1  # every export is a job
    lecture = lecture_create(actor=alxa.reporter, channel="api", data=lecture_data(alxa))
    client = client_for(alxa.reporter)
    response = client.post("/api/v1/exports/", {"kind": "lecture_ledger", "params": {}}, format="json")
    assert response.status_code == 202, response.content
    job_id = response.json()["id"]

    # Hold the lecture table so the first worker is caught in the middle of the job: it has marked the
    # job running and waits for the rows.
    dsn = dj_database_url.parse(_test_database_url())
    blocker = psycopg.connect(
        host=dsn["HOST"],
        port=dsn["PORT"] or 5432,
        user=dsn["USER"],
        dbname=dsn["NAME"],
        password=dsn["PASSWORD"],
    )
    blocker.execute(f"LOCK TABLE {lecture._meta.db_table} IN ACCESS EXCLUSIVE MODE")
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    first = _start_worker("first", first_log)
    second = None
    try:
        _wait(
            lambda: _status(job_id) == ExportJob.Status.RUNNING,
            START_TIMEOUT_S,
            "first worker took the job",
            first_log,
        )
        time.sleep(1)
        os.killpg(first.pid, signal.SIGKILL)  # kill -9, the pool's child included
        first.wait(timeout=10)
        blocker.rollback()
        blocker.close()
        assert _status(job_id) == ExportJob.Status.RUNNING  # left behind, holding a slot

        killed_at = time.monotonic()
        second = _start_worker("second", second_log)
        _wait(
            lambda: _status(job_id) == ExportJob.Status.DONE,
            RECOVERY_BOUND_S,
            "second worker finished the job",
            second_log,
        )
        assert time.monotonic() - killed_at < RECOVERY_BOUND_S

        job = ExportJob.objects.get(pk=job_id)
        assert (job.rows_done, job.rows_total) == (1, 1)
        download = client.get(f"/api/v1/exports/{job_id}/download/")
        assert download.status_code == 200
        rows = rows_of(streamed(download))
        assert len(rows) == 2
        assert lecture.title in rows[1]

        # The slot is free again: the user may start as many jobs as the rule allows.
        active = [ExportJob.Status.PENDING, ExportJob.Status.RUNNING]
        assert not ExportJob.objects.filter(requested_by=alxa.reporter, status__in=active).exists()
        again = [
            client.post("/api/v1/exports/", {"kind": "lecture_ledger", "params": {}}, format="json")
            for _ in range(MAX_ACTIVE_JOBS_PER_USER)
        ]
        assert [r.status_code for r in again] == [202] * MAX_ACTIVE_JOBS_PER_USER
        for r in again:
            _wait(
                lambda r=r: _status(r.json()["id"]) == ExportJob.Status.DONE,
                START_TIMEOUT_S,
                "the new jobs ran",
                second_log,
            )
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
        if second is not None and second.poll() is None:
            second.terminate()
            try:
                second.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(second.pid, signal.SIGKILL)
                second.wait()
