"""The lectures API's list writes its rows with ``campaign.serializers.lecture_rows`` (issue 17: the
serializer's per-row related querysets cost most of the list's time): every row equals what the serializer
gives for the same lecture (its detail answer), coverage, supervising officials and materials included."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from bench.generator import RegionGenerator, RegionSize
from campaign.models import LectureMaterial, LectureSession
from hospitals.models import Person, Role, User
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_list_rows_equal_the_serializers_on_a_generated_region() -> None:
    RegionGenerator(seed=11, size=RegionSize(hospitals=3, leagues=1, banners=2, lectures=60)).run()
    lectures = list(LectureSession.objects.order_by("-held_on", "-id")[:3])
    for n, lecture in enumerate(lectures):
        material = LectureMaterial(
            lecture=lecture,
            kind="courseware" if n else "photo",
            title=f"材料{n}",
            original_name=f"a{n}.pdf",
            content_type="application/pdf",
            size=10 + n,
            recommended_for_publicity=bool(n % 2),
        )
        material.file.save(f"a{n}.pdf", ContentFile(b"%PDF-1.4"), save=False)
        material.save()
        lecture.supervising_officials.set(Person.objects.order_by("-code")[: n + 1])
    client = client_for(User.objects.get(role=Role.LEAGUE_REVIEWER))
    rows = []
    url: str | None = "/api/v1/lectures/"
    while url:
        page = client.get(url).json()
        rows += page["results"]
        url = page["next"]
    assert len(rows) == LectureSession.objects.count()
    assert sum(1 for r in rows if r["materials"]) == 3
    assert sum(1 for r in rows if r["supervising_officials"]) >= 3
    assert sum(1 for r in rows if r["coverage"]) > 0
    assert any(r["org_unit"] for r in rows) or all(r["hospital"] for r in rows)
    for row in rows:
        assert row == client.get(f"/api/v1/lectures/{row['id']}/").json()
    assert [r["id"] for r in rows] == list(
        LectureSession.objects.order_by("-held_on", "-id").values_list("id", flat=True)
    )
