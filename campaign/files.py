"""Checks on uploaded files: the type is read from the bytes (``filetype``), never from the name alone.

SPEC §4 allows pptx, pdf, docx, jpg, png and mp4. A file is refused when its bytes are none of those
(a renamed executable, say), when its name claims another type than its bytes, when it is larger than
``settings.MATERIAL_MAX_BYTES``, or when its type does not fit the material kind (a video that is a pdf).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File

from campaign.models import MaterialKind

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


def check_upload(file: File, *, kind: str = ANY_KIND) -> CheckedFile:
    """Return what the file really is, or raise ValidationError naming the rule it breaks."""
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
    return CheckedFile(extension=extension, content_type=mime, size=size, original_name=name[:255])
