"""Several leagues on one deployment (issue 16 item 3): each league's users — reviewer, banner reviewer,
reporter, from the seeds of both sample leagues — open the main pages and download every export, and no
name of the other league's hospitals or banners appears anywhere in them. The region reviewer sees both."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from hospitals.models import Hospital, OrgUnit, User
from tests.conftest import Alxa, streamed
from tests.leagues import SecondLeague, load_second_league
from tests.reporting.conftest import SetClock
from tests.reporting.region.test_rollup import _evaluation, _lecture, _report

REVIEWER_PAGES = ["/", "/hospitals/", "/review/?status=", "/unlock-requests/", "/bulletins/"]
PAGES = {
    "league": [*REVIEWER_PAGES, "/evaluation/", "/tour-lecturers/", "/publicity/", "/region/"],
    "zuoqi": REVIEWER_PAGES,
    "h004": ["/", "/bulletins/", "/unlock-requests/"],
}
SECOND = {"league": "baotou", "zuoqi": "tuyou", "h004": "bt01"}
EXPORTS = ["action_tracker", "evaluation", "hospital_roster", "indicator_table", "lecture_ledger"]


@pytest.fixture
def baotou(alxa: Alxa) -> SecondLeague:
    return load_second_league()


def _names(league: OrgUnit) -> set[str]:
    hospitals = Hospital.objects.filter(banner__path__startswith=league.path).values_list("name", flat=True)
    banners = OrgUnit.objects.filter(path__startswith=league.path).exclude(pk=league.pk)
    return set(hospitals) | set(banners.values_list("name", flat=True))


def _cells(content: bytes) -> str:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(
        str(value) for ws in workbook.worksheets for row in ws.iter_rows(values_only=True) for value in row
    )


def _texts(user: User, paths: list[str]) -> dict[str, str]:
    client = Client()
    client.force_login(user)
    out: dict[str, str] = {}
    for path in paths:
        response = client.get(path, follow=True)
        assert response.status_code == 200, (user.username, path, response.status_code)
        out[path] = response.content.decode()
    allowed = [k for k in EXPORTS if user.role != "hospital_reporter" or k != "evaluation"]
    for kind in allowed:
        response = client.get(f"/exports/{kind}/")
        assert response.status_code == 200, (user.username, kind, response.status_code)
        out[f"export {kind}"] = _cells(streamed(response))
    return out


def _leaks(texts: dict[str, Any], names: set[str]) -> list[tuple[str, str]]:
    return [(where, name) for where, text in texts.items() for name in names if name in text]


def test_each_leagues_users_see_only_their_own_league_on_pages_and_exports(
    alxa: Alxa, baotou: SecondLeague, set_clock: SetClock
) -> None:
    set_clock("2021-09-10 10:00")
    for campaign, hospital in ((alxa.campaign, alxa.h004), (baotou.campaign, baotou.hospital)):
        _lecture(campaign, hospital)
        _report(campaign, hospital, dt.date(2021, 7, 1), 0)
        _evaluation(campaign, hospital, "80.00", 1, True)
    alxa_names, baotou_names = _names(alxa.league), _names(baotou.league)
    assert "土右旗人民医院" in baotou_names
    assert "阿拉善左旗人民医院" in alxa_names
    for alxa_user, paths in PAGES.items():
        texts = _texts(User.objects.get(username=alxa_user), paths)
        assert _leaks(texts, baotou_names) == [], alxa_user
        assert any(alxa.h004.name in t for t in texts.values()), alxa_user
        second = User.objects.get(username=SECOND[alxa_user])
        texts = _texts(second, paths)
        assert _leaks(texts, alxa_names) == [], second.username
        assert any(baotou.hospital.name in t for t in texts.values()), second.username
    # The region reviewer reads both.
    region = _texts(baotou.region_reviewer, ["/region/", "/hospitals/"])
    assert baotou.hospital.name in region["/hospitals/"] or "包头市" in region["/region/"]
    assert "阿拉善盟" in region["/region/"]
    assert "包头市" in region["/region/"]
