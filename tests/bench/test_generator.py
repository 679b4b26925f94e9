"""The region generator (``manage.py generate_region``): deterministic from its seed, and its monthly
reports are ones the reporting services could have produced."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from bench.generator import RegionGenerator, RegionSize
from campaign.calendar import late_days_for, report_months
from reporting.indicators.models import IndicatorValue
from reporting.reports.models import MonthlyReport

pytestmark = pytest.mark.django_db

SIZE = RegionSize(hospitals=40, leagues=2, banners=4, lectures=100)


def _reports() -> list[tuple[Any, ...]]:
    return list(
        MonthlyReport.objects.order_by("hospital__code", "month").values_list(
            "hospital__code", "month", "status", "late_days", "first_submitted_at", "approved_by__username"
        )
    )


def test_the_same_seed_gives_the_same_reports_and_another_seed_does_not() -> None:
    runs = []
    for seed in (5, 5, 6):
        with transaction.atomic():
            RegionGenerator(seed=seed, size=SIZE).run()
            runs.append(_reports())
            transaction.set_rollback(True)
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]


def test_monthly_reports_cover_the_report_months_in_every_state_with_consistent_dates() -> None:
    generator = RegionGenerator(seed=2021, size=SIZE)
    counts = generator.run()
    campaign = generator.campaign
    months = report_months(campaign)
    assert months == [dt.date(2021, m, 1) for m in range(7, 13)]
    reports = list(
        MonthlyReport.objects.select_related("hospital__banner", "approved_by", "banner_reviewed_by")
    )
    assert counts["monthly_reports"] == len(reports)
    # Most hospitals have each month's report, a few are missing; none outside the report months.
    assert 0.8 * 40 * 6 < len(reports) < 40 * 6
    assert {r.month for r in reports} == set(months)
    assert {r.status for r in reports} == set(MonthlyReport.Status.values)
    # The closed months are nearly all approved; December is still under review.
    approved = {m: sum(r.status == "approved" for r in reports if r.month == m) for m in months}
    assert approved[months[0]] > 30 > approved[months[-1]]
    for report in reports:
        if report.status == MonthlyReport.Status.DRAFT:
            assert (report.first_submitted_at, report.late_days, report.return_count) == (None, 0, 0)
            continue
        first_at, submitted_at = report.first_submitted_at, report.submitted_at
        assert first_at is not None
        assert submitted_at is not None
        assert report.late_days == late_days_for(campaign, report.month, timezone.localdate(first_at))
        assert submitted_at >= first_at
        assert report.return_count == (report.status in ("returned", "resubmitted"))
        if report.status in ("banner_reviewed", "approved"):
            reviewer, reviewed_at = report.banner_reviewed_by, report.banner_reviewed_at
            assert reviewer is not None
            assert reviewed_at is not None
            assert reviewer.org_unit_id == report.hospital.banner_id
            assert reviewed_at > first_at
        if report.status == "approved":
            approver, approved_at = report.approved_by, report.approved_at
            assert approver is not None
            assert approved_at is not None
            assert reviewed_at is not None
            assert approver.org_unit_id == report.hospital.banner.parent_id
            assert approved_at > reviewed_at
    assert 0 < sum(r.late_days > 0 for r in reports) < len(reports) / 3
    # Indicator values: the campaign year and the year before (the targets' baseline), twelve months each.
    value_months = set(IndicatorValue.objects.values_list("month", flat=True))
    assert value_months == {dt.date(y, m, 1) for y in (2020, 2021) for m in range(1, 13)}
