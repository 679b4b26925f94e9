"""Materials: type by content, size cap, storage, recommendation by the league only."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from campaign.models import LectureMaterial, LectureSession
from campaign.services import lecture_create, material_delete, material_set_recommended, material_upload
from hospitals.models import ChangeRecord
from tests.campaign.conftest import lecture_data, upload
from tests.conftest import Alxa
from tests.samples import EXE, JPG, MP4, PDF, PNG, PPTX

pytestmark = pytest.mark.django_db


@pytest.fixture
def lecture(alxa: Alxa) -> LectureSession:
    return lecture_create(actor=alxa.reporter, channel="api", data=lecture_data(alxa))


@pytest.mark.parametrize(
    ("kind", "name", "content", "content_type"),
    [
        (
            "courseware",
            "课件.pptx",
            "pptx",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        ("courseware", "课件.pdf", PDF, "application/pdf"),
        ("photo", "现场.jpg", JPG, "image/jpeg"),
        ("photo", "现场.png", PNG, "image/png"),
        ("video", "录像.mp4", MP4, "video/mp4"),
    ],
)
def test_allowed_types_are_stored_under_a_random_name(
    alxa: Alxa, lecture: LectureSession, kind: str, name: str, content: object, content_type: str
) -> None:
    data = PPTX if content == "pptx" else content
    assert isinstance(data, bytes)
    material = material_upload(
        actor=alxa.reporter, channel="api", lecture=lecture, kind=kind, file=upload(name, data)
    )
    assert material.content_type == content_type
    assert material.original_name == name
    stored = material.file.name or ""
    assert stored.startswith(f"materials/lectures/{alxa.campaign.pk}/{lecture.pk}/")
    assert name.split(".")[0] not in stored
    assert material.file.storage.exists(stored)
    assert ChangeRecord.objects.filter(object_id=str(material.pk), action="create").exists()


def test_a_renamed_executable_is_refused(alxa: Alxa, lecture: LectureSession) -> None:
    with pytest.raises(ValidationError) as info:
        material_upload(
            actor=alxa.reporter,
            channel="api",
            lecture=lecture,
            kind="courseware",
            file=upload("课件.pptx", EXE),
        )
    assert info.value.error_dict["file"][0].code == "file_type_not_allowed"
    assert "按文件内容识别" in info.value.error_dict["file"][0].message
    assert not LectureMaterial.objects.exists()


def test_an_oversized_file_is_refused(alxa: Alxa, lecture: LectureSession, settings: Any) -> None:
    settings.MATERIAL_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as info:
        material_upload(
            actor=alxa.reporter,
            channel="api",
            lecture=lecture,
            kind="courseware",
            file=upload("big.pdf", PDF + b"0" * 1024),
        )
    assert info.value.error_dict["file"][0].code == "file_too_large"
    assert not LectureMaterial.objects.exists()


def test_name_and_content_must_agree(alxa: Alxa, lecture: LectureSession) -> None:
    with pytest.raises(ValidationError) as info:
        material_upload(
            actor=alxa.reporter, channel="api", lecture=lecture, kind="photo", file=upload("photo.png", JPG)
        )
    assert info.value.error_dict["file"][0].code == "file_extension_mismatch"


def test_type_must_fit_the_kind(alxa: Alxa, lecture: LectureSession) -> None:
    with pytest.raises(ValidationError) as info:
        material_upload(
            actor=alxa.reporter, channel="api", lecture=lecture, kind="video", file=upload("a.pdf", PDF)
        )
    assert info.value.error_dict["file"][0].code == "file_type_not_for_kind"
    assert info.value.error_dict["file"][0].message == "视频须为 mp4 文件，上传的是 pdf。"


def test_only_a_league_reviewer_recommends_for_publicity(alxa: Alxa, lecture: LectureSession) -> None:
    material = material_upload(
        actor=alxa.reporter, channel="api", lecture=lecture, kind="courseware", file=upload("a.pdf", PDF)
    )
    for actor in (alxa.reporter, alxa.banner_reviewer):
        with pytest.raises(PermissionDenied):
            material_set_recommended(actor=actor, channel="api", material=material, recommended=True)
    material_set_recommended(actor=alxa.league_reviewer, channel="api", material=material, recommended=True)
    material.refresh_from_db()
    assert material.recommended_for_publicity
    assert material.recommended_by == alxa.league_reviewer
    record = ChangeRecord.objects.get(object_id=str(material.pk), action="recommend")
    assert record.changes == {"recommended_for_publicity": [False, True]}


def test_delete_removes_the_file_after_commit(
    alxa: Alxa, lecture, django_capture_on_commit_callbacks
) -> None:
    material = material_upload(
        actor=alxa.reporter, channel="api", lecture=lecture, kind="courseware", file=upload("a.pdf", PDF)
    )
    storage, name = material.file.storage, material.file.name or ""
    with django_capture_on_commit_callbacks(execute=True):
        material_delete(actor=alxa.reporter, channel="api", material=material)
    assert not storage.exists(name)
