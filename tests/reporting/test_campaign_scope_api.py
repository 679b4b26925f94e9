"""A campaign named in the API is one of the requester's (issue 13 item 3): every serializer field and
list filter that takes a campaign reads ``campaigns_visible_to``, so another league's campaign is a 400
on the field (as an unknown id), its catalogue is not listed, its campaign is 404, and an export with it
is refused as its list is."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from campaign.models import KeyDocument, LaunchRecord, LecturePlan, TourLecturer
from hospitals.models import ChangeRecord
from reporting.bulletins.models import Bulletin
from reporting.bulletins.services import bulletin_build
from reporting.evaluation.models import Evaluation
from reporting.indicators.models import IndicatorImport
from tests.conftest import Alxa, client_for, streamed
from tests.leagues import SecondLeague, load_second_league
from tests.reporting.conftest import JULY, SetClock, make_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def baotou(alxa: Alxa) -> SecondLeague:
    return load_second_league()


def _refused_on_campaign(response: Any) -> None:
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) == {"code", "message", "errors"}
    assert "campaign" in body["errors"], body


def test_another_leagues_campaign_in_a_build_body_is_a_400_on_the_field_and_nothing_is_built(
    alxa: Alxa, baotou: SecondLeague, set_clock: SetClock
) -> None:
    league2 = client_for(baotou.league_reviewer)
    history = ChangeRecord.objects.count()
    _refused_on_campaign(
        league2.post("/api/v1/bulletins/build/", {"campaign": alxa.campaign.pk, "month": "2021-07-01"})
    )
    set_clock("2021-12-20 10:00")
    _refused_on_campaign(league2.post("/api/v1/evaluations/build/", {"campaign": alxa.campaign.pk}))
    assert not Bulletin.objects.exists()
    assert not Evaluation.objects.exists()
    assert ChangeRecord.objects.count() == history
    # Its own campaign builds, and the answer holds only its own hospitals.
    built = league2.post("/api/v1/evaluations/build/", {"campaign": baotou.campaign.pk})
    assert built.status_code == 201, built.content
    assert {row["hospital"] for row in built.json()} == {h.pk for h in baotou.hospitals}
    set_clock("2021-08-03 10:00")
    bulletin = league2.post(
        "/api/v1/bulletins/build/", {"campaign": baotou.campaign.pk, "month": "2021-07-01"}
    )
    assert bulletin.status_code == 201, bulletin.content
    assert bulletin.json()["campaign"] == baotou.campaign.pk


def test_a_draft_of_another_league_cannot_be_published_or_read(
    alxa: Alxa, baotou: SecondLeague, set_clock: SetClock
) -> None:
    draft = bulletin_build(campaign_id=alxa.campaign.pk, month=JULY, actor=alxa.league_reviewer)
    league2 = client_for(baotou.league_reviewer)
    assert league2.post(f"/api/v1/bulletins/{draft.pk}/publish/").status_code == 404
    assert league2.get(f"/api/v1/bulletins/{draft.pk}/").status_code == 404
    assert league2.get("/api/v1/bulletins/").json()["count"] == 0
    _refused_on_campaign(league2.get("/api/v1/bulletins/", {"campaign": alxa.campaign.pk}))
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_campaigns_and_their_catalogues_are_the_users_leagues(alxa: Alxa, baotou: SecondLeague) -> None:
    h004 = client_for(alxa.reporter)
    assert [c["id"] for c in h004.get("/api/v1/campaigns/").json()["results"]] == [alxa.campaign.pk]
    assert h004.get(f"/api/v1/campaigns/{baotou.campaign.pk}/").status_code == 404
    admin_ids = {c["id"] for c in client_for(alxa.admin).get("/api/v1/campaigns/").json()["results"]}
    assert admin_ids == {alxa.campaign.pk, baotou.campaign.pk}
    documents = h004.get("/api/v1/key-documents/").json()["results"]
    assert {d["campaign"] for d in documents} == {alxa.campaign.pk}
    other = KeyDocument.objects.get(campaign=baotou.campaign, code="kd1")
    assert h004.get(f"/api/v1/key-documents/{other.pk}/").status_code == 404
    for route in ("key-documents", "layers", "lecture-kinds", "action-tasks", "indicators"):
        _refused_on_campaign(h004.get(f"/api/v1/{route}/", {"campaign": baotou.campaign.pk}))
        own = h004.get(f"/api/v1/{route}/", {"campaign": alxa.campaign.pk})
        assert own.status_code == 200
        assert own.json()["count"] > 0
    league2 = client_for(baotou.league_reviewer).get("/api/v1/lecture-kinds/").json()["results"]
    assert {k["campaign"] for k in league2} == {baotou.campaign.pk}


def test_list_filters_by_another_leagues_campaign_are_400(
    alxa: Alxa, baotou: SecondLeague, set_clock: SetClock
) -> None:
    report = make_report(alxa, state="submitted")
    league = client_for(alxa.league_reviewer)
    assert [
        r["id"]
        for r in league.get("/api/v1/monthly-reports/", {"campaign": alxa.campaign.pk}).json()["results"]
    ] == [report.pk]
    for route in (
        "monthly-reports",
        "lectures",
        "action-items",
        "launch-records",
        "lecture-plans",
        "tour-lecturers",
        "evaluations",
        "indicator-values",
        "indicator-baselines",
        "indicator-imports",
        "bulletins",
    ):
        _refused_on_campaign(league.get(f"/api/v1/{route}/", {"campaign": baotou.campaign.pk}))
        assert league.get(f"/api/v1/{route}/", {"campaign": alxa.campaign.pk}).status_code == 200, route
    # The report API's campaign is a read; another league's reviewer filtering by Alxa's is refused.
    _refused_on_campaign(
        client_for(baotou.league_reviewer).get("/api/v1/monthly-reports/", {"campaign": alxa.campaign.pk})
    )


def test_writes_naming_another_leagues_campaign_are_400_and_write_nothing(
    alxa: Alxa, baotou: SecondLeague
) -> None:
    h004, league = client_for(alxa.reporter), client_for(alxa.league_reviewer)
    counts = (LaunchRecord.objects.count(), LecturePlan.objects.count(), TourLecturer.objects.count())
    history = ChangeRecord.objects.count()
    _refused_on_campaign(
        h004.post(
            "/api/v1/launch-records/",
            {
                "campaign": baotou.campaign.pk,
                "hospital": alxa.h004.pk,
                "launched_on": "2021-06-24",
                "meeting": "动员会",
            },
        )
    )
    _refused_on_campaign(
        h004.post(
            "/api/v1/lecture-plans/",
            {"campaign": baotou.campaign.pk, "hospital": alxa.h004.pk, "fixed_on": "2021-06-28"},
        )
    )
    secretary = alxa.h004.leader_on("secretary", JULY)
    assert secretary is not None
    _refused_on_campaign(
        league.post(
            "/api/v1/tour-lecturers/",
            {"campaign": baotou.campaign.pk, "person": secretary.pk, "selected_on": "2021-08-01"},
        )
    )
    upload = h004.post(
        "/api/v1/indicator-imports/upload/",
        {
            "campaign": baotou.campaign.pk,
            "hospital": alxa.h004.pk,
            "month": "2021-07",
            "file": io.BytesIO(b"PK"),
        },
        format="multipart",
    )
    _refused_on_campaign(upload)
    assert not IndicatorImport.objects.exists()
    assert (LaunchRecord.objects.count(), LecturePlan.objects.count(), TourLecturer.objects.count()) == counts
    assert ChangeRecord.objects.count() == history


def test_exports_judge_the_campaign_as_their_lists_do(alxa: Alxa, baotou: SecondLeague) -> None:
    h004 = client_for(alxa.reporter)
    _refused_on_campaign(h004.get("/api/v1/lectures/export/", {"campaign": baotou.campaign.pk}))
    _refused_on_campaign(h004.get("/api/v1/action-items/export/", {"campaign": baotou.campaign.pk}))
    job = h004.post(
        "/api/v1/exports/",
        {"kind": "lecture_ledger", "params": {"campaign": [str(baotou.campaign.pk)]}},
        format="json",
    )
    _refused_on_campaign(job)
    own = h004.get("/api/v1/lectures/export/", {"campaign": alxa.campaign.pk})
    assert own.status_code == 200
    assert load_workbook(io.BytesIO(streamed(own))).worksheets[0].max_row == 1  # the header: none yet
    table = h004.get("/api/v1/indicator-evaluations/export/", {"campaign": baotou.campaign.pk})
    assert table.status_code in (400, 404)
