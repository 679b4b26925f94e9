"""见 routes (campaign/api.py): action items, roadmap milestones, progress and its evidence, action plan."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from typing import Any

from django.core.files.base import ContentFile

from campaign.models import ActionItem, ActionTask, ProgressEntry, ProgressEvidence, RoadmapMilestone
from hospitals.models import Person
from tests.api.harness import Owner, Resource, Row, World, viewset_rows
from tests.api.matrix.lectures import ALL, ALL_DELETE, ALL_UPDATE, PDF, _hospital

_n = itertools.count(1)


def _task(owner: Owner) -> ActionTask:
    return ActionTask.objects.get(campaign=owner.campaign, code="A2.1")


def _responsible(owner: Owner) -> Person:
    hospital = _hospital(owner)
    person = Person.objects.filter(hospital=hospital).order_by("code").first()
    return person or Person.objects.create(code=f"MXA{next(_n):05d}", name="责任人", hospital=hospital)


def _item(owner: Owner) -> ActionItem:
    return ActionItem.objects.create(
        campaign=owner.campaign,
        hospital=_hospital(owner),
        task=_task(owner),
        title="矩阵行动项",
        responsible=_responsible(owner),
        starts_on=dt.date(2021, 7, 1),
        due_on=dt.date(2021, 12, 31),
    )


def _item_body(world: World, owner: Owner, obj: Any) -> dict[str, Any]:
    return {
        "hospital": _hospital(owner).pk,
        "task": _task(owner).pk,
        "title": "矩阵行动项（改）",
        "responsible": _responsible(owner).pk,
        "starts_on": "2021-07-01",
        "due_on": "2021-11-30",
        # Written on create only (a PATCH of an item leaves its roadmap to /roadmap-milestones/).
        **({} if obj is not None else {"roadmap": [{"title": "节点", "due_on": "2021-08-31"}]}),
    }


def _step(owner: Owner) -> RoadmapMilestone:
    item = _item(owner)
    # A second step, so that the one the matrix deletes is never the item's last (roadmap_required).
    RoadmapMilestone.objects.create(action_item=item, title="首个节点", due_on=dt.date(2021, 7, 15))
    return RoadmapMilestone.objects.create(action_item=item, title="节点", due_on=dt.date(2021, 8, 1))


def _step_body(world: World, owner: Owner, obj: Any) -> dict[str, Any]:
    item = obj.action_item if obj is not None else _item(owner)
    return {"action_item": item.pk, "title": "节点（改）", "due_on": "2021-09-01"}


def _entry(owner: Owner) -> ProgressEntry:
    return ProgressEntry.objects.create(
        action_item=_item(owner), month=dt.date(2021, 8, 1), status="on_track"
    )


def _entry_body(world: World, owner: Owner, obj: Any) -> dict[str, Any]:
    item = obj.action_item if obj is not None else _item(owner)
    return {"action_item": item.pk, "month": "2021-08-01", "status": "at_risk", "note": "进度滞后"}


def _evidence(owner: Owner) -> ProgressEvidence:
    evidence = ProgressEvidence(
        entry=_entry(owner), original_name="纪要.pdf", content_type="application/pdf", size=len(PDF)
    )
    evidence.file.save(f"matrix/{uuid.uuid4().hex}.pdf", ContentFile(PDF, name="x.pdf"), save=False)
    evidence.save()
    return evidence


ITEM = Resource(ActionItem, _item)
STEP = Resource(RoadmapMilestone, _step)
ENTRY = Resource(ProgressEntry, _entry)
EVIDENCE = Resource(ProgressEvidence, _evidence)


def _check_action_plan(world: World) -> None:
    a = world.alxa
    url = "/api/v1/action-plan/?hospital={}"
    assert world.client("anonymous").get(url.format(a.h004.pk)).status_code == 401
    for role, hospital, status in [
        ("reporter", a.h004, 200),
        ("reporter", a.h001, 404),
        ("banner", a.h001, 200),
        ("banner", a.h006, 404),
        ("league", a.h006, 200),
        ("league", world.foreign_hospital, 404),
        ("league2", world.foreign_hospital, 200),
        ("league2", a.h006, 404),
        ("region", world.foreign_hospital, 200),
        ("region", a.h006, 200),
        ("admin", world.foreign_hospital, 200),
    ]:
        response = world.client(role).get(url.format(hospital.pk))
        assert response.status_code == status, (role, hospital.code, response.content[:200])
    body = world.client("reporter").get(url.format(a.h004.pk)).json()
    assert len(body["tasks"]) == 11


ROWS: dict[str, Row] = {
    **viewset_rows(
        "action-item",
        ITEM,
        body=_item_body,
        create=ALL,
        update=ALL_UPDATE,
        delete=ALL_DELETE,
        export=True,
    ),
    **viewset_rows(
        "roadmap-milestone", STEP, body=_step_body, create=ALL, update=ALL_UPDATE, delete=ALL_DELETE
    ),
    **viewset_rows(
        "progress-entry", ENTRY, body=_entry_body, create=ALL, update=ALL_UPDATE, delete=ALL_DELETE
    ),
    "progress-evidence-detail": Row("detail", EVIDENCE),
    "progress-evidence-download": Row("action", EVIDENCE),
    "action-plan-list": Row("custom", check=_check_action_plan),
}
