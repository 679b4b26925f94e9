"""In a real browser: a new account's first login goes to the password change page, the new password is
set there, and the dashboard opens; 修改密码 in the header leads back to the page (issue 14 item 3)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from hospitals.accounts import account_create
from hospitals.models import Role, User
from tests.conftest import Alxa
from tests.pages.conftest import Pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NEW = "Gobi-camel-7319"


def test_a_one_time_password_is_changed_at_first_login(alxa: Alxa, browser: Any, live_server: Any) -> None:
    _, password = account_create(username="h006", role=Role.HOSPITAL_REPORTER, hospital=alxa.h006)
    desktop = Pages(browser, live_server.url, viewport={"width": 1366, "height": 900})
    try:
        desktop.login("h006", password)
        page = desktop.page
        assert page.url == desktop.base_url + "/accounts/password_change/"
        assert page.locator("h1").inner_text() == "修改密码"
        assert "一次性初始密码" in page.locator("main").inner_text()
        assert page.locator("header nav a").count() == 0  # nothing else opens before the change
        desktop.shot("password-change-desktop")
        page.fill("#id_old_password", password)
        page.fill("#id_new_password1", NEW)
        page.fill("#id_new_password2", NEW)
        page.click("main form button[type=submit]")
        page.wait_for_url(re.compile(r".*/accounts/password_change/done/$"))
        assert page.locator("h1").inner_text() == "密码已修改"
        page.click("text=返回仪表盘")
        page.wait_for_url(desktop.base_url + "/")
        assert page.locator("h1").inner_text().endswith("仪表盘")
        assert page.locator("header nav a").count() >= 5
        page.click("header .account a:has-text('修改密码')")
        page.wait_for_url(re.compile(r".*/accounts/password_change/$"))
        assert "一次性初始密码" not in page.locator("main").inner_text()
        assert desktop.outside_requests == []
        assert desktop.console_errors == []
    finally:
        desktop.close()
    assert not User.objects.get(username="h006").must_change_password
