"""The workloads of ``manage.py bench_exports`` and the issue's targets.

Each workload returns (rows, seconds) and runs in its own process (see the command). The lecture ledger
is compared, on the same rows and the same 12 columns, with openpyxl write-only fed from a list (the
writer's floor), openpyxl's normal mode, and django-import-export's XLSX export of the same queryset.

The monthly rollup and the December evaluation run on the bench's clock (``BENCH_NOW``: early January
after the campaign year, when the scheduled rollup builds December's bulletin and the evaluation may
run), inside a transaction that is rolled back, so the generated database stays as generated and every
run measures the same work. Their "rows" are the hospitals they cover.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import gc
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from openpyxl import Workbook

from bench.generator import BENCH_ADMIN, CAMPAIGN_CODE
from exports.registry import export_kind_get
from exports.writer import Sheet, SheetWriter, write_workbook
from hospitals.models import ChangeRecord, User

# The small export that shows memory is flat: the first 10,000 lectures of the ledger.
SMALL_LEDGER_ROWS = 10_000
Workload = Callable[[], tuple[int, float]]
# "Now" for the rollup and the evaluation: 10 January after the campaign year (December's reports are
# past their due day, not yet locked; the scheduled rollup builds December's bulletin).
BENCH_NOW = dt.datetime(2022, 1, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
ROLLUP_MONTH = dt.date(2021, 12, 1)


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


_baseline_kb = 0


def mark_start() -> None:
    """The measured part starts here: its peak memory is counted from the resident memory now. Linux
    lets a process reset its own high-water mark (``clear_refs`` 5), so set-up work done before (the
    floor's in-memory list, a bulletin built to be exported) does not count in the peak."""
    global _baseline_kb
    # Give memory the set-up freed back to the system first, so the measured part cannot grow into it
    # unseen (glibc keeps freed heap resident; malloc_trim returns it).
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:  # not Linux, or not allowed: the peak then includes the set-up
        pass
    _baseline_kb = _status_kb("VmRSS")


def peak_mb() -> float:
    """The resident high-water mark since ``mark_start``, above what the process held then."""
    return max(0, _status_kb("VmHWM") - _baseline_kb) / 1024


def bench_user() -> User:
    return User.objects.get(username=BENCH_ADMIN)


def _export(kind: str, params: dict[str, list[str]] | None = None) -> tuple[int, float]:
    started = time.perf_counter()
    sheets = export_kind_get(kind).build(bench_user(), params or {})
    with tempfile.TemporaryFile(suffix=".xlsx") as handle:
        rows = write_workbook(handle, sheets)
    return rows, time.perf_counter() - started


def ledger_rows_in_memory() -> tuple[Sheet, list[list[Any]]]:
    """The ledger's own rows, read into a list before any timing starts."""
    (sheet,) = export_kind_get("lecture_ledger").build(bench_user(), {})
    return sheet, [list(row) for row in sheet.rows]


def floor() -> tuple[int, float]:
    sheet, raw = ledger_rows_in_memory()
    # The very values the ledger writes (text neutralised, booleans as 是/否), so both write the same cells.
    ws = Workbook(write_only=True).create_sheet()
    rows = [SheetWriter(ws, sheet.columns).values(row) for row in raw]
    mark_start()
    started = time.perf_counter()
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(sheet.title)
    ws.append([c.header for c in sheet.columns])
    for row in rows:
        ws.append(row)
    with tempfile.TemporaryFile(suffix=".xlsx") as handle:
        workbook.save(handle)
    return len(rows), time.perf_counter() - started


def openpyxl_normal() -> tuple[int, float]:
    sheet, rows = ledger_rows_in_memory()
    mark_start()
    started = time.perf_counter()
    workbook = Workbook()
    ws = workbook.active
    ws.append([c.header for c in sheet.columns])
    for row in rows:
        ws.append(row)
    with tempfile.TemporaryFile(suffix=".xlsx") as handle:
        workbook.save(handle)
    return len(rows), time.perf_counter() - started


def _import_export(*, stream: bool) -> tuple[int, float]:
    """django-import-export 4.x on the ledger's queryset: a ModelResource with the ledger's 12 columns,
    the foreign keys the columns follow selected (``kind``, ``speaker``; the organiser and banner names
    are the queryset's own annotations), and the coverage that 宣讲内容 is built from prefetched, each
    coverage row with its document and layer — no query per row.

    How the library reads a queryset (``Resource.iter_queryset``): without prefetches it streams it
    with ``QuerySet.iterator(chunk_size)``; with ``prefetch_related`` it pages through it with Django's
    ``Paginator`` (LIMIT/OFFSET) instead, ``chunk_size`` rows a page, default 100. At the default that
    is 1,000 pages for 100,000 rows, each re-running the sorted query up to a growing OFFSET plus three
    prefetch queries (4,000 queries, quadratic time: over 40 minutes). ``Meta.chunk_size`` is the
    documented setting for it: here the ledger's own batch (``BATCH_ROWS``), so both read the same rows
    per round trip — 50 pages, one prefetch query each. That is ``stream=False`` (the library as it
    comes). The OFFSET pages still cost it tens of seconds of database time at 100,000 rows, so the
    targets compare with ``stream=True``: ``iter_queryset`` overridden to stream the queryset with
    ``QuerySet.iterator(chunk_size)``, which prefetches per chunk since Django 4.1 — the library at its
    best, one sorted query and a prefetch per 2,000 rows, like the ledger.
    """
    from django.db.models import Prefetch
    from import_export import fields, resources

    from campaign.models import LectureCoverage, LectureSession, SpeakerRole
    from campaign.workbooks.lectures import ledger_queryset
    from exports.writer import BATCH_ROWS

    roles = dict(SpeakerRole.choices)

    class LectureResource(resources.ModelResource):
        held_on = fields.Field(attribute="held_on", column_name="宣讲日期")
        banner_name = fields.Field(attribute="banner_name", column_name="旗(区)")
        organiser_name = fields.Field(attribute="organiser_name", column_name="组织单位")
        kind_name = fields.Field(attribute="kind__name", column_name="宣讲形式")
        title = fields.Field(attribute="title", column_name="宣讲题目")
        speaker_name = fields.Field(attribute="speaker__name", column_name="宣讲人")
        speaker_role = fields.Field(column_name="宣讲人身份")
        content = fields.Field(column_name="宣讲内容(重点文件·层次)")
        attendance_expected = fields.Field(attribute="attendance_expected", column_name="应到人数")
        attendance_present = fields.Field(attribute="attendance_present", column_name="实到人数")
        attendance_share = fields.Field(attribute="attendance_share", column_name="出勤率")
        is_online = fields.Field(attribute="is_online", column_name="线上宣讲")

        class Meta:
            model = LectureSession
            fields = (
                "held_on", "banner_name", "organiser_name", "kind_name", "title", "speaker_name",
                "speaker_role", "content", "attendance_expected", "attendance_present", "attendance_share",
                "is_online",
            )  # fmt: skip
            chunk_size = BATCH_ROWS

        def iter_queryset(self, queryset: Any) -> Any:
            if stream:
                return queryset.iterator(chunk_size=self.get_chunk_size())
            return super().iter_queryset(queryset)

        def dehydrate_speaker_role(self, lecture: LectureSession) -> str:
            return roles.get(lecture.speaker_role, lecture.speaker_role)

        def dehydrate_content(self, lecture: LectureSession) -> str:
            docs: dict[int, list[str]] = {}
            for c in lecture.coverage.all():
                docs.setdefault(c.document.number, []).append(c.layer.name)
            parts = ["百年党史"] if lecture.party_history else []
            return "；".join(parts + [f"文件{n}({'、'.join(v)})" for n, v in docs.items()])

    started = time.perf_counter()
    coverage = LectureCoverage.objects.select_related("document", "layer").order_by(
        "document__number", "layer__order"
    )
    qs = (
        ledger_queryset(bench_user(), {})
        .select_related("kind", "speaker")
        .prefetch_related(Prefetch("coverage", queryset=coverage))
    )
    dataset = LectureResource().export(queryset=qs)
    content = dataset.export("xlsx")
    with tempfile.TemporaryFile(suffix=".xlsx") as handle:
        handle.write(content)
    return len(dataset), time.perf_counter() - started


def import_export() -> tuple[int, float]:
    return _import_export(stream=True)


def import_export_paged() -> tuple[int, float]:
    return _import_export(stream=False)


def ledger() -> tuple[int, float]:
    return _export("lecture_ledger")


def ledger_small() -> tuple[int, float]:
    """The ledger filtered, as a clerk would, to the campaign's first weeks: about 10,000 rows."""
    from campaign.models import LectureSession

    kind = export_kind_get("lecture_ledger")
    last = LectureSession.objects.order_by("held_on", "id").values_list("held_on", flat=True)[
        SMALL_LEDGER_ROWS - 1
    ]
    declared = kind.filterset_class.base_filters if kind.filterset_class else {}
    name = "held_before" if "held_before" in declared else "held_to"
    return _export("lecture_ledger", {name: [last.isoformat()]})


@contextmanager
def bench_clock() -> Iterator[None]:
    """The reporting clock at ``BENCH_NOW`` for the duration (the services read ``clock.now``)."""
    from core import clock

    saved = clock.now
    clock.now = lambda: BENCH_NOW
    try:
        yield
    finally:
        clock.now = saved


def bench_campaign() -> Any:
    from campaign.models import Campaign

    return Campaign.objects.select_related("league").get(code=CAMPAIGN_CODE)


def rollup() -> tuple[int, float]:
    """The monthly rollup as the scheduled task runs it (``rollup_previous_month``): December's bulletin
    for the whole campaign, figures and workbook, stored; rolled back afterwards."""
    from reporting.bulletins.services import rollup_previous_month

    with bench_clock(), transaction.atomic():
        started = time.perf_counter()
        built = rollup_previous_month()
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return sum(b.data["hospital_count"] for b in built), seconds


def rollup_figures() -> tuple[int, float]:
    """The rollup's figures alone (``bulletin_figures`` for December): the part that reads the region."""
    from reporting.bulletins.selectors import bulletin_figures

    with bench_clock():
        campaign = bench_campaign()
        started = time.perf_counter()
        figures = bulletin_figures(campaign, ROLLUP_MONTH)
        seconds = time.perf_counter() - started
    return figures["hospital_count"], seconds


def evaluation_figures() -> tuple[int, float]:
    """The evaluation's scores alone (``evaluation_scores``), without storing them."""
    from reporting.evaluation.services import evaluation_scores

    with bench_clock():
        campaign = bench_campaign()
        started = time.perf_counter()
        scores = evaluation_scores(campaign)
        seconds = time.perf_counter() - started
    return len(scores), seconds


def evaluation() -> tuple[int, float]:
    """The December evaluation (``evaluation_build``): every hospital scored, ranked and stored; rolled
    back afterwards."""
    from reporting.evaluation.services import evaluation_build

    with bench_clock(), transaction.atomic():
        campaign, user = bench_campaign(), bench_user()
        started = time.perf_counter()
        rows = evaluation_build(campaign_id=campaign.pk, actor=user, channel=ChangeRecord.Channel.SYSTEM)
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return len(rows), seconds


def bulletin_book() -> tuple[int, float]:
    """The monthly bulletin workbook (export kind ``bulletin``: one sheet per section) of December,
    built first by the rollup (not measured), then exported as a clerk downloads it; rolled back."""
    from reporting.bulletins.services import rollup_previous_month

    with bench_clock(), transaction.atomic():
        (bulletin,) = rollup_previous_month()
        mark_start()
        rows, seconds = _export("bulletin", {"bulletin": [str(bulletin.pk)]})
        transaction.set_rollback(True)
    return rows, seconds


def evaluation_book() -> tuple[int, float]:
    """The December evaluation workbook (export kind ``evaluation``) of the whole region, after the
    evaluation has been built (not measured); rolled back."""
    from reporting.evaluation.services import evaluation_build

    with bench_clock(), transaction.atomic():
        evaluation_build(campaign_id=bench_campaign().pk, actor=bench_user())
        mark_start()
        rows, seconds = _export("evaluation")
        transaction.set_rollback(True)
    return rows, seconds


# The onboarding measurement: a new league of this many hospitals in this many banners, each hospital
# with its secretary, president and three department heads, three departments and a reporter account,
# and an alliance per ten hospitals. The tenth runs the same with a tenth of the hospitals, to show that
# the queries do not grow with them.
ONBOARDING_HOSPITALS = 300
ONBOARDING_BANNERS = 10
ONBOARDING_DEPARTMENTS = ("内科", "外科", "护理部")
ONBOARDING_LIMIT_S = 30.0


def onboarding_rows(banners: list[str], hospitals: int) -> dict[str, list[list[Any]]]:
    """The sheets of an onboarding workbook for ``hospitals`` new hospitals spread over ``banners``."""
    rows: dict[str, list[list[Any]]] = {t: [] for t in ("医院", "科室", "人员", "职务", "医联体", "账号")}
    for n in range(1, hospitals + 1):
        code, banner = f"ON{n:04d}", banners[n % len(banners)]
        rows["医院"].append([code, f"入驻测试医院{n}", banner, "二级", "综合", "否", 100 + n])
        people = [(f"{code}-P{i}", f"人员{n}-{i}") for i in range(1, 6)]
        for (person, name), title in zip(
            people, ["党委书记", "院长", "内科主任", "外科主任", "护理部主任"], strict=True
        ):
            rows["人员"].append([person, name, code, "", title, f"{person.lower()}@example.org", ""])
        rows["职务"].append([people[0][0], "党委书记", code, "", "2020-01-01", None])
        rows["职务"].append([people[1][0], "院长", code, "", "2019-06-01", None])
        for department, (person, _) in zip(ONBOARDING_DEPARTMENTS, people[2:], strict=True):
            rows["科室"].append([code, department, person])
        rows["账号"].append([f"on{n:04d}", f"入驻测试医院{n}填报员", "医院填报员", code, "", "", "是"])
    for start in range(1, hospitals + 1, 10):
        members = [f"ON{n:04d}" for n in range(start, min(start + 10, hospitals + 1))]
        banner = banners[start % len(banners)]
        rows["医联体"].append(
            [f"ONCC{start:04d}", f"入驻测试医共体{start}", "医共体", banner, members[0], "、".join(members)]
        )
    return rows


def _onboarding(hospitals: int) -> tuple[int, float]:
    """A whole league onboarded from its workbook, as its clerk does it: the upload's dry run and the
    confirm (every row created, every account with its one-time password, the history); then the same
    workbook again, which must change nothing. In a transaction rolled back afterwards."""
    import io

    import openpyxl

    from hospitals.models import OnboardingImport, OrgUnit
    from hospitals.onboarding import (
        FIRST_ROW,
        onboarding_import_confirm,
        onboarding_import_create,
        onboarding_workbook_build,
    )

    with transaction.atomic():
        admin = bench_user()
        region = OrgUnit.objects.get(kind=OrgUnit.Kind.REGION, parent__isnull=True)
        league = OrgUnit.objects.create(
            code="ONBL", name="入驻测试盟", kind=OrgUnit.Kind.LEAGUE, parent=region
        )
        banners = [
            OrgUnit.objects.create(
                code=f"ONBL-B{b:02d}", name=f"入驻测试旗{b}", kind=OrgUnit.Kind.BANNER, parent=league
            )
            for b in range(1, ONBOARDING_BANNERS + 1)
        ]
        wb = openpyxl.load_workbook(
            io.BytesIO(onboarding_workbook_build(actor=admin, league=league, filled=False))
        )
        for title, values in onboarding_rows([b.code for b in banners], hospitals).items():
            for r, row in enumerate(values, start=FIRST_ROW):
                for c, value in enumerate(row, start=1):
                    wb[title].cell(row=r, column=c, value=value)
        out = io.BytesIO()
        wb.save(out)
        data = out.getvalue()
        mark_start()
        started = time.perf_counter()
        batch = onboarding_import_create(actor=admin, league=league, data=data, file_name="bench.xlsx")
        done = onboarding_import_confirm(actor=admin, batch=batch)
        seconds = time.perf_counter() - started
        if batch.errors or len(done.accounts) != hospitals:
            raise AssertionError(f"onboarding failed: {batch.errors[:3]}")
        again = onboarding_import_create(actor=admin, league=league, data=data, file_name="bench.xlsx")
        if again.changes or again.status != OnboardingImport.Status.PENDING:
            raise AssertionError("the second load of the same workbook changed something")
        transaction.set_rollback(True)
    return hospitals, seconds


def onboarding() -> tuple[int, float]:
    return _onboarding(ONBOARDING_HOSPITALS)


def onboarding_tenth() -> tuple[int, float]:
    return _onboarding(ONBOARDING_HOSPITALS // 10)


@contextmanager
def region_month_reported() -> Iterator[tuple[User, User]]:
    """What the region rollup reads, made first (not measured) inside a transaction that is rolled back:
    December's bulletin and the December evaluation built and published; yields a region reviewer
    (自治区审核员, on the region ``OrgUnit``) and the first league's reviewer, both fresh (their units not
    yet read, as a request's user), so that either reading starts from the same set-up queries."""
    from hospitals.models import OrgUnit, Role
    from reporting.bulletins.services import bulletin_publish, rollup_previous_month
    from reporting.evaluation.services import evaluation_build, evaluation_publish

    with bench_clock(), transaction.atomic():
        admin = bench_user()
        (bulletin,) = rollup_previous_month()
        bulletin_publish(bulletin_id=bulletin.pk, actor=admin, channel=ChangeRecord.Channel.SYSTEM)
        campaign_id = bench_campaign().pk
        evaluation_build(campaign_id=campaign_id, actor=admin, channel=ChangeRecord.Channel.SYSTEM)
        evaluation_publish(campaign_id=campaign_id, actor=admin, channel=ChangeRecord.Channel.SYSTEM)
        region = OrgUnit.objects.get(kind=OrgUnit.Kind.REGION)
        # The league of the region's first hospital (the seeds' Alxa league holds none in the bench).
        league = (
            OrgUnit.objects.filter(kind=OrgUnit.Kind.LEAGUE, children__hospitals__isnull=False)
            .order_by("code")
            .first()
        )
        made = [
            User.objects.create(username=REGION_REVIEWER, role=Role.REGION_REVIEWER, org_unit=region),
            User.objects.create(
                username=f"{REGION_REVIEWER}-league", role=Role.LEAGUE_REVIEWER, org_unit=league
            ),
        ]
        try:
            yield User.objects.get(pk=made[0].pk), User.objects.get(pk=made[1].pk)
        finally:
            transaction.set_rollback(True)


REGION_REVIEWER = "bench-region-rollup"


def _region_rollup(one_league: bool) -> tuple[int, float]:
    from reporting.region.selectors import region_rollup

    with region_month_reported() as (region_reviewer, league_reviewer):
        user = league_reviewer if one_league else region_reviewer
        mark_start()
        started = time.perf_counter()
        rollup = region_rollup(user=user)
        seconds = time.perf_counter() - started
    return sum(r.hospitals for r in rollup.leagues), seconds


def region_rollup_all() -> tuple[int, float]:
    """The region rollup (全区汇总, ``region_rollup``) as the region reviewer reads it: every league."""
    return _region_rollup(one_league=False)


def region_rollup_one() -> tuple[int, float]:
    """The same, as one league's reviewer: one league's row (the comparison that shows it flat in leagues)."""
    return _region_rollup(one_league=True)


def region_book() -> tuple[int, float]:
    """The region rollup workbook (export kind ``region_rollup``) as the region reviewer downloads it."""
    from reporting.region.workbook import CODE

    with region_month_reported() as (user, _):
        mark_start()
        started = time.perf_counter()
        sheets = export_kind_get(CODE).build(user, {})
        with tempfile.TemporaryFile(suffix=".xlsx") as handle:
            rows = write_workbook(handle, sheets)
        seconds = time.perf_counter() - started
    return rows, seconds


@dataclass(frozen=True)
class ExportWorkload:
    label: str
    run: Workload
    repeat: bool = False  # measured --repeat times (the ones the tight targets compare)
    kind: str = ""  # the export kind it writes, if any (every registered kind must have one)


EXPORT_WORKLOADS: dict[str, ExportWorkload] = {
    "floor": ExportWorkload("写入下限 openpyxl只写(内存列表)", floor, repeat=True),
    "ledger": ExportWorkload("宣讲台账 lecture_ledger", ledger, repeat=True, kind="lecture_ledger"),
    "ledger_10k": ExportWorkload("宣讲台账 前1万行", ledger_small),
    "openpyxl_normal": ExportWorkload("openpyxl 普通模式(内存列表)", openpyxl_normal),
    "import_export": ExportWorkload("django-import-export XLSX (流式读取)", import_export),
    "import_export_paged": ExportWorkload("django-import-export XLSX (默认分页读取)", import_export_paged),
    "action_tracker": ExportWorkload(
        "见行动任务清单 action_tracker", lambda: _export("action_tracker"), kind="action_tracker"
    ),
    "indicator_table": ExportWorkload(
        "出成效指标表 indicator_table (全年)",
        lambda: _export("indicator_table", {"period": ["ytd"], "month": ["12"]}),
        kind="indicator_table",
    ),
    "hospital_roster": ExportWorkload(
        "医院名册 hospital_roster", lambda: _export("hospital_roster"), kind="hospital_roster"
    ),
    "bulletin_workbook": ExportWorkload("月度通报 bulletin (12月)", bulletin_book, kind="bulletin"),
    "evaluation_workbook": ExportWorkload("年终评估 evaluation", evaluation_book, kind="evaluation"),
    "region_workbook": ExportWorkload("全区汇总 region_rollup (工作簿)", region_book, kind="region_rollup"),
    "region_one_league": ExportWorkload("全区汇总 region_rollup (1个盟审核员)", region_rollup_one),
}
# The aggregates measured on the whole region and on a tenth of its hospitals: name → label.
AGGREGATE_WORKLOADS: dict[str, str] = {
    "rollup_figures": "月度汇总 bulletin_figures (12月)",
    "rollup": "月度汇总 rollup 生成通报 (12月)",
    "evaluation_scores": "年终评估 evaluation_scores",
    "evaluation": "年终评估 evaluation_build",
    "region": "全区汇总 region_rollup",
}
AGGREGATE_RUNS: dict[str, Workload] = {
    "rollup_figures": rollup_figures,
    "rollup": rollup,
    "evaluation_scores": evaluation_figures,
    "evaluation": evaluation,
    "region": region_rollup_all,
}
# The onboarding workbook (issue 16): name → label; measured on the region's database.
ONBOARDING_WORKLOADS: dict[str, tuple[str, Workload]] = {
    "onboarding": (f"入驻工作簿 预览+确认 ({ONBOARDING_HOSPITALS}家医院)", onboarding),
    "onboarding_tenth": (f"入驻工作簿 预览+确认 ({ONBOARDING_HOSPITALS // 10}家医院)", onboarding_tenth),
}
WORKLOADS: dict[str, Workload] = (
    {name: w.run for name, w in EXPORT_WORKLOADS.items()}
    | AGGREGATE_RUNS
    | {name: run for name, (_, run) in ONBOARDING_WORKLOADS.items()}
)


def targets(results: dict[str, Any]) -> list[tuple[bool, str]]:
    """The issue's targets as (met, explanation) pairs."""
    out: list[tuple[bool, str]] = []
    led, flo, ie, small = (results.get(k) for k in ("ledger", "floor", "import_export", "ledger_10k"))
    if led and flo:
        ratio = led.seconds / flo.seconds
        out.append(
            (
                ratio <= 1.25,
                f"宣讲台账耗时 ≤ 1.25×写入下限: {led.seconds:.2f}s / {flo.seconds:.2f}s = {ratio:.2f}×",
            )
        )
    if led and ie:
        ratio = ie.seconds / led.seconds
        out.append(
            (
                ratio >= 2,
                f"比 django-import-export 快 ≥ 2×: {ie.seconds:.2f}s / {led.seconds:.2f}s = {ratio:.2f}×",
            )
        )
        share = led.peak_mb / ie.peak_mb if ie.peak_mb else 0
        out.append(
            (
                share <= 0.2,
                f"峰值内存 ≤ import-export 的1/5: {led.peak_mb:.1f}MB / {ie.peak_mb:.1f}MB = {share:.2f}",
            )
        )
    if led and small:
        ratio = led.peak_mb / small.peak_mb if small.peak_mb else float("inf")
        out.append(
            (
                ratio <= 1.3,
                f"内存平稳: 10万行峰值 ≤ 1.3×1万行峰值: "
                f"{led.peak_mb:.1f}MB / {small.peak_mb:.1f}MB = {ratio:.2f}×",
            )
        )
    whole, tenth = results.get("onboarding"), results.get("onboarding_tenth")
    if whole is not None:
        out.append(
            (
                whole.seconds <= ONBOARDING_LIMIT_S,
                f"入驻{ONBOARDING_HOSPITALS}家医院耗时 ≤ {ONBOARDING_LIMIT_S:g}s: {whole.seconds:.2f}s",
            )
        )
        if tenth is not None:
            out.append(
                (
                    whole.queries == tenth.queries,
                    f"入驻查询数与医院数无关: {ONBOARDING_HOSPITALS}家 {whole.queries} / "
                    f"{ONBOARDING_HOSPITALS // 10}家 {tenth.queries}",
                )
            )
    for name, (label, limit) in AGGREGATE_LIMITS.items():
        # ``queries`` counts the whole worker, so fixed set-up queries are counted on both sides.
        whole, tenth = results.get(name), results.get(name + "@tenth")
        if whole is None:
            continue
        if tenth is not None:
            out.append(
                (
                    whole.queries == tenth.queries,
                    f"{label}查询数与医院数无关: 全区 {whole.queries} / 1/10 {tenth.queries}",
                )
            )
        out.append((whole.seconds <= limit, f"{label}全区耗时 ≤ {limit}s: {whole.seconds:.2f}s"))
    region, one = results.get("region"), results.get("region_one_league")
    if region and one:
        # The same database and set-up: every league's rows (the region reviewer) against one league's.
        out.append(
            (
                region.queries == one.queries,
                f"全区汇总查询数与盟(市)数无关: 全部盟(市) {region.queries} / 1个盟(市) {one.queries}",
            )
        )
    return out


# The limits for the whole region, in seconds: the rollup at most 2 s, the evaluation 5 s.
# The figures alone are held to the same limits as the builds that contain them.
AGGREGATE_LIMITS: dict[str, tuple[str, float]] = {
    "rollup_figures": ("月度汇总(仅数据)", 2.0),
    "rollup": ("月度汇总(生成通报)", 2.0),
    "evaluation_scores": ("年终评估(仅评分)", 5.0),
    "evaluation": ("年终评估(生成并保存)", 5.0),
    "region": ("全区汇总", 2.0),
}
