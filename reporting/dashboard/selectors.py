"""Reads for the dashboard (SPEC §10): each chart is built from the selectors the bulletin uses, limited
to the viewer's scope, so the dashboard and the bulletin cannot disagree about a figure.

A chart is plain data (labels and series); the page draws it with Chart.js from our static files and
prints the same numbers as a table underneath, for phones, screen readers and tests.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db.models import Count
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
from hospitals.models import Hospital, OrgUnit
from hospitals.selectors import AnyUser, hospitals_visible_to
from reporting.bulletins.selectors import CATEGORY_LABELS, submission_category
from reporting.indicators.selectors import Period
from reporting.indicators.targets import Verdict, indicator_evaluations
from reporting.reports.selectors import reports_visible_to


def chart_hospitals_by_banner(user: AnyUser) -> Chart:
    """The hospitals in the viewer's scope, per banner and level: the denominator of every other chart."""
    hospitals = list(hospitals_visible_to(user).order_by("banner__code", "code"))
    banners = list(dict.fromkeys(h.banner.name for h in hospitals))
    counts = Counter((h.banner.name, h.level) for h in hospitals)
    return Chart(
        key="hospitals",
        title="参加活动的医院（按旗区、等级）",
        labels=banners,
        series=[
            Series(label, [counts[(b, level)] for b in banners]) for level, label in Hospital.Level.choices
        ],
        stacked=True,
        unit="家",
    )


def _month_label(month: dt.date) -> str:
    return f"{month.year}年{month.month}月"


def _lecture_counts(user: AnyUser, campaign: Campaign) -> list[tuple[str, str, dt.date, int]]:
    """(banner, kind, month, lectures) for the lectures the user may see: a hospital's lecture counts
    for its banner, a 集中宣讲 for the banner that held it."""
    rows = (
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


def chart_lectures_by_banner(user: AnyUser, campaign: Campaign) -> Chart:
    counts = _lecture_counts(user, campaign)
    banners = list(dict.fromkeys(h.banner.name for h in hospitals_visible_to(user).order_by("banner__code")))
    totals: Counter[tuple[str, str]] = Counter()
    for row_banner, kind, _, n in counts:
        totals[(row_banner, kind)] += n
    return Chart(
        key="lectures-banner",
        title="宣讲场次（按旗区、宣讲形式）",
        labels=banners,
        series=[Series(kind, [totals[(b, kind)] for b in banners]) for kind in _kind_names(campaign)],
        stacked=True,
        unit="场",
        empty_text="尚未登记宣讲。",
    )


def chart_lectures_by_month(user: AnyUser, campaign: Campaign, banner: str = "") -> Chart:
    counts = _lecture_counts(user, campaign)
    months = campaign_months(campaign)
    totals: Counter[tuple[dt.date, str]] = Counter()
    for row_banner, kind, month, n in counts:
        if not banner or row_banner == banner:
            totals[(month, kind)] += n
    return Chart(
        key="lectures-month",
        title=f"宣讲场次（按月份、宣讲形式）{'· ' + banner if banner else ''}",
        labels=[_month_label(m) for m in months],
        series=[Series(kind, [totals[(m, kind)] for m in months]) for kind in _kind_names(campaign)],
        stacked=True,
        unit="场",
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


def chart_indicators_by_level(user: AnyUser, campaign: Campaign, on: dt.date) -> Chart:
    """Hospital indicators met / not met / no data, per hospital level, year to date (reporting.targets)."""
    month = current_month(campaign, on)
    table = indicator_evaluations(
        campaign=campaign,
        hospitals=hospitals_visible_to(user),
        banners=OrgUnit.objects.none(),
        period=Period.year_to_date(campaign.year, month.month),
    )
    levels = {h.pk: h.level for h in hospitals_visible_to(user)}
    counts = Counter((levels[e.unit_id], e.verdict) for e in table.units if e.scope == "hospital")
    present = [(level, label) for level, label in Hospital.Level.choices if level in levels.values()]
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
    hospital_ids = list(hospitals_visible_to(user).values_list("pk", flat=True))
    reports = {
        (r.hospital_id, r.month): r
        for r in reports_visible_to(user).filter(campaign=campaign, month__in=months)
    }
    counts: Counter[tuple[dt.date, str]] = Counter(
        (m, submission_category(reports.get((h, m)))) for m in months for h in hospital_ids
    )
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
    return [
        chart_lectures_by_banner(user, campaign),
        chart_lectures_by_month(user, campaign, banner),
        chart_milestones(user, campaign, on),
        chart_indicators_by_level(user, campaign, on),
        chart_submissions(user, campaign, on),
        chart_hospitals_by_banner(user),
    ]
