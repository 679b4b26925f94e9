"""No page form answers 500: a refused or malformed POST is a form error in Chinese, and nothing is
written (issue 13, item 5)."""

from __future__ import annotations

import pytest
from django.test import Client

from hospitals.models import User
from reporting.reports.models import MonthlyReport, UnlockRequest
from tests.conftest import Alxa, client_for
from tests.form_errors import field_errors
from tests.reporting.conftest import SetClock, make_report

pytestmark = pytest.mark.django_db
MONTH = "/hospitals/{}/months/2021-07/"


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("until", "message"),
    [
        ("", "同意解锁须填写解锁截止日期。"),
        ("2021-08-01", "解锁截止日期不能早于今天。"),
        ("2021-12-31", "解锁期限最长31天。"),
        ("9999-12-31", "解锁期限最长31天。"),
        ("0001-01-01", "解锁截止日期不能早于今天。"),
        ("明天", "输入一个有效的日期。"),
    ],
)
def test_unlock_grant_without_a_valid_date_is_a_form_error(
    alxa: Alxa, set_clock: SetClock, until: str, message: str
) -> None:
    report = make_report(alxa, state="approved")
    _client(alxa.reporter).post(MONTH.format(alxa.h004.pk), {"unlock-reason": "发现病案首页数据有误"})
    request = UnlockRequest.objects.get(report=report)
    response = _client(alxa.league_reviewer).post(
        "/unlock-requests/", {"decide-request_id": request.pk, "decide-until": until, "action": "grant"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert field_errors(html, "decide-until") == [message]  # in the request's row, beside the date
    request.refresh_from_db()
    report.refresh_from_db()
    assert request.status == UnlockRequest.Status.PENDING
    assert report.status == MonthlyReport.Status.APPROVED
    assert report.unlocked_until is None


def test_unlock_grant_without_a_date_in_the_api_names_the_field(alxa: Alxa, set_clock: SetClock) -> None:
    report = make_report(alxa, state="approved")
    _client(alxa.reporter).post(MONTH.format(alxa.h004.pk), {"unlock-reason": "发现病案首页数据有误"})
    request = UnlockRequest.objects.get(report=report)
    past = client_for(alxa.league_reviewer).post(
        f"/api/v1/unlock-requests/{request.pk}/grant/", {"until": "2021-08-01"}, format="json"
    )
    assert past.status_code == 400
    assert past.json()["errors"] == {"until": ["解锁截止日期不能早于今天。"]}
    assert past.json()["code"] == "invalid_until"
    request.refresh_from_db()
    assert request.status == UnlockRequest.Status.PENDING
