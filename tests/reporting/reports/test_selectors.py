"""The report's contents come from the month's records (lectures, action-item progress, indicator values),
and the records' rules block a submission."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from campaign.models import ProgressEntry, ProgressStatus
from campaign.services import lecture_create
from reporting.indicators.models import IndicatorValue
from reporting.reports.selectors import (
    report_changes_since_last_review,
    report_contents,
    report_open_warnings,
)
from reporting.reports.services import CommentInput, report_return, report_submit, report_update
from tests.campaign.conftest import h004_action_item, lecture_data
from tests.conftest import Alxa
from tests.factories import indicator_value
from tests.reporting.conftest import JULY, SetClock, fill_indicators, make_report

pytestmark = pytest.mark.django_db


def _narrative(report_id: int, alxa: Alxa) -> None:
    report_update(report_id=report_id, actor=alxa.reporter, problems="无", corrections="无")


def test_the_contents_hold_the_months_lectures_progress_and_indicators(
    alxa: Alxa, set_clock: SetClock
) -> None:
    lecture = lecture_create(actor=alxa.reporter, channel="web", data=lecture_data(alxa))
    item = h004_action_item(alxa, current_status=ProgressStatus.ON_TRACK)
    ProgressEntry.objects.create(
        action_item=item, month=JULY, status=ProgressStatus.ON_TRACK, note="已点评1200张"
    )
    indicator_value("O4.2-b", alxa.h004, JULY, count=42)
    report = make_report(alxa)
    contents = report_contents(report)
    assert contents[f"lecture:{lecture.pk}"]["label"] == "07-10 院内宣讲：推动公立医院高质量发展"
    assert contents[f"action_item:{item.pk}"] == {
        "kind": "action_item",
        "label": "A3.2 处方点评全覆盖",
        "value": "按计划推进：已点评1200张",
    }
    assert contents["indicator:O4.2-b"]["value"] == "42"
    assert contents["indicator:O2.2-a"]["value"] == "未填报"


def test_missing_indicators_and_missing_progress_block_the_submission(
    alxa: Alxa, set_clock: SetClock
) -> None:
    report = make_report(alxa)
    _narrative(report.pk, alxa)
    h004_action_item(alxa)
    with pytest.raises(ValidationError) as exc:
        report_submit(report_id=report.pk, actor=alxa.reporter)
    messages = exc.value.messages
    assert messages[0] == "指标“O1.1-a 党员社区志愿服务活动次数”尚未填报。"
    assert any(m.startswith("另有") and m.endswith("项指标尚未填报。") for m in messages)
    assert messages[-1] == "行动项“A3.2 处方点评全覆盖”缺少2021年07月进展。"

    fill_indicators(alxa.h004, JULY)
    with pytest.raises(ValidationError, match="缺少2021年07月进展"):
        report_submit(report_id=report.pk, actor=alxa.reporter)


def test_an_unexplained_soft_warning_blocks_and_an_explained_one_keeps_the_report_out_of_bulk_approval(
    alxa: Alxa, set_clock: SetClock
) -> None:
    report = make_report(alxa)
    _narrative(report.pk, alxa)
    fill_indicators(alxa.h004, JULY)
    indicator_value("O4.2-b", alxa.h004, dt.date(2020, 7, 1), count=1)  # 5 this year: +400 %
    with pytest.raises(ValidationError, match=r"较上年同月\(1\)变化\+400.0%"):
        report_submit(report_id=report.pk, actor=alxa.reporter)
    IndicatorValue.objects.filter(hospital=alxa.h004, month=JULY, indicator__code="O4.2-b").update(
        explanation="7月起医共体集中下转慢病患者"
    )
    report_submit(report_id=report.pk, actor=alxa.reporter)
    report.refresh_from_db()
    assert report.status == "submitted"
    assert len(report_open_warnings(report)) == 1


def test_a_return_points_at_an_indicator_and_the_resubmission_shows_its_change(
    alxa: Alxa, set_clock: SetClock
) -> None:
    report = make_report(alxa, state="submitted")
    report_return(
        report_id=report.pk,
        actor=alxa.banner_reviewer,
        reason="",
        comments=[
            CommentInput(text="下转人数与医共体台账不符", item_kind="indicator", item_key="indicator:O4.2-b")
        ],
    )
    IndicatorValue.objects.filter(hospital=alxa.h004, month=JULY, indicator__code="O4.2-b").update(count=7)
    report_submit(report_id=report.pk, actor=alxa.reporter)
    report.refresh_from_db()
    changes = report_changes_since_last_review(report)
    assert [(c["key"], c["old"], c["new"]) for c in changes] == [("indicator:O4.2-b", "5", "7")]
    assert report.reviews.get().comments.get().item_label.startswith("O4.2-b 下转患者人数")
