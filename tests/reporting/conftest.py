"""Helpers for the reporting tests: a settable clock and a report in a given state."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest

from reporting import clock
from reporting.report_models import MonthlyReport
from reporting.report_services import (
    report_approve,
    report_banner_review,
    report_get_or_create,
    report_return,
    report_submit,
    report_update,
)
from tests.conftest import Alxa

SHANGHAI = ZoneInfo("Asia/Shanghai")
JULY = dt.date(2021, 7, 1)

SetClock = Callable[[str], dt.datetime]


@pytest.fixture
def set_clock(monkeypatch: pytest.MonkeyPatch) -> SetClock:
    """``set_clock("2021-08-03 10:00")`` makes that moment, in Asia/Shanghai, "now" for the services."""

    def _set(moment: str) -> dt.datetime:
        value = dt.datetime.fromisoformat(moment).replace(tzinfo=SHANGHAI)
        monkeypatch.setattr(clock, "now", lambda: value)
        return value

    _set("2021-08-03 10:00")
    return _set


def make_report(alxa: Alxa, *, state: str = "draft", month: dt.date = JULY) -> MonthlyReport:
    """H004's report for ``month`` brought to ``state`` through the services (clock must be set)."""
    report, _ = report_get_or_create(hospital=alxa.h004, month=month, actor=alxa.reporter)
    if state == "draft":
        return report
    report_update(report_id=report.pk, actor=alxa.reporter, problems="课件准备不足", corrections="已补齐课件")
    report_submit(report_id=report.pk, actor=alxa.reporter)
    if state in ("banner_reviewed", "approved"):
        report_banner_review(report_id=report.pk, actor=alxa.banner_reviewer)
    if state == "approved":
        report_approve(report_id=report.pk, actor=alxa.league_reviewer)
    if state == "returned":
        report_return(report_id=report.pk, actor=alxa.banner_reviewer, reason="数据不全")
    report.refresh_from_db()
    assert report.status == state or state == "submitted"
    return report
