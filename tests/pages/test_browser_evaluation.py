"""The December evaluation in Chromium, no URL typed but the login page's: the league reviewer builds
the draft, downloads the 绩效考核 template, uploads it with a bad cell (the dry run names it), uploads it
fixed, confirms, re-evaluates, publishes (accepting the confirmation) and downloads the Word 公文; then
the hospital finds its published row. Screenshots in test-artifacts/."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest

from reporting.evaluation.assessment import DATA_SHEET, FIRST_ROW
from reporting.evaluation.models import AssessmentResult, Evaluation
from tests.conftest import Alxa
from tests.pages.conftest import Pages
from tests.reporting.conftest import SetClock

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fill(template: Path, target: Path, national: Any, regional: Any) -> int:
    """Type H004's scores into the downloaded template; answers H004's row."""
    wb = openpyxl.load_workbook(io.BytesIO(template.read_bytes()))
    sheet = wb[DATA_SHEET]
    row = next(r for r in range(FIRST_ROW, sheet.max_row + 1) if sheet.cell(row=r, column=1).value == "H004")
    sheet[f"D{row}"], sheet[f"E{row}"] = national, regional
    wb.save(target)
    return row


def test_league_evaluates_imports_publishes_and_the_hospital_reads_its_row(
    alxa: Alxa, browser: Any, live_server: Any, set_clock: SetClock, tmp_path: Path
) -> None:
    set_clock("2021-12-20 10:00")
    pages = Pages(browser, live_server.url, viewport={"width": 1280, "height": 900})
    page = pages.page
    try:
        pages.login("league")
        page.click("header nav >> text=年终评估")
        page.click("#evaluation-form button")
        page.wait_for_load_state("load")
        assert "已完成年终评估（草稿）：10家医院" in page.locator(".messages").inner_text()
        assert page.locator("#evaluation-status").inner_text() == "草稿"
        assert "阿拉善左旗" in page.locator("#banner-evaluation").inner_text()

        # The 绩效考核 workbook: download, fill with a bad cell, upload; the dry run names the cell.
        page.click("#assessment-link")
        with page.expect_download() as info:
            page.click("#template-download-link")
        template = Path(info.value.path())
        row = _fill(template, tmp_path / "绩效考核-有误.xlsx", "九十", 91)
        page.set_input_files("#id_file", str(tmp_path / "绩效考核-有误.xlsx"))
        page.click("#template-upload-form button[type=submit]")
        page.wait_for_url(re.compile(r".*/evaluation/assessment/\d+/$"))
        assert page.locator("#import-status").inner_text() == "有错误"
        errors = page.locator("#import-errors").inner_text()
        assert f"D{row}" in errors
        assert "“九十”不是数字" in errors
        assert page.locator("#import-confirm-form").count() == 0
        pages.shot("evaluation-01-assessment-error")
        # Fixed and uploaded again: the change old → new, then confirmed.
        page.click("#upload-again")
        _fill(template, tmp_path / "绩效考核.xlsx", 88.5, 91)
        page.set_input_files("#id_file", str(tmp_path / "绩效考核.xlsx"))
        page.click("#template-upload-form button[type=submit]")
        page.wait_for_url(re.compile(r".*/evaluation/assessment/\d+/$"))
        assert page.locator("#import-status").inner_text() == "待确认"
        changes = page.locator("#import-changes").inner_text()
        assert "全国绩效考核得分" in changes
        assert "88.50" in changes
        pages.shot("evaluation-02-assessment-preview")
        page.click("#import-confirm-form button")
        page.wait_for_load_state("load")
        assert "已导入1家医院的绩效考核结果" in page.locator(".messages").inner_text()
        assert "88.50" in page.locator("#assessment-results").inner_text()
        stored = AssessmentResult.objects.get()
        assert (stored.hospital, stored.national_score, stored.regional_score) == (
            alxa.h004,
            Decimal("88.50"),
            Decimal("91.00"),
        )

        # Back to the evaluation: re-evaluate (the results now count), publish, download the 公文.
        page.click("text=← 年终评估")
        page.click("#evaluation-form button")
        page.wait_for_load_state("load")
        h004_row = page.locator("#evaluation tr:has-text('阿拉善左旗人民医院')").inner_text()
        assert "89.75" in h004_row  # (88.5 + 91) / 2
        asked: list[str] = []

        def confirm(dialog: Any) -> None:
            asked.append(dialog.message)
            dialog.accept()

        page.once("dialog", confirm)
        page.click("#evaluation-publish button")
        page.wait_for_load_state("load")
        assert "确定发布" in asked[0]
        assert page.locator("#evaluation-status").inner_text() == "已发布"
        assert page.locator("#evaluation-form").count() == 0  # published: no rebuild
        pages.shot("evaluation-03-published")
        with page.expect_download() as info:
            page.click("#evaluation-word")
        assert info.value.suggested_filename.endswith(".docx")
        document = docx.Document(io.BytesIO(Path(info.value.path()).read_bytes()))
        assert "阿卫健医改通〔2021〕13号" in [p.text for p in document.paragraphs]
        pages.logout()

        # The hospital: its own published row, its banner's, nothing of the others'.
        pages.login("h004")
        page.click("header nav >> text=年终评估")
        table = page.locator("#evaluation").inner_text()
        h004 = Evaluation.objects.get(hospital=alxa.h004)
        assert "阿拉善左旗人民医院" in table
        assert str(h004.total_score) in table
        assert "阿拉善右旗人民医院" not in table
        assert "阿拉善左旗" in page.locator("#banner-evaluation").inner_text()
        assert page.locator("#evaluation-actions").count() == 0
        pages.shot("evaluation-04-hospital")
        assert pages.outside_requests == []
        assert pages.console_errors == []
    finally:
        pages.close()
