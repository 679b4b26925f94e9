"""The schema says what each field can hold (issue 13, item 6): every list of the API, and the detail of
every row it lists, read as each signed-in role over real rows, matches the documented schema — a field
that can be null is documented nullable (``attendance_rate`` was not: 70 schemathesis violations).

The rows are the permission matrix's (one of each resource for every organisation of the world) plus the
rows whose computed fields are empty: a lecture nobody had to attend (no attendance rate), and a 集中宣讲
of a banner with its courseware (no hospital).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.base import ContentFile

from campaign.models import LectureKind, LectureMaterial, LectureSession
from hospitals.models import Person
from tests.api.harness import SIGNED_IN, World, collect_rows
from tests.api.openapi import _document, assert_documented
from tests.conftest import Alxa
from tests.samples import PDF

pytestmark = pytest.mark.django_db

# Files, not JSON: their bytes are the workbook tests' business (the status and type are still checked
# by the schemathesis run).
FILE_SUFFIXES = ("/export/", "/template/")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _list_paths() -> list[str]:
    paths = _document()["paths"]
    return sorted(
        p for p, ops in paths.items() if "get" in ops and "{" not in p and not p.endswith(FILE_SUFFIXES)
    )


def _build_every_row(world: World) -> None:
    built: set[int] = set()
    for _name, row in sorted(collect_rows().items()):
        resource = row.resource
        if resource is None or id(resource) in built:
            continue
        built.add(id(resource))
        for owner in resource.owners(world):
            resource.build(owner)


def _rows_with_empty_computed_fields(alxa: Alxa) -> None:
    in_hospital = LectureKind.objects.get(campaign=alxa.campaign, code="in_hospital")
    centralised = LectureKind.objects.get(campaign=alxa.campaign, code="centralised")
    common = {"campaign": alxa.campaign, "held_on": dt.date(2021, 7, 12), "title": "无人应到的宣讲"}
    LectureSession.objects.create(
        **common,
        kind=in_hospital,
        hospital=alxa.h004,
        speaker=Person.objects.get(code="H004-P01"),
        attendance_expected=5,
        on_duty_exempt=5,  # nobody had to attend: no rate
        attendance_present=0,
    )
    banners = LectureSession.objects.create(
        **common,
        kind=centralised,
        org_unit=alxa.zuoqi,
        speaker=Person.objects.get(code="B152921-P01"),
    )
    LectureMaterial.objects.create(  # of no hospital
        lecture=banners,
        kind="courseware",
        title="集中宣讲课件",
        file=ContentFile(PDF, name="课件.pdf"),
        original_name="课件.pdf",
        content_type="application/pdf",
        size=len(PDF),
    )


def test_every_list_and_every_listed_row_matches_the_schema(world: World) -> None:
    _build_every_row(world)
    _rows_with_empty_computed_fields(world.alxa)
    paths = _document()["paths"]
    checked: dict[str, int] = {}
    for role in SIGNED_IN:
        client = world.client(role)
        for path in _list_paths():
            response = client.get(path)
            assert response.status_code < 500, (role, path, response.status_code)
            assert_documented(response)
            body: Any = response.json() if response.status_code == 200 else None
            results = body.get("results") if isinstance(body, dict) else body
            if not isinstance(results, list):
                continue
            checked[path] = checked.get(path, 0) + len(results)
            if f"{path}{{id}}/" not in paths:
                continue
            for item in results:
                if isinstance(item, dict) and "id" in item:
                    assert_documented(client.get(f"{path}{item['id']}/"))
    # Real rows were read, not empty lists: the lectures include the one without a rate.
    assert checked["/api/v1/lectures/"] > 0
    assert checked["/api/v1/monthly-reports/"] > 0


def test_attendance_rate_is_documented_nullable_and_answers_null(world: World) -> None:
    schema = _document()["components"]["schemas"]
    rate = schema["LectureSession"]["properties"]["attendance_rate"]
    assert rate.get("nullable") is True, rate
    _rows_with_empty_computed_fields(world.alxa)
    client = world.client("reporter")
    listed = client.get("/api/v1/lectures/", {"hospital": world.alxa.h004.pk}).json()["results"]
    (empty,) = [r for r in listed if r["title"] == "无人应到的宣讲"]
    assert empty["attendance_rate"] is None
