"""Action items, their roadmap and monthly progress edited and deleted on the pages: the same services as
the API, Chinese field errors, the month lock and the review freeze refused in Chinese, the history
shown, and another hospital's rows 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from campaign.models import ActionItem, ProgressEntry, ProgressEvidence, RoadmapMilestone
from campaign.services import (
    ActionItemData,
    RoadmapStepData,
    action_item_create,
    progress_record,
    roadmap_milestone_create,
)
from hospitals.models import ChangeRecord, User
from tests.campaign.conftest import hospital, person, task, upload
from tests.conftest import Alxa
from tests.reporting.conftest import SetClock, make_report
from tests.samples import PDF

pytestmark = pytest.mark.django_db
WEB = ChangeRecord.Channel.WEB
JULY = dt.date(2021, 7, 1)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _item(alxa: Alxa, hospital_code: str = "H004") -> ActionItem:
    owner = hospital(hospital_code)
    return action_item_create(
        actor=alxa.admin,
        channel=WEB,
        data=ActionItemData(
            hospital=owner,
            task=task(alxa, "A2.1"),
            title="编制医院十四五发展规划",
            responsible=person(f"{hospital_code}-P02"),
            starts_on=dt.date(2021, 7, 1),
            due_on=dt.date(2021, 10, 31),
            roadmap=(RoadmapStepData(title="形成规划初稿", due_on=dt.date(2021, 8, 31)),),
        ),
    )


def _item_post(alxa: Alxa, **overrides: Any) -> dict[str, Any]:
    data = {
        "task": task(alxa, "A2.1").pk,
        "title": "编制医院“十四五”发展规划（修订）",
        "responsible": person("H004-P01").pk,
        "starts_on": "2021-07-01",
        "due_on": "2021-11-30",
        "description": "院长办公会审议",
    }
    data.update(overrides)
    return data


def test_item_edit_form_starts_from_the_item_and_saves_through_the_service(alxa: Alxa) -> None:
    item = _item(alxa)
    client = _client(alxa.reporter)
    detail = client.get(f"/actions/{item.pk}/").content.decode()
    assert f'href="/actions/{item.pk}/edit/"' in detail
    page = client.get(f"/actions/{item.pk}/edit/").content.decode()
    assert "修改行动项" in page
    assert 'type="date" name="due_on" value="2021-10-31"' in page
    # The responsible person is one of the hospital's people, and only those are offered.
    assert "郭玉梅" in page  # H004-P01
    assert person("H006-P01").name not in page
    response = client.post(f"/actions/{item.pk}/edit/", _item_post(alxa))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/actions/{item.pk}/"
    item.refresh_from_db()
    assert (item.title, item.responsible, item.due_on, item.description) == (
        "编制医院“十四五”发展规划（修订）",
        person("H004-P01"),
        dt.date(2021, 11, 30),
        "院长办公会审议",
    )
    record = ChangeRecord.objects.get(action="update", object_id=str(item.pk))
    assert record.actor == alxa.reporter
    assert record.channel == WEB
    assert record.changes["due_on"] == ["2021-10-31", "2021-11-30"]
    history = client.get(f"/actions/{item.pk}/").content.decode().split('id="history"')[1]
    assert "修改行动项" in history
    assert "完成时限" in history
    assert "2021-10-31" in history
    assert "2021-11-30" in history


def test_item_edit_bad_input_shows_chinese_field_errors_and_changes_nothing(alxa: Alxa) -> None:
    item = _item(alxa)
    client = _client(alxa.reporter)
    html = client.post(
        f"/actions/{item.pk}/edit/", _item_post(alxa, title="", due_on="31/10/2021", responsible="")
    ).content.decode()
    assert html.count("该字段是必填项。") == 2  # title and responsible
    assert "输入一个有效的日期。" in html
    refused = client.post(
        f"/actions/{item.pk}/edit/", _item_post(alxa, starts_on="2021-09-01", due_on="2021-08-01")
    ).content.decode()
    assert "完成时限不能早于开始日期" in refused
    # Someone of another hospital is not offered, and a forged id is refused as a choice.
    forged = client.post(
        f"/actions/{item.pk}/edit/", _item_post(alxa, responsible=person("H006-P01").pk)
    ).content.decode()
    assert "选择一个有效的选项" in forged
    item.refresh_from_db()
    assert (item.title, item.responsible) == ("编制医院十四五发展规划", person("H004-P02"))
    assert not ChangeRecord.objects.filter(action="update").exists()


def test_item_delete_removes_roadmap_progress_and_evidence_and_keeps_history(
    alxa: Alxa, set_clock: SetClock
) -> None:
    item = _item(alxa)
    roadmap_milestone_create(
        actor=alxa.reporter, channel=WEB, action_item=item, title="征求意见", due_on=dt.date(2021, 8, 15)
    )
    progress_record(
        actor=alxa.reporter,
        channel=WEB,
        action_item=item,
        month=JULY,
        status="on_track",
        evidence=[upload("初稿.pdf", PDF)],
    )
    client = _client(alxa.reporter)
    detail = client.get(f"/actions/{item.pk}/").content.decode()
    assert 'id="action-item-delete-form"' in detail
    assert 'data-confirm="确定删除行动项“编制医院十四五发展规划”及其路线图和进展？"' in detail
    response = client.post(f"/actions/{item.pk}/delete/", {"reason": "与A2.2重复"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/hospitals/{alxa.h004.pk}/actions/"
    assert not ActionItem.objects.exists()
    assert not RoadmapMilestone.objects.exists()
    assert not ProgressEntry.objects.exists()
    assert not ProgressEvidence.objects.exists()
    record = ChangeRecord.objects.get(action="delete", object_id=str(item.pk))
    assert (record.reason, record.actor, record.changes["title"]) == (
        "与A2.2重复",
        alxa.reporter,
        ["编制医院十四五发展规划", None],
    )
    plan = client.get(response.headers["Location"]).content.decode()
    assert "已删除行动项：编制医院十四五发展规划。" in plan


def test_item_with_progress_in_a_frozen_month_cannot_be_deleted(alxa: Alxa, set_clock: SetClock) -> None:
    item = _item(alxa)
    progress_record(actor=alxa.reporter, channel=WEB, action_item=item, month=JULY, status="on_track")
    make_report(alxa, state="submitted")  # July in review: frozen for the hospital
    client = _client(alxa.reporter)
    html = client.post(f"/actions/{item.pk}/delete/", {"reason": "重复"}, follow=True).content.decode()
    assert "未删除：2021年07月的月度自查报告" in html
    assert ActionItem.objects.filter(pk=item.pk).exists()
    assert ProgressEntry.objects.count() == 1
    assert not ChangeRecord.objects.filter(action="delete").exists()


def test_roadmap_step_edit_and_delete(alxa: Alxa) -> None:
    item = _item(alxa)
    step = roadmap_milestone_create(
        actor=alxa.reporter, channel=WEB, action_item=item, title="征求意见", due_on=dt.date(2021, 8, 15)
    )
    client = _client(alxa.reporter)
    detail = client.get(f"/actions/{item.pk}/").content.decode()
    assert f'href="/roadmap/{step.pk}/edit/"' in detail
    assert 'data-confirm="删除路线图节点“征求意见”？"' in detail
    page = client.get(f"/roadmap/{step.pk}/edit/").content.decode()
    assert 'value="征求意见"' in page
    assert 'type="date" name="due_on" value="2021-08-15"' in page
    bad = client.post(f"/roadmap/{step.pk}/edit/", {"title": "", "due_on": "2021-13-01"}).content.decode()
    assert "该字段是必填项。" in bad
    assert "输入一个有效的日期。" in bad
    outside = client.post(f"/roadmap/{step.pk}/edit/", {"title": "印发", "due_on": "2021-12-15"})
    assert "路线图节点日期须在行动项的开始日期" in outside.content.decode()
    response = client.post(
        f"/roadmap/{step.pk}/edit/",
        {"title": "院长办公会审议", "due_on": "2021-08-20", "done_on": "2021-08-19"},
    )
    assert response.status_code == 302
    step.refresh_from_db()
    assert (step.title, step.due_on, step.done_on) == (
        "院长办公会审议",
        dt.date(2021, 8, 20),
        dt.date(2021, 8, 19),
    )
    deleted = client.post(f"/roadmap/{step.pk}/delete/", {"reason": "并入下一节点"}, follow=True)
    html = deleted.content.decode()
    assert "已删除路线图节点：院长办公会审议。" in html
    assert RoadmapMilestone.objects.count() == 1  # the step the item was created with
    # The deleted step's rows stay in the item's history, its deletion with the reason.
    history = html.split('id="history"')[1]
    assert "删除路线图节点" in history
    assert "并入下一节点" in history
    assert "修改路线图节点" in history
    assert "新增路线图节点" in history


def test_progress_edit_and_delete(alxa: Alxa, set_clock: SetClock) -> None:
    item = _item(alxa)
    entry = progress_record(
        actor=alxa.reporter, channel=WEB, action_item=item, month=JULY, status="on_track", note="起草"
    )
    client = _client(alxa.reporter)
    detail = client.get(f"/actions/{item.pk}/").content.decode()
    assert f'href="/progress/{entry.pk}/edit/"' in detail
    page = client.get(f"/progress/{entry.pk}/edit/").content.decode()
    assert "修改2021年07月进展" in page
    assert 'id="month-frozen"' not in page
    bad = client.post(f"/progress/{entry.pk}/edit/", {"status": "overdue", "note": "x"}).content.decode()
    assert "选择一个有效的选项。 overdue 不在可用的选项中。" in bad
    response = client.post(
        f"/progress/{entry.pk}/edit/",
        {"status": "at_risk", "note": "征求意见延迟", "evidence": [upload("意见汇总.pdf", PDF)]},
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    item.refresh_from_db()
    assert (entry.status, entry.note, entry.evidence.count()) == ("at_risk", "征求意见延迟", 1)
    assert item.current_status == "at_risk"
    history = client.get(f"/actions/{item.pk}/").content.decode().split('id="history"')[1]
    assert "修改月度进展" in history
    assert "按计划推进" in history  # the status by its label, old → new
    assert "存在风险" in history
    html = client.post(f"/progress/{entry.pk}/delete/", {"reason": "误报"}, follow=True).content.decode()
    assert "已删除2021年07月进展。" in html
    assert not ProgressEntry.objects.exists()
    item.refresh_from_db()
    assert item.current_status == "not_started"
    assert "删除月度进展" in html.split('id="history"')[1]


@pytest.mark.parametrize("state", ["submitted", "approved"])
def test_progress_of_a_frozen_month_is_shown_frozen_and_refused(
    alxa: Alxa, set_clock: SetClock, state: str
) -> None:
    item = _item(alxa)
    entry = progress_record(actor=alxa.reporter, channel=WEB, action_item=item, month=JULY, status="on_track")
    make_report(alxa, state=state)
    client = _client(alxa.reporter)
    detail = client.get(f"/actions/{item.pk}/").content.decode()
    assert "已冻结" in detail
    assert f'href="/progress/{entry.pk}/edit/"' not in detail
    page = client.get(f"/progress/{entry.pk}/edit/").content.decode()
    assert 'id="month-frozen"' in page
    assert "2021年07月的月度自查报告" in page
    assert "<fieldset disabled>" in page
    refused = client.post(f"/progress/{entry.pk}/edit/", {"status": "done", "note": "完成"}).content.decode()
    assert "2021年07月的月度自查报告" in refused
    deleted = client.post(f"/progress/{entry.pk}/delete/", follow=True).content.decode()
    assert "未删除：2021年07月的月度自查报告" in deleted
    entry.refresh_from_db()
    assert entry.status == "on_track"
    assert not ChangeRecord.objects.filter(action__in=["update", "delete"], object_id=str(entry.pk)).exists()


def test_another_hospitals_rows_are_404(alxa: Alxa, set_clock: SetClock) -> None:
    item = _item(alxa, "H006")
    step = roadmap_milestone_create(
        actor=alxa.admin, channel=WEB, action_item=item, title="征求意见", due_on=dt.date(2021, 8, 15)
    )
    entry = progress_record(actor=alxa.admin, channel=WEB, action_item=item, month=JULY, status="on_track")
    client = _client(alxa.reporter)
    for url in (f"/actions/{item.pk}/edit/", f"/roadmap/{step.pk}/edit/", f"/progress/{entry.pk}/edit/"):
        assert client.get(url).status_code == 404
        assert client.post(url, {"title": "x", "status": "done"}).status_code == 404
    deletes = (f"/actions/{item.pk}/delete/", f"/roadmap/{step.pk}/delete/", f"/progress/{entry.pk}/delete/")
    for url in deletes:
        assert client.post(url).status_code == 404
    assert ActionItem.objects.filter(pk=item.pk).exists()
    assert RoadmapMilestone.objects.filter(pk=step.pk).exists()
    assert ProgressEntry.objects.filter(pk=entry.pk).exists()
    assert not ChangeRecord.objects.filter(action__in=["update", "delete"]).exists()


def test_reviewer_is_not_shown_the_edit_buttons(alxa: Alxa) -> None:
    item = _item(alxa)
    html = _client(alxa.banner_reviewer).get(f"/actions/{item.pk}/").content.decode()
    assert 'id="action-item-edit"' not in html
    assert 'id="action-item-delete-form"' not in html
    assert 'id="action-item-edit"' in _client(alxa.reporter).get(f"/actions/{item.pk}/").content.decode()
