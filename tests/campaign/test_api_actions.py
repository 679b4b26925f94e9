"""/api/v1/ for action items, roadmap, progress, launch records, lecture plans, compliance, action plan."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaign.models import ActionItem, LaunchRecord, LecturePlan, ProgressEntry, RoadmapMilestone
from campaign.services import (
    ActionItemData,
    RoadmapStepData,
    action_item_create,
    launch_record_create,
    lecture_create,
    progress_record,
)
from tests.api.openapi import assert_documented
from tests.campaign.conftest import enter_on, lecture_data, person, task, upload
from tests.conftest import Alxa, client_for
from tests.samples import EXE, PDF

pytestmark = pytest.mark.django_db
D = dt.date


def make_item(alxa: Alxa, hospital_code: str = "H004", **overrides: Any) -> ActionItem:
    from tests.campaign.conftest import hospital

    h = hospital(hospital_code)
    values: dict[str, Any] = {
        "hospital": h,
        "task": task(alxa, "A2.1"),
        "title": "编制“十四五”规划",
        "responsible": person(f"{hospital_code}-P02"),
        "starts_on": D(2021, 7, 1),
        "due_on": D(2021, 9, 30),
        "roadmap": (RoadmapStepData(title="形成初稿", due_on=D(2021, 8, 31)),),
    }
    values.update(overrides)
    return action_item_create(actor=alxa.admin, channel="api", data=ActionItemData(**values))


def test_reporter_creates_an_action_item_with_a_roadmap_and_progress(alxa: Alxa) -> None:
    client = client_for(alxa.reporter)
    created = client.post(
        "/api/v1/action-items/",
        {
            "hospital": alxa.h004.pk,
            "task": task(alxa, "A3.2").pk,
            "title": "开展处方点评",
            "responsible": person("H004-P02").pk,
            "starts_on": "2021-07-01",
            "due_on": "2021-12-31",
            "roadmap": [{"title": "制定点评方案", "due_on": "2021-07-31"}],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    item_id = created.json()["id"]
    assert created.json()["status"] in ("not_started", "overdue")
    step = client.post(
        "/api/v1/roadmap-milestones/",
        {"action_item": item_id, "title": "制定点评制度", "due_on": "2021-08-31"},
        format="json",
    )
    assert step.status_code == 201, step.json()
    progress = client.post(
        "/api/v1/progress-entries/",
        {
            "action_item": item_id,
            "month": "2021-08-01",
            "status": "on_track",
            "note": "已开展两次",
            "files": [upload("纪要.pdf", PDF)],
        },
        format="multipart",
    )
    assert progress.status_code == 201, progress.json()
    evidence = progress.json()["evidence"]
    assert [e["original_name"] for e in evidence] == ["纪要.pdf"]
    download = client.get(f"/api/v1/progress-evidence/{evidence[0]['id']}/download/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert_documented(download)  # a PDF, once documented as application/json (schemathesis)
    detail = client.get(f"/api/v1/action-items/{item_id}/").json()
    assert detail["current_status"] == "on_track"
    assert [s["title"] for s in detail["roadmap"]] == ["制定点评方案", "制定点评制度"]


def test_action_item_rules_are_400s(alxa: Alxa) -> None:
    client = client_for(alxa.reporter)
    body = {
        "hospital": alxa.h004.pk,
        "task": task(alxa, "A5.1").pk,
        "part": "全面推行总会计师制度",
        "title": "设立总会计师",
        "responsible": person("H004-P02").pk,
        "starts_on": "2021-07-01",
        "due_on": "2021-12-31",
        "roadmap": [{"title": "提出人选", "due_on": "2021-09-30"}],
    }
    response = client.post("/api/v1/action-items/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "part_not_applicable"
    backwards = client.post(
        "/api/v1/action-items/", {**body, "part": "", "due_on": "2021-06-01"}, format="json"
    )
    assert backwards.json()["code"] == "dates_out_of_order"
    assert not ActionItem.objects.exists()


def test_overdue_cannot_be_typed_through_the_api(alxa: Alxa) -> None:
    item = make_item(alxa)
    response = client_for(alxa.reporter).post(
        "/api/v1/progress-entries/",
        {"action_item": item.pk, "month": "2021-08-01", "status": "overdue"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "status_not_typed"
    assert not ProgressEntry.objects.exists()


def test_evidence_that_is_an_executable_is_refused(alxa: Alxa) -> None:
    item = make_item(alxa)
    response = client_for(alxa.reporter).post(
        "/api/v1/progress-entries/",
        {
            "action_item": item.pk,
            "month": "2021-08-01",
            "status": "on_track",
            "files": [upload("x.pdf", EXE)],
        },
        format="multipart",
    )
    assert response.json()["code"] == "file_type_not_allowed"
    assert not ProgressEntry.objects.exists()


def test_status_filter_includes_the_computed_overdue(alxa: Alxa) -> None:
    late = make_item(alxa, due_on=D(2021, 8, 31))
    done = make_item(alxa, due_on=D(2021, 8, 31), title="已完成")
    progress_record(actor=alxa.admin, channel="api", action_item=done, month=D(2021, 8, 1), status="done")
    future = make_item(alxa, due_on=D(2099, 12, 31), title="远期")
    client = client_for(alxa.reporter)

    def ids(query: str) -> set[int]:
        return {row["id"] for row in client.get(f"/api/v1/action-items/?{query}").json()["results"]}

    assert ids("status=overdue") == {late.pk}
    assert ids("status=done") == {done.pk}
    assert ids("status=not_started") == {future.pk}
    assert client.get(f"/api/v1/action-items/{late.pk}/").json()["is_overdue"] is True
    assert ids(f"task_code=A2.1&banner={alxa.zuoqi.pk}") == {late.pk, done.pk, future.pk}


def test_reporter_scope_on_action_items(alxa: Alxa) -> None:
    other = make_item(alxa, "H006")
    client = client_for(alxa.reporter)
    assert client.get("/api/v1/action-items/").json()["results"] == []
    assert client.get(f"/api/v1/action-items/{other.pk}/").status_code == 404
    assert client.get("/api/v1/roadmap-milestones/").json()["results"] == []
    forged = client.post(
        "/api/v1/action-items/",
        {
            "hospital": alxa.h006.pk,
            "task": task(alxa, "A2.1").pk,
            "title": "x",
            "responsible": person("H006-P02").pk,
            "starts_on": "2021-07-01",
            "due_on": "2021-08-01",
            "roadmap": [{"title": "x", "due_on": "2021-07-31"}],
        },
        format="json",
    )
    assert forged.status_code == 403
    step = client.post(
        "/api/v1/roadmap-milestones/",
        {"action_item": other.pk, "title": "x", "due_on": "2021-08-01"},
        format="json",
    )
    assert step.status_code == 403
    assert RoadmapMilestone.objects.count() == 1  # the H006 item's own step


def test_action_plan_shows_tasks_without_items(alxa: Alxa) -> None:
    make_item(alxa)
    body = client_for(alxa.reporter).get(f"/api/v1/action-plan/?hospital={alxa.h004.pk}").json()
    assert len(body["tasks"]) == 11
    assert "A2.1" not in body["tasks_without_item"]
    assert len(body["tasks_without_item"]) == 10
    assert client_for(alxa.reporter).get(f"/api/v1/action-plan/?hospital={alxa.h006.pk}").status_code == 404


def test_launch_records_and_plans_through_the_api(alxa: Alxa) -> None:
    client = client_for(alxa.reporter)
    launch = client.post(
        "/api/v1/launch-records/",
        {
            "campaign": alxa.campaign.pk,
            "hospital": alxa.h004.pk,
            "launched_on": "2021-06-24",
            "meeting": "全院动员大会",
            "attachment": upload("现场.pdf", PDF),
        },
        format="multipart",
    )
    assert launch.status_code == 201, launch.json()
    launch_download = client.get(launch.json()["download_url"])
    assert launch_download.status_code == 200
    # Named from the checked upload's type, not guessed from the system's MIME table (schemathesis).
    assert launch_download["Content-Type"] == "application/pdf"
    assert_documented(launch_download)
    again = client.post(
        "/api/v1/launch-records/",
        {
            "campaign": alxa.campaign.pk,
            "hospital": alxa.h004.pk,
            "launched_on": "2021-06-25",
            "meeting": "再启动",
        },
        format="json",
    )
    assert again.json()["code"] == "launch_duplicate"
    plan = client.post(
        "/api/v1/lecture-plans/",
        {"campaign": alxa.campaign.pk, "hospital": alxa.h004.pk, "fixed_on": "2021-06-29"},
        format="json",
    )
    assert plan.status_code == 201, plan.json()
    document = alxa.campaign.key_documents.get(number=1)
    item = client.post(
        "/api/v1/lecture-plan-items/",
        {
            "plan": plan.json()["id"],
            "document": document.pk,
            "title": "高质量发展怎么干",
            "courseware": upload("kj.pdf", PDF),
        },
        format="multipart",
    )
    assert item.status_code == 201, item.json()
    assert item.json()["has_courseware"] is True
    courseware = client.get(f"/api/v1/lecture-plan-items/{item.json()['id']}/download/")
    assert courseware.status_code == 200
    assert courseware["Content-Type"] == "application/pdf"
    assert_documented(courseware)
    foreign = client.post(
        "/api/v1/lecture-plans/",
        {"campaign": alxa.campaign.pk, "hospital": alxa.h006.pk, "fixed_on": "2021-06-29"},
        format="json",
    )
    assert foreign.status_code == 403
    assert LecturePlan.objects.count() == 1
    assert LaunchRecord.objects.count() == 1


def test_compliance_endpoint_is_scoped_and_dated(alxa: Alxa) -> None:
    enter_on(D(2021, 6, 23))  # entered on the day it is dated: in time for 06-25
    launch_record_create(
        actor=alxa.admin, channel="api", campaign=alxa.campaign, hospital=alxa.h004,
        launched_on=D(2021, 6, 23), meeting="启动会",
    )  # fmt: skip
    enter_on(D(2021, 7, 2))
    lecture_create(actor=alxa.reporter, channel="api", data=lecture_data(alxa, held_on=D(2021, 7, 2)))
    body = (
        client_for(alxa.reporter).get(f"/api/v1/compliance/?campaign={alxa.campaign.pk}&on=2021-08-01").json()
    )
    assert body["count"] == 1
    (row,) = body["results"]["hospitals"]
    assert row["hospital"] == alxa.h004.pk
    states = {m["rule"]: m["state"] for m in row["milestones"]}
    assert states == {
        "launch": "met",
        "lecture_plan": "not_met",
        "centralised_lecture": "not_met",
        "leaders_in_hospital": "not_met",
        "external_lecture": "not_due",
        "region_tour": "not_due",
    }
    launch = next(m for m in row["milestones"] if m["rule"] == "launch")
    assert launch["records"][0]["type"] == "launch_record"
    league = client_for(alxa.league_reviewer).get("/api/v1/compliance/?on=2021-08-01").json()
    assert league["count"] == 10
    banners = client_for(alxa.banner_reviewer).get("/api/v1/compliance/banners/?on=2021-08-01").json()
    assert [b["banner"] for b in banners["banners"]] == [alxa.zuoqi.pk]
    assert banners["league"] is None  # a banner reviewer's scope does not hold the league
    launch = next(m for m in banners["banners"][0]["milestones"] if m["milestone"] == "launch")
    assert (launch["banner_status"]["state"], launch["banner_status"]["detail"]) == (
        "not_met",
        "尚无启动记录",
    )
    league_view = client_for(alxa.league_reviewer).get("/api/v1/compliance/banners/?on=2021-08-01").json()
    assert (league_view["league"]["unit"], league_view["league"]["launch"]["state"]) == (
        alxa.league.pk,
        "not_met",
    )
    assert client_for(alxa.reporter).get("/api/v1/compliance/banners/").status_code == 403
    assert client_for(alxa.reporter).get("/api/v1/compliance/?on=yesterday").status_code == 400


# --- constant query counts -------------------------------------------------------------------------


def _bulk_items(alxa: Alxa, count: int) -> None:
    t, responsible = task(alxa, "A2.1"), person("H004-P02")
    items = ActionItem.objects.bulk_create(
        [
            ActionItem(
                campaign=alxa.campaign,
                hospital=alxa.h004,
                task=t,
                title=f"行动{i}",
                responsible=responsible,
                starts_on=D(2021, 7, 1),
                due_on=D(2021, 12, 31),
            )
            for i in range(count)
        ]
    )
    RoadmapMilestone.objects.bulk_create(
        [RoadmapMilestone(action_item=x, title="节点", due_on=D(2021, 8, 1)) for x in items]
    )
    ProgressEntry.objects.bulk_create(
        [ProgressEntry(action_item=x, month=D(2021, 8, 1), status="on_track") for x in items]
    )


def _constant(client: Any, url: str, add_rows: Callable[[int], None]) -> None:
    client.get(url)
    add_rows(1)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).json()["count"] == 1
    add_rows(49)
    with CaptureQueriesContext(connection) as fifty:
        assert len(client.get(url).json()["results"]) == 50
    assert len(fifty.captured_queries) == len(one.captured_queries)


@pytest.mark.parametrize(
    "url", ["/api/v1/action-items/", "/api/v1/roadmap-milestones/", "/api/v1/progress-entries/"]
)
def test_action_lists_keep_their_query_count(alxa: Alxa, url: str) -> None:
    _constant(client_for(alxa.banner_reviewer), url, lambda n: _bulk_items(alxa, n))


def test_launch_and_plan_lists_keep_their_query_count(alxa: Alxa) -> None:
    from hospitals.models import Hospital
    from tests.factories import HospitalFactory

    made: list[Hospital] = []

    def add(n: int) -> None:
        for _ in range(n):
            h = HospitalFactory.create(banner=alxa.zuoqi)
            made.append(h)
            LaunchRecord.objects.create(
                campaign=alxa.campaign, hospital=h, launched_on=D(2021, 6, 22), meeting="启动"
            )
            LecturePlan.objects.create(campaign=alxa.campaign, hospital=h, fixed_on=D(2021, 6, 29))

    _constant(client_for(alxa.league_reviewer), "/api/v1/launch-records/", add)
    made.clear()
    LaunchRecord.objects.all().delete()
    LecturePlan.objects.all().delete()
    _constant(client_for(alxa.league_reviewer), "/api/v1/lecture-plans/", add)


def test_an_action_item_without_a_roadmap_is_a_400(alxa: Alxa) -> None:
    client = client_for(alxa.reporter)
    body = {
        "hospital": alxa.h004.pk,
        "task": task(alxa, "A3.2").pk,
        "title": "开展处方点评",
        "responsible": person("H004-P02").pk,
        "starts_on": "2021-07-01",
        "due_on": "2021-12-31",
    }
    for sent in (body, {**body, "roadmap": []}):
        response = client.post("/api/v1/action-items/", sent, format="json")
        assert response.status_code == 400
        assert response.json()["code"] == "roadmap_required"
        assert response.json()["message"] == (
            "行动项须有路线图（通知四(二)：具体责任人、时间表和路线图），请至少填写一个路线图节点。"
        )
    assert not ActionItem.objects.exists()
    created = client.post(
        "/api/v1/action-items/",
        {**body, "roadmap": [{"title": "制定点评制度", "due_on": "2021-07-31"}]},
        format="json",
    )
    assert created.status_code == 201, created.json()
    step_id = created.json()["roadmap"][0]["id"]
    last = client.delete(f"/api/v1/roadmap-milestones/{step_id}/")
    assert (last.status_code, last.json()["code"]) == (400, "roadmap_required")
    patched = client.patch(f"/api/v1/action-items/{created.json()['id']}/", {"roadmap": []}, format="json")
    assert patched.status_code == 400
