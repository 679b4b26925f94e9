"""The "pages" part of ``make bench`` (issue 17): the league's everyday pages, on the region and on its
tenth, as a reviewer whose scope is every generated hospital.

Each page is requested through Django's test client (the whole stack: middleware, session, templates or
DRF), twice to warm it (what it keeps under table versions computed, then kept), once under
``CaptureQueriesContext`` for its query count, then ``PAGE_REQUESTS`` times for its median and 95th
percentile. Everything runs on the bench's clock (2022-01-10) inside a
transaction that is rolled back, so December's bulletin can be built for its page and the database stays
as generated. The throughput under ``CONCURRENT_CLIENTS`` clients (threads, each its own client and
database connection) compares the lectures list with the API root; the reminder run is counted in a
rolled-back transaction on its escalation day.
"""

from __future__ import annotations

import datetime as dt
import gc
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from django.db import close_old_connections, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.generator import REGION_CODE
from bench.measure import bench_campaign, bench_clock

PAGE_REQUESTS = 30
CONCURRENT_CLIENTS = 16
CONCURRENT_REQUESTS = 10  # per client
BENCH_REVIEWER = "bench-region-reviewer"
REMINDER_DAY = dt.date(2022, 1, 8)  # December's escalation day (README "Benchmark")


@dataclass
class PageMeasure:
    name: str
    label: str
    url: str
    median_ms: float
    p95_ms: float
    queries: int


def bench_reviewer() -> Any:
    """A league reviewer whose unit is the region, so every generated hospital is in scope (the campaign is
    the region's). Created once, kept: the throughput threads need it committed."""
    from hospitals.models import OrgUnit, Role, User

    region = OrgUnit.objects.get(code=REGION_CODE)
    user, _ = User.objects.get_or_create(
        username=BENCH_REVIEWER, defaults={"role": Role.LEAGUE_REVIEWER, "org_unit": region}
    )
    return user


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _measure(client: Client, name: str, label: str, url: str, requests: int) -> PageMeasure:
    # Two warm-up requests: the first computes what the page keeps (core.versions) and notes the tables
    # it read, the second keeps it; the counted and timed requests are a reviewer's everyday ones.
    for _ in range(2):
        first = client.get(url)
        if first.status_code != 200:
            raise RuntimeError(f"{name} {url}: HTTP {first.status_code}")
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    queries = len(captured.captured_queries)  # now: the next request's signal empties the log
    # Timed from a collected heap, with what the harness holds (the generated region's set-up, the
    # earlier pages' responses) frozen out of the collector: a page pays for its own garbage only.
    gc.collect()
    gc.freeze()
    seconds = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        seconds.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
    gc.unfreeze()
    return PageMeasure(
        name,
        label,
        url,
        statistics.median(seconds) * 1000,
        _p95(seconds) * 1000,
        queries,
    )


def _urls() -> list[tuple[str, str, str]]:
    """(name, label, URL) of each measured page, picked the same way on both databases."""
    from rest_framework.pagination import Cursor

    from core.pagination import KeysetPagination
    from reporting.bulletins.services import rollup_previous_month
    from reporting.reports.models import MonthlyReport

    # The first hospital (by code) whose December report waits for the league's review, on both
    # databases: the hospital's pages then show the same state (the month page of a report in review
    # asks whether the viewer may correct it, two queries a report in another state does not need), so
    # the region and its tenth are compared on the same work.
    report = (
        MonthlyReport.objects.filter(month=dt.date(2021, 12, 1), status=MonthlyReport.Status.BANNER_REVIEWED)
        .select_related("hospital")
        .order_by("hospital__code")
        .first()
    )
    assert report is not None
    hospital = report.hospital
    (bulletin,) = rollup_previous_month()  # December's, rolled back with the rest
    # The last keyset page: the list read from its other end (the cursor a "previous" link carries), the
    # same 50 oldest lectures as ?page=last, through the index instead of past 99,950 rows.
    keyset = KeysetPagination()
    keyset.base_url = "/api/v1/lectures/"
    cursor_url = keyset.encode_cursor(Cursor(offset=0, reverse=True, position=None))
    ytd = "period=ytd&month=12"
    return [
        ("api_root", "API 根 /api/v1/", "/api/v1/"),
        ("dashboard", "仪表盘 /", "/"),
        # Every state, so that both databases list a full page of 50 reports: the tenth has only 27
        # waiting for review, the region 319, and a page of 27 rows is not the work of a page of 50.
        ("queue", "审核队列 /review/ (全部状态)", "/review/?status="),
        ("evaluations", "指标达标 indicator-evaluations (年累计)", f"/api/v1/indicator-evaluations/?{ytd}"),
        ("figures", "指标数据 indicator-figures (年累计)", f"/api/v1/indicator-figures/?{ytd}"),
        ("lectures_last", "宣讲列表 API 末页 ?page=last", "/api/v1/lectures/?page=last"),
        ("lectures_cursor", "宣讲列表 API 末页 ?cursor=", cursor_url),
        ("hospital_lectures", "医院宣讲列表页", f"/hospitals/{hospital.pk}/lectures/"),
        ("month", "医院月度填报页 (12月)", f"/hospitals/{hospital.pk}/months/2021-12/"),
        ("report", "月度报告审核页", f"/reports/{report.pk}/"),
        ("bulletin", "月度通报页 (12月)", f"/bulletins/{bulletin.pk}/"),
        ("action_plan", "见行动任务清单页", f"/hospitals/{hospital.pk}/actions/"),
    ]


def measure_pages(requests: int = PAGE_REQUESTS) -> dict[str, Any]:
    """Every page's measure, the throughput comparison and the reminder run's queries."""
    user = bench_reviewer()
    out: dict[str, Any] = {"hospitals": 0, "pages": []}
    with bench_clock(), transaction.atomic():
        from hospitals.models import Hospital

        out["hospitals"] = Hospital.objects.count()
        bench_campaign()
        client = Client(SERVER_NAME="localhost")
        client.force_login(user)
        for name, label, url in _urls():
            out["pages"].append(asdict(_measure(client, name, label, url, requests)))
        transaction.set_rollback(True)
    with bench_clock():
        out["throughput"] = {
            "api_root": _throughput(user, "/api/v1/"),
            "lectures": _throughput(user, "/api/v1/lectures/"),
        }
    out["reminder_queries"] = _reminder_queries()
    return out


def _throughput(user: Any, url: str) -> float:
    """Requests per second of ``CONCURRENT_CLIENTS`` clients each making ``CONCURRENT_REQUESTS``."""
    errors: list[str] = []
    ready = threading.Barrier(CONCURRENT_CLIENTS + 1)

    def run() -> None:
        try:
            client = Client(SERVER_NAME="localhost")
            client.force_login(user)
            client.get(url)
            ready.wait()
            for _ in range(CONCURRENT_REQUESTS):
                if client.get(url).status_code != 200:
                    errors.append(url)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(CONCURRENT_CLIENTS)]
    for t in threads:
        t.start()
    ready.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"{len(errors)} failed requests on {url}")
    return CONCURRENT_CLIENTS * CONCURRENT_REQUESTS / seconds


def _reminder_queries() -> int:
    from reporting.reminders.services import reminders_send_due

    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        reminders_send_due(today=REMINDER_DAY)
        transaction.set_rollback(True)
    return len(queries.captured_queries)


Verdicts = list[tuple[bool, str]]


def page_targets(whole: dict[str, Any], tenth: dict[str, Any]) -> Verdicts:
    """The issue's targets: same queries at both sizes, median ≤ 1.5× the tenth's, p95 ≤ 25× the API root's
    median of the same run, throughput of the lectures list ≥ 1/5 of the API root's, the reminder run's
    queries the same at both sizes."""
    out: Verdicts = []
    small = {p["name"]: p for p in tenth["pages"]}
    root = next(p for p in whole["pages"] if p["name"] == "api_root")["median_ms"]
    for page in whole["pages"]:
        other = small[page["name"]]
        label = page["label"]
        out.append(
            (
                page["queries"] == other["queries"],
                f"{label} 查询数与医院数无关: 全区 {page['queries']} / 1/10 {other['queries']}",
            )
        )
        ratio = page["median_ms"] / other["median_ms"] if other["median_ms"] else 0.0
        out.append(
            (
                ratio <= 1.5,
                f"{label} 中位数 ≤ 1.5×1/10: {page['median_ms']:.1f}ms / "
                f"{other['median_ms']:.1f}ms = {ratio:.2f}×",
            )
        )
        limit = 25 * root
        out.append(
            (page["p95_ms"] <= limit, f"{label} p95 ≤ 25×API根中位数({limit:.0f}ms): {page['p95_ms']:.1f}ms")
        )
    rates = whole["throughput"]
    share = rates["lectures"] / rates["api_root"] if rates["api_root"] else 0.0
    out.append(
        (
            share >= 0.2,
            f"{CONCURRENT_CLIENTS}个并发客户端: 宣讲列表 {rates['lectures']:.1f} 次/秒 ≥ API根 "
            f"{rates['api_root']:.1f} 次/秒的1/5: {share:.2f}",
        )
    )
    out.append(
        (
            whole["reminder_queries"] == tenth["reminder_queries"],
            f"每日提醒查询数与医院数无关: 全区 {whole['reminder_queries']} / "
            f"1/10 {tenth['reminder_queries']}",
        )
    )
    return out


def page_table(whole: dict[str, Any], tenth: dict[str, Any], write: Callable[[str], None]) -> None:
    small = {p["name"]: p for p in tenth["pages"]}
    write(
        f"{'page (联盟审核人)':<44}{'全区 中位':>10}{'p95':>9}{'查询':>6}"
        f"{'1/10 中位':>11}{'p95':>9}{'查询':>6}"
    )
    for page in whole["pages"]:
        other = small[page["name"]]
        text = page["label"]
        pad = 44 - sum(2 if ord(c) > 0x2E7F else 1 for c in text)
        write(
            f"{text}{' ' * max(1, pad)}{page['median_ms']:>9.1f}ms{page['p95_ms']:>7.1f}ms"
            f"{page['queries']:>6}"
            f"{other['median_ms']:>9.1f}ms{other['p95_ms']:>7.1f}ms{other['queries']:>6}"
        )
    for label, data in (("全区", whole), ("1/10", tenth)):
        rates = data["throughput"]
        write(
            f"{label} ({data['hospitals']}家医院) {CONCURRENT_CLIENTS}并发: "
            f"API根 {rates['api_root']:.1f} 次/秒, "
            f"宣讲列表 {rates['lectures']:.1f} 次/秒; 每日提醒 {data['reminder_queries']} 次查询"
        )
