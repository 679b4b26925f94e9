"""Every POST form that a page shows, posted as the role that sees it with empty, missing, wrong-typed and
out-of-range fields: never a server error, and a re-shown form carries a Chinese error (issue 13, item 5).

The pages and their real rows come from the page walk (`test_page_walk`); each form is read from the HTML
the role got (its action, CSRF token, fields and current values), then posted in variants. Each post runs
in a savepoint that is rolled back, so one variant that passes does not change what the next one sees.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

import pytest
from django.db import transaction
from django.test import Client

from hospitals.models import User
from tests.conftest import Alxa
from tests.pages.test_page_walk import _urls, _world
from tests.reporting.conftest import SetClock

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
# Markup that carries an error: Django's error list, the form-wide block, alerts and error messages.
ERROR_CLASSES = {"errorlist", "form-errors", "error", "has-error"}
SKIPPED_ACTIONS = ("/logout/",)
MAX_POSTS_PER_FORM = 10  # the variants are sampled (seeded) so that the run stays well under 3 minutes
NOT_FUZZED = {"csrfmiddlewaretoken"}


@dataclass
class Form:
    action: str
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # (name, kind, current value)
    buttons: list[tuple[str, str]] = field(default_factory=list)

    def key(self) -> tuple[str, tuple[str, ...]]:
        return self.action, tuple(sorted({name for name, _, _ in self.fields}))


class _Forms(HTMLParser):
    def __init__(self, url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.url = url
        self.forms: list[Form] = []
        self.current: Form | None = None
        self.select: tuple[str, list[str], str | None] | None = None
        self.textarea: list[str] | None = None
        self.textarea_name = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                self.current = Form(urljoin(self.url, a.get("action") or self.url))
            return
        form = self.current
        if form is None or ("name" not in a and tag != "option"):
            return
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in {"submit", "image", "button", "reset"}:
                form.buttons.append((a["name"], a.get("value", "")))
            elif kind in {"checkbox", "radio"}:
                if "checked" in a:
                    form.fields.append((a["name"], kind, a.get("value", "on")))
                elif not any(n == a["name"] for n, _, _ in form.fields):
                    form.fields.append((a["name"], kind, ""))
            else:
                form.fields.append((a["name"], kind, a.get("value", "")))
        elif tag == "button" and a.get("type", "submit") == "submit":
            form.buttons.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self.select = (a["name"], [], None)
        elif tag == "option" and self.select is not None:
            name, options, chosen = self.select
            options.append(a.get("value", ""))
            if "selected" in a or chosen is None:  # the browser posts the first option unless one is selected
                chosen = a.get("value", "")
            self.select = (name, options, chosen)
        elif tag == "textarea":
            self.textarea, self.textarea_name = [], a["name"]

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.textarea.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self.current is None:
            return
        if tag == "select" and self.select is not None:
            name, _options, chosen = self.select
            self.current.fields.append((name, "select", chosen or ""))
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            self.current.fields.append((self.textarea_name, "textarea", "".join(self.textarea)))
            self.textarea = None
        elif tag == "form":
            self.forms.append(self.current)
            self.current = None


class _Errors(HTMLParser):
    """The text inside error markup (nested elements included)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.stack: list[bool] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"input", "br", "img", "meta", "link", "hr", "col", "source"}:
            return
        a = {k: v or "" for k, v in attrs}
        is_error = bool(ERROR_CLASSES & set(a.get("class", "").split())) or a.get("role") == "alert"
        self.stack.append(is_error)
        self.depth += is_error

    def handle_endtag(self, tag: str) -> None:
        if self.stack and tag not in {"input", "br", "img", "meta", "link", "hr", "col", "source"}:
            self.depth -= self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.depth > 0:
            self.text.append(data)


def forms_of(url: str, page: str) -> list[Form]:
    parser = _Forms(url)
    parser.feed(page)
    return parser.forms


def succeeded(page: str) -> bool:
    """A POST answered 200 by a page that says it succeeded (a success message): not a re-shown form. The
    onboarding confirm answers so, because its page shows the new accounts' one-time passwords once."""
    return '<li class="success">' in page


def chinese_error(page: str) -> bool:
    parser = _Errors()
    parser.feed(page)
    return bool(CJK.search("".join(parser.text)))


def wrong_values(kind: str) -> list[str]:
    if kind in {"number", "hidden"}:
        return ["abc", "9" * 30, "-1", "1.5"]
    if kind == "date":
        return ["abc", "0001-01-01", "9999-12-31", "2021-02-30"]
    if kind == "month":
        return ["abc", "0001-01", "9999-12"]
    if kind in {"select", "checkbox", "radio"}:
        return ["abc", "-1", "9" * 30]
    if kind == "file":
        return []
    return ["x" * 5000, "9" * 30, "-1"]


def variants(form: Form, rng: random.Random) -> list[tuple[str, dict[str, object]]]:
    base = {name: value for name, kind, value in form.fields if kind != "file"}
    fuzzed = [(name, kind) for name, kind, _ in form.fields if name not in NOT_FUZZED]
    found: list[tuple[str, dict[str, object]]] = [
        ("all empty", {**base, **{name: "" for name, kind in fuzzed if kind != "file"}})
    ]
    others: list[tuple[str, dict[str, object]]] = []
    for name, kind in fuzzed:
        others.append((f"{name} missing", {k: v for k, v in base.items() if k != name}))
        for value in wrong_values(kind):
            others.append((f"{name}={value[:12]}", {**base, name: value}))
    rng.shuffle(others)
    return found + others[: MAX_POSTS_PER_FORM - 1]


def post(client: Client, form: Form, data: dict[str, object]) -> tuple[int, str]:
    """The status and, for an HTML answer, the page (a download's body is not read)."""
    if form.buttons:
        name, value = form.buttons[0]
        data = {**data, name: value}
    with transaction.atomic():
        response = client.post(form.action, data)
        transaction.set_rollback(True)
    content_type = response.get("Content-Type", "")
    body = response.content.decode(errors="replace") if content_type.startswith("text/html") else ""
    return response.status_code, body


def test_every_page_form_survives_bad_input(alxa: Alxa, set_clock: SetClock) -> None:
    world = _world(alxa, set_clock)
    urls = _urls(world)
    users: dict[str, User] = {
        "reporter": alxa.reporter,
        "banner": alxa.banner_reviewer,
        "league": alxa.league_reviewer,
        "admin": alxa.admin,
    }
    rng = random.Random(13)
    problems: list[str] = []
    posted_forms = 0
    posts = 0
    for role, user in users.items():
        client = Client(raise_request_exception=False, enforce_csrf_checks=True)
        client.force_login(user)
        seen: set[tuple[str, tuple[str, ...]]] = set()
        for url in urls:
            response = client.get(url)
            if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
                continue
            for form in forms_of(url, response.content.decode()):
                if form.action.endswith(SKIPPED_ACTIONS) or form.key() in seen:
                    continue
                seen.add(form.key())
                posted_forms += 1
                for label, data in variants(form, rng):
                    posts += 1
                    status, body = post(client, form, data)
                    where = f"{role} POST {form.action} ({label}, form on {url})"
                    if status >= 500:
                        problems.append(f"{where}: {status}")
                    elif status == 403 and "CSRF" in body:
                        problems.append(f"{where}: CSRF refused")
                    elif status == 200 and body and not chinese_error(body) and not succeeded(body):
                        problems.append(f"{where}: 200 without a Chinese form error")
    assert problems == [], f"{len(problems)} problems in {posts} posts:\n" + "\n".join(problems)
    assert posted_forms >= 20  # the walk found the pages' forms (month, report, lectures, unlocks…)


def test_form_reader_and_error_detector() -> None:
    page = (
        '<form method="post" action="save/"><input type="hidden" name="csrfmiddlewaretoken" value="t">'
        '<input type="number" name="n" value="3"><select name="s"><option value="a">A</option>'
        '<option value="b" selected>B</option></select><textarea name="t">说明</textarea>'
        '<input type="checkbox" name="c"><button name="action" value="go">保存</button></form>'
        '<form method="get"><input name="q"></form>'
    )
    (form,) = forms_of("/x/", page)
    assert form.action == "/x/save/"
    assert form.fields == [
        ("csrfmiddlewaretoken", "hidden", "t"),
        ("n", "number", "3"),
        ("s", "select", "b"),
        ("t", "textarea", "说明"),
        ("c", "checkbox", ""),
    ]
    assert form.buttons == [("action", "go")]
    assert chinese_error('<ul class="errorlist"><li>这个字段是必填项。</li></ul>')
    assert chinese_error('<div class="form-errors" role="alert"><ul><li>日期无效</li></ul></div>')
    assert not chinese_error('<ul class="errorlist"><li>This field is required.</li></ul>')
    assert not chinese_error("<p>保存成功</p>")
