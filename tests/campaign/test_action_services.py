"""见行动: action items per applicable task, roadmap, monthly progress; overdue is computed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from campaign.models import (
    OVERDUE,
    ActionItem,
    ProgressEntry,
    ProgressEvidence,
    ProgressStatus,
    RoadmapMilestone,
)
from campaign.selectors import action_item_list, action_plan, filter_action_status
from campaign.services import (
    ActionItemData,
    RoadmapStepData,
    action_item_create,
    action_item_update,
    progress_record,
    roadmap_milestone_create,
    roadmap_milestone_delete,
)
from core.refusals import refusal_codes
from hospitals.models import ChangeRecord
from tests.campaign.conftest import h004_action_item, person, task, upload
from tests.conftest import Alxa
from tests.samples import EXE, PDF

pytestmark = pytest.mark.django_db
D = dt.date


def item_data(alxa: Alxa, **overrides: Any) -> ActionItemData:
    values: dict[str, Any] = {
        "hospital": alxa.h004,
        "task": task(alxa, "A2.1"),
        "title": "编制医院“十四五”发展专项规划",
        "responsible": person("H004-P02"),
        "starts_on": D(2021, 7, 1),
        "due_on": D(2021, 9, 30),
        "roadmap": (RoadmapStepData(title="形成规划初稿", due_on=D(2021, 8, 31)),),
    }
    values.update(overrides)
    return ActionItemData(**values)


def refused(alxa: Alxa, data: ActionItemData, code: str) -> str:
    before = ChangeRecord.objects.count()
    with pytest.raises(ValidationError) as info:
        action_item_create(actor=alxa.reporter, channel="api", data=data)
    assert refusal_codes(info.value) == [code]
    assert not ActionItem.objects.exists()
    assert ChangeRecord.objects.count() == before
    return info.value.messages[0]


def test_create_records_history(alxa: Alxa) -> None:
    item = action_item_create(actor=alxa.reporter, channel="api", data=item_data(alxa))
    assert item.campaign == alxa.campaign
    assert item.current_status == ProgressStatus.NOT_STARTED
    record = ChangeRecord.objects.get(object_id=str(item.pk), action="create")
    assert record.changes["responsible"] == [None, "马斯琴"]
    assert record.changes["due_on"] == [None, "2021-09-30"]


def test_chief_accountant_only_for_tertiary_hospitals(alxa: Alxa) -> None:
    data = item_data(alxa, task=task(alxa, "A5.1"), part="全面推行总会计师制度")
    message = refused(alxa, data, "part_not_applicable")
    assert message == "子任务“全面推行总会计师制度”仅适用于三级医院，阿拉善左旗人民医院为二级医院。"
    tertiary = action_item_create(
        actor=alxa.admin,
        channel="api",
        data=data.replace(hospital=alxa.h001, responsible=person("H001-P02")),
    )
    assert tertiary.part == "全面推行总会计师制度"


def test_task_not_applicable_to_the_hospital(alxa: Alxa) -> None:
    t = task(alxa, "A5.2")
    t.applies_to = "tertiary"
    t.save()
    assert refused(alxa, item_data(alxa, task=t), "task_not_applicable").startswith(
        "任务A5.2仅适用于三级医院"
    )


def test_unknown_part_is_refused(alxa: Alxa) -> None:
    refused(alxa, item_data(alxa, task=task(alxa, "A5.1"), part="别的子任务"), "part_unknown")


def test_responsible_person_must_belong_to_the_hospital(alxa: Alxa) -> None:
    refused(alxa, item_data(alxa, responsible=person("H006-P02")), "responsible_outside_hospital")


def test_due_date_before_start_is_refused(alxa: Alxa) -> None:
    message = refused(alxa, item_data(alxa, due_on=D(2021, 6, 30)), "dates_out_of_order")
    assert message == "完成时限不能早于开始日期。"


def test_reporter_cannot_create_for_another_hospital(alxa: Alxa) -> None:
    with pytest.raises(PermissionDenied):
        action_item_create(
            actor=alxa.reporter,
            channel="api",
            data=item_data(alxa, hospital=alxa.h006, responsible=person("H006-P02")),
        )
    assert not ActionItem.objects.exists()


def test_update_records_old_and_new(alxa: Alxa) -> None:
    item = action_item_create(actor=alxa.reporter, channel="api", data=item_data(alxa))
    action_item_update(
        actor=alxa.reporter,
        channel="web",
        item=item,
        data=ActionItemData.from_item(item).replace(due_on=D(2021, 10, 31), responsible=person("H004-P01")),
    )
    record = ChangeRecord.objects.get(object_id=str(item.pk), action="update")
    assert record.changes == {"due_on": ["2021-09-30", "2021-10-31"], "responsible": ["马斯琴", "郭玉梅"]}


def test_roadmap_steps_stay_inside_the_item_dates(alxa: Alxa) -> None:
    item = action_item_create(actor=alxa.reporter, channel="api", data=item_data(alxa))
    with pytest.raises(ValidationError) as info:
        roadmap_milestone_create(
            actor=alxa.reporter, channel="api", action_item=item, title="报批", due_on=D(2021, 10, 1)
        )
    assert refusal_codes(info.value) == ["roadmap_outside_item_dates"]
    assert RoadmapMilestone.objects.count() == 1  # the step it was created with
    step = roadmap_milestone_create(
        actor=alxa.reporter, channel="api", action_item=item, title="形成初稿", due_on=D(2021, 8, 15)
    )
    assert ChangeRecord.objects.filter(object_id=str(step.pk), action="create").exists()
    with pytest.raises(ValidationError) as moved:
        action_item_update(
            actor=alxa.reporter,
            channel="api",
            item=item,
            data=ActionItemData.from_item(item).replace(due_on=D(2021, 8, 1)),
        )
    assert refusal_codes(moved.value) == ["roadmap_outside_item_dates"]


def test_overdue_is_computed_never_typed(alxa: Alxa) -> None:
    item = action_item_create(actor=alxa.reporter, channel="api", data=item_data(alxa))
    with pytest.raises(ValidationError) as info:
        progress_record(
            actor=alxa.reporter, channel="api", action_item=item, month=D(2021, 8, 1), status=OVERDUE
        )
    assert refusal_codes(info.value) == ["status_not_typed"]
    assert not ProgressEntry.objects.exists()
    progress_record(
        actor=alxa.reporter, channel="api", action_item=item, month=D(2021, 9, 1), status="on_track"
    )
    item.refresh_from_db()
    assert item.status_on(D(2021, 9, 30)) == ProgressStatus.ON_TRACK  # due day itself: not yet overdue
    assert item.status_on(D(2021, 10, 1)) == OVERDUE
    qs = action_item_list(user=alxa.reporter)
    assert list(filter_action_status(qs, OVERDUE, D(2021, 10, 1))) == [item]
    assert list(filter_action_status(qs, "on_track", D(2021, 10, 1))) == []
    progress_record(actor=alxa.reporter, channel="api", action_item=item, month=D(2021, 10, 1), status="done")
    item.refresh_from_db()
    assert item.current_status == ProgressStatus.DONE
    assert item.status_on(D(2021, 10, 1)) == ProgressStatus.DONE
    assert list(filter_action_status(qs, OVERDUE, D(2021, 10, 1))) == []


def test_progress_one_entry_a_month_and_history(alxa: Alxa) -> None:
    item = action_item_create(actor=alxa.reporter, channel="api", data=item_data(alxa))
    first = progress_record(
        actor=alxa.reporter,
        channel="api",
        action_item=item,
        month=D(2021, 7, 1),
        status="on_track",
        note="起草中",
    )
    again = progress_record(
        actor=alxa.reporter,
        channel="api",
        action_item=item,
        month=D(2021, 7, 1),
        status="at_risk",
        note="延误",
    )
    assert first.pk == again.pk
    record = ChangeRecord.objects.filter(object_id=str(first.pk), action="update").get()
    assert record.changes == {"note": ["起草中", "延误"], "status": ["on_track", "at_risk"]}


@pytest.mark.parametrize(
    ("month", "code"),
    [
        (D(2021, 7, 15), "month_not_first_day"),
        (D(2099, 1, 1), "month_in_future"),
        (D(2021, 6, 1), "month_before_start"),
    ],
)
def test_progress_month_rules(alxa: Alxa, month: dt.date, code: str) -> None:
    item = action_item_create(actor=alxa.reporter, channel="api", data=item_data(alxa))
    with pytest.raises(ValidationError) as info:
        progress_record(actor=alxa.reporter, channel="api", action_item=item, month=month, status="on_track")
    assert refusal_codes(info.value) == [code]
    assert not ProgressEntry.objects.exists()


def test_evidence_is_checked_before_anything_is_written(alxa: Alxa) -> None:
    item = action_item_create(actor=alxa.reporter, channel="api", data=item_data(alxa))
    with pytest.raises(ValidationError) as info:
        progress_record(
            actor=alxa.reporter,
            channel="api",
            action_item=item,
            month=D(2021, 8, 1),
            status="on_track",
            evidence=[upload("ok.pdf", PDF), upload("setup.pdf", EXE)],
        )
    assert refusal_codes(info.value) == ["file_type_not_allowed"]
    assert not ProgressEntry.objects.exists()
    assert not ProgressEvidence.objects.exists()
    entry = progress_record(
        actor=alxa.reporter,
        channel="api",
        action_item=item,
        month=D(2021, 8, 1),
        status="on_track",
        evidence=[upload("会议纪要.pdf", PDF)],
    )
    assert [e.original_name for e in entry.evidence.all()] == ["会议纪要.pdf"]


def test_action_plan_lists_applicable_tasks_and_those_without_items(alxa: Alxa) -> None:
    action_item_create(actor=alxa.reporter, channel="api", data=item_data(alxa))
    rows = {row.task.code: row for row in action_plan(campaign=alxa.campaign, hospital=alxa.h004)}
    assert len(rows) == 11
    assert rows["A2.1"].has_item
    assert sorted(code for code, row in rows.items() if not row.has_item) == [
        "A1.1", "A1.2", "A2.2", "A2.3", "A3.1", "A3.2", "A4.1", "A4.2", "A5.1", "A5.2",
    ]  # fmt: skip
    assert rows["A5.1"].parts == ["成立运营管理委员会和运营管理部", "定期召开经济运行结构分析会议"]
    tertiary = {row.task.code: row for row in action_plan(campaign=alxa.campaign, hospital=alxa.h001)}
    assert tertiary["A5.1"].parts[0] == "全面推行总会计师制度"


# --- the roadmap is required (§四(二) 具体责任人、时间表和路线图) -------------------------------------


def test_an_item_without_a_roadmap_is_refused(alxa: Alxa) -> None:
    message = refused(alxa, item_data(alxa, roadmap=()), "roadmap_required")
    assert message == "行动项须有路线图（通知四(二)：具体责任人、时间表和路线图），请至少填写一个路线图节点。"
    late = item_data(alxa, roadmap=(RoadmapStepData(title="验收", due_on=D(2021, 10, 1)),))
    assert refused(alxa, late, "roadmap_outside_item_dates").startswith("路线图节点日期须在行动项的开始日期")
    blank = item_data(alxa, roadmap=(RoadmapStepData(title=" ", due_on=D(2021, 8, 1)),))
    refused(alxa, blank, "title_required")
    assert not RoadmapMilestone.objects.exists()


def test_an_item_is_created_with_its_roadmap_in_one_record(alxa: Alxa) -> None:
    steps = (
        RoadmapStepData(title="院长办公会审议", due_on=D(2021, 9, 20)),
        RoadmapStepData(title="形成规划初稿", due_on=D(2021, 8, 31)),
    )
    item = action_item_create(actor=alxa.reporter, channel="api", data=item_data(alxa, roadmap=steps))
    assert list(item.roadmap.values_list("due_on", "title")) == [
        (D(2021, 8, 31), "形成规划初稿"),
        (D(2021, 9, 20), "院长办公会审议"),
    ]
    record = ChangeRecord.objects.get(object_id=str(item.pk), action="create")
    assert record.changes["roadmap"] == [None, ["2021-08-31 形成规划初稿", "2021-09-20 院长办公会审议"]]


def test_the_last_roadmap_step_is_kept_but_an_older_item_without_one_stays(alxa: Alxa) -> None:
    item = action_item_create(actor=alxa.reporter, channel="api", data=item_data(alxa))
    (only,) = item.roadmap.all()
    with pytest.raises(ValidationError) as info:
        roadmap_milestone_delete(actor=alxa.reporter, channel="api", step=only)
    assert info.value.code == "roadmap_required"
    second = roadmap_milestone_create(
        actor=alxa.reporter, channel="api", action_item=item, title="定稿", due_on=D(2021, 9, 30)
    )
    roadmap_milestone_delete(actor=alxa.reporter, channel="api", step=only)
    assert list(item.roadmap.all()) == [second]
    # An item entered before the rule (no roadmap) can still be updated; its roadmap is added step by step.
    older = h004_action_item(alxa)
    updated = action_item_update(
        actor=alxa.reporter,
        channel="api",
        item=older,
        data=ActionItemData.from_item(older).replace(title="处方点评全覆盖（修订）"),
    )
    assert (updated.title, updated.roadmap.count()) == ("处方点评全覆盖（修订）", 0)
