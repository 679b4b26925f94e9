"""讲 routes (campaign/api.py): lectures, materials, tour lecturers, launch records, plans, compliance.

Rows are built with the ORM (the world holds a hospital of another league, for which the services would
refuse a lecture of the Alxa campaign); bodies are valid service calls for the named owner. Records that
are unique per campaign and hospital (launch records, plans) get a fresh campaign of the league each time,
so every role's create is a first one.
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from typing import Any

from django.core.files.base import ContentFile

from campaign.models import (
    Campaign,
    KeyDocument,
    LaunchRecord,
    LectureKind,
    LectureMaterial,
    LecturePlan,
    LecturePlanItem,
    LectureSession,
    SpeakerRole,
    TourLecturer,
)
from hospitals.models import Hospital, OrgUnit, Person, Post
from tests.api.harness import Owner, Resource, Row, World, viewset_rows
from tests.samples import PDF

_n = itertools.count(1)
ALL = {"reporter": 201, "banner": 201, "league": 201, "league2": 201, "admin": 201}
ALL_UPDATE = {"reporter": 200, "banner": 200, "league": 200, "league2": 200, "admin": 200}
ALL_DELETE = {"reporter": 204, "banner": 204, "league": 204, "league2": 204, "admin": 204}


def _hospital(owner: Owner) -> Hospital:
    assert owner.hospital is not None
    return owner.hospital


def new_leader(owner: Owner) -> Person:
    """A fresh secretary of the owner's hospital (a person holds a tour selection once per campaign)."""
    hospital = _hospital(owner)
    person = Person.objects.create(code=f"MX{next(_n):05d}", name="矩阵书记", hospital=hospital)
    Post.objects.create(
        person=person, role=Post.Role.SECRETARY, hospital=hospital, start_on=dt.date(2020, 1, 1)
    )
    return person


def secretary(owner: Owner) -> Person:
    post = (
        Post.objects.filter(hospital=_hospital(owner), role=Post.Role.SECRETARY)
        .select_related("person")
        .first()
    )
    return post.person if post is not None else new_leader(owner)


def fresh_campaign(owner: Owner) -> Campaign:
    n = next(_n)
    return Campaign.objects.create(
        code=f"mx-{n}",
        name=f"矩阵活动{n}",
        year=2021,
        league=owner.campaign.league,
        starts_on=dt.date(2021, 6, 21),
        ends_on=dt.date(2021, 12, 31),
    )


def stored(name: str) -> ContentFile:
    return ContentFile(PDF, name=name)


# --- lectures ---------------------------------------------------------------------------------------


def _in_hospital(owner: Owner) -> LectureKind:
    return LectureKind.objects.get(campaign=owner.campaign, code="in_hospital")


def _lecture(owner: Owner) -> LectureSession:
    return LectureSession.objects.create(
        campaign=owner.campaign,
        kind=_in_hospital(owner),
        hospital=_hospital(owner),
        held_on=dt.date(2021, 7, 10),
        title="矩阵宣讲",
        speaker=secretary(owner),
        speaker_role=SpeakerRole.SECRETARY,
        attendance_expected=max(10, _hospital(owner).staff_count),  # 院内宣讲: all staff
        attendance_present=9,
    )


def _lecture_body(world: World, owner: Owner, obj: Any) -> dict[str, Any]:
    return {
        "kind": _in_hospital(owner).pk,
        "hospital": _hospital(owner).pk,
        "held_on": "2021-07-12",
        "title": "矩阵宣讲（改）",
        "speaker": secretary(owner).pk,
        "attendance_expected": max(10, _hospital(owner).staff_count),  # 院内宣讲: all staff
        "attendance_present": 8,
    }


LECTURE = Resource(LectureSession, _lecture)


def _material(owner: Owner) -> LectureMaterial:
    material = LectureMaterial(
        lecture=_lecture(owner),
        kind="courseware",
        original_name="课件.pdf",
        content_type="application/pdf",
        size=len(PDF),
    )
    material.file.save(f"matrix/{uuid.uuid4().hex}.pdf", stored("x.pdf"), save=False)
    material.save()
    return material


MATERIAL = Resource(LectureMaterial, _material)


def _tour(owner: Owner) -> TourLecturer:
    return TourLecturer.objects.create(
        campaign=owner.campaign, person=new_leader(owner), selected_on=dt.date(2021, 8, 1)
    )


def _tour_body(world: World, owner: Owner, obj: Any) -> dict[str, Any]:
    # A campaign with no 全区巡讲 milestone: on the real date the 2021 campaign's selection has closed.
    campaign = fresh_campaign(owner)
    return {"campaign": campaign.pk, "person": new_leader(owner).pk, "selected_on": "2021-08-01"}


TOUR = Resource(TourLecturer, _tour)


def _launch(owner: Owner) -> LaunchRecord:
    record = LaunchRecord(
        campaign=fresh_campaign(owner),
        hospital=_hospital(owner),
        launched_on=dt.date(2021, 6, 23),
        meeting="启动会",
    )
    record.attachment.save(f"matrix/{uuid.uuid4().hex}.pdf", stored("x.pdf"), save=False)
    record.save()
    return record


def _launch_body(world: World, owner: Owner, obj: Any) -> dict[str, Any]:
    campaign = obj.campaign if obj is not None else fresh_campaign(owner)
    return {
        "campaign": campaign.pk,
        "hospital": _hospital(owner).pk,
        "launched_on": "2021-06-24",
        "meeting": "动员会",
    }


LAUNCH = Resource(LaunchRecord, _launch)


def _plan(owner: Owner) -> LecturePlan:
    return LecturePlan.objects.create(
        campaign=fresh_campaign(owner), hospital=_hospital(owner), fixed_on=dt.date(2021, 6, 29)
    )


def _plan_body(world: World, owner: Owner, obj: Any) -> dict[str, Any]:
    campaign = obj.campaign if obj is not None else fresh_campaign(owner)
    return {"campaign": campaign.pk, "hospital": _hospital(owner).pk, "fixed_on": "2021-06-28"}


PLAN = Resource(LecturePlan, _plan)


def _plan_with_document(owner: Owner) -> tuple[LecturePlan, KeyDocument]:
    plan = _plan(owner)
    document = KeyDocument.objects.create(campaign=plan.campaign, code="kd1", number=1, title="《文件》")
    return plan, document


def _plan_item(owner: Owner) -> LecturePlanItem:
    plan, document = _plan_with_document(owner)
    item = LecturePlanItem(plan=plan, document=document, title="题目")
    item.courseware.save(f"matrix/{uuid.uuid4().hex}.pdf", stored("x.pdf"), save=False)
    item.save()
    return item


def _plan_item_body(world: World, owner: Owner, obj: Any) -> dict[str, Any]:
    plan, document = _plan_with_document(owner)
    return {"plan": plan.pk, "document": document.pk, "title": "高质量发展怎么干"}


PLAN_ITEM = Resource(LecturePlanItem, _plan_item)


# --- compliance (custom: not a model list) ------------------------------------------------------------


def _hospital_ids(world: World, role: str, url: str) -> set[int]:
    response = world.client(role).get(url)
    assert response.status_code == 200, (role, response.content[:300])
    return {row["hospital"] for row in response.json()["results"]["hospitals"]}


def _check_compliance(world: World) -> None:
    a = world.alxa
    url = "/api/v1/compliance/?on=2021-09-01"
    assert world.client("anonymous").get(url).status_code == 401
    assert _hospital_ids(world, "reporter", url) == {a.h004.pk}
    banner = _hospital_ids(world, "banner", url)
    assert {a.h004.pk, a.h001.pk} <= banner
    assert a.h006.pk not in banner
    league = _hospital_ids(world, "league", url)
    assert a.h006.pk in league
    assert world.foreign_hospital.pk not in league
    # The second league's reviewer: its own league's hospitals, judged by its own campaign.
    league2 = world.client("league2").get(url).json()["results"]
    assert league2["campaign"] == world.second.campaign.pk
    assert {row["hospital"] for row in league2["hospitals"]} == {h.pk for h in world.second.hospitals}
    assert world.client("league2").get(f"{url}&campaign={a.campaign.pk}").status_code == 404
    assert world.client("league").get(f"{url}&campaign={world.second.campaign.pk}").status_code == 404
    assert world.foreign_hospital.pk in _hospital_ids(world, "admin", url)
    assert world.client("reporter").get(f"/api/v1/compliance/?hospital={a.h006.pk}").json()["count"] == 0


def _check_compliance_banners(world: World) -> None:
    a = world.alxa
    url = "/api/v1/compliance/banners/?on=2021-09-01"
    assert world.client("anonymous").get(url).status_code == 401
    assert world.client("reporter").get(url).status_code == 403

    def banners(role: str) -> set[int]:
        return {b["banner"] for b in world.client(role).get(url).json()["banners"]}

    assert banners("banner") == {a.zuoqi.pk}
    assert a.youqi.pk in banners("league")
    assert world.foreign_banner.pk not in banners("league")
    second_banners = set(OrgUnit.objects.filter(parent=world.second.league).values_list("pk", flat=True))
    assert banners("league2") == second_banners
    assert world.foreign_banner.pk in banners("admin")
    # The region reviewer reads every league's banners.
    assert {a.zuoqi.pk, a.youqi.pk} | second_banners <= banners("region")


ROWS: dict[str, Row] = {
    **viewset_rows(
        "lecture",
        LECTURE,
        body=_lecture_body,
        create=ALL,
        update=ALL_UPDATE,
        delete=ALL_DELETE,
        export=True,
    ),
    # Uploads are multipart; the harness sends JSON, which carries no file and is refused. The multipart
    # upload, its scope (403 for another hospital's lecture) and its checks are in
    # tests/campaign/test_api_lectures.py.
    **viewset_rows("lecture-material", MATERIAL, create={}, delete=ALL_DELETE),
    "lecture-material-download": Row("action", MATERIAL),
    "lecture-material-recommend": Row(
        "action",
        MATERIAL,
        writes={"post": {"league": 200, "league2": 200, "admin": 200}},
        body=lambda world, owner, obj: {"recommended": True},
    ),
    **viewset_rows(
        "tour-lecturer",
        TOUR,
        body=_tour_body,
        create={"league": 201, "league2": 201, "admin": 201},
        delete={"league": 204, "league2": 204, "admin": 204},
    ),
    **viewset_rows(
        "launch-record", LAUNCH, body=_launch_body, create=ALL, update=ALL_UPDATE, delete=ALL_DELETE
    ),
    "launch-record-download": Row("action", LAUNCH),
    **viewset_rows("lecture-plan", PLAN, body=_plan_body, create=ALL, update=ALL_UPDATE),
    **viewset_rows("lecture-plan-item", PLAN_ITEM, body=_plan_item_body, create=ALL),
    "lecture-plan-item-download": Row("action", PLAN_ITEM),
    "compliance-list": Row("custom", check=_check_compliance),
    "compliance-banners": Row("custom", check=_check_compliance_banners),
}
