"""Production settings pass Django's deployment checklist with their required environment."""

import os
import subprocess
import sys

from django.conf import settings

PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "k" * 30 + "-production-secret-9f8e7d6c5b4a3210",
    "DJANGO_ALLOWED_HOSTS": "jjx.example.org",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/jjx",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
}


def _run_check(extra_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(extra_env)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_no_issue() -> None:
    result = _run_check(PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_its_secrets() -> None:
    result = _run_check({"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/jjx"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_refuses_a_fixed_reporting_clock() -> None:
    result = _run_check({**PRODUCTION_ENV, "JJX_REPORTING_CLOCK": "2021-12-03T10:00"})
    assert result.returncode != 0
    assert "JJX_REPORTING_CLOCK fixes the date for demos" in result.stderr
