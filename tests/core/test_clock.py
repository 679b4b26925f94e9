"""The reporting clock: real time by default, a fixed moment when ``REPORTING_CLOCK`` is set (the demo of
``make run``), and the workflow follows it."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.utils import timezone

from core import clock
from reporting.reports.services import report_get_or_create, report_submit, report_update
from tests.conftest import Alxa
from tests.reporting.conftest import fill_indicators


def test_real_time_unless_fixed(settings: Any) -> None:
    settings.REPORTING_CLOCK = ""
    assert abs(clock.now() - timezone.now()) < dt.timedelta(seconds=5)
    settings.REPORTING_CLOCK = "2021-12-03T10:00"
    assert clock.now() == dt.datetime(2021, 12, 3, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert clock.today() == dt.date(2021, 12, 3)
    settings.REPORTING_CLOCK = "下个月"
    with pytest.raises(ImproperlyConfigured, match="JJX_REPORTING_CLOCK is not a date and time"):
        clock.now()


@pytest.mark.django_db
def test_the_demo_clock_puts_the_reporter_on_novembers_open_report(alxa: Alxa, settings: Any) -> None:
    settings.REPORTING_CLOCK = "2021-12-03T10:00"
    client = Client()
    client.force_login(alxa.reporter)
    response = client.get(f"/hospitals/{alxa.h004.pk}/months/")
    assert response["Location"] == f"/hospitals/{alxa.h004.pk}/months/2021-11/"

    november = dt.date(2021, 11, 1)
    report, _ = report_get_or_create(hospital=alxa.h004, month=november, actor=alxa.reporter)
    fill_indicators(alxa.h004, november)
    report_update(report_id=report.pk, actor=alxa.reporter, problems="无", corrections="无")
    submitted = report_submit(report_id=report.pk, actor=alxa.reporter)
    assert (submitted.status, submitted.late_days) == ("submitted", 0)
    assert timezone.localtime(submitted.first_submitted_at) == clock.now()
