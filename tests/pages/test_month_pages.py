"""A hospital's month: indicators typed as raw figures beside last year, refusals beside the indicator,
warnings with their explanation; scoped like every page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from campaign.models import Indicator
from hospitals.models import User
from reporting.indicators.models import IndicatorValue
from tests.conftest import Alxa
from tests.factories import indicator_value

pytestmark = pytest.mark.django_db
JULY = "/hospitals/{}/months/2021-07/"


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _field(alxa: Alxa, code: str, name: str) -> str:
    return f"ind-i{Indicator.objects.get(campaign=alxa.campaign, code=code).pk}_{name}"


def test_month_page_shows_each_indicator_beside_last_year(alxa: Alxa) -> None:
    indicator_value("O1.1-a", alxa.h004, dt.date(2020, 7, 1), count=10)
    html = _client(alxa.reporter).get(JULY.format(alxa.h004.pk)).content.decode()
    assert "党员社区志愿服务活动次数" in html
    assert 'id="indicator-O1.1-a"' in html
    row = html.split('id="indicator-O1.1-a"')[1].split("</tr>")[0]
    assert '<td class="last-year">10</td>' in row.replace("\n", "")
    assert "县域内就诊率" not in html  # a banner's indicator, not the hospital's
    assert "城市三级医院门诊收入占医疗收入比例" not in html  # H004 is not a city tertiary hospital


def test_figures_are_saved_through_the_service(alxa: Alxa) -> None:
    client = _client(alxa.reporter)
    response = client.post(
        JULY.format(alxa.h004.pk),
        {
            _field(alxa, "O1.1-a", "count"): "12",
            _field(alxa, "O2.2-a", "numerator"): "30",
            _field(alxa, "O2.2-a", "denominator"): "200",
            _field(alxa, "O1.2-a", "answer_0"): "yes",
            _field(alxa, "O1.2-a", "answer_1"): "yes",
            _field(alxa, "O1.2-a", "answer_2"): "no",
        },
    )
    assert response.status_code == 302
    values = {v.indicator.code: v for v in IndicatorValue.objects.filter(hospital=alxa.h004)}
    assert values["O1.1-a"].count == 12
    assert values["O2.2-a"].numerator == Decimal("30.00")
    assert values["O2.2-a"].denominator == Decimal("200.00")
    assert values["O1.2-a"].answers == [True, True, False]
    assert all(v.month == dt.date(2021, 7, 1) for v in values.values())


def test_a_refusal_is_shown_beside_the_indicator_and_nothing_is_saved(alxa: Alxa) -> None:
    response = _client(alxa.reporter).post(
        JULY.format(alxa.h004.pk),
        {
            _field(alxa, "O1.1-a", "count"): "12",
            _field(alxa, "O2.2-a", "numerator"): "300",
            _field(alxa, "O2.2-a", "denominator"): "200",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    row = html.split('id="indicator-O2.2-a"')[1].split("</tr>")[0]
    assert "分子(300.00)不能大于分母(200.00)" in row
    assert IndicatorValue.objects.count() == 0  # all or nothing: O1.1-a was not kept either


def test_a_warning_asks_for_an_explanation(alxa: Alxa) -> None:
    indicator_value("O1.1-a", alxa.h004, dt.date(2020, 7, 1), count=10)
    client = _client(alxa.reporter)
    client.post(JULY.format(alxa.h004.pk), {_field(alxa, "O1.1-a", "count"): "30"})
    html = client.get(JULY.format(alxa.h004.pk)).content.decode()
    assert "需说明的提示（1）" in html
    assert "较上年同月(10)变化+200.0%" in html
    client.post(
        JULY.format(alxa.h004.pk),
        {_field(alxa, "O1.1-a", "count"): "30", _field(alxa, "O1.1-a", "explanation"): "新增两个社区服务点"},
    )
    assert IndicatorValue.objects.get(month=dt.date(2021, 7, 1)).explanation == "新增两个社区服务点"
    assert "需说明的提示" not in client.get(JULY.format(alxa.h004.pk)).content.decode()


def test_another_hospitals_month_is_404(alxa: Alxa) -> None:
    client = _client(alxa.reporter)
    assert client.get(JULY.format(alxa.h006.pk)).status_code == 404
    assert client.post(JULY.format(alxa.h006.pk), {}).status_code == 404
    assert client.get(f"/hospitals/{alxa.h006.pk}/months/").status_code == 404


def test_month_picker_and_default_month(alxa: Alxa) -> None:
    client = _client(alxa.reporter)
    picked = client.get(f"/hospitals/{alxa.h004.pk}/months/?month=2021-09")
    assert picked.headers["Location"] == f"/hospitals/{alxa.h004.pk}/months/2021-09/"
    default = client.get(f"/hospitals/{alxa.h004.pk}/months/")
    assert default.headers["Location"] == f"/hospitals/{alxa.h004.pk}/months/2021-12/"  # the campaign is over
    assert client.get(f"/hospitals/{alxa.h004.pk}/months/2022-01/").status_code == 404
