"""The dashboard and the indicator figures / evaluations aggregate in SQL (issue 17): the same figures as
the Python computation they replaced (kept here as the oracle), in a number of queries that does not grow
with the hospitals in scope, on a generated region where every hospital has values of both years,
lectures and reports in every state.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from bench.generator import CAMPAIGN_CODE, RegionGenerator, RegionSize
from campaign.models import Campaign, Indicator
from hospitals.models import Hospital, OrgUnit, Role, User
from hospitals.selectors import hospitals_visible_to
from reporting.bulletins.selectors import submission_category
from reporting.dashboard.selectors import dashboard_charts
from reporting.indicators import selectors as indicator_selectors
from reporting.indicators import targets
from reporting.indicators.selectors import (
    Figure,
    FigureTable,
    Period,
    figure_of,
    group_by_period,
    period_figures,
    raw_values,
)
from reporting.reports.selectors import reports_visible_to
from tests.reporting.conftest import SetClock

pytestmark = pytest.mark.django_db

SMALL = RegionSize(hospitals=3, leagues=1, banners=2, lectures=60)
LARGE = RegionSize(hospitals=24, leagues=1, banners=8, lectures=480)
SIZES = pytest.mark.parametrize("size", [SMALL, LARGE], ids=["3 hospitals", "24 hospitals"])
# The fixed counts, the same at both sizes (a change here is a change of the contract: say why).
# Dashboard, computed live (an empty cache): session, user, current campaign, nav badge, banners;
# lectures, hospitals, kinds; milestones' reads; indicators, hospitals, banners, values, levels; hospitals
# count, reports; and the versions (core.versions) of the lecture counts', the hospital counts' and the
# indicator figures' tables; the tour lecturers (08-31's selection, issue 15).
DASHBOARD_QUERIES = 29
# Once kept (core.versions): session, user, current campaign, nav badge, banners and what the nav reads,
# versions.
DASHBOARD_CACHED_QUERIES = 7
# Evaluations and figures, computed live: user, current campaign, the figures' tables' versions,
# indicators, hospitals, banners, values; once kept: current campaign, versions (the test's client is
# authenticated without a query).
EVALUATION_QUERIES = 7
FIGURE_QUERIES = 7
CACHED_FIGURE_QUERIES = 2


def _league_reviewer() -> User:
    return User.objects.get(role=Role.LEAGUE_REVIEWER)


def _generate(size: RegionSize, set_clock: SetClock) -> Campaign:
    RegionGenerator(seed=11, size=size).run()
    set_clock("2022-01-10 10:00")
    return Campaign.objects.get(code=CAMPAIGN_CODE)


# ------------------------------------------------------------------------------------------- oracles


def oracle_period_figures(
    *, indicators: Any, hospitals: Any, banners: Any, period: Period
) -> tuple[FigureTable, FigureTable]:
    """The Python computation ``period_figures`` replaced: every monthly value loaded, grouped and summed
    in Python (``raw_values``, ``group_by_period``, ``figure_of``)."""
    indicators = list(indicators)
    by_id = {i.pk: i for i in indicators}
    values = raw_values(
        indicator_ids=list(by_id),
        hospitals=hospitals,
        banners=banners,
        periods=[period, period.previous_year()],
    )
    current, last = group_by_period(values, period)
    return (
        {key: figure_of(by_id[key[0]].value_type, rows) for key, rows in current.items()},
        {key: figure_of(by_id[key[0]].value_type, rows) for key, rows in last.items()},
    )


def _oracle_dashboard(user: User, campaign: Campaign, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The hospitals, indicators and reports charts as the dashboard computed them in Python."""
    hospitals = list(hospitals_visible_to(user).order_by("banner__code", "code"))
    banners = list(dict.fromkeys(h.banner.name for h in hospitals))
    by_level = Counter((h.banner.name, h.level) for h in hospitals)
    hospital_series = [[by_level[(b, level)] for b in banners] for level, _ in Hospital.Level.choices]
    with monkeypatch.context() as patch:
        patch.setattr(targets, "period_figures", oracle_period_figures)
        table = targets.indicator_evaluations(
            campaign=campaign,
            hospitals=hospitals_visible_to(user),
            banners=OrgUnit.objects.none(),
            period=Period.year_to_date(2021, 12),
        )
    levels = {h.pk: h.level for h in hospitals}
    verdicts = Counter((levels[e.unit_id], e.verdict) for e in table.units)
    present = [level for level, _ in Hospital.Level.choices if level in levels.values()]
    indicator_series = [[verdicts[(level, v)] for level in present] for v in ("met", "not_met", "no_data")]
    months = [dt.date(2021, m, 1) for m in range(7, 13)]
    reports = {
        (r.hospital_id, r.month): r
        for r in reports_visible_to(user).filter(campaign=campaign, month__in=months)
    }
    submitted = Counter((m, submission_category(reports.get((h.pk, m)))) for m in months for h in hospitals)
    report_series = [[submitted[(m, c)] for m in months] for c in ("on_time", "late", "missing")]
    return {"hospitals": (banners, hospital_series), "indicators": indicator_series, "reports": report_series}


# ------------------------------------------------------------------------------------------- figures


@pytest.mark.parametrize(
    "period",
    [
        Period.year_to_date(2021, 12),
        Period.month(2021, 7),
        Period.quarter(2021, 3),
        Period.year_to_date(2021, 4),
    ],
    ids=["ytd", "month", "quarter", "ytd-april"],
)
def test_period_figures_equal_the_python_sums(period: Period, set_clock: SetClock) -> None:
    campaign = _generate(LARGE, set_clock)
    indicators = list(campaign.indicators.all())
    hospitals = list(Hospital.objects.values_list("pk", flat=True))
    banners = list(OrgUnit.objects.filter(kind=OrgUnit.Kind.BANNER).values_list("pk", flat=True))
    live = period_figures(indicators=indicators, hospitals=hospitals, banners=banners, period=period)
    oracle = oracle_period_figures(indicators=indicators, hospitals=hospitals, banners=banners, period=period)
    assert live == oracle
    current, last = live
    # Every kind of figure is there, in both years, with real numbers.
    kinds = {f.value_type for f in current.values()}
    assert {Indicator.ValueType.RATIO, Indicator.ValueType.COUNT} <= kinds
    assert len(kinds) >= 3
    assert len(last) == len(current) > 24
    assert all(isinstance(f, Figure) and f.months == len(period.months) for f in current.values())
    assert any(f.answers for f in current.values())
    assert sum(f.count or 0 for f in current.values()) > 0


@pytest.mark.parametrize("url", ["/api/v1/indicator-evaluations/", "/api/v1/indicator-figures/"])
def test_api_figures_equal_the_python_computation(
    url: str, set_clock: SetClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    _generate(LARGE, set_clock)
    client = APIClient()
    client.force_authenticate(_league_reviewer())
    params = {"period": "ytd", "month": "12"}
    live = client.get(url, params)
    assert live.status_code == 200
    monkeypatch.setattr(targets, "period_figures", oracle_period_figures)
    monkeypatch.setattr(indicator_selectors, "period_figures", oracle_period_figures)
    oracle = client.get(url, params)
    assert live.json() == oracle.json()
    body = live.json()
    rows = body["units"] if "units" in body else body["results"]
    assert len(rows) > 24 * 10
    with_data = [r for r in rows if r["current"]["months"]]
    assert len(with_data) > len(rows) / 2
    assert all(r["current"]["months"] == 12 for r in with_data)
    if "league" in body:
        verdicts = Counter(r["verdict"] for r in body["units"])
        assert verdicts["met"] > 0
        assert verdicts["not_met"] > 0


@SIZES
@pytest.mark.parametrize(
    ("url", "queries"),
    [("/api/v1/indicator-evaluations/", EVALUATION_QUERIES), ("/api/v1/indicator-figures/", FIGURE_QUERIES)],
)
def test_api_figure_queries_do_not_grow_with_hospitals(
    size: RegionSize, url: str, queries: int, set_clock: SetClock, django_assert_num_queries: Any
) -> None:
    _generate(size, set_clock)
    client = APIClient()
    client.force_authenticate(User.objects.get(pk=_league_reviewer().pk))
    cache.clear()
    with django_assert_num_queries(queries):
        response = client.get(url, {"period": "ytd", "month": "12"})
    assert response.status_code == 200
    body = response.json()
    assert len(body.get("units", body.get("results"))) > size.hospitals * 10
    with django_assert_num_queries(CACHED_FIGURE_QUERIES):
        again = client.get(url, {"period": "ytd", "month": "12"})
    assert again.json() == body


# ----------------------------------------------------------------------------------------- dashboard


@SIZES
def test_dashboard_queries_do_not_grow_with_hospitals(
    size: RegionSize, client: Client, set_clock: SetClock, django_assert_num_queries: Any
) -> None:
    _generate(size, set_clock)
    client.force_login(_league_reviewer())
    client.get("/")  # session and content types warm, as on a reviewer's second page
    cache.clear()
    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = client.get("/")
    assert response.status_code == 200
    charts = {c.key: c for c in response.context["charts"]}
    assert sum(sum(s.values) for s in charts["hospitals"].series) == size.hospitals
    assert sum(sum(s.values) for s in charts["lectures-banner"].series) > 0
    client.get("/")  # the charts' tables noted by the first, the charts kept by this one
    with django_assert_num_queries(DASHBOARD_CACHED_QUERIES):
        kept = client.get("/")
    assert kept.context["charts"] == response.context["charts"]


def test_dashboard_figures_equal_the_python_computation(
    set_clock: SetClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    campaign = _generate(LARGE, set_clock)
    user = _league_reviewer()
    charts = {c.key: c for c in dashboard_charts(user, campaign)}
    oracle = _oracle_dashboard(user, campaign, monkeypatch)
    banners, hospital_series = oracle["hospitals"]
    assert charts["hospitals"].labels == banners == charts["lectures-banner"].labels
    assert [s.values for s in charts["hospitals"].series] == hospital_series
    assert [s.values for s in charts["indicators"].series] == oracle["indicators"]
    assert [s.values for s in charts["reports"].series] == oracle["reports"]
    # Real figures on every side: met and not met indicators, late and missing reports.
    assert all(sum(values) > 0 for values in oracle["indicators"][:2])
    assert all(sum(values) > 0 for values in oracle["reports"])
    lectures = sum(sum(s.values) for s in charts["lectures-month"].series)
    assert lectures == sum(sum(s.values) for s in charts["lectures-banner"].series) > 0
