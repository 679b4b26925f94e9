"""Issue 13 point 7 for indicator values, unlock requests and grants, and returns: each refusal on its
field, the month's or the report's state on none, and all of them in one answer."""

from __future__ import annotations

import pytest
from django.test import Client

from hospitals.models import User
from reporting.indicators.models import IndicatorValue
from reporting.reports.models import MonthlyReport, UnlockRequest
from tests.conftest import Alxa, client_for
from tests.form_errors import field_errors, form_errors
from tests.reporting.conftest import SetClock, make_report

pytestmark = pytest.mark.django_db

MONTH = "/hospitals/{}/months/2021-07/"


def _page(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_indicator_value_in_a_frozen_month_says_the_lock_and_the_figures_at_once(
    alxa: Alxa, set_clock: SetClock
) -> None:
    make_report(alxa, state="approved")
    body = {
        "indicator": alxa.campaign.indicators.get(code="O2.1-a").pk,
        "hospital": alxa.h004.pk,
        "month": "2021-07",
        "numerator": "11",
        "denominator": "10",
    }
    before = IndicatorValue.objects.count()
    response = client_for(alxa.reporter).post("/api/v1/indicator-values/", body, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == ["non_field_errors", "numerator"]
    assert errors["non_field_errors"][0].startswith("2021年07月的月度自查报告")
    assert errors["numerator"] == ["分子(11.00)不能大于分母(10.00)。"]  # the figures as stored
    assert response.json()["code"] == "report_locked"
    assert IndicatorValue.objects.count() == before


def test_indicator_value_figures_each_on_their_field(alxa: Alxa) -> None:
    body = {
        "indicator": alxa.campaign.indicators.get(code="O2.1-a").pk,
        "hospital": alxa.h004.pk,
        "month": "2021-07",
        "numerator": "-1",
        "denominator": "0",
    }
    response = client_for(alxa.reporter).post("/api/v1/indicator-values/", body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "numerator": ["数值不能为负数。"],
        "denominator": ["分母为0，无法计算比例；请核实后填写。"],
    }


def _unlock_request(alxa: Alxa) -> UnlockRequest:
    _page(alxa.reporter).post(MONTH.format(alxa.h004.pk), {"unlock-reason": "发现病案首页数据有误"})
    return UnlockRequest.objects.get(report__hospital=alxa.h004)


def test_unlock_grant_of_a_decided_request_with_a_past_date_says_both(
    alxa: Alxa, set_clock: SetClock
) -> None:
    report = make_report(alxa, state="approved")
    request = _unlock_request(alxa)
    client = client_for(alxa.league_reviewer)
    refused = client.post(
        f"/api/v1/unlock-requests/{request.pk}/refuse/", {"note": "数据无误"}, format="json"
    )
    assert refused.status_code == 200
    response = client.post(
        f"/api/v1/unlock-requests/{request.pk}/grant/", {"until": "2021-08-01"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "non_field_errors": ["该解锁申请已处理。"],
        "until": ["解锁截止日期不能早于今天。"],
    }
    report.refresh_from_db()
    assert report.unlocked_until is None


def test_unlock_refuse_on_the_page_shows_the_note_beside_its_input(alxa: Alxa, set_clock: SetClock) -> None:
    make_report(alxa, state="approved")
    request = _unlock_request(alxa)
    response = _page(alxa.league_reviewer).post(
        "/unlock-requests/",
        {
            "decide-request_id": request.pk,
            "decide-until": "2021-08-01",
            "decide-note": " ",
            "action": "refuse",
        },
    )
    html = response.content.decode()
    assert field_errors(html, "decide-note") == ["不同意解锁须说明理由。"]
    request.refresh_from_db()
    assert request.status == UnlockRequest.Status.PENDING


def test_unlock_request_without_a_reason_on_a_report_in_review_says_both(
    alxa: Alxa, set_clock: SetClock
) -> None:
    report = make_report(alxa, state="submitted")
    response = client_for(alxa.reporter).post(
        f"/api/v1/monthly-reports/{report.pk}/unlock-request/", {"reason": ""}, format="json"
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == ["reason", "non_field_errors"]
    assert errors["reason"] == ["申请解锁须填写理由。"]
    assert errors["non_field_errors"][0].startswith("报告当前为“已提交”，正在审核中")
    assert not UnlockRequest.objects.exists()


def test_return_without_a_reason_of_an_approved_report_says_both(alxa: Alxa, set_clock: SetClock) -> None:
    report = make_report(alxa, state="approved")
    response = client_for(alxa.league_reviewer).post(
        f"/api/v1/monthly-reports/{report.pk}/return/", {"reason": ""}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "reason": ["退回须填写原因。"],
        "non_field_errors": ["报告已审核通过，不能退回。如需修改请申请解锁。"],
    }
    html = (
        _page(alxa.league_reviewer)
        .post(f"/reports/{report.pk}/", {"action": "return", "return-reason": ""})
        .content.decode()
    )
    assert field_errors(html, "return-reason") == ["退回须填写原因。"]
    assert form_errors(html) == ["报告已审核通过，不能退回。如需修改请申请解锁。"]
    report.refresh_from_db()
    assert report.status == MonthlyReport.Status.APPROVED
