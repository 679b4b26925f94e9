"""A read-only report freezes what it holds (SPEC §7): the month's lectures and their materials, action
progress and indicator values are refused while the hospital's report for that month is approved, past
its lock day or its unlock has ended — by the one guard ``require_month_editable`` — and open again while
an unlock runs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from campaign.models import ActionItem, LectureSession, ProgressEntry
from campaign.services import (
    lecture_create,
    lecture_delete,
    lecture_update,
    progress_record,
)
from core.refusals import refusal_codes
from hospitals.models import ChangeRecord
from reporting.indicators.models import IndicatorValue
from reporting.indicators.services import indicator_value_delete, indicator_value_save
from reporting.reports.services import report_unlock_grant, report_unlock_request
from tests.campaign.conftest import h004_action_item, lecture_data
from tests.conftest import Alxa, client_for
from tests.reporting.conftest import JULY, SetClock, make_report

pytestmark = pytest.mark.django_db
AUGUST = dt.date(2021, 8, 1)
APPROVED = "2021年07月的月度自查报告：报告已审核通过，只读。如需修改请申请解锁。"


def _item(alxa: Alxa) -> ActionItem:
    return h004_action_item(alxa, due_on=dt.date(2021, 12, 31))


def _refused(call: object, message: str = APPROVED) -> None:
    assert callable(call)
    before = ChangeRecord.objects.count()
    with pytest.raises(ValidationError) as caught:
        call()
    assert refusal_codes(caught.value) == ["report_locked"]  # the month, on no field
    assert caught.value.messages == [message]
    assert ChangeRecord.objects.count() == before


def test_an_approved_month_refuses_every_change_to_what_it_holds(alxa: Alxa, set_clock: SetClock) -> None:
    july = lecture_create(actor=alxa.reporter, channel="web", data=lecture_data(alxa))
    item = _item(alxa)
    progress_record(actor=alxa.reporter, channel="web", action_item=item, month=JULY, status="on_track")
    make_report(alxa, state="approved")  # fills July's indicators
    value = IndicatorValue.objects.filter(hospital=alxa.h004, month=JULY).select_related("indicator").first()
    assert value is not None
    lectures, values = LectureSession.objects.count(), IndicatorValue.objects.count()

    _refused(
        lambda: lecture_create(actor=alxa.reporter, channel="web", data=lecture_data(alxa, title="补登"))
    )
    moved = lecture_data(alxa, held_on=dt.date(2021, 8, 2))  # out of July; not after the clock
    _refused(lambda: lecture_update(actor=alxa.reporter, channel="web", lecture=july, data=moved))
    _refused(lambda: lecture_delete(actor=alxa.admin, channel="web", lecture=july))
    _refused(
        lambda: progress_record(
            actor=alxa.reporter, channel="web", action_item=item, month=JULY, status="done"
        )
    )
    _refused(
        lambda: indicator_value_save(
            actor=alxa.reporter,
            channel="web",
            indicator=value.indicator,
            month=JULY,
            hospital=alxa.h004,
            count=value.count,
            numerator=value.numerator,
            denominator=value.denominator,
            answers=value.answers or None,
            reason="改",
        )
    )
    _refused(lambda: indicator_value_delete(actor=alxa.admin, channel="web", value=value))
    assert (LectureSession.objects.count(), IndicatorValue.objects.count()) == (lectures, values)
    assert ProgressEntry.objects.get(action_item=item, month=JULY).status == "on_track"
    july.refresh_from_db()
    assert july.held_on == dt.date(2021, 7, 10)

    # Another month, and another hospital's July, are not held by H004's July report.
    august = lecture_create(
        actor=alxa.reporter, channel="web", data=lecture_data(alxa, held_on=dt.date(2021, 8, 2))
    )
    assert august.held_on.month == 8


def test_the_api_answers_400_with_the_reason(alxa: Alxa, set_clock: SetClock) -> None:
    make_report(alxa, state="approved")
    data = lecture_data(alxa)
    body = {
        "campaign": alxa.campaign.pk,
        "kind": data.kind.pk,
        "hospital": alxa.h004.pk,
        "held_on": "2021-07-20",
        "title": "补登宣讲",
        "speaker": data.speaker.pk,
        "attendance_expected": 10,
        "attendance_present": 9,
    }
    response = client_for(alxa.reporter).post("/api/v1/lectures/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "report_locked"
    assert response.json()["message"] == APPROVED
    assert not LectureSession.objects.filter(title="补登宣讲").exists()


def test_an_unlock_opens_the_month_until_its_date(alxa: Alxa, set_clock: SetClock) -> None:
    report = make_report(alxa, state="approved")
    request = report_unlock_request(report_id=report.pk, actor=alxa.reporter, reason="漏登一次宣讲")
    report_unlock_grant(request_id=request.pk, actor=alxa.league_reviewer, until=dt.date(2021, 8, 10))
    lecture = lecture_create(actor=alxa.reporter, channel="web", data=lecture_data(alxa, title="补登"))
    assert lecture.title == "补登"

    set_clock("2021-08-11 09:00")
    _refused(
        lambda: lecture_delete(actor=alxa.reporter, channel="web", lecture=lecture),
        "2021年07月的月度自查报告：解锁期已于2021-08-10结束，报告只读。如需修改请再次申请解锁。",
    )


def test_past_the_lock_day_a_draft_month_is_read_only_and_a_month_without_report_is_not(
    alxa: Alxa, set_clock: SetClock
) -> None:
    make_report(alxa, month=AUGUST)  # a draft
    set_clock("2021-09-21 08:00")
    _refused(
        lambda: lecture_create(
            actor=alxa.reporter, channel="web", data=lecture_data(alxa, held_on=dt.date(2021, 8, 5))
        ),
        "2021年08月的月度自查报告：已过锁定日(2021-09-20)，报告只读。如需修改请申请解锁。",
    )
    # July has no report: nothing is frozen yet.
    assert lecture_create(actor=alxa.reporter, channel="web", data=lecture_data(alxa)).pk
