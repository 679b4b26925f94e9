"""推荐宣传 on the pages (§四(三)): the league lists the league's lecture materials and marks them for
publicity through ``campaign.services.material_set_recommended`` (the API's ``…/recommend/``); the
filters narrow the list, a malformed one is a Chinese error; banners and hospitals cannot mark, and
another league's material is 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from campaign.models import LectureMaterial, LectureSession
from campaign.services import lecture_create, material_upload
from hospitals.models import ChangeRecord, Hospital, User
from tests.campaign.conftest import lecture_data, person
from tests.conftest import Alxa
from tests.factories import HospitalFactory
from tests.samples import PDF, PNG

pytestmark = pytest.mark.django_db
URL = "/publicity/"
WEB = ChangeRecord.Channel.WEB


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _material(lecture: LectureSession, name: str, content: bytes, kind: str) -> LectureMaterial:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return material_upload(
        actor=User.objects.get(username="admin"),
        channel=WEB,
        lecture=lecture,
        kind=kind,
        file=SimpleUploadedFile(name, content),
    )


def _world(alxa: Alxa) -> dict[str, LectureMaterial]:
    zuoqi = lecture_create(actor=alxa.reporter, channel=WEB, data=lecture_data(alxa, title="左旗院内宣讲"))
    central = lecture_create(
        actor=alxa.admin, channel=WEB, data=lecture_data(alxa, "centralised", title="左旗集中宣讲")
    )
    youqi = lecture_create(
        actor=alxa.admin,
        channel=WEB,
        data=lecture_data(
            alxa,
            title="右旗院内宣讲",
            hospital=alxa.h006,
            speaker=person("H006-P01"),
            attendance_expected=265,
            attendance_present=250,
            on_duty_exempt=15,
        ),
    )
    return {
        "courseware": _material(zuoqi, "左旗课件.pdf", PDF, "courseware"),
        "central": _material(central, "集中宣讲现场.png", PNG, "photo"),
        "youqi": _material(youqi, "右旗课件.pdf", PDF, "courseware"),
    }


def test_the_league_marks_a_material_and_returns_to_its_filtered_list(alxa: Alxa) -> None:
    materials = _world(alxa)
    client = _client(alxa.league_reviewer)
    assert f'href="{URL}">推荐宣传</a>' in client.get("/").content.decode()
    page = client.get(URL).content.decode()
    for name in ("左旗课件.pdf", "集中宣讲现场.png", "右旗课件.pdf"):
        assert name in page
    assert "阿拉善左旗卫生健康委" in page  # the 集中宣讲's organiser
    assert 'id="recommended-count">0</strong>' in page
    chosen = materials["courseware"]
    back = f"{URL}?recommended=0"
    response = client.post(f"/materials/{chosen.pk}/recommend/", {"recommended": "1", "next": back})
    assert response.status_code == 302
    assert response.headers["Location"] == back
    chosen.refresh_from_db()
    assert (chosen.recommended_for_publicity, chosen.recommended_by) == (True, alxa.league_reviewer)
    assert chosen.recommended_at is not None
    record = ChangeRecord.objects.get(action="recommend", object_id=str(chosen.pk))
    assert (record.channel, record.actor) == (WEB, alxa.league_reviewer)
    unmarked = client.get(back).content.decode()
    assert "已推荐宣传：左旗课件.pdf。" in unmarked
    assert "左旗课件.pdf" not in unmarked.split("已推荐宣传：左旗课件.pdf。", 1)[1]
    marked = client.get(f"{URL}?recommended=1").content.decode()
    assert "左旗课件.pdf" in marked
    assert "右旗课件.pdf" not in marked
    assert 'id="recommended-count">1</strong>' in marked
    # Taking it back is the same service.
    client.post(f"/materials/{chosen.pk}/recommend/", {"recommended": "0", "next": URL})
    chosen.refresh_from_db()
    assert (chosen.recommended_for_publicity, chosen.recommended_by) == (False, None)
    assert ChangeRecord.objects.filter(action="unrecommend", object_id=str(chosen.pk)).exists()


def test_an_outside_next_is_not_followed(alxa: Alxa) -> None:
    chosen = _world(alxa)["courseware"]
    response = _client(alxa.league_reviewer).post(
        f"/materials/{chosen.pk}/recommend/", {"recommended": "1", "next": "https://evil.example/"}
    )
    assert response.headers["Location"] == f"/lectures/{chosen.lecture_id}/"


@pytest.mark.parametrize("back", ["abc", "-1", "9" * 30, "x" * 5000, "campaign:lecture", "//evil.example/"])
def test_a_next_that_is_not_a_path_goes_back_to_the_lecture(alxa: Alxa, back: str) -> None:
    """Found by the page-form fuzz (issue 13, item 5): a word as `next` was taken for a URL name (500)."""
    chosen = _world(alxa)["courseware"]
    client = _client(alxa.league_reviewer)
    response = client.post(f"/materials/{chosen.pk}/recommend/", {"recommended": "1", "next": back})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/lectures/{chosen.lecture_id}/"
    chosen.refresh_from_db()
    assert chosen.recommended_for_publicity is True
    assert "已推荐宣传：左旗课件.pdf。" in client.get(response.headers["Location"]).content.decode()


def test_the_filters_narrow_the_list_and_a_bad_one_is_a_chinese_error(alxa: Alxa) -> None:
    _world(alxa)
    client = _client(alxa.league_reviewer)
    photos = client.get(f"{URL}?kind=photo").content.decode()
    assert "集中宣讲现场.png" in photos
    assert "左旗课件.pdf" not in photos
    youqi = client.get(f"{URL}?banner={alxa.youqi.pk}").content.decode()
    assert "右旗课件.pdf" in youqi
    assert "左旗课件.pdf" not in youqi
    zuoqi = client.get(f"{URL}?banner={alxa.zuoqi.pk}").content.decode()
    assert "左旗课件.pdf" in zuoqi
    assert "集中宣讲现场.png" in zuoqi  # the banner's own 集中宣讲
    assert "右旗课件.pdf" not in zuoqi
    bad = client.get(f"{URL}?kind=video2&banner=abc")
    assert bad.status_code == 200
    html = bad.content.decode()
    assert "材料类型：选择一个有效的选项。 video2 不在可用的选项中。" in html
    assert "旗(区)：选择一个有效的选项： 该选择不在可用的选项中。" in html
    assert "没有符合条件的材料。" in html  # never a silently wider list


def test_banners_and_hospitals_cannot_mark_and_another_league_is_404(alxa: Alxa) -> None:
    materials = _world(alxa)
    chosen = materials["central"]
    banner = _client(alxa.banner_reviewer)
    assert banner.get(URL).status_code == 403
    refused = banner.post(f"/materials/{chosen.pk}/recommend/", {"recommended": "1"}, follow=True)
    assert "只有盟审核员可以标记“推荐宣传”。" in refused.content.decode()
    reporter = _client(alxa.reporter)
    assert reporter.get(URL).status_code == 403
    assert "推荐宣传</a>" not in reporter.get("/").content.decode()
    own = materials["courseware"]
    refused = reporter.post(f"/materials/{own.pk}/recommend/", {"recommended": "1"}, follow=True)
    assert "只有盟审核员可以标记“推荐宣传”。" in refused.content.decode()
    elsewhere: Hospital = HospitalFactory.create()
    lecture = LectureSession.objects.get(title="右旗院内宣讲")
    LectureSession.objects.filter(pk=lecture.pk).update(hospital=elsewhere)
    league = _client(alxa.league_reviewer)
    theirs = materials["youqi"]
    assert league.post(f"/materials/{theirs.pk}/recommend/", {"recommended": "1"}).status_code == 404
    assert "右旗课件.pdf" not in league.get(URL).content.decode()
    assert not LectureMaterial.objects.filter(recommended_for_publicity=True).exists()
    assert dt.date(2021, 7, 10) == lecture.held_on


def _queries(client: Client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # session and content types warm
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_list_does_not_grow_queries_with_materials(alxa: Alxa) -> None:
    materials = _world(alxa)
    client = _client(alxa.league_reviewer)
    few = _queries(client, URL)
    for lecture in {m.lecture for m in materials.values()}:
        _material(lecture, "补充照片.png", PNG, "photo")
        _material(lecture, "补充课件.pdf", PDF, "courseware")
    assert LectureMaterial.objects.count() == 9
    assert _queries(client, URL) == few
