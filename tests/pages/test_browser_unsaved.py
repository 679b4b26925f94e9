"""In a real browser: on the month page, what was typed in the report's narrative and not saved is not
lost without a question when 保存指标 is clicked (issue 14, smaller things). Cancelling keeps the page
and the text; accepting sends the indicators as before."""

from __future__ import annotations

import re
from typing import Any

import pytest

from reporting.indicators.models import IndicatorValue
from tests.conftest import Alxa
from tests.pages.conftest import Pages
from tests.reporting.conftest import SetClock

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_saving_the_indicators_asks_before_losing_the_typed_narrative(
    alxa: Alxa, pages: Pages, set_clock: SetClock
) -> None:
    set_clock("2021-08-03 10:00")
    pages.login("h004")
    page = pages.page
    page.click("header nav >> text=本月填报")
    page.wait_for_url(re.compile(r".*/months/\d{4}-\d{2}/$"))
    first = page.locator("#indicator-form .inputs input").first
    first.fill("7")
    page.fill("#id_report-problems", "院外互讲尚未开展。")
    questions: list[str] = []

    def dismiss(dialog: Any) -> None:
        questions.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.click("#indicator-form button[type=submit]")
    page.wait_for_timeout(300)
    assert questions == ["「自查报告」中有尚未保存的修改，提交本表后将丢失。仍要提交吗？"]
    assert page.input_value("#id_report-problems") == "院外互讲尚未开展。"  # still there, nothing sent
    assert not IndicatorValue.objects.filter(hospital=alxa.h004, month__year=2021).exists()
    pages.shot("unsaved-narrative-question")

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#indicator-form button[type=submit]")
    page.wait_for_load_state("load")
    assert IndicatorValue.objects.filter(hospital=alxa.h004, month__year=2021).exists()
    # A page with only the indicators edited sends without a question.
    page.locator("#indicator-form .inputs input").first.fill("8")
    page.click("#indicator-form button[type=submit]")
    page.wait_for_load_state("load")
    assert pages.console_errors == []
