"""The export benchmark (README "Benchmark"): ``make bench``.

Each measurement runs in a fresh ``manage.py bench_exports --worker NAME`` subprocess, so that one
export's memory cannot inflate the next one's: the worker reports rows, seconds and its peak resident
memory above what it held when the measured work started (Django loaded, database connected; see
``bench.mark_start``). Timing and peak of the floor and of openpyxl's normal mode exclude reading the
rows from the database: they write a list that is already in memory, which is what makes them a floor.
django-import-export is timed the way it is used: ``resource.export(queryset)`` then ``.xlsx``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from psycopg import sql

from bench import measure as bench

WIDTH = 50  # of the workload column
PAGES = "pages"  # the pages part (bench.pages), measured as one worker per database
PAGE_REQUESTS = 30
# One tenth of the region's hospitals (and of its lectures), same leagues, for the query-count comparison.
TENTH_SIZE = ["--hospitals", "30", "--banners", "10", "--lectures", "10000"]


@dataclass
class Measure:
    name: str
    rows: int
    seconds: float
    peak_mb: float = 0.0
    queries: int | None = None


class Command(BaseCommand):
    help = "导出性能测试：各工作簿的行数、耗时、峰值内存，与 openpyxl/django-import-export 对比，并检查目标。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--worker", help=argparse_hidden())
        parser.add_argument("--repeat", type=int, default=1, help="每项测量重复次数，取最好成绩")
        parser.add_argument(
            "--tenth-database-url",
            default=os.environ.get("BENCH_TENTH_DATABASE_URL", ""),
            help="十分之一医院规模的数据库(用于比较月度汇总和年终评估的查询数)",
        )
        parser.add_argument(
            "--prepare",
            action="store_true",
            help="先重建两个PostgreSQL数据库(DATABASE_URL 与 --tenth-database-url)并生成数据",
        )
        parser.add_argument("--seed", type=int, default=2021)
        parser.add_argument(
            "--only", default="", help="只测这些项(逗号分隔的名称，如 rollup,evaluation；pages 为页面部分)"
        )
        parser.add_argument(
            "--page-requests", type=int, default=PAGE_REQUESTS, help="页面部分每页的请求次数(≥30)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["worker"]:
            self.run_worker(options["worker"])
            return
        if options["prepare"]:
            self.prepare(os.environ.get("DATABASE_URL", ""), options["seed"], [])
            if options["tenth_database_url"]:
                self.prepare(options["tenth_database_url"], options["seed"], TENTH_SIZE)
        only = {name for name in options["only"].split(",") if name}
        known = set(bench.WORKLOADS) | {PAGES}
        if only - known:
            raise CommandError(f"unknown workload(s): {', '.join(sorted(only - known))}")
        self.only = only or known
        self.page_requests = options["page_requests"]
        self.run_all(repeat=max(1, options["repeat"]), tenth_url=options["tenth_database_url"])

    def prepare(self, url: str, seed: int, size: list[str]) -> None:
        """Recreate the database at ``url`` (PostgreSQL), migrate it and generate the region into it."""
        import psycopg

        parts = urlsplit(url)
        if not parts.scheme.startswith("postgres") or not parts.path.strip("/"):
            raise CommandError("--prepare needs PostgreSQL URLs (DATABASE_URL=postgres://…/name).")
        name = parts.path.strip("/")
        maintenance = urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(maintenance, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        env = {**os.environ, "DATABASE_URL": url}
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        started = time.perf_counter()
        subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True)
        subprocess.run(
            [*manage, "generate_region", "--seed", str(seed), *size],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        self.stdout.write(f"生成 {name}: {time.perf_counter() - started:.0f} 秒")

    # -- inside a worker ---------------------------------------------------------------------------
    def run_worker(self, name: str) -> None:
        if name.startswith(PAGES):  # "pages:N": the pages part, N requests a page
            from bench.pages import measure_pages

            requests = int(name.partition(":")[2] or PAGE_REQUESTS)
            self.stdout.write("PAGES " + json.dumps(measure_pages(requests)))
            return
        workload = bench.WORKLOADS.get(name)
        if workload is None:
            raise CommandError(f"unknown workload {name}")
        connection.ensure_connection()
        bench.mark_start()  # a workload with set-up marks the start again after it
        with CaptureQueriesContext(connection) as queries:
            rows, seconds = workload()
        result = Measure(name=name, rows=rows, seconds=seconds, peak_mb=bench.peak_mb(), queries=len(queries))
        self.stdout.write("RESULT " + json.dumps(asdict(result)))

    # -- the parent -------------------------------------------------------------------------------
    def measure(self, name: str, *, repeat: int = 1, database_url: str | None = None) -> Measure:
        best: Measure | None = None
        # The rollup stores its workbook: into a throw-away media folder, never the project's.
        env = {**os.environ, "DJANGO_MEDIA_ROOT": self.media_root}
        if database_url:
            env["DATABASE_URL"] = database_url
        for _ in range(repeat):
            done = subprocess.run(
                [sys.executable, str(settings.BASE_DIR / "manage.py"), "bench_exports", "--worker", name],
                capture_output=True,
                text=True,
                env=env,
                check=False,
            )
            lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
            if done.returncode != 0 or not lines:
                raise CommandError(f"{name} failed:\n{done.stdout}\n{done.stderr}")
            m = Measure(**json.loads(lines[-1][len("RESULT ") :]))
            if best is None:
                best = m
            else:
                best.seconds = min(best.seconds, m.seconds)
                best.peak_mb = min(best.peak_mb, m.peak_mb)
        assert best is not None
        return best

    def run_all(self, *, repeat: int, tenth_url: str) -> None:
        with tempfile.TemporaryDirectory(prefix="jjx-bench-media-") as media_root:
            self.media_root = media_root
            self._run_all(repeat=repeat, tenth_url=tenth_url)

    def _run_all(self, *, repeat: int, tenth_url: str) -> None:
        write = self.stdout.write
        started = time.perf_counter()
        results: dict[str, Measure] = {}
        write(f"{'workload':<{WIDTH}}{'rows':>9}{'seconds':>10}{'peak MB':>10}{'queries':>9}")

        def show(m: Measure, label: str | None = None) -> None:
            text = label or m.name
            pad = WIDTH - sum(2 if ord(c) > 0x2E7F else 1 for c in text)  # CJK characters are two wide
            write(
                f"{text}{' ' * max(1, pad)}{m.rows:>9}{m.seconds:>10.2f}{m.peak_mb:>10.1f}{m.queries or 0:>9}"
            )

        for name, cfg in bench.EXPORT_WORKLOADS.items():
            if name not in self.only:
                continue
            results[name] = self.measure(name, repeat=repeat if cfg.repeat else 1)
            show(results[name], cfg.label)
        for name, label in bench.AGGREGATE_WORKLOADS.items():
            if name not in self.only:
                continue
            results[name] = self.measure(name)
            show(results[name], f"{label} (全区)")
            if tenth_url:
                results[name + "@tenth"] = self.measure(name, database_url=tenth_url)
                show(results[name + "@tenth"], f"{label} (1/10 医院)")
        for name, (label, _) in bench.ONBOARDING_WORKLOADS.items():
            if name not in self.only:
                continue
            results[name] = self.measure(name)
            show(results[name], label)
        verdicts = bench.targets(results)
        if PAGES in self.only:
            verdicts += self.run_pages(tenth_url)
        write("")
        write("")
        for ok, text in verdicts:
            write(f"{'PASS' if ok else 'FAIL'}  {text}")
        write(f"\n共用时 {time.perf_counter() - started:.0f} 秒")
        if not all(ok for ok, _ in verdicts):
            raise CommandError("有目标未达到。")

    def pages_worker(self, database_url: str | None) -> dict[str, Any]:
        env = {**os.environ, "DJANGO_MEDIA_ROOT": self.media_root}
        if database_url:
            env["DATABASE_URL"] = database_url
        done = subprocess.run(
            [
                sys.executable,
                str(settings.BASE_DIR / "manage.py"),
                "bench_exports",
                "--worker",
                f"{PAGES}:{self.page_requests}",
            ],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        lines = [line for line in done.stdout.splitlines() if line.startswith("PAGES ")]
        if done.returncode != 0 or not lines:
            raise CommandError(f"pages failed:\n{done.stdout}\n{done.stderr}")
        result: dict[str, Any] = json.loads(lines[-1][len("PAGES ") :])
        return result

    def run_pages(self, tenth_url: str) -> list[tuple[bool, str]]:
        """The pages part (bench.pages): both databases, then the table and the targets."""
        from bench.pages import page_table, page_targets

        if not tenth_url:
            raise CommandError("页面部分需要 --tenth-database-url(比较全区与1/10医院)。")
        load = os.getloadavg()
        whole = self.pages_worker(None)
        tenth = self.pages_worker(tenth_url)
        after = os.getloadavg()
        self.stdout.write("")
        page_table(whole, tenth, self.stdout.write)
        self.stdout.write(
            f"1分钟负载: 开始 {load[0]:.2f}，结束 {after[0]:.2f}(5分钟 {after[1]:.2f})；"
            f"每页 {self.page_requests} 次请求"
        )
        return page_targets(whole, tenth)


def argparse_hidden() -> str:
    return "(internal) run one workload and print its measure"


Workload = Callable[[], tuple[int, float]]
