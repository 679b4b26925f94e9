"""Checks on uploaded files: the type is read from the bytes (``filetype``), never from the name alone,
and then the whole file must have that type's structure.

SPEC §4 allows pptx, pdf, docx, jpg, png and mp4. A file is refused when its bytes are none of those
(a renamed executable, say), when its name claims another type than its bytes, when it is larger than
``settings.MATERIAL_MAX_BYTES``, when its type does not fit the material kind (a video that is a pdf),
or when it does not parse as what its first bytes claim (``check_structure``: an HTML page behind a
``%PDF-1.4`` prefix): a PDF must open with pypdf and have a page, an Office file must be a zip whose
parts all inflate (``core.archives``) with its content types and main part, a picture must decode with
Pillow, an MP4 must be a sequence of boxes that covers the file, with its ``ftyp`` and ``moov``.
"""

from __future__ import annotations

import struct
import uuid
import warnings
from dataclasses import dataclass
from pathlib import PurePath

import filetype
import pypdf
import pypdf.errors
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as safe_fromstring
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from PIL import Image

from campaign.models import MaterialKind
from core.archives import ArchiveError, check_zip

# Detected extension → (MIME type, the name extensions that may carry it).
ALLOWED_TYPES: dict[str, tuple[str, tuple[str, ...]]] = {
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", ("pptx",)),
    "pdf": ("application/pdf", ("pdf",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ("docx",)),
    "jpg": ("image/jpeg", ("jpg", "jpeg")),
    "png": ("image/png", ("png",)),
    "mp4": ("video/mp4", ("mp4",)),
}

# Which detected types fit which kind of material: a "photo" must be a picture, and so on.
TYPES_BY_KIND: dict[str, tuple[str, ...]] = {
    MaterialKind.COURSEWARE: ("pptx", "pdf", "docx"),
    MaterialKind.VIDEO: ("mp4",),
    MaterialKind.PHOTO: ("jpg", "png"),
    MaterialKind.TEXT: ("docx", "pdf"),
}
# Evidence of action-item progress and launch minutes may be any allowed type.
ANY_KIND = ""

# The part an Office file cannot be without, and the content type [Content_Types].xml must give it.
OFFICE_MAIN_PARTS: dict[str, tuple[str, str]] = {
    "pptx": (
        "ppt/presentation.xml",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
    ),
    "docx": (
        "word/document.xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    ),
}
# An Office file inflates to a few times its size (its media is already compressed); more is a bomb.
OFFICE_INFLATION_FACTOR = 10
# A deck with thousands of slides and pictures stays well under this many parts.
OFFICE_MAX_ENTRIES = 20_000
# A photo larger than this (40 megapixels) is not a phone's or a camera's; decoding it would cost
# hundreds of MB (Pillow's own bomb limit is twice this and only warns below).
IMAGE_MAX_PIXELS = 40_000_000
# The four letters of an MP4 box type are printable ASCII (ISO/IEC 14496-12 §4.2).
_BOX_TYPE_BYTES = frozenset(range(0x20, 0x7F))


@dataclass(frozen=True)
class CheckedFile:
    extension: str
    content_type: str
    size: int
    original_name: str

    def storage_name(self, folder: str) -> str:
        """A random name with the detected extension: nothing the uploader typed ends up in a path."""
        return f"{folder}/{uuid.uuid4().hex}.{self.extension}"


def _human(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size} 字节"


def check_upload(file: File, *, kind: str = ANY_KIND, field: str | None = None) -> CheckedFile:
    """Return what the file really is, or raise ValidationError naming the rule it breaks (on ``field``
    when the caller names the field the file came in)."""
    try:
        return _check_upload(file, kind=kind)
    except ValidationError as error:
        raise error if field is None else ValidationError({field: [error]}) from error


def _check_upload(file: File, *, kind: str) -> CheckedFile:
    limit = settings.MATERIAL_MAX_BYTES
    size = file.size or 0
    if size > limit:
        raise ValidationError(
            f"文件过大：{_human(size)}，材料大小上限为 {_human(limit)}。", code="file_too_large"
        )
    if size == 0:
        raise ValidationError("文件为空。", code="file_empty")
    file.seek(0)
    head = file.read(8192)
    file.seek(0)
    detected = filetype.guess(head)
    extension = detected.extension if detected is not None else ""
    if extension == "jpeg":
        extension = "jpg"
    if extension not in ALLOWED_TYPES:
        raise ValidationError(
            "文件内容不是允许的类型（仅限 pptx、pdf、docx、jpg、png、mp4），系统按文件内容识别，不看扩展名。",
            code="file_type_not_allowed",
        )
    name = PurePath(file.name or "").name
    suffix = PurePath(name).suffix.lower().lstrip(".")
    mime, name_extensions = ALLOWED_TYPES[extension]
    if suffix and suffix not in name_extensions:
        raise ValidationError(
            f"文件扩展名 .{suffix} 与文件内容（{extension}）不符。", code="file_extension_mismatch"
        )
    if kind and extension not in TYPES_BY_KIND[kind]:
        allowed = "、".join(TYPES_BY_KIND[kind])
        label = MaterialKind(kind).label
        raise ValidationError(
            f"{label}须为 {allowed} 文件，上传的是 {extension}。", code="file_type_not_for_kind"
        )
    check_structure(file, extension)
    return CheckedFile(extension=extension, content_type=mime, size=size, original_name=name[:255])


def check_structure(file: File, extension: str) -> None:
    """Raise ValidationError unless the whole file parses as ``extension`` (see the module docstring)."""
    file.seek(0)
    try:
        if extension == "pdf":
            _check_pdf(file)
        elif extension in OFFICE_MAIN_PARTS:
            _check_office(file.read(), extension)
        elif extension in ("jpg", "png"):
            _check_image(file, extension)
        elif extension == "mp4":
            _check_mp4(file, file.size or 0)
    finally:
        file.seek(0)


def _damaged(extension: str) -> ValidationError:
    return ValidationError(
        f"文件不是有效的 {extension}：开头像 {extension}，但整个文件无法按 {extension} 读取"
        "（已损坏，或是改了开头的其他文件），请重新导出后上传。",
        code="file_damaged",
    )


def _check_pdf(file: File) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pypdf warns on every repaired oddity; only failure counts
            reader = pypdf.PdfReader(file, strict=False)
            if reader.is_encrypted:
                raise ValidationError("PDF 文件已加密，请上传未加密的文件。", code="file_encrypted")
            pages = len(reader.pages)
            if pages:
                reader.pages[0].mediabox  # noqa: B018 - resolving the first page proves the page tree
    except ValidationError:
        raise
    except (pypdf.errors.PyPdfError, ValueError, TypeError, KeyError, AttributeError, OSError) as exc:
        raise _damaged("pdf") from exc
    except RecursionError as exc:  # a crafted self-referencing object tree
        raise _damaged("pdf") from exc
    if not pages:
        raise _damaged("pdf")


def _check_office(data: bytes, extension: str) -> None:
    main_part, main_type = OFFICE_MAIN_PARTS[extension]
    try:
        checked = check_zip(
            data,
            max_inflated=max(len(data), 1024 * 1024) * OFFICE_INFLATION_FACTOR,
            max_entries=OFFICE_MAX_ENTRIES,
            keep=("[Content_Types].xml",),
        )
    except ArchiveError as exc:
        raise _damaged(extension) from exc
    if checked.unsafe_xml or main_part not in checked.names or "[Content_Types].xml" not in checked.kept:
        raise _damaged(extension)
    try:
        types = safe_fromstring(checked.kept["[Content_Types].xml"])
    except (DefusedXmlException, SyntaxError) as exc:
        raise _damaged(extension) from exc
    overrides = {
        el.get("PartName", ""): el.get("ContentType", "") for el in types if el.tag.endswith("Override")
    }
    if overrides.get(f"/{main_part}") != main_type:
        raise _damaged(extension)


def _check_image(file: File, extension: str) -> None:
    expected = {"jpg": "JPEG", "png": "PNG"}[extension]
    try:
        with Image.open(file) as image:
            if image.format != expected:
                raise _damaged(extension)
            width, height = image.size
            if width * height > IMAGE_MAX_PIXELS:
                raise ValidationError(
                    f"图片过大（{width}×{height} 像素），上限为 4000 万像素。", code="image_too_large"
                )
            image.verify()  # the chunk structure and checksums
        file.seek(0)
        with Image.open(file) as image:
            image.load()  # every pixel: a truncated or garbled body fails here
    except ValidationError:
        raise
    except (OSError, ValueError, SyntaxError, struct.error, Image.DecompressionBombError) as exc:
        raise _damaged(extension) from exc


def _check_mp4(file: File, size: int) -> None:
    """Walk the top-level boxes: each header must name a plausible type and a size that stays inside the
    file, and together they must end exactly at its end."""
    types: list[bytes] = []
    position = 0
    while position < size:
        file.seek(position)
        header = file.read(16)
        if len(header) < 8:
            raise _damaged("mp4")
        box_size, box_type = struct.unpack(">I4s", header[:8])
        if not set(box_type) <= _BOX_TYPE_BYTES:
            raise _damaged("mp4")
        if box_size == 1:  # a 64-bit size follows the type
            if len(header) < 16:
                raise _damaged("mp4")
            box_size = struct.unpack(">Q", header[8:16])[0]
            minimum = 16
        elif box_size == 0:  # the box runs to the end of the file
            box_size = size - position
            minimum = 8
        else:
            minimum = 8
        if box_size < minimum or position + box_size > size:
            raise _damaged("mp4")
        types.append(box_type)
        position += box_size
    if not types or types[0] != b"ftyp" or b"moov" not in types:
        raise _damaged("mp4")
