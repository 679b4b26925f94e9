"""Issue 15 in Chromium, as the league reviewer reaches it by links: the 06-25 milestone for the league and
every banner (the league's launch page, its table of banners, its own record entered late), and the
dashboard's chart of lectures with a commission official present. Screenshots in test-artifacts/."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from campaign.models import LaunchRecord
from campaign.services import launch_record_create, lecture_create
from tests.campaign.conftest import lecture_data, person
from tests.conftest import Alxa
from tests.pages.conftest import ARTIFACTS, Pages
from tests.reporting.conftest import SetClock

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_league_reads_every_units_launch_and_the_supervised_lectures(
    alxa: Alxa, browser: Any, live_server: Any, set_clock: SetClock
) -> None:
    set_clock("2021-06-22 10:00")
    launch_record_create(
        actor=alxa.banner_reviewer,
        channel="web",
        campaign=alxa.campaign,
        org_unit=alxa.zuoqi,
        launched_on=dt.date(2021, 6, 22),
        meeting="阿拉善左旗“讲医改、见行动、出成效”活动启动会",
    )
    set_clock("2021-07-12 10:00")
    lecture_create(
        actor=alxa.reporter,
        channel="web",
        data=lecture_data(alxa, supervising_officials=(person("B152921-P01"),)),
    )
    lecture_create(actor=alxa.reporter, channel="web", data=lecture_data(alxa, title="第二场院内宣讲"))
    pages = Pages(browser, live_server.url, viewport={"width": 1280, "height": 900})
    page = pages.page
    try:
        pages.login("league")
        page.click("header nav >> text=启动记录")
        page.wait_for_url(re.compile(rf".*/units/{alxa.league.pk}/launch/$"))
        # The banners' table: 左旗 launched on 06-22 (entered then), 右旗 has no record past 06-25.
        zuoqi = page.locator(f"#banner-launches tr[data-banner='{alxa.zuoqi.pk}']")
        youqi = page.locator(f"#banner-launches tr[data-banner='{alxa.youqi.pk}']")
        assert "已完成" in zuoqi.inner_text()
        assert "启动会" in zuoqi.inner_text()
        assert "未完成" in youqi.inner_text()
        assert "未完成" in page.locator("#launch-status").inner_text()  # the league's own: none yet
        # The league enters its own launch now, dated 06-24: judged on when it was entered, still late.
        page.fill("#id_launched_on", "2021-06-24")
        page.fill("#id_meeting", "阿拉善盟“讲医改、见行动、出成效”活动启动会")
        page.click("#launch-form button[type=submit]")
        page.wait_for_load_state("load")
        record = LaunchRecord.objects.get(org_unit=alxa.league)
        assert record.launched_on == dt.date(2021, 6, 24)
        assert page.locator("#launch-date").inner_text() == "2021-06-24"
        assert "未完成" in page.locator("#launch-status").inner_text()
        pages.shot("league-launch-0625")
        # The dashboard: lectures and lectures with an official present, per banner.
        page.click("header nav >> text=仪表盘")
        chart = page.locator("#chart-supervision")
        chart.scroll_into_view_if_needed()
        page.wait_for_selector("#chart-supervision canvas[data-drawn]")
        chart.locator("summary").click()
        table = chart.locator("table").inner_text()
        assert "阿拉善左旗" in table
        row = next(line for line in table.splitlines() if "阿拉善左旗" in line)
        assert re.findall(r"\d+", row)[:2] == ["2", "1"], row
        pages.shot("league-dashboard")
        chart.screenshot(path=str(ARTIFACTS / "league-dashboard-supervision.png"))
    finally:
        pages.close()
