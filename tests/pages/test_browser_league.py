"""The league reviewer's month in Chromium, at desktop and phone width, no URL typed but the login page's:
return a report with a reason, approve another, grant an unlock, publish the bulletin (accepting the
confirmation) and download its Excel file; select its 全区巡讲 lecturers and mark materials for publicity.
Screenshots in test-artifacts/."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest

from campaign.models import LectureMaterial, TourLecturer
from campaign.services import lecture_create, material_upload, tour_lecturer_select
from reporting.bulletins.models import Bulletin
from reporting.reports.models import MonthlyReport, UnlockRequest
from reporting.reports.services import report_unlock_request
from tests.campaign.conftest import lecture_data, person, upload
from tests.conftest import Alxa
from tests.pages.conftest import Pages
from tests.reporting.conftest import JULY, SetClock, make_report
from tests.samples import PDF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AUGUST = dt.date(2021, 8, 1)
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def _open_from_queue(page: Any, month: str) -> None:
    page.click("header nav >> text=审核队列")
    page.click(f"#queue tr:has-text('{month}') a:has-text('阿拉善左旗人民医院')")
    page.wait_for_url(re.compile(r".*/reports/\d+/$"))


@pytest.mark.parametrize("size", list(SIZES))
def test_league_month(alxa: Alxa, browser: Any, live_server: Any, set_clock: SetClock, size: str) -> None:
    make_report(alxa, state="submitted")
    set_clock("2021-09-03 10:00")
    make_report(alxa, state="submitted", month=AUGUST)
    pages = Pages(browser, live_server.url, viewport=SIZES[size])
    page = pages.page
    try:
        pages.login("league")
        # Return July with a reason.
        _open_from_queue(pages.page, "2021-07")
        page.fill("#id_return-reason", "7月宣讲台账与指标不一致，请核对后重报。")
        pages.shot(f"league-{size}-01-report")
        page.click("#return-form button:has-text('退回')")
        page.wait_for_load_state("load")
        assert page.locator("#report-status").inner_text() == "已退回"
        assert "7月宣讲台账与指标不一致" in page.locator("#return-reason").inner_text()
        # Approve August.
        _open_from_queue(pages.page, "2021-08")
        page.click("#review-form button:has-text('审核通过')")
        page.wait_for_load_state("load")
        assert page.locator("#report-status").inner_text() == "已审核通过"
        august = MonthlyReport.objects.get(month=AUGUST)
        assert august.status == MonthlyReport.Status.APPROVED
        # The hospital asks to unlock it; the league grants until a date.
        report_unlock_request(report_id=august.pk, actor=alxa.reporter, reason="补录8月宣讲照片")
        page.click("header nav >> text=解锁申请")
        row = page.locator("#unlock-requests tr:has-text('补录8月宣讲照片')")
        row.locator("input[name=decide-until]").fill("2021-09-10")
        row.locator("input[name=decide-note]").fill("同意，请于9月10日前补录")
        pages.shot(f"league-{size}-02-unlock")
        row.locator("button[value=grant]").click()
        page.wait_for_load_state("load")
        assert UnlockRequest.objects.get().status == UnlockRequest.Status.GRANTED
        # Build and publish July's bulletin, then download its workbook.
        page.click("header nav >> text=月度通报")
        page.select_option("#id_month", JULY.isoformat())
        page.click("#bulletin-build-form button[type=submit]")
        page.wait_for_url(re.compile(r".*/bulletins/\d+/$"))
        page.wait_for_selector("canvas[data-drawn]")
        pages.shot(f"league-{size}-03-bulletin")
        asked: list[str] = []

        def confirm(dialog: Any) -> None:
            asked.append(dialog.message)
            dialog.accept()

        page.once("dialog", confirm)
        page.click("#bulletin-publish button")
        page.wait_for_load_state("load")
        assert "确定发布" in asked[0]
        assert page.locator("#bulletin-status").inner_text() == "已发布"
        assert Bulletin.objects.get().status == Bulletin.Status.PUBLISHED
        with page.expect_download() as info:
            page.click("#bulletin-excel")
        content = Path(info.value.path()).read_bytes()
        workbook = openpyxl.load_workbook(io.BytesIO(content))
        assert len(workbook.sheetnames) >= 2
        with page.expect_download() as info:
            page.click("#bulletin-word")
        assert info.value.suggested_filename.endswith(".docx")
        document = docx.Document(io.BytesIO(Path(info.value.path()).read_bytes()))
        assert any("通报" in paragraph.text for paragraph in document.paragraphs)
        pages.shot(f"league-{size}-04-published", full_page=False)
        assert pages.outside_requests == []
        assert pages.console_errors == []
    finally:
        pages.close()


@pytest.mark.parametrize("size", list(SIZES))
def test_league_lecturers_and_publicity(
    alxa: Alxa, browser: Any, live_server: Any, set_clock: SetClock, size: str
) -> None:
    """From the nav: select a 全区巡讲 lecturer (a refusal first), remove a mistaken one, then mark a
    hospital's courseware for publicity and find it under the 已推荐 filter."""
    set_clock("2021-08-20 10:00")
    lecture = lecture_create(actor=alxa.reporter, channel="web", data=lecture_data(alxa, title="院内宣讲"))
    courseware = upload("院内课件.pdf", PDF)
    material_upload(actor=alxa.reporter, channel="web", lecture=lecture, kind="courseware", file=courseware)
    tour_lecturer_select(
        actor=alxa.league_reviewer,
        channel="web",
        campaign=alxa.campaign,
        person=person("H006-P01"),
        selected_on=dt.date(2021, 8, 1),
    )
    pages = Pages(browser, live_server.url, viewport=SIZES[size])
    page = pages.page
    try:
        pages.login("league")
        page.click("header nav >> text=巡讲讲师")
        page.select_option("#id_person", label="郭玉梅（阿拉善左旗人民医院）")
        page.fill("#id_selected_on", "2021-09-01")  # a day still to come: refused on the form
        page.click("#tour-lecturer-form button[type=submit]")
        page.wait_for_load_state("load")
        assert "入选日期（2021-09-01）不能晚于今天。" in page.locator("#tour-lecturer-form").inner_text()
        page.fill("#id_selected_on", "2021-08-18")
        page.fill("#id_note", "盟卫生健康委推荐")
        page.click("#tour-lecturer-form button[type=submit]")
        page.wait_for_load_state("load")
        assert "已选拔全区巡讲讲师：郭玉梅" in page.locator(".messages").inner_text()
        page.once("dialog", lambda dialog: dialog.accept())
        page.click("#tour-lecturers tr:has-text('于丽华') button:has-text('移除')")
        page.wait_for_load_state("load")
        table = page.locator("#tour-lecturers").inner_text()
        assert "郭玉梅" in table
        assert "于丽华" not in table
        assert list(TourLecturer.objects.values_list("person__code", flat=True)) == ["H004-P01"]
        pages.shot(f"league-{size}-05-tour-lecturers")
        page.click("header nav >> text=推荐宣传")
        page.click("#publicity tr:has-text('院内课件.pdf') button:has-text('推荐宣传')")
        page.wait_for_load_state("load")
        assert "已推荐宣传：院内课件.pdf" in page.locator(".messages").inner_text()
        assert LectureMaterial.objects.get().recommended_for_publicity
        page.select_option("#id_recommended", label="已推荐")
        page.click("#publicity-filter button[type=submit]")
        page.wait_for_load_state("load")
        assert "院内课件.pdf" in page.locator("#publicity").inner_text()
        assert page.locator("#recommended-count").inner_text() == "1"
        pages.shot(f"league-{size}-06-publicity")
        assert pages.outside_requests == []
        assert pages.console_errors == []
    finally:
        pages.close()
