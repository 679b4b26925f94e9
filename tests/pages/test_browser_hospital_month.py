"""The hospital clerk's whole month in a real browser (Debian's Chromium through Playwright), at desktop
and phone width, with no URL typed but the login page's: lectures logged, one edited, one deleted, the
month's Excel template downloaded, filled with openpyxl, uploaded, previewed, confirmed, and the report
submitted. Screenshots of each step are kept in test-artifacts/."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from campaign.models import (
    ActionItem,
    Indicator,
    LaunchRecord,
    LecturePlanItem,
    LectureSession,
    ProgressEntry,
    RoadmapMilestone,
)
from hospitals.models import ChangeRecord
from reporting.indicators.models import IndicatorImport, IndicatorValue
from reporting.indicators.selectors import applicable_indicators
from reporting.indicators.template import DATA_SHEET
from reporting.reports.models import MonthlyReport
from tests.conftest import Alxa
from tests.pages.conftest import Pages
from tests.reporting.conftest import SetClock
from tests.reporting.indicators.test_template import rows_by_code
from tests.samples import PDF, PPTX

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(params=list(VIEWPORTS))
def clerk(request: Any, browser: Any, live_server: Any) -> Iterator[tuple[Pages, str]]:
    pages = Pages(browser, live_server.url, viewport=VIEWPORTS[request.param])
    yield pages, request.param
    pages.close()


def _nav(pages: Pages, label: str) -> None:
    pages.page.click(f"header nav >> text={label}")
    pages.page.wait_for_load_state("load")


def _launch_and_plan(pages: Pages, shot: Any, tmp_path: Path, set_clock: SetClock) -> None:
    """The launch meeting (06-25) and the lecture plan with one document's courseware (06-30), from the
    hospital's tabs, each entered on its day (milestones ask when a record was entered); the overview
    then links the launch milestone to its record."""
    page = pages.page
    set_clock("2021-06-24 16:00")
    minutes, courseware = tmp_path / "启动会纪要.pdf", tmp_path / "课件一.pptx"
    minutes.write_bytes(PDF)
    courseware.write_bytes(PPTX)
    page.click("nav.tabs >> text=启动会")
    assert "尚无启动记录" in page.locator("#launch-missing").inner_text()
    page.fill("#id_launched_on", "2021-06-24")
    page.fill("#id_meeting", "讲医改、见行动、出成效活动动员部署会")
    page.set_input_files("#id_attachment", str(minutes))
    page.click("#launch-form button[type=submit]")
    page.wait_for_load_state("load")
    assert "已保存启动记录" in page.locator(".messages").inner_text()
    assert "已按时启动" in page.locator("#launch-milestone").inner_text()
    shot("01b-launch")
    set_clock("2021-06-29 16:00")
    page.click("nav.tabs >> text=宣讲计划")
    page.fill("#id_fixed_on", "2021-06-29")
    page.click("#plan-form button[type=submit]")
    page.wait_for_load_state("load")
    page.locator("#plan-document-1").locator("text=填写").click()
    page.wait_for_url(re.compile(r".*/lecture-plan/documents/\d+/$"))
    page.click("#plan-item-form button[type=submit]")  # no title: refused on the field
    assert "该字段是必填项。" in page.locator("#field-title").inner_text()
    page.fill("#id_title", "推动公立医院高质量发展：本院的路径")
    page.set_input_files("#id_courseware", str(courseware))
    page.click("#plan-item-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/lecture-plan/$"))
    row = page.locator("#plan-document-1")
    assert "推动公立医院高质量发展：本院的路径" in row.inner_text()
    assert row.locator("text=下载课件").count() == 1
    shot("01c-lecture-plan")
    page.click("nav.tabs >> text=概况与时间节点")
    assert page.locator("#milestones a", has_text="启动：讲医改、见行动、出成效活动动员部署会").count() == 1
    record = LaunchRecord.objects.get()
    assert (str(record.launched_on), record.attachment.read()) == ("2021-06-24", PDF)
    item = LecturePlanItem.objects.get()
    assert (item.document.number, item.courseware.read()) == (1, PPTX)


def _log_lecture(pages: Pages, title: str, held_on: str, present: str, official: str = "") -> int:
    page = pages.page
    page.click("nav.tabs >> text=讲·宣讲")
    page.click("text=登记宣讲")
    page.select_option("#id_kind", label="院内宣讲")
    page.fill("#id_held_on", held_on)
    page.fill("#id_title", title)
    page.select_option("#id_speaker", label="郭玉梅")
    page.locator("#field-coverage input[type=checkbox]").first.check()
    page.fill("#id_attendance_expected", "400")
    page.fill("#id_attendance_present", present)
    page.fill("#id_on_duty_exempt", "20")
    if official:  # the banner commission's head attended (通知四(一)): offered among the commissions' people
        page.locator("#field-supervising_officials label", has_text=official).locator("input").check()
    page.click("#lecture-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/lectures/\d+/$"))
    assert "已登记宣讲" in page.locator(".messages").inner_text()
    assert page.locator("#lecture-officials").inner_text().startswith(official or "—")
    return int(page.url.rstrip("/").rsplit("/", 1)[1])


def _edit_lecture(pages: Pages, shot: Any, lecture_id: int) -> None:
    page = pages.page
    page.click("nav.tabs >> text=讲·宣讲")
    row = page.locator("#lecture-list tr", has_text="推动公立医院高质量发展")
    assert row.locator("td.officials").inner_text() == "杜国庆"  # the ledger names who attended
    row.locator("text=修改").click()
    page.wait_for_url(re.compile(r".*/lectures/\d+/edit/$"))
    assert page.locator("h1").inner_text() == "修改宣讲"
    assert page.input_value("#id_title") == "推动公立医院高质量发展"
    page.fill("#id_title", "推动公立医院高质量发展（院内专题）")
    page.fill("#id_attendance_present", "375")
    page.click("#lecture-form button[type=submit]")
    page.wait_for_url(re.compile(rf".*/lectures/{lecture_id}/$"))
    assert "已保存宣讲" in page.locator(".messages").inner_text()
    history = page.locator("#history").inner_text()
    assert "修改宣讲" in history
    assert "实到人数：380 → 375" in history
    shot("04-lecture-edited-history")
    lecture = LectureSession.objects.get(pk=lecture_id)
    assert (lecture.title, lecture.attendance_present) == ("推动公立医院高质量发展（院内专题）", 375)


def _delete_lecture(pages: Pages, shot: Any) -> None:
    page = pages.page
    page.click("nav.tabs >> text=讲·宣讲")
    page.locator("#lecture-list a", has_text="重复登记的宣讲").click()
    page.wait_for_url(re.compile(r".*/lectures/\d+/$"))
    page.fill("#lecture-delete-form input[name=reason]", "重复登记")
    page.once("dialog", lambda dialog: dialog.accept())  # 确定删除宣讲…？
    page.click("#lecture-delete-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/lectures/$"))
    assert "已删除宣讲：重复登记的宣讲" in page.locator(".messages").inner_text()
    assert "重复登记的宣讲" not in page.locator("#lecture-list").inner_text()
    deleted = page.locator("#lectures-deleted").inner_text()
    assert "重复登记的宣讲" in deleted
    assert "重复登记" in deleted
    shot("05-lecture-deleted")
    kept = list(LectureSession.objects.values_list("title", flat=True))
    assert kept == ["推动公立医院高质量发展（院内专题）"]
    assert ChangeRecord.objects.get(action="delete").reason == "重复登记"


def _action_items(pages: Pages, shot: Any) -> None:
    """An item added, its roadmap step and July's progress added and corrected, the item edited, and a
    second item deleted after its confirmation, all from the 见·行动 tab's links and buttons."""
    page = pages.page
    for title in ("处方点评全覆盖", "重复的行动项"):
        page.click("nav.tabs >> text=见·行动")
        page.select_option("#id_task", label="A3.2 规范合理诊疗行为上有行动")
        page.fill("#id_title", title)
        page.select_option("#id_responsible", label="马斯琴")
        page.fill("#id_starts_on", "2021-07-01")
        page.fill("#id_due_on", "2021-10-31")
        page.fill("#id_roadmap", "2021-10-31 全院推开处方点评")
        page.click("#action-item-form button[type=submit]")
        page.wait_for_url(re.compile(r".*/actions/\d+/$"))
        assert f"已添加行动项：{title}" in page.locator(".messages").inner_text()
    # The second item is deleted: its page's delete form asks first.
    page.fill("#action-item-delete-form input[name=reason]", "重复添加")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#action-item-delete-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/hospitals/\d+/actions/$"))
    assert "已删除行动项：重复的行动项" in page.locator(".messages").inner_text()
    page.locator("#action-plan a", has_text="处方点评全覆盖").click()
    page.wait_for_url(re.compile(r".*/actions/\d+/$"))
    page.fill("#id_roadmap-title", "制定点评细则")
    page.fill("#id_roadmap-due_on", "2021-07-20")
    page.click("#roadmap-form button[type=submit]")
    page.wait_for_load_state("load")
    page.locator("#roadmap-steps li", has_text="制定点评细则").locator("text=修改").click()
    page.wait_for_url(re.compile(r".*/roadmap/\d+/edit/$"))
    page.fill("#id_due_on", "2021-12-01")  # outside the item's dates: refused on the form
    page.click("#roadmap-edit-form button[type=submit]")
    assert "路线图节点日期须在行动项的开始日期" in page.locator("#field-due_on .errorlist").inner_text()
    page.fill("#id_due_on", "2021-07-25")
    page.fill("#id_done_on", "2021-07-24")
    page.click("#roadmap-edit-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/actions/\d+/$"))
    page.fill("#id_progress-month", "2021-07")
    page.select_option("#id_progress-status", label="按计划推进")
    page.fill("#id_progress-note", "细则已印发")
    page.click("#progress-form button[type=submit]")
    page.wait_for_load_state("load")
    page.locator("#progress-entries tr", has_text="2021-07").locator("text=修改").click()
    page.wait_for_url(re.compile(r".*/progress/\d+/edit/$"))
    page.select_option("#id_status", label="存在风险")
    page.fill("#id_note", "外科点评人员不足")
    page.click("#progress-edit-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/actions/\d+/$"))
    page.click("#action-item-edit")
    page.wait_for_url(re.compile(r".*/actions/\d+/edit/$"))
    page.select_option("#id_responsible", label="郭玉梅")
    page.click("#action-item-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/actions/\d+/$"))
    assert "已保存行动项：处方点评全覆盖" in page.locator(".messages").inner_text()
    history = page.locator("#history").inner_text()
    assert "责任人：马斯琴 → 郭玉梅" in history
    assert "状态：按计划推进 → 存在风险" in history
    shot("05b-action-item")
    item = ActionItem.objects.get()
    assert (item.title, item.responsible.name, item.current_status) == ("处方点评全覆盖", "郭玉梅", "at_risk")
    step = RoadmapMilestone.objects.get(title="制定点评细则")
    assert (str(step.due_on), str(step.done_on)) == ("2021-07-25", "2021-07-24")
    assert ProgressEntry.objects.get().note == "外科点评人员不足"


def _fill_template(content: bytes, alxa: Alxa) -> tuple[bytes, int]:
    """Every applicable indicator of H004's July, as raw figures in the plausible range for its level."""
    wb = openpyxl.load_workbook(io.BytesIO(content))
    ws = wb[DATA_SHEET]
    rows = rows_by_code(ws)
    indicators = applicable_indicators(Indicator.objects.filter(campaign=alxa.campaign), hospital=alxa.h004)
    for indicator in indicators:
        first = rows[indicator.code][0]
        if indicator.value_type == Indicator.ValueType.RATIO:
            low, high = (indicator.plausible_range or {}).get(alxa.h004.level, [0.2, 0.4])
            ws[f"D{first}"] = round((low + high) / 2 * 200)
            ws[f"E{first}"] = 200
        elif indicator.value_type == Indicator.ValueType.COUNT:
            ws[f"D{first}"] = 12 if indicator.code == "O1.1-a" else 5
        else:
            for r in rows[indicator.code]:
                ws[f"F{r}"] = "是"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), len(indicators)


def _excel_round_trip(pages: Pages, shot: Any, alxa: Alxa, tmp_path: Path) -> None:
    page = pages.page
    page.click("nav.tabs >> text=出·月报")
    page.select_option("select[name=month]", "2021-07")
    page.click("form.filters button")
    page.wait_for_url(re.compile(r".*/months/2021-07/$"))
    page.click("#excel-import")
    page.wait_for_url(re.compile(r".*/months/2021-07/import/$"))
    shot("06-excel-import-page")
    with page.expect_download() as info:
        page.click("#template-download-link")
    download = info.value
    assert download.suggested_filename == "indicators-H004-2021-07.xlsx"
    filled, count = _fill_template(Path(download.path()).read_bytes(), alxa)
    path = tmp_path / "7月指标.xlsx"
    path.write_bytes(filled)
    page.set_input_files("#id_file", str(path))
    page.click("#template-upload-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/indicator-imports/\d+/$"))
    assert page.locator("#import-status").inner_text() == "待确认"
    assert page.locator("#import-errors").count() == 0
    changes = page.locator("#import-changes")
    batch = IndicatorImport.objects.get()
    assert changes.locator("h2").inner_text() == f"变更（{len(batch.changes)}）"
    assert changes.locator("tbody tr").count() == len(batch.changes)
    row = changes.locator("tr", has_text="O1.1-a")
    assert row.locator("td.old").inner_text() == "空"
    assert row.locator("td.new").inner_text() == "12"
    assert not IndicatorValue.objects.exists()  # the preview writes nothing
    shot("07-excel-preview")
    page.click("#import-confirm-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/months/2021-07/$"))
    assert f"已导入{count}项指标" in page.locator(".messages").inner_text()
    assert IndicatorValue.objects.filter(hospital=alxa.h004, month__year=2021).count() == count
    assert IndicatorImport.objects.get().status == IndicatorImport.Status.CONFIRMED
    assert page.locator("#indicator-O1\\.1-a input.num").input_value() == "12"


def _baseline_round_trip(pages: Pages, shot: Any, alxa: Alxa, tmp_path: Path) -> None:
    """Last year's baseline as one 12-month workbook, from the month page's link: downloaded, two months
    filled, uploaded, previewed (each change with its month and sheet cell), confirmed; then back to July."""
    page = pages.page
    page.click("#baseline-import")
    page.wait_for_url(re.compile(r".*/baseline/$"))
    with page.expect_download() as info:
        page.click("#baseline-download-link")
    download = info.value
    assert download.suggested_filename == "baseline-H004-2020.xlsx"
    wb = openpyxl.load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    assert wb.sheetnames[:12] == [f"{m}月" for m in range(1, 13)]
    for sheet, value in (("2月", 6), ("11月", 8)):
        ws = wb[sheet]
        ws[f"D{rows_by_code(ws)['O1.1-a'][0]}"] = value
    path = tmp_path / "2020年基线.xlsx"
    wb.save(path)
    page.set_input_files("#id_file", str(path))
    page.click("#baseline-upload-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/indicator-imports/\d+/$"))
    assert page.locator("h1").inner_text() == "导入预览 · 2020年基线（12个月）"
    rows = page.locator("#import-changes tbody tr")
    assert rows.count() == 2
    assert rows.nth(0).locator("td").nth(0).inner_text() == "2020-02"
    assert rows.nth(0).locator("td").nth(1).inner_text().startswith("2月!D")
    assert rows.nth(1).locator("td.new").inner_text() == "8"
    shot("07b-baseline-preview")
    page.click("#import-confirm-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/baseline/$"))
    assert "已导入2个月共2项基线指标值" in page.locator(".messages").inner_text()
    shot("07c-baseline")
    stored = sorted(IndicatorValue.objects.filter(month__year=2020).values_list("month__month", "count"))
    assert stored == [(2, 6), (11, 8)]
    page.click("text=← 月度自查")
    page.wait_for_url(re.compile(r".*/months/2021-07/$"))


def _submit(pages: Pages, shot: Any, alxa: Alxa) -> None:
    page = pages.page
    page.fill("#id_report-problems", "院外互讲尚未开展。")
    page.fill("#id_report-corrections", "8月中旬与左旗蒙医医院互讲。")
    page.click("#report-form button:has-text('提交报告')")
    page.wait_for_load_state("load")
    assert page.locator("#report-status").inner_text() == "已提交"
    shot("08-report-submitted")
    report = MonthlyReport.objects.get()
    assert (report.hospital_id, report.status) == (alxa.h004.pk, MonthlyReport.Status.SUBMITTED)


def test_the_clerks_month(
    alxa: Alxa, clerk: tuple[Pages, str], set_clock: SetClock, tmp_path: Path, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    set_clock("2021-08-03 10:00")  # July is over, its report is due on 08-05
    pages, width = clerk

    def shot(name: str) -> None:
        pages.shot(f"hospital-{width}-{name}")

    pages.login("h004")
    assert pages.page.locator("h1").inner_text().endswith("仪表盘")
    _nav(pages, "本院")
    assert pages.page.locator("h1").inner_text() == "阿拉善左旗人民医院"
    shot("01-hospital")
    _launch_and_plan(pages, shot, tmp_path, set_clock)
    set_clock("2021-08-03 10:00")
    kept = _log_lecture(pages, "推动公立医院高质量发展", "2021-07-10", "380", official="杜国庆")
    _log_lecture(pages, "重复登记的宣讲", "2021-07-12", "300")
    shot("02-lecture-logged")
    _edit_lecture(pages, shot, kept)
    _delete_lecture(pages, shot)
    _action_items(pages, shot)
    _excel_round_trip(pages, shot, alxa, tmp_path)
    _baseline_round_trip(pages, shot, alxa, tmp_path)
    _submit(pages, shot, alxa)
    assert pages.outside_requests == []
    assert pages.console_errors == []
