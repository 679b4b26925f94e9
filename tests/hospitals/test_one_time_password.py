"""A one-time password that must be changed at first login (issue 14 item 3, SPEC §11): the
``create_account`` command and the admin's add form hand one out; until it is changed every page sends
the user to the password change page and the API answers 403 in Chinese; changing or resetting the
password ends it."""

from __future__ import annotations

import io
import re

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from core.accounts import PASSWORD_CHANGE_REQUIRED
from hospitals.models import ChangeRecord, Role, User
from tests.conftest import Alxa
from tests.pages.test_page_walk import _urls

pytestmark = pytest.mark.django_db
CHANGE = "/accounts/password_change/"
NEW = "Gobi-camel-7319"


def _create(*args: str) -> tuple[User, str, str]:
    out = io.StringIO()
    call_command("create_account", *args, stdout=out)
    printed = out.getvalue()
    match = re.search(r"一次性初始密码：(\S+)", printed)
    assert match, printed
    return User.objects.get(username=args[0]), match.group(1), printed


def test_create_account_prints_a_one_time_password(alxa: Alxa) -> None:
    user, password, printed = _create(
        "h006", "--role", "hospital_reporter", "--hospital", "H006", "--name", "右旗填报员"
    )
    assert "已新建账号 h006（医院填报员 · 阿拉善右旗人民医院）" in printed
    assert "此密码只显示这一次" in printed
    assert (user.role, user.hospital, user.org_unit, user.first_name) == (
        Role.HOSPITAL_REPORTER,
        alxa.h006,
        None,
        "右旗填报员",
    )
    assert (user.must_change_password, user.is_staff, user.is_superuser) == (True, False, False)
    assert len(password) == 12
    assert re.search(r"\d", password)
    assert re.search(r"[A-Za-z]", password)
    assert password not in user.password  # only the hash is kept
    assert Client().login(username="h006", password=password)
    record = ChangeRecord.objects.get(content_type__model="user", object_id=str(user.pk))
    assert (record.action, record.channel, record.changes["must_change_password"]) == (
        "create",
        "system",
        [None, True],
    )

    other, other_password, _ = _create("youqi", "--role", "banner_reviewer", "--org-unit", "152922")
    assert (other.org_unit, other.is_staff, other.must_change_password) == (alxa.youqi, False, True)
    assert other_password != password
    admin, _, _ = _create("admin2", "--role", "admin", "--email", "admin2@example.com")
    assert (admin.is_staff, admin.is_superuser, admin.must_change_password) == (True, True, True)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("x1", "--role", "hospital_reporter", "--hospital", "H999"), "找不到编码为 H999 的医院。"),
        (("x1", "--role", "banner_reviewer", "--org-unit", "999999"), "找不到编码为 999999 的单位。"),
        (("x1", "--role", "hospital_reporter", "--org-unit", "152921"), "医院填报员须指定医院"),
        (("x1", "--role", "banner_reviewer"), "审核员须指定旗(区)或盟"),
        (("h004", "--role", "hospital_reporter", "--hospital", "H004"), "已存在一位使用该名字的用户"),
        (
            ("x1", "--role", "hospital_reporter", "--hospital", "H004", "--email", "not-an-address"),
            "邮件地址",
        ),
    ],
)
def test_create_account_refuses_bad_input_in_chinese_and_writes_nothing(
    alxa: Alxa, args: tuple[str, ...], message: str
) -> None:
    before = (User.objects.count(), ChangeRecord.objects.count())
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("create_account", *args, stdout=io.StringIO())
    assert (User.objects.count(), ChangeRecord.objects.count()) == before


def test_an_unknown_role_is_refused() -> None:
    with pytest.raises(CommandError, match="未知的角色：boss。"):
        call_command("create_account", "x1", "--role", "boss", stdout=io.StringIO())
    assert not User.objects.filter(username="x1").exists()


def _flagged(alxa: Alxa) -> Client:
    alxa.reporter.must_change_password = True
    alxa.reporter.save(update_fields=["must_change_password"])
    client = Client()
    client.force_login(alxa.reporter)
    return client


def test_every_page_sends_the_user_to_the_password_change_page(alxa: Alxa) -> None:
    client = _flagged(alxa)
    allowed = {CHANGE, "/accounts/password_change/done/", "/accounts/login/", "/accounts/logout/"}
    urls = [*_urls({}), "/admin/", "/admin/hospitals/user/"]
    assert len(urls) >= 20
    for url in urls:
        if url in allowed:
            continue
        response = client.get(url)
        assert (response.status_code, response.get("Location")) == (302, CHANGE), url
    posted = client.post(f"/hospitals/{alxa.h004.pk}/months/2021-07/", {"problems": "改"})
    assert (posted.status_code, posted["Location"]) == (302, CHANGE)
    page = client.get(CHANGE)
    assert page.status_code == 200
    assert "您正在使用管理员发放的一次性初始密码" in page.content.decode()
    static = client.get("/static/css/site.css")
    assert static.get("Location") != CHANGE
    logout = client.post("/accounts/logout/")
    assert (logout.status_code, logout["Location"]) == (302, "/accounts/login/")


def test_the_api_answers_403_in_chinese_for_a_session_and_a_token(alxa: Alxa) -> None:
    _, password, _ = _create("h006", "--role", "hospital_reporter", "--hospital", "H006")
    expected = {"code": "password_change_required", "message": PASSWORD_CHANGE_REQUIRED, "errors": {}}
    api = APIClient()
    token = api.post("/api/v1/auth/token/", {"username": "h006", "password": password}, format="json")
    assert token.status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    by_token = api.get("/api/v1/hospitals/")
    assert (by_token.status_code, by_token.json()) == (403, expected)
    session = Client()
    assert session.login(username="h006", password=password)
    by_session = session.get("/api/v1/hospitals/")
    assert (by_session.status_code, by_session.json()) == (403, expected)
    write = session.post("/api/v1/lectures/", {}, content_type="application/json")
    assert (write.status_code, write.json()["code"]) == (403, "password_change_required")

    changed = session.post(CHANGE, {"old_password": password, "new_password1": NEW, "new_password2": NEW})
    assert changed.status_code == 302
    assert not User.objects.get(username="h006").must_change_password
    assert api.get("/api/v1/hospitals/").status_code == 200
    assert session.get("/api/v1/hospitals/").status_code == 200
    assert session.get("/").status_code == 200


def test_the_first_login_goes_to_the_password_page_and_a_change_ends_it(alxa: Alxa) -> None:
    _, password, _ = _create("h006", "--role", "hospital_reporter", "--hospital", "H006")
    client = Client()
    login = client.post("/accounts/login/", {"username": "h006", "password": password}, follow=True)
    assert login.redirect_chain[-1] == (CHANGE, 302)
    weak = client.post(
        CHANGE, {"old_password": password, "new_password1": "12345678", "new_password2": "12345678"}
    )
    assert weak.status_code == 200
    assert User.objects.get(username="h006").must_change_password  # a refused change keeps the flag
    assert client.get("/")["Location"] == CHANGE
    done = client.post(CHANGE, {"old_password": password, "new_password1": NEW, "new_password2": NEW})
    assert done["Location"] == "/accounts/password_change/done/"
    assert not User.objects.get(username="h006").must_change_password
    assert client.get("/").status_code == 200
    assert "您正在使用管理员发放的一次性初始密码" not in client.get(CHANGE).content.decode()


def test_a_reset_by_e_mail_ends_the_one_time_password_too(alxa: Alxa) -> None:
    _create("h006", "--role", "hospital_reporter", "--hospital", "H006", "--email", "h006@example.com")
    client = Client()
    client.post(reverse("password_reset"), {"email": "h006@example.com"})
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", str(mail.outbox[0].body))
    assert link
    set_url = client.get(link.group(1))["Location"]
    done = client.post(set_url, {"new_password1": NEW, "new_password2": NEW})
    assert done["Location"] == reverse("password_reset_complete")
    assert not User.objects.get(username="h006").must_change_password
    assert client.login(username="h006", password=NEW)
    assert client.get("/").status_code == 200


def test_the_admin_add_form_hands_out_a_one_time_password(alxa: Alxa) -> None:
    client = Client()
    client.force_login(alxa.admin)
    url = reverse("admin:hospitals_user_add")
    form = client.get(url).content.decode()
    assert re.search(r'<input type="checkbox" name="must_change_password"[^>]*checked', form), form
    response = client.post(
        url,
        {
            "username": "h007",
            "password1": "Tmp-pass-2021x",
            "password2": "Tmp-pass-2021x",
            "usable_password": "true",
            "role": "hospital_reporter",
            "hospital": alxa.h006.pk,
            "org_unit": "",
            "email": "h007@example.com",
            "must_change_password": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="h007")
    assert (user.must_change_password, user.hospital, user.is_staff) == (True, alxa.h006, False)
    first = Client()
    assert first.login(username="h007", password="Tmp-pass-2021x")
    assert first.get("/")["Location"] == CHANGE
