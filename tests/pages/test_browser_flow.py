"""The month of work in a real browser (Debian's Chromium through Playwright), step by step, each step
checked on the page and the main pages kept as screenshots in test-artifacts/."""

from __future__ import annotations

import re

import pytest

from campaign.models import LectureMaterial, LectureSession
from reporting.models import IndicatorValue
from tests.campaign.conftest import PDF
from tests.conftest import Alxa
from tests.pages.conftest import Pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_lecture(pages: Pages, alxa: Alxa) -> None:
    page = pages.page
    page.click("header nav >> text=本院")
    assert page.locator("h1").inner_text() == "阿拉善左旗人民医院"
    assert page.locator("#milestones").is_visible()
    pages.shot("01-hospital-overview")
    page.click("nav.tabs >> text=讲·宣讲")
    page.click("text=登记宣讲")
    page.select_option("#id_kind", label="院内宣讲")
    page.fill("#id_held_on", "2021-07-10")
    page.fill("#id_title", "推动公立医院高质量发展")
    page.select_option("#id_speaker", label="郭玉梅")
    page.locator("#field-coverage input[type=checkbox]").first.check()
    page.fill("#id_attendance_expected", "400")
    page.fill("#id_attendance_present", "380")
    page.fill("#id_on_duty_exempt", "20")
    pages.shot("02-lecture-form")
    page.click("#lecture-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/lectures/\d+/$"))
    assert "已登记宣讲" in page.locator(".messages").inner_text()
    assert page.locator("h1").inner_text() == "推动公立医院高质量发展"
    lecture = LectureSession.objects.get()
    assert (lecture.hospital_id, lecture.speaker_role) == (alxa.h004.pk, "secretary")

    page.select_option("#id_kind", "courseware")
    page.set_input_files(
        "#id_file", files=[{"name": "课件.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.click("#material-form button[type=submit]")
    page.wait_for_load_state("load")
    assert "已上传材料" in page.locator(".messages").inner_text()
    assert "课件.pdf" in page.locator("#materials table").inner_text()
    assert LectureMaterial.objects.filter(lecture=lecture).count() == 1
    pages.shot("03-lecture-with-material")


def _refused_party_history_elsewhere(pages: Pages) -> None:
    page = pages.page
    page.click("nav.tabs >> text=讲·宣讲")
    page.click("text=登记宣讲")
    page.select_option("#id_kind", label="院外互讲")
    page.fill("#id_held_on", "2021-08-12")
    page.fill("#id_title", "百年党史中的卫生健康事业")
    page.select_option("#id_speaker", label="郭玉梅")
    page.select_option("#id_host_hospital", label="阿拉善左旗蒙医医院")
    page.check("#id_party_history")
    page.fill("#id_attendance_expected", "150")
    page.fill("#id_attendance_present", "140")
    page.click("#lecture-form button[type=submit]")
    page.wait_for_load_state("load")
    error = page.locator("#lecture-form .form-errors")
    assert error.is_visible()
    assert "党史宣讲仅在本医院宣讲" in error.inner_text()
    # What was typed is still there to correct.
    assert page.input_value("#id_title") == "百年党史中的卫生健康事业"
    pages.shot("04-party-history-refused")
    assert LectureSession.objects.count() == 1


def _fill_indicators(pages: Pages) -> None:
    page = pages.page
    page.click("nav.tabs >> text=出·月报")
    page.select_option("select[name=month]", "2021-07")
    page.click("form.filters button")
    page.wait_for_url(re.compile(r".*/months/2021-07/$"))
    row = page.locator("#indicator-O1\\.1-a")
    row.locator("input.num").fill("12")
    ratio = page.locator("#indicator-O2\\.2-a input.num")
    ratio.nth(0).fill("30")
    ratio.nth(1).fill("200")
    page.click("#indicator-form button[type=submit]")
    page.wait_for_load_state("load")
    assert "已保存2项指标" in page.locator(".messages").inner_text()
    assert page.locator("#indicator-O1\\.1-a input.num").input_value() == "12"
    assert IndicatorValue.objects.count() == 2
    pages.shot("05-month-indicators")


def test_a_month_of_work(alxa: Alxa, pages: Pages) -> None:
    pages.login("h004")
    assert pages.page.locator("h1").inner_text().endswith("仪表盘")
    _log_lecture(pages, alxa)
    _refused_party_history_elsewhere(pages)
    _fill_indicators(pages)
    assert pages.outside_requests == []
    assert pages.console_errors == []
