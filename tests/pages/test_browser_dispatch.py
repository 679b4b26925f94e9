"""The banners' 调度 reports in Chromium, by links only (no URL typed but the login page's): 左旗's
reviewer writes July's report and submits it (first refused without a text), the league returns it
(first refused without a reason), the banner reads the reason, edits and resubmits, the league marks it
read and records that it attended 左旗's 集中宣讲. Screenshots in test-artifacts/dispatch-*.png."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from reporting.dispatch.models import DispatchReport, LeagueVisit
from tests.conftest import Alxa
from tests.pages.conftest import Pages
from tests.reporting.conftest import SetClock
from tests.reporting.dispatch.conftest import central_lecture
from tests.samples import PDF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = "7月全旗5家公立医院均已完成院内宣讲，书记、院长各宣讲1次；左旗蒙医医院课件尚未报送，已督促。"


def _open_july(pages: Pages) -> None:
    page = pages.page
    page.click("header nav >> text=调度报告")
    page.click("#dispatch-months tr:has-text('2021年7月') a")
    page.wait_for_url(re.compile(r".*/dispatch/\d+/2021-07/$"))


def _league_opens_july(pages: Pages) -> None:
    page = pages.page
    page.click("header nav >> text=调度报告")
    row = page.locator("#dispatch-banners tr:has-text('阿拉善左旗')")
    assert "按时报送" in row.inner_text()
    pages.shot("dispatch-00-league-month-table")
    row.locator("a").click()
    page.wait_for_url(re.compile(r".*/dispatch/\d+/2021-07/$"))


def test_banner_writes_league_returns_banner_resubmits_league_reads(
    alxa: Alxa, browser: Any, live_server: Any, set_clock: SetClock
) -> None:
    set_clock("2021-08-03 10:00")
    lecture = central_lecture(alxa, title="医改政策集中宣讲")
    pages = Pages(browser, live_server.url, viewport={"width": 1280, "height": 900})
    page = pages.page
    try:
        pages.login("zuoqi")
        _open_july(pages)
        page.click("#dispatch-submit")  # no text yet: refused on the form, nothing kept
        page.wait_for_load_state("load")
        assert "调度报告须填写调度情况（书面报告）后才能报送。" in page.locator("#dispatch-form").inner_text()
        assert not DispatchReport.objects.exists()
        page.fill("#id_text", TEXT)
        page.set_input_files(
            "#id_attachments", files=[{"name": "7月调度.pdf", "mimeType": "application/pdf", "buffer": PDF}]
        )
        pages.shot("dispatch-01-banner-writes")
        page.click("#dispatch-submit")
        page.wait_for_load_state("load")
        assert "已报送阿拉善左旗 2021年07月调度报告" in page.locator(".messages").inner_text()
        assert page.locator("#dispatch-status").inner_text().startswith("已报送")
        with page.expect_download() as download:
            page.click("#dispatch-files a:has-text('7月调度.pdf')")
        assert Path(download.value.path()).read_bytes() == PDF
        report = DispatchReport.objects.get()
        assert (report.status, report.late_days, report.text) == ("submitted", 0, TEXT)
        pages.shot("dispatch-02-banner-submitted")
        pages.logout()

        pages.login("league")
        _league_opens_july(pages)
        assert TEXT in page.locator("#dispatch-text").inner_text()
        pages.shot("dispatch-03-league-reads")
        page.click("#dispatch-return")  # no reason: refused beside the field
        page.wait_for_load_state("load")
        assert "退回须填写原因。" in page.locator("#dispatch-return-form").inner_text()
        page.fill("#dispatch-return-form #id_reason", "请补充各医院院外互讲的安排")
        page.click("#dispatch-return")
        page.wait_for_load_state("load")
        assert page.locator("#dispatch-status").inner_text() == "已退回"
        assert DispatchReport.objects.get().status == "returned"
        pages.logout()

        pages.login("zuoqi")
        _open_july(pages)
        assert page.locator("#dispatch-return-reason").inner_text() == "请补充各医院院外互讲的安排"
        page.fill("#id_text", TEXT + "8月上旬起开展院外互讲，已排定结对医院。")
        pages.shot("dispatch-04-banner-returned")
        page.click("#dispatch-submit")
        page.wait_for_load_state("load")
        assert page.locator("#dispatch-status").inner_text().startswith("已重新报送")
        pages.logout()

        pages.login("league")
        _league_opens_july(pages)
        assert "8月上旬起开展院外互讲" in page.locator("#dispatch-text").inner_text()
        page.click("#dispatch-read")
        page.wait_for_load_state("load")
        assert page.locator("#dispatch-status").inner_text() == "已阅"
        history = page.locator("#history").inner_text()
        for step in ("退回", "重新提交", "标记已阅"):
            assert step in history
        report = DispatchReport.objects.get()
        assert (report.status, report.return_count, report.read_by) == ("read", 1, alxa.league_reviewer)
        pages.shot("dispatch-05-league-marked-read")

        page.click("header nav >> text=出席宣讲")
        page.select_option("#id_lecture", label="2021-07-10 阿拉善左旗 医改政策集中宣讲（杜国庆）")
        page.fill("#id_visited_on", "2021-07-11")  # not the lecture's day: refused beside the date
        page.fill("#id_attendees", "盟卫生健康委主任范明亮")
        page.click("#visit-form button[type=submit]")
        page.wait_for_load_state("load")
        assert "出席日期须为宣讲当天（2021-07-10）。" in page.locator("#visit-form").inner_text()
        page.fill("#id_visited_on", "2021-07-10")
        page.click("#visit-form button[type=submit]")
        page.wait_for_load_state("load")
        assert "已登记出席：医改政策集中宣讲（2021-07-10）。" in page.locator(".messages").inner_text()
        row = page.locator("#league-visits tbody tr").first.inner_text()
        assert "阿拉善左旗" in row
        assert "盟卫生健康委主任范明亮" in row
        assert LeagueVisit.objects.get().lecture == lecture
        pages.shot("dispatch-06-league-visits")
        assert pages.outside_requests == []
        assert pages.console_errors == []
    finally:
        pages.close()
