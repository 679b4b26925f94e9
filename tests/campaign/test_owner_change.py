"""A record cannot change its campaign, hospital, item or month (``core.records.refuse_owner_change``):
one rule with one message, named on the field, on every record's update path."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from campaign.models import LaunchRecord, LecturePlan, ProgressEntry, RoadmapMilestone
from campaign.services import action_item_update, launch_record_create, lecture_plan_create
from core.records import refuse_owner_change
from hospitals.models import ChangeRecord
from tests.campaign.conftest import h004_action_item, task
from tests.campaign.test_action_services import item_data
from tests.conftest import Alxa, client_for

pytestmark = pytest.mark.django_db


def _refused(response: object, field: str, what: str, label: str) -> None:
    body = response.json()  # type: ignore[attr-defined]
    assert response.status_code == 400, body  # type: ignore[attr-defined]
    assert body["code"] == "owner_change"
    assert body["errors"][field] == [f"{what}的{label}不能修改；如需更改，请删除后重新填写。"]


def test_the_rule_names_every_changed_field_and_lets_the_same_owner_pass(alxa: Alxa) -> None:
    item = h004_action_item(alxa)
    refuse_owner_change(item, {"hospital": alxa.h004, "campaign": alxa.campaign}, what="行动项")
    with pytest.raises(ValidationError) as caught:
        refuse_owner_change(item, {"hospital": alxa.h006, "campaign": alxa.campaign}, what="行动项")
    assert caught.value.message_dict == {"hospital": ["行动项的医院不能修改；如需更改，请删除后重新填写。"]}


def test_launch_record_and_plan_keep_their_hospital_through_the_api(alxa: Alxa) -> None:
    record = launch_record_create(
        actor=alxa.admin,
        channel="api",
        campaign=alxa.campaign,
        hospital=alxa.h004,
        launched_on=dt.date(2021, 6, 24),
        meeting="全院动员大会",
    )
    plan = lecture_plan_create(
        actor=alxa.admin,
        channel="api",
        campaign=alxa.campaign,
        hospital=alxa.h004,
        fixed_on=dt.date(2021, 6, 29),
    )
    client = client_for(alxa.admin)
    moved = client.patch(f"/api/v1/launch-records/{record.pk}/", {"hospital": alxa.h006.pk}, format="json")
    _refused(moved, "hospital", "启动记录", "医院")
    moved = client.patch(f"/api/v1/lecture-plans/{plan.pk}/", {"hospital": alxa.h006.pk}, format="json")
    _refused(moved, "hospital", "宣讲计划", "医院")
    assert LaunchRecord.objects.get().hospital == alxa.h004
    assert LecturePlan.objects.get().hospital == alxa.h004
    assert not ChangeRecord.objects.filter(action="update").exists()


def test_roadmap_step_and_progress_keep_their_item_and_month(alxa: Alxa) -> None:
    item = h004_action_item(alxa)
    other = h004_action_item(alxa, title="另一项")
    step = RoadmapMilestone.objects.create(action_item=item, title="制定制度", due_on=dt.date(2021, 8, 31))
    entry = ProgressEntry.objects.create(action_item=item, month=dt.date(2021, 8, 1), status="on_track")
    client = client_for(alxa.reporter)
    moved = client.patch(f"/api/v1/roadmap-milestones/{step.pk}/", {"action_item": other.pk}, format="json")
    _refused(moved, "action_item", "路线图节点", "行动项")
    moved = client.patch(f"/api/v1/progress-entries/{entry.pk}/", {"month": "2021-09-01"}, format="json")
    _refused(moved, "month", "进展", "月份")
    assert RoadmapMilestone.objects.get(pk=step.pk).action_item == item
    assert ProgressEntry.objects.get(pk=entry.pk).month == dt.date(2021, 8, 1)


def test_action_item_keeps_its_hospital_in_the_service(alxa: Alxa) -> None:
    item = h004_action_item(alxa, task=task(alxa, "A2.1"))
    with pytest.raises(ValidationError) as caught:
        action_item_update(
            actor=alxa.admin, channel="api", item=item, data=item_data(alxa, hospital=alxa.h006)
        )
    assert caught.value.message_dict == {"hospital": ["行动项的医院不能修改；如需更改，请删除后重新填写。"]}
