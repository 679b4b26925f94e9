"""The 绩效考核 results (全国和自治区公立医院绩效考核结果) taken from the league's workbook: the indicator
template's dry run and confirm (errors by sheet and cell, old → new, all or nothing, history), and their
weight in the December evaluation."""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from campaign.models import Campaign
from hospitals.audit import history_of
from reporting.evaluation.assessment import (
    DATA_SHEET,
    FIRST_ROW,
    assessment_import_confirm,
    assessment_import_create,
    assessment_template_build,
)
from reporting.evaluation.models import AssessmentImport, AssessmentResult, Evaluation
from reporting.evaluation.services import evaluation_build, evaluation_publish
from reporting.indicators.template import indicator_template_build
from tests.conftest import Alxa
from tests.reporting.conftest import JULY, SetClock

pytestmark = pytest.mark.django_db


def _rows(content: bytes) -> dict[str, int]:
    """Hospital code → its (first) sheet row in the template."""
    sheet = openpyxl.load_workbook(io.BytesIO(content))[DATA_SHEET]
    rows: dict[str, int] = {}
    for r in range(FIRST_ROW, sheet.max_row + 1):
        rows.setdefault(sheet.cell(row=r, column=1).value, r)
    return rows


def filled(
    campaign: Campaign, values: dict[str, tuple[Any, Any]], extra: Sequence[tuple[Any, ...]] = ()
) -> bytes:
    """The campaign's template with (national, regional) typed into the rows of the named hospitals, and
    ``extra`` rows appended (code, name, banner, national, regional)."""
    wb = openpyxl.load_workbook(io.BytesIO(assessment_template_build(campaign=campaign)))
    sheet = wb[DATA_SHEET]
    rows = {sheet.cell(row=r, column=1).value: r for r in range(FIRST_ROW, sheet.max_row + 1)}
    for code, (national, regional) in values.items():
        sheet[f"D{rows[code]}"] = national
        sheet[f"E{rows[code]}"] = regional
    for row in extra:
        sheet.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_the_template_lists_every_hospital_prefilled_and_protected(alxa: Alxa) -> None:
    AssessmentResult.objects.create(
        campaign=alxa.campaign, hospital=alxa.h004, national_score=Decimal("81.5"), regional_score=None
    )
    content = assessment_template_build(campaign=alxa.campaign)
    wb = openpyxl.load_workbook(io.BytesIO(content))
    sheet = wb[DATA_SHEET]
    rows = _rows(content)
    assert len(rows) == 10
    assert [sheet.cell(row=4, column=c).value for c in range(1, 6)] == [
        "机构编码", "医院", "旗(区)", "全国绩效考核得分", "自治区绩效考核得分",
    ]  # fmt: skip
    r = rows["H004"]
    assert (sheet[f"B{r}"].value, sheet[f"C{r}"].value) == ("阿拉善左旗人民医院", "阿拉善左旗")
    assert (sheet[f"D{r}"].value, sheet[f"E{r}"].value) == (81.5, None)
    assert sheet.protection.sheet
    assert not sheet[f"D{r}"].protection.locked
    assert sheet[f"B{r}"].protection.locked
    assert wb["_meta"].sheet_state == "veryHidden"


def test_the_dry_run_names_every_bad_cell_and_writes_nothing(alxa: Alxa) -> None:
    content = filled(
        alxa.campaign,
        {"H004": (85, "好"), "H001": (120, 90.5), "H006": (88.123, None)},
        extra=[("H999", "不存在的医院", "", 80, 80), ("H004", "重复", "", 70, 70)],
    )
    batch = assessment_import_create(
        actor=alxa.league_reviewer, campaign=alxa.campaign, data=content, file_name="绩效考核.xlsx"
    )
    rows = _rows(content)
    assert batch.status == AssessmentImport.Status.INVALID
    errors = {(e["sheet"], e["cell"]): e["message"] for e in batch.errors}
    assert errors == {
        (DATA_SHEET, f"E{rows['H004']}"): "“好”不是数字，得分须为0到100之间的数字。",
        (DATA_SHEET, f"D{rows['H001']}"): "得分120超出0到100的范围。",
        (DATA_SHEET, f"D{rows['H006']}"): "得分88.123最多保留两位小数。",
        (DATA_SHEET, f"A{FIRST_ROW + 10}"): f"机构编码“H999”不是{alxa.campaign.name}的医院。",
        (DATA_SHEET, f"A{FIRST_ROW + 11}"): "医院“H004”重复出现。",
    }
    with pytest.raises(ValidationError, match="该导入有错误"):
        assessment_import_confirm(actor=alxa.league_reviewer, batch=batch)
    assert not AssessmentResult.objects.exists()


def test_confirm_writes_old_to_new_all_or_nothing_with_history(alxa: Alxa) -> None:
    AssessmentResult.objects.create(
        campaign=alxa.campaign, hospital=alxa.h004, national_score=Decimal("70"), regional_score=Decimal("75")
    )
    content = filled(alxa.campaign, {"H004": (85.5, 75), "H001": (None, 92)})
    batch = assessment_import_create(actor=alxa.league_reviewer, campaign=alxa.campaign, data=content)
    assert batch.status == AssessmentImport.Status.PENDING
    rows = _rows(content)
    # In the sheet's order (by banner, then code); H004's unchanged regional score is no change.
    assert [(c["hospital_code"], c["field"], c["cell"], c["old"], c["new"]) for c in batch.changes] == [
        ("H001", "regional_score", f"{DATA_SHEET}!E{rows['H001']}", None, "92.00"),
        ("H004", "national_score", f"{DATA_SHEET}!D{rows['H004']}", "70.00", "85.50"),
    ]
    saved = assessment_import_confirm(actor=alxa.league_reviewer, batch=batch)
    assert {(r.hospital.code, r.national_score, r.regional_score) for r in saved} == {
        ("H004", Decimal("85.50"), Decimal("75.00")),
        ("H001", None, Decimal("92.00")),
    }
    h004 = AssessmentResult.objects.get(hospital=alxa.h004)
    record = history_of(h004).get(action="assessment_result_import")
    assert (record.channel, record.changes) == ("excel", {"national_score": ["70.00", "85.50"]})
    assert record.actor == alxa.league_reviewer
    batch.refresh_from_db()
    assert batch.status == AssessmentImport.Status.CONFIRMED
    with pytest.raises(ValidationError, match="已确认"):
        assessment_import_confirm(actor=alxa.league_reviewer, batch=batch)


def test_a_result_changed_after_the_dry_run_refuses_the_whole_import(alxa: Alxa) -> None:
    content = filled(alxa.campaign, {"H004": (85, 80), "H001": (90, 91)})
    batch = assessment_import_create(actor=alxa.league_reviewer, campaign=alxa.campaign, data=content)
    # Someone stores H001's result in between (another upload confirmed first).
    AssessmentResult.objects.create(campaign=alxa.campaign, hospital=alxa.h001, national_score=Decimal("60"))
    with pytest.raises(ValidationError, match=f"{DATA_SHEET}!D{_rows(content)['H001']}") as refused:
        assessment_import_confirm(actor=alxa.league_reviewer, batch=batch)
    assert "预览时为空，现为60.00" in refused.value.messages[0]
    # Nothing written: H004 has no result, H001 still the one stored in between.
    assert list(AssessmentResult.objects.values_list("hospital__code", "national_score")) == [
        ("H001", Decimal("60.00"))
    ]


def test_files_that_are_not_the_template_are_refused_and_store_nothing(alxa: Alxa) -> None:
    def refused(data: bytes) -> str:
        with pytest.raises(ValidationError) as error:
            assessment_import_create(actor=alxa.league_reviewer, campaign=alxa.campaign, data=data)
        return error.value.message_dict["file"][0]

    assert "不是Excel工作簿" in refused(b"not a workbook")
    # The indicator template is an xlsx of this system, but not this one.
    indicator = indicator_template_build(campaign=alxa.campaign, month=JULY, hospital=alxa.h004)
    assert "不是本系统下载的绩效考核结果模板" in refused(indicator)
    assert not AssessmentImport.objects.exists()


def test_only_a_league_reviewer_imports_and_not_after_publishing(alxa: Alxa, set_clock: SetClock) -> None:
    content = filled(alxa.campaign, {"H004": (85, 80)})
    for user in (alxa.reporter, alxa.banner_reviewer):
        with pytest.raises(PermissionDenied):
            assessment_import_create(actor=user, campaign=alxa.campaign, data=content)
    batch = assessment_import_create(actor=alxa.league_reviewer, campaign=alxa.campaign, data=content)
    set_clock("2021-12-20 10:00")
    evaluation_build(campaign_id=alxa.campaign.pk, actor=alxa.league_reviewer)
    evaluation_publish(campaign_id=alxa.campaign.pk, actor=alxa.league_reviewer)
    with pytest.raises(ValidationError, match="年终评估已发布"):
        assessment_import_confirm(actor=alxa.league_reviewer, batch=batch)
    with pytest.raises(ValidationError, match="年终评估已发布"):
        assessment_import_create(actor=alxa.league_reviewer, campaign=alxa.campaign, data=content)
    assert not AssessmentResult.objects.exists()


def test_the_results_weigh_in_the_evaluation_as_campaign_data(alxa: Alxa, set_clock: SetClock) -> None:
    content = filled(alxa.campaign, {"H004": (90, 70), "H001": (None, 80)})
    batch = assessment_import_create(actor=alxa.league_reviewer, campaign=alxa.campaign, data=content)
    assessment_import_confirm(actor=alxa.league_reviewer, batch=batch)
    set_clock("2021-12-20 10:00")
    evaluation_build(campaign_id=alxa.campaign.pk, actor=alxa.league_reviewer)
    h004 = Evaluation.objects.get(hospital=alxa.h004)
    # National and regional weigh alike (50 / 50): (90 + 70) / 2.
    assert h004.assessment_score == Decimal("80.00")
    assert h004.details["assessment"] == {"national": 90.0, "regional": 70.0, "missing": False}
    expected = (
        Decimal(35) * h004.lecture_score
        + Decimal(25) * h004.action_score
        + Decimal(25) * h004.outcome_score
        + Decimal(15) * Decimal(80)
    ) / 100
    assert abs(h004.total_score - expected) <= Decimal("0.01")
    # H001 has the regional result only: scored on that one.
    assert Evaluation.objects.get(hospital=alxa.h001).assessment_score == Decimal("80.00")
    # H006 has none: its assessment's 15 points are spread over the other three.
    h006 = Evaluation.objects.get(hospital=alxa.h006)
    assert h006.assessment_score is None
    assert h006.details["assessment"]["missing"] is True

    # The weight is the campaign's: at 0 the assessment changes nothing.
    Evaluation.objects.all().delete()
    Campaign.objects.filter(pk=alxa.campaign.pk).update(
        evaluation_rules={
            **alxa.campaign.evaluation_rules,
            "weights": {"lecture": 40, "action": 30, "outcome": 30, "assessment": 0},
        }
    )
    evaluation_build(campaign_id=alxa.campaign.pk, actor=alxa.league_reviewer)
    h004 = Evaluation.objects.get(hospital=alxa.h004)
    expected = (
        Decimal(40) * h004.lecture_score + Decimal(30) * h004.action_score + Decimal(30) * h004.outcome_score
    ) / 100
    assert abs(h004.total_score - expected) <= Decimal("0.01")
