"""A banner's banner-level indicators for a month on the pages (县域内就诊率 and the others whose
reporting level is the banner): typed by its own reviewer through ``indicator_value_save``, as the
hospital's month page and the API do, beside last year's same month; the league reads them, another
banner's month is 404, hospitals are refused."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from campaign.models import Indicator
from hospitals.models import ChangeRecord, User
from reporting.indicators.models import IndicatorValue
from reporting.indicators.services import indicator_value_save
from tests.conftest import Alxa
from tests.reporting.conftest import JULY, SetClock

pytestmark = pytest.mark.django_db
BANNER_CODES = ["O1.2-b", "O4.1-a", "O4.1-b", "O4.2-c"]


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(unit: Any, month: str = "2021-07") -> str:
    return f"/banners/{unit.pk}/months/{month}/"


def _indicator(alxa: Alxa, code: str) -> Indicator:
    return Indicator.objects.get(campaign=alxa.campaign, code=code)


def _field(alxa: Alxa, code: str, part: str) -> str:
    return f"ind-i{_indicator(alxa, code).pk}_{part}"


def _ratio(alxa: Alxa, code: str, numerator: str, denominator: str) -> dict[str, str]:
    return {_field(alxa, code, "numerator"): numerator, _field(alxa, code, "denominator"): denominator}


def test_the_nav_leads_to_the_current_month_with_the_banner_level_indicators_only(
    alxa: Alxa, set_clock: SetClock
) -> None:
    client = _client(alxa.banner_reviewer)
    index = f"/banners/{alxa.zuoqi.pk}/months/"
    assert f'href="{index}">旗(区)指标</a>' in client.get("/").content.decode()
    response = client.get(index)
    assert response.status_code == 302
    assert response.headers["Location"] == _url(alxa.zuoqi, "2021-07")  # the clock stands at 2021-08-03
    assert client.get(index + "?month=2021-10").headers["Location"] == _url(alxa.zuoqi, "2021-10")
    html = client.get(_url(alxa.zuoqi)).content.decode()
    assert [code for code in BANNER_CODES if f'id="indicator-{code}"' in html] == BANNER_CODES
    assert 'id="indicator-O1.1-a"' not in html  # a hospital's indicator
    assert "县域内就诊人次" in html  # the numerator's label
    assert "目标：较上年提高10个百分点" in html
    assert '<optgroup label="上年基线">' in html


def test_the_banner_types_its_figures_through_the_service(alxa: Alxa, set_clock: SetClock) -> None:
    client = _client(alxa.banner_reviewer)
    response = client.post(_url(alxa.zuoqi), _ratio(alxa, "O1.2-b", "8200", "10000"))
    assert response.status_code == 302
    assert response.headers["Location"] == _url(alxa.zuoqi)
    value = IndicatorValue.objects.get()
    assert (value.indicator.code, value.month) == ("O1.2-b", JULY)
    assert (value.unit, value.hospital) == (alxa.zuoqi, None)
    assert (value.numerator, value.denominator) == (Decimal("8200.00"), Decimal("10000.00"))
    assert value.updated_by == alxa.banner_reviewer
    record = ChangeRecord.objects.get(action="indicator_value_create")
    assert (record.channel, record.actor) == (ChangeRecord.Channel.WEB, alxa.banner_reviewer)
    page = client.get(_url(alxa.zuoqi)).content.decode()
    assert 'value="8200.00"' in page
    assert "已保存1项指标。" in page
    # A correction is an update with old → new.
    client.post(_url(alxa.zuoqi), _ratio(alxa, "O1.2-b", "8300", "10000"))
    update = ChangeRecord.objects.get(action="indicator_value_update")
    assert update.changes["numerator"] == ["8200.00", "8300.00"]


def test_last_years_month_is_the_baseline_shown_beside_this_year(alxa: Alxa, set_clock: SetClock) -> None:
    client = _client(alxa.banner_reviewer)
    baseline = client.get(_url(alxa.zuoqi, "2020-07")).content.decode()
    assert "（上年基线）" in baseline
    client.post(_url(alxa.zuoqi, "2020-07"), _ratio(alxa, "O1.2-b", "6000", "10000"))
    assert IndicatorValue.objects.get().month == dt.date(2020, 7, 1)
    html = client.get(_url(alxa.zuoqi)).content.decode()
    row = html[html.index('id="indicator-O1.2-b"') :]
    assert re.search(r'<td class="last-year">\s*6000 / 10000\s*</td>', row[: row.index("</tr>")])
    # A change far beyond the campaign's bound needs an explanation (a warning, never a refusal).
    client.post(_url(alxa.zuoqi), _ratio(alxa, "O1.2-b", "9900", "10000"))
    assert "需说明的提示（1）" in client.get(_url(alxa.zuoqi)).content.decode()


def test_bad_figures_are_chinese_errors_beside_the_indicator_and_nothing_is_written(
    alxa: Alxa, set_clock: SetClock
) -> None:
    client = _client(alxa.banner_reviewer)
    data = {
        **_ratio(alxa, "O1.2-b", "8200", "10000"),  # valid, but not saved alone
        **_ratio(alxa, "O4.1-a", "120", "100"),
        **_ratio(alxa, "O4.1-b", "很多", "100"),
        **_ratio(alxa, "O4.2-c", "1", "0"),
    }
    response = client.post(_url(alxa.zuoqi), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "分子(120.00)不能大于分母(100.00)。" in html
    assert "须填写数字。" in html
    assert "分母为0，无法计算比例；请核实后填写。" in html
    assert 'value="很多"' in html  # the page keeps what was typed
    assert not IndicatorValue.objects.exists()
    not_ended = client.post(_url(alxa.zuoqi, "2021-08"), _ratio(alxa, "O1.2-b", "1", "2")).content.decode()
    assert "2021年08月尚未结束，月末后才能填报。" in not_ended
    assert not IndicatorValue.objects.exists()
    assert client.get(_url(alxa.zuoqi, "2019-07")).status_code == 404


def test_the_league_reads_another_banner_is_404_and_hospitals_are_refused(
    alxa: Alxa, set_clock: SetClock
) -> None:
    indicator_value_save(
        actor=alxa.admin,
        channel="web",
        indicator=_indicator(alxa, "O1.2-b"),
        month=JULY,
        unit=alxa.youqi,
        numerator="5000",
        denominator="10000",
    )
    league = _client(alxa.league_reviewer)
    page = league.get(_url(alxa.youqi))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="banner-month-readonly"' in html
    assert 'value="5000.00"' in html
    assert "disabled" in html[html.index(_field(alxa, "O1.2-b", "numerator")) - 200 :][:400]
    banner = _client(alxa.banner_reviewer)
    assert banner.get(_url(alxa.youqi)).status_code == 404
    assert banner.post(_url(alxa.youqi), _ratio(alxa, "O1.2-b", "1", "2")).status_code == 404
    assert banner.get(f"/banners/{alxa.youqi.pk}/months/").status_code == 404
    reporter = _client(alxa.reporter)
    assert reporter.get(_url(alxa.zuoqi)).status_code == 403
    assert reporter.post(_url(alxa.zuoqi), _ratio(alxa, "O1.2-b", "1", "2")).status_code == 403
    assert reporter.get(f"/banners/{alxa.zuoqi.pk}/months/").status_code == 403
    assert "旗(区)指标</a>" not in reporter.get("/").content.decode()
    value = IndicatorValue.objects.get()
    assert (value.unit, value.numerator) == (alxa.youqi, Decimal("5000.00"))
