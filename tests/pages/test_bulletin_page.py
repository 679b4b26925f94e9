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
from tests.pages.conftest import Pages
from tests.reporting.bulletins.scenarios import banner_month
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


def _table(html: str, key: str) -> list[list[str]]:
    """A section's table on the page, cell texts row by row (header first)."""
    match = re.search(rf'<section class="card" id="section-{key}">(.*?)</section>', html, re.S)
    assert match, key
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", match.group(1), re.S)
    ]


def test_the_banner_sections_on_the_page(alxa: Alxa, set_clock: SetClock) -> None:
    banner_month(alxa, set_clock)
    bulletin = bulletin_build(campaign_id=alxa.campaign.pk, month=JULY, actor=alxa.league_reviewer)
    assert _client(alxa.banner_reviewer).get(f"/bulletins/{bulletin.pk}/").status_code == 404  # a draft
    html = _client(alxa.league_reviewer).get(f"/bulletins/{bulletin.pk}/").content.decode()
    milestones = _table(html, "milestones_by_banner")
    assert milestones[0][:2] == ["旗(区)", "医院数"]
    assert milestones[1] == ["阿拉善左旗", "5", "0", "0", "0", "1", "0", "0", "16", "1", "15", "6%"]
    actions = _table(html, "actions_by_banner")
    assert actions[1] == ["阿拉善左旗", "5", "1", "1", "0", "1", "1", "0", "3", "33%"]
    assert actions[3] == ["额济纳旗", "2", "0", "0", "0", "0", "0", "0", "0", "—"]
    indicators = _table(html, "indicators_by_banner")
    assert indicators[2] == ["阿拉善右旗", "2", "0", "2", "0", "0", "0", "—", "0", "1", "3"]
    own = _table(html, "indicators_banner_level")
    assert own[1][:4] == ["阿拉善左旗", "O1.2-b", "县域内就诊率", "达标"]
    # The table of contents reaches them, and their charts are drawn from the same figures.
    for key in (
        "milestones_by_banner",
        "actions_by_banner",
        "indicators_by_banner",
        "indicators_banner_level",
    ):
        assert f'<li><a href="#section-{key}">' in html
    assert html.index('id="section-milestones_by_banner"') < html.index('id="section-milestones"')
    chart = _chart_json(html, "bulletin-milestones-banner")
    assert chart["labels"][:2] == ["阿拉善左旗", "阿拉善右旗"]
    assert [s["values"][:2] for s in chart["series"]] == [[1, 0], [15, 6]]
    actions_chart = _chart_json(html, "bulletin-actions")
    assert [s["label"] for s in actions_chart["series"]] == [
        "未开始",
        "按计划推进",
        "存在风险",
        "逾期",
        "已完成",
    ]
    assert _chart_json(html, "bulletin-indicators")["series"][1]["values"][0] == int(indicators[1][5])


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_league_reads_the_banner_sections_in_chromium(
    alxa: Alxa, set_clock: SetClock, browser: Any, live_server: Any
) -> None:
    banner_month(alxa, set_clock)
    bulletin = bulletin_build(campaign_id=alxa.campaign.pk, month=JULY, actor=alxa.league_reviewer)
    pages = Pages(browser, live_server.url, viewport={"width": 1280, "height": 900})
    page = pages.page
    try:
        pages.login("league")
        page.click("header nav >> text=月度通报")
        page.click(f"a[href='/bulletins/{bulletin.pk}/']")
        page.wait_for_url(re.compile(rf".*/bulletins/{bulletin.pk}/$"))
        page.wait_for_selector("#chart-bulletin-actions canvas[data-drawn]")
        pages.shot("bulletin-banner-01-charts")
        page.click("#bulletin-toc a[href='#section-actions_by_banner']")
        row = page.locator("#section-actions_by_banner tbody tr").first
        assert row.locator("td").all_inner_texts() == [
            "阿拉善左旗",
            "5",
            "1",
            "1",
            "0",
            "1",
            "1",
            "0",
            "3",
            "33%",
        ]
        own = page.locator("#section-indicators_banner_level tbody tr:has-text('阿拉善右旗')")
        assert own.nth(1).locator("td").nth(3).inner_text() == "未达标"
        page.locator("#section-milestones_by_banner").scroll_into_view_if_needed()
        pages.shot("bulletin-banner-02-sections", full_page=False)
        drawn = page.locator("canvas[data-drawn]").count()
        assert drawn >= 6  # lectures, milestones ×2, reports, actions, indicators (ranking too)
        assert pages.outside_requests == []
        assert pages.console_errors == []
    finally:
        pages.close()
