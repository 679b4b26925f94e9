"""The 调度 pages (reporting/dispatch/views.py): who opens which page, refusals on the forms, nothing
half-written, the league's month table in a fixed number of queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from hospitals.models import OrgUnit
from reporting.dispatch.models import DispatchReport, LeagueVisit
from reporting.dispatch.services import league_visit_create
from tests.conftest import Alxa, streamed
from tests.leagues import load_second_league
from tests.reporting.conftest import SetClock
from tests.reporting.dispatch.conftest import TEXT, central_lecture, dispatch_report
from tests.samples import PDF

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _month_url(unit: OrgUnit, month: str = "2021-07") -> str:
    return reverse("reporting:dispatch_month", args=[unit.pk, month])


def test_who_opens_the_pages(alxa: Alxa, set_clock: SetClock) -> None:
    dispatch_report(alxa, state="submitted")
    assert _client(alxa.reporter).get(reverse("reporting:dispatch")).status_code == 403
    assert _client(alxa.reporter).get(reverse("reporting:league_visits")).status_code == 403
    banner = _client(alxa.banner_reviewer)
    index = banner.get(reverse("reporting:dispatch")).content.decode()
    assert "2021年7月" in index
    assert "已报送" in index
    assert banner.get(_month_url(alxa.youqi)).status_code == 404  # another banner's
    assert TEXT in banner.get(_month_url(alxa.zuoqi)).content.decode()
    other_league = _client(load_second_league().league_reviewer)
    assert other_league.get(_month_url(alxa.zuoqi)).status_code == 404
    league = _client(alxa.league_reviewer)
    table = league.get(reverse("reporting:dispatch") + "?month=2021-07").content.decode()
    assert "阿拉善左旗" in table
    assert "按时报送" in table
    assert "未报送" in table or "未到报送期限" in table  # the other banners


def test_a_refused_submission_keeps_nothing(alxa: Alxa, set_clock: SetClock) -> None:
    banner = _client(alxa.banner_reviewer)
    response = banner.post(_month_url(alxa.zuoqi), {"text": "  ", "action": "submit"})
    assert response.status_code == 200
    assert "调度报告须填写调度情况（书面报告）后才能报送。" in response.content.decode()
    assert not DispatchReport.objects.exists()  # not even the draft
    june = banner.post(_month_url(alxa.zuoqi, "2021-06"), {"text": TEXT, "action": "save"})
    assert "调度报告自2021年7月起按月报送" in june.content.decode()
    assert not DispatchReport.objects.exists()
    bad_file = banner.post(
        _month_url(alxa.zuoqi),
        {"text": TEXT, "action": "save", "attachments": [_file("假.pdf", b"<html>not a pdf</html>")]},
    )
    assert "文件内容不是允许的类型" in bad_file.content.decode()
    assert not DispatchReport.objects.exists()


def _file(name: str, content: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_save_then_submit_with_a_file(alxa: Alxa, set_clock: SetClock) -> None:
    banner = _client(alxa.banner_reviewer)
    saved = banner.post(
        _month_url(alxa.zuoqi), {"text": TEXT, "action": "save", "attachments": [_file("调度.pdf", PDF)]}
    )
    assert saved.status_code == 302
    report = DispatchReport.objects.get()
    assert (report.status, report.files.get().original_name) == ("draft", "调度.pdf")
    page = banner.get(_month_url(alxa.zuoqi)).content.decode()
    file_url = reverse("reporting:dispatch_file", args=[report.files.get().pk])
    assert file_url in page
    assert streamed(banner.get(file_url)) == PDF
    # The league may not remove the banner's file; the banner may while the report is a draft.
    remove = reverse("reporting:dispatch_file_remove", args=[report.files.get().pk])
    assert _client(alxa.league_reviewer).post(remove).status_code == 403
    banner.post(_month_url(alxa.zuoqi), {"text": TEXT, "action": "submit"})
    report.refresh_from_db()
    assert report.status == "submitted"
    assert banner.post(remove).status_code == 302  # refused with a message: submitted
    assert report.files.count() == 1
    # The banner cannot mark its own report read.
    assert banner.post(_month_url(alxa.zuoqi), {"action": "read"}).status_code == 200
    report.refresh_from_db()
    assert report.status == "submitted"


def test_the_league_returns_with_a_reason_then_reads(alxa: Alxa, set_clock: SetClock) -> None:
    dispatch_report(alxa, state="submitted")
    league = _client(alxa.league_reviewer)
    refused = league.post(_month_url(alxa.zuoqi), {"action": "return", "reason": ""})
    assert "退回须填写原因。" in refused.content.decode()
    assert DispatchReport.objects.get().status == "submitted"
    league.post(_month_url(alxa.zuoqi), {"action": "return", "reason": "请补充"})
    assert DispatchReport.objects.get().status == "returned"
    page = _client(alxa.banner_reviewer).get(_month_url(alxa.zuoqi)).content.decode()
    assert "请补充" in page
    assert "重新报送" in page
    _client(alxa.banner_reviewer).post(_month_url(alxa.zuoqi), {"text": TEXT + "已补充", "action": "submit"})
    assert DispatchReport.objects.get().status == "resubmitted"
    league.post(_month_url(alxa.zuoqi), {"action": "read", "note": ""})
    assert DispatchReport.objects.get().status == "read"


def test_the_league_month_table_in_a_fixed_number_of_queries(
    alxa: Alxa, set_clock: SetClock, django_assert_num_queries: Any
) -> None:
    league = _client(alxa.league_reviewer)
    url = reverse("reporting:dispatch") + "?month=2021-07"
    league.get(url)  # warm the session and the content types
    dispatch_report(alxa, state="submitted")
    with django_assert_num_queries(QUERIES):
        one = league.get(url)
    assert one.content.decode().count("草稿") == 0
    for code in ("152922", "152923"):  # two more banners' reports (made directly: no reviewer there)
        unit = OrgUnit.objects.get(code=code)
        DispatchReport.objects.create(campaign=alxa.campaign, banner=unit, month=one.context["month"])
    with django_assert_num_queries(QUERIES):
        three = league.get(url)
    assert three.content.decode().count("草稿") == 2


# The session and user, the menu's unread count, the campaign (2), the visible units, the banners, the
# month's reports (with files and the readers), the rows' reports and visits.
QUERIES = 11


def test_visits_page(alxa: Alxa, set_clock: SetClock) -> None:
    lecture = central_lecture(alxa)
    league = _client(alxa.league_reviewer)
    response = league.post(
        reverse("reporting:league_visits"),
        {"lecture": lecture.pk, "visited_on": "2021-07-10", "attendees": " ", "note": ""},
    )
    assert response.status_code == 200
    assert "该字段是必填项" in response.content.decode()
    assert not LeagueVisit.objects.exists()
    league.post(
        reverse("reporting:league_visits"),
        {"lecture": lecture.pk, "visited_on": "2021-07-10", "attendees": "范明亮", "note": "现场指导"},
    )
    visit = LeagueVisit.objects.get()
    banner_page = _client(alxa.banner_reviewer).get(reverse("reporting:league_visits")).content.decode()
    assert "范明亮" in banner_page
    assert "visit-form" not in banner_page  # the banner reads, the league records
    assert (
        _client(alxa.banner_reviewer)
        .post(reverse("reporting:league_visit_delete", args=[visit.pk]))
        .status_code
        == 403
    )
    league.post(reverse("reporting:league_visit_delete", args=[visit.pk]), {"reason": "登记错了"})
    assert not LeagueVisit.objects.exists()
    # Another league's reviewer sees no Alxa visit and cannot record one.
    league_visit_create(
        actor=alxa.league_reviewer, channel="web", lecture=lecture, visited_on=lecture.held_on, attendees="范"
    )
    other = _client(load_second_league().league_reviewer)
    assert "尚未登记出席宣讲" in other.get(reverse("reporting:league_visits")).content.decode()
