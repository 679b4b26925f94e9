"""Scope is the campaign's organisation (issue 13 item 3, issue 16 item 3): a second league's reviewer
acts on nothing of Alxa's campaign — bulletins, the evaluation, approvals, returns, unlocks — through the
services and the pages, and nothing is written; a user's current campaign is its own league's."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from campaign.models import Campaign
from campaign.selectors import campaign_current, campaigns_visible_to, require_campaign_in_scope
from core.months import next_month
from hospitals.models import ChangeRecord, User
from reporting.bulletins.models import Bulletin
from reporting.bulletins.services import bulletin_build, bulletin_publish
from reporting.evaluation.models import Evaluation
from reporting.evaluation.services import evaluation_build
from reporting.reports.models import MonthlyReport, UnlockRequest
from reporting.reports.services import (
    report_approve,
    report_banner_review,
    report_return,
    report_unlock_grant,
    report_unlock_refuse,
    reports_bulk_approve,
)
from tests.conftest import Alxa
from tests.factories import CampaignFactory, banner_reviewer_for, league_reviewer_for
from tests.leagues import SecondLeague, load_second_league
from tests.reporting.conftest import JULY, SetClock, make_report

pytestmark = pytest.mark.django_db
REFUSAL = "您无权操作其他盟(市)的活动。"


@pytest.fixture
def baotou(alxa: Alxa) -> SecondLeague:
    return load_second_league()


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _history() -> int:
    return ChangeRecord.objects.count()


# --- which campaigns a user sees, and its current one ------------------------------------------------


def test_each_role_sees_the_campaigns_of_its_own_league(alxa: Alxa, baotou: SecondLeague) -> None:
    def codes(user: User) -> set[str]:
        return set(campaigns_visible_to(user).values_list("code", flat=True))

    assert codes(alxa.reporter) == codes(alxa.banner_reviewer) == codes(alxa.league_reviewer) == {"alxa-2021"}
    assert (
        codes(baotou.reporter)
        == codes(baotou.banner_reviewer)
        == codes(baotou.league_reviewer)
        == {"baotou-2021"}
    )
    assert codes(alxa.admin) == {"alxa-2021", "baotou-2021"}
    assert alxa.league.parent is not None
    region = league_reviewer_for(alxa.league.parent)  # a reviewer above the leagues reads both
    assert codes(region) == {"alxa-2021", "baotou-2021"}
    inactive = banner_reviewer_for(alxa.zuoqi, is_active=False)
    assert codes(inactive) == set()
    with pytest.raises(PermissionDenied, match="其他盟"):
        require_campaign_in_scope(baotou.league_reviewer, alxa.campaign)
    require_campaign_in_scope(alxa.banner_reviewer, alxa.campaign.pk)


def test_the_current_campaign_is_the_users_own_leagues_on_the_clocks_date(
    alxa: Alxa, baotou: SecondLeague, set_clock: SetClock
) -> None:
    set_clock("2021-12-03 10:00")
    # Another league's campaign of the same year, running today, with the highest id.
    later = CampaignFactory.create(
        league=baotou.league, year=2021, starts_on=dt.date(2021, 7, 1), ends_on=dt.date(2021, 12, 31)
    )
    assert later.pk > alxa.campaign.pk
    assert campaign_current(alxa.reporter) == alxa.campaign
    assert campaign_current(alxa.banner_reviewer) == alxa.campaign
    assert campaign_current(alxa.league_reviewer) == alxa.campaign
    assert campaign_current(baotou.league_reviewer) == later  # its own: running, started last
    # An admin on a hospital's page gets that hospital's league's campaign.
    assert campaign_current(alxa.admin, hospital=alxa.h004) == alxa.campaign
    # After the campaign has ended: still the latest of the user's own league, never another's.
    set_clock("2022-01-10 10:00")
    assert campaign_current(alxa.reporter) == alxa.campaign
    assert campaign_current(User(is_active=False)) is None


def test_h004s_compliance_without_a_campaign_answers_alxas(
    alxa: Alxa, baotou: SecondLeague, set_clock: SetClock
) -> None:
    from tests.conftest import client_for

    set_clock("2021-12-03 10:00")
    CampaignFactory.create(league=baotou.league, year=2021)
    body = client_for(alxa.reporter).get("/api/v1/compliance/").json()
    assert body["results"]["campaign"] == alxa.campaign.pk
    assert [h["hospital"] for h in body["results"]["hospitals"]] == [alxa.h004.pk]
    # Naming another league's campaign is not found, as any row out of scope.
    other = client_for(alxa.reporter).get(f"/api/v1/compliance/?campaign={baotou.campaign.pk}")
    assert other.status_code == 404


# --- the services refuse another league's reviewer, and write nothing ----------------------------


def test_another_leagues_reviewer_cannot_build_or_publish_alxas_bulletin(
    alxa: Alxa, baotou: SecondLeague, set_clock: SetClock
) -> None:
    history = _history()
    with pytest.raises(PermissionDenied, match="其他盟"):
        bulletin_build(campaign_id=alxa.campaign.pk, month=JULY, actor=baotou.league_reviewer)
    assert not Bulletin.objects.exists()
    assert _history() == history
    draft = bulletin_build(campaign_id=alxa.campaign.pk, month=JULY, actor=alxa.league_reviewer)
    history = _history()
    for actor in (baotou.league_reviewer,):
        with pytest.raises(PermissionDenied, match="其他盟"):
            bulletin_publish(bulletin_id=draft.pk, actor=actor)
        with pytest.raises(PermissionDenied, match="其他盟"):
            bulletin_build(campaign_id=alxa.campaign.pk, month=JULY, actor=actor)  # a rebuild
    draft.refresh_from_db()
    assert (draft.status, draft.published_at, draft.built_by) == ("draft", None, alxa.league_reviewer)
    assert _history() == history
    # Its own league's bulletin it builds and publishes.
    own = bulletin_build(campaign_id=baotou.campaign.pk, month=JULY, actor=baotou.league_reviewer)
    bulletin_publish(bulletin_id=own.pk, actor=baotou.league_reviewer)
    own.refresh_from_db()
    assert (own.campaign, own.status) == (baotou.campaign, "published")
    # The Alxa league's reviewer may not touch 包头's.
    with pytest.raises(PermissionDenied, match="其他盟"):
        bulletin_build(campaign_id=baotou.campaign.pk, month=dt.date(2021, 8, 1), actor=alxa.league_reviewer)


def test_another_leagues_reviewer_cannot_rebuild_alxas_evaluation(
    alxa: Alxa, baotou: SecondLeague, set_clock: SetClock
) -> None:
    set_clock("2021-12-20 10:00")
    rows = evaluation_build(campaign_id=alxa.campaign.pk, actor=alxa.league_reviewer)
    assert len(rows) == 10
    before = list(Evaluation.objects.order_by("pk").values())
    history = _history()
    set_clock("2021-12-21 10:00")
    with pytest.raises(PermissionDenied, match="其他盟"):
        evaluation_build(campaign_id=alxa.campaign.pk, actor=baotou.league_reviewer)
    assert list(Evaluation.objects.order_by("pk").values()) == before
    assert _history() == history
    own = evaluation_build(campaign_id=baotou.campaign.pk, actor=baotou.league_reviewer)
    assert {r.hospital.code for r in own} == {"BT01", "BT02", "BT03"}
    assert Evaluation.objects.filter(campaign=alxa.campaign).count() == 10  # Alxa's rows untouched


def test_another_leagues_reviewer_cannot_approve_return_or_unlock_an_alxa_report(
    alxa: Alxa, baotou: SecondLeague, set_clock: SetClock
) -> None:
    reviewed = make_report(alxa, state="banner_reviewed")
    set_clock("2021-09-03 10:00")
    approved = make_report(alxa, state="approved", month=next_month(JULY))
    request = UnlockRequest.objects.create(report=approved, requested_by=alxa.reporter, reason="数据有误")
    reports = list(MonthlyReport.objects.order_by("pk").values())
    requests = list(UnlockRequest.objects.order_by("pk").values())
    history = _history()
    league2 = baotou.league_reviewer
    attempts = [
        lambda: report_approve(report_id=reviewed.pk, actor=league2),
        lambda: report_return(report_id=reviewed.pk, actor=league2, reason="数据不全"),
        lambda: report_unlock_grant(request_id=request.pk, actor=league2, until=dt.date(2021, 9, 10)),
        lambda: report_unlock_refuse(request_id=request.pk, actor=league2, note="数据无误"),
        lambda: report_banner_review(report_id=reviewed.pk, actor=baotou.banner_reviewer),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied) as refused:
            attempt()
        assert str(refused.value) in (REFUSAL, "初审须由医院所在旗(区)的审核员进行。")
    bulk = reports_bulk_approve(report_ids=[reviewed.pk], actor=league2)
    assert bulk.approved == []
    assert bulk.skipped == {reviewed.pk: REFUSAL}
    assert list(MonthlyReport.objects.order_by("pk").values()) == reports
    assert list(UnlockRequest.objects.order_by("pk").values()) == requests
    assert _history() == history
    # Alxa's own reviewer still approves it.
    set_clock("2021-08-03 10:00")
    assert report_approve(report_id=reviewed.pk, actor=alxa.league_reviewer).status == "approved"


def test_a_report_filed_under_another_leagues_campaign_is_refused_to_its_hospitals_admin_of_scope(
    alxa: Alxa, baotou: SecondLeague, set_clock: SetClock
) -> None:
    """The campaign decides, not only the hospital: a report of an Alxa hospital under 包头's campaign
    (bad data) is not Alxa's league's to approve."""
    report = make_report(alxa, state="banner_reviewed")
    MonthlyReport.objects.filter(pk=report.pk).update(campaign=baotou.campaign)
    with pytest.raises(PermissionDenied, match="其他盟"):
        report_approve(report_id=report.pk, actor=alxa.league_reviewer)
    assert MonthlyReport.objects.get(pk=report.pk).status == "banner_reviewed"


# --- the pages: another league's rows are not found, and its own campaign is the page's --------------


def test_another_leagues_reviewer_on_the_pages(alxa: Alxa, baotou: SecondLeague, set_clock: SetClock) -> None:
    reviewed = make_report(alxa, state="banner_reviewed")
    set_clock("2021-09-03 10:00")
    approved = make_report(alxa, state="approved", month=next_month(JULY))
    request = UnlockRequest.objects.create(report=approved, requested_by=alxa.reporter, reason="数据有误")
    draft = bulletin_build(campaign_id=alxa.campaign.pk, month=JULY, actor=alxa.league_reviewer)
    set_clock("2021-08-03 10:00")
    reports = list(MonthlyReport.objects.order_by("pk").values())
    history = _history()
    league2 = _client(baotou.league_reviewer)
    assert league2.get(f"/bulletins/{draft.pk}/").status_code == 404
    assert league2.post(f"/bulletins/{draft.pk}/", {"action": "publish"}).status_code == 404
    assert league2.post(f"/bulletins/{draft.pk}/", {"action": "build"}).status_code == 404
    assert (
        league2.post(
            f"/reports/{reviewed.pk}/", {"review-action": "approve", "action": "approve"}
        ).status_code
        == 404
    )
    assert (
        league2.post(f"/reports/{reviewed.pk}/", {"action": "return", "return-reason": "x"}).status_code
        == 404
    )
    grant = {"decide-request_id": request.pk, "decide-until": "2021-09-10", "action": "grant"}
    assert league2.post("/unlock-requests/", grant).status_code == 404
    assert league2.get(f"/hospitals/{alxa.h004.pk}/").status_code in (403, 404)
    assert "阿拉善" not in league2.get("/review/").content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert list(MonthlyReport.objects.order_by("pk").values()) == reports
    assert _history() == history
    # Its bulletin page builds its own league's bulletin, never Alxa's.
    response = league2.post("/bulletins/", {"month": "2021-07-01"})
    assert response.status_code == 302
    built = Bulletin.objects.exclude(pk=draft.pk).get()
    assert built.campaign == baotou.campaign
    assert f"/bulletins/{built.pk}/" in league2.get("/bulletins/").content.decode()
    set_clock("2021-12-20 10:00")
    assert league2.post("/evaluation/", {}).status_code == 302
    assert set(Evaluation.objects.values_list("campaign", flat=True)) == {baotou.campaign.pk}
    page = league2.get("/evaluation/").content.decode()
    assert "土右旗人民医院" in page
    assert "阿拉善" not in page


def test_the_campaign_page_of_another_leagues_campaign_is_not_shown(
    alxa: Alxa, baotou: SecondLeague, set_clock: SetClock
) -> None:
    """h004's pages keep Alxa's campaign while a later 包头 campaign of the same year runs."""
    set_clock("2021-12-03 10:00")
    CampaignFactory.create(league=baotou.league, year=2021, name="包头后来的活动")
    page = _client(alxa.reporter).get(f"/hospitals/{alxa.h004.pk}/").content.decode()
    assert alxa.campaign.name in page
    assert "包头后来的活动" not in page
    dashboard = _client(alxa.reporter).get("/").content.decode()
    assert "包头后来的活动" not in dashboard
    assert Campaign.objects.count() == 3
