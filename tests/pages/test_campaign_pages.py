"""讲 and 见 pages with the Django test client: writes go through the services, refusals land on the
form, and another hospital's pages are 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

import lxml.html
import pytest
from django.test import Client

from campaign.models import ActionItem, KeyDocument, Layer, LectureMaterial, LectureSession, ProgressStatus
from campaign.services import RoadmapStepData, action_item_create, lecture_create
from hospitals.models import ChangeRecord, User
from tests.campaign.conftest import hospital, kind, lecture_data, person, task, upload
from tests.conftest import Alxa
from tests.form_errors import field_errors
from tests.samples import EXE, PDF

pytestmark = pytest.mark.django_db
WEB = ChangeRecord.Channel.WEB


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _lecture_post(alxa: Alxa, kind_code: str = "in_hospital", **overrides: Any) -> dict[str, Any]:
    data = {
        "kind": kind(alxa, kind_code).pk,
        "held_on": "2021-07-10",
        "title": "推动公立医院高质量发展",
        "speaker": person("H004-P01").pk,
        "attendance_expected": "400",
        "attendance_present": "380",
        "on_duty_exempt": "20",
    }
    data.update(overrides)
    return data


def test_reporter_logs_a_lecture(alxa: Alxa) -> None:
    client = _client(alxa.reporter)
    assert client.get(f"/hospitals/{alxa.h004.pk}/lectures/new/").status_code == 200
    response = client.post(f"/hospitals/{alxa.h004.pk}/lectures/new/", _lecture_post(alxa))
    lecture = LectureSession.objects.get()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/lectures/{lecture.pk}/"
    assert lecture.hospital == alxa.h004
    assert lecture.speaker_role == "secretary"
    record = ChangeRecord.objects.get(action="create", object_id=str(lecture.pk))
    assert record.channel == WEB
    assert record.actor == alxa.reporter
    listing = client.get(f"/hospitals/{alxa.h004.pk}/lectures/").content.decode()
    assert "推动公立医院高质量发展" in listing


def test_party_history_at_another_hospital_is_refused_on_the_form(alxa: Alxa) -> None:
    client = _client(alxa.reporter)
    post = _lecture_post(alxa, "exchange", host_hospital=hospital("H005").pk, party_history="on")
    response = client.post(f"/hospitals/{alxa.h004.pk}/lectures/new/", post)
    assert response.status_code == 200
    html = response.content.decode()
    (message,) = field_errors(html, "party_history")  # beside the box it concerns (issue 13 point 7)
    assert message.startswith("党史宣讲仅在本医院宣讲")
    assert LectureSession.objects.count() == 0


def test_present_above_expected_is_refused_on_the_form(alxa: Alxa) -> None:
    post = _lecture_post(alxa, attendance_expected="10", attendance_present="12", on_duty_exempt="0")
    html = _client(alxa.reporter).post(f"/hospitals/{alxa.h004.pk}/lectures/new/", post).content.decode()
    assert "实到人数（12）不能超过应到人数（10）" in html
    assert LectureSession.objects.count() == 0


def test_supervising_officials_are_chosen_among_commission_people_and_shown_in_the_ledger(alxa: Alxa) -> None:
    """Issue 15, §四(一): the form offers the commissions' people; one who did not hold the post on the
    lecture's date is refused beside the field, a hospital's own people are not offered at all; the
    ledger and the lecture's page name the officials."""
    from hospitals.models import Post

    client = _client(alxa.reporter)
    url = f"/hospitals/{alxa.h004.pk}/lectures/new/"
    form_html = client.get(url).content.decode()
    head, deputy, dept_head = person("B152921-P01"), person("B152921-P02"), person("H004-P03")
    offered = lxml.html.fromstring(form_html).xpath('//*[@id="field-supervising_officials"]//input/@value')
    assert str(head.pk) in offered
    assert str(dept_head.pk) not in offered
    assert str(person("B152922-P01").pk) not in offered  # 右旗's head: another banner's commission
    (message,) = field_errors(
        client.post(url, _lecture_post(alxa, supervising_officials=[dept_head.pk])).content.decode(),
        "supervising_officials",
    )
    assert message.startswith("选择一个有效的选项")
    Post.objects.filter(person=deputy).update(end_on=dt.date(2021, 7, 1))
    (message,) = field_errors(
        client.post(url, _lecture_post(alxa, supervising_officials=[deputy.pk])).content.decode(),
        "supervising_officials",
    )
    assert message.startswith("出席指导的卫生健康委领导须为本旗(区)、盟或自治区卫生健康委")
    assert LectureSession.objects.count() == 0
    response = client.post(url, _lecture_post(alxa, supervising_officials=[head.pk]))
    assert response.status_code == 302
    lecture = LectureSession.objects.get()
    assert list(lecture.supervising_officials.all()) == [head]
    listing = client.get(f"/hospitals/{alxa.h004.pk}/lectures/").content.decode()
    assert f'<td class="officials">{head.name}</td>' in listing
    detail = client.get(f"/lectures/{lecture.pk}/").content.decode()
    assert f'id="lecture-officials">{head.name}（{head.title}）</dd>' in detail


def test_coverage_grid_is_saved(alxa: Alxa) -> None:
    client = _client(alxa.reporter)
    form_html = client.get(f"/hospitals/{alxa.h004.pk}/lectures/new/").content.decode()
    assert "讲授" in form_html
    assert "讲述" in form_html
    doc = KeyDocument.objects.get(campaign=alxa.campaign, number=1)
    layer = Layer.objects.get(campaign=alxa.campaign, order=1)
    client.post(
        f"/hospitals/{alxa.h004.pk}/lectures/new/", _lecture_post(alxa, coverage=[f"{doc.pk}:{layer.pk}"])
    )
    lecture = LectureSession.objects.get()
    assert [(c.document_id, c.layer_id) for c in lecture.coverage.all()] == [(doc.pk, layer.pk)]


def test_materials_are_uploaded_and_checked_by_their_bytes(alxa: Alxa) -> None:
    lecture = lecture_create(actor=alxa.reporter, channel=WEB, data=lecture_data(alxa))
    client = _client(alxa.reporter)
    ok = client.post(
        f"/lectures/{lecture.pk}/", {"kind": "courseware", "title": "课件", "file": upload("课件.pdf", PDF)}
    )
    assert ok.status_code == 302
    material = LectureMaterial.objects.get()
    assert material.content_type == "application/pdf"
    download = client.get(f"/materials/{material.pk}/download/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    bad = client.post(f"/lectures/{lecture.pk}/", {"kind": "courseware", "file": upload("slides.pdf", EXE)})
    assert bad.status_code == 200
    assert 'class="form-errors"' in bad.content.decode() or "errorlist" in bad.content.decode()
    assert LectureMaterial.objects.count() == 1


def test_another_hospitals_lecture_pages_are_404(alxa: Alxa) -> None:
    lecture = lecture_create(
        actor=alxa.admin,
        channel=WEB,
        data=lecture_data(alxa, hospital=alxa.h006, speaker=person("H006-P01")),
    )
    client = _client(alxa.reporter)
    assert client.get(f"/lectures/{lecture.pk}/").status_code == 404
    assert client.get(f"/hospitals/{alxa.h006.pk}/lectures/").status_code == 404
    assert client.get(f"/hospitals/{alxa.h006.pk}/lectures/new/").status_code == 404
    assert client.post(f"/hospitals/{alxa.h006.pk}/lectures/new/", _lecture_post(alxa)).status_code == 404
    assert client.get(f"/hospitals/{alxa.h006.pk}/actions/").status_code == 404
    # The banner reviewer of 右旗 sees it; the one of 左旗 does not.
    assert _client(alxa.banner_reviewer).get(f"/lectures/{lecture.pk}/").status_code == 404
    assert _client(alxa.league_reviewer).get(f"/lectures/{lecture.pk}/").status_code == 200


def _item(alxa: Alxa) -> ActionItem:
    from campaign.services import ActionItemData

    return action_item_create(
        actor=alxa.reporter,
        channel=WEB,
        data=ActionItemData(
            hospital=alxa.h004,
            task=task(alxa, "A2.1"),
            title="编制医院十四五发展规划",
            responsible=person("H004-P02"),
            starts_on=dt.date(2021, 7, 1),
            due_on=dt.date(2021, 10, 31),
            roadmap=(RoadmapStepData(title="形成规划初稿", due_on=dt.date(2021, 8, 31)),),
        ),
    )


def test_action_plan_lists_tasks_and_adds_an_item(alxa: Alxa) -> None:
    client = _client(alxa.reporter)
    html = client.get(f"/hospitals/{alxa.h004.pk}/actions/").content.decode()
    assert "A1.1" in html
    assert "尚未制定行动项" in html
    response = client.post(
        f"/hospitals/{alxa.h004.pk}/actions/",
        {
            "task": task(alxa, "A2.1").pk,
            "title": "编制医院十四五发展规划",
            "responsible": person("H004-P02").pk,
            "starts_on": "2021-07-01",
            "due_on": "2021-10-31",
            "roadmap": "2021-08-31 形成规划初稿\n2021-10-15 院长办公会审议",
        },
    )
    item = ActionItem.objects.get()
    assert list(item.roadmap.values_list("due_on", "title")) == [
        (dt.date(2021, 8, 31), "形成规划初稿"),
        (dt.date(2021, 10, 15), "院长办公会审议"),
    ]
    assert response.headers["Location"] == f"/actions/{item.pk}/"


def test_action_item_dates_out_of_order_are_refused_on_the_form(alxa: Alxa) -> None:
    response = _client(alxa.reporter).post(
        f"/hospitals/{alxa.h004.pk}/actions/",
        {
            "task": task(alxa, "A2.1").pk,
            "title": "编制规划",
            "responsible": person("H004-P02").pk,
            "starts_on": "2021-09-01",
            "due_on": "2021-08-01",
        },
    )
    assert "完成时限不能早于开始日期" in response.content.decode()
    assert ActionItem.objects.count() == 0


def test_progress_is_recorded_with_evidence(alxa: Alxa) -> None:
    item = _item(alxa)
    client = _client(alxa.reporter)
    response = client.post(
        f"/actions/{item.pk}/",
        {
            "progress-month": "2021-08",
            "progress-status": "on_track",
            "progress-note": "规划初稿完成",
            "progress-evidence": [upload("初稿.pdf", PDF)],
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.current_status == ProgressStatus.ON_TRACK
    entry = item.progress.get()
    assert entry.month == dt.date(2021, 8, 1)
    assert entry.evidence.count() == 1
    refused = client.post(
        f"/actions/{item.pk}/", {"progress-month": "2021-06", "progress-status": "on_track"}
    )
    assert "早于行动项开始日期" in refused.content.decode()


def test_roadmap_step_outside_the_item_dates_is_refused(alxa: Alxa) -> None:
    item = _item(alxa)
    client = _client(alxa.reporter)
    ok = client.post(f"/actions/{item.pk}/", {"roadmap-title": "征求意见", "roadmap-due_on": "2021-08-15"})
    assert ok.status_code == 302
    bad = client.post(f"/actions/{item.pk}/", {"roadmap-title": "印发", "roadmap-due_on": "2021-12-15"})
    assert "路线图节点日期须在行动项的开始日期" in bad.content.decode()
    assert item.roadmap.count() == 2  # the step it was created with, and 征求意见


def test_hospital_overview_shows_milestone_status(alxa: Alxa) -> None:
    lecture_create(actor=alxa.reporter, channel=WEB, data=lecture_data(alxa))
    html = _client(alxa.reporter).get(f"/hospitals/{alxa.h004.pk}/").content.decode()
    assert "党组织书记和院长每人分别至少在全院宣讲一次" in html
    assert "未完成" in html  # the president has not lectured yet: 07-31 passed long ago
