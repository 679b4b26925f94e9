"""The 调度 API: the whole loop through it, the multipart upload, refusals as 400 on their fields, scope
as 403/404, and the league's visits."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from reporting.dispatch.models import DispatchReport, LeagueVisit
from tests.api.openapi import assert_documented
from tests.conftest import Alxa, streamed
from tests.leagues import load_second_league
from tests.reporting.conftest import SetClock
from tests.reporting.dispatch.conftest import TEXT, central_lecture
from tests.samples import PDF

pytestmark = pytest.mark.django_db
URL = "/api/v1/dispatch-reports/"


def _api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_loop_through_the_api(alxa: Alxa, set_clock: SetClock) -> None:
    banner, league = _api(alxa.banner_reviewer), _api(alxa.league_reviewer)
    opened = banner.post(URL, {"banner": alxa.zuoqi.pk, "month": "2021-07-01"}, format="json")
    assert opened.status_code == 201, opened.content
    assert_documented(opened)
    body = opened.json()
    assert (body["status"], body["due_on"], body["banner_name"]) == ("draft", "2021-08-05", "阿拉善左旗")
    pk = body["id"]
    again = banner.post(URL, {"banner": alxa.zuoqi.pk, "month": "2021-07-01"}, format="json")
    assert (again.status_code, again.json()["id"]) == (200, pk)
    assert banner.patch(f"{URL}{pk}/", {"text": TEXT}, format="json").json()["text"] == TEXT
    uploaded = banner.post(
        f"{URL}{pk}/files/", {"files": [SimpleUploadedFile("调度.pdf", PDF)]}, format="multipart"
    )
    assert uploaded.status_code == 200, uploaded.content
    files = uploaded.json()["files"]
    assert [(f["original_name"], f["content_type"], f["size"]) for f in files] == [
        ("调度.pdf", "application/pdf", len(PDF))
    ]
    download = league.get(f"/api/v1/dispatch-files/{files[0]['id']}/download/")
    assert streamed(download) == PDF
    submitted = banner.post(f"{URL}{pk}/submit/")
    assert (submitted.status_code, submitted.json()["status"], submitted.json()["late_days"]) == (
        200,
        "submitted",
        0,
    )
    no_reason = league.post(f"{URL}{pk}/return/", {"reason": ""}, format="json")
    assert no_reason.status_code == 400
    assert_documented(no_reason)
    assert set(no_reason.json()["errors"]) == {"reason"}
    returned = league.post(f"{URL}{pk}/return/", {"reason": "请补充"}, format="json")
    assert (returned.json()["status"], returned.json()["return_reason"]) == ("returned", "请补充")
    assert banner.post(f"{URL}{pk}/submit/").json()["status"] == "resubmitted"
    read = league.post(f"{URL}{pk}/mark-read/", {"note": "已阅"}, format="json")
    assert read.json()["status"] == "read"
    history = banner.get(f"{URL}{pk}/history/").json()
    assert [h["action"] for h in history][:3] == ["read", "resubmit", "return"]


def test_refusals_and_scope(alxa: Alxa, set_clock: SetClock) -> None:
    banner = _api(alxa.banner_reviewer)
    june = banner.post(URL, {"banner": alxa.zuoqi.pk, "month": "2021-06-01"}, format="json")
    assert june.status_code == 400
    assert "7月起" in june.json()["errors"]["month"][0]
    other_banner = banner.post(URL, {"banner": alxa.youqi.pk, "month": "2021-07-01"}, format="json")
    assert other_banner.status_code == 403
    league_open = _api(alxa.league_reviewer).post(
        URL, {"banner": alxa.zuoqi.pk, "month": "2021-07-01"}, format="json"
    )
    assert league_open.status_code == 403
    assert not DispatchReport.objects.exists()
    pk = banner.post(URL, {"banner": alxa.zuoqi.pk, "month": "2021-07-01"}, format="json").json()["id"]
    empty = banner.post(f"{URL}{pk}/submit/")
    assert (empty.status_code, list(empty.json()["errors"])) == (400, ["text"])
    bad = banner.post(
        f"{URL}{pk}/files/", {"files": [SimpleUploadedFile("x.pdf", b"MZ not a pdf")]}, format="multipart"
    )
    assert bad.status_code == 400
    assert list(bad.json()["errors"]) == ["files"]
    second = load_second_league()
    assert _api(second.league_reviewer).get(f"{URL}{pk}/").status_code == 404
    assert _api(second.league_reviewer).get(URL).json()["count"] == 0
    assert _api(alxa.reporter).get(URL).json()["count"] == 0


def test_league_visits(alxa: Alxa, set_clock: SetClock) -> None:
    lecture = central_lecture(alxa)
    body = {"lecture": lecture.pk, "visited_on": "2021-07-10", "attendees": "范明亮"}
    assert _api(alxa.banner_reviewer).post("/api/v1/league-visits/", body, format="json").status_code == 403
    wrong_day = _api(alxa.league_reviewer).post(
        "/api/v1/league-visits/", {**body, "visited_on": "2021-07-09"}, format="json"
    )
    assert (wrong_day.status_code, list(wrong_day.json()["errors"])) == (400, ["visited_on"])
    created = _api(alxa.league_reviewer).post("/api/v1/league-visits/", body, format="json")
    assert created.status_code == 201, created.content
    assert_documented(created)
    assert (created.json()["banner_name"], created.json()["campaign"]) == ("阿拉善左旗", alxa.campaign.pk)
    assert _api(alxa.banner_reviewer).get("/api/v1/league-visits/").json()["count"] == 1
    assert _api(load_second_league().league_reviewer).get("/api/v1/league-visits/").json()["count"] == 0
    moved = _api(alxa.league_reviewer).patch(
        f"/api/v1/league-visits/{created.json()['id']}/", {"lecture": central_lecture(alxa).pk}, format="json"
    )
    assert moved.status_code == 400
    assert LeagueVisit.objects.get().lecture == lecture
