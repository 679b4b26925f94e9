"""Official documents (公文): a Word file laid out as a Chinese official document, and its PDF.

The layout follows GB/T 9704-2012 as far as a generated file can: A4 with the standard margins (top 37
mm, bottom 35 mm, left 28 mm, right 26 mm); the issuing organ's mark (发文机关标志) in red 小标宋 above the
文号 and a red separator line; the title in 2号 小标宋; the body in 3号 仿宋 with a first-line indent of two
characters; tables; the signature (落款) and the date at the right. The fonts are named as Word knows
them (``方正小标宋简体``, ``仿宋_GB2312``, ``黑体`` for level-one headings): a machine that has them shows
them; one that doesn't substitutes its own CJK font (this project's servers have WenQuanYi Micro Hei,
which is what the PDF then shows). The file is an ordinary editable .docx, so a commission reworks the
wording before it issues it.

This module knows no domain: a domain builds an ``OfficialDocument`` and calls ``document_docx`` or
``document_pdf``.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from core import clock

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_MIME = "application/pdf"

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
LATIN_FONT = "Times New Roman"
RED = RGBColor(0xE6, 0x00, 0x12)
# 字号 in points: 初号 42, 小初 36, 二号 22, 三号 16, 四号 14, 五号 10.5. The organ mark is set at 32 pt so
# that a twelve-character mark stays on one line of the 156 mm type area, as the standard asks.
ORGAN_MARK_PT, TITLE_PT, BODY_PT, TABLE_PT = 32, 22, 16, 10.5
# Tables wider than this many columns are set on a landscape page of their own.
PORTRAIT_MAX_COLUMNS = 7
PDF_TIMEOUT_SECONDS = 180


@dataclass
class Table:
    caption: str
    columns: list[str]
    rows: list[list[Any]]


@dataclass
class Part:
    """A section of the body: a level-one heading (一、…), its paragraphs, then its tables."""

    heading: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


@dataclass
class OfficialDocument:
    organ_mark: str  # 发文机关标志, e.g. 阿拉善盟卫生健康委员会文件
    number: str  # 文号, e.g. 阿卫健医改通〔2021〕7号
    title: str
    recipients: str  # 主送机关
    opening: list[str]
    parts: list[Part]
    signature: str  # 落款 (the issuing organ)
    date: dt.date


class ConversionUnavailable(RuntimeError):
    """LibreOffice is not installed, or did not produce a PDF."""


def _font(
    run: Any, east_asian: str, size: float, *, bold: bool = False, color: RGBColor | None = None
) -> None:
    run.font.name = LATIN_FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asian)


def _paragraph(
    doc: Any,
    text: str,
    *,
    font: str = BODY_FONT,
    size: float = BODY_PT,
    align: Any = WD_ALIGN_PARAGRAPH.JUSTIFY,
    indent: bool = True,
    bold: bool = False,
    color: RGBColor | None = None,
    space_after: float = 0,
) -> Paragraph:
    paragraph = doc.add_paragraph()
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.line_spacing = Pt(28)  # 每行28磅: about 22 lines of 3号 on the type area, as the standard sets
    fmt.space_after = Pt(space_after)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    _font(paragraph.add_run(text), font, size, bold=bold, color=color)
    return paragraph


def _red_line(paragraph: Paragraph) -> None:
    """The separator under the 文号: a red bottom border on its paragraph."""
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "12"), ("w:space", "6"), ("w:color", "E60012")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    # In its schema place (before spacing, indentation and alignment), or Word and LibreOffice ignore it.
    paragraph._p.get_or_add_pPr().insert_element_before(
        borders, "w:shd", "w:tabs", "w:snapToGrid", "w:spacing", "w:ind", "w:jc", "w:rPr"
    )


def _margins(section: Any) -> None:
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)


def _cell_text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _orient(doc: Any, *, landscape: bool) -> None:
    """Go on in the wanted orientation: a new section (a new page) only when the last one differs, so
    wide tables that follow one another share landscape pages and no empty portrait page is left
    between them."""
    wanted = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    if doc.sections[-1].orientation == wanted:
        return
    section = doc.add_section()
    section.orientation = wanted
    section.page_width, section.page_height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    _margins(section)


def _table(doc: Any, table: Table) -> None:
    _orient(doc, landscape=len(table.columns) > PORTRAIT_MAX_COLUMNS)
    _paragraph(doc, table.caption, font=HEADING_FONT, size=14, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    grid = doc.add_table(rows=1, cols=len(table.columns))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, header in zip(grid.rows[0].cells, table.columns, strict=True):
        cell.text = ""
        _font(cell.paragraphs[0].add_run(header), HEADING_FONT, TABLE_PT, bold=True)
    for row in table.rows:
        cells = grid.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = ""
            _font(cell.paragraphs[0].add_run(_cell_text(value)), BODY_FONT, TABLE_PT)


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def document_docx(document: OfficialDocument) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    _margins(section)
    centre = WD_ALIGN_PARAGRAPH.CENTER
    _paragraph(
        doc, document.organ_mark, font=TITLE_FONT, size=ORGAN_MARK_PT, align=centre, indent=False, color=RED
    )
    number = _paragraph(doc, document.number, align=centre, indent=False, space_after=12)
    _red_line(number)
    _paragraph(
        doc, document.title, font=TITLE_FONT, size=TITLE_PT, align=centre, indent=False, space_after=12
    )
    _paragraph(doc, f"{document.recipients}：", indent=False)
    for text in document.opening:
        _paragraph(doc, text)
    for part in document.parts:
        _orient(doc, landscape=False)  # the text goes on portrait pages
        _paragraph(doc, part.heading, font=HEADING_FONT)
        for text in part.paragraphs:
            _paragraph(doc, text)
        for table in part.tables:
            _table(doc, table)
    right = WD_ALIGN_PARAGRAPH.RIGHT
    _orient(doc, landscape=False)
    _paragraph(doc, "", indent=False)
    _paragraph(doc, document.signature, align=right, indent=False)
    _paragraph(doc, chinese_date(document.date), align=right, indent=False)
    core = doc.core_properties
    core.title, core.author = document.title, document.signature
    # python-docx's template is dated 2013; the file's 创建/修改时间 read the one clock.
    core.created = core.modified = clock.now()
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def libreoffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(content: bytes) -> bytes:
    """The PDF of a Word file, converted by LibreOffice headless, with a profile of its own so that
    conversions running at once don't wait on each other's lock."""
    binary = libreoffice()
    if binary is None:
        raise ConversionUnavailable("服务器未安装LibreOffice，暂不能生成PDF，请下载Word文件。")
    with tempfile.TemporaryDirectory(prefix="jjx-pdf-") as folder:
        work = Path(folder)
        source = work / "document.docx"
        source.write_bytes(content)
        command: Sequence[str] = [
            binary,
            f"-env:UserInstallation=file://{work / 'profile'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work),
            str(source),
        ]
        try:
            subprocess.run(command, check=True, capture_output=True, timeout=PDF_TIMEOUT_SECONDS)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
            raise ConversionUnavailable("PDF生成失败，请稍后重试或下载Word文件。") from error
        target = work / "document.pdf"
        if not target.exists():
            raise ConversionUnavailable("PDF生成失败，请稍后重试或下载Word文件。")
        return target.read_bytes()


def document_pdf(document: OfficialDocument) -> bytes:
    return docx_to_pdf(document_docx(document))
