"""On the demo (``load_demo``): the kept indicator evaluations, figures and dashboard charts equal the
live computation for a league reviewer, a banner reviewer and a hospital reporter (issue 17)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client

from campaign.models import Campaign
from reporting.dashboard.selectors import dashboard_charts
from tests.conftest import Alxa, load_alxa
from tests.reporting.conftest import SetClock
from tests.reporting.test_cached_figures import _assert_endpoints_equal_live, _viewers

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[Alxa]:
    with django_db_blocker.unblock(), transaction.atomic():
        alxa = load_alxa()
        call_command("load_demo", stdout=io.StringIO())
        yield alxa
        transaction.set_rollback(True)


def test_kept_evaluations_and_figures_equal_the_live_ones_on_the_demo(
    demo: Alxa, set_clock: SetClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_clock("2021-12-03 10:00")
    cache.clear()
    assert _assert_endpoints_equal_live(monkeypatch) > 100


def test_kept_dashboard_equals_the_live_charts(demo: Alxa, set_clock: SetClock, client: Client) -> None:
    set_clock("2021-12-03 10:00")
    cache.clear()
    for user in _viewers():
        client.force_login(user)
        for _ in range(3):  # the tables noted, the charts kept, then served from the cache
            response = client.get("/")
        live = dashboard_charts(user, Campaign.objects.get(code="alxa-2021"), on=dt.date(2021, 12, 3))
        assert response.context["charts"] == live, user.username
    # A lecture's kind changed by raw SQL: the lecture charts follow.
    lecture_user = _viewers()[0]
    client.force_login(lecture_user)
    before = client.get("/").context["charts"]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE campaign_lecturesession SET held_on = held_on - 31 WHERE id = "
            "(SELECT min(id) FROM campaign_lecturesession WHERE held_on >= '2021-08-01')"
        )
    after = client.get("/").context["charts"]
    live = dashboard_charts(lecture_user, Campaign.objects.get(code="alxa-2021"), on=dt.date(2021, 12, 3))
    assert after == live != before
