"""The dashboard without a browser: first page after login, scoped figures, the chart library local."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from campaign.models import Campaign
from hospitals.models import User
from reporting.dashboard import Chart, dashboard_charts
from tests.conftest import Alxa

pytestmark = pytest.mark.django_db


def test_login_redirects_to_the_dashboard(alxa: Alxa) -> None:
    client = Client()
    response = client.post("/accounts/login/", {"username": "h004", "password": "jjx-demo-2021"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = client.get("/").content.decode()
    assert "仪表盘" in page


def test_anonymous_visitor_is_sent_to_login() -> None:
    response = Client().get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/login/")


def test_chart_library_is_served_from_our_static_files(alxa: Alxa) -> None:
    client = Client()
    client.force_login(alxa.league_reviewer)
    page = client.get("/").content.decode()
    assert '<script src="/static/vendor/chartjs/chart.umd.min.js">' in page
    assert "http://" not in page.replace("http://testserver", "")
    assert "https://" not in page
    assert (settings.BASE_DIR / "static/vendor/chartjs/chart.umd.min.js").stat().st_size > 100_000
    assert (settings.BASE_DIR / "static/vendor/chartjs/LICENSE.md").exists()


def _chart(user: User, campaign: Campaign, key: str) -> Chart:
    (chart,) = [c for c in dashboard_charts(user, campaign) if c.key == key]
    return chart


def test_hospital_chart_is_limited_to_the_viewers_scope(alxa: Alxa) -> None:
    league_chart = _chart(alxa.league_reviewer, alxa.campaign, "hospitals")
    banner_chart = _chart(alxa.banner_reviewer, alxa.campaign, "hospitals")
    own_chart = _chart(alxa.reporter, alxa.campaign, "hospitals")
    assert "阿拉善右旗" in league_chart.labels
    assert banner_chart.labels == ["阿拉善左旗"]
    assert own_chart.labels == ["阿拉善左旗"]
    assert sum(sum(s.values) for s in own_chart.series) == 1
    assert sum(sum(s.values) for s in league_chart.series) == 10
