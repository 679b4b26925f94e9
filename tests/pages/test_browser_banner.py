"""The banner reviewer in Chromium, at desktop and phone width, no URL typed but the login page's: its
集中宣讲 with materials, then a first review. Screenshots in test-artifacts/.

Logging a 集中宣讲 on the pages is not built yet: the lecture is recorded through the service here."""

from __future__ import annotations

import re
from typing import Any

import pytest

from campaign.services import lecture_create, material_upload
from reporting.reports.models import MonthlyReport
from tests.campaign.conftest import lecture_data, upload
from tests.conftest import Alxa
from tests.pages.conftest import Pages
from tests.reporting.conftest import SetClock, make_report
from tests.samples import PDF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("size", list(SIZES))
def test_banner_month(alxa: Alxa, browser: Any, live_server: Any, set_clock: SetClock, size: str) -> None:
    central = lecture_create(
        actor=alxa.admin, channel="web", data=lecture_data(alxa, "centralised", title="医改政策集中宣讲")
    )
    material_upload(
        actor=alxa.admin,
        channel="web",
        lecture=central,
        kind="courseware",
        file=upload("集中课件.pdf", PDF),
    )
    make_report(alxa, state="submitted")
    pages = Pages(browser, live_server.url, viewport=SIZES[size])
    page = pages.page
    try:
        pages.login("zuoqi")
        page.click("header nav >> text=集中宣讲")
        table = page.locator("#banner-lectures")
        assert "医改政策集中宣讲" in table.inner_text()
        assert "集中课件.pdf" in table.inner_text()
        pages.shot(f"banner-{size}-01-central-lectures")
        page.click("#banner-lectures a:has-text('医改政策集中宣讲')")
        page.wait_for_url(re.compile(r".*/lectures/\d+/$"))
        assert "医改政策集中宣讲" in page.locator("h1").inner_text()
        page.click("header nav >> text=审核队列")
        page.click("#queue a:has-text('阿拉善左旗人民医院')")
        page.wait_for_url(re.compile(r".*/reports/\d+/$"))
        pages.shot(f"banner-{size}-02-report")
        page.click("#review-form button:has-text('初审通过')")
        page.wait_for_load_state("load")
        assert page.locator("#report-status").inner_text() == "旗(区)已初审"
        assert MonthlyReport.objects.get().status == MonthlyReport.Status.BANNER_REVIEWED
        assert pages.outside_requests == []
        assert pages.console_errors == []
    finally:
        pages.close()
