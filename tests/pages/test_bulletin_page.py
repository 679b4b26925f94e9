"""The bulletin page reads like a bulletin: a summary with charts at the top (drawn from the bulletin's
own figures), a table of contents linking every section, and a confirmation before 发布."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from campaign.services import lecture_create
from hospitals.models import User
from reporting.bulletins.models import Bulletin
from reporting.bulletins.selectors import bulletin_charts, bulletin_summary
from reporting.bulletins.services import bulletin_build
from tests.campaign.conftest import lecture_data
from tests.conftest import Alxa
from tests.reporting.conftest import JULY, SetClock, make_report

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _bulletin(alxa: Alxa, set_clock: SetClock) -> Bulletin:
    lecture_create(actor=alxa.reporter, channel="web", data=lecture_data(alxa))
    make_report(alxa, state="submitted")  # H004 on time; the other hospitals missing
    set_clock("2021-08-10 10:00")
    return bulletin_build(campaign_id=alxa.campaign.pk, month=JULY, actor=alxa.league_reviewer)


def _chart_json(html: str, key: str) -> Any:
    match = re.search(rf'<script id="chart-data-{key}" type="application/json">(.*?)</script>', html)
    assert match, key
    return json.loads(match.group(1))


def test_summary_charts_and_contents(alxa: Alxa, set_clock: SetClock) -> None:
    bulletin = _bulletin(alxa, set_clock)
    html = _client(alxa.league_reviewer).get(f"/bulletins/{bulletin.pk}/").content.decode()
    hospitals = bulletin.data["hospital_count"]
    assert f"参加活动医院{hospitals}家。本月自查报告按时提交1家、逾期提交0家、未提交{hospitals - 1}家" in html
    assert "本月开展宣讲活动1场" in html
    # The table of contents links every section, and every section is there.
    for section in bulletin.data["sections"]:
        assert f'<li><a href="#section-{section["key"]}">{section["title"]}</a></li>' in html
        assert f'id="section-{section["key"]}"' in html
    assert html.index('id="bulletin-summary"') < html.index('id="section-reports_by_banner"')
    lectures = _chart_json(html, "bulletin-lectures")
    assert lectures["labels"][0] == "阿拉善左旗"
    assert sum(v for s in lectures["series"] for v in s["values"]) == 1
    reports = _chart_json(html, "bulletin-reports")
    assert [s["label"] for s in reports["series"]] == ["按时提交", "逾期提交", "未提交"]
    assert sum(reports["series"][0]["values"]) == 1
    assert sum(reports["series"][2]["values"]) == hospitals - 1
    milestones = _chart_json(html, "bulletin-milestones")
    assert milestones["horizontal"] is True
    per_milestone = [
        sum(s["values"][i] for s in milestones["series"]) for i in range(len(milestones["labels"]))
    ]
    assert per_milestone == [hospitals] * len(milestones["labels"])
    ranking = _chart_json(html, "bulletin-ranking")
    assert ranking["labels"][0] == "1. 阿拉善左旗人民医院"
    assert len(ranking["labels"]) == hospitals
    # Chart.js and the page's own scripts come from our static files.
    assert "/static/vendor/chartjs/chart.umd.min.js" in html
    assert "/static/js/charts.js" in html
    assert "/static/js/confirm.js" in html
    assert "http://" not in html.replace("http://testserver", "")
    assert "https://" not in html


def test_publish_asks_for_confirmation(alxa: Alxa, set_clock: SetClock) -> None:
    bulletin = _bulletin(alxa, set_clock)
    client = _client(alxa.league_reviewer)
    html = client.get(f"/bulletins/{bulletin.pk}/").content.decode()
    assert re.search(
        r'<form method="post" class="inline" id="bulletin-publish" data-confirm="[^"]*确定发布', html
    )
    client.post(f"/bulletins/{bulletin.pk}/", {"action": "publish"})
    bulletin.refresh_from_db()
    assert bulletin.status == Bulletin.Status.PUBLISHED
    assert "data-confirm" not in client.get(f"/bulletins/{bulletin.pk}/").content.decode()
    # A banner reviewer reads the published bulletin, with the same summary, and cannot publish.
    banner = _client(alxa.banner_reviewer).get(f"/bulletins/{bulletin.pk}/").content.decode()
    assert 'id="bulletin-summary"' in banner
    assert 'value="publish"' not in banner


def test_charts_of_an_old_bulletin_without_sections() -> None:
    assert bulletin_charts({}) == []
    summary = bulletin_summary({"hospital_count": 3})
    assert (summary.hospitals, summary.on_time, summary.lectures, summary.leader) == (3, 0, 0, "")
