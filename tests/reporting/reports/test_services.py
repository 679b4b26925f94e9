import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from hospitals.audit import history_of
from reporting.notices.models import Notification
from reporting.reports import selectors as report_selectors
from reporting.reports.models import MonthlyReport, ReviewComment, UnlockRequest
from reporting.reports.selectors import (
    report_changes_since_last_review,
    report_lock_state,
    report_open_comments,
)
from reporting.reports.services import (
    CommentInput,
    report_approve,
    report_banner_review,
    report_get_or_create,
    report_return,
    report_submit,
    report_unlock_grant,
    report_unlock_refuse,
    report_unlock_request,
    report_update,
    reports_bulk_approve,
)
from tests.conftest import Alxa
from tests.factories import banner_reviewer_for, reporter_for
from tests.reporting.conftest import JULY, SetClock, make_report

pytestmark = pytest.mark.django_db


def test_the_first_open_creates_a_draft_and_the_second_finds_it(alxa: Alxa, set_clock: SetClock) -> None:
    report, created = report_get_or_create(hospital=alxa.h004, month=JULY, actor=alxa.reporter)
    again, created_again = report_get_or_create(hospital=alxa.h004, month=JULY, actor=alxa.reporter)
    assert (created, created_again) == (True, False)
    assert again.pk == report.pk
    assert report.status == "draft"
    assert report.campaign == alxa.campaign
    assert [r.action for r in history_of(report)] == ["create"]


@pytest.mark.parametrize(
    ("month", "message"),
    [(dt.date(2021, 7, 2), "月份须为当月1日"), (dt.date(2021, 6, 1), "不在活动的月度自查期内")],
)
def test_a_report_month_must_be_a_campaign_month(alxa: Alxa, set_clock: SetClock, month, message) -> None:
    with pytest.raises(ValidationError, match=message):
        report_get_or_create(hospital=alxa.h004, month=month, actor=alxa.reporter)


def test_a_reporter_cannot_open_another_hospitals_report(alxa: Alxa, set_clock: SetClock) -> None:
    with pytest.raises(PermissionDenied):
        report_get_or_create(hospital=alxa.h006, month=JULY, actor=alxa.reporter)


def test_submission_needs_the_narrative_and_an_ended_month(alxa: Alxa, set_clock: SetClock) -> None:
    report = make_report(alxa)
    with pytest.raises(ValidationError) as exc:
        report_submit(report_id=report.pk, actor=alxa.reporter)
    # The narrative first; the month's indicators are missing too (test_report_contents.py).
    assert exc.value.messages[:2] == [
        "请填写“存在问题”（没有问题请填“无”）。",
        "请填写“整改措施”（没有问题请填“无”）。",
    ]
    set_clock("2021-07-30 10:00")
    report_update(report_id=report.pk, actor=alxa.reporter, problems="无", corrections="无")
    with pytest.raises(ValidationError, match="尚未结束"):
        report_submit(report_id=report.pk, actor=alxa.reporter)
    assert MonthlyReport.objects.get(pk=report.pk).status == "draft"


@pytest.mark.parametrize(("moment", "late_days"), [("2021-08-05 23:59", 0), ("2021-08-08 09:00", 3)])
def test_a_submission_after_the_due_day_is_late_by_days(
    alxa: Alxa, set_clock: SetClock, moment, late_days
) -> None:
    set_clock(moment)
    report = make_report(alxa, state="submitted")
    assert report.status == "submitted"
    assert report.late_days == late_days
    assert report.is_late is bool(late_days)


def test_a_resubmission_does_not_change_the_late_flag(alxa: Alxa, set_clock: SetClock) -> None:
    report = make_report(alxa, state="returned")
    set_clock("2021-08-12 10:00")
    report_submit(report_id=report.pk, actor=alxa.reporter)
    report.refresh_from_db()
    assert (report.status, report.late_days) == ("resubmitted", 0)


def test_the_full_path_keeps_every_transition_in_history(alxa: Alxa, set_clock: SetClock) -> None:
    report = make_report(alxa, state="approved")
    rows = list(history_of(report).order_by("at", "id"))
    assert [(r.action, r.changes.get("status")) for r in rows] == [
        ("create", [None, "draft"]),
        ("update", None),
        ("submit", ["draft", "submitted"]),
        ("banner_review", ["submitted", "banner_reviewed"]),
        ("approve", ["banner_reviewed", "approved"]),
    ]
    assert [r.actor for r in rows[2:]] == [alxa.reporter, alxa.banner_reviewer, alxa.league_reviewer]
    assert all(r.at is not None for r in rows)


# Each illegal transition is refused, and the report is left as it was.
def test_a_reporter_cannot_approve(alxa: Alxa, set_clock: SetClock) -> None:
    report = make_report(alxa, state="banner_reviewed")
    with pytest.raises(PermissionDenied, match="只有盟审核员可以审核通过报告"):
        report_approve(report_id=report.pk, actor=alxa.reporter)
    assert MonthlyReport.objects.get(pk=report.pk).status == "banner_reviewed"


def test_a_banner_reviewer_cannot_approve(alxa: Alxa, set_clock: SetClock) -> None:
    report = make_report(alxa, state="banner_reviewed")
    with pytest.raises(PermissionDenied):
        report_approve(report_id=report.pk, actor=alxa.banner_reviewer)


def test_a_draft_cannot_be_approved(alxa: Alxa, set_clock: SetClock) -> None:
    report = make_report(alxa)
    with pytest.raises(ValidationError, match="草稿状态的报告不能审核通过") as exc:
        report_approve(report_id=report.pk, actor=alxa.league_reviewer)
    assert exc.value.code == "illegal_transition"
    assert MonthlyReport.objects.get(pk=report.pk).status == "draft"


def test_an_approved_report_cannot_be_edited_approved_again_or_returned(
    alxa: Alxa, set_clock: SetClock
) -> None:
    report = make_report(alxa, state="approved")
    with pytest.raises(ValidationError, match="已审核通过，只读"):
        report_update(report_id=report.pk, actor=alxa.reporter, problems="改")
    with pytest.raises(ValidationError, match="已审核通过，不能审核通过"):
        report_approve(report_id=report.pk, actor=alxa.league_reviewer)
    with pytest.raises(ValidationError, match="已审核通过，不能退回"):
        report_return(report_id=report.pk, actor=alxa.league_reviewer, reason="x")
    with pytest.raises(ValidationError, match="已审核通过，不能提交"):
        report_submit(report_id=report.pk, actor=alxa.reporter)
    assert MonthlyReport.objects.get(pk=report.pk).problems == "课件准备不足"


def test_first_review_only_by_the_banners_reviewer(alxa: Alxa, set_clock: SetClock) -> None:
    report = make_report(alxa, state="submitted")
    with pytest.raises(PermissionDenied, match="初审须由"):
        report_banner_review(report_id=report.pk, actor=alxa.league_reviewer)
    with pytest.raises(PermissionDenied):
        report_banner_review(report_id=report.pk, actor=banner_reviewer_for(alxa.youqi))
    with pytest.raises(ValidationError, match="当前为“草稿”，不能初审"):
        report_banner_review(
            report_id=make_report(alxa, month=dt.date(2021, 8, 1)).pk, actor=alxa.banner_reviewer
        )


def test_a_submitted_report_cannot_be_edited_or_submitted_again(alxa: Alxa, set_clock: SetClock) -> None:
    report = make_report(alxa, state="submitted")
    with pytest.raises(ValidationError, match="审核期间不能修改"):
        report_update(report_id=report.pk, actor=alxa.reporter, problems="改")
    with pytest.raises(ValidationError, match="当前为“已提交”，不能提交"):
        report_submit(report_id=report.pk, actor=alxa.reporter)


def test_only_the_hospitals_reporter_submits(alxa: Alxa, set_clock: SetClock) -> None:
    report = make_report(alxa)
    report_update(report_id=report.pk, actor=alxa.reporter, problems="无", corrections="无")
    for actor in (alxa.banner_reviewer, alxa.league_reviewer, reporter_for(alxa.h006)):
        with pytest.raises(PermissionDenied, match="只有本医院的填报员"):
            report_submit(report_id=report.pk, actor=actor)


def test_a_return_needs_a_reason_and_a_banner_reviewed_report_is_returned_by_the_league(
    alxa: Alxa, set_clock: SetClock
) -> None:
    report = make_report(alxa, state="banner_reviewed")
    with pytest.raises(ValidationError, match="退回须填写原因"):
        report_return(report_id=report.pk, actor=alxa.league_reviewer, reason=" ")
    with pytest.raises(ValidationError, match="只能由盟审核员退回"):
        report_return(report_id=report.pk, actor=alxa.banner_reviewer, reason="再看看")
    with pytest.raises(PermissionDenied):
        report_return(report_id=report.pk, actor=alxa.reporter, reason="x")
    report_return(report_id=report.pk, actor=alxa.league_reviewer, reason="请补充")
    assert MonthlyReport.objects.get(pk=report.pk).status == "returned"


def test_return_reasons_attach_to_items_and_the_resubmission_shows_what_changed(
    alxa: Alxa, set_clock: SetClock
) -> None:
    report = make_report(alxa, state="submitted")
    report_return(
        report_id=report.pk,
        actor=alxa.banner_reviewer,
        reason="",
        comments=[
            CommentInput(text="整改措施过于笼统", item_kind="narrative", item_key="narrative:corrections")
        ],
    )
    report.refresh_from_db()
    comment = report_open_comments(report).get()
    assert (comment.item_key, comment.item_label, comment.text) == (
        "narrative:corrections",
        "整改措施",
        "整改措施过于笼统",
    )
    assert report.return_count == 1
    notice = Notification.objects.get(user=alxa.reporter, kind="report_returned")
    assert notice.body == "整改措施过于笼统"
    assert report_changes_since_last_review(report) == []

    report_update(report_id=report.pk, actor=alxa.reporter, corrections="已于8月2日补齐全部课件并组织复讲")
    report_submit(report_id=report.pk, actor=alxa.reporter)
    report.refresh_from_db()
    assert report.status == "resubmitted"
    assert report_changes_since_last_review(report) == [
        {
            "key": "narrative:corrections",
            "kind": "narrative",
            "label": "整改措施",
            "change": "changed",
            "old": "已补齐课件",
            "new": "已于8月2日补齐全部课件并组织复讲",
        }
    ]
    assert ReviewComment.objects.count() == 1


def test_a_report_locks_after_approval_and_after_the_lock_day(alxa: Alxa, set_clock: SetClock) -> None:
    approved = make_report(alxa, state="approved")
    assert report_lock_state(approved).reason == "approved"
    draft = make_report(alxa, month=dt.date(2021, 8, 1))
    set_clock("2021-09-20 23:00")
    assert report_lock_state(draft).locked is False
    set_clock("2021-09-21 00:01")
    state = report_lock_state(draft)
    assert (state.locked, state.reason, state.until) == (True, "past_lock_day", dt.date(2021, 9, 20))
    assert "已过锁定日(2021-09-20)" in state.message
    with pytest.raises(ValidationError, match="已过锁定日"):
        report_update(report_id=draft.pk, actor=alxa.reporter, problems="迟到的修改")


def test_an_unlock_is_requested_granted_until_a_date_and_locks_again_by_itself(
    alxa: Alxa, set_clock: SetClock
) -> None:
    report = make_report(alxa, state="approved")
    with pytest.raises(ValidationError, match="须填写理由"):
        report_unlock_request(report_id=report.pk, actor=alxa.reporter, reason="")
    request = report_unlock_request(report_id=report.pk, actor=alxa.reporter, reason="7月下转人数填错")
    with pytest.raises(ValidationError, match="已有待处理的解锁申请"):
        report_unlock_request(report_id=report.pk, actor=alxa.reporter, reason="再申请")
    with pytest.raises(PermissionDenied, match="只有盟审核员可以解锁报告"):
        report_unlock_grant(request_id=request.pk, actor=alxa.banner_reviewer, until=dt.date(2021, 8, 10))
    report_unlock_grant(request_id=request.pk, actor=alxa.league_reviewer, until=dt.date(2021, 8, 10))
    report.refresh_from_db()
    assert report.status == "returned"
    assert report_lock_state(report).as_dict() == {
        "locked": False,
        "reason": "unlocked_until",
        "until": "2021-08-10",
        "message": "已解锁，可修改至2021-08-10。",
    }
    report_update(report_id=report.pk, actor=alxa.reporter, problems="下转人数已更正")
    unlock = history_of(report).get(action="unlock")
    assert unlock.changes == {"status": ["approved", "returned"], "unlocked_until": [None, "2021-08-10"]}
    assert "7月下转人数填错" in unlock.reason

    set_clock("2021-08-11 08:00")
    assert report_lock_state(report).reason == "unlock_expired"
    with pytest.raises(ValidationError, match="解锁期已于2021-08-10结束"):
        report_update(report_id=report.pk, actor=alxa.reporter, problems="太晚了")


def test_an_unlock_can_be_refused_with_a_reason_and_only_a_locked_report_is_unlocked(
    alxa: Alxa, set_clock: SetClock
) -> None:
    draft = make_report(alxa, month=dt.date(2021, 8, 1))
    with pytest.raises(ValidationError, match="未锁定"):
        report_unlock_request(report_id=draft.pk, actor=alxa.reporter, reason="x")
    report = make_report(alxa, state="approved")
    request = report_unlock_request(report_id=report.pk, actor=alxa.reporter, reason="想改")
    with pytest.raises(ValidationError, match="须说明理由"):
        report_unlock_refuse(request_id=request.pk, actor=alxa.league_reviewer, note="")
    report_unlock_refuse(request_id=request.pk, actor=alxa.league_reviewer, note="数据无误，无需修改")
    assert UnlockRequest.objects.get(pk=request.pk).status == "refused"
    with pytest.raises(ValidationError, match="已处理"):
        report_unlock_grant(request_id=request.pk, actor=alxa.league_reviewer, until=dt.date(2021, 8, 9))


def test_bulk_approval_skips_reports_with_open_warnings(
    alxa: Alxa, set_clock: SetClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    july = make_report(alxa, state="banner_reviewed")
    set_clock("2021-09-03 10:00")
    august = make_report(alxa, state="submitted", month=dt.date(2021, 8, 1))
    draft = make_report(alxa, month=dt.date(2021, 9, 1))
    monkeypatch.setattr(
        report_selectors,
        "WARNING_CHECKS",
        [
            lambda reports: {
                r.pk: ["下转患者人数较上年变化超过50%"] if r.month.month == 8 else [] for r in reports
            }
        ],
    )
    result = reports_bulk_approve(report_ids=[july.pk, august.pk, draft.pk], actor=alxa.league_reviewer)
    assert result.approved == [july.pk]
    assert result.skipped == {
        august.pk: "有待处理的提示：下转患者人数较上年变化超过50%",
        draft.pk: "草稿状态的报告不能审核通过，须先由医院提交。",
    }
    with pytest.raises(PermissionDenied):
        reports_bulk_approve(report_ids=[august.pk], actor=alxa.banner_reviewer)
