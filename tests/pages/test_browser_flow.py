"""The month of work in a real browser (Debian's Chromium through Playwright), step by step, each step
checked on the page and the main pages kept as screenshots in test-artifacts/."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from campaign.models import Indicator, LectureMaterial, LectureSession
from reporting.bulletins.models import Bulletin
from reporting.indicators.models import IndicatorValue
from reporting.indicators.selectors import applicable_indicators
from reporting.reports.models import MonthlyReport
from tests.conftest import Alxa
from tests.pages.conftest import Pages
from tests.reporting.conftest import SetClock
from tests.samples import PDF

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
    error = page.locator("#lecture-form #field-party_history .errorlist")  # beside its box
    assert error.is_visible()
    assert "党史宣讲仅在本医院宣讲" in error.inner_text()
    # What was typed is still there to correct.
    assert page.input_value("#id_title") == "百年党史中的卫生健康事业"
    pages.shot("04-party-history-refused")
    assert LectureSession.objects.count() == 1


def _row(code: str) -> str:
    return "#indicator-" + code.replace(".", "\\.")


def _fill_indicators(pages: Pages, alxa: Alxa) -> None:
    """Every indicator of H004's July, typed as raw figures inside the plausible range for its level."""
    page = pages.page
    page.click("nav.tabs >> text=出·月报")
    page.select_option("select[name=month]", "2021-07")
    page.click("form.filters button")
    page.wait_for_url(re.compile(r".*/months/2021-07/$"))
    indicators = applicable_indicators(Indicator.objects.filter(campaign=alxa.campaign), hospital=alxa.h004)
    for indicator in indicators:
        row = page.locator(_row(indicator.code))
        if indicator.value_type == Indicator.ValueType.RATIO:
            low, high = (indicator.plausible_range or {}).get(alxa.h004.level, [0.2, 0.4])
            row.locator("input.num").nth(0).fill(str(round((low + high) / 2 * 200)))
            row.locator("input.num").nth(1).fill("200")
        elif indicator.value_type == Indicator.ValueType.COUNT:
            row.locator("input.num").fill("12" if indicator.code == "O1.1-a" else "5")
        else:
            for select in row.locator("select").all():
                select.select_option("yes")
    pages.shot("05-month-indicators-typed")
    page.click("#indicator-form button[type=submit]")
    page.wait_for_load_state("load")
    assert f"已保存{len(indicators)}项指标" in page.locator(".messages").inner_text()
    assert page.locator(_row("O1.1-a") + " input.num").input_value() == "12"
    assert IndicatorValue.objects.filter(hospital=alxa.h004).count() == len(indicators)
    assert page.locator("#indicators .warnings").count() == 0


def _submit(pages: Pages, label: str, status: str) -> None:
    page = pages.page
    page.fill("#id_report-problems", "院外互讲尚未开展。")
    page.fill("#id_report-corrections", "8月中旬与左旗蒙医医院互讲。")
    page.click(f"#report-form button:has-text('{label}')")
    page.wait_for_load_state("load")
    assert page.locator("#report-status").inner_text() == status
    assert "可修改" in page.locator("#report-lock").inner_text()


def _open_report_from_queue(pages: Pages) -> None:
    page = pages.page
    page.click("header nav >> text=审核队列")
    queue = page.locator("#queue")
    assert "阿拉善左旗人民医院" in queue.inner_text()
    queue.locator("a:has-text('阿拉善左旗人民医院')").click()
    page.wait_for_url(re.compile(r".*/reports/\d+/$"))


def _return_with_reason(pages: Pages) -> None:
    page = pages.page
    _open_report_from_queue(pages)
    assert "O1.1-a 党员社区志愿服务活动次数" in page.locator("#report-indicators").inner_text()
    page.locator("tr[data-item='indicator:O1.1-a'] input").fill("12次与志愿服务台账(10次)不符，请核实")
    pages.shot("07-review-return")
    page.click("#return-form button:has-text('退回')")
    page.wait_for_load_state("load")
    assert page.locator("#report-status").inner_text() == "已退回"


def _correct_and_resubmit(pages: Pages) -> None:
    page = pages.page
    page.click("header nav >> text=通知")
    assert "被退回" in page.locator("ul.notifications").inner_text()
    page.click("header nav >> text=本月填报")
    page.select_option("select[name=month]", "2021-07")
    page.click("form.filters button")
    page.wait_for_url(re.compile(r".*/months/2021-07/$"))
    reasons = page.locator("#return-reasons")
    assert "12次与志愿服务台账(10次)不符" in reasons.inner_text()
    assert "O1.1-a" in reasons.inner_text()
    pages.shot("08-returned-month")
    page.locator(_row("O1.1-a") + " input.num").fill("10")
    page.click("#indicator-form button[type=submit]")
    page.wait_for_load_state("load")
    assert page.locator(_row("O1.1-a") + " input.num").input_value() == "10"
    _submit(pages, "重新提交", "已重新提交")


def _first_review_sees_the_change(pages: Pages) -> None:
    page = pages.page
    _open_report_from_queue(pages)
    changes = page.locator("#changes")
    assert "O1.1-a" in changes.inner_text()
    row = changes.locator("tr:has-text('O1.1-a')")
    assert row.locator("td.old").inner_text() == "12"
    assert row.locator("td.new").inner_text() == "10"
    pages.shot("09-changes-since-review")
    page.click("#review-form button:has-text('初审通过')")
    page.wait_for_load_state("load")
    assert page.locator("#report-status").inner_text() == "旗(区)已初审"


def _league_approves(pages: Pages) -> None:
    page = pages.page
    _open_report_from_queue(pages)
    page.click("#review-form button:has-text('审核通过')")
    page.wait_for_load_state("load")
    assert page.locator("#report-status").inner_text() == "已审核通过"
    assert "只读" in page.locator("p.lock").inner_text()
    assert MonthlyReport.objects.get().status == MonthlyReport.Status.APPROVED


def _league_publishes_the_bulletin(pages: Pages) -> None:
    page = pages.page
    page.click("header nav >> text=月度通报")
    page.select_option("#id_month", "2021-07-01")
    page.click("#bulletin-build-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/bulletins/\d+/$"))
    assert page.locator("#bulletin-status").inner_text() == "草稿"
    assert "阿拉善左旗人民医院" in page.locator("#section-reports").inner_text()
    asked: list[str] = []

    def confirm(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.once("dialog", confirm)
    page.click("#bulletin-actions button:has-text('发布')")
    page.wait_for_load_state("load")
    assert "确定发布" in asked[0]
    assert page.locator("#bulletin-status").inner_text() == "已发布"
    pages.shot("10-bulletin-published")
    with page.expect_download() as info:
        page.click("#bulletin-excel")
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    content = Path(download.path()).read_bytes()
    assert content[:2] == b"PK"  # an xlsx is a zip
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    assert len(workbook.sheetnames) >= 2
    assert Bulletin.objects.get().status == Bulletin.Status.PUBLISHED


def test_a_month_of_work(alxa: Alxa, pages: Pages, set_clock: SetClock) -> None:
    set_clock("2021-08-03 10:00")  # July is over, its report is due on 08-05
    pages.login("h004")
    assert pages.page.locator("h1").inner_text().endswith("仪表盘")
    _log_lecture(pages, alxa)
    _refused_party_history_elsewhere(pages)
    _fill_indicators(pages, alxa)
    _submit(pages, "提交报告", "已提交")
    pages.shot("06-submitted")
    pages.logout()

    pages.login("zuoqi")
    _return_with_reason(pages)
    pages.logout()

    pages.login("h004")
    _correct_and_resubmit(pages)
    pages.logout()

    pages.login("zuoqi")
    _first_review_sees_the_change(pages)
    pages.logout()

    pages.login("league")
    _league_approves(pages)
    _league_publishes_the_bulletin(pages)
    pages.goto("/")
    pages.shot("11-dashboard-after-the-month")
    assert pages.outside_requests == []
    assert pages.console_errors == []
