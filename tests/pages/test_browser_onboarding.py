"""In a real browser (issue 16 item 1, "done when"): a league admin onboards a hospital from the
workbook — the dry run shows an error at its cell, the fixed workbook is confirmed — and the new
reporter logs in with the one-time password shown once, is made to change it, and records a lecture."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from campaign.models import LectureSession
from exports.writer import XLSX_MIME
from hospitals.models import ChangeRecord, Hospital, OnboardingImport, Role, User
from tests.conftest import Alxa
from tests.factories import PASSWORD, UserFactory
from tests.hospitals.test_onboarding import NEW_ROWS, fill
from tests.pages.conftest import Pages
from tests.reporting.conftest import SetClock

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
OWN_PASSWORD = "Gobi-camel-7319"


def _upload(pages: Pages, data: bytes) -> None:
    page = pages.page
    page.set_input_files(
        "#id_file", files=[{"name": "入驻工作簿.xlsx", "mimeType": XLSX_MIME, "buffer": data}]
    )
    page.click("#onboarding-upload-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/hospitals/onboarding/imports/\d+/$"))


def test_a_league_admin_onboards_a_hospital_whose_reporter_then_records_a_lecture(
    alxa: Alxa, browser: Any, live_server: Any, set_clock: SetClock
) -> None:
    UserFactory.create(username="alxa-admin", role=Role.ADMIN, hospital=None, org_unit=alxa.league)
    pages = Pages(browser, live_server.url, viewport={"width": 1366, "height": 900})
    page = pages.page
    try:
        pages.login("alxa-admin", PASSWORD)
        page.click("header nav >> text=入驻导入")
        page.wait_for_url(re.compile(rf".*/hospitals/onboarding/{alxa.league.pk}/$"))
        assert page.locator("h1").inner_text() == "入驻导入 · 阿拉善盟"
        pages.shot("onboarding-01-league-page")
        with page.expect_download() as download:
            page.click("#onboarding-empty-link")
        book = Path(download.value.path()).read_bytes()

        # A first upload with a banner code that does not exist: the dry run names the cell.
        wrong = {
            **NEW_ROWS,
            "医院": [["H011", "阿拉善左旗第二人民医院", "159999", "二级", "综合", "否", 180]],
        }
        _upload(pages, fill(book, wrong))
        assert page.locator("#import-status").inner_text() == "有错误"
        errors = page.locator("#import-errors").inner_text()
        assert "医院" in errors
        assert "C2" in errors
        assert "所属旗(区)编码“159999”不存在" in errors
        assert page.locator("#import-confirm-form").count() == 0
        pages.shot("onboarding-02-dry-run-with-error")
        assert not Hospital.objects.filter(code="H011").exists()

        # Fixed and uploaded again: every change old → new, then the confirm.
        page.click("text=← 入驻导入 · 阿拉善盟")
        _upload(pages, fill(book, NEW_ROWS))
        assert page.locator("#import-status").inner_text() == "待确认"
        hospitals = page.locator("table.onboarding-sheet-changes[data-sheet='医院']").inner_text()
        assert "H011" in hospitals
        assert "阿拉善左旗第二人民医院" in hospitals
        assert "152921" in hospitals
        pages.shot("onboarding-03-dry-run")
        page.click("#import-confirm-form button[type=submit]")
        page.wait_for_load_state("load")
        assert page.locator("h1").inner_text() == "已导入 · 阿拉善盟"
        assert page.locator("#onboarding-passwords").inner_text().count("h011") == 1
        password = page.locator(".one-time-password").inner_text().strip()
        assert len(password) == 12
        pages.shot("onboarding-04-confirmed-with-passwords")
        batch = OnboardingImport.objects.get(status=OnboardingImport.Status.CONFIRMED)
        assert ChangeRecord.objects.filter(channel="excel", reason__contains=f"#{batch.pk}").count() == len(
            batch.changes
        )
        # Opening the confirmed import again shows no password.
        page.goto(f"/hospitals/onboarding/imports/{batch.pk}/")
        assert password not in page.content()
        pages.logout()

        # The new reporter: the one-time password opens only the password change.
        pages.login("h011", password)
        assert page.url == pages.base_url + "/accounts/password_change/"
        assert "一次性初始密码" in page.locator("main").inner_text()
        page.fill("#id_old_password", password)
        page.fill("#id_new_password1", OWN_PASSWORD)
        page.fill("#id_new_password2", OWN_PASSWORD)
        page.click("main form button[type=submit]")
        page.wait_for_url(re.compile(r".*/accounts/password_change/done/$"))
        assert not User.objects.get(username="h011").must_change_password

        page.goto("/")
        page.click("header nav >> text=本院")
        assert page.locator("h1").inner_text() == "阿拉善左旗第二人民医院"
        page.click("nav.tabs >> text=讲·宣讲")
        page.click("text=登记宣讲")
        page.select_option("#id_kind", label="院内宣讲")
        page.fill("#id_held_on", "2021-07-10")
        page.fill("#id_title", "新入驻医院的第一次宣讲")
        page.select_option("#id_speaker", label="巴特尔")
        page.locator("#field-coverage input[type=checkbox]").first.check()
        page.fill("#id_attendance_expected", "170")
        page.fill("#id_attendance_present", "160")
        page.fill("#id_on_duty_exempt", "10")
        page.click("#lecture-form button[type=submit]")
        page.wait_for_load_state("load")
        pages.shot("onboarding-05-new-reporters-lecture")
        assert re.match(r".*/lectures/\d+/$", page.url), page.locator("main").inner_text()
        assert "已登记宣讲" in page.locator(".messages").inner_text()
        lecture = LectureSession.objects.get()
        assert lecture.hospital == Hospital.objects.get(code="H011")
        assert (lecture.speaker.code, lecture.speaker_role) == ("H011-P01", "secretary")
        assert pages.outside_requests == []
        assert pages.console_errors == []
    finally:
        pages.close()
