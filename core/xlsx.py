"""Uploaded workbooks (xlsx) read without trusting them, and the hidden sheet that names a template.

Contract: ``inspect_xlsx(data)`` refuses anything that is not a plain, reasonably sized xlsx before any
XML is parsed (size, zip entries, inflated size, macros, DOCTYPE, content types); ``read_workbook`` then
opens it with openpyxl (which parses through defusedxml). Every refusal is a ``ValidationError`` on
``file`` with a Chinese message and a code, so an upload form or the API shows it as a 400 on the file.
``write_meta`` / ``read_meta`` keep a template's identity (id, version, owner …) in a very hidden,
protected sheet. Used by every workbook a user fills in offline: the indicator template and baseline
(``reporting.indicators.template``) and the onboarding workbook (``hospitals.onboarding``).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import openpyxl
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as safe_fromstring
from django.conf import settings
from django.core.exceptions import ValidationError
from openpyxl.workbook.protection import WorkbookProtection

from core.archives import ArchiveError, check_zip

META_SHEET = "_meta"
# Content types that mark a workbook as something other than a plain .xlsx (macros, templates, add-ins).
XLSX_MAIN_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
# A genuine [Content_Types].xml is a few kilobytes.
CONTENT_TYPES_MAX_BYTES = 256 * 1024
# What the upload is told when core.archives refuses the zip: (message, code).
ARCHIVE_REFUSALS = {
    "not_zip": ("文件不是Excel工作簿(.xlsx)，或已损坏。", "not_xlsx"),
    "too_many_entries": ("工作簿包含的部件过多，超过上限，不予读取。", "too_many_entries"),
    "encrypted": ("工作簿已加密，请上传未加密的模板。", "not_xlsx"),
    "too_large_uncompressed": ("工作簿解压后过大(疑似压缩炸弹)，不予读取。", "too_large_uncompressed"),
    "damaged": ("工作簿已损坏(压缩数据无法解开或与文件头不符)，请重新保存后上传。", "damaged_xlsx"),
}


def refuse(message: str, code: str) -> ValidationError:
    """A refusal of the uploaded file as a whole (the form's and the API's ``file`` field)."""
    return ValidationError({"file": [ValidationError(message, code=code)]})


def cell_text(value: Any) -> str:
    """A cell as text, stripped ("" for an empty cell)."""
    return "" if value is None else str(value).strip()


def inspect_xlsx(data: bytes, *, what: str = "模板") -> None:
    """Refuse anything that is not a plain, reasonably sized xlsx before openpyxl sees the file: every
    part is inflated in a stream under the uncompressed cap, whatever its headers claim
    (``core.archives.check_zip``), the XML parts are scanned for a DOCTYPE, and [Content_Types].xml is
    read with defusedxml."""
    limit = settings.XLSX_UPLOAD_MAX_BYTES
    if len(data) > limit:
        raise refuse(f"文件超过{limit / 1024 / 1024:g} MB上限，不是本系统的{what}。", "file_too_large")
    if not data.startswith(b"PK\x03\x04"):
        raise refuse("文件不是Excel工作簿(.xlsx)，请上传从本系统下载的模板。", "not_xlsx")
    try:
        checked = check_zip(
            data,
            max_inflated=settings.XLSX_MAX_UNCOMPRESSED_BYTES,
            max_entries=settings.XLSX_MAX_ZIP_ENTRIES,
            keep=("[Content_Types].xml",),
            keep_max_bytes=CONTENT_TYPES_MAX_BYTES,
        )
    except ArchiveError as exc:
        raise refuse(*ARCHIVE_REFUSALS[exc.code]) from exc
    if any(n.lower().endswith("vbaproject.bin") for n in checked.names):
        raise refuse("工作簿含有宏(.xlsm)，不予读取；请上传从本系统下载的 .xlsx 模板。", "macro_enabled")
    if checked.unsafe_xml:
        raise refuse("工作簿含有不安全的XML声明(DOCTYPE/ENTITY)，不予读取。", "unsafe_xml")
    if "[Content_Types].xml" not in checked.kept:
        raise refuse("文件不是Excel工作簿(.xlsx)。", "not_xlsx")
    try:
        root = safe_fromstring(checked.kept["[Content_Types].xml"])
    except (DefusedXmlException, SyntaxError) as exc:
        raise refuse("工作簿的内容类型声明无法读取。", "not_xlsx") from exc
    content_types = {el.get("ContentType", "") for el in root}
    if any("macroEnabled" in t or "vbaProject" in t for t in content_types):
        raise refuse("工作簿含有宏(.xlsm)，不予读取；请上传从本系统下载的 .xlsx 模板。", "macro_enabled")
    if XLSX_MAIN_TYPE not in content_types:
        raise refuse("文件不是Excel工作簿(.xlsx)，请上传从本系统下载的模板。", "not_xlsx")


def read_workbook(data: bytes, *, read_only: bool = False) -> openpyxl.Workbook:
    """Open an inspected upload with openpyxl (cell values, not formulas); a file openpyxl cannot read,
    or whose XML expands entities, is refused. ``read_only`` streams the sheets (large workbooks)."""
    try:
        return openpyxl.load_workbook(io.BytesIO(data), data_only=True, read_only=read_only)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file; all mean "cannot read"
        cause: BaseException | None = exc
        while cause is not None:  # openpyxl wraps the parser's error in a ValueError
            # defusedxml's refusal, or lxml's (openpyxl parses with lxml when it is installed, as
            # python-docx brings it): an entity that expands past its limits.
            if isinstance(cause, DefusedXmlException) or "entity" in str(cause).lower():
                raise refuse("工作簿含有不安全的XML声明，不予读取。", "unsafe_xml") from exc
            cause = cause.__cause__ or cause.__context__
        raise refuse("无法读取该工作簿，请上传从本系统下载的模板。", "not_xlsx") from exc


def write_meta(wb: openpyxl.Workbook, rows: Sequence[tuple[str, str]]) -> None:
    """The template's identity as key/value rows of a very hidden, protected sheet; the workbook's
    structure is locked so that sheets cannot be renamed, added or removed in Excel."""
    meta = wb.create_sheet(META_SHEET)
    for r, (key, val) in enumerate(rows, start=1):
        meta.cell(row=r, column=1, value=key)
        meta.cell(row=r, column=2, value=val)
    meta.sheet_state = "veryHidden"
    meta.protection.sheet = True
    wb.security = WorkbookProtection(lockStructure=True)


def read_meta(wb: openpyxl.Workbook, *, rows: int) -> dict[str, str] | None:
    """The key/value rows ``write_meta`` wrote (the first ``rows``), None when the sheet is missing."""
    if META_SHEET not in wb.sheetnames:
        return None
    sheet = wb[META_SHEET]
    found: dict[str, str] = {}
    for key, val, *_ in sheet.iter_rows(min_row=1, max_row=rows, max_col=2, values_only=True):
        found[cell_text(key)] = cell_text(val)
    return found
