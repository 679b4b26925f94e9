"""Issue 13 point 7: a refusal names the field its rule concerns, and every broken rule is said at once.

The service raises all its refusals together (``core.refusals``); the API answers each under
``errors.<field>``; a page form shows each message in the error list beside its field, and what concerns
no single field (the month frozen by its report) on top, together with the field errors.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.test import Client

from campaign.models import ActionItem, LaunchRecord, LectureSession
from campaign.services import lecture_create
from core.refusals import refusal_fields
from hospitals.models import ChangeRecord, User
from tests.campaign.conftest import h004_action_item, kind, lecture_data, person, task
from tests.campaign.test_api_lectures import payload
from tests.conftest import Alxa, client_for
from tests.form_errors import field_errors, form_errors
from tests.reporting.conftest import SetClock, make_report

pytestmark = pytest.mark.django_db

OUTSIDE = "宣讲日期须在活动期间（2021-06-21至2021-12-31）内，2022-01-05不在其中。"
NOT_LEADER = "院内宣讲须由本院党委书记或院长宣讲；"
TOO_MANY = "实到人数（420）不能超过应到人数（400）。"


def _page(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- lectures -------------------------------------------------------------------------------------


def test_lecture_service_raises_every_broken_rule_on_its_field(alxa: Alxa) -> None:
    data = lecture_data(
        alxa, held_on=dt.date(2022, 1, 5), speaker=person("H004-P03"), attendance_present=420, title=" "
    )
    with pytest.raises(ValidationError) as info:
        lecture_create(actor=alxa.reporter, channel="api", data=data)
    fields = refusal_fields(info.value)
    assert list(fields) == ["held_on", "attendance_present", "speaker", "title"]
    assert fields["held_on"] == [OUTSIDE]
    assert fields["attendance_present"] == [TOO_MANY]
    assert fields["speaker"][0].startswith(NOT_LEADER)
    assert fields["title"] == ["宣讲题目不能为空。"]
    assert not LectureSession.objects.exists()
    assert not ChangeRecord.objects.exists()


def test_lecture_api_names_the_field_of_present_over_expected(alxa: Alxa) -> None:
    response = client_for(alxa.reporter).post(
        "/api/v1/lectures/", payload(alxa, attendance_present=420), format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "attendance_exceeds_expected",
        "message": TOO_MANY,
        "errors": {"attendance_present": [TOO_MANY]},
    }


def test_lecture_api_names_the_field_of_a_date_outside_the_campaign(alxa: Alxa) -> None:
    response = client_for(alxa.reporter).post(
        "/api/v1/lectures/", payload(alxa, held_on="2022-01-05"), format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"held_on": [OUTSIDE]}
    assert response.json()["code"] == "date_outside_campaign"


def test_lecture_api_answers_every_broken_rule_at_once(alxa: Alxa) -> None:
    body = payload(
        alxa,
        held_on="2022-01-05",
        speaker=person("H004-P03").pk,
        attendance_present=420,
        kind=kind(alxa, "in_hospital").pk,
        host_hospital=alxa.h006.pk,
    )
    response = client_for(alxa.reporter).post("/api/v1/lectures/", body, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == ["held_on", "attendance_present", "speaker", "host_hospital"]
    assert errors["host_hospital"] == ["院内宣讲不填写受讲医院或医联体。"]
    assert response.json()["message"] == OUTSIDE  # the first, as before
    assert not LectureSession.objects.exists()


def test_lecture_api_patch_names_the_field_too(alxa: Alxa) -> None:
    client = client_for(alxa.reporter)
    lecture_id = client.post("/api/v1/lectures/", payload(alxa), format="json").json()["id"]
    response = client.patch(
        f"/api/v1/lectures/{lecture_id}/", {"on_duty_exempt": 401, "held_on": "2021-06-01"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"held_on", "on_duty_exempt"}
    assert response.json()["errors"]["on_duty_exempt"] == ["正常值班人数（401）不能超过应到人数（400）。"]


def _lecture_post(alxa: Alxa, **overrides: Any) -> dict[str, Any]:
    data = {
        "kind": kind(alxa, "in_hospital").pk,
        "held_on": "2021-07-10",
        "title": "推动公立医院高质量发展",
        "speaker": person("H004-P01").pk,
        "attendance_expected": "400",
        "attendance_present": "380",
        "on_duty_exempt": "20",
    }
    data.update(overrides)
    return data


def test_lecture_form_shows_each_broken_rule_beside_its_field(alxa: Alxa) -> None:
    """The issue's example: a wrong date, a wrong speaker and present > expected gave the date alone."""
    response = _page(alxa.reporter).post(
        f"/hospitals/{alxa.h004.pk}/lectures/new/",
        _lecture_post(alxa, held_on="2022-01-05", speaker=person("H004-P03").pk, attendance_present="420"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert field_errors(html, "held_on") == [OUTSIDE]
    assert field_errors(html, "attendance_present") == [TOO_MANY]
    (speaker,) = field_errors(html, "speaker")
    assert speaker.startswith(NOT_LEADER)
    assert field_errors(html, "title") == []
    assert form_errors(html) == []
    assert not LectureSession.objects.exists()


def test_lecture_edit_in_a_frozen_month_says_the_lock_on_top_and_the_field_errors_beside(
    alxa: Alxa, set_clock: SetClock
) -> None:
    lecture = lecture_create(actor=alxa.reporter, channel="web", data=lecture_data(alxa))
    make_report(alxa, state="approved")
    client = _page(alxa.reporter)
    html = client.post(
        f"/lectures/{lecture.pk}/edit/", _lecture_post(alxa, attendance_present="420")
    ).content.decode()
    (top,) = form_errors(html)
    assert top.startswith("2021年07月的月度自查报告")
    assert field_errors(html, "attendance_present") == [TOO_MANY]
    api = client_for(alxa.reporter).patch(
        f"/api/v1/lectures/{lecture.pk}/", {"attendance_present": 420}, format="json"
    )
    assert api.status_code == 400
    errors = api.json()["errors"]
    assert list(errors) == ["non_field_errors", "attendance_present"]
    assert errors["non_field_errors"][0].startswith("2021年07月的月度自查报告")
    lecture.refresh_from_db()
    assert lecture.attendance_present == 380


def test_lecture_admin_shows_each_refusal_beside_its_field(alxa: Alxa) -> None:
    client = _page(alxa.admin)
    page = client.get("/admin/campaign/lecturesession/add/")
    assert page.status_code == 200
    response = client.post(
        "/admin/campaign/lecturesession/add/",
        {
            "campaign": alxa.campaign.pk,
            "kind": kind(alxa, "in_hospital").pk,
            "hospital": alxa.h004.pk,
            "held_on": "2022-01-05",
            "title": "推动公立医院高质量发展",
            "speaker": person("H004-P01").pk,
            "attendance_expected": "400",
            "attendance_present": "420",
            "on_duty_exempt": "20",
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["held_on"] == [OUTSIDE]
    assert errors["attendance_present"] == [TOO_MANY]
    assert NON_FIELD_ERRORS not in errors
    assert not LectureSession.objects.exists()


# --- action items, roadmap, launch records --------------------------------------------------------


def test_action_item_api_names_each_field(alxa: Alxa) -> None:
    response = client_for(alxa.reporter).post(
        "/api/v1/action-items/",
        {
            "hospital": alxa.h004.pk,
            "task": task(alxa, "A3.2").pk,
            "part": "不存在的子任务",
            "title": "开展处方点评",
            "responsible": person("H006-P01").pk,
            "starts_on": "2021-09-01",
            "due_on": "2021-08-01",
            "roadmap": [],
        },
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == ["part", "responsible", "due_on", "roadmap"]
    assert errors["due_on"] == ["完成时限不能早于开始日期。"]
    assert errors["roadmap"][0].startswith("行动项须有路线图")
    assert not ActionItem.objects.filter(title="开展处方点评").exists()


def test_roadmap_step_api_and_form_say_every_broken_rule_beside_its_field(alxa: Alxa) -> None:
    item = h004_action_item(alxa)
    outside = f"路线图节点日期须在行动项的开始日期（{item.starts_on}）与完成时限（{item.due_on}）之间。"
    response = client_for(alxa.reporter).post(
        "/api/v1/roadmap-milestones/",
        {"action_item": item.pk, "title": "印发", "due_on": "2022-01-15", "done_on": "2099-01-01"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"due_on": [outside], "done_on": ["完成日期不能晚于今天。"]}
    html = (
        _page(alxa.reporter)
        .post(
            f"/actions/{item.pk}/",
            {"roadmap-title": "印发", "roadmap-due_on": "2022-01-15", "roadmap-done_on": "2099-01-01"},
        )
        .content.decode()
    )
    assert field_errors(html, "roadmap-due_on") == [outside]
    assert field_errors(html, "roadmap-done_on") == ["完成日期不能晚于今天。"]
    assert not item.roadmap.filter(title="印发").exists()


def test_launch_record_api_names_the_date(alxa: Alxa) -> None:
    body = {
        "campaign": alxa.campaign.pk,
        "hospital": alxa.h004.pk,
        "launched_on": "2021-05-01",
        "meeting": "动员会",
    }
    response = client_for(alxa.reporter).post("/api/v1/launch-records/", body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "launched_on": ["启动日期须在活动期间（2021-06-21至2021-12-31）内，2021-05-01不在其中。"]
    }
    assert not LaunchRecord.objects.exists()
