"""/api/v1/ for lectures and materials: scope per role, rules as 400s, files, filters, query counts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from campaign.models import LectureCoverage, LectureMaterial, LectureSession, SpeakerRole
from campaign.services import lecture_create, material_upload, tour_lecturer_select
from hospitals.models import ChangeRecord, User
from tests.api.openapi import assert_documented
from tests.campaign.conftest import kind, lecture_data, person, upload
from tests.conftest import Alxa, client_for
from tests.reporting.conftest import SetClock
from tests.samples import EXE, PDF

pytestmark = pytest.mark.django_db
D = dt.date


def payload(alxa: Alxa, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": kind(alxa, "in_hospital").pk,
        "hospital": alxa.h004.pk,
        "held_on": "2021-07-10",
        "title": "学习《关于推动公立医院高质量发展的意见》",
        "speaker": person("H004-P01").pk,
        "attendance_expected": 400,
        "attendance_present": 380,
        "on_duty_exempt": 20,
        "coverage": [{"document": d.pk, "layer": layer.pk} for d, layer in _first_document(alxa)],
    }
    body.update(overrides)
    return body


def centralised_payload(alxa: Alxa) -> dict[str, Any]:
    """左旗's 集中宣讲 by its commission head (a banner reviewer's lecture, not a hospital's)."""
    return payload(
        alxa,
        kind=kind(alxa, "centralised").pk,
        hospital=None,
        org_unit=alxa.zuoqi.pk,
        speaker=person("B152921-P01").pk,
        held_on="2021-06-28",
    )


def _first_document(alxa: Alxa) -> list[Any]:
    document = alxa.campaign.key_documents.get(number=1)
    return [(document, layer) for layer in alxa.campaign.layers.all()]


@pytest.fixture
def h006_lecture(alxa: Alxa) -> LectureSession:
    return lecture_create(
        actor=alxa.admin,
        channel="api",
        data=lecture_data(alxa, hospital=alxa.h006, speaker=person("H006-P01")),
    )


def test_reporter_creates_a_lecture_and_reads_it_back(alxa: Alxa) -> None:
    response = client_for(alxa.reporter).post("/api/v1/lectures/", payload(alxa), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["speaker_role"] == SpeakerRole.SECRETARY
    assert body["speaker_role_display"] == "党委书记"
    assert body["campaign"] == alxa.campaign.pk
    assert body["banner"] == alxa.zuoqi.pk
    assert len(body["coverage"]) == 4
    assert body["attendance_rate"] == 1.0
    record = ChangeRecord.objects.get(object_id=str(body["id"]), action="create")
    assert record.channel == "api"


def test_a_refused_rule_is_a_400_with_the_rule_and_nothing_written(alxa: Alxa) -> None:
    body = payload(
        alxa,
        kind=kind(alxa, "exchange").pk,
        host_hospital=alxa.h001.pk,
        party_history=True,
        held_on="2021-08-10",
    )
    response = client_for(alxa.reporter).post("/api/v1/lectures/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "party_history_outside_own_hospital"
    assert response.json()["message"].startswith("党史宣讲仅在本医院宣讲")
    assert not LectureSession.objects.exists()


def test_an_offline_region_tour_is_a_400(alxa: Alxa, set_clock: SetClock) -> None:
    set_clock("2021-08-25 10:00")  # after the tour (a lecture is not dated after today), before 08-31
    tour_lecturer_select(
        actor=alxa.league_reviewer, channel="api", campaign=alxa.campaign, person=person("H004-P01"),
        selected_on=D(2021, 8, 1),
    )  # fmt: skip
    client = client_for(alxa.reporter)
    body = payload(alxa, kind=kind(alxa, "region_tour").pk, held_on="2021-08-20")
    response = client.post("/api/v1/lectures/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "online_required"
    assert (
        response.json()["message"]
        == "全区巡讲须同时采取线上宣讲（通知四(三)），请勾选线上宣讲并填写线上链接。"
    )
    assert not LectureSession.objects.exists()
    online = {**body, "is_online": True, "online_link": "https://live.example.cn/tour/2"}
    assert client.post("/api/v1/lectures/", online, format="json").status_code == 201


def test_a_hospital_wide_lecture_with_5_of_460_expected_is_a_400(alxa: Alxa) -> None:
    body = payload(alxa, attendance_expected=5, attendance_present=5, on_duty_exempt=0)
    response = client_for(alxa.reporter).post("/api/v1/lectures/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "attendance_below_staff"
    assert (
        "应到人数（5）不能少于阿拉善左旗人民医院在职职工数（460）的85%（391人）" in response.json()["message"]
    )
    over = payload(alxa, attendance_expected=100, attendance_present=100, on_duty_exempt=50)
    response = client_for(alxa.reporter).post("/api/v1/lectures/", over, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "attendance_exceeds_expected"
    assert response.json()["message"] == "实到人数（100）与正常值班人数（50）之和不能超过应到人数（100）。"
    assert not LectureSession.objects.exists()


def test_a_department_head_as_supervising_official_is_a_400_naming_the_field(alxa: Alxa) -> None:
    """Issue 15, §四(一): before, anyone could be recorded as the supervising official."""
    client = client_for(alxa.reporter)
    body = payload(alxa, supervising_officials=[person("H004-P03").pk])
    response = client.post("/api/v1/lectures/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "official_not_commission"
    assert list(response.json()["errors"]) == ["supervising_officials"]
    assert (
        "出席指导的卫生健康委领导须为本旗(区)、盟或自治区卫生健康委主要负责人或分管领导"
        in response.json()["message"]
    )
    assert not LectureSession.objects.exists()
    ok = client.post(
        "/api/v1/lectures/", payload(alxa, supervising_officials=[person("B152921-P01").pk]), format="json"
    )
    assert ok.status_code == 201
    assert ok.json()["supervising_officials"] == [person("B152921-P01").pk]


def test_negative_attendance_gets_the_rule_message_not_a_generic_one(alxa: Alxa) -> None:
    response = client_for(alxa.reporter).post(
        "/api/v1/lectures/", payload(alxa, attendance_present=-3), format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "attendance_negative",
        "message": "实到人数不能为负数。",
        "errors": {"attendance_present": ["实到人数不能为负数。"]},
    }


def test_patch_goes_through_the_same_rules(alxa: Alxa) -> None:
    client = client_for(alxa.reporter)
    lecture_id = client.post("/api/v1/lectures/", payload(alxa), format="json").json()["id"]
    too_many = client.patch(f"/api/v1/lectures/{lecture_id}/", {"attendance_present": 401}, format="json")
    assert too_many.json()["code"] == "attendance_exceeds_expected"
    ok = client.patch(f"/api/v1/lectures/{lecture_id}/", {"attendance_present": 379}, format="json")
    assert ok.status_code == 200
    assert ok.json()["attendance_present"] == 379
    assert ChangeRecord.objects.get(object_id=str(lecture_id), action="update").changes == {
        "attendance_present": [380, 379]
    }


def test_the_organisation_a_lecture_does_not_name_is_null_in_every_answer(alxa: Alxa) -> None:
    """Found by schemathesis: ``org_unit_name`` was null against a documented string, and a PATCH answer
    left it out (a field's default is skipped on partial updates)."""
    client = client_for(alxa.reporter)
    created = client.post("/api/v1/lectures/", payload(alxa), format="json")
    assert (created.json()["hospital_name"], created.json()["org_unit_name"]) == ("阿拉善左旗人民医院", None)
    assert_documented(created)
    url = f"/api/v1/lectures/{created.json()['id']}/"
    patched = client.patch(url, {"title": "再学习"}, format="json")
    assert patched.status_code == 200
    assert (patched.json()["title"], patched.json()["org_unit_name"]) == ("再学习", None)
    assert_documented(patched)
    assert_documented(client.get(url))
    centralised = client_for(alxa.banner_reviewer).post(
        "/api/v1/lectures/",
        centralised_payload(alxa),
        format="json",
    )
    assert centralised.status_code == 201
    assert (centralised.json()["hospital_name"], centralised.json()["org_unit_name"]) == (None, "阿拉善左旗")
    assert_documented(centralised)


# --- scope, per role -------------------------------------------------------------------------------


def test_reporter_never_sees_another_hospitals_lecture(alxa: Alxa, h006_lecture: LectureSession) -> None:
    client = client_for(alxa.reporter)
    own = lecture_create(actor=alxa.reporter, channel="api", data=lecture_data(alxa))
    assert [row["id"] for row in client.get("/api/v1/lectures/").json()["results"]] == [own.pk]
    detail = client.get(f"/api/v1/lectures/{h006_lecture.pk}/")
    assert detail.status_code == 404
    assert detail.json()["code"] == "not_found"
    assert client.get(f"/api/v1/lectures/?hospital={alxa.h006.pk}").json()["results"] == []
    assert (
        client.patch(f"/api/v1/lectures/{h006_lecture.pk}/", {"title": "x"}, format="json").status_code == 404
    )
    assert client.delete(f"/api/v1/lectures/{h006_lecture.pk}/").status_code == 404


def test_reporter_cannot_create_for_another_hospital(alxa: Alxa) -> None:
    body = payload(alxa, hospital=alxa.h006.pk, speaker=person("H006-P01").pk)
    response = client_for(alxa.reporter).post("/api/v1/lectures/", body, format="json")
    assert response.status_code == 403
    assert response.json()["message"] == "您无权操作该医院的数据。"
    assert not LectureSession.objects.exists()


def test_reporter_cannot_download_or_upload_to_another_hospitals_lecture(
    alxa: Alxa, h006_lecture: LectureSession
) -> None:
    material = material_upload(
        actor=alxa.admin, channel="api", lecture=h006_lecture, kind="courseware", file=upload("a.pdf", PDF)
    )
    client = client_for(alxa.reporter)
    assert client.get(f"/api/v1/lecture-materials/{material.pk}/download/").status_code == 404
    assert client.get(f"/api/v1/lecture-materials/{material.pk}/").status_code == 404
    assert client.get("/api/v1/lecture-materials/").json()["results"] == []
    sneaky = client.post(
        "/api/v1/lecture-materials/",
        {"lecture": h006_lecture.pk, "kind": "courseware", "file": upload("b.pdf", PDF)},
        format="multipart",
    )
    assert sneaky.status_code == 403
    assert LectureMaterial.objects.count() == 1


@pytest.mark.parametrize(
    ("role", "sees_h004", "sees_h006"),
    [
        ("reporter", True, False),
        ("banner_reviewer", True, False),
        ("league_reviewer", True, True),
        ("admin", True, True),
    ],
)
def test_list_scope_per_role(
    alxa: Alxa, h006_lecture: LectureSession, role: str, sees_h004: bool, sees_h006: bool
) -> None:
    own = lecture_create(actor=alxa.reporter, channel="api", data=lecture_data(alxa))
    user: User = getattr(alxa, role)
    ids = {row["id"] for row in client_for(user).get("/api/v1/lectures/").json()["results"]}
    assert (own.pk in ids, h006_lecture.pk in ids) == (sees_h004, sees_h006)
    status = client_for(user).get(f"/api/v1/lectures/{h006_lecture.pk}/").status_code
    assert status == (200 if sees_h006 else 404)


def test_banner_reviewer_records_the_centralised_lecture_a_reporter_cannot(alxa: Alxa) -> None:
    body = centralised_payload(alxa)
    assert client_for(alxa.reporter).post("/api/v1/lectures/", body, format="json").status_code == 403
    response = client_for(alxa.banner_reviewer).post("/api/v1/lectures/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["banner"] == alxa.zuoqi.pk


# --- materials -------------------------------------------------------------------------------------


def test_upload_then_download_through_the_scoped_endpoint_only(alxa: Alxa) -> None:
    lecture = lecture_create(actor=alxa.reporter, channel="api", data=lecture_data(alxa))
    client = client_for(alxa.reporter)
    response = client.post(
        "/api/v1/lecture-materials/",
        {"lecture": lecture.pk, "kind": "courseware", "title": "课件", "file": upload("课件.pdf", PDF)},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["content_type"] == "application/pdf"
    assert body["size"] == len(PDF)
    download = client.get(f"/api/v1/lecture-materials/{body['id']}/download/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert_documented(download)  # a PDF, once documented as application/json (schemathesis)
    assert b"".join(download.streaming_content) == PDF  # type: ignore[attr-defined]
    assert download["Content-Disposition"].startswith("attachment")
    stored = LectureMaterial.objects.get(pk=body["id"]).file.name
    web = Client()
    web.force_login(alxa.reporter)
    assert web.get(f"/media/{stored}").status_code == 404  # MEDIA_ROOT is not served
    listed = client.get(f"/api/v1/lectures/{lecture.pk}/").json()["materials"]
    assert [m["id"] for m in listed] == [body["id"]]
    assert listed[0]["download_url"].endswith(f"/api/v1/lecture-materials/{body['id']}/download/")


def test_renamed_executable_and_oversized_upload_are_refused(alxa: Alxa, settings: Any) -> None:
    lecture = lecture_create(actor=alxa.reporter, channel="api", data=lecture_data(alxa))
    client = client_for(alxa.reporter)
    exe = client.post(
        "/api/v1/lecture-materials/",
        {"lecture": lecture.pk, "kind": "courseware", "file": upload("课件.pptx", EXE)},
        format="multipart",
    )
    assert exe.status_code == 400
    assert exe.json()["code"] == "file_type_not_allowed"
    settings.MATERIAL_MAX_BYTES = 100
    big = client.post(
        "/api/v1/lecture-materials/",
        {"lecture": lecture.pk, "kind": "courseware", "file": upload("big.pdf", PDF + b"0" * 100)},
        format="multipart",
    )
    assert big.status_code == 400
    assert big.json()["code"] == "file_too_large"
    assert not LectureMaterial.objects.exists()


def test_only_the_league_recommends_for_publicity(alxa: Alxa) -> None:
    lecture = lecture_create(actor=alxa.reporter, channel="api", data=lecture_data(alxa))
    material = material_upload(
        actor=alxa.reporter, channel="api", lecture=lecture, kind="courseware", file=upload("a.pdf", PDF)
    )
    url = f"/api/v1/lecture-materials/{material.pk}/recommend/"
    assert client_for(alxa.reporter).post(url, {"recommended": True}, format="json").status_code == 403
    assert client_for(alxa.banner_reviewer).post(url, {"recommended": True}, format="json").status_code == 403
    response = client_for(alxa.league_reviewer).post(url, {"recommended": True}, format="json")
    assert response.status_code == 200
    assert response.json()["recommended_for_publicity"] is True
    # A reporter cannot set it through the ordinary fields either: it is read-only there.
    listed = client_for(alxa.league_reviewer).get("/api/v1/lecture-materials/?recommended_for_publicity=true")
    assert [m["id"] for m in listed.json()["results"]] == [material.pk]


# --- filters ---------------------------------------------------------------------------------------


def test_filters_by_kind_date_topic_and_banner(alxa: Alxa, h006_lecture: LectureSession) -> None:
    history = lecture_create(
        actor=alxa.reporter, channel="api", data=lecture_data(alxa, party_history=True, held_on=D(2021, 7, 1))
    )
    policy = lecture_create(
        actor=alxa.reporter,
        channel="api",
        data=lecture_data(alxa, "department", held_on=D(2021, 9, 1), coverage=tuple(_first_document(alxa))),
    )
    client = client_for(alxa.league_reviewer)

    def ids(query: str) -> set[int]:
        return {row["id"] for row in client.get(f"/api/v1/lectures/?{query}").json()["results"]}

    assert ids("topic=party_history") == {history.pk}
    assert ids("topic=kd1") == {policy.pk}
    assert ids("topic=policy") == {policy.pk}
    assert ids("kind_code=department") == {policy.pk}
    assert ids(f"kind={kind(alxa, 'department').pk}") == {policy.pk}
    assert ids("held_after=2021-07-02&held_before=2021-08-31") == {h006_lecture.pk}
    assert ids(f"banner={alxa.youqi.pk}") == {h006_lecture.pk}
    assert ids(f"hospital={alxa.h004.pk}") == {history.pk, policy.pk}
    assert ids("speaker_role=department_head") == {policy.pk}


# --- constant query counts -------------------------------------------------------------------------


def _bulk_lectures(alxa: Alxa, count: int) -> None:
    k = kind(alxa, "in_hospital")
    document, layer = _first_document(alxa)[0]
    lectures = LectureSession.objects.bulk_create(
        [
            LectureSession(
                campaign=alxa.campaign,
                kind=k,
                hospital=alxa.h004,
                held_on=D(2021, 7, 1) + dt.timedelta(days=i % 60),
                title=f"宣讲{i}",
                speaker=person("H004-P01"),
                speaker_role=SpeakerRole.SECRETARY,
            )
            for i in range(count)
        ]
    )
    LectureCoverage.objects.bulk_create(
        [LectureCoverage(lecture=x, document=document, layer=layer) for x in lectures]
    )
    official = person("B152921-P01")
    for lecture in lectures:
        lecture.supervising_officials.add(official)
        LectureMaterial.objects.create(
            lecture=lecture,
            kind="photo",
            file="materials/x.png",
            original_name="x.png",
            content_type="image/png",
            size=1,
        )


def assert_constant_queries(client: Any, url: str, add_rows: Callable[[int], None]) -> None:
    client.get(url)  # warm-up: a reviewer's org unit is loaded once and kept on the user
    add_rows(1)
    with CaptureQueriesContext(connection) as one:
        first = client.get(url)
    assert first.status_code == 200
    assert first.json()["count"] == 1
    add_rows(49)
    with CaptureQueriesContext(connection) as fifty:
        response = client.get(url)
    assert response.json()["count"] == 50
    assert len(response.json()["results"]) == 50
    assert len(fifty.captured_queries) == len(one.captured_queries), [
        q["sql"] for q in fifty.captured_queries
    ]


@pytest.mark.parametrize("role", ["reporter", "banner_reviewer", "league_reviewer"])
def test_lecture_list_queries_do_not_grow_with_rows(alxa: Alxa, role: str) -> None:
    assert_constant_queries(
        client_for(getattr(alxa, role)), "/api/v1/lectures/", lambda n: _bulk_lectures(alxa, n)
    )


def test_material_list_queries_do_not_grow_with_rows(alxa: Alxa) -> None:
    assert_constant_queries(
        client_for(alxa.reporter), "/api/v1/lecture-materials/", lambda n: _bulk_lectures(alxa, n)
    )


def test_lecture_list_at_1_and_50_rows_with_django_assert_num_queries(
    alxa: Alxa, django_assert_num_queries: Any, settings: Any
) -> None:
    # The page computed live each time (nothing kept: core.versions finds no cache), as after a write.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    client = client_for(alxa.reporter)
    _bulk_lectures(alxa, 1)
    with CaptureQueriesContext(connection) as baseline:
        client.get("/api/v1/lectures/")
    _bulk_lectures(alxa, 49)
    with django_assert_num_queries(len(baseline.captured_queries)):
        assert len(client.get("/api/v1/lectures/").json()["results"]) == 50


def test_a_tour_lecturer_selected_after_08_31_is_a_400(alxa: Alxa, set_clock: SetClock) -> None:
    from campaign.models import TourLecturer

    set_clock("2021-09-15 10:00")
    body = {"campaign": alxa.campaign.pk, "person": person("H004-P01").pk, "selected_on": "2021-08-30"}
    response = client_for(alxa.league_reviewer).post("/api/v1/tour-lecturers/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "tour_selection_closed"
    assert response.json()["message"] == (
        "全区巡讲讲师的选拔已于2021-08-31截止（通知三(二)），今天（2021-09-15）不能再选拔。"
    )
    assert not TourLecturer.objects.exists()
    set_clock("2021-08-30 10:00")
    created = client_for(alxa.league_reviewer).post("/api/v1/tour-lecturers/", body, format="json")
    assert created.status_code == 201
    # When it was entered, which the milestone judges, is answered beside the typed date (read-only).
    assert created.json()["created_at"] == "2021-08-30T10:00:00+08:00"
    listed = client_for(alxa.league_reviewer).get("/api/v1/tour-lecturers/").json()["results"]
    assert [row["created_at"] for row in listed] == ["2021-08-30T10:00:00+08:00"]
