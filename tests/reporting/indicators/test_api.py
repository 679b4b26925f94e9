"""The indicator API: hard rules as 400 with nothing written, baselines, history, figures, evaluations and
constant query counts."""

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from hospitals.audit import history_of
from hospitals.models import ChangeRecord, User
from reporting.indicators.models import IndicatorValue
from tests.api.openapi import assert_documented
from tests.conftest import Alxa, client_for
from tests.factories import HospitalFactory, indicator_value

VALUES = "/api/v1/indicator-values/"
BASELINES = "/api/v1/indicator-baselines/"


def fresh_client(user: User) -> APIClient:
    """A client for a freshly loaded user, as token authentication gives: nothing cached on the instance."""
    return client_for(User.objects.get(pk=user.pk))


def body(alxa: Alxa, code: str, **figures: Any) -> dict[str, Any]:
    figures.setdefault("hospital", alxa.h004.pk)
    figures.setdefault("month", "2021-07")
    return {"indicator": alxa.campaign.indicators.get(code=code).pk, **figures}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "figures", "expected"),
    [
        ("O2.1-a", {"numerator": 0, "denominator": 0}, "zero_denominator"),
        ("O2.1-a", {"numerator": 11, "denominator": 10}, "numerator_exceeds_denominator"),
        ("O1.1-a", {"count": -2}, "negative"),
        ("O1.1-a", {"count": 1, "month": "2099-01"}, "month_outside_campaign"),
        ("O5.1-a", {"numerator": 1, "denominator": 2}, "not_applicable"),
        ("O4.2-a", {"answers": [True, False]}, "wrong_shape"),
    ],
)
def test_hard_rules_answer_400_and_write_nothing(alxa: Alxa, code: str, figures: dict, expected: str) -> None:
    response = client_for(alxa.reporter).post(VALUES, body(alxa, code, **figures), format="json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == expected
    assert response.json()["message"]
    assert not IndicatorValue.objects.exists()
    assert not ChangeRecord.objects.exists()


@pytest.mark.django_db
def test_a_month_not_ended_answers_400(alxa: Alxa) -> None:
    from django.utils import timezone

    today = timezone.localdate()
    alxa.campaign.year = today.year
    alxa.campaign.save()
    response = client_for(alxa.reporter).post(
        VALUES, body(alxa, "O1.1-a", count=1, month=f"{today:%Y-%m}"), format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "month_not_ended"
    assert not IndicatorValue.objects.exists()


@pytest.mark.django_db
def test_create_update_explain_and_history_through_the_api(alxa: Alxa) -> None:
    client = client_for(alxa.reporter)
    indicator_value("O1.1-a", alxa.h004, dt.date(2020, 7, 1), count=10)
    created = client.post(VALUES, body(alxa, "O1.1-a", count=30), format="json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["count"] == 30
    assert [w["code"] for w in data["warnings"]] == ["change_beyond_bound"]
    assert data["warnings"][0]["explained"] is False
    patched = client.patch(f"{VALUES}{data['id']}/", {"count": 31}, format="json")
    assert patched.status_code == 200
    assert patched.json()["count"] == 31
    explained = client.post(
        f"{VALUES}{data['id']}/explain/", {"explanation": "开展社区义诊月"}, format="json"
    )
    assert explained.json()["warnings"][0]["explained"] is True
    history_response = client.get(f"{VALUES}{data['id']}/history/")
    assert_documented(history_response)  # a list, once documented as an object (schemathesis)
    history = history_response.json()
    assert [(h["action"], h["channel"]) for h in reversed(history)] == [
        ("indicator_value_create", "api"),
        ("indicator_value_update", "api"),
        ("indicator_value_explain", "api"),
    ]
    moved = client.patch(f"{VALUES}{data['id']}/", {"month": "2021-08"}, format="json")
    assert moved.status_code == 400
    assert moved.json()["code"] == "owner_change"
    assert moved.json()["errors"]["month"] == ["指标值的月份不能修改；如需更改，请删除后重新填写。"]


@pytest.mark.django_db
def test_baselines_have_their_own_route_for_last_years_months(alxa: Alxa) -> None:
    client = client_for(alxa.reporter)
    assert (
        client.post(BASELINES, body(alxa, "O1.1-a", count=3, month="2020-07"), format="json").status_code
        == 201
    )
    wrong = client.post(BASELINES, body(alxa, "O1.1-a", count=3, month="2021-07"), format="json")
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "month_outside_campaign"
    assert (
        client.post(VALUES, body(alxa, "O1.1-a", count=3, month="2020-08"), format="json").status_code == 400
    )
    assert [r["month"] for r in client.get(BASELINES).json()["results"]] == ["2020-07-01"]
    assert client.get(VALUES).json()["results"] == []
    assert history_of(IndicatorValue.objects.get()).get().channel == "api"


@pytest.mark.django_db
def test_banner_values_are_the_banners(alxa: Alxa) -> None:
    payload = body(alxa, "O1.2-b", hospital=None, unit=alxa.zuoqi.pk, numerator=70, denominator=100)
    assert client_for(alxa.reporter).post(VALUES, payload, format="json").status_code == 403
    assert client_for(alxa.banner_reviewer).post(VALUES, payload, format="json").status_code == 201
    youqi = {**payload, "unit": alxa.youqi.pk}
    assert client_for(alxa.banner_reviewer).post(VALUES, youqi, format="json").status_code == 403
    assert client_for(alxa.reporter).get(VALUES).json()["results"] == []
    assert len(client_for(alxa.league_reviewer).get(VALUES).json()["results"]) == 1


@pytest.mark.django_db
def test_figures_endpoint_aggregates_raw_numbers(alxa: Alxa) -> None:
    indicator_value("O2.2-a", alxa.h004, dt.date(2021, 7, 1), numerator=1, denominator=1)
    indicator_value("O2.2-a", alxa.h004, dt.date(2021, 8, 1), numerator=1, denominator=99)
    params: dict[str, Any] = {"campaign": alxa.campaign.pk, "start": "2021-07", "end": "2021-08"}
    response = client_for(alxa.reporter).get("/api/v1/indicator-figures/", params)
    rows = [r for r in response.json()["results"] if r["indicator_code"] == "O2.2-a"]
    assert len(rows) == 1
    assert rows[0]["current"]["value"] == "0.020000"
    assert {r["unit_id"] for r in response.json()["results"]} == {alxa.h004.pk}
    bad = client_for(alxa.reporter).get("/api/v1/indicator-figures/", {"period": "decade"})
    assert bad.status_code == 400


@pytest.mark.django_db
def test_evaluations_endpoint_gives_verdicts_per_unit_banner_and_league(alxa: Alxa) -> None:
    indicator_value("O1.1-a", alxa.h004, dt.date(2021, 7, 1), count=3)
    indicator_value("O1.1-a", alxa.h004, dt.date(2020, 7, 1), count=2)
    params: dict[str, Any] = {"campaign": alxa.campaign.pk, "period": "month", "month": 7}
    response = client_for(alxa.banner_reviewer).get("/api/v1/indicator-evaluations/", params)
    data = response.json()
    unit = next(u for u in data["units"] if u["indicator_code"] == "O1.1-a" and u["unit_id"] == alxa.h004.pk)
    assert unit["verdict"] == "met"
    assert unit["current"]["count"] == 3
    assert {b["unit_id"] for b in data["banners"]} == {alxa.zuoqi.pk}
    league = next(x for x in data["league"] if x["indicator_code"] == "O1.1-a")
    assert (league["met"], league["no_data"]) == (1, 4)  # the five hospitals of 左旗


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/indicator-evaluations/", "/api/v1/indicator-figures/"])
def test_reports_cost_the_same_queries_for_a_bigger_league(alxa: Alxa, url: str) -> None:
    params: dict[str, Any] = {"campaign": alxa.campaign.pk, "period": "ytd", "month": 7}

    with CaptureQueriesContext(connection) as small:
        assert fresh_client(alxa.league_reviewer).get(url, params).status_code == 200
    for h in HospitalFactory.create_batch(40, banner=alxa.zuoqi):
        indicator_value("O1.1-a", h, dt.date(2021, 7, 1), count=1)
    with CaptureQueriesContext(connection) as big:
        assert fresh_client(alxa.league_reviewer).get(url, params).status_code == 200
    assert len(big.captured_queries) == len(small.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize("url", [VALUES, BASELINES])
def test_value_lists_run_the_same_queries_at_1_and_50_rows(alxa: Alxa, url: str) -> None:
    year = 2020 if url == BASELINES else 2021
    indicators = list(alxa.campaign.indicators.filter(value_type="count", reporting_level="hospital"))
    slots = [(i, m, h) for m in range(1, 13) for i in indicators for h in (alxa.h004, alxa.h006)]
    indicator, month, hospital = slots[0]
    IndicatorValue.objects.create(
        indicator=indicator, hospital=hospital, month=dt.date(year, month, 1), count=1
    )
    with CaptureQueriesContext(connection) as one:
        assert len(fresh_client(alxa.league_reviewer).get(url).json()["results"]) == 1
    for n, (indicator, month, hospital) in enumerate(slots[1:50]):
        IndicatorValue.objects.create(
            indicator=indicator, hospital=hospital, month=dt.date(year, month, 1), count=n
        )
    with CaptureQueriesContext(connection) as fifty:
        assert len(fresh_client(alxa.league_reviewer).get(url).json()["results"]) == 50
    assert len(fifty.captured_queries) == len(one.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/api/v1/indicator-evaluations/", {"campaign": "abc"}),
        ("/api/v1/indicator-figures/", {"hospital": "x"}),
        ("/api/v1/indicator-imports/template/", {"hospital": "x", "month": "2021-07"}),
        ("/api/v1/indicator-imports/template/", {"hospital": "1", "month": "July"}),
    ],
)
def test_bad_parameters_are_a_400_not_a_500(alxa: Alxa, url: str, params: dict[str, str]) -> None:
    response = client_for(alxa.admin).get(url, params)
    assert response.status_code == 400
    assert set(response.json()) == {"code", "message", "errors"}


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/indicator-evaluations/", "/api/v1/indicator-figures/"])
@pytest.mark.parametrize(
    "params",
    [
        # Found by schemathesis: a year no date can hold was an OverflowError, a 500.
        {"year": "-7346749752746611", "month": "1192886156", "period": "quarter"},
        {"year": "99999999999", "period": "month", "month": "7"},
        {"period": "month", "month": "1192886156"},
        # Year 1 has no previous year to compare with.
        {"year": "1", "period": "month", "month": "7"},
        {"start": "0001-01", "end": "0001-03"},
    ],
)
def test_a_period_no_date_can_hold_is_a_400(alxa: Alxa, url: str, params: dict[str, str]) -> None:
    response = client_for(alxa.league_reviewer).get(url, params)
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid_period",
        "message": "期间参数有误：period=month|quarter|ytd，或 start/end=YYYY-MM。",
        "errors": {"period": ["期间参数有误：period=month|quarter|ytd，或 start/end=YYYY-MM。"]},
    }
    assert_documented(response)
