"""Reads for the dashboard (SPEC §10): each chart is built from the selectors the bulletin uses, limited
to the viewer's scope, so the dashboard and the bulletin cannot disagree about a figure.

A chart is plain data (labels and series); the page draws it with Chart.js from our static files and
prints the same numbers as a table underneath, for phones, screen readers and tests.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db.models import Case, CharField, Count, Q, QuerySet, Value, When
from django.db.models.functions import TruncMonth

from campaign.calendar import campaign_months, current_month, report_months
from campaign.compliance import ComplianceState, checked_milestones, milestone_compliance
from campaign.models import Campaign, LectureKind
from campaign.selectors import lecture_list
from core import clock
from core.charts import (
    LATE_AMBER,
    MISSING_RED,
    OK_GREEN,
    VERDICT_COLORS,
    Chart,
    Series,
)
from core.months import month_has_ended
from core.versions import cached, cached_rows
from hospitals.models import Hospital, OrgUnit
from hospitals.selectors import AnyUser, hospitals_visible_to
from reporting.bulletins.selectors import CATEGORY_LABELS
from reporting.indicators.selectors import Period, figure_parts, figure_tables
from reporting.indicators.targets import Verdict, indicator_evaluations
from reporting.reports.selectors import reports_visible_to


def _hospital_counts(user: AnyUser) -> list[tuple[str, str, int]]:
    """(banner, level, hospitals) in the viewer's scope, counted by the database, banners in code order."""
    rows = cached_rows(
        hospitals_visible_to(user)
        .select_related(None)
        .values("banner__code", "banner__name", "level")
        .annotate(n=Count("id"))
        .order_by("banner__code", "level")
    )
    return [(r["banner__name"], r["level"], r["n"]) for r in rows]


def chart_hospitals_by_banner(
    user: AnyUser, hospital_counts: list[tuple[str, str, int]] | None = None
) -> Chart:
    """The hospitals in the viewer's scope, per banner and level: the denominator of every other chart."""
    rows = _hospital_counts(user) if hospital_counts is None else hospital_counts
    banners = list(dict.fromkeys(b for b, _, _ in rows))
    counts = {(b, level): n for b, level, n in rows}
    return Chart(
        key="hospitals",
        title="参加活动的医院（按旗区、等级）",
        labels=banners,
        series=[
            Series(label, [counts.get((b, level), 0) for b in banners])
            for level, label in Hospital.Level.choices
        ],
        stacked=True,
        unit="家",
    )


def _month_label(month: dt.date) -> str:
    return f"{month.year}年{month.month}月"


def _lecture_counts(user: AnyUser, campaign: Campaign) -> list[tuple[str, str, dt.date, int]]:
    """(banner, kind, month, lectures) for the lectures the user may see: a hospital's lecture counts
    for its banner, a 集中宣讲 for the banner that held it. Kept under the versions of the tables
    it reads (``core.versions``)."""
    rows = cached_rows(
        lecture_list(user=user)
        .prefetch_related(None)
        .filter(campaign=campaign)
        .annotate(month=TruncMonth("held_on"))
        .values("hospital__banner__name", "org_unit__name", "kind__name", "month")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [
        (r["hospital__banner__name"] or r["org_unit__name"], r["kind__name"], r["month"], r["n"])
        for r in rows
    ]


def _kind_names(campaign: Campaign) -> list[str]:
    return list(
        LectureKind.objects.filter(campaign=campaign).order_by("order").values_list("name", flat=True)
    )


LectureCounts = list[tuple[str, str, dt.date, int]]


def chart_lectures_by_banner(
    user: AnyUser,
    campaign: Campaign,
    counts: LectureCounts | None = None,
    hospital_counts: list[tuple[str, str, int]] | None = None,
    kinds: list[str] | None = None,
) -> Chart:
    counts = _lecture_counts(user, campaign) if counts is None else counts
    rows = _hospital_counts(user) if hospital_counts is None else hospital_counts
    banners = list(dict.fromkeys(b for b, _, _ in rows))
    totals: Counter[tuple[str, str]] = Counter()
    for row_banner, kind, _, n in counts:
        totals[(row_banner, kind)] += n
    return Chart(
        key="lectures-banner",
        title="宣讲场次（按旗区、宣讲形式）",
        labels=banners,
        series=[
            Series(kind, [totals[(b, kind)] for b in banners])
            for kind in (_kind_names(campaign) if kinds is None else kinds)
        ],
        stacked=True,
        unit="场",
        empty_text="尚未登记宣讲。",
    )


def chart_lectures_by_month(
    user: AnyUser,
    campaign: Campaign,
    banner: str = "",
    counts: LectureCounts | None = None,
    kinds: list[str] | None = None,
) -> Chart:
    counts = _lecture_counts(user, campaign) if counts is None else counts
    months = campaign_months(campaign)
    totals: Counter[tuple[dt.date, str]] = Counter()
    for row_banner, kind, month, n in counts:
        if not banner or row_banner == banner:
            totals[(month, kind)] += n
    return Chart(
        key="lectures-month",
        title=f"宣讲场次（按月份、宣讲形式）{'· ' + banner if banner else ''}",
        labels=[_month_label(m) for m in months],
        series=[
            Series(kind, [totals[(m, kind)] for m in months])
            for kind in (_kind_names(campaign) if kinds is None else kinds)
        ],
        stacked=True,
        unit="场",
        empty_text="尚未登记宣讲。",
    )


def chart_supervision(
    user: AnyUser, campaign: Campaign, hospital_counts: list[tuple[str, str, int]] | None = None
) -> Chart:
    """Per banner: the lectures held, and those a health commission official attended (§四(一)
    "卫生健康委主要负责人或分管领导要出席指导"). One query."""
    rows = (
        lecture_list(user=user)
        .prefetch_related(None)
        .filter(campaign=campaign)
        .values("hospital__banner__name", "org_unit__name")
        .annotate(
            n=Count("id", distinct=True),
            supervised=Count("id", distinct=True, filter=Q(supervising_officials__isnull=False)),
        )
        .order_by()
    )
    held: Counter[str] = Counter()
    supervised: Counter[str] = Counter()
    for row in rows:
        name = row["hospital__banner__name"] or row["org_unit__name"]
        held[name] += row["n"]
        supervised[name] += row["supervised"]
    counts = _hospital_counts(user) if hospital_counts is None else hospital_counts
    banners = list(dict.fromkeys(b for b, _, _ in counts))
    return Chart(
        key="supervision",
        title="卫生健康委领导出席指导宣讲（按旗区）",
        labels=banners,
        series=[
            Series("宣讲场次", [held[b] for b in banners]),
            Series("有领导出席指导", [supervised[b] for b in banners]),
        ],
        unit="场",
        note=f"共{sum(held.values())}场，其中{sum(supervised.values())}场有卫生健康委领导出席指导",
        empty_text="尚未登记宣讲。",
    )


def chart_milestones(user: AnyUser, campaign: Campaign, on: dt.date) -> Chart:
    """How many hospitals in scope meet each checked milestone, as of ``on`` (campaign.compliance)."""
    per_hospital = milestone_compliance(campaign=campaign, hospitals=hospitals_visible_to(user), on=on)
    milestones = checked_milestones(campaign)
    counts = Counter((status.milestone.pk, status.state) for row in per_hospital.values() for status in row)
    return Chart(
        key="milestones",
        title="时间节点完成情况（医院数）",
        labels=[f"{m.due_on:%m-%d} {m.name}" for m in milestones],
        series=[
            Series(str(state.label), [counts[(m.pk, state.value)] for m in milestones])
            for state in (ComplianceState.MET, ComplianceState.NOT_MET, ComplianceState.NOT_DUE)
        ],
        stacked=True,
        horizontal=True,
        unit="家",
        note=f"截至{on:%Y-%m-%d}",
        colors=VERDICT_COLORS,
    )


def indicator_verdict_counts(
    campaign: Campaign, hospitals: QuerySet[Hospital], period: Period
) -> tuple[dict[tuple[str, str], int], set[str]]:
    """(indicators × hospitals per (level, verdict), the levels present) of these hospitals: the live
    computation (``indicator_evaluations``), about 11,000 verdicts for a region of 300 hospitals."""
    table = indicator_evaluations(
        campaign=campaign, hospitals=hospitals, banners=OrgUnit.objects.none(), period=period
    )
    levels = {h.pk: h.level for h in hospitals}
    counts = Counter((levels[e.unit_id], e.verdict) for e in table.units if e.scope == "hospital")
    return dict(counts), set(levels.values())


def chart_indicators_by_level(user: AnyUser, campaign: Campaign, on: dt.date) -> Chart:
    """Hospital indicators met / not met / no data, per hospital level, year to date (reporting.targets).

    The counts are kept under the figures' table versions (``core.versions``): computed again only after
    a value, an indicator, the campaign, a hospital or a unit changed."""
    month = current_month(campaign, on)
    period = Period.year_to_date(campaign.year, month.month)
    hospitals = hospitals_visible_to(user)
    stored, levels = cached(
        "dashboard-indicators",
        figure_parts(campaign, period, hospitals, OrgUnit.objects.none()),
        figure_tables(),
        lambda: indicator_verdict_counts(campaign, hospitals, period),
    )
    counts = Counter(stored)
    present = [(level, label) for level, label in Hospital.Level.choices if level in levels]
    return Chart(
        key="indicators",
        title="出成效指标达标情况（按医院等级，指标×医院）",
        labels=[str(label) for _, label in present],
        series=[
            Series(Verdict.LABELS[v], [counts[(level, v)] for level, _ in present])
            for v in (Verdict.MET, Verdict.NOT_MET, Verdict.NO_DATA)
        ],
        stacked=True,
        unit="项",
        colors=VERDICT_COLORS,
        note=f"{campaign.year}年1月至{month.month}月累计，与上年同期比较",
    )


def chart_submissions(user: AnyUser, campaign: Campaign, on: dt.date) -> Chart:
    """Monthly reports on time / late / missing per month, with the bulletin's own categories
    (``reporting.bulletins.submission_category``)."""
    months = [m for m in report_months(campaign) if month_has_ended(m, today=on)]
    hospitals = hospitals_visible_to(user).count()
    # submission_category in SQL: never submitted is "missing", a late first submission "late".
    category = Case(
        When(first_submitted_at__isnull=True, then=Value("missing")),
        When(late_days__gt=0, then=Value("late")),
        default=Value("on_time"),
        output_field=CharField(),
    )
    rows = (
        reports_visible_to(user)
        .select_related(None)
        .filter(campaign=campaign, month__in=months)
        .annotate(category=category)
        .values("month", "category")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: Counter[tuple[dt.date, str]] = Counter({(r["month"], r["category"]): r["n"] for r in rows})
    for m in months:  # a hospital without a report for the month has not submitted it either
        counts[(m, "missing")] = hospitals - counts[(m, "on_time")] - counts[(m, "late")]
    return Chart(
        key="reports",
        title="月度自查报告提交情况（医院数）",
        labels=[_month_label(m) for m in months],
        series=[
            Series(CATEGORY_LABELS[c], [counts[(m, c)] for m in months])
            for c in ("on_time", "late", "missing")
        ],
        stacked=True,
        unit="家",
        empty_text="尚无到期的月度自查报告。",
        colors=[OK_GREEN, LATE_AMBER, MISSING_RED],
    )


def dashboard_charts(
    user: AnyUser, campaign: Campaign | None, *, on: dt.date | None = None, banner: str = ""
) -> list[Chart]:
    """Every chart of the dashboard, in the order the page shows them."""
    if campaign is None:
        return [chart_hospitals_by_banner(user)]
    on = on or clock.today()
    # Read once, drawn by several charts: the lectures are counted once, the hospitals too.
    lectures = _lecture_counts(user, campaign)
    hospitals = _hospital_counts(user)
    kinds = _kind_names(campaign)
    return [
        chart_lectures_by_banner(user, campaign, lectures, hospitals, kinds),
        chart_lectures_by_month(user, campaign, banner, lectures, kinds),
        chart_supervision(user, campaign, hospitals),
        chart_milestones(user, campaign, on),
        chart_indicators_by_level(user, campaign, on),
        chart_submissions(user, campaign, on),
        chart_hospitals_by_banner(user, hospitals),
    ]
