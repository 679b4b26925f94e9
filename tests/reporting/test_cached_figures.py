"""What is kept under table versions (core.versions) never differs from the live computation (issue 17):
the indicator evaluations and figures and list counts on a generated region, before and after values
change (through the ORM, a bulk update, raw SQL and a rolled-back transaction); the bulletin's tables
as the template loop wrote them. The demo's: ``test_cached_figures_demo.py``.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from bench.generator import CAMPAIGN_CODE, RegionGenerator, RegionSize
from campaign.models import Campaign
from core import versions
from core.versions import cached_count, tables_of
from hospitals.models import OrgUnit, Role, User
from reporting.indicators import api as indicator_api
from reporting.indicators.api import evaluations_payload, figures_payload, scoped_units
from reporting.indicators.models import IndicatorValue
from reporting.indicators.selectors import Period, figure_tables
from tests.conftest import Alxa
from tests.reporting.conftest import SetClock

pytestmark = pytest.mark.django_db

REGION = RegionSize(hospitals=24, leagues=1, banners=8, lectures=480)
ENDPOINTS = {
    "/api/v1/indicator-evaluations/": ("evaluations_payload", evaluations_payload),
    "/api/v1/indicator-figures/": ("figures_payload", figures_payload),
}
PERIODS = [
    {"period": "ytd", "month": "11"},
    {"period": "month", "month": "7"},
    {"period": "quarter", "quarter": "3"},
]


def _live(user: User, url: str, params: dict[str, str]) -> Any:
    """The endpoint's answer computed now, without the cache (its own payload function, as JSON)."""
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    request = Request(APIRequestFactory().get(url, params))
    request.user = user
    campaign = indicator_api._campaign(request)
    period = indicator_api.period_from(request, campaign)
    hospitals, banners = scoped_units(request)
    payload = ENDPOINTS[url][1](campaign, period, hospitals, banners)
    import json

    from rest_framework.renderers import JSONRenderer

    return json.loads(JSONRenderer().render(payload))


def _kept(user: User, url: str, params: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Any:
    """The endpoint's answer once kept: asked twice, the second time with the live computation disabled,
    so it can only come from the cache."""
    client = APIClient()
    client.force_authenticate(user)
    first = client.get(url, params)
    assert first.status_code == 200
    with monkeypatch.context() as patch:
        patch.setattr(indicator_api, ENDPOINTS[url][0], _refuse)
        second = client.get(url, params)
    assert second.status_code == 200
    assert second.json() == first.json()
    return second.json()


def _refuse(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("computed again although nothing changed")


def _viewers() -> list[User]:
    return [
        User.objects.filter(role=role).order_by("pk").first()  # type: ignore[misc]
        for role in (Role.LEAGUE_REVIEWER, Role.BANNER_REVIEWER, Role.HOSPITAL_REPORTER)
        if User.objects.filter(role=role).exists()
    ]


def _assert_endpoints_equal_live(monkeypatch: pytest.MonkeyPatch) -> int:
    checked = 0
    for user in _viewers():
        for url in ENDPOINTS:
            for params in PERIODS:
                kept = _kept(user, url, params, monkeypatch)
                assert kept == _live(user, url, params), (user.username, url, params)
                checked += len(kept.get("units", kept.get("results", [])))
    return checked


def _region(set_clock: SetClock) -> Campaign:
    RegionGenerator(seed=11, size=REGION).run()
    set_clock("2022-01-10 10:00")
    return Campaign.objects.get(code=CAMPAIGN_CODE)


def test_kept_answers_follow_every_kind_of_write_on_a_generated_region(
    set_clock: SetClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    _region(set_clock)
    cache.clear()
    assert _assert_endpoints_equal_live(monkeypatch) > 1000
    reviewer = User.objects.get(role=Role.LEAGUE_REVIEWER)
    url, params = "/api/v1/indicator-figures/", {"period": "ytd", "month": "12"}
    client = APIClient()
    client.force_authenticate(reviewer)
    before = client.get(url, params).json()
    value = IndicatorValue.objects.filter(count__isnull=False, month__year=2021).order_by("pk").first()
    assert value is not None

    def figure_of_value() -> Any:
        rows = client.get(url, params).json()["results"]
        row = next(
            r for r in rows if r["indicator"] == value.indicator_id and r["unit_id"] == value.hospital_id
        )
        assert client.get(url, params).json() == _live(reviewer, url, params)
        return row["current"]["count"]

    count = figure_of_value()
    # A rolled-back write: what was kept inside the transaction is never shown after it.
    with transaction.atomic():
        IndicatorValue.objects.filter(pk=value.pk).update(count=F("count") + 1000)
        assert figure_of_value() == count + 1000
        transaction.set_rollback(True)
    assert figure_of_value() == count
    IndicatorValue.objects.filter(pk=value.pk).update(count=F("count") + 7)  # a bulk update
    assert figure_of_value() == count + 7
    own = value.count or 0  # the month's own count (the figure is the year's sum)
    value.refresh_from_db()
    value.count = own + 9
    value.save()  # the ORM
    assert figure_of_value() == count + 9
    with connection.cursor() as cursor:  # raw SQL
        cursor.execute("UPDATE reporting_indicatorvalue SET count = %s WHERE id = %s", [own + 11, value.pk])
    assert figure_of_value() == count + 11
    IndicatorValue.objects.filter(pk=value.pk).delete()
    assert client.get(url, params).json() == _live(reviewer, url, params) != before
    # A hospital moved to another banner: the scope's tables are watched too.
    hospital = value.hospital
    assert hospital is not None
    other = OrgUnit.objects.filter(kind=OrgUnit.Kind.BANNER).exclude(pk=hospital.banner_id).first()
    assert other is not None
    evaluations = "/api/v1/indicator-evaluations/"
    client.get(evaluations, params)
    hospital.banner = other
    hospital.save()
    assert client.get(evaluations, params).json() == _live(reviewer, evaluations, params)


def test_the_figures_are_computed_from_the_tables_they_are_kept_under(set_clock: SetClock) -> None:
    """Every query of the live computations reads only ``figure_tables()``: a change anywhere else could not
    change their answer, so keeping it under those tables' versions is safe."""
    campaign = _region(set_clock)
    reviewer = User.objects.get(role=Role.LEAGUE_REVIEWER)
    from hospitals.selectors import hospitals_visible_to, org_units_visible_to

    hospitals = hospitals_visible_to(reviewer)
    banners = org_units_visible_to(reviewer).filter(kind=OrgUnit.Kind.BANNER)
    read: set[str] = set()
    for payload in (evaluations_payload, figures_payload):
        with CaptureQueriesContext(connection) as queries:
            payload(campaign, Period.year_to_date(2021, 12), hospitals, banners)
        for query in queries.captured_queries:
            read |= tables_of(query["sql"])
    assert read
    assert read <= set(figure_tables())
    assert set(figure_tables()) <= versions.watched()


def test_a_computation_that_reads_an_unwatched_table_is_never_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return User.objects.count()  # hospitals_user is not watched

    for _ in range(3):
        versions.cached_reads("test-unwatched", ("x",), compute)
    assert len(calls) == 3
    with pytest.raises(ValueError, match="not watched"):
        versions.cached("test", (), ["hospitals_user"], lambda: 1)


def test_a_kept_count_follows_inserts_and_deletes(alxa: Alxa) -> None:
    from hospitals.models import Hospital
    from tests.factories import HospitalFactory

    cache.clear()
    rows = Hospital.objects.filter(banner=alxa.zuoqi)
    first = cached_count(rows)
    with CaptureQueriesContext(connection) as queries:
        assert cached_count(rows) == first
    assert len(queries.captured_queries) == 1  # the versions only
    HospitalFactory(banner=alxa.zuoqi)
    assert cached_count(rows) == first + 1 == rows.count()
    Hospital.objects.filter(banner=alxa.zuoqi).order_by("-pk")[:1].get().delete()
    assert cached_count(rows) == first == rows.count()


def test_table_rows_write_what_the_template_loop_wrote() -> None:
    loop = Template(
        '{% for row in rows %}<tr>{% for v in row %}<td>{{ v|default_if_none:"—" }}</td>{% endfor %}</tr>'
        '{% empty %}<tr><td colspan="{{ columns|length }}" class="empty">无</td></tr>{% endfor %}'
    )
    fast = Template("{% load table_tags %}{% table_rows rows columns %}")
    rows = [
        ["盟医院 <A&B>", 12345, 0.5, 1234567.25, None, True, False, 0, "", "12.5%"],
        ["旗医院", -3, 2.0, None, "“是”", 1, 1.0, True, "x", 10**9],
    ]
    for data in (rows, []):
        context = {"rows": data, "columns": ["a", "b", "c"]}
        assert fast.render(Context(context)) == loop.render(Context(context))
