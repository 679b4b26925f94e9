"""Throttles count in the one shared cache, per client address read behind NUM_PROXIES proxies."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from django.conf import settings
from django.core.cache import caches
from django.test import RequestFactory
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from core.security import client_address

TOKEN_URL = "/api/v1/auth/token/"
BODY = {"username": "nobody", "password": "wrong"}
CLIENT_A, CLIENT_B, PROXY = "203.0.113.7", "198.51.100.9", "10.0.0.2"


@pytest.fixture
def two_a_minute(monkeypatch: Any) -> Iterator[None]:
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"token": "2/minute"})
    caches["default"].clear()
    yield
    caches["default"].clear()


def _post(xff: str) -> int:
    # Every request arrives from the proxy; X-Forwarded-For carries what it and the client wrote.
    return APIClient().post(TOKEN_URL, BODY, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=xff).status_code


@pytest.mark.django_db
def test_behind_one_proxy_each_client_has_its_own_count_and_cannot_forge_another(
    settings: Any, two_a_minute: None
) -> None:
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    assert [_post(CLIENT_A) for _ in range(3)] == [400, 400, 429]
    assert _post(CLIENT_B) == 400  # another client, its own count
    # A client that writes its own X-Forwarded-For is still counted by the address the proxy saw.
    assert _post(f"1.2.3.4, {CLIENT_A}") == 429
    assert _post(f"5.6.7.8, {CLIENT_A}") == 429
    assert caches["default"].get(f"throttle_token_{CLIENT_A}") is not None


@pytest.mark.django_db
def test_without_proxies_a_forged_forwarded_for_changes_nothing(settings: Any, two_a_minute: None) -> None:
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == 0
    statuses = [_post(f"192.0.2.{n}") for n in range(3)]  # a new "client" each time
    assert statuses == [400, 400, 429]
    assert caches["default"].get(f"throttle_token_{PROXY}") is not None


def test_django_axes_counts_the_same_client_address(settings: Any) -> None:
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    request = RequestFactory().post(
        "/accounts/login/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"1.1.1.1, {CLIENT_A}"
    )
    assert settings.AXES_CLIENT_IP_CALLABLE == "core.security.client_address"
    assert client_address(request) == CLIENT_A


@pytest.mark.django_db
def test_the_throttle_counts_in_the_configured_redis_cache(settings: Any, two_a_minute: None) -> None:
    """The production shape: RedisCache. The count is in Redis, where every web process reads it."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": settings.CELERY_BROKER_URL,
            "KEY_PREFIX": "throttle-test",
        }
    }
    caches["default"].clear()
    try:
        assert [_post(CLIENT_A) for _ in range(3)] == [400, 400, 429]
        shared = redis.Redis.from_url(settings.CELERY_BROKER_URL)
        assert shared.exists(f"throttle-test:1:throttle_token_{PROXY}")
    finally:
        caches["default"].clear()


def test_production_settings_put_the_cache_in_redis() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CACHE_URL", "NUM_PROXIES"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="k" * 50,
        DJANGO_ALLOWED_HOSTS="jjx.example.org",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/jjx",
        CELERY_BROKER_URL="redis://redis.internal:6379/0",
        NUM_PROXIES="1",
    )
    probe = (
        "import django; django.setup(); from django.conf import settings; "
        "from rest_framework.settings import api_settings; c = settings.CACHES['default']; "
        "print(c['BACKEND'], c['LOCATION'], api_settings.NUM_PROXIES)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.core.cache.backends.redis.RedisCache",
        "redis://redis.internal:6379/0",
        "1",
    ]
