"""Keyset paging beside page numbers on the API's lists (issue 17, core.pagination), and the page lists
paginated with Django's paginator and the Chinese pager (core.pages.paginate)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from bench.generator import RegionGenerator, RegionSize
from campaign.models import LectureSession
from core import clock
from hospitals.models import Hospital, Role, User

pytestmark = pytest.mark.django_db

REGION = RegionSize(hospitals=2, leagues=1, banners=1, lectures=130)


@pytest.fixture
def region(monkeypatch: pytest.MonkeyPatch) -> APIClient:
    RegionGenerator(seed=11, size=REGION).run()
    moment = dt.datetime(2022, 1, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    monkeypatch.setattr(clock, "now", lambda: moment)
    client = APIClient()
    client.force_authenticate(User.objects.get(role=Role.LEAGUE_REVIEWER))
    return client


def _ids(body: dict[str, Any]) -> list[int]:
    return [row["id"] for row in body["results"]]


def _walk(client: APIClient, url: str) -> tuple[list[list[int]], list[dict[str, Any]]]:
    pages, bodies = [], []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content[:300]
        body = response.json()
        pages.append(_ids(body))
        bodies.append(body)
        url = body["next"]
    return pages, bodies


def test_cursor_pages_hold_the_numbered_pages_rows_in_the_same_order(region: APIClient) -> None:
    numbered, _ = _walk(region, "/api/v1/lectures/?page=1")
    keyset, bodies = _walk(region, "/api/v1/lectures/?cursor=")
    everything = list(LectureSession.objects.order_by("-held_on", "-id").values_list("id", flat=True))
    assert [len(p) for p in keyset] == [50, 50, len(everything) - 100]
    assert keyset == numbered
    assert [i for page in keyset for i in page] == everything
    assert all("count" not in body for body in bodies)
    assert bodies[0]["previous"] is None
    # Back from the last page: the previous link gives the middle page again.
    back = region.get(bodies[-1]["previous"]).json()
    assert _ids(back) == keyset[1]


def test_cursor_follows_the_requested_ordering(region: APIClient) -> None:
    pages, _ = _walk(region, "/api/v1/lectures/?cursor=&ordering=attendance_present")
    seen = [i for page in pages for i in page]
    assert sorted(seen) == sorted(LectureSession.objects.values_list("id", flat=True))
    present = dict(LectureSession.objects.values_list("id", "attendance_present"))
    assert [present[i] for i in seen] == sorted(present[i] for i in seen)


@pytest.mark.parametrize("cursor", ["abc", "cj0x", "cj0x:forged-signature", "%00"])
def test_a_forged_or_broken_cursor_is_a_400_in_chinese(region: APIClient, cursor: str) -> None:
    response = region.get("/api/v1/lectures/", {"cursor": cursor})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["message"] == "分页游标无效，请从首页重新翻页。"
    assert "cursor" in body["errors"]


def test_a_cursor_page_costs_the_same_queries_first_and_last(region: APIClient) -> None:
    _, bodies = _walk(region, "/api/v1/lectures/?cursor=")
    counts = []
    for url in ["/api/v1/lectures/?cursor=", bodies[1]["next"]]:
        with CaptureQueriesContext(connection) as ctx:
            assert region.get(url).status_code == 200
        counts.append(len(ctx.captured_queries))
        # No COUNT(*) in keyset mode.
        assert not any("COUNT(*)" in q["sql"] for q in ctx.captured_queries)
    assert counts[0] == counts[1]


def test_the_schema_documents_both_ways_of_paging(region: APIClient) -> None:
    from drf_spectacular.generators import SchemaGenerator

    document = SchemaGenerator().get_schema(request=None, public=True)
    operation = document["paths"]["/api/v1/lectures/"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"page", "cursor"} <= names
    (ref,) = operation["responses"]["200"]["content"]["application/json"]["schema"].values()
    paged = document["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert paged["required"] == ["results"]
    assert "?cursor=" in paged["properties"]["count"]["description"]


# ------------------------------------------------------------------------------------------ the pages


def test_a_hospitals_lecture_list_page_is_paginated(region: APIClient) -> None:
    hospital = max(Hospital.objects.all(), key=lambda h: LectureSession.objects.filter(hospital=h).count())
    total = LectureSession.objects.filter(hospital=hospital).count()
    assert total > 50
    client = Client()
    client.force_login(User.objects.get(role=Role.LEAGUE_REVIEWER))
    url = f"/hospitals/{hospital.pk}/lectures/"
    pages = -(-total // 50)
    first = client.get(url)
    assert first.status_code == 200
    assert len(first.context["lectures"]) == 50
    text = first.content.decode()
    assert f"第 1 / {pages} 页，共 {total} 条" in text
    assert "下一页" in text
    assert "上一页" not in text
    last = client.get(url, {"page": pages})
    assert len(last.context["lectures"]) == total - 50 * (pages - 1)
    assert "上一页" in last.content.decode()
    shown = [lec.pk for p in range(1, pages + 1) for lec in client.get(url, {"page": p}).context["lectures"]]
    expected = list(
        LectureSession.objects.filter(hospital=hospital)
        .order_by("-held_on", "-id")
        .values_list("pk", flat=True)
    )
    assert shown == expected
    # Bad page numbers never fail: not a number → the first page, past the end → the last.
    assert client.get(url, {"page": "abc"}).context["page"].number == 1
    assert client.get(url, {"page": "9999"}).context["page"].number == pages
