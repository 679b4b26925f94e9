"""``make run``'s embedded SQLite: the demo loads there and the pages and lists each demo user opens first
answer. The rest of the suite runs on PostgreSQL, where a query only PostgreSQL understands passes unseen
(this session's first ``ANY(ARRAY(…))`` and ``ARRAY_AGG`` did); this runs the product's own settings in
a child process, as ``make run`` does, without Redis."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

PAGES = {
    "league": ["/", "/review/?status=", "/bulletins/", "/evaluation/", "/tour-lecturers/", "/publicity/"],
    "zuoqi": ["/", "/review/"],
    "h004": ["/", "/api/v1/lectures/", "/api/v1/indicator-evaluations/", "/api/v1/indicator-figures/"],
    # The second sample league and the region (seeds/baotou-demo.yaml): the rollup's aggregates on SQLite.
    "baotou": ["/", "/bulletins/"],
    "region": ["/region/", "/api/v1/region-rollup/", "/exports/region_rollup/", "/region/publicity.zip"],
}
SCRIPT = f"""
import django
django.setup()
from django.core.management import call_command
from django.test import Client
from hospitals.models import User
call_command("migrate", interactive=False, verbosity=0)
call_command("load_seed")
call_command("load_demo")
for username, paths in {PAGES!r}.items():
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username=username))
    for path in paths:
        print("ANSWER", username, path, client.get(path).status_code)
"""


def test_the_demo_loads_and_its_first_pages_answer_on_sqlite(tmp_path: Path) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DJANGO_SETTINGS_MODULE="config.settings.local",
        JJX_REPORTING_CLOCK="2021-12-03T10:00",
        DJANGO_MEDIA_ROOT=str(tmp_path / "media"),
    )
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "已加载示例数据" in result.stdout
    answers = [line.split()[1:] for line in result.stdout.splitlines() if line.startswith("ANSWER ")]
    expected = [[user, path, "200"] for user, paths in PAGES.items() for path in paths]
    assert answers == expected
