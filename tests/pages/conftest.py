"""Browser fixtures: Playwright's sync API driving Debian's Chromium (``apt-get install chromium``).

No browser is ever downloaded (the machines have no internet): Playwright's wheel carries its driver and
we point it at ``/usr/bin/chromium``. Each module gets a fresh browser (Playwright gives it a fresh
temporary profile) and each test a fresh context, so no cookie leaks from one user to the next.

Playwright's sync API keeps an asyncio loop running in the test thread while it is started, and Django
refuses ORM calls from a thread with a running loop. The browser tests call the ORM from that thread only
to arrange data and check results, never concurrently with a request, so ``DJANGO_ALLOW_ASYNC_UNSAFE`` is
set for exactly as long as Playwright runs, and restored afterwards.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from tests.reporting.conftest import set_clock  # noqa: F401  (the reporting clock, for the report pages)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Screenshots of the main pages, kept by CI as test artifacts (the folder is gitignored).
ARTIFACTS = settings.BASE_DIR / "test-artifacts"
# Long enough for a cold first page on a 2-core CI machine, short enough to fail fast on a wrong selector.
TIMEOUT_MS = 15_000
DEMO_PASSWORD = "jjx-demo-2021"  # seeds/alxa-demo.yaml


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is not installed: run `apt-get install chromium` (.ci/run does it).")
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class Pages:
    """A browser context on the live server, with the steps every flow repeats."""

    def __init__(self, browser: Any, base_url: str, **context_args: Any) -> None:
        self.base_url = base_url
        self.context = browser.new_context(
            base_url=base_url, locale="zh-CN", accept_downloads=True, **context_args
        )
        self.context.set_default_timeout(TIMEOUT_MS)
        self.outside_requests: list[str] = []
        self.console_errors: list[str] = []
        # Every asset must come from the project itself (no CDN): record anything that leaves it.
        self.context.route(re.compile(r"^(?!" + re.escape(base_url) + ").*"), self._refuse_outside)
        self.page = self.context.new_page()
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda e: self.console_errors.append(str(e)))

    def _on_console(self, message: Any) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def _refuse_outside(self, route: Any) -> None:
        url = route.request.url
        if not url.startswith(("data:", "blob:")):
            self.outside_requests.append(url)
        route.abort()

    def goto(self, path: str) -> Any:
        return self.page.goto(path)

    def login(self, username: str, password: str = DEMO_PASSWORD) -> None:
        self.page.goto("/accounts/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        self.page.click("form.card button[type=submit]")
        self.page.wait_for_load_state("load")

    def logout(self) -> None:
        self.page.click("header .account button")
        self.page.wait_for_url(re.compile(r".*/accounts/login/.*"))

    def shot(self, name: str, *, full_page: bool = True) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def pages(browser: Any, live_server: Any) -> Iterator[Pages]:
    p = Pages(browser, live_server.url)
    yield p
    p.close()
