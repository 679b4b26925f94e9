"""月度通报's workbook: one sheet per section of a stored bulletin, through the export writer, and the
``bulletin`` export kind, so the generic ``/api/v1/exports/`` endpoint, the benchmark and the LibreOffice
check reach it like every other workbook. ``bulletin`` (an id) picks one; without it, the newest the
caller may read."""

from __future__ import annotations

import io
from typing import Any

from django.core.exceptions import ValidationError

from exports.registry import ExportKind, Params, register_export
from exports.writer import DECIMAL, INT, TEXT, Column, ColumnType, Sheet, write_workbook
from hospitals.selectors import AnyUser
from reporting.bulletins.models import Bulletin
from reporting.bulletins.selectors import bulletins_visible_to


def _column_type(rows: list[list[Any]], index: int) -> ColumnType:
    """Numbers stay numbers in Excel: a column's type is read from its values."""
    values = [row[index] for row in rows if row[index] is not None]
    if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return INT
    if values and all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return DECIMAL
    return TEXT


def bulletin_sheets(bulletin: Bulletin) -> list[Sheet]:
    """One sheet per section, through the export writer (typed cells, frozen Chinese headers, formula
    neutralisation)."""
    sheets = []
    for section in bulletin.data.get("sections", []):
        rows = section["rows"]
        columns = [
            Column(header, type=_column_type(rows, index), width=max(10, 2 * len(header) + 4))
            for index, header in enumerate(section["columns"])
        ]
        sheets.append(Sheet(section["title"], columns, rows))
    return sheets


def bulletin_workbook(bulletin: Bulletin) -> bytes:
    buffer = io.BytesIO()
    write_workbook(buffer, bulletin_sheets(bulletin))
    return buffer.getvalue()


def bulletin_filename(bulletin: Bulletin) -> str:
    return f"{bulletin.campaign.code}-{bulletin.month:%Y-%m}-月度通报.xlsx"


def build(user: AnyUser, params: Params) -> list[Sheet]:
    bulletins = bulletins_visible_to(user).order_by("-month", "-id")
    raw = (params.get("bulletin") or [""])[0]
    if raw:
        if not raw.isdigit():
            raise ValidationError({"bulletin": ValidationError("通报编号有误。", code="invalid_filter")})
        bulletins = bulletins.filter(pk=int(raw))
    bulletin = bulletins.first()
    if bulletin is None:
        raise ValidationError("没有可导出的月度通报。", code="not_found")
    return bulletin_sheets(bulletin)


BULLETIN = register_export(ExportKind(code="bulletin", title="月度通报", build=build))
