"""The smallest real file of each allowed material type, built here so the whole file parses as its type
(``campaign.files.check_structure`` reads all of it, not only the first bytes)."""

from __future__ import annotations

import io
import struct
import zipfile

import pypdf
from PIL import Image


def _pdf() -> bytes:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _image(format_name: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format=format_name)
    return out.getvalue()


def _box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(body), kind) + body


def _mp4() -> bytes:
    # ftyp, an empty-track moov header and an empty mdat: the top-level boxes a player looks for.
    ftyp = _box(b"ftyp", b"mp42\x00\x00\x00\x00mp42isom")
    moov = _box(b"moov", _box(b"mvhd", bytes(100)))
    return ftyp + moov + _box(b"mdat", b"")


CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/{part}" ContentType="{type}"/>
</Types>"""
OFFICE_PARTS = {
    "pptx": (
        "ppt/presentation.xml",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
        '<p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"/>',
    ),
    "docx": (
        "word/document.xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body/></w:document>',
    ),
}


def office_bytes(kind: str) -> bytes:
    part, content_type, body = OFFICE_PARTS[kind]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES.format(part=part, type=content_type))
        archive.writestr(part, body)
    return buffer.getvalue()


PDF = _pdf()
PNG = _image("PNG")
JPG = _image("JPEG")
MP4 = _mp4()
PPTX = office_bytes("pptx")
DOCX = office_bytes("docx")
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
