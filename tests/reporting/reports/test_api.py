"""/api/v1/ of the report workflow (reporting/report_api.py): every action answers what the schema documents
(status, content type, body), found by the schemathesis run; and out-of-range ids are a 400."""

from __future__ import annotations

import datetime as dt

import pytest

from reporting.notices.models import Notification
from reporting.reports.api import MAX_ID
from reporting.reports.models import MonthlyReport
from tests.api.openapi import assert_documented
from tests.conftest import Alxa, client_for
from tests.reporting.conftest import JULY, SetClock, make_report

pytestmark = pytest.mark.django_db
BULK = "/api/v1/monthly-reports/bulk-approve/"


def test_bulk_approve_of_an_unknown_id_is_skipped_in_the_documented_body(alxa: Alxa) -> None:
    """The schemathesis finding: the 200 body was documented as the request's ``{"ids"}``."""
    response = client_for(alxa.league_reviewer).post(BULK, {"ids": [MAX_ID]}, format="multipart")
    assert response.status_code == 200
    assert response.json() == {"approved": [], "skipped": {str(MAX_ID): "未找到该报告，或您无权查看。"}}
    assert_documented(response)


@pytest.mark.parametrize("bad", [MAX_ID + 1, 0, -1])
def test_bulk_approve_of_an_out_of_range_id_is_a_400(alxa: Alxa, bad: int) -> None:
    response = client_for(alxa.league_reviewer).post(BULK, {"ids": [bad]}, format="multipart")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == ("max_value" if bad > 0 else "min_value")
    assert set(body["errors"]) == {"ids"}
    assert body["message"] == (
        f"请确保该值小于或者等于 {MAX_ID}。" if bad > 0 else "请确保该值大于或者等于 1。"
    )
    assert_documented(response)


def test_bulk_approve_approves_what_it_may_and_says_why_not_for_the_rest(
    alxa: Alxa, set_clock: SetClock
) -> None:
    reviewed = make_report(alxa, state="banner_reviewed")
    draft = make_report(alxa, month=dt.date(2021, 8, 1))
    response = client_for(alxa.league_reviewer).post(BULK, {"ids": [reviewed.pk, draft.pk]}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["approved"] == [reviewed.pk]
    assert list(body["skipped"]) == [str(draft.pk)]
    assert MonthlyReport.objects.get(pk=reviewed.pk).status == "approved"
    assert_documented(response)


def test_each_workflow_action_answers_its_documented_body(alxa: Alxa, set_clock: SetClock) -> None:
    """Submit, review, return, contents, history, unlock request, grant and refuse: 2xx bodies that
    were documented as their request bodies (or as the report) before."""
    reporter, banner, league = (
        client_for(u) for u in (alxa.reporter, alxa.banner_reviewer, alxa.league_reviewer)
    )
    opened = reporter.post("/api/v1/monthly-reports/", {"hospital": alxa.h004.pk, "month": "2021-07-01"})
    assert opened.status_code == 201
    assert opened.json()["lock_state"]["reason"] == "open"
    assert_documented(opened)
    again = reporter.post("/api/v1/monthly-reports/", {"hospital": alxa.h004.pk, "month": "2021-07-01"})
    assert (again.status_code, again.json()["id"]) == (200, opened.json()["id"])
    assert_documented(again)
    report = make_report(alxa, state="submitted", month=JULY)
    url = f"/api/v1/monthly-reports/{report.pk}"

    returned = banner.post(
        f"{url}/return/",
        {"reason": "数据不全", "comments": [{"text": "请补充", "item_kind": "general"}]},
        format="json",
    )
    assert (returned.status_code, returned.json()["status"]) == (200, "returned")
    assert_documented(returned)
    contents = banner.get(f"{url}/contents/")
    assert contents.status_code == 200
    assert [c["text"] for c in contents.json()["open_comments"]] == ["请补充"]
    assert_documented(contents)
    submitted = reporter.post(f"{url}/submit/")
    assert (submitted.status_code, submitted.json()["status"]) == (200, "resubmitted")
    assert_documented(submitted)
    reviewed = banner.post(f"{url}/banner-review/", {"reason": ""}, format="json")
    assert (reviewed.status_code, reviewed.json()["status"]) == (200, "banner_reviewed")
    assert_documented(reviewed)
    approved = league.post(f"{url}/approve/", {}, format="json")
    assert (approved.status_code, approved.json()["status"]) == (200, "approved")
    assert_documented(approved)
    history = league.get(f"{url}/history/")
    assert history.status_code == 200
    assert "approve" in [h["action"] for h in history.json()]
    assert_documented(history)

    asked = reporter.post(f"{url}/unlock-request/", {"reason": "7月数据填错"}, format="json")
    assert (asked.status_code, asked.json()["status"]) == (201, "pending")
    assert_documented(asked)
    granted = league.post(
        f"/api/v1/unlock-requests/{asked.json()['id']}/grant/", {"until": "2021-08-20"}, format="json"
    )
    assert (granted.status_code, granted.json()["status"]) == (200, "granted")
    assert_documented(granted)


def test_refuse_answers_the_unlock_request(alxa: Alxa, set_clock: SetClock) -> None:
    report = make_report(alxa, state="approved")
    asked = client_for(alxa.reporter).post(
        f"/api/v1/monthly-reports/{report.pk}/unlock-request/", {"reason": "填错"}, format="json"
    )
    refused = client_for(alxa.league_reviewer).post(
        f"/api/v1/unlock-requests/{asked.json()['id']}/refuse/", {"note": "数据无误"}, format="json"
    )
    assert refused.status_code == 200
    assert (refused.json()["status"], refused.json()["decision_note"]) == ("refused", "数据无误")
    assert_documented(refused)


def test_bulletin_build_publish_and_download_are_documented(alxa: Alxa, set_clock: SetClock) -> None:
    league = client_for(alxa.league_reviewer)
    built = league.post(
        "/api/v1/bulletins/build/", {"campaign": alxa.campaign.pk, "month": "2021-07-01"}, format="json"
    )
    assert (built.status_code, built.json()["status"]) == (201, "draft")
    assert_documented(built)
    published = league.post(f"/api/v1/bulletins/{built.json()['id']}/publish/")
    assert (published.status_code, published.json()["status"]) == (200, "published")
    assert_documented(published)
    download = league.get(f"/api/v1/bulletins/{built.json()['id']}/download/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert_documented(download)


def test_evaluation_build_and_mark_read_are_documented(alxa: Alxa, set_clock: SetClock) -> None:
    set_clock("2021-12-20 10:00")
    built = client_for(alxa.league_reviewer).post(
        "/api/v1/evaluations/build/", {"campaign": alxa.campaign.pk}, format="json"
    )
    assert built.status_code == 201
    assert {row["hospital"] for row in built.json()} >= {alxa.h001.pk, alxa.h004.pk, alxa.h006.pk}
    assert_documented(built)
    Notification.objects.create(user=alxa.reporter, kind="reminder", title="【提醒】自查报告尚未提交")
    marked = client_for(alxa.reporter).post("/api/v1/notifications/mark-read/", {}, format="json")
    assert marked.status_code == 200
    assert marked.json() == {"marked": 1}
    assert_documented(marked)


@pytest.mark.parametrize(
    "url", ["/api/v1/monthly-reports/", "/api/v1/unlock-requests/", "/api/v1/bulletins/"]
)
def test_ordering_by_a_display_label_is_ignored_not_a_500(alxa: Alxa, set_clock: SetClock, url: str) -> None:
    """``status_label`` is a method's output: DRF offered it for ``?ordering=`` (schemathesis finding)."""
    make_report(alxa, state="submitted")
    response = client_for(alxa.admin).get(f"{url}?ordering=status_label")
    assert response.status_code == 200
    assert_documented(response)
    by_status = client_for(alxa.admin).get(f"{url}?ordering=-status")
    assert by_status.status_code == 200
