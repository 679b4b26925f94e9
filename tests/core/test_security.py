"""Request-level hardening (config/security.py, config/api.py): request-size cap, login throttling with a
cool-off on the token endpoint, the page login and the admin login, the refused-access log, and the
API's JSON answers where Django would answer with an HTML page."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from freezegun import freeze_time
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from tests.api.openapi import assert_documented
from tests.conftest import Alxa, client_for
from tests.factories import PASSWORD, admin_user, reporter_for

TOKEN_URL = "/api/v1/auth/token/"


def test_the_request_cap_leaves_room_for_the_largest_material() -> None:
    assert settings.MAX_REQUEST_BYTES > settings.MATERIAL_MAX_BYTES


@pytest.mark.django_db
def test_an_oversized_request_is_refused_unread_with_the_error_format(settings, caplog) -> None:
    settings.MAX_REQUEST_BYTES = 1000
    client = APIClient()
    caplog.set_level(logging.WARNING, logger="jjx.access")
    big = client.post(TOKEN_URL, {"username": "x" * 2000, "password": "y"}, format="json")
    assert big.status_code == 413
    assert big.json()["code"] == "request_too_large"
    assert "1 MiB" in big.json()["message"]
    assert big.json()["errors"] == {}
    assert "status=413" in caplog.text
    small = client.post(TOKEN_URL, {"username": "x", "password": "y"}, format="json")
    assert small.status_code == 400


@pytest.mark.django_db
def test_an_oversized_page_post_is_refused_too(settings) -> None:
    settings.MAX_REQUEST_BYTES = 1000
    response = Client().post("/accounts/login/", {"username": "x" * 2000, "password": "y"})
    assert response.status_code == 413


def _query_of(total: int, path: str) -> str:
    """A query string that makes ``path?query`` exactly ``total`` bytes."""
    return "q=" + "x" * (total - len(path) - len("?q="))


@pytest.mark.django_db
def test_a_too_long_api_url_answers_a_documented_json_414(alxa: Alxa, caplog) -> None:
    """Issue 13 item 6: a query string over 4 KB got gunicorn's bare HTML 414. Django now answers every
    URL over MAX_URL_BYTES (4096) with the API's error format; gunicorn reads lines up to 8190 bytes."""
    path = "/api/v1/lectures/"
    client = client_for(alxa.reporter)
    caplog.set_level(logging.WARNING, logger="jjx.access")
    long = client.get(f"{path}?{_query_of(settings.MAX_URL_BYTES + 1, path)}")
    assert long.status_code == 414
    assert long["Content-Type"] == "application/json"
    assert long.json() == {
        "code": "url_too_long",
        "message": "请求地址过长（4097 字节），上限为 4096 字节；请减少查询条件后重试。",
        "errors": {},
    }
    assert "route=/api/v1/lectures/ method=GET object=None status=414 bytes=4097" in caplog.text
    assert_documented(long)  # every operation documents its 414 with the error format
    at_the_limit = client.get(f"{path}?{_query_of(settings.MAX_URL_BYTES, path)}")
    assert at_the_limit.status_code == 200
    # Anonymous too, and before any view: an unknown path is not a 404 but the same 414.
    assert APIClient().get(f"/api/v1/nowhere/?{'a' * 5000}").json()["code"] == "url_too_long"
    # Non-ASCII in the path counts as sent, percent-encoded (9 bytes a character).
    assert APIClient().get("/api/v1/" + "讲" * 460 + "/").status_code == 414


@pytest.mark.django_db
def test_a_too_long_page_url_answers_the_chinese_error_page(alxa: Alxa) -> None:
    client = Client()
    client.force_login(alxa.reporter)
    response = client.get(f"/lectures/?{_query_of(5000, '/lectures/')}")
    assert response.status_code == 414
    html = response.content.decode()
    assert "请求地址过长" in html
    assert 'id="error-page"' in html


def test_gunicorn_reads_request_lines_longer_than_the_url_limit() -> None:
    """So that a URL over MAX_URL_BYTES reaches Django (and its JSON 414) instead of gunicorn's page."""
    config: dict[str, object] = {}
    exec((settings.BASE_DIR / "deploy" / "gunicorn.conf.py").read_text(), config)
    line = len("GET ") + settings.MAX_URL_BYTES + len(" HTTP/1.1")
    assert config["limit_request_line"] == 8190 > line


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_MINUTES = 15
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
    return settings


@pytest.mark.django_db
def test_token_login_is_throttled_then_allowed_after_the_cool_off(axes_on) -> None:
    user = reporter_for_hospital()
    client = APIClient()
    with freeze_time("2021-07-01 09:00:00", tick=False) as clock:
        for _ in range(3):
            wrong = client.post(TOKEN_URL, {"username": user.username, "password": "wrong"}, format="json")
            assert wrong.status_code in (400, 429)
        locked = client.post(TOKEN_URL, {"username": user.username, "password": PASSWORD}, format="json")
        assert locked.status_code == 429
        assert locked.json()["code"] == "locked_out"
        assert "15 分钟" in locked.json()["message"]
        assert "token" not in locked.json()
        clock.tick(dt.timedelta(minutes=14))
        still = client.post(TOKEN_URL, {"username": user.username, "password": PASSWORD}, format="json")
        assert still.status_code == 429
        clock.tick(dt.timedelta(minutes=2))  # past the cool-off: not a permanent lock
        allowed = client.post(TOKEN_URL, {"username": user.username, "password": PASSWORD}, format="json")
        assert allowed.status_code == 200, allowed.content
        assert allowed.json()["token"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_page_and_admin_login_are_throttled_then_allowed_after_the_cool_off(axes_on, url: str) -> None:
    user = admin_user() if url.startswith("/admin/") else reporter_for_hospital()
    client = Client()
    with freeze_time("2021-07-01 09:00:00", tick=False) as clock:
        for _ in range(3):
            client.post(url, {"username": user.username, "password": "wrong"})
        locked = client.post(url, {"username": user.username, "password": PASSWORD})
        assert locked.status_code == 429
        assert "登录失败次数过多" in locked.content.decode()
        assert "_auth_user_id" not in client.session
        clock.tick(dt.timedelta(minutes=16))
        allowed = client.post(url, {"username": user.username, "password": PASSWORD})
        assert allowed.status_code == 302
        assert client.session["_auth_user_id"] == str(user.pk)


def reporter_for_hospital(**kwargs: object):
    from tests.factories import HospitalFactory

    return reporter_for(HospitalFactory.create(), **kwargs)


@pytest.mark.django_db
def test_the_token_endpoint_is_rate_limited(monkeypatch) -> None:
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"token": "2/minute"})
    cache.clear()
    client = APIClient()
    statuses = [client.post(TOKEN_URL, {"username": "a", "password": "b"}).status_code for _ in range(3)]
    assert statuses == [400, 400, 429]
    body = client.post(TOKEN_URL, {"username": "a", "password": "b"}).json()
    assert body["code"] == "throttled"
    cache.clear()


def _access_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "jjx.access"]


@pytest.mark.django_db
def test_refused_api_accesses_are_logged_with_user_route_and_object(alxa: Alxa, caplog) -> None:
    caplog.set_level(logging.WARNING, logger="jjx.access")
    other = client_for(alxa.reporter).get(f"/api/v1/hospitals/{alxa.h006.pk}/")
    assert other.status_code == 404
    line = _access_lines(caplog)[-1]
    assert f"user={alxa.reporter.pk}" in line
    assert "route=api/v1/hospitals/" in line
    assert f"object={alxa.h006.pk}" in line
    assert "status=404" in line
    assert APIClient().get("/api/v1/hospitals/").status_code == 401
    assert "user=None" in _access_lines(caplog)[-1]
    assert "status=401" in _access_lines(caplog)[-1]


@pytest.mark.django_db
def test_refused_admin_pages_are_logged(alxa: Alxa, caplog) -> None:
    caplog.set_level(logging.WARNING, logger="jjx.access")
    client = Client()
    staff = admin_user(is_superuser=False)  # an admin-role account without permission on groups
    client.force_login(staff)
    assert client.get("/admin/auth/group/").status_code == 403
    lines = _access_lines(caplog)
    assert any(f"user={staff.pk}" in m and "/admin/auth/group/" in m for m in lines), lines


@pytest.mark.django_db
def test_an_unknown_api_path_answers_json(alxa: Alxa) -> None:
    response = client_for(alxa.admin).get("/api/v1/hospitals/1.5e-3/")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "未找到该接口或记录。", "errors": {}}
    assert Client().get("/no-such-page/").status_code == 404
