"""月度通报: a bulletin's workbook (one sheet per section, ``reporting.bulletins.bulletin_sheets``) as an
export kind, so the generic ``/api/v1/exports/`` endpoint, the benchmark and the LibreOffice check reach
it like every other workbook. ``bulletin`` (an id) picks one; without it, the newest the caller may read."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from hospitals.selectors import AnyUser
from reporting.bulletins import bulletin_sheets
from reporting.report_selectors import bulletins_visible_to

from reporting.exports.registry import ExportKind, Params, register_export
from reporting.exports.writer import Sheet


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
