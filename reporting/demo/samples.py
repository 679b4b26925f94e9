"""Small sample files for the demo's materials: a Word document, a PDF and a photo, each a real file of
its type (``campaign.files.check_upload`` reads the whole file), each marked 示例 in what it shows.

Built in memory and cached per title, so the demo writes a few hundred small files in a second.
"""

from __future__ import annotations

import io
from functools import cache

import pypdf
from django.core.files.base import ContentFile
from docx import Document
from PIL import Image, ImageDraw

SAMPLE_NOTE = "示例数据：本文件由演示数据生成，内容为虚构，仅供试用。"


@cache
def _docx_bytes(title: str, lines: tuple[str, ...]) -> bytes:
    document = Document()
    document.add_heading(title, level=1)
    for line in lines:
        document.add_paragraph(line)
    document.add_paragraph(SAMPLE_NOTE)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@cache
def _pdf_bytes(title: str) -> bytes:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title, "/Subject": SAMPLE_NOTE})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# A photo's colours, one per kind of lecture (the photo shows a lectern and rows of seats).
PHOTO_COLOURS = ((176, 32, 38), (32, 96, 160), (40, 130, 80), (150, 100, 30), (90, 60, 140), (60, 60, 60))


@cache
def _png_bytes(colour_index: int) -> bytes:
    colour = PHOTO_COLOURS[colour_index % len(PHOTO_COLOURS)]
    image = Image.new("RGB", (160, 90), (236, 232, 224))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 159, 14), fill=colour)  # the banner above the stage
    draw.rectangle((70, 22, 90, 46), fill=(120, 80, 50))  # the lectern
    for row in range(3):
        for seat in range(8):
            x, y = 12 + seat * 18, 56 + row * 11
            draw.rectangle((x, y, x + 12, y + 6), fill=colour)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def docx_file(name: str, title: str, *lines: str) -> ContentFile[bytes]:
    return ContentFile(_docx_bytes(title, lines), name=name)


def pdf_file(name: str, title: str) -> ContentFile[bytes]:
    return ContentFile(_pdf_bytes(title), name=name)


def photo_file(name: str, colour_index: int = 0) -> ContentFile[bytes]:
    return ContentFile(_png_bytes(colour_index), name=name)
