"""Password change and reset by e-mail (issue 14 item 3): Django's own views under /accounts/, in
Chinese, reached from the menu and the login page."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from core import clock
from hospitals.models import User
from tests.conftest import Alxa

pytestmark = pytest.mark.django_db
DEMO_PASSWORD = "jjx-demo-2021"  # seeds/alxa-demo.yaml
NEW = "Gobi-camel-7319"


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_menu_and_the_login_page_link_to_the_password_pages(alxa: Alxa) -> None:
    for user in (alxa.reporter, alxa.banner_reviewer, alxa.league_reviewer, alxa.admin):
        page = _signed_in(user).get("/").content.decode()
        assert '<a class="account-link" href="/accounts/password_change/">修改密码</a>' in page
    login = Client().get(reverse("login")).content.decode()
    assert '<a href="/accounts/password_reset/">忘记密码？</a>' in login


def test_a_user_changes_the_password_on_the_page(alxa: Alxa) -> None:
    client = _signed_in(alxa.reporter)
    url = reverse("password_change")
    page = client.get(url).content.decode()
    assert "<h1>修改密码</h1>" in page
    assert "旧密码" in page
    assert "新密码确认" in page

    wrong_old = client.post(url, {"old_password": "nope", "new_password1": NEW, "new_password2": NEW})
    assert wrong_old.status_code == 200
    assert "你的旧密码不正确" in wrong_old.content.decode()
    mismatch = client.post(
        url, {"old_password": DEMO_PASSWORD, "new_password1": NEW, "new_password2": NEW + "x"}
    )
    assert "输入的两个密码不一致" in mismatch.content.decode()
    weak = client.post(
        url, {"old_password": DEMO_PASSWORD, "new_password1": "12345678", "new_password2": "12345678"}
    )
    assert "这个密码太常见了" in weak.content.decode()
    assert "密码只包含数字" in weak.content.decode()
    alxa.reporter.refresh_from_db()
    assert alxa.reporter.check_password(DEMO_PASSWORD)  # nothing refused was written

    done = client.post(url, {"old_password": DEMO_PASSWORD, "new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302
    assert done["Location"] == reverse("password_change_done")
    assert "<h1>密码已修改</h1>" in client.get(done["Location"]).content.decode()
    assert client.get("/").status_code == 200  # still signed in
    alxa.reporter.refresh_from_db()
    assert alxa.reporter.check_password(NEW)
    assert not Client().login(username="h004", password=DEMO_PASSWORD)
    assert Client().login(username="h004", password=NEW)


def test_the_password_change_page_needs_a_login() -> None:
    response = Client().get(reverse("password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=/accounts/password_change/")


def test_a_forgotten_password_is_reset_through_the_link_in_the_mail(
    alxa: Alxa, monkeypatch: pytest.MonkeyPatch
) -> None:
    moment = dt.datetime(2021, 12, 3, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    monkeypatch.setattr(clock, "now", lambda: moment)
    client = Client()
    form = client.get(reverse("password_reset")).content.decode()
    assert "<h1>找回密码</h1>" in form
    sent = client.post(reverse("password_reset"), {"email": "H004@example.com"})
    assert sent.status_code == 302
    assert sent["Location"] == reverse("password_reset_done")
    assert "请查收邮件" in client.get(sent["Location"]).content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["h004@example.com"]
    assert message.subject == "讲医改·见行动·出成效 活动管理系统：重设密码"
    assert "账号 h004 的密码" in message.body
    assert message.message()["Date"] == "Fri, 03 Dec 2021 10:00:00 +0800"  # the reporting clock's
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", str(message.body))
    assert link, message.body

    opened = client.get(link.group(1))  # Django moves the token into the session, then shows the form
    assert opened.status_code == 302
    set_url = opened["Location"]
    page = client.get(set_url).content.decode()
    assert "<h1>设置新密码</h1>" in page
    mismatch = client.post(set_url, {"new_password1": NEW, "new_password2": "other-pass-1"})
    assert "输入的两个密码不一致" in mismatch.content.decode()
    done = client.post(set_url, {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302
    assert done["Location"] == reverse("password_reset_complete")
    assert "<h1>密码已重设</h1>" in client.get(done["Location"]).content.decode()
    assert Client().login(username="h004", password=NEW)
    assert not Client().login(username="h004", password=DEMO_PASSWORD)

    again = Client().get(link.group(1), follow=True).content.decode()  # a link works once
    assert "这个重设密码的链接无效" in again


def test_an_unknown_address_gets_the_same_answer_and_no_mail(alxa: Alxa) -> None:
    sent = Client().post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert sent.status_code == 302
    assert sent["Location"] == reverse("password_reset_done")
    assert mail.outbox == []
    bad = Client().post(reverse("password_reset"), {"email": "not an address"})
    assert bad.status_code == 200
    assert "请输入合法的邮件地址" in bad.content.decode()
