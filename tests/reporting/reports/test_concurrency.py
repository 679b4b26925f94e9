"""Races on real PostgreSQL: the database and the row lock decide, not luck."""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from hospitals.models import ChangeRecord
from reporting.reports.models import MonthlyReport
from reporting.reports.services import report_approve, report_get_or_create
from tests.conftest import Alxa
from tests.reporting.conftest import JULY, SetClock, make_report

THREADS = 20


def race(work: Callable[[], Any]) -> tuple[list[Any], list[BaseException]]:
    """Run ``work`` in THREADS threads released at once; every thread has its own connection."""
    barrier = threading.Barrier(THREADS)
    results: list[Any] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run() -> None:
        try:
            barrier.wait()
            value = work()
            with lock:
                results.append(value)
        except BaseException as exc:
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_twenty_threads_creating_one_report_leave_exactly_one(alxa: Alxa, set_clock: SetClock) -> None:
    results, errors = race(lambda: report_get_or_create(hospital=alxa.h004, month=JULY, actor=alxa.reporter))
    assert errors == []
    assert len(results) == THREADS
    assert MonthlyReport.objects.filter(hospital=alxa.h004, month=JULY).count() == 1
    assert sum(created for _, created in results) == 1
    assert len({report.pk for report, _ in results}) == 1


@pytest.mark.django_db(transaction=True)
def test_twenty_threads_approving_one_report_give_one_transition(alxa: Alxa, set_clock: SetClock) -> None:
    report = make_report(alxa, state="banner_reviewed")
    results, errors = race(lambda: report_approve(report_id=report.pk, actor=alxa.league_reviewer))
    assert len(results) == 1
    assert len(errors) == THREADS - 1
    assert {str(e.messages[0]) for e in errors} == {"报告已审核通过，不能审核通过。如需修改请申请解锁。"}  # type: ignore[attr-defined]
    assert ChangeRecord.objects.filter(action="approve", object_id=str(report.pk)).count() == 1
    assert report.reviews.filter(action="approve").count() == 1
