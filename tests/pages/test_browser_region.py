"""In a real browser: the region reviewer (自治区审核员) logs in, lands on 全区汇总, reads both sample
leagues' rows and downloads the rollup workbook and the publicity bundle (issue 16 item 3)."""

from __future__ import annotations

import zipfile
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.conftest import Alxa
from tests.leagues import load_second_league
from tests.pages.conftest import Pages
from tests.reporting.region.test_rollup import _evaluation, _lecture, _recommended

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_region_reviewer_reads_both_leagues_and_downloads_the_workbook(
    alxa: Alxa, browser: Any, live_server: Any
) -> None:
    baotou = load_second_league()
    _lecture(alxa.campaign, alxa.h004)
    _lecture(alxa.campaign, alxa.h001)
    _lecture(baotou.campaign, baotou.hospital)
    _evaluation(baotou.campaign, baotou.hospital, "80.00", 1, True)
    _recommended(alxa.campaign, alxa.h004, "左旗课件.pdf")
    desktop = Pages(browser, live_server.url, viewport={"width": 1440, "height": 900})
    try:
        desktop.login("region")
        page = desktop.page
        page.wait_for_url(desktop.base_url + "/region/")
        assert page.locator("h1").inner_text().startswith("全区汇总")
        nav = page.locator("header nav a").all_inner_texts()
        assert nav[0] == "全区汇总"
        assert "审核队列" not in nav  # reads, never acts
        assert "年终评估" not in nav
        rows = page.locator("#region-rollup tbody tr")
        assert rows.count() == 2
        assert page.locator("tr[data-league='152900'] td").first.inner_text().startswith("阿拉善盟")
        assert page.locator("tr[data-league='150200'] td").first.inner_text().startswith("包头市")
        assert "尚未评估" in page.locator("tr[data-league='152900']").inner_text()
        assert "80.00" in page.locator("tr[data-league='150200']").inner_text()
        desktop.shot("region-rollup-desktop")
        with page.expect_download() as download_info:
            page.click("#export-region")
        download = download_info.value
        assert download.suggested_filename.endswith(".xlsx")
        with open(download.path(), "rb") as handle:  # the saved file has no .xlsx suffix
            sheet = load_workbook(handle)["全区汇总"]
        names = [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)]
        assert names == ["包头市", "阿拉善盟"]
        with page.expect_download() as bundle_info:
            page.click("#publicity-bundle")
        archive = zipfile.ZipFile(bundle_info.value.path())
        assert "清单.xlsx" in archive.namelist()
        assert any(n.endswith("左旗课件.pdf") for n in archive.namelist())
        assert desktop.outside_requests == []
        assert desktop.console_errors == []
    finally:
        desktop.close()
