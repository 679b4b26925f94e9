"""Material checks read the whole file's structure: a file that only starts like an allowed type is
refused, on the service, the API and the page."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from campaign.models import LectureMaterial, LectureSession
from campaign.services import lecture_create, material_upload
from tests.campaign.conftest import lecture_data, upload
from tests.conftest import Alxa, client_for
from tests.core.hostile_zips import with_damaged_member
from tests.samples import DOCX, JPG, MP4, PDF, PNG, PPTX

pytestmark = pytest.mark.django_db

HTML_AS_PDF = (
    b"%PDF-1.4\n<!DOCTYPE html><html><body><script>alert(1)</script>" + b"<p>x</p>" * 200 + b"</html>"
)


def _office_without_main_part(kind: str) -> bytes:
    """The same zip parts minus the main one (filetype still calls it pptx/docx by its first bytes)."""
    source = zipfile.ZipFile(io.BytesIO(PPTX if kind == "pptx" else DOCX))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        target.writestr("[Content_Types].xml", source.read("[Content_Types].xml"))
        target.writestr("ppt/slides/slide1.xml" if kind == "pptx" else "word/styles.xml", b"<x/>")
    return out.getvalue()


# name → (kind, file name, bytes): each starts with the right magic bytes and is not that file.
HOSTILE = {
    "an HTML page behind a %PDF-1.4 prefix": ("courseware", "课件.pdf", HTML_AS_PDF),
    "a PDF header then garbage": ("courseware", "课件.pdf", PDF[:16] + bytes(range(256)) * 8),
    "a PDF cut in half": ("courseware", "课件.pdf", PDF[: len(PDF) // 2]),
    "a PNG signature then garbage": ("photo", "现场.png", PNG[:16] + b"\x00" * 64),
    "a JPEG cut in half": ("photo", "现场.jpg", JPG[: len(JPG) // 2]),
    "a pptx without its presentation part": ("courseware", "课件.pptx", _office_without_main_part("pptx")),
    "a docx whose document part is damaged": (
        "text",
        "讲稿.docx",
        with_damaged_member(DOCX, "word/document.xml"),
    ),
    "an MP4 whose boxes do not cover the file": ("video", "录像.mp4", MP4[:24] + b"\xff" * 100),
}


@pytest.fixture
def lecture(alxa: Alxa) -> LectureSession:
    return lecture_create(actor=alxa.reporter, channel="api", data=lecture_data(alxa))


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_file_that_only_starts_like_an_allowed_type_is_refused(
    alxa: Alxa, lecture: LectureSession, name: str
) -> None:
    kind, file_name, content = HOSTILE[name]
    with pytest.raises(ValidationError) as info:
        material_upload(
            actor=alxa.reporter, channel="api", lecture=lecture, kind=kind, file=upload(file_name, content)
        )
    assert info.value.error_dict["file"][0].code == "file_damaged", name
    assert "整个文件无法按" in info.value.messages[0]
    assert not LectureMaterial.objects.exists()


@pytest.mark.parametrize(
    ("kind", "file_name", "content"),
    [
        ("courseware", "课件.pdf", PDF),
        ("courseware", "课件.pptx", PPTX),
        ("text", "讲稿.docx", DOCX),
        ("photo", "现场.png", PNG),
        ("photo", "现场.jpg", JPG),
        ("video", "录像.mp4", MP4),
    ],
)
def test_the_real_files_of_each_type_pass(
    alxa: Alxa, lecture: LectureSession, kind: str, file_name: str, content: bytes
) -> None:
    material = material_upload(
        actor=alxa.reporter, channel="api", lecture=lecture, kind=kind, file=upload(file_name, content)
    )
    assert material.file.read() == content


def test_the_api_answers_400_on_the_file_field(alxa: Alxa, lecture: LectureSession) -> None:
    response = client_for(alxa.reporter).post(
        "/api/v1/lecture-materials/",
        {"lecture": lecture.pk, "kind": "courseware", "file": upload("课件.pdf", HTML_AS_PDF)},
        format="multipart",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "file_damaged"
    assert "整个文件无法按 pdf 读取" in body["errors"]["file"][0]
    assert not LectureMaterial.objects.exists()


def test_the_page_shows_the_refusal_on_the_form(alxa: Alxa, lecture: LectureSession) -> None:
    client = Client()
    client.force_login(alxa.reporter)
    response = client.post(
        f"/lectures/{lecture.pk}/",
        {"kind": "courseware", "title": "课件", "file": upload("课件.pdf", HTML_AS_PDF)},
    )
    assert response.status_code == 200
    assert "整个文件无法按 pdf 读取" in response.content.decode()
    assert not LectureMaterial.objects.exists()
