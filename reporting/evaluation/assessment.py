"""The 绩效考核 results (全国和自治区公立医院绩效考核结果, notice §三(四)) in the December evaluation: the
league downloads a workbook of its hospitals pre-filled with what is stored, fills the national and the
regional score of each, uploads it, reads the dry run, confirms.

The machinery is the indicator template's (``core.xlsx``, ``reporting.indicators.template``): the
zip inspected before any XML is parsed, the workbook read through defusedxml, a hidden, protected meta
sheet naming the template, its version and the campaign, unlocked input cells, every error by sheet and
A1 cell, every change old → new, and a confirm that writes the stored rows (never the file again) all
or nothing, refusing when a stored result changed after the dry run. Each result written has its
history (channel "excel").
"""

from __future__ import annotations

import hashlib
import io
from decimal import Decimal
from typing import Any

import openpyxl
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from openpyxl.styles import Font, Protection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from campaign.models import Campaign
from campaign.selectors import campaign_hospitals, require_campaign_in_scope
from core import clock
from core.xlsx import cell_text, inspect_xlsx, read_meta, read_workbook, refuse, write_meta
from exports.writer import save_workbook
from hospitals.audit import record_change
from hospitals.models import ChangeRecord, Hospital, User
from hospitals.selectors import AnyUser
from reporting.evaluation.models import AssessmentImport, AssessmentResult, Evaluation
from reporting.indicators.template import INPUT_FILL, LOCKED_FILL, DryRun, _number_cell

TEMPLATE_ID = "jjx-assessment-results"
TEMPLATE_VERSION = "1"
DATA_SHEET = "绩效考核结果"
HEADER_ROW = 4
FIRST_ROW = HEADER_ROW + 1
COL_CODE, COL_NAME, COL_BANNER, COL_NATIONAL, COL_REGIONAL = "A", "B", "C", "D", "E"
HEADERS = ["机构编码", "医院", "旗(区)", "全国绩效考核得分", "自治区绩效考核得分"]
WIDTHS = [12, 32, 16, 18, 20]
FIELDS = {"national_score": COL_NATIONAL, "regional_score": COL_REGIONAL}
FIELD_LABELS = {"national_score": "全国绩效考核得分", "regional_score": "自治区绩效考核得分"}
HUNDRED = Decimal(100)


def _require_league(actor: AnyUser, campaign: Campaign) -> User:
    if not isinstance(actor, User) or not actor.is_active or not actor.is_league_level:
        raise PermissionDenied("只有盟审核员可以导入绩效考核结果。")
    require_campaign_in_scope(actor, campaign)
    return actor


def _plain(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.quantize(Decimal('0.01')):f}"


def _stored(result: AssessmentResult | None) -> dict[str, str | None] | None:
    return None if result is None else {f: _plain(getattr(result, f)) for f in FIELDS}


def assessment_template_build(*, campaign: Campaign) -> bytes:
    """The campaign's hospitals, one a row, pre-filled with the stored results. Three queries."""
    hospitals = list(campaign_hospitals(campaign).select_related("banner").order_by("banner__path", "code"))
    stored = {r.hospital_id: r for r in AssessmentResult.objects.filter(campaign=campaign)}
    wb = openpyxl.Workbook()
    ws = wb.active
    assert isinstance(ws, Worksheet)
    ws.title = DATA_SHEET
    ws["A1"] = f"{campaign.name} 全国和自治区公立医院绩效考核结果"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = "得分按百分制填写(0–100，可保留两位小数)；未参加某项考核的医院留空。"
    ws["A3"] = "只能填写黄色单元格；上传后先预览，确认后才写入。"
    for col, (header, width) in enumerate(zip(HEADERS, WIDTHS, strict=True), start=1):
        cell = ws.cell(row=HEADER_ROW, column=col, value=header)
        cell.font = Font(bold=True)
        cell.fill = LOCKED_FILL
        ws.column_dimensions[cell.column_letter].width = width
    ws.freeze_panes = f"A{FIRST_ROW}"
    score_dv = DataValidation(
        type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True,
        showErrorMessage=True, errorTitle="得分有误", error="请填写0到100之间的得分。",
    )  # fmt: skip
    ws.add_data_validation(score_dv)
    for row, hospital in enumerate(hospitals, start=FIRST_ROW):
        ws[f"{COL_CODE}{row}"] = hospital.code
        ws[f"{COL_NAME}{row}"] = hospital.name
        ws[f"{COL_BANNER}{row}"] = hospital.banner.name
        result = stored.get(hospital.pk)
        for field_name, column in FIELDS.items():
            cell = ws[f"{column}{row}"]
            cell.protection = Protection(locked=False)
            cell.fill = INPUT_FILL
            score_dv.add(cell.coordinate)
            if result is not None and getattr(result, field_name) is not None:
                cell.value = float(getattr(result, field_name))
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    write_meta(wb, [("template", TEMPLATE_ID), ("version", TEMPLATE_VERSION), ("campaign", campaign.code)])
    out = io.BytesIO()
    save_workbook(wb, out)
    return out.getvalue()


def _check_meta(wb: openpyxl.Workbook, campaign: Campaign) -> Worksheet:
    wrong = "这不是本系统下载的绩效考核结果模板，请先在年终评估页下载模板再填写。"
    meta = read_meta(wb, rows=3)
    if meta is None or DATA_SHEET not in wb.sheetnames or meta.get("template") != TEMPLATE_ID:
        raise refuse(wrong, "wrong_template")
    if meta.get("version") != TEMPLATE_VERSION:
        raise refuse(f"模板版本({meta.get('version')})已停用，请重新下载模板。", "wrong_template_version")
    if meta.get("campaign") != campaign.code:
        raise refuse(
            f"该模板属于其他活动({meta.get('campaign')})，不能导入到{campaign.name}。", "other_campaign"
        )
    sheet = wb[DATA_SHEET]
    assert isinstance(sheet, Worksheet)
    return sheet


def _score(value: Any) -> tuple[Decimal | None, str | None]:
    """(score, error message): a number from 0 to 100 with at most two decimals, or an empty cell."""
    number = _number_cell(value)
    if number is None:
        return None, None
    if not isinstance(number, Decimal) or not number.is_finite():
        return None, f"“{cell_text(value)}”不是数字，得分须为0到100之间的数字。"
    if not Decimal(0) <= number <= HUNDRED:
        return None, f"得分{number.normalize():f}超出0到100的范围。"
    if number != number.quantize(Decimal("0.01")):
        return None, f"得分{number.normalize():f}最多保留两位小数。"
    return number, None


def _dry_run(sheet: Worksheet, campaign: Campaign) -> DryRun:
    hospitals = {h.code: h for h in campaign_hospitals(campaign)}
    existing = {r.hospital_id: r for r in AssessmentResult.objects.filter(campaign=campaign)}
    run = DryRun([], [], [])
    seen_codes: set[str] = set()

    def error(cell: str, message: str, code: str) -> None:
        run.errors.append({"sheet": DATA_SHEET, "cell": cell, "code": code, "message": message})

    for r in range(FIRST_ROW, sheet.max_row + 1):
        code = cell_text(sheet[f"{COL_CODE}{r}"].value)
        if not code:
            continue
        hospital: Hospital | None = hospitals.get(code)
        if hospital is None:
            error(f"{COL_CODE}{r}", f"机构编码“{code}”不是{campaign.name}的医院。", "unknown_hospital")
            continue
        if code in seen_codes:
            error(f"{COL_CODE}{r}", f"医院“{code}”重复出现。", "duplicate_row")
            continue
        seen_codes.add(code)
        values: dict[str, str | None] = {}
        bad = False
        for field_name, column in FIELDS.items():
            score, message = _score(sheet[f"{column}{r}"].value)
            if message is not None:
                error(f"{column}{r}", message, "invalid_score")
                bad = True
            values[field_name] = _plain(score)
        if bad:
            continue
        old = existing.get(hospital.pk)
        before = _stored(old) or dict.fromkeys(FIELDS)
        if old is None and all(v is None for v in values.values()):
            continue  # nothing stored, nothing filled
        run.rows.append(
            {
                "hospital": hospital.pk,
                "hospital_code": hospital.code,
                **values,
                "seen": _stored(old),
                "cells": {f: f"{DATA_SHEET}!{c}{r}" for f, c in FIELDS.items()},
            }
        )
        for field_name, column in FIELDS.items():
            if values[field_name] != before[field_name]:
                run.changes.append(
                    {
                        "hospital_code": hospital.code,
                        "hospital_name": hospital.name,
                        "field": field_name,
                        "field_label": FIELD_LABELS[field_name],
                        "cell": f"{DATA_SHEET}!{column}{r}",
                        "old": before[field_name],
                        "new": values[field_name],
                    }
                )
    if not run.rows and not run.errors:
        error(f"{COL_NATIONAL}{FIRST_ROW}", "未填写任何绩效考核结果。", "empty")
    return run


def _require_draft(campaign: Campaign) -> None:
    if Evaluation.objects.filter(campaign=campaign, published_at__isnull=False).exists():
        raise ValidationError("年终评估已发布，不能再导入绩效考核结果。", code="published")


def assessment_import_create(
    *, actor: AnyUser, campaign: Campaign, data: bytes, file_name: str = ""
) -> AssessmentImport:
    """Dry-run an uploaded 绩效考核 workbook; store what confirming would do. A file that is not our
    template for this campaign raises ``ValidationError`` and stores nothing; otherwise the import is
    stored as "invalid" with every cell error, or "pending" with every change old → new."""
    user = _require_league(actor, campaign)
    _require_draft(campaign)
    inspect_xlsx(data, what="绩效考核结果模板")
    sheet = _check_meta(read_workbook(data), campaign)
    run = _dry_run(sheet, campaign)
    return AssessmentImport.objects.create(
        campaign=campaign,
        status=AssessmentImport.Status.INVALID if run.errors else AssessmentImport.Status.PENDING,
        file_name=file_name[:200],
        file_sha256=hashlib.sha256(data).hexdigest(),
        rows=run.rows,
        errors=run.errors,
        changes=run.changes,
        uploaded_by=user,
    )


@transaction.atomic
def assessment_import_confirm(
    *, actor: AnyUser, batch: AssessmentImport, channel: str = ChangeRecord.Channel.EXCEL
) -> list[AssessmentResult]:
    """Write a dry run's rows, all or nothing; every result written has its history (old → new)."""
    batch = AssessmentImport.objects.select_for_update().select_related("campaign__league").get(pk=batch.pk)
    user = _require_league(actor, batch.campaign)
    _require_draft(batch.campaign)
    if batch.status != AssessmentImport.Status.PENDING:
        message = "该导入有错误，请修改后重新上传。" if batch.errors else "该导入已确认，不能重复导入。"
        raise ValidationError(message, code="import_not_pending")
    existing = {
        r.hospital_id: r
        for r in AssessmentResult.objects.select_for_update().filter(
            campaign=batch.campaign, hospital_id__in=[row["hospital"] for row in batch.rows]
        )
    }
    changed = []
    for row in batch.rows:
        now = _stored(existing.get(row["hospital"]))
        if now != row["seen"]:
            for field_name in FIELDS:
                before = (row["seen"] or {}).get(field_name)
                after = (now or {}).get(field_name)
                if before != after:
                    changed.append(
                        f"{row['cells'][field_name]}（{row['hospital_code']} {FIELD_LABELS[field_name]}："
                        f"预览时为{before or '空'}，现为{after or '空'}）"
                    )
    if changed:
        raise ValidationError(
            f"预览之后以下单元格对应的已存数据已被修改：{'；'.join(changed)}。未导入任何数据，请重新下载模板填写后上传。",
            code="stale_import",
        )
    saved = []
    reason = f"Excel导入 #{batch.pk} {batch.file_name}"
    for row in batch.rows:
        result = existing.get(row["hospital"])
        before = _stored(result) or dict.fromkeys(FIELDS)
        if result is None:
            result = AssessmentResult(campaign=batch.campaign, hospital_id=row["hospital"])
        for field_name in FIELDS:
            value = row[field_name]
            setattr(result, field_name, None if value is None else Decimal(value))
        result.full_clean(validate_unique=False)
        result.save()
        saved.append(result)
        changes = {f: [before[f], row[f]] for f in FIELDS if before[f] != row[f]}
        if changes:
            record_change(
                result, action="assessment_result_import", actor=user, channel=channel, changes=changes,
                reason=reason,
            )  # fmt: skip
    batch.status = AssessmentImport.Status.CONFIRMED
    batch.confirmed_at = clock.now()
    batch.save(update_fields=["status", "confirmed_at"])
    record_change(
        batch,
        action="assessment_import_confirm",
        actor=user,
        channel=channel,
        changes={"status": [AssessmentImport.Status.PENDING, AssessmentImport.Status.CONFIRMED]},
    )
    return saved
