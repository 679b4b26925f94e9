"""Helpers for the reporting tests: a settable clock and a report in a given state."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from core import clock
from hospitals.models import Hospital
from reporting.reports.models import MonthlyReport
from reporting.reports.services import (
    report_approve,
    report_banner_review,
    report_get_or_create,
    report_return,
    report_submit,
    report_update,
)
from tests.conftest import Alxa
from tests.factories import indicator_value

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


def fill_indicators(hospital: Hospital, month: dt.date) -> None:
    """Every indicator that applies to ``hospital``, with a plausible value and no last year to compare
    with, so the month has no missing item and no warning."""
    from campaign.models import Indicator
    from reporting.indicators.selectors import applicable_indicators

    indicators = applicable_indicators(
        Indicator.objects.filter(campaign__code="alxa-2021"), hospital=hospital
    )
    for indicator in indicators:
        figures: dict[str, Any]
        if indicator.value_type == Indicator.ValueType.RATIO:
            low, high = (indicator.plausible_range or {}).get(hospital.level, [0.2, 0.4])
            figures = {"numerator": Decimal(str((low + high) / 2)) * 100, "denominator": 100}
        elif indicator.value_type == Indicator.ValueType.COUNT:
            figures = {"count": 5}
        else:
            figures = {"answers": [True] * max(1, len(indicator.parts))}
        indicator_value(indicator.code, hospital, month, **figures)


def make_report(alxa: Alxa, *, state: str = "draft", month: dt.date = JULY) -> MonthlyReport:
    """H004's report for ``month`` brought to ``state`` through the services (clock must be set)."""
    report, _ = report_get_or_create(hospital=alxa.h004, month=month, actor=alxa.reporter)
    if state == "draft":
        return report
    fill_indicators(alxa.h004, month)
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
