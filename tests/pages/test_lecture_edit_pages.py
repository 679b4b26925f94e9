"""Editing and deleting lectures and materials on the pages: the same services as the API, the lock's
refusal shown in Chinese, the history visible, and another hospital's lecture 404."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from campaign.models import LectureMaterial, LectureSession
from campaign.services import lecture_create, material_upload
from hospitals.models import ChangeRecord, User
from tests.campaign.conftest import hospital, kind, lecture_data, person, upload
from tests.conftest import Alxa
from tests.reporting.conftest import SetClock, make_report
from tests.samples import PDF

pytestmark = pytest.mark.django_db
WEB = ChangeRecord.Channel.WEB


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _lecture(alxa: Alxa, **overrides: Any) -> LectureSession:
    return lecture_create(actor=alxa.reporter, channel=WEB, data=lecture_data(alxa, **overrides))


def _post(alxa: Alxa, **overrides: Any) -> dict[str, Any]:
    data = {
        "kind": kind(alxa, "in_hospital").pk,
        "held_on": "2021-07-10",
        "title": "推动公立医院高质量发展（修订）",
        "speaker": person("H004-P01").pk,
        "attendance_expected": "400",
        "attendance_present": "390",
        "on_duty_exempt": "10",
    }
    data.update(overrides)
    return data


def test_edit_form_starts_from_the_lecture_and_saves_through_the_service(alxa: Alxa) -> None:
    lecture = _lecture(alxa)
    client = _client(alxa.reporter)
    page = client.get(f"/lectures/{lecture.pk}/edit/").content.decode()
    assert "修改宣讲" in page
    assert f'value="{lecture.title}"' in page
    assert f'type="date" name="held_on" value="{lecture.held_on:%Y-%m-%d}"' in page  # ISO for the picker
    response = client.post(f"/lectures/{lecture.pk}/edit/", _post(alxa))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/lectures/{lecture.pk}/"
    lecture.refresh_from_db()
    assert (lecture.title, lecture.attendance_present, lecture.on_duty_exempt) == (
        "推动公立医院高质量发展（修订）",
        390,
        10,
    )
    record = ChangeRecord.objects.get(action="update", object_id=str(lecture.pk))
    assert record.channel == WEB
    assert record.changes["attendance_present"] == [lecture_data(alxa).attendance_present, 390]
    detail = client.get(f"/lectures/{lecture.pk}/").content.decode()
    assert 'id="history"' in detail
    assert "修改宣讲" in detail  # the history line: who 修改 what
    assert "实到人数" in detail  # the field by its Chinese name, old → new


def test_edit_refusal_is_on_the_form_and_nothing_changes(alxa: Alxa) -> None:
    lecture = _lecture(alxa)
    response = _client(alxa.reporter).post(
        f"/lectures/{lecture.pk}/edit/",
        _post(alxa, attendance_expected="10", attendance_present="12", on_duty_exempt="0"),
    )
    assert response.status_code == 200
    assert "实到人数（12）不能超过应到人数（10）" in response.content.decode()
    lecture.refresh_from_db()
    assert lecture.title == lecture_data(alxa).title
    assert not ChangeRecord.objects.filter(action="update").exists()


def test_edit_form_errors_are_chinese(alxa: Alxa) -> None:
    lecture = _lecture(alxa)
    response = _client(alxa.reporter).post(
        f"/lectures/{lecture.pk}/edit/", _post(alxa, held_on="10/07/2021", title="")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "该字段是必填项。" in html
    assert "输入一个有效的日期。" in html


def test_delete_keeps_the_history_and_lists_the_deletion(alxa: Alxa) -> None:
    lecture = _lecture(alxa)
    material_upload(
        actor=alxa.reporter, channel=WEB, lecture=lecture, kind="courseware", file=upload("课件.pdf", PDF)
    )
    client = _client(alxa.reporter)
    response = client.post(f"/lectures/{lecture.pk}/delete/", {"reason": "重复登记"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/hospitals/{alxa.h004.pk}/lectures/"
    assert not LectureSession.objects.exists()
    assert not LectureMaterial.objects.exists()
    record = ChangeRecord.objects.get(action="delete", object_id=str(lecture.pk))
    assert (record.reason, record.actor) == ("重复登记", alxa.reporter)
    listing = client.get(response.headers["Location"]).content.decode()
    assert 'id="lectures-deleted"' in listing
    assert "重复登记" in listing
    assert lecture.title in listing


def test_delete_and_edit_in_a_locked_month_are_refused_in_chinese(alxa: Alxa, set_clock: SetClock) -> None:
    lecture = _lecture(alxa)
    material = material_upload(
        actor=alxa.reporter, channel=WEB, lecture=lecture, kind="courseware", file=upload("课件.pdf", PDF)
    )
    make_report(alxa, state="approved")  # July's report approved: the month is frozen
    client = _client(alxa.reporter)
    response = client.post(f"/lectures/{lecture.pk}/delete/", {"reason": "重复登记"}, follow=True)
    html = response.content.decode()
    assert "未删除：2021年07月的月度自查报告" in html
    assert LectureSession.objects.filter(pk=lecture.pk).exists()
    edit = client.post(f"/lectures/{lecture.pk}/edit/", _post(alxa)).content.decode()
    assert "2021年07月的月度自查报告" in edit
    client.post(f"/materials/{material.pk}/delete/", follow=True)
    assert LectureMaterial.objects.filter(pk=material.pk).exists()
    assert not ChangeRecord.objects.filter(action="delete").exists()


def test_material_delete_shows_in_the_lecture_history(alxa: Alxa) -> None:
    lecture = _lecture(alxa)
    material = material_upload(
        actor=alxa.reporter, channel=WEB, lecture=lecture, kind="courseware", file=upload("课件.pdf", PDF)
    )
    client = _client(alxa.reporter)
    response = client.post(f"/materials/{material.pk}/delete/", {"reason": "传错文件"}, follow=True)
    html = response.content.decode()
    assert "已删除材料：课件.pdf" in html
    assert not LectureMaterial.objects.exists()
    history = html.split('id="history"')[1]
    assert "删除材料" in history
    assert "传错文件" in history
    assert "新增材料" in history


def test_another_hospitals_lecture_cannot_be_edited_or_deleted(alxa: Alxa) -> None:
    other = lecture_create(
        actor=alxa.admin,
        channel=WEB,
        data=lecture_data(alxa, hospital=hospital("H006"), speaker=person("H006-P01")),
    )
    material = material_upload(
        actor=alxa.admin, channel=WEB, lecture=other, kind="courseware", file=upload("课件.pdf", PDF)
    )
    client = _client(alxa.reporter)
    assert client.get(f"/lectures/{other.pk}/edit/").status_code == 404
    assert client.post(f"/lectures/{other.pk}/edit/", _post(alxa)).status_code == 404
    assert client.post(f"/lectures/{other.pk}/delete/").status_code == 404
    assert client.post(f"/materials/{material.pk}/delete/").status_code == 404
    assert LectureSession.objects.filter(pk=other.pk).exists()
    assert LectureMaterial.objects.filter(pk=material.pk).exists()


def test_reviewer_is_not_shown_the_edit_buttons(alxa: Alxa) -> None:
    lecture = _lecture(alxa)
    html = _client(alxa.banner_reviewer).get(f"/lectures/{lecture.pk}/").content.decode()
    assert 'id="lecture-edit"' not in html
    assert 'id="lecture-delete-form"' not in html
    assert 'id="lecture-edit"' in _client(alxa.reporter).get(f"/lectures/{lecture.pk}/").content.decode()
