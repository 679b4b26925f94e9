"""The league reviewer's everyday pages read a fixed number of queries whatever the number of hospitals
in scope (issue 17), on a generated region where every hospital has reports in every state, values of
both years (so the soft rules warn) and lectures. ``make bench`` measures the time; this pins the count.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from bench.generator import RegionGenerator, RegionSize
from hospitals.models import Role, User
from reporting.reports.models import MonthlyReport
from reporting.reports.selectors import report_contents, reports_open_warnings, reports_visible_to
from tests.reporting.conftest import SetClock

pytestmark = pytest.mark.django_db

# One league each, so its reviewer's scope is every generated hospital.
SMALL = RegionSize(hospitals=3, leagues=1, banners=2, lectures=60)
LARGE = RegionSize(hospitals=24, leagues=1, banners=8, lectures=480)
# 10 for the queue (the current campaign is one query, the user's scope read inside it; the pager's
# count is the table versions and, the first time for these filters, the count itself; the listed
# hospitals' 医共体 for O4.2-b's applicability is one), 1 for the nav's unread-notifications badge (every
# page has it).
QUEUE_QUERIES = 13


def _league_reviewer() -> User:
    return User.objects.get(role=Role.LEAGUE_REVIEWER)


def _live_warnings(report: MonthlyReport) -> list[str]:
    """The report's open warnings as the report page computes them, one report at a time."""
    return [
        message
        for item in report_contents(report).values()
        if item["kind"] == "indicator"
        for message in item.get("warnings", [])
    ]


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["3 hospitals", "24 hospitals"])
def test_review_queue_queries_do_not_grow_with_hospitals(
    size: RegionSize, client: Client, set_clock: SetClock, django_assert_num_queries: Any
) -> None:
    RegionGenerator(seed=11, size=size).run()
    set_clock("2022-01-10 10:00")
    client.force_login(_league_reviewer())
    client.get("/review/")  # session and content types warm, as on a reviewer's second page
    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get("/review/?status=")
    assert response.status_code == 200
    listed = response.context["rows"]
    assert len(listed) == min(MonthlyReport.objects.count(), response.context["limit"])
    assert sum(1 for _, warnings, _ in listed if warnings) > 0


def test_batched_warnings_equal_the_report_pages_own(set_clock: SetClock) -> None:
    """The queue's batched warnings are exactly what each report's page shows, report by report."""
    RegionGenerator(seed=11, size=LARGE).run()
    set_clock("2022-01-10 10:00")
    reports = list(reports_visible_to(_league_reviewer()))
    batched = reports_open_warnings(reports)
    live = {r.pk: _live_warnings(r) for r in reports}
    assert batched == live
    assert sum(len(w) for w in live.values()) > 10


def _page_urls() -> dict[str, str]:
    """The other pages of issue 17's list, picked the same way at both sizes: the first hospital (by code)
    whose latest report waits for the league's review and who held lectures that month, its month and
    report pages, its lecture list and action plan, the latest bulletin (built here), the dashboard and
    the API lists."""
    from campaign.models import LectureSession
    from reporting.bulletins.services import bulletin_build

    # With lectures in its month, as every bench hospital has (a month without any reads no materials).
    report = next(
        r
        for r in MonthlyReport.objects.filter(status=MonthlyReport.Status.BANNER_REVIEWED)
        .select_related("hospital", "campaign")
        .order_by("-month", "hospital__code")
        if LectureSession.objects.filter(
            hospital=r.hospital, held_on__year=r.month.year, held_on__month=r.month.month
        ).exists()
    )
    bulletin = bulletin_build(campaign_id=report.campaign_id, month=report.month)
    hospital = report.hospital
    return {
        "dashboard": "/",
        "evaluations": f"/api/v1/indicator-evaluations/?period=ytd&month={report.month.month}",
        "figures": f"/api/v1/indicator-figures/?period=ytd&month={report.month.month}",
        "lectures_last": "/api/v1/lectures/?page=last",
        "hospital_lectures": f"/hospitals/{hospital.pk}/lectures/",
        "month": f"/hospitals/{hospital.pk}/months/{report.month:%Y-%m}/",
        "report": f"/reports/{report.pk}/",
        "bulletin": f"/bulletins/{bulletin.pk}/",
        "action_plan": f"/hospitals/{hospital.pk}/actions/",
    }


# Each page's queries once its kept results are warm (core.versions; the fourth request of the same
# URL), the same at both sizes. Every page reads the session and the user; every page but the API's, the
# nav's unread-notifications badge.
PAGE_QUERIES = {
    "dashboard": 7,  # current campaign, banners, the charts' tables' versions
    "evaluations": 5,  # current campaign, the figures' tables' versions (the answer kept as JSON)
    "figures": 5,
    "lectures_last": 4,  # the user's unit, the versions of the page's tables (the rendered page kept)
    # the hospital, versions (the count kept), the page, its materials and officials, deletions
    "hospital_lectures": 10,
    "month": 14,  # one asks whether the hospital is in a 医共体 (O4.2-b applies to it or not)
    "report": 13,  # its contents, indicator lines and open warnings kept (each: the versions, one query)
    "bulletin": 6,  # the bulletin without its figures, the bulletins' version (the body kept as HTML)
    "action_plan": 10,
}


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["3 hospitals", "24 hospitals"])
def test_every_page_of_the_list_reads_the_same_queries_at_both_sizes(
    size: RegionSize, client: Client, set_clock: SetClock
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    RegionGenerator(seed=11, size=size).run()
    set_clock("2022-01-10 10:00")
    client.force_login(_league_reviewer())
    counts = {}
    for name, url in _page_urls().items():
        for _ in range(3):  # warm: the session, the tables noted, the results kept
            assert client.get(url).status_code == 200, url
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts[name] = len(queries.captured_queries)
    assert counts == PAGE_QUERIES, counts


def test_kept_warnings_are_the_live_ones_after_values_change(set_clock: SetClock) -> None:
    """The queue's warnings are kept under table versions (core.versions): asked again unchanged they
    cost one query, and after a value or an explanation changes they are the report pages' own again."""
    from django.db import connection
    from django.db.models import F
    from django.test.utils import CaptureQueriesContext

    from reporting.indicators.models import IndicatorValue

    RegionGenerator(seed=11, size=SMALL).run()
    set_clock("2022-01-10 10:00")

    def both() -> tuple[dict[int, list[str]], dict[int, list[str]]]:
        reports = list(reports_visible_to(_league_reviewer()))
        return reports_open_warnings(reports), {r.pk: _live_warnings(r) for r in reports}

    kept, live = both()
    assert kept == live
    reports = list(reports_visible_to(_league_reviewer()))
    reports_open_warnings(reports)
    with CaptureQueriesContext(connection) as queries:
        assert reports_open_warnings(reports) == live
    assert len(queries.captured_queries) == 1  # the tables' versions
    # Every count of one report's month ten times larger: beyond the soft bound against last year.
    report = next(r for r in reports if r.hospital_id)
    IndicatorValue.objects.filter(hospital_id=report.hospital_id, month=report.month, count__gt=0).update(
        count=F("count") * 10, explanation=""
    )
    kept, live = both()
    assert kept == live
    assert any("变化" in m for m in live[report.pk])


def test_a_report_pages_kept_contents_and_lines_are_the_live_ones(set_clock: SetClock) -> None:
    """The report page keeps its contents and indicator lines under table versions: after a write to
    anything they show (progress, a lecture, a value, the narrative, the hospital's level) they are
    what ``report_contents`` and the lines' own computation give live."""
    from django.db import connection
    from django.db.models import F

    from campaign.models import LectureSession, ProgressEntry
    from hospitals.models import Hospital
    from reporting.indicators.models import IndicatorValue
    from reporting.reports.selectors import _indicator_lines, report_contents_kept, report_indicator_lines

    RegionGenerator(seed=11, size=SMALL).run()
    set_clock("2022-01-10 10:00")
    report = next(
        r
        for r in reports_visible_to(_league_reviewer()).order_by("-month", "hospital__code")
        if ProgressEntry.objects.filter(action_item__hospital=r.hospital, month=r.month).exists()
    )

    def check() -> None:
        fresh = reports_visible_to(_league_reviewer()).get(pk=report.pk)
        for _ in range(2):  # computed, then kept
            assert report_contents_kept(fresh) == report_contents(fresh)
            assert report_indicator_lines(fresh) == _indicator_lines(fresh)

    check()
    progress = ProgressEntry.objects.filter(action_item__hospital=report.hospital, month=report.month)
    progress.update(note="新进展")
    check()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE campaign_lecturesession SET title = title || '（改）'")
    check()
    IndicatorValue.objects.filter(hospital=report.hospital, month=report.month, count__gt=0).update(
        count=F("count") + 7
    )
    check()
    report.__class__.objects.filter(pk=report.pk).update(problems="新的问题")
    check()
    Hospital.objects.filter(pk=report.hospital_id).update(is_city_tertiary=False, level="secondary")
    check()
    assert LectureSession.objects.exists()
