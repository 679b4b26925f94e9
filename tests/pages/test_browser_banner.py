"""The banner reviewer in Chromium, at desktop and phone width, no URL typed but the login page's: it
records its 集中宣讲, uploads its courseware, corrects it and deletes a mistaken one, then does a first
review. Screenshots in test-artifacts/."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from campaign.models import LaunchRecord, LectureMaterial, LectureSession
from campaign.services import lecture_create
from reporting.indicators.models import IndicatorValue
from reporting.reports.models import MonthlyReport
from tests.campaign.conftest import lecture_data
from tests.conftest import Alxa
from tests.pages.conftest import Pages
from tests.reporting.conftest import SetClock, make_report
from tests.samples import PDF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def _launch(pages: Pages, size: str) -> None:
    """Record the banner's launch (milestone 06-25) from the nav, with its minutes as a PDF."""
    page = pages.page
    page.click("header nav >> text=启动记录")
    assert "尚未登记启动记录" in page.locator("#launch-record").inner_text()
    page.fill("#id_launched_on", "2021-06-24")
    page.fill("#id_meeting", "全旗“讲见效”活动动员部署会")
    page.fill("#id_minutes", "各医院书记、院长参会，部署集中宣讲。")
    page.set_input_files(
        "#id_attachment", files=[{"name": "纪要.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.click("#launch-form button[type=submit]")
    page.wait_for_load_state("load")
    assert "已保存启动记录" in page.locator(".messages").inner_text()
    assert page.locator("#launch-date").inner_text() == "2021-06-24"
    with page.expect_download() as download:
        page.click("#launch-attachment")
    assert Path(download.value.path()).read_bytes() == PDF
    assert LaunchRecord.objects.get().meeting == "全旗“讲见效”活动动员部署会"
    pages.shot(f"banner-{size}-00-launch")


def _banner_indicators(pages: Pages, size: str) -> None:
    """Type July's banner-level indicators from the nav: a refusal beside its indicator, then saved."""
    page = pages.page
    page.click("header nav >> text=旗(区)指标")
    page.wait_for_url(re.compile(r".*/banners/\d+/months/2021-07/$"))
    row = page.locator("[id='indicator-O1.2-b']")
    row.locator("input.num").nth(0).fill("12000")
    row.locator("input.num").nth(1).fill("10000")
    page.click("#indicator-form button[type=submit]")
    page.wait_for_load_state("load")
    assert "分子(12000.00)不能大于分母(10000.00)。" in row.inner_text()
    assert not IndicatorValue.objects.filter(unit__isnull=False).exists()
    pages.shot(f"banner-{size}-04-indicators-refused")
    row.locator("input.num").nth(0).fill("8200")
    for code, numerator in (("O4.1-a", "5400"), ("O4.1-b", "610"), ("O4.2-c", "2")):
        other = page.locator(f"[id='indicator-{code}']")
        other.locator("input.num").nth(0).fill(numerator)
        other.locator("input.num").nth(1).fill("10000" if code != "O4.2-c" else "3")
    page.click("#indicator-form button[type=submit]")
    page.wait_for_load_state("load")
    assert "已保存4项指标。" in page.locator(".messages").inner_text()
    assert IndicatorValue.objects.filter(unit__isnull=False, month="2021-07-01").count() == 4
    pages.shot(f"banner-{size}-05-indicators")


@pytest.mark.parametrize("size", list(SIZES))
def _central_lecture(alxa: Alxa, pages: Pages, size: str) -> None:
    """Record a 集中宣讲 from the nav, upload its courseware, correct its title, delete a duplicate."""
    page = pages.page
    page.click("header nav >> text=集中宣讲")
    page.click("#banner-lecture-new")
    page.select_option("#id_kind", label="集中宣讲")
    page.fill("#id_held_on", "2021-06-28")
    page.fill("#id_title", "医改政策集中宣讲")
    page.select_option("#id_speaker", label="杜国庆")
    page.fill("#id_attendance_expected", "40")
    page.fill("#id_attendance_present", "45")  # more present than expected: refused on the form
    page.click("#lecture-form button[type=submit]")
    page.wait_for_load_state("load")
    assert "实到人数（45）不能超过应到人数（40）" in page.locator("#lecture-form").inner_text()
    pages.shot(f"banner-{size}-01-central-form-refused")
    page.fill("#id_attendance_present", "38")
    page.click("#lecture-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/lectures/\d+/$"))
    assert "已登记集中宣讲" in page.locator(".messages").inner_text()
    lecture = LectureSession.objects.get(title="医改政策集中宣讲")
    assert (lecture.org_unit_id, lecture.speaker_role) == (alxa.zuoqi.pk, "commission_head")
    page.select_option("#id_kind", "courseware")
    page.set_input_files(
        "#id_file", files=[{"name": "集中课件.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.click("#material-form button[type=submit]")
    page.wait_for_load_state("load")
    assert "已上传材料" in page.locator(".messages").inner_text()
    assert LectureMaterial.objects.filter(lecture=lecture).count() == 1
    page.click("#lecture-edit")
    page.fill("#id_title", "医改政策集中宣讲（领导班子）")
    page.click("#lecture-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/lectures/\d+/$"))
    assert page.locator("h1").inner_text() == "医改政策集中宣讲（领导班子）"
    assert "宣讲题目" in page.locator("#history").inner_text()
    pages.shot(f"banner-{size}-02-central-lecture")
    # The duplicate recorded by mistake is deleted from its page, accepting the confirmation.
    page.click("header nav >> text=集中宣讲")
    page.click("#banner-lectures a:has-text('重复登记的集中宣讲')")
    page.fill("#lecture-delete-form input[name=reason]", "重复登记")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#lecture-delete-form button[type=submit]")
    page.wait_for_load_state("load")
    assert "已删除集中宣讲" in page.locator(".messages").inner_text()
    table = page.locator("#banner-lectures").inner_text()
    assert "医改政策集中宣讲（领导班子）" in table
    assert "集中课件.pdf" in table
    assert "重复登记的集中宣讲" not in table
    pages.shot(f"banner-{size}-03-central-lectures")


@pytest.mark.parametrize("size", list(SIZES))
def test_banner_month(alxa: Alxa, browser: Any, live_server: Any, set_clock: SetClock, size: str) -> None:
    lecture_create(
        actor=alxa.admin, channel="web", data=lecture_data(alxa, "centralised", title="重复登记的集中宣讲")
    )
    make_report(alxa, state="submitted")
    pages = Pages(browser, live_server.url, viewport=SIZES[size])
    page = pages.page
    try:
        pages.login("zuoqi")
        _launch(pages, size)
        _central_lecture(alxa, pages, size)
        _banner_indicators(pages, size)
        page.click("header nav >> text=审核队列")
        page.click("#queue a:has-text('阿拉善左旗人民医院')")
        page.wait_for_url(re.compile(r".*/reports/\d+/$"))
        pages.shot(f"banner-{size}-09-report")
        page.click("#review-form button:has-text('初审通过')")
        page.wait_for_load_state("load")
        assert page.locator("#report-status").inner_text() == "旗(区)已初审"
        assert MonthlyReport.objects.get().status == MonthlyReport.Status.BANNER_REVIEWED
        assert pages.outside_requests == []
        assert pages.console_errors == []
    finally:
        pages.close()
