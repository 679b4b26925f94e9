"""The pages part of ``make bench`` (bench.pages): the pages it measures, and its targets judged from the
figures as issue 17 states them (the run itself is too slow for the suite)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from bench import pages
from bench.generator import RegionGenerator, RegionSize
from bench.measure import BENCH_NOW
from campaign.models import LectureSession
from core import clock


def _run(median: float, p95: float, queries: int, *, root: float = 8.0) -> dict[str, Any]:
    return {
        "hospitals": 300,
        "pages": [
            {"name": "api_root", "label": "API根", "median_ms": root, "p95_ms": root, "queries": 0},
            {"name": "dashboard", "label": "仪表盘", "median_ms": median, "p95_ms": p95, "queries": queries},
        ],
        "throughput": {"api_root": 100.0, "lectures": 30.0},
        "reminder_queries": 13,
    }


def test_targets_pass_when_the_region_costs_what_its_tenth_does() -> None:
    verdicts = pages.page_targets(_run(30.0, 150.0, 12), _run(25.0, 100.0, 12))
    assert all(ok for ok, _ in verdicts), verdicts
    texts = [t for _, t in verdicts]
    assert "仪表盘 查询数与医院数无关: 全区 12 / 1/10 12" in texts
    assert "仪表盘 中位数 ≤ 1.5×1/10: 30.0ms / 25.0ms = 1.20×" in texts
    assert "仪表盘 p95 ≤ 25×API根中位数(200ms): 150.0ms" in texts
    assert any(t.startswith("16个并发客户端: 宣讲列表 30.0 次/秒") for t in texts)


def test_each_target_fails_on_its_own() -> None:
    def failed(whole: dict[str, Any], tenth: dict[str, Any]) -> list[str]:
        return [t for ok, t in pages.page_targets(whole, tenth) if not ok]

    assert failed(_run(30.0, 150.0, 13), _run(25.0, 100.0, 12)) == [
        "仪表盘 查询数与医院数无关: 全区 13 / 1/10 12"
    ]
    (slow,) = failed(_run(40.0, 150.0, 12), _run(25.0, 100.0, 12))
    assert slow.startswith("仪表盘 中位数 ≤ 1.5×1/10")
    (tail,) = failed(_run(30.0, 201.0, 12), _run(25.0, 100.0, 12))
    assert tail.startswith("仪表盘 p95")
    crowded = _run(30.0, 150.0, 12)
    crowded["throughput"]["lectures"] = 19.0
    assert failed(crowded, _run(25.0, 100.0, 12))[0].startswith("16个并发客户端")
    reminders = _run(30.0, 150.0, 12)
    reminders["reminder_queries"] = 14
    assert failed(reminders, _run(25.0, 100.0, 12))[0].startswith("每日提醒查询数")


@pytest.mark.django_db
def test_every_measured_page_answers_the_bench_reviewer(monkeypatch: pytest.MonkeyPatch) -> None:
    """The URLs the pages part requests all answer 200 to its reviewer, on a small generated region."""
    RegionGenerator(seed=11, size=RegionSize(hospitals=3, leagues=1, banners=2, lectures=120)).run()
    monkeypatch.setattr(clock, "now", lambda: BENCH_NOW)
    client = Client()
    client.force_login(pages.bench_reviewer())
    urls = pages._urls()
    assert [name for name, _, _ in urls] == [
        "api_root", "dashboard", "queue", "evaluations", "figures", "lectures_last", "lectures_cursor",
        "hospital_lectures", "month", "report", "bulletin", "action_plan",
    ]  # fmt: skip
    for name, _, url in urls:
        response = client.get(url)
        assert response.status_code == 200, (name, url, response.content[:300])
    last = client.get("/api/v1/lectures/?page=last").json()["results"]
    keyset = client.get(dict((n, u) for n, _, u in urls)["lectures_cursor"]).json()["results"]
    # The keyset "last page" is the list's last 50 rows, read from its other end; the numbered last page
    # holds what is left after the full pages, the tail of the same rows.
    ordered = list(LectureSession.objects.order_by("-held_on", "-id").values_list("id", flat=True))
    assert [r["id"] for r in keyset] == ordered[-50:]
    assert [r["id"] for r in last] == ordered[-len(last) :] == [r["id"] for r in keyset][-len(last) :]
