"""The indicator Excel template and its import (SPEC §9 Import): download pre-filled, fill offline, upload,
see the dry run, confirm.

Contract:

- ``indicator_template_build`` makes the workbook of one unit (hospital or banner) and month. A hidden
  sheet carries the template id and version, the campaign, the unit and the month; input cells are
  unlocked and carry Excel data validation, everything else is protected. A month of the year before the
  campaign's is last year's baseline and loads the same way.
- ``indicator_import_create`` inspects the upload as a zip BEFORE any XML is parsed (size, entries,
  uncompressed size, content types, macros, DOCTYPE), then reads it with openpyxl (which parses through
  defusedxml), checks that it is our template for the unit and month the user named, and stores the dry
  run: every error by sheet and A1 cell, every change as old → new. A file refused as a whole raises
  ``ValidationError`` and stores nothing.
- ``indicator_import_confirm`` writes the stored rows (never the file again) through
  ``indicator_value_save`` with channel "excel", all or nothing. It refuses, naming each cell, when the
  stored value of any row it would write differs from the one the dry run saw, whether or not the dry
  run showed a change for that row: a correction made in between is never silently written back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import openpyxl
from django.core.exceptions import ValidationError
from django.db import transaction
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from campaign.models import Campaign, Indicator
from core import clock
from core.monthlock import require_month_editable
from core.xlsx import META_SHEET, cell_text, inspect_xlsx, read_workbook, refuse, write_meta
from exports.writer import save_workbook
from hospitals.audit import _plain, record_change
from hospitals.models import ChangeRecord, Hospital, OrgUnit
from hospitals.selectors import AnyUser
from reporting.indicators.models import IndicatorImport, IndicatorValue
from reporting.indicators.selectors import applicable_indicators, format_figure, indicators_of
from reporting.indicators.services import (
    actor_user,
    indicator_value_clean,
    indicator_value_save,
    require_owner_in_scope,
)

TEMPLATE_ID = "jjx-indicator-values"
# The whole baseline (last year's 12 months) in one workbook, one sheet per month.
BASELINE_TEMPLATE_ID = "jjx-indicator-baseline"
# Bump when the layout changes: an old file is then refused instead of being read wrongly.
TEMPLATE_VERSION = "1"
DATA_SHEET = "指标填报"
HEADER_ROW = 4
FIRST_ROW = HEADER_ROW + 1
# Column letters of the data sheet.
COL_CODE, COL_NAME, COL_ITEM, COL_NUMBER, COL_DENOMINATOR, COL_YES_NO, COL_LAST_YEAR, COL_EXPLANATION = (
    "A", "B", "C", "D", "E", "F", "G", "H",
)  # fmt: skip
HEADERS = ["指标编码", "指标名称", "填报项", "分子 / 数量", "分母", "是否(是/否)", "上年同月", "情况说明"]
WIDTHS = [10, 46, 36, 16, 16, 12, 18, 36]
YES, NO = "是", "否"
FIELD_COLUMN = {"numerator": COL_NUMBER, "count": COL_NUMBER, "denominator": COL_DENOMINATOR}
FIELD_LABELS = {
    "numerator": "分子",
    "denominator": "分母",
    "count": "数量",
    "answers": "是否",
    "explanation": "情况说明",
}
LOCKED_FILL = PatternFill("solid", fgColor="EEEEEE")
INPUT_FILL = PatternFill("solid", fgColor="FFF9E6")


def _unit_label(hospital: Hospital | None, unit: OrgUnit | None) -> tuple[str, str, str]:
    """(kind, code, name) of the unit a template belongs to."""
    if hospital is not None:
        return "hospital", hospital.code, hospital.name
    assert unit is not None
    return "banner", unit.code, unit.name


def require_unit_in_campaign(campaign: Campaign, hospital: Hospital | None, unit: OrgUnit | None) -> None:
    """A template exists only for a hospital or banner of the campaign's league."""
    path = hospital.banner.path if hospital is not None else unit.path if unit is not None else ""
    if not path.startswith(campaign.league.path) or (unit is not None and unit.kind != OrgUnit.Kind.BANNER):
        raise refuse(f"该单位不属于{campaign.name}，没有指标填报模板。", "not_applicable")


# ------------------------------------------------------------------------------------------- template


def _last_year_text(indicator: Indicator, value: IndicatorValue | None) -> str:
    if value is None:
        return "未填报"
    if indicator.value_type == Indicator.ValueType.RATIO:
        num, den = value.numerator or Decimal(0), value.denominator or Decimal(1)
        return f"{num.normalize():f}/{den.normalize():f} = {format_figure(indicator, num / den)}"
    if indicator.value_type == Indicator.ValueType.COUNT:
        return f"{value.count}"
    return "、".join(YES if a else NO for a in value.answers)


def indicator_template_build(
    *, campaign: Campaign, month: dt.date, hospital: Hospital | None = None, unit: OrgUnit | None = None
) -> bytes:
    """The pre-filled template of one unit and month, as xlsx bytes. Three queries."""
    require_unit_in_campaign(campaign, hospital, unit)
    kind, code, name = _unit_label(hospital, unit)
    indicators = applicable_indicators(indicators_of(campaign), hospital=hospital, unit=unit)
    stored = _stored_values(campaign, [month], hospital, unit)
    wb = openpyxl.Workbook()
    ws = wb.active
    assert isinstance(ws, Worksheet)
    ws.title = DATA_SHEET
    _write_data_sheet(ws, campaign=campaign, month=month, name=name, indicators=indicators, stored=stored)
    write_meta(
        wb,
        [
            ("template", TEMPLATE_ID),
            ("version", TEMPLATE_VERSION),
            ("campaign", campaign.code),
            ("unit_kind", kind),
            ("unit_code", code),
            ("month", f"{month:%Y-%m}"),
        ],
    )
    out = io.BytesIO()
    save_workbook(wb, out)
    return out.getvalue()


def baseline_months(campaign: Campaign) -> list[dt.date]:
    """The 12 months of the year before the campaign's: the baseline every indicator is compared with."""
    return [dt.date(campaign.year - 1, m, 1) for m in range(1, 13)]


def baseline_sheet_name(month: dt.date) -> str:
    return f"{month.month}月"


def baseline_template_build(
    *, campaign: Campaign, hospital: Hospital | None = None, unit: OrgUnit | None = None
) -> bytes:
    """One workbook for the whole baseline of one unit: a sheet per month of last year ("1月" … "12月"),
    each laid out as a month's template and pre-filled with what is stored. Three queries."""
    require_unit_in_campaign(campaign, hospital, unit)
    kind, code, name = _unit_label(hospital, unit)
    indicators = applicable_indicators(indicators_of(campaign), hospital=hospital, unit=unit)
    months = baseline_months(campaign)
    stored = _stored_values(campaign, months, hospital, unit)
    wb = openpyxl.Workbook()
    first = wb.active
    assert isinstance(first, Worksheet)
    for index, month in enumerate(months):
        ws = first if index == 0 else wb.create_sheet()
        ws.title = baseline_sheet_name(month)
        _write_data_sheet(ws, campaign=campaign, month=month, name=name, indicators=indicators, stored=stored)
    write_meta(
        wb,
        [
            ("template", BASELINE_TEMPLATE_ID),
            ("version", TEMPLATE_VERSION),
            ("campaign", campaign.code),
            ("unit_kind", kind),
            ("unit_code", code),
            ("year", str(campaign.year - 1)),
        ],
    )
    out = io.BytesIO()
    save_workbook(wb, out)
    return out.getvalue()


def _stored_values(
    campaign: Campaign, months: Sequence[dt.date], hospital: Hospital | None, unit: OrgUnit | None
) -> dict[tuple[int, dt.date], IndicatorValue]:
    """The unit's stored values of ``months`` and of the same months a year before, by (indicator, month)."""
    wanted = [*months, *(m.replace(year=m.year - 1) for m in months)]
    values = IndicatorValue.objects.filter(
        indicator__campaign=campaign, month__in=wanted, hospital=hospital, unit=unit
    )
    return {(v.indicator_id, v.month): v for v in values}


def _write_data_sheet(
    ws: Worksheet,
    *,
    campaign: Campaign,
    month: dt.date,
    name: str,
    indicators: Sequence[Indicator],
    stored: dict[tuple[int, dt.date], IndicatorValue],
) -> None:
    """One month's sheet: the indicators' rows, input cells unlocked and validated, the rest protected."""
    last_month = month.replace(year=month.year - 1)
    this = {i.pk: stored[(i.pk, month)] for i in indicators if (i.pk, month) in stored}
    before = {i.pk: stored[(i.pk, last_month)] for i in indicators if (i.pk, last_month) in stored}
    baseline = month.year < campaign.year
    ws["A1"] = f"{name} {month:%Y年%-m月} 出成效指标{'上年基线' if baseline else ''}填报表"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = f"{campaign.name}；比例指标填分子和分母(不填百分比)；数量填整数；是否填“是”或“否”。"
    ws["A3"] = "只能填写黄色单元格；同比变化过大或超出合理范围时请在“情况说明”中说明原因。"
    for col, (header, width) in enumerate(zip(HEADERS, WIDTHS, strict=True), start=1):
        cell = ws.cell(row=HEADER_ROW, column=col, value=header)
        cell.font = Font(bold=True)
        cell.fill = LOCKED_FILL
        ws.column_dimensions[cell.column_letter].width = width
    ws.freeze_panes = f"A{FIRST_ROW}"

    decimal_dv = DataValidation(
        type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
        showErrorMessage=True, errorTitle="数值有误", error="请填写不小于0的数字。",
    )  # fmt: skip
    whole_dv = DataValidation(
        type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
        showErrorMessage=True, errorTitle="数值有误", error="请填写不小于0的整数。",
    )  # fmt: skip
    yes_no_dv = DataValidation(
        type="list", formula1=f'"{YES},{NO}"', allow_blank=True,
        showErrorMessage=True, errorTitle="请选择", error="请填写“是”或“否”。",
    )  # fmt: skip
    explanation_dv = DataValidation(
        type="textLength", operator="lessThanOrEqual", formula1="1000", allow_blank=True,
        showErrorMessage=True, error="说明不超过1000字。",
    )  # fmt: skip
    for dv in (decimal_dv, whole_dv, yes_no_dv, explanation_dv):
        ws.add_data_validation(dv)

    def unlock(cell_ref: str, dv: DataValidation) -> None:
        ws[cell_ref].protection = Protection(locked=False)
        ws[cell_ref].fill = INPUT_FILL
        dv.add(cell_ref)

    row = FIRST_ROW
    for indicator in indicators:
        value = this.get(indicator.pk)
        parts = indicator.parts if indicator.value_type == Indicator.ValueType.BOOLEAN_SET else [""]
        for index, part in enumerate(parts):
            ws[f"{COL_CODE}{row}"] = indicator.code
            # The code column is read back as typed; the name says where else the value counts.
            also = f"（同时计入{indicator.also_reported_under}）" if indicator.also_reported_under else ""
            ws[f"{COL_NAME}{row}"] = indicator.name + also
            ws[f"{COL_LAST_YEAR}{row}"] = (
                _last_year_text(indicator, before.get(indicator.pk)) if index == 0 else ""
            )
            if indicator.value_type == Indicator.ValueType.RATIO:
                ws[f"{COL_ITEM}{row}"] = (
                    f"分子：{indicator.numerator_label}；分母：{indicator.denominator_label}"
                )
                unlock(f"{COL_NUMBER}{row}", decimal_dv)
                unlock(f"{COL_DENOMINATOR}{row}", decimal_dv)
                if value is not None:
                    ws[f"{COL_NUMBER}{row}"] = value.numerator
                    ws[f"{COL_DENOMINATOR}{row}"] = value.denominator
            elif indicator.value_type == Indicator.ValueType.COUNT:
                ws[f"{COL_ITEM}{row}"] = f"数量({indicator.unit})" if indicator.unit else "数量"
                unlock(f"{COL_NUMBER}{row}", whole_dv)
                if value is not None:
                    ws[f"{COL_NUMBER}{row}"] = value.count
            else:
                ws[f"{COL_ITEM}{row}"] = part or "是否"
                unlock(f"{COL_YES_NO}{row}", yes_no_dv)
                if value is not None and index < len(value.answers):
                    ws[f"{COL_YES_NO}{row}"] = YES if value.answers[index] else NO
            if index == 0:
                unlock(f"{COL_EXPLANATION}{row}", explanation_dv)
                if value is not None and value.explanation:
                    ws[f"{COL_EXPLANATION}{row}"] = value.explanation
            for letter in "ABCG":
                ws[f"{letter}{row}"].alignment = Alignment(wrap_text=True, vertical="top")
            row += 1
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # people widen columns to read long names


# ------------------------------------------------------------------------------------------- parsing


@dataclass
class ParsedRow:
    indicator: Indicator
    row: int  # the first sheet row of the indicator
    numerator: Any = None
    denominator: Any = None
    count: Any = None
    answers: list[Any] | None = None
    explanation: str | None = None
    answer_rows: list[int] | None = None


def _number_cell(value: Any) -> Any:
    """Numbers as Decimal without float noise (12.3 stays 12.3); anything else goes to the rules as is."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    try:
        return Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        return str(value)


def _answer_cell(value: Any) -> Any:
    if value is None or cell_text(value) == "":
        return None
    if isinstance(value, bool):
        return value
    return {YES: True, NO: False, "Y": True, "N": False}.get(cell_text(value).upper(), cell_text(value))


def _check_meta(
    wb: openpyxl.Workbook,
    *,
    campaign: Campaign,
    month: dt.date,
    hospital: Hospital | None,
    unit: OrgUnit | None,
) -> Worksheet:
    if META_SHEET not in wb.sheetnames or DATA_SHEET not in wb.sheetnames:
        raise refuse("这不是本系统下载的指标填报模板，请先下载模板再填写。", "wrong_template")
    meta = {
        cell_text(wb[META_SHEET].cell(row=r, column=1).value): cell_text(
            wb[META_SHEET].cell(row=r, column=2).value
        )
        for r in range(1, 7)
    }
    if meta.get("template") != TEMPLATE_ID:
        raise refuse("这不是本系统下载的指标填报模板，请先下载模板再填写。", "wrong_template")
    if meta.get("version") != TEMPLATE_VERSION:
        raise refuse(f"模板版本({meta.get('version')})已停用，请重新下载模板。", "wrong_template_version")
    if meta.get("campaign") != campaign.code:
        raise refuse(
            f"该模板属于其他活动({meta.get('campaign')})，不能导入到{campaign.name}。", "other_campaign"
        )
    kind, code, name = _unit_label(hospital, unit)
    if (meta.get("unit_kind"), meta.get("unit_code")) != (kind, code):
        raise refuse(f"该模板属于其他单位({meta.get('unit_code')})，不能导入到{name}。", "other_unit")
    if meta.get("month") != f"{month:%Y-%m}":
        raise refuse(f"该模板是{meta.get('month')}的，不能导入到{month:%Y-%m}。", "other_month")
    sheet = wb[DATA_SHEET]
    assert isinstance(sheet, Worksheet)
    return sheet


def _parse_rows(
    sheet: Worksheet,
    indicators: Sequence[Indicator],
    errors: list[dict[str, str]],
    sheet_name: str = DATA_SHEET,
) -> list[ParsedRow]:
    by_code = {i.code: i for i in indicators}
    parsed: dict[str, ParsedRow] = {}

    def error(cell: str, message: str, code: str) -> None:
        errors.append({"sheet": sheet_name, "cell": cell, "code": code, "message": message})

    for r in range(FIRST_ROW, sheet.max_row + 1):
        code = cell_text(sheet[f"{COL_CODE}{r}"].value)
        if not code:
            continue
        indicator = by_code.get(code)
        if indicator is None:
            error(f"{COL_CODE}{r}", f"指标编码“{code}”不在本模板中。", "unknown_indicator")
            continue
        number, denominator = sheet[f"{COL_NUMBER}{r}"].value, sheet[f"{COL_DENOMINATOR}{r}"].value
        answer, explanation = sheet[f"{COL_YES_NO}{r}"].value, sheet[f"{COL_EXPLANATION}{r}"].value
        current = parsed.get(code)
        if indicator.value_type == Indicator.ValueType.BOOLEAN_SET:
            part = cell_text(sheet[f"{COL_ITEM}{r}"].value)
            if part not in indicator.parts:
                error(f"{COL_ITEM}{r}", f"“{part}”不是{indicator.name}的分项。", "unknown_indicator")
                continue
            if current is None:
                current = parsed[code] = ParsedRow(
                    indicator,
                    r,
                    answers=[None] * len(indicator.parts),
                    answer_rows=[r] * len(indicator.parts),
                )
            assert current.answers is not None
            assert current.answer_rows is not None
            index = indicator.parts.index(part)
            current.answers[index] = _answer_cell(answer)
            current.answer_rows[index] = r
        elif current is not None:
            error(f"{COL_CODE}{r}", f"指标“{code}”重复出现。", "duplicate_row")
            continue
        else:
            current = parsed[code] = ParsedRow(indicator, r)
            if indicator.value_type == Indicator.ValueType.RATIO:
                current.numerator, current.denominator = _number_cell(number), _number_cell(denominator)
            elif indicator.value_type == Indicator.ValueType.COUNT:
                current.count = _number_cell(number)
            else:
                current.answers = [_answer_cell(answer)]
                current.answer_rows = [r]
        if cell_text(explanation):
            current.explanation = cell_text(explanation)
    return list(parsed.values())


def _is_empty(row: ParsedRow) -> bool:
    answers = [a for a in (row.answers or []) if a is not None]
    return row.numerator is None and row.denominator is None and row.count is None and not answers


# The stored fields of a value that the dry run remembers and the confirm compares.
STORED_FIELDS = ("numerator", "denominator", "count", "answers", "explanation")


def _stored(value: IndicatorValue | None) -> dict[str, Any] | None:
    """What is stored for one indicator, as JSON (None when nothing is)."""
    return None if value is None else {f: _plain(getattr(value, f)) for f in STORED_FIELDS}


def _row_cells(row: ParsedRow, sheet_name: str) -> dict[str, Any]:
    """The cell each stored field of the row is read from (a list, one per part, for the answers)."""
    cell = f"{sheet_name}!{{}}{row.row}".format
    return {
        "numerator": cell(COL_NUMBER),
        "denominator": cell(COL_DENOMINATOR),
        "count": cell(COL_NUMBER),
        "answers": [f"{sheet_name}!{COL_YES_NO}{r}" for r in (row.answer_rows or [row.row])],
        "explanation": cell(COL_EXPLANATION),
    }


def _plain_row(
    row: ParsedRow, clean: dict[str, Any], seen: IndicatorValue | None, sheet_name: str
) -> dict[str, Any]:
    return {
        "indicator": row.indicator.pk,
        "indicator_code": row.indicator.code,
        "numerator": _plain(clean["numerator"]),
        "denominator": _plain(clean["denominator"]),
        "count": clean["count"],
        "answers": clean["answers"],
        "explanation": row.explanation,
        "seen": _stored(seen),
        "cells": _row_cells(row, sheet_name),
    }


def _shown(value: Any) -> str:
    if value is None or value == []:
        return "空"
    if isinstance(value, list):
        return "、".join(YES if a else NO for a in value)
    return str(value)


def _changed_cells(row: dict[str, Any], now: dict[str, Any] | None) -> list[str]:
    """Each cell of a stored row whose stored value is no longer the one the dry run saw, with both values."""
    seen = row["seen"]
    if seen == now:
        return []
    cells = row["cells"]
    found = []
    for field_name in STORED_FIELDS:
        before, after = (seen or {}).get(field_name), (now or {}).get(field_name)
        if before == after:
            continue
        if field_name == "answers":
            parts = cells["answers"]
            old, new = list(before or []), list(after or [])
            differing = [
                cell
                for i, cell in enumerate(parts)
                if (old[i] if i < len(old) else None) != (new[i] if i < len(new) else None)
            ] or parts[:1]
            named = "、".join(differing)
        else:
            named = cells[field_name]
        found.append(
            f"{named}（{row['indicator_code']} {FIELD_LABELS[field_name]}：预览时为{_shown(before)}，"
            f"现为{_shown(after)}）"
        )
    return found or [f"{cells['explanation']}（{row['indicator_code']}）"]


def _changes(
    row: dict[str, Any], old: IndicatorValue | None, indicator: Indicator, sheet_row: int, sheet_name: str
) -> list[dict]:
    before = {
        f: _plain(getattr(old, f)) if old is not None else None
        for f in ("numerator", "denominator", "count", "answers", "explanation")
    }
    if old is None:
        before["answers"] = None
    result = []
    for field_name in ("numerator", "denominator", "count", "answers", "explanation"):
        new = row[field_name]
        if field_name == "explanation" and new is None:
            continue  # an empty explanation cell keeps the stored explanation
        if field_name != "answers" and new is None and before[field_name] is None:
            continue
        if field_name == "answers" and not new:
            continue
        if new != before[field_name]:
            column = FIELD_COLUMN.get(field_name, COL_YES_NO if field_name == "answers" else COL_EXPLANATION)
            result.append(
                {
                    "indicator_code": indicator.code,
                    "indicator_name": indicator.name,
                    "field": field_name,
                    "field_label": FIELD_LABELS[field_name],
                    "cell": f"{sheet_name}!{column}{sheet_row}",
                    "old": before[field_name],
                    "new": new,
                }
            )
    return result


@dataclass
class DryRun:
    """What confirming would write, sheet by sheet: rows, every error by cell, every change old → new."""

    rows: list[dict[str, Any]]
    errors: list[dict[str, str]]
    changes: list[dict[str, Any]]


def _dry_run_sheet(
    sheet: Worksheet,
    sheet_name: str,
    *,
    month: dt.date,
    hospital: Hospital | None,
    unit: OrgUnit | None,
    indicators: Sequence[Indicator],
    existing: dict[int, IndicatorValue],
    run: DryRun,
) -> None:
    """Add one month's sheet to ``run``: its rows cleaned by the services' own rules
    (``indicator_value_clean``), each refusal at its cell, each change against ``existing``."""
    errors = run.errors
    for row in _parse_rows(sheet, indicators, errors, sheet_name):
        if _is_empty(row):
            continue
        try:
            clean = indicator_value_clean(
                indicator=row.indicator, month=month, hospital=hospital, unit=unit,
                numerator=row.numerator, denominator=row.denominator, count=row.count, answers=row.answers,
            )  # fmt: skip
        except ValidationError as exc:
            for field_name, field_errors in exc.error_dict.items():
                if field_name == "answers":
                    missing = [
                        r for a, r in zip(row.answers or [], row.answer_rows or [], strict=True) if a is None
                    ]
                    cell = f"{COL_YES_NO}{(missing or row.answer_rows or [row.row])[0]}"
                else:
                    cell = f"{FIELD_COLUMN.get(field_name, COL_CODE)}{row.row}"
                for e in field_errors:
                    errors.append(
                        {
                            "sheet": sheet_name,
                            "cell": cell,
                            "code": e.code or "invalid",
                            "message": e.messages[0],
                        }
                    )
            continue
        plain = _plain_row(row, clean, existing.get(row.indicator.pk), sheet_name)
        plain["month"] = f"{month:%Y-%m}"
        run.rows.append(plain)
        for change in _changes(plain, existing.get(row.indicator.pk), row.indicator, row.row, sheet_name):
            run.changes.append({**change, "month": plain["month"]})


def _nothing_filled(run: DryRun, sheet_name: str) -> None:
    if not run.rows and not run.errors:
        run.errors.append(
            {
                "sheet": sheet_name,
                "cell": f"{COL_NUMBER}{FIRST_ROW}",
                "code": "empty",
                "message": "未填写任何指标值。",
            }
        )


def _existing_values(
    campaign: Campaign, months: Sequence[dt.date], hospital: Hospital | None, unit: OrgUnit | None
) -> dict[dt.date, dict[int, IndicatorValue]]:
    found: dict[dt.date, dict[int, IndicatorValue]] = {m: {} for m in months}
    for v in IndicatorValue.objects.filter(
        indicator__campaign=campaign, month__in=months, hospital=hospital, unit=unit
    ):
        found[v.month][v.indicator_id] = v
    return found


def indicator_import_create(
    *,
    actor: AnyUser | None,
    campaign: Campaign,
    month: dt.date,
    hospital: Hospital | None = None,
    unit: OrgUnit | None = None,
    data: bytes,
    file_name: str = "",
) -> IndicatorImport:
    """Dry-run an uploaded template for the unit and month the user is on; store what confirming would do.

    Raises ``ValidationError`` (nothing stored) for a file that is not our template for this unit and
    month; stores an ``IndicatorImport`` with status "invalid" and every cell error, or "pending" with
    every change old → new.
    """
    require_owner_in_scope(actor, hospital, unit)
    if month.day != 1:
        raise ValidationError({"month": [ValidationError("月份须为当月1日。", code="invalid_month")]})
    require_unit_in_campaign(campaign, hospital, unit)
    require_month_editable(hospital, month, actor=actor)
    inspect_xlsx(data, what="指标模板")
    wb = read_workbook(data)
    sheet = _check_meta(wb, campaign=campaign, month=month, hospital=hospital, unit=unit)
    indicators = applicable_indicators(indicators_of(campaign), hospital=hospital, unit=unit)
    run = DryRun([], [], [])
    _dry_run_sheet(
        sheet,
        DATA_SHEET,
        month=month,
        hospital=hospital,
        unit=unit,
        indicators=indicators,
        existing=_existing_values(campaign, [month], hospital, unit)[month],
        run=run,
    )
    _nothing_filled(run, DATA_SHEET)
    return _store_dry_run(
        run, campaign=campaign, hospital=hospital, unit=unit, month=month, data=data, file_name=file_name,
        kind=IndicatorImport.Kind.MONTH, actor=actor,
    )  # fmt: skip


def _store_dry_run(
    run: DryRun,
    *,
    campaign: Campaign,
    hospital: Hospital | None,
    unit: OrgUnit | None,
    month: dt.date,
    data: bytes,
    file_name: str,
    kind: str,
    actor: AnyUser | None,
) -> IndicatorImport:
    return IndicatorImport.objects.create(
        campaign=campaign,
        hospital=hospital,
        unit=unit,
        month=month,
        kind=kind,
        status=IndicatorImport.Status.INVALID if run.errors else IndicatorImport.Status.PENDING,
        file_name=file_name[:200],
        file_sha256=hashlib.sha256(data).hexdigest(),
        rows=run.rows,
        errors=run.errors,
        changes=run.changes,
        uploaded_by=actor_user(actor),
    )


def _check_baseline_meta(
    wb: openpyxl.Workbook, *, campaign: Campaign, hospital: Hospital | None, unit: OrgUnit | None
) -> None:
    if META_SHEET not in wb.sheetnames:
        raise refuse("这不是本系统下载的基线模板，请先下载12个月的基线模板再填写。", "wrong_template")
    meta_sheet = wb[META_SHEET]
    meta = {
        cell_text(meta_sheet.cell(row=r, column=1).value): cell_text(meta_sheet.cell(row=r, column=2).value)
        for r in range(1, 7)
    }
    if meta.get("template") == TEMPLATE_ID:
        raise refuse(
            f"这是{meta.get('month')}单月的模板，请在该月的“Excel模板填报”页上传；此处上传12个月的基线模板。",
            "wrong_template",
        )
    if meta.get("template") != BASELINE_TEMPLATE_ID:
        raise refuse("这不是本系统下载的基线模板，请先下载12个月的基线模板再填写。", "wrong_template")
    if meta.get("version") != TEMPLATE_VERSION:
        raise refuse(f"模板版本({meta.get('version')})已停用，请重新下载模板。", "wrong_template_version")
    if meta.get("campaign") != campaign.code:
        raise refuse(
            f"该模板属于其他活动({meta.get('campaign')})，不能导入到{campaign.name}。", "other_campaign"
        )
    kind, code, name = _unit_label(hospital, unit)
    if (meta.get("unit_kind"), meta.get("unit_code")) != (kind, code):
        raise refuse(f"该模板属于其他单位({meta.get('unit_code')})，不能导入到{name}。", "other_unit")
    if meta.get("year") != str(campaign.year - 1):
        raise refuse(f"该模板是{meta.get('year')}年的，不是{campaign.year - 1}年的基线。", "other_month")
    missing = [
        baseline_sheet_name(m)
        for m in baseline_months(campaign)
        if baseline_sheet_name(m) not in wb.sheetnames
    ]
    if missing:
        raise refuse(f"基线模板缺少工作表：{'、'.join(missing)}，请重新下载模板。", "wrong_template")


def baseline_import_create(
    *,
    actor: AnyUser | None,
    campaign: Campaign,
    hospital: Hospital | None = None,
    unit: OrgUnit | None = None,
    data: bytes,
    file_name: str = "",
) -> IndicatorImport:
    """Dry-run the 12-month baseline workbook (``baseline_template_build``) of one unit: every month's
    sheet is read as a month's template is, every error named by sheet and cell ("3月!D7"), every change
    old → new with its month; a month it would write that the month lock refuses is an error of that
    sheet. A file refused as a whole raises ``ValidationError`` and stores nothing; confirming writes the
    12 months all or nothing (``indicator_import_confirm``, which asks the lock again for each)."""
    require_owner_in_scope(actor, hospital, unit)
    require_unit_in_campaign(campaign, hospital, unit)
    months = baseline_months(campaign)
    inspect_xlsx(data, what="指标模板")
    wb = read_workbook(data)
    _check_baseline_meta(wb, campaign=campaign, hospital=hospital, unit=unit)
    indicators = applicable_indicators(indicators_of(campaign), hospital=hospital, unit=unit)
    existing = _existing_values(campaign, months, hospital, unit)
    run = DryRun([], [], [])
    for month in months:
        name = baseline_sheet_name(month)
        sheet = wb[name]
        assert isinstance(sheet, Worksheet)
        before = len(run.rows)
        _dry_run_sheet(
            sheet, name, month=month, hospital=hospital, unit=unit, indicators=indicators,
            existing=existing[month], run=run,
        )  # fmt: skip
        if len(run.rows) > before:  # a month the workbook would write must be open (the month lock)
            try:
                require_month_editable(hospital, month, actor=actor)
            except ValidationError as exc:
                message = "；".join(exc.messages)
                run.errors.append(
                    {"sheet": name, "cell": "A1", "code": exc.code or "locked", "message": message}
                )
    _nothing_filled(run, baseline_sheet_name(months[0]))
    return _store_dry_run(
        run, campaign=campaign, hospital=hospital, unit=unit, month=months[0], data=data, file_name=file_name,
        kind=IndicatorImport.Kind.BASELINE, actor=actor,
    )  # fmt: skip


def import_months(batch: IndicatorImport) -> list[dt.date]:
    """The months an import writes: its month, or each month its rows name (a baseline's 12)."""
    named = {dt.date.fromisoformat(f"{row['month']}-01") for row in batch.rows if row.get("month")}
    return sorted(named) or [batch.month]


@transaction.atomic
def indicator_import_confirm(*, actor: AnyUser | None, batch: IndicatorImport) -> list[IndicatorValue]:
    """Write a dry run's rows, all or nothing, with "excel" as the channel in every value's history."""
    batch = IndicatorImport.objects.select_for_update().select_related("campaign__league").get(pk=batch.pk)
    require_owner_in_scope(actor, batch.hospital, batch.unit)
    months = import_months(batch)
    for month in months:
        require_month_editable(batch.hospital, month, actor=actor)
    if batch.status != IndicatorImport.Status.PENDING:
        message = "该导入有错误，请修改后重新上传。" if batch.errors else "该导入已确认，不能重复导入。"
        raise ValidationError(message, code="import_not_pending")
    existing = {
        (v.indicator_id, v.month): v
        # Locked, so no correction slips in between the comparison below and the writes.
        for v in IndicatorValue.objects.select_for_update(of=("self",)).filter(
            indicator__campaign=batch.campaign, month__in=months, hospital=batch.hospital, unit=batch.unit
        )
    }

    def row_month(row: dict[str, Any]) -> dt.date:
        return dt.date.fromisoformat(f"{row['month']}-01") if row.get("month") else batch.month

    indicators = {i.pk: i for i in batch.campaign.indicators.select_related("campaign__league")}
    if any("seen" not in row for row in batch.rows):  # a dry run stored before the import kept what it saw
        raise ValidationError("预览之后数据可能已被修改，请重新上传以查看最新的变更。", code="stale_import")
    changed = [
        cell
        for row in batch.rows
        for cell in _changed_cells(row, _stored(existing.get((row["indicator"], row_month(row)))))
    ]
    if changed:
        raise ValidationError(
            f"预览之后以下单元格对应的已存数据已被修改：{'；'.join(changed)}。"
            "未导入任何数据，请重新下载模板填写后上传。",
            code="stale_import",
        )
    saved = []
    for row in batch.rows:
        try:
            saved.append(
                indicator_value_save(
                    actor=actor,
                    channel=ChangeRecord.Channel.EXCEL,
                    indicator=indicators[row["indicator"]],
                    month=row_month(row),
                    hospital=batch.hospital,
                    unit=batch.unit,
                    numerator=row["numerator"],
                    denominator=row["denominator"],
                    count=row["count"],
                    answers=row["answers"] or None,
                    explanation=row["explanation"],
                    reason=f"Excel导入 #{batch.pk} {batch.file_name}",
                )
            )
        except ValidationError as exc:
            where = f"{row_month(row):%Y年%-m月} " if batch.kind == IndicatorImport.Kind.BASELINE else ""
            raise ValidationError(
                f"{where}{row['indicator_code']}：{exc.messages[0]}（未导入任何数据）", code="import_failed"
            ) from exc
    batch.status = IndicatorImport.Status.CONFIRMED
    batch.confirmed_at = clock.now()
    batch.save(update_fields=["status", "confirmed_at"])
    record_change(
        batch,
        action="indicator_import_confirm",
        actor=actor_user(actor),
        channel=ChangeRecord.Channel.EXCEL,
        changes={"status": [IndicatorImport.Status.PENDING, IndicatorImport.Status.CONFIRMED]},
    )
    return saved
