"""The lectures API's pages are kept under the versions of the tables they read (issue 17's throughput):
a kept page never differs from the live one, after writes to every table a row shows (through a service,
the ORM, a bulk update, raw SQL, a rolled-back transaction), and each viewer keeps their own scope."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from campaign import api as campaign_api
from campaign.models import Layer, LectureCoverage, LectureKind, LectureMaterial, LectureSession
from campaign.services import lecture_create
from hospitals.models import Hospital, Person
from tests.campaign.conftest import full_coverage, lecture_data, person
from tests.conftest import Alxa, client_for

pytestmark = pytest.mark.django_db
URLS = ["/api/v1/lectures/", "/api/v1/lectures/?page=last", "/api/v1/lectures/?ordering=-attendance_present"]


def _lectures(alxa: Alxa, n: int) -> list[LectureSession]:
    return [
        lecture_create(
            actor=alxa.reporter,
            channel="api",
            data=lecture_data(
                alxa,
                title=f"医改宣讲第{i}场",
                held_on=dt.date(2021, 7, 1 + i),
                supervising_officials=(person("B152921-P01"),) if i % 2 else (),
                coverage=full_coverage(alxa),
            ),
        )
        for i in range(n)
    ]


def _live(user: Any, url: str) -> Any:
    """The page computed now: nothing kept to answer from."""
    cache.clear()
    response = client_for(user).get(url)
    assert response.status_code == 200
    return response.json()


def _kept(user: Any, url: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The page once kept: asked until kept, then with the live computation refused."""
    client = client_for(user)
    for _ in range(2):
        assert client.get(url).status_code == 200
    with monkeypatch.context() as patch:
        patch.setattr(campaign_api, "lecture_rows", _refuse)
        response = client.get(url)
    assert response.status_code == 200
    return response.json()


def _refuse(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("computed again although nothing changed")


def _kept_after(user: Any, url: str, write: Callable[[], object]) -> tuple[Any, Any]:
    """The page kept before ``write``, asked again after it (from the cache only if nothing it read
    changed), and the page computed live after it."""
    client = client_for(user)
    for _ in range(3):
        client.get(url)
    write()
    after = client.get(url).json()
    return after, _live(user, url)


def test_a_kept_page_is_the_live_page(alxa: Alxa, monkeypatch: pytest.MonkeyPatch) -> None:
    _lectures(alxa, 5)
    for url in URLS:
        live = _live(alxa.reporter, url)
        assert live["count"] == 5
        assert _kept(alxa.reporter, url, monkeypatch) == live


def _writes(alxa: Alxa) -> dict[str, Callable[[], object]]:
    def raw_title() -> None:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE campaign_lecturesession SET title = title || '（修订）'")

    def rolled_back() -> None:
        with transaction.atomic():
            LectureSession.objects.update(attendance_present=1)
            transaction.set_rollback(True)

    lecture = LectureSession.objects.order_by("id").first()
    assert lecture is not None
    return {
        "a lecture through the service": lambda: _lectures(alxa, 1),
        "the speaker's name": lambda: Person.objects.filter(code="H004-P01").update(name="林新名"),
        "the kind's name": lambda: LectureKind.objects.filter(code="in_hospital").update(name="院内宣讲会"),
        "the hospital's name": lambda: Hospital.objects.filter(code="H004").update(name="新院名"),
        "a material": lambda: LectureMaterial.objects.create(
            lecture=lecture,
            kind="photo",
            title="现场照片",
            original_name="a.jpg",
            content_type="image/jpeg",
            size=10,
        ),
        "the coverage": lambda: LectureCoverage.objects.filter(lecture=lecture).delete(),
        "a layer's order": lambda: Layer.objects.update(order=0),
        "an official": lambda: lecture.supervising_officials.add(person("B152921-P02")),
        "raw SQL": raw_title,
        "a rolled-back transaction": rolled_back,
    }


@pytest.mark.parametrize(
    "change",
    [
        "a lecture through the service",
        "the speaker's name",
        "the kind's name",
        "the hospital's name",
        "a material",
        "the coverage",
        "a layer's order",
        "an official",
        "raw SQL",
        "a rolled-back transaction",
    ],
)
def test_a_kept_page_follows_every_write_it_shows(alxa: Alxa, change: str) -> None:
    _lectures(alxa, 3)
    before = _live(alxa.reporter, URLS[0])
    after, live = _kept_after(alxa.reporter, URLS[0], _writes(alxa)[change])
    assert after == live
    if change == "a rolled-back transaction":
        assert after == before
    else:
        assert after != before


def test_each_viewer_keeps_their_own_scope(alxa: Alxa) -> None:
    _lectures(alxa, 2)
    lecture_create(
        actor=alxa.admin,
        channel="api",
        data=lecture_data(alxa, hospital=alxa.h006, speaker=person("H006-P01"), title="右旗医院宣讲"),
    )
    seen = {}
    for user in (alxa.reporter, alxa.banner_reviewer, alxa.league_reviewer, alxa.reporter):
        client = client_for(user)
        for _ in range(3):
            body = client.get(URLS[0]).json()
        seen[user.username] = sorted(row["title"] for row in body["results"])
    assert seen["h004"] == ["医改宣讲第0场", "医改宣讲第1场"]
    assert seen["league"] == ["医改宣讲第0场", "医改宣讲第1场", "右旗医院宣讲"]
    assert "右旗医院宣讲" not in seen["zuoqi"]


def test_a_kept_page_costs_the_versions_query(alxa: Alxa) -> None:
    _lectures(alxa, 5)
    client = client_for(alxa.reporter)
    for _ in range(3):
        client.get(URLS[0])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URLS[0]).status_code == 200
    sql = [q["sql"] for q in queries.captured_queries]
    assert [s for s in sql if "core_tableversion" in s]
    assert not [s for s in sql if "core_tableversion" not in s and "campaign_lecturesession" in s]
