"""The banners' 调度 reports and the league's visits (§三(三)): every rule, good and bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from hospitals.audit import history_of
from hospitals.models import ChangeRecord
from reporting.dispatch.models import DispatchReport, DispatchReportFile, LeagueVisit
from reporting.dispatch.selectors import banner_dispatch_rows, dispatch_reports_visible_to
from reporting.dispatch.services import (
    dispatch_file_remove,
    dispatch_report_mark_read,
    dispatch_report_open,
    dispatch_report_return,
    dispatch_report_submit,
    dispatch_report_update,
    league_visit_create,
    league_visit_delete,
    league_visit_update,
)
from reporting.notices.models import Notification
from tests.campaign.conftest import lecture_data, upload
from tests.conftest import Alxa
from tests.leagues import load_second_league
from tests.reporting.conftest import SetClock
from tests.reporting.dispatch.conftest import JULY, TEXT, central_lecture, dispatch_report
from tests.samples import PDF, PNG

pytestmark = pytest.mark.django_db


def _codes(error: ValidationError) -> dict[str, list[str | None]]:
    return {field: [e.code for e in errors] for field, errors in error.error_dict.items()}


# --- opening a month --------------------------------------------------------------------------------


def test_a_banner_opens_its_july_report_as_a_draft(alxa: Alxa, set_clock: SetClock) -> None:
    set_clock("2021-07-05 09:00")
    report, created = dispatch_report_open(
        actor=alxa.banner_reviewer, channel="web", banner=alxa.zuoqi, month=JULY
    )
    assert created
    assert (report.campaign, report.banner, report.month, report.status) == (
        alxa.campaign,
        alxa.zuoqi,
        JULY,
        "draft",
    )
    again, created_again = dispatch_report_open(
        actor=alxa.banner_reviewer, channel="web", banner=alxa.zuoqi, month=JULY
    )
    assert (again.pk, created_again) == (report.pk, False)
    assert [r.action for r in history_of(report)] == ["create"]


def test_before_july_is_refused(alxa: Alxa, set_clock: SetClock) -> None:
    set_clock("2021-07-05 09:00")
    with pytest.raises(ValidationError) as refused:
        dispatch_report_open(
            actor=alxa.banner_reviewer, channel="web", banner=alxa.zuoqi, month=dt.date(2021, 6, 1)
        )
    assert _codes(refused.value) == {"month": ["before_dispatch"]}
    assert "自2021年7月起按月报送" in refused.value.messages[0]
    assert not DispatchReport.objects.exists()


def test_a_month_not_begun_and_a_day_not_the_first_are_refused(alxa: Alxa, set_clock: SetClock) -> None:
    set_clock("2021-07-31 23:00")
    with pytest.raises(ValidationError) as future:
        dispatch_report_open(
            actor=alxa.banner_reviewer, channel="web", banner=alxa.zuoqi, month=dt.date(2021, 8, 1)
        )
    assert _codes(future.value) == {"month": ["month_in_future"]}
    with pytest.raises(ValidationError) as not_first:
        dispatch_report_open(
            actor=alxa.banner_reviewer, channel="web", banner=alxa.zuoqi, month=dt.date(2021, 7, 2)
        )
    assert _codes(not_first.value) == {"month": ["month_not_first_day"]}
    assert not DispatchReport.objects.exists()


def test_another_banner_and_other_roles_cannot_write_a_banners_report(
    alxa: Alxa, set_clock: SetClock
) -> None:
    set_clock("2021-08-03 10:00")
    with pytest.raises(PermissionDenied):  # 左旗's reviewer for 右旗
        dispatch_report_open(actor=alxa.banner_reviewer, channel="web", banner=alxa.youqi, month=JULY)
    with pytest.raises(PermissionDenied):  # the league reads, it does not write
        dispatch_report_open(actor=alxa.league_reviewer, channel="web", banner=alxa.zuoqi, month=JULY)
    with pytest.raises(PermissionDenied):
        dispatch_report_open(actor=alxa.reporter, channel="web", banner=alxa.zuoqi, month=JULY)
    report = dispatch_report(alxa)
    with pytest.raises(PermissionDenied):
        dispatch_report_update(actor=alxa.league_reviewer, channel="web", report=report, text="改")
    with pytest.raises(PermissionDenied):
        dispatch_report_submit(actor=alxa.reporter, channel="web", report=report)
    assert not DispatchReport.objects.exclude(pk=report.pk).exists()
    report.refresh_from_db()
    assert (report.text, report.status) == ("", "draft")


# --- writing, files, submitting ----------------------------------------------------------------------


def test_text_and_files_are_saved_with_history(alxa: Alxa, set_clock: SetClock) -> None:
    report = dispatch_report(alxa)
    dispatch_report_update(
        actor=alxa.banner_reviewer,
        channel="web",
        report=report,
        text=TEXT,
        files=[upload("调度记录.pdf", PDF), upload("现场.png", PNG)],
    )
    report.refresh_from_db()
    assert report.text == TEXT
    files = list(report.files.order_by("id"))
    assert [(f.original_name, f.content_type) for f in files] == [
        ("调度记录.pdf", "application/pdf"),
        ("现场.png", "image/png"),
    ]
    assert files[0].file.read() == PDF
    record = history_of(report).order_by("-id").first()
    assert record is not None
    assert record.action == "update"
    assert record.changes == {"text": ["", TEXT], "files": [None, ["调度记录.pdf", "现场.png"]]}


def test_a_file_that_is_not_what_it_claims_is_refused_and_nothing_is_written(
    alxa: Alxa, set_clock: SetClock
) -> None:
    report = dispatch_report(alxa)
    with pytest.raises(ValidationError) as refused:
        dispatch_report_update(
            actor=alxa.banner_reviewer,
            channel="web",
            report=report,
            text=TEXT,
            files=[upload("好.pdf", PDF), upload("病毒.pdf", b"MZ\x90\x00 not a pdf at all")],
        )
    assert _codes(refused.value) == {"files": ["file_type_not_allowed"]}
    report.refresh_from_db()
    assert report.text == ""
    assert not DispatchReportFile.objects.exists()


def test_submit_needs_a_text_and_is_late_after_the_due_day(alxa: Alxa, set_clock: SetClock) -> None:
    report = dispatch_report(alxa)
    with pytest.raises(ValidationError) as empty:
        dispatch_report_submit(actor=alxa.banner_reviewer, channel="web", report=report)
    assert _codes(empty.value) == {"text": ["text_required"]}
    dispatch_report_update(actor=alxa.banner_reviewer, channel="web", report=report, text=TEXT)
    due_day = alxa.campaign.report_due_day
    set_clock(f"2021-08-{due_day + 2:02d} 10:00")
    submitted = dispatch_report_submit(actor=alxa.banner_reviewer, channel="web", report=report)
    assert (submitted.status, submitted.late_days) == ("submitted", 2)
    assert Notification.objects.filter(user=alxa.league_reviewer, kind="dispatch_submitted").count() == 1
    with pytest.raises(ValidationError) as twice:
        dispatch_report_submit(actor=alxa.banner_reviewer, channel="web", report=report)
    assert "盟卫生健康委阅知或退回前不能报送" in twice.value.messages[0]
    with pytest.raises(ValidationError):  # no edit while the league has it
        dispatch_report_update(actor=alxa.banner_reviewer, channel="web", report=report, text="改")


def test_on_the_due_day_is_on_time(alxa: Alxa, set_clock: SetClock) -> None:
    set_clock(f"2021-08-{alxa.campaign.report_due_day:02d} 23:00")
    report = dispatch_report(alxa, state="submitted")
    assert (report.late_days, report.is_late) == (0, False)


# --- the league: read or return ----------------------------------------------------------------------


def test_return_needs_a_reason_then_the_banner_resubmits_and_the_league_marks_it_read(
    alxa: Alxa, set_clock: SetClock
) -> None:
    report = dispatch_report(alxa, state="submitted")
    with pytest.raises(ValidationError) as no_reason:
        dispatch_report_return(actor=alxa.league_reviewer, channel="web", report=report, reason="  ")
    assert _codes(no_reason.value) == {"reason": ["reason_required"]}
    report.refresh_from_db()
    assert report.status == "submitted"
    returned = dispatch_report_return(
        actor=alxa.league_reviewer, channel="web", report=report, reason="请补充院外互讲情况"
    )
    assert (returned.status, returned.return_count, returned.return_reason) == (
        "returned",
        1,
        "请补充院外互讲情况",
    )
    assert (
        Notification.objects.get(user=alxa.banner_reviewer, kind="dispatch_returned").body
        == "请补充院外互讲情况"
    )
    with pytest.raises(ValidationError):  # a returned report is with the banner, not the league
        dispatch_report_mark_read(actor=alxa.league_reviewer, channel="web", report=report)
    dispatch_report_update(actor=alxa.banner_reviewer, channel="web", report=report, text=TEXT + "已补充。")
    resubmitted = dispatch_report_submit(actor=alxa.banner_reviewer, channel="web", report=report)
    assert resubmitted.status == "resubmitted"
    read = dispatch_report_mark_read(actor=alxa.league_reviewer, channel="web", report=report, note="已阅")
    assert (read.status, read.read_by, read.late_days) == ("read", alxa.league_reviewer, 0)
    assert [r.action for r in history_of(report).order_by("id")] == [
        "create",
        "update",
        "submit",
        "return",
        "update",
        "resubmit",
        "read",
    ]
    assert history_of(report).get(action="return").reason == "请补充院外互讲情况"
    with pytest.raises(ValidationError) as final:
        dispatch_report_return(actor=alxa.league_reviewer, channel="web", report=report, reason="再改")
    assert "已阅" in final.value.messages[0]
    with pytest.raises(ValidationError):
        dispatch_report_update(actor=alxa.banner_reviewer, channel="web", report=report, text="改")


def test_a_draft_cannot_be_read_or_returned(alxa: Alxa, set_clock: SetClock) -> None:
    report = dispatch_report(alxa)
    with pytest.raises(ValidationError):
        dispatch_report_mark_read(actor=alxa.league_reviewer, channel="web", report=report)
    with pytest.raises(ValidationError) as both:
        dispatch_report_return(actor=alxa.league_reviewer, channel="web", report=report, reason="")
    assert set(_codes(both.value)) == {"reason", "__all__"}  # the reason and the state, said together


def test_a_banner_cannot_read_or_return_its_own_report(alxa: Alxa, set_clock: SetClock) -> None:
    report = dispatch_report(alxa, state="submitted")
    with pytest.raises(PermissionDenied):
        dispatch_report_mark_read(actor=alxa.banner_reviewer, channel="web", report=report)
    with pytest.raises(PermissionDenied):
        dispatch_report_return(actor=alxa.banner_reviewer, channel="web", report=report, reason="x")
    report.refresh_from_db()
    assert report.status == "submitted"


def test_another_leagues_reviewer_can_neither_see_nor_act(alxa: Alxa, set_clock: SetClock) -> None:
    second = load_second_league()
    report = dispatch_report(alxa, state="submitted")
    assert not dispatch_reports_visible_to(second.league_reviewer).exists()
    assert list(dispatch_reports_visible_to(alxa.league_reviewer)) == [report]
    assert list(dispatch_reports_visible_to(alxa.banner_reviewer)) == [report]
    assert not dispatch_reports_visible_to(alxa.reporter).exists()
    with pytest.raises(PermissionDenied):
        dispatch_report_mark_read(actor=second.league_reviewer, channel="web", report=report)
    with pytest.raises(PermissionDenied):
        dispatch_report_return(actor=second.league_reviewer, channel="web", report=report, reason="x")
    with pytest.raises(PermissionDenied):
        dispatch_report_open(actor=second.banner_reviewer, channel="web", banner=alxa.zuoqi, month=JULY)
    report.refresh_from_db()
    assert report.status == "submitted"
    # 包头's own banner reports to 包头's league, under its own campaign.
    own, _ = dispatch_report_open(
        actor=second.banner_reviewer, channel="web", banner=second.banner, month=JULY
    )
    assert own.campaign == second.campaign
    assert list(dispatch_reports_visible_to(second.league_reviewer)) == [own]


def test_files_are_removed_only_while_editable(alxa: Alxa, set_clock: SetClock) -> None:
    report = dispatch_report(alxa)
    dispatch_report_update(
        actor=alxa.banner_reviewer, channel="web", report=report, text=TEXT, files=[upload("a.pdf", PDF)]
    )
    attached = report.files.get()
    dispatch_report_submit(actor=alxa.banner_reviewer, channel="web", report=report)
    with pytest.raises(ValidationError):
        dispatch_file_remove(actor=alxa.banner_reviewer, channel="web", attached=attached)
    dispatch_report_return(actor=alxa.league_reviewer, channel="web", report=report, reason="附件不对")
    dispatch_file_remove(actor=alxa.banner_reviewer, channel="web", attached=attached, reason="换文件")
    assert not report.files.exists()
    assert history_of(report).order_by("-id")[0].changes == {"files": [["a.pdf"], None]}


# --- the bulletin's row ------------------------------------------------------------------------------


def test_the_bulletin_row_says_on_time_late_missing_returned_and_read(
    alxa: Alxa, set_clock: SetClock
) -> None:
    from hospitals.models import OrgUnit

    ejina = OrgUnit.objects.get(code="152923")
    report = dispatch_report(alxa, state="returned")  # 左旗, on 08-03: on time, then returned
    banners = [alxa.zuoqi, alxa.youqi, ejina]
    rows = banner_dispatch_rows(alxa.campaign, JULY, banners, on=dt.date(2021, 8, 20))
    assert [(r.banner, r.timeliness_label, r.state) for r in rows] == [
        (alxa.zuoqi, "按时报送", "已退回"),
        (alxa.youqi, "未报送", "未填报"),
        (ejina, "未报送", "未填报"),
    ]
    before_due = banner_dispatch_rows(alxa.campaign, JULY, [alxa.youqi], on=dt.date(2021, 8, 1))
    assert before_due[0].timeliness_label == "未到报送期限"
    dispatch_report_submit(actor=alxa.banner_reviewer, channel="web", report=report)
    dispatch_report_mark_read(actor=alxa.league_reviewer, channel="web", report=report)
    assert banner_dispatch_rows(alxa.campaign, JULY, [alxa.zuoqi])[0].state == "已阅"


# --- the league's visits -----------------------------------------------------------------------------


def test_the_league_records_a_visit_to_a_banner_lecture(alxa: Alxa, set_clock: SetClock) -> None:
    lecture = central_lecture(alxa)
    visit = league_visit_create(
        actor=alxa.league_reviewer,
        channel="api",
        lecture=lecture,
        visited_on=lecture.held_on,
        attendees="盟卫生健康委主任范明亮",
        note="现场指导",
    )
    assert (visit.campaign, visit.lecture, visit.visited_on) == (alxa.campaign, lecture, dt.date(2021, 7, 10))
    record = history_of(visit).get()
    assert (record.action, record.channel) == ("create", ChangeRecord.Channel.API)
    assert record.changes["attendees"] == [None, "盟卫生健康委主任范明亮"]
    rows = banner_dispatch_rows(alxa.campaign, JULY, [alxa.zuoqi, alxa.youqi])
    assert [(r.visits_in_month, r.visits_total) for r in rows] == [(1, 1), (0, 0)]
    august = banner_dispatch_rows(alxa.campaign, dt.date(2021, 8, 1), [alxa.zuoqi])
    assert (august[0].visits_in_month, august[0].visits_total) == (0, 1)
    league_visit_update(
        actor=alxa.league_reviewer,
        channel="web",
        visit=visit,
        visited_on=lecture.held_on,
        attendees="范明亮、医改办张敏",
    )
    visit.refresh_from_db()
    assert visit.attendees == "范明亮、医改办张敏"
    league_visit_delete(actor=alxa.league_reviewer, channel="web", visit=visit, reason="登记错了")
    assert not LeagueVisit.objects.exists()


def test_visit_refusals(alxa: Alxa, set_clock: SetClock) -> None:
    lecture = central_lecture(alxa)
    with pytest.raises(ValidationError) as wrong:
        league_visit_create(
            actor=alxa.league_reviewer,
            channel="web",
            lecture=lecture,
            visited_on=dt.date(2021, 7, 11),
            attendees=" ",
        )
    assert _codes(wrong.value) == {
        "visited_on": ["visit_not_on_lecture_day"],
        "attendees": ["required"],
    }
    from campaign.services import lecture_create

    hospital_lecture = lecture_create(actor=alxa.reporter, channel="web", data=lecture_data(alxa))
    with pytest.raises(ValidationError) as not_banner:
        league_visit_create(
            actor=alxa.league_reviewer,
            channel="web",
            lecture=hospital_lecture,
            visited_on=hospital_lecture.held_on,
            attendees="范明亮",
        )
    assert _codes(not_banner.value) == {"lecture": ["not_banner_lecture"]}
    with pytest.raises(PermissionDenied):  # the banner does not record the league's visits
        league_visit_create(
            actor=alxa.banner_reviewer,
            channel="web",
            lecture=lecture,
            visited_on=lecture.held_on,
            attendees="x",
        )
    with pytest.raises(PermissionDenied):  # nor does another league
        league_visit_create(
            actor=load_second_league().league_reviewer,
            channel="web",
            lecture=lecture,
            visited_on=lecture.held_on,
            attendees="x",
        )
    league_visit_create(
        actor=alxa.league_reviewer,
        channel="web",
        lecture=lecture,
        visited_on=lecture.held_on,
        attendees="范明亮",
    )
    with pytest.raises(ValidationError) as twice:
        league_visit_create(
            actor=alxa.league_reviewer,
            channel="web",
            lecture=lecture,
            visited_on=lecture.held_on,
            attendees="范",
        )
    assert _codes(twice.value) == {"lecture": ["visit_exists"]}
    assert LeagueVisit.objects.count() == 1
