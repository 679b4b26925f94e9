"""In a real browser: login, the dashboard as the first page, its charts drawn from our static files, and
the layout on a phone."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Alxa
from tests.pages.conftest import Pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("username", "role_label", "scope_label"),
    [
        ("h004", "医院填报员", "阿拉善左旗人民医院"),
        ("zuoqi", "旗(区)审核员", "阿拉善左旗"),
        ("league", "盟审核员", "阿拉善盟"),
    ],
)
def test_login_lands_on_the_dashboard(
    alxa: Alxa, pages: Pages, username: str, role_label: str, scope_label: str
) -> None:
    pages.goto("/")
    assert "/accounts/login/" in pages.page.url  # anonymous visitors are sent to log in
    pages.login(username)
    page = pages.page
    assert page.url == pages.base_url + "/"
    assert page.locator("h1").inner_text().endswith("仪表盘")
    who = page.locator("header .who").inner_text()
    assert role_label in who
    assert scope_label in who
    assert page.locator("header nav a.active").inner_text() == "仪表盘"
    # Chart.js came from /static/ and drew every chart the page carries.
    canvases = page.locator("canvas[data-chart]")
    assert canvases.count() >= 1
    for i in range(canvases.count()):
        assert canvases.nth(i).get_attribute("data-drawn") not in (None, "0")
    pages.shot(f"dashboard-{username}")
    assert pages.outside_requests == []
    assert pages.console_errors == []


def test_wrong_password_is_refused_on_the_form(alxa: Alxa, pages: Pages) -> None:
    pages.login("h004", "not-the-password")
    assert "/accounts/login/" in pages.page.url
    assert "用户名或密码不正确" in pages.page.locator("form .error").inner_text()


def test_logout_returns_to_login(alxa: Alxa, pages: Pages) -> None:
    pages.login("zuoqi")
    pages.logout()
    pages.goto("/")
    assert "/accounts/login/" in pages.page.url


def test_dashboard_fits_a_phone(alxa: Alxa, browser: Any, live_server: Any) -> None:
    phone = Pages(browser, live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        phone.login("league")
        overflow = phone.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"page is {overflow}px wider than a phone screen"
        phone.shot("dashboard-phone")
        assert phone.outside_requests == []
    finally:
        phone.close()
