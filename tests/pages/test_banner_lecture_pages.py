"""A banner's 集中宣讲 on the pages: its reviewer records, edits and deletes them and uploads their
materials through the same services as the API; another banner's lecture is 404, a league reviewer
reads them, a hospital's user is refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from campaign.models import LectureMaterial, LectureSession
from campaign.services import lecture_create
from hospitals.models import ChangeRecord, Person, User
from tests.campaign.conftest import kind, lecture_data, person, upload
from tests.conftest import Alxa
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


def _post(alxa: Alxa, **overrides: Any) -> dict[str, Any]:
    data = {
        "kind": kind(alxa, "centralised").pk,
        "held_on": "2021-06-28",
        "title": "公立医院高质量发展集中宣讲",
        "speaker": person("B152921-P01").pk,
        "attendance_expected": "40",
        "attendance_present": "38",
        "on_duty_exempt": "2",
    }
    data.update(overrides)
    return data


def _central(alxa: Alxa, unit: Any = None, **overrides: Any) -> LectureSession:
    values: dict[str, Any] = {"title": "医改政策集中宣讲", **overrides}
    if unit is not None and unit != alxa.zuoqi:
        values.update(org_unit=unit, speaker=person(f"B{unit.code}-P01"))
    return lecture_create(actor=alxa.admin, channel=WEB, data=lecture_data(alxa, "centralised", **values))


def test_the_banner_reviewer_records_a_central_lecture_from_its_list(alxa: Alxa) -> None:
    client = _client(alxa.banner_reviewer)
    listing = client.get(f"/banners/{alxa.zuoqi.pk}/lectures/").content.decode()
    new_url = f"/banners/{alxa.zuoqi.pk}/lectures/new/"
    assert f'href="{new_url}"' in listing
    form = client.get(new_url).content.decode()
    # Only the banner's kind and its own commission's people are offered.
    assert "集中宣讲</option>" in form
    assert "院内宣讲" not in form
    assert "杜国庆" in form
    assert "戴淑芬" in form
    assert "夏志刚" not in form  # 右旗's head
    assert 'name="host_hospital"' not in form
    assert 'name="department"' not in form
    response = client.post(new_url, _post(alxa))
    assert response.status_code == 302
    lecture = LectureSession.objects.get()
    assert response.headers["Location"] == f"/lectures/{lecture.pk}/"
    assert (lecture.org_unit, lecture.hospital) == (alxa.zuoqi, None)
    assert lecture.title == "公立医院高质量发展集中宣讲"
    assert (lecture.held_on, lecture.speaker_role) == (dt.date(2021, 6, 28), "commission_head")
    assert (lecture.attendance_expected, lecture.attendance_present) == (40, 38)
    record = ChangeRecord.objects.get(action="create", object_id=str(lecture.pk))
    assert (record.channel, record.actor) == (WEB, alxa.banner_reviewer)
    detail = client.get(response.headers["Location"]).content.decode()
    assert f'href="/banner-lectures/{lecture.pk}/edit/"' in detail
    assert f'action="/banner-lectures/{lecture.pk}/delete/"' in detail
    assert f'href="/banners/{alxa.zuoqi.pk}/lectures/">阿拉善左旗 · 集中宣讲</a>' in detail


def test_bad_input_gets_chinese_errors_beside_the_fields_and_nothing_is_written(alxa: Alxa) -> None:
    client = _client(alxa.banner_reviewer)
    url = f"/banners/{alxa.zuoqi.pk}/lectures/new/"
    html = client.post(url, _post(alxa, title="  ", held_on="28/06/2021", speaker="999999")).content.decode()
    assert "该字段是必填项。" in html
    assert "输入一个有效的日期。" in html
    assert "选择一个有效的选项： 该选择不在可用的选项中。" in html
    html = client.post(url, _post(alxa, attendance_expected="10", attendance_present="12")).content.decode()
    assert "实到人数（12）不能超过应到人数（10）。" in html
    html = client.post(url, _post(alxa, held_on="2021-05-01")).content.decode()
    assert "宣讲日期须在活动期间（2021-06-21至2021-12-31）内，2021-05-01不在其中。" in html
    # A commission person of the banner without a post on that day may not give it.
    Person.objects.create(code="B152921-P09", name="王科员", org_unit=alxa.zuoqi)
    html = client.post(url, _post(alxa, speaker=person("B152921-P09").pk)).content.decode()
    assert "集中宣讲须由旗(区)卫生健康委主要负责人或分管领导宣讲；王科员在2021-06-28不担任" in html
    assert not LectureSession.objects.exists()
    assert not ChangeRecord.objects.filter(action="create").exists()


def test_edit_starts_from_the_lecture_and_saves_with_history(alxa: Alxa) -> None:
    lecture = _central(alxa)
    client = _client(alxa.banner_reviewer)
    url = f"/banner-lectures/{lecture.pk}/edit/"
    page = client.get(url).content.decode()
    assert "修改集中宣讲" in page
    assert 'value="医改政策集中宣讲"' in page
    assert f'type="date" name="held_on" value="{lecture.held_on:%Y-%m-%d}"' in page
    deputy = person("B152921-P02").pk
    response = client.post(url, _post(alxa, title="医改政策集中宣讲（第二场）", speaker=deputy))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/lectures/{lecture.pk}/"
    lecture.refresh_from_db()
    assert (lecture.title, lecture.speaker.code, lecture.speaker_role) == (
        "医改政策集中宣讲（第二场）",
        "B152921-P02",
        "commission_deputy",
    )
    record = ChangeRecord.objects.get(action="update", object_id=str(lecture.pk))
    assert record.changes["title"] == ["医改政策集中宣讲", "医改政策集中宣讲（第二场）"]
    assert "宣讲题目" in client.get(f"/lectures/{lecture.pk}/").content.decode()  # the history line
    refused = client.post(url, _post(alxa, attendance_expected="-1")).content.decode()
    assert "应到人数不能为负数。" in refused
    lecture.refresh_from_db()
    assert lecture.attendance_expected == 40


def test_materials_are_uploaded_and_deleted_on_the_lecture_page(alxa: Alxa) -> None:
    lecture = _central(alxa)
    client = _client(alxa.banner_reviewer)
    courseware = {"kind": "courseware", "title": "集中课件", "file": upload("课件.pdf", PDF)}
    response = client.post(f"/lectures/{lecture.pk}/", courseware)
    assert response.status_code == 302
    material = LectureMaterial.objects.get()
    assert (material.lecture, material.original_name, material.uploaded_by) == (
        lecture,
        "课件.pdf",
        alxa.banner_reviewer,
    )
    listing = client.get(f"/banners/{alxa.zuoqi.pk}/lectures/").content.decode()
    assert "课件：集中课件" in listing
    bad = client.post(
        f"/lectures/{lecture.pk}/", {"kind": "courseware", "file": upload("课件.pdf", b"<html>x</html>")}
    ).content.decode()
    assert "文件" in bad
    assert 'class="errorlist"' in bad
    assert LectureMaterial.objects.count() == 1
    detail = client.get(f"/lectures/{lecture.pk}/").content.decode()
    assert f'action="/materials/{material.pk}/delete/"' in detail
    response = client.post(f"/materials/{material.pk}/delete/", {"reason": "传错了"})
    assert response.headers["Location"] == f"/lectures/{lecture.pk}/"
    assert not LectureMaterial.objects.exists()


def test_delete_keeps_the_history_and_returns_to_the_list(alxa: Alxa) -> None:
    lecture = _central(alxa)
    client = _client(alxa.banner_reviewer)
    response = client.post(f"/banner-lectures/{lecture.pk}/delete/", {"reason": "重复登记"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/banners/{alxa.zuoqi.pk}/lectures/"
    assert not LectureSession.objects.exists()
    record = ChangeRecord.objects.get(action="delete", object_id=str(lecture.pk))
    assert (record.reason, record.actor) == ("重复登记", alxa.banner_reviewer)
    assert "尚未登记集中宣讲。" in client.get(response.headers["Location"]).content.decode()


def test_another_banners_lecture_is_404_and_unchanged(alxa: Alxa) -> None:
    theirs = _central(alxa, alxa.youqi, title="右旗集中宣讲")
    client = _client(alxa.banner_reviewer)
    assert client.get(f"/banners/{alxa.youqi.pk}/lectures/new/").status_code == 404
    assert client.post(f"/banners/{alxa.youqi.pk}/lectures/new/", _post(alxa)).status_code == 404
    assert client.get(f"/banner-lectures/{theirs.pk}/edit/").status_code == 404
    assert client.post(f"/banner-lectures/{theirs.pk}/edit/", _post(alxa)).status_code == 404
    assert client.post(f"/banner-lectures/{theirs.pk}/delete/").status_code == 404
    assert client.get(f"/lectures/{theirs.pk}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.title == "右旗集中宣讲"
    assert not LectureSession.objects.filter(org_unit=alxa.zuoqi).exists()
    # A hospital's lecture is not edited through the banner's pages.
    hospital_lecture = lecture_create(actor=alxa.reporter, channel=WEB, data=lecture_data(alxa))
    assert client.get(f"/banner-lectures/{hospital_lecture.pk}/edit/").status_code == 404


def test_the_league_reads_and_hospitals_are_refused(alxa: Alxa) -> None:
    lecture = _central(alxa)
    league = _client(alxa.league_reviewer)
    listing = league.get(f"/banners/{alxa.zuoqi.pk}/lectures/")
    assert listing.status_code == 200
    assert "医改政策集中宣讲" in listing.content.decode()
    assert "登记集中宣讲</a>" not in listing.content.decode()
    assert 'id="lecture-edit"' not in league.get(f"/lectures/{lecture.pk}/").content.decode()
    assert league.get(f"/banners/{alxa.zuoqi.pk}/lectures/new/").status_code == 403
    assert league.post(f"/banner-lectures/{lecture.pk}/delete/").status_code == 403
    reporter = _client(alxa.reporter)
    for url in (
        f"/banners/{alxa.zuoqi.pk}/lectures/",
        f"/banners/{alxa.zuoqi.pk}/lectures/new/",
        f"/banner-lectures/{lecture.pk}/edit/",
    ):
        assert reporter.get(url).status_code == 403
    assert reporter.post(f"/banners/{alxa.zuoqi.pk}/lectures/new/", _post(alxa)).status_code == 403
    assert reporter.post(f"/banner-lectures/{lecture.pk}/delete/").status_code == 403
    assert LectureSession.objects.count() == 1


def test_the_list_does_not_grow_queries_with_lectures(alxa: Alxa) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client(alxa.banner_reviewer)
    url = f"/banners/{alxa.zuoqi.pk}/lectures/"

    def count() -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        return len(captured)

    _central(alxa)
    one = count()
    for n in range(3):
        lecture = _central(alxa, title=f"第{n + 2}场集中宣讲")
        client.post(f"/lectures/{lecture.pk}/", {"kind": "courseware", "file": upload("课件.pdf", PDF)})
    assert LectureMaterial.objects.count() == 3
    assert count() == one
