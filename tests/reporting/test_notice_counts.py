"""The notice's milestone rules (issue 15 point 1) as the compliance API, the monthly bulletin and the
December evaluation count them: each reads ``campaign.compliance``, so one set of records gives the
same answer in all three."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from campaign.services import lecture_create, tour_lecturer_select
from hospitals.models import Post
from reporting.bulletins.models import Bulletin
from reporting.bulletins.services import bulletin_build
from reporting.evaluation.services import evaluation_scores
from tests.campaign.conftest import hospital, lecture_data, person
from tests.conftest import Alxa, client_for
from tests.reporting.conftest import JULY, SetClock

pytestmark = pytest.mark.django_db

AUGUST = dt.date(2021, 8, 1)
H004, H005 = "阿拉善左旗人民医院", "阿拉善左旗蒙医医院"


def _milestone_cells(bulletin: Bulletin, hospital_name: str) -> dict[str, str]:
    section = next(s for s in bulletin.data["sections"] if s["key"] == "milestones")
    row = next(r for r in section["rows"] if r[1] == hospital_name)
    return dict(zip(section["columns"][2:], row[2:], strict=True))


def _api_states(alxa: Alxa, on: str, hospital_code: str) -> dict[str, Any]:
    h = hospital(hospital_code)
    body = client_for(alxa.league_reviewer).get(f"/api/v1/compliance/?hospital={h.pk}&on={on}").json()
    (row,) = body["results"]["hospitals"]
    return {m["rule"]: (m["state"], m["detail"]) for m in row["milestones"]}


def _lecture_milestones(alxa: Alxa, on: dt.date) -> dict[str, tuple[int, int]]:
    scores = evaluation_scores(alxa.campaign, on=on)
    return {
        s.hospital.code: (s.details["lecture"]["milestones_met"], s.details["lecture"]["milestones"])
        for s in scores
        if s.hospital.code in ("H004", "H005")
    }


def test_08_31_needs_the_secretary_and_the_president_outside(alxa: Alxa, set_clock: SetClock) -> None:
    set_clock("2021-08-31 18:00")
    h005 = hospital("H005")
    for kind, speaker in (("exchange", "H004-P02"), ("alliance", "H004-P01")):
        lecture_create(
            actor=alxa.admin,
            channel="api",
            data=lecture_data(alxa, kind, held_on=dt.date(2021, 8, 20), speaker=person(speaker)),
        )
    lecture_create(  # H005: only its president, in the alliance
        actor=alxa.admin,
        channel="api",
        data=lecture_data(
            alxa, "alliance", hospital=h005, speaker=person("H005-P02"), held_on=dt.date(2021, 8, 21)
        ),
    )
    assert _api_states(alxa, "2021-09-01", "H004")["external_lecture"] == ("met", "")
    assert _api_states(alxa, "2021-09-01", "H005")["external_lecture"] == (
        "not_met",
        "书记尚未院外互讲或医联体内串讲",
    )
    set_clock("2021-09-03 10:00")
    bulletin = bulletin_build(campaign_id=alxa.campaign.pk, month=AUGUST, actor=alxa.league_reviewer)
    column = "08-31 书记和院长分别完成院外互讲、医联体内串讲"
    assert _milestone_cells(bulletin, H004)[column] == "已完成"
    assert _milestone_cells(bulletin, H005)[column] == "未到期"  # the bulletin stands on 08-31 itself
    # Evaluation: of the six lecture milestones H004 meets only 08-31, H005 none.
    assert _lecture_milestones(alxa, dt.date(2021, 9, 1)) == {"H004": (1, 6), "H005": (0, 6)}


def test_a_secretary_who_is_also_the_president_counts_for_both(alxa: Alxa, set_clock: SetClock) -> None:
    """书记兼院长: H005's secretary also holds the presidency from 07-01 and lectures alone."""
    Post.objects.filter(hospital__code="H005", role="president").update(end_on=dt.date(2021, 6, 30))
    h005, leader = hospital("H005"), person("H005-P01")
    Post.objects.create(person=leader, role="president", hospital=h005, start_on=dt.date(2021, 7, 1))
    set_clock("2021-07-12 18:00")
    lecture_create(
        actor=alxa.admin,
        channel="api",
        data=lecture_data(alxa, hospital=h005, speaker=leader, held_on=dt.date(2021, 7, 12)),
    )
    set_clock("2021-08-12 18:00")
    lecture_create(
        actor=alxa.admin,
        channel="api",
        data=lecture_data(alxa, "alliance", hospital=h005, speaker=leader, held_on=dt.date(2021, 8, 12)),
    )
    states = _api_states(alxa, "2021-09-01", "H005")
    assert states["leaders_in_hospital"] == ("met", "")
    assert states["external_lecture"] == ("met", "")
    set_clock("2021-08-03 10:00")
    july = bulletin_build(campaign_id=alxa.campaign.pk, month=JULY, actor=alxa.league_reviewer)
    assert _milestone_cells(july, H005)["07-31 党组织书记和院长每人分别至少在全院宣讲一次"] == "已完成"
    assert _lecture_milestones(alxa, dt.date(2021, 9, 1)) == {"H004": (0, 6), "H005": (2, 6)}


def test_the_tour_lecturers_selected_and_their_tours(alxa: Alxa, set_clock: SetClock) -> None:
    """H004's secretary and H005's president are selected; only H004's gives the online tour."""
    set_clock("2021-08-02 10:00")
    for code in ("H004-P01", "H005-P02"):
        tour_lecturer_select(
            actor=alxa.league_reviewer,
            channel="api",
            campaign=alxa.campaign,
            person=person(code),
            selected_on=dt.date(2021, 8, 2),
        )
    set_clock("2021-08-20 18:00")
    lecture_create(
        actor=alxa.reporter,
        channel="api",
        data=lecture_data(alxa, "region_tour", held_on=dt.date(2021, 8, 20)),
    )
    assert _api_states(alxa, "2021-09-01", "H004")["region_tour"] == ("met", "")
    assert _api_states(alxa, "2021-09-01", "H005")["region_tour"] == (
        "not_met",
        "巡讲讲师谢格日勒尚未完成全区巡讲",
    )
    assert _api_states(alxa, "2021-09-01", "H006")["region_tour"] == ("met", "本院无入选讲师")
    set_clock("2021-10-03 10:00")
    september = bulletin_build(
        campaign_id=alxa.campaign.pk, month=dt.date(2021, 9, 1), actor=alxa.league_reviewer
    )
    column = "08-31 择优选拔全区宣讲讲师并完成全区巡讲"
    assert _milestone_cells(september, H004)[column] == "已完成"
    assert _milestone_cells(september, H005)[column] == "未完成"
    assert _lecture_milestones(alxa, dt.date(2021, 9, 1)) == {"H004": (1, 6), "H005": (0, 6)}
