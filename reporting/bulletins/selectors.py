"""The monthly bulletin (月度通报, SPEC §7): figures, build, publish, and its workbook.

Figures come from submitted and approved data only — a draft report counts as missing. The bulletin is
one row per (campaign, month): building again replaces its figures and its workbook, never adds a
second one; a published bulletin is the league's record and is not rebuilt. The figures are read with
a fixed number of queries whatever the number of hospitals (issue 6 benchmarks 30 against 300).

Sections are pluggable: each provider reads the month in bulk and returns its sections and, optionally,
a 0–100 score per hospital; the ranking is the mean of the scores a hospital has.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from campaign.calendar import report_months
from campaign.compliance import (
    ComplianceState,
    MilestoneStatus,
    checked_milestones,
    milestone_compliance,
    unit_launch_compliance,
)
from campaign.models import (
    OVERDUE,
    ActionItem,
    Campaign,
    LectureKind,
    LectureSession,
    Milestone,
    ProgressStatus,
)
from campaign.selectors import campaign_hospitals, campaigns_visible_to
from core.charts import (
    LATE_AMBER,
    MISSING_RED,
    NO_DATA_GREY,
    OK_GREEN,
    VERDICT_COLORS,
    Chart,
    Number,
    Series,
)
from core.months import next_month
from hospitals.models import Hospital, OrgUnit, Role, User
from hospitals.selectors import AnyUser
from reporting.bulletins.models import Bulletin
from reporting.dispatch.selectors import banner_dispatch_rows
from reporting.indicators.selectors import Period
from reporting.indicators.targets import TargetResult, Verdict, indicator_evaluations
from reporting.reports.models import MonthlyReport

# A late report loses this many points per day late in the punctuality score, down to the floor.
LATE_PENALTY_PER_DAY = 10
LATE_FLOOR = 40


def bulletin_months(campaign: Campaign) -> list[dt.date]:
    """Bulletins run monthly from ``bulletin_from_month`` (notice §三(三): "7月起…盟卫生健康委按月通报")."""
    return report_months(campaign)


@dataclass
class Section:
    key: str
    title: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "title": self.title, "columns": self.columns, "rows": self.rows}


@dataclass
class MonthFacts:
    """What every provider gets: the campaign, the month and its hospitals (banner loaded)."""

    campaign: Campaign
    month: dt.date
    hospitals: list[Hospital]


SectionProvider = Callable[[MonthFacts], tuple[list[Section], dict[int, float]]]


def submission_category(report: MonthlyReport | None) -> str:
    if report is None or report.first_submitted_at is None:
        return "missing"
    return "late" if report.late_days > 0 else "on_time"


# The report states whose figures the bulletin counts: submitted at least once and not sent back.
COUNTED_STATES = (
    MonthlyReport.Status.SUBMITTED,
    MonthlyReport.Status.BANNER_REVIEWED,
    MonthlyReport.Status.RESUBMITTED,
    MonthlyReport.Status.APPROVED,
)
CATEGORY_LABELS = {"on_time": "按时提交", "late": "逾期提交", "missing": "未提交"}


def _reports_section(facts: MonthFacts) -> tuple[list[Section], dict[int, float]]:
    reports = {
        r.hospital_id: r
        for r in MonthlyReport.objects.filter(campaign=facts.campaign, month=facts.month).order_by()
    }
    by_hospital = Section(
        "reports", "月度自查报告提交情况", ["旗(区)", "医院", "等级", "状态", "提交情况", "逾期天数"]
    )
    banner_counts: dict[str, dict[str, int]] = defaultdict(
        lambda: {"hospitals": 0, "on_time": 0, "late": 0, "missing": 0, "approved": 0}
    )
    scores: dict[int, float] = {}
    for hospital in facts.hospitals:
        report = reports.get(hospital.pk)
        category = submission_category(report)
        status = report.get_status_display() if report else "未填报"
        by_hospital.rows.append(
            [
                hospital.banner.name,
                hospital.name,
                hospital.get_level_display(),
                status,
                CATEGORY_LABELS[category],
                report.late_days if report else 0,
            ]
        )
        counts = banner_counts[hospital.banner.name]
        counts["hospitals"] += 1
        counts[category] += 1
        counts["approved"] += bool(report and report.status == MonthlyReport.Status.APPROVED)
        if category == "on_time":
            scores[hospital.pk] = 100.0
        elif category == "late" and report is not None:
            scores[hospital.pk] = float(max(LATE_FLOOR, 100 - LATE_PENALTY_PER_DAY * report.late_days))
        else:
            scores[hospital.pk] = 0.0
    by_banner = Section(
        "reports_by_banner",
        "各旗(区)自查报告汇总",
        ["旗(区)", "医院数", "按时提交", "逾期提交", "未提交", "已审核通过"],
    )
    for banner, c in banner_counts.items():
        by_banner.rows.append([banner, c["hospitals"], c["on_time"], c["late"], c["missing"], c["approved"]])
    return [by_banner, by_hospital], scores


def _month_end(month: dt.date) -> dt.date:
    return next_month(month) - dt.timedelta(days=1)


def _lectures_section(facts: MonthFacts) -> tuple[list[Section], dict[int, float]]:
    """Lectures by kind: the month's count per kind, and the campaign's running total."""
    kinds = list(LectureKind.objects.filter(campaign=facts.campaign).order_by("order"))
    end = _month_end(facts.month)
    counts = (
        LectureSession.objects.filter(campaign=facts.campaign, held_on__lte=end)
        .values("hospital_id", "org_unit_id", "kind_id")
        .annotate(month=Count("id", filter=Q(held_on__gte=facts.month)), total=Count("id"))
        .order_by()
    )
    by_hospital: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    by_banner: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    totals: dict[int, int] = defaultdict(int)
    banner_totals: dict[int, int] = defaultdict(int)
    banner_of = {h.pk: h.banner_id for h in facts.hospitals}
    for row in counts:
        if row["hospital_id"] in banner_of:
            by_hospital[row["hospital_id"]][row["kind_id"]] += row["month"]
            totals[row["hospital_id"]] += row["total"]
            banner_id = banner_of[row["hospital_id"]]
        elif row["org_unit_id"] is not None:
            banner_id = row["org_unit_id"]  # 集中宣讲, organised by the banner's commission
        else:
            continue
        by_banner[banner_id][row["kind_id"]] += row["month"]
        banner_totals[banner_id] += row["total"]
    kind_columns = [f"{k.name}(本月)" for k in kinds]
    hospitals = Section("lectures", "宣讲活动(按形式)", ["旗(区)", "医院", *kind_columns, "本月合计", "累计"])
    for hospital in facts.hospitals:
        month_counts = [by_hospital[hospital.pk][k.pk] for k in kinds]
        hospitals.rows.append(
            [hospital.banner.name, hospital.name, *month_counts, sum(month_counts), totals[hospital.pk]]
        )
    banners = Section(
        "lectures_by_banner", "各旗(区)宣讲活动(按形式)", ["旗(区)", *kind_columns, "本月合计", "累计"]
    )
    for banner in _banners(facts):
        month_counts = [by_banner[banner.pk][k.pk] for k in kinds]
        banners.rows.append([banner.name, *month_counts, sum(month_counts), banner_totals[banner.pk]])
    return [banners, hospitals], {}


def _supervision_section(facts: MonthFacts) -> tuple[list[Section], dict[int, float]]:
    """§四(一) "卫生健康委主要负责人或分管领导要出席指导": per banner, the month's lectures (its hospitals'
    and its own 集中宣讲), how many had a commission official present, and who. Two queries."""
    end = _month_end(facts.month)
    banner_of = {h.pk: h.banner_id for h in facts.hospitals}
    banner_ids = set(banner_of.values())
    lectures = LectureSession.objects.filter(
        Q(hospital_id__in=list(banner_of)) | Q(org_unit_id__in=list(banner_ids)),
        campaign=facts.campaign,
        held_on__gte=facts.month,
        held_on__lte=end,
    )
    held: dict[int, int] = defaultdict(int)
    for hospital_id, org_unit_id in lectures.values_list("hospital_id", "org_unit_id").order_by():
        held[banner_of.get(hospital_id, org_unit_id)] += 1
    supervised: dict[int, set[int]] = defaultdict(set)
    names: dict[int, dict[str, None]] = defaultdict(dict)  # ordered, without repeats
    through = LectureSession.supervising_officials.through.objects.filter(lecturesession__in=lectures)
    for lecture_id, hospital_id, org_unit_id, name in through.values_list(
        "lecturesession_id", "lecturesession__hospital_id", "lecturesession__org_unit_id", "person__name"
    ).order_by("person__code"):
        banner_id = banner_of.get(hospital_id, org_unit_id)
        supervised[banner_id].add(lecture_id)
        names[banner_id][name] = None
    section = Section(
        "lectures_supervised",
        "卫生健康委领导出席指导宣讲情况(本月)",
        ["旗(区)", "本月宣讲场次", "有领导出席指导", "出席指导的领导"],
    )
    for banner in _banners(facts):
        section.rows.append(
            [banner.name, held[banner.pk], len(supervised[banner.pk]), "、".join(names[banner.pk]) or "—"]
        )
    return [section], {}


def _banners(facts: MonthFacts) -> list[OrgUnit]:
    seen: dict[int, OrgUnit] = {}
    for hospital in facts.hospitals:
        seen.setdefault(hospital.banner_id, hospital.banner)
    return list(seen.values())


def _milestones_section(facts: MonthFacts) -> tuple[list[Section], dict[int, float]]:
    """Where each hospital stood on each checked milestone at the month's end (secretary and president
    lectures included); score: the share of milestones already due that are met."""
    end = _month_end(facts.month)
    compliance = milestone_compliance(campaign=facts.campaign, hospitals=facts.hospitals, on=end)
    milestones = checked_milestones(facts.campaign)
    labels = dict(ComplianceState.choices)
    section = Section(
        "milestones",
        "时间节点完成情况",
        ["旗(区)", "医院", *[_milestone_column(m) for m in milestones]],
    )
    scores: dict[int, float] = {}
    for hospital in facts.hospitals:
        statuses = compliance.get(hospital.pk, [])
        section.rows.append([hospital.banner.name, hospital.name, *[labels[s.state] for s in statuses]])
        due = [s for s in statuses if s.state != ComplianceState.NOT_DUE]
        if due:
            scores[hospital.pk] = 100.0 * sum(s.is_met for s in due) / len(due)
    return [_milestones_by_banner(facts, milestones, compliance), section], scores


def _milestone_column(milestone: Milestone) -> str:
    return f"{milestone.due_on:%m-%d} {milestone.name}"


def _share(part: int, whole: int) -> str | None:
    """A share as the bulletin prints it ("75%"); None (a dash) when there is nothing to share."""
    return f"{part / whole:.0%}" if whole else None


def _milestones_by_banner(
    facts: MonthFacts, milestones: list[Milestone], compliance: dict[int, list[MilestoneStatus]]
) -> Section:
    """Per banner, from the hospitals' statuses already read: how many of its hospitals have met each
    milestone, and over all milestones the hospital-milestones due (met, or past the date), met, overdue
    and the share met. A milestone met before its date counts as due and met, as in the ranking score."""
    section = Section(
        "milestones_by_banner",
        "各旗(区)时间节点完成情况",
        ["旗(区)", "医院数", *[f"{_milestone_column(m)}(完成家数)" for m in milestones], *MILESTONE_TOTALS],
    )
    for banner in _banners(facts):
        rows = [compliance.get(h.pk, []) for h in facts.hospitals if h.banner_id == banner.pk]
        met = [sum(row[i].is_met for row in rows if i < len(row)) for i in range(len(milestones))]
        states = [s.state for row in rows for s in row]
        done, overdue = states.count(ComplianceState.MET), states.count(ComplianceState.NOT_MET)
        section.rows.append(
            [banner.name, len(rows), *met, done + overdue, done, overdue, _share(done, done + overdue)]
        )
    return section


# The totals of the banner milestone section (hospital-milestones, 项次), also read by the document.
MILESTONE_TOTALS = ["应完成(项次)", "已完成(项次)", "逾期未完成(项次)", "完成率"]


def _unit_launch_rows(facts: MonthFacts, end: dt.date) -> list[list[Any]]:
    """The league's and each banner's own 06-25 (启动活动: "全盟、各旗(区)、各医院"), as of ``end``."""
    units = [facts.campaign.league, *_banners(facts)]
    statuses = unit_launch_compliance(campaign=facts.campaign, units=units, on=end)
    labels = dict(ComplianceState.choices)
    return [
        [unit.name, labels[statuses[unit.pk].state], statuses[unit.pk].detail]
        for unit in units
        if unit.pk in statuses
    ]


def _unit_milestones_section(facts: MonthFacts) -> tuple[list[Section], dict[int, float]]:
    """The milestones the league and the banners answer for themselves (their launch), beside the
    hospitals' table; no score (the ranking is of hospitals)."""
    rows = _unit_launch_rows(facts, _month_end(facts.month))
    if not rows:
        return [], {}
    section = Section(
        "milestones_units", "时间节点完成情况（全盟、各旗区）", ["单位", "启动活动", "说明"], rows
    )
    return [section], {}


ACTION_COLUMNS = [
    (ProgressStatus.NOT_STARTED, "未开始"),
    (ProgressStatus.ON_TRACK, "按计划推进"),
    (ProgressStatus.AT_RISK, "存在风险"),
    (OVERDUE, "逾期"),
    (ProgressStatus.DONE, "已完成"),
]


def _actions_section(facts: MonthFacts) -> tuple[list[Section], dict[int, float]]:
    """Action items by status at the month's end (overdue computed from the due date); score: the
    share of items not overdue, 0 for a hospital with no item (its tasks are not yet action)."""
    end = _month_end(facts.month)
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    items = ActionItem.objects.filter(campaign=facts.campaign, hospital__in=[h.pk for h in facts.hospitals])
    for hospital_id, status, due_on in items.values_list(
        "hospital_id", "current_status", "due_on"
    ).order_by():
        computed = OVERDUE if due_on < end and status != ProgressStatus.DONE else status
        counts[hospital_id][computed] += 1
    section = Section(
        "actions", "见行动任务进展", ["旗(区)", "医院", *[label for _, label in ACTION_COLUMNS], "合计"]
    )
    scores: dict[int, float] = {}
    for hospital in facts.hospitals:
        row = [counts[hospital.pk][status] for status, _ in ACTION_COLUMNS]
        total = sum(row)
        section.rows.append([hospital.banner.name, hospital.name, *row, total])
        scores[hospital.pk] = 100.0 * (total - counts[hospital.pk][OVERDUE]) / total if total else 0.0
    return [_actions_by_banner(facts, counts), section], scores


def _actions_by_banner(facts: MonthFacts, counts: dict[int, dict[str, int]]) -> Section:
    """Per banner: its hospitals' action items by status at the month's end (the same statuses as the
    hospital rows, overdue included), how many of its hospitals have any item, and the overdue share."""
    section = Section(
        "actions_by_banner",
        "各旗(区)见行动任务进展",
        ["旗(区)", "医院数", "有任务的医院", *[label for _, label in ACTION_COLUMNS], "合计", "逾期率"],
    )
    for banner in _banners(facts):
        hospitals = [h.pk for h in facts.hospitals if h.banner_id == banner.pk]
        row = [sum(counts[pk][status] for pk in hospitals) for status, _ in ACTION_COLUMNS]
        with_items = sum(1 for pk in hospitals if any(counts[pk].values()))
        overdue = sum(counts[pk][OVERDUE] for pk in hospitals)
        section.rows.append(
            [banner.name, len(hospitals), with_items, *row, sum(row), _share(overdue, sum(row))]
        )
    return section


def _indicators_section(facts: MonthFacts) -> tuple[list[Section], dict[int, float]]:
    """Indicators met in the month, judged only for hospitals whose report was submitted (a draft or a
    returned report's figures are not yet the hospital's word); score: the share of applicable
    indicators met."""
    submitted = list(
        MonthlyReport.objects.filter(campaign=facts.campaign, month=facts.month, status__in=COUNTED_STATES)
        .order_by()
        .values_list("hospital_id", flat=True)
    )
    table = indicator_evaluations(
        campaign=facts.campaign,
        hospitals=Hospital.objects.filter(pk__in=submitted),
        banners=OrgUnit.objects.filter(pk__in=[b.pk for b in _banners(facts)]),
        period=Period.month(facts.month.year, facts.month.month),
        per_banner=False,  # the sections read the units' own verdicts and the league's
    )
    verdicts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for evaluation in table.units:
        if evaluation.scope == "hospital":
            verdicts[evaluation.unit_id][evaluation.verdict] += 1
    section = Section(
        "indicators", "出成效指标达标情况", ["旗(区)", "医院", "达标", "未达标", "无数据", "达标率"]
    )
    scores: dict[int, float] = {}
    counted = set(submitted)
    for hospital in facts.hospitals:
        if hospital.pk not in counted:
            section.rows.append([hospital.banner.name, hospital.name, None, None, None, "未提交报告"])
            scores[hospital.pk] = 0.0
            continue
        v = verdicts[hospital.pk]
        total = v[Verdict.MET] + v[Verdict.NOT_MET] + v[Verdict.NO_DATA]
        share = v[Verdict.MET] / total if total else 0.0
        section.rows.append(
            [
                hospital.banner.name,
                hospital.name,
                v[Verdict.MET],
                v[Verdict.NOT_MET],
                v[Verdict.NO_DATA],
                f"{share:.0%}",
            ]
        )
        scores[hospital.pk] = 100.0 * share
    league = Section("indicators_league", "出成效指标全盟汇总", ["指标", "名称", "结论", "说明"])
    for evaluation in table.league:
        league.rows.append(
            [
                evaluation.indicator.code,
                evaluation.indicator.name,
                Verdict.LABELS[evaluation.verdict],
                evaluation.note,
            ]
        )
    own = [e for e in table.units if e.scope == "banner"]
    return [
        _indicators_by_banner(facts, counted, verdicts, own),
        _banner_level_indicators(facts, own),
        section,
        league,
    ], scores


def _indicators_by_banner(
    facts: MonthFacts,
    counted: set[int],
    verdicts: dict[int, dict[str, int]],
    own: list[TargetResult],
) -> Section:
    """Per banner: its hospitals that submitted the month's report and those that did not (their
    figures are not reported), the submitted hospitals' indicator verdicts added up (项次) with the share
    met, and the verdicts of the banner's own banner-level indicators (县域内就诊率 and the like)."""
    section = Section(
        "indicators_by_banner",
        "各旗(区)出成效指标达标情况",
        ["旗(区)", "医院数", "已提交报告", "未提交报告", "达标", "未达标", "无数据", "达标率", *BANNER_LEVEL],
    )
    own_verdicts: dict[int, Counter[str]] = defaultdict(Counter)
    for evaluation in own:
        own_verdicts[evaluation.unit_id][evaluation.verdict] += 1
    for banner in _banners(facts):
        hospitals = [h.pk for h in facts.hospitals if h.banner_id == banner.pk]
        submitted = [pk for pk in hospitals if pk in counted]
        met, not_met, no_data = (
            sum(verdicts[pk][v] for pk in submitted) for v in (Verdict.MET, Verdict.NOT_MET, Verdict.NO_DATA)
        )
        mine = own_verdicts[banner.pk]
        section.rows.append(
            [
                banner.name,
                len(hospitals),
                len(submitted),
                len(hospitals) - len(submitted),
                met,
                not_met,
                no_data,
                _share(met, met + not_met + no_data),
                mine[Verdict.MET],
                mine[Verdict.NOT_MET],
                mine[Verdict.NO_DATA],
            ]
        )
    return section


# The banner-level indicator counts of the banner indicator section, also read by the document.
BANNER_LEVEL = ["旗(区)级指标达标", "旗(区)级指标未达标", "旗(区)级指标无数据"]


def _banner_level_indicators(facts: MonthFacts, own: list[TargetResult]) -> Section:
    """Each banner's own banner-level indicators (reported by the banner's commission, not by a
    hospital, so no report gates them): the month's verdict against the same month last year."""
    section = Section(
        "indicators_banner_level", "旗(区)级指标达标情况", ["旗(区)", "指标", "名称", "结论", "说明"]
    )
    by_banner: dict[int, list[TargetResult]] = defaultdict(list)
    for evaluation in own:
        by_banner[evaluation.unit_id].append(evaluation)
    for banner in _banners(facts):
        for evaluation in by_banner[banner.pk]:
            section.rows.append(
                [
                    banner.name,
                    evaluation.indicator.code,
                    evaluation.indicator.name,
                    Verdict.LABELS[evaluation.verdict],
                    evaluation.note,
                ]
            )
    return section


def _dispatch_section(facts: MonthFacts) -> tuple[list[Section], dict[int, float]]:
    """Each banner's 调度 report of the month to the league and the banner lectures the league attended
    (§三(三)); banners are not ranked, so no score."""
    section = Section(
        "dispatch",
        "各旗(区)调度报告及盟卫生健康委出席宣讲情况",
        ["旗(区)", "调度报告", "状态", "逾期天数", "本月出席宣讲", "累计出席宣讲"],
    )
    for row in banner_dispatch_rows(facts.campaign, facts.month, _banners(facts)):
        section.rows.append(
            [
                row.banner.name,
                row.timeliness_label,
                row.state,
                row.late_days,
                row.visits_in_month,
                row.visits_total,
            ]
        )
    return [section], {}


SECTION_PROVIDERS: list[SectionProvider] = [
    _reports_section,
    _lectures_section,
    _supervision_section,
    _milestones_section,
    _unit_milestones_section,
    _actions_section,
    _indicators_section,
    _dispatch_section,
]


def bulletin_figures(campaign: Campaign, month: dt.date) -> dict[str, Any]:
    """Every figure of the month's bulletin, as plain data (stored in ``Bulletin.data``)."""
    facts = MonthFacts(campaign=campaign, month=month, hospitals=list(campaign_hospitals(campaign)))
    sections: list[Section] = []
    scores: dict[int, list[float]] = defaultdict(list)
    for provider in SECTION_PROVIDERS:
        provided, provided_scores = provider(facts)
        sections.extend(provided)
        for hospital_id, score in provided_scores.items():
            scores[hospital_id].append(score)
    ranking = Section("ranking", "综合排名", ["排名", "旗(区)", "医院", "得分"])
    ranked = sorted(
        facts.hospitals,
        key=lambda h: (-_mean(scores[h.pk]), h.code),
    )
    rank = 0
    previous: float | None = None
    for position, hospital in enumerate(ranked, start=1):
        score = round(_mean(scores[hospital.pk]), 1)
        if score != previous:
            rank, previous = position, score
        ranking.rows.append([rank, hospital.banner.name, hospital.name, score])
    sections.append(ranking)
    return {
        "campaign": campaign.code,
        "month": month.isoformat(),
        "hospital_count": len(facts.hospitals),
        "sections": [s.as_dict() for s in sections],
    }


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def bulletins_visible_to(user: AnyUser) -> QuerySet[Bulletin]:
    """A league's bulletins are read by everyone in the league once published; drafts only by its league
    reviewers (and admins)."""
    qs = Bulletin.objects.select_related("campaign")
    if not isinstance(user, User) or not user.is_active:
        return qs.none()
    if user.sees_everything:
        return qs
    # The campaigns of the leagues that hold the user's scope, or (the region reviewer) that it holds.
    qs = qs.filter(campaign_id__in=campaigns_visible_to(user).values("pk"))
    if user.role not in (Role.LEAGUE_REVIEWER, Role.ADMIN):  # a league admin reads its drafts too
        qs = qs.filter(status=Bulletin.Status.PUBLISHED)
    return qs


# ------------------------------------------------------------------------------------------ the summary
# Drawn from the bulletin's own stored figures (``Bulletin.data``), so a published bulletin's charts stay
# what was published, and the charts and the tables below them cannot disagree.

# The ranking chart shows this many hospitals; the full ranking is the table.
RANKING_CHART_TOP = 15


def _section(data: dict[str, Any], key: str) -> dict[str, Any] | None:
    return next((s for s in data.get("sections", []) if s.get("key") == key), None)


def _ints(values: list[Any]) -> list[Number]:
    return [int(v or 0) for v in values]


def bulletin_charts(data: dict[str, Any]) -> list[Chart]:
    """The bulletin's summary charts: lectures by banner, milestone compliance, reports on time, the
    ranking. A section missing from ``data`` (a bulletin built before it existed) gives no chart."""
    charts: list[Chart] = []
    lectures = _section(data, "lectures_by_banner")
    if lectures:
        kinds = lectures["columns"][1:-2]
        charts.append(
            Chart(
                key="bulletin-lectures",
                title="本月宣讲活动（按旗区、形式）",
                labels=[row[0] for row in lectures["rows"]],
                series=[
                    Series(kind.removesuffix("(本月)"), _ints([row[1 + i] for row in lectures["rows"]]))
                    for i, kind in enumerate(kinds)
                ],
                stacked=True,
                unit="场",
                empty_text="本月没有宣讲活动。",
            )
        )
    milestones = _section(data, "milestones")
    if milestones:
        names = milestones["columns"][2:]
        states = [ComplianceState.MET, ComplianceState.NOT_MET, ComplianceState.NOT_DUE]
        counts = Counter((i, state) for row in milestones["rows"] for i, state in enumerate(row[2:]))
        charts.append(
            Chart(
                key="bulletin-milestones",
                title="时间节点完成情况（医院数）",
                labels=names,
                series=[
                    Series(str(s.label), [counts[(i, s.label)] for i in range(len(names))]) for s in states
                ],
                stacked=True,
                horizontal=True,
                unit="家",
                colors=VERDICT_COLORS,
            )
        )
    charts.extend(_milestones_banner_chart(data))
    reports = _section(data, "reports_by_banner")
    if reports:
        charts.append(
            Chart(
                key="bulletin-reports",
                title="月度自查报告提交情况（按旗区，医院数）",
                labels=[row[0] for row in reports["rows"]],
                series=[
                    Series(CATEGORY_LABELS[c], _ints([row[2 + i] for row in reports["rows"]]))
                    for i, c in enumerate(("on_time", "late", "missing"))
                ],
                stacked=True,
                unit="家",
                colors=[OK_GREEN, LATE_AMBER, MISSING_RED],
            )
        )
    charts.extend(_actions_banner_chart(data))
    charts.extend(_indicators_banner_chart(data))
    ranking = _section(data, "ranking")
    if ranking:
        top = ranking["rows"][:RANKING_CHART_TOP]
        charts.append(
            Chart(
                key="bulletin-ranking",
                title=f"综合排名（前{len(top)}名，得分）",
                labels=[f"{row[0]}. {row[2]}" for row in top],
                series=[Series("得分", [float(row[3] or 0) for row in top])],
                horizontal=True,
                unit="分",
                integer=False,
            )
        )
    return charts


def _by_banner_chart(data: dict[str, Any], section_key: str, columns: list[str], **chart: Any) -> list[Chart]:
    """A stacked bar per banner of a banner section's count ``columns`` (none for a bulletin built
    before the section existed)."""
    section = _section(data, section_key)
    if not section:
        return []
    index = [list(section["columns"]).index(c) for c in columns]
    return [
        Chart(
            labels=[row[0] for row in section["rows"]],
            series=[
                Series(c.removesuffix("(项次)"), _ints([row[i] for row in section["rows"]]))
                for c, i in zip(columns, index, strict=True)
            ],
            stacked=True,
            **chart,
        )
    ]


def _milestones_banner_chart(data: dict[str, Any]) -> list[Chart]:
    return _by_banner_chart(
        data,
        "milestones_by_banner",
        MILESTONE_TOTALS[1:3],
        key="bulletin-milestones-banner",
        title="各旗(区)时间节点完成情况（项次）",
        unit="项次",
        colors=[OK_GREEN, MISSING_RED],
    )


# Action statuses on the chart: not started grey, on track blue, at risk amber, overdue red, done green.
ACTION_COLORS = [NO_DATA_GREY, "#1c7ed6", LATE_AMBER, MISSING_RED, OK_GREEN]


def _actions_banner_chart(data: dict[str, Any]) -> list[Chart]:
    return _by_banner_chart(
        data,
        "actions_by_banner",
        [label for _, label in ACTION_COLUMNS],
        key="bulletin-actions",
        title="见行动任务进展（按旗区，项）",
        unit="项",
        colors=ACTION_COLORS,
        empty_text="尚无见行动任务。",
    )


def _indicators_banner_chart(data: dict[str, Any]) -> list[Chart]:
    return _by_banner_chart(
        data,
        "indicators_by_banner",
        ["达标", "未达标", "无数据"],
        key="bulletin-indicators",
        title="出成效指标达标情况（按旗区，医院指标项次）",
        unit="项次",
        colors=VERDICT_COLORS,
        empty_text="本月没有已提交报告的医院。",
    )


@dataclass(frozen=True)
class BulletinSummary:
    """The bulletin's key figures in one paragraph's worth of numbers."""

    hospitals: int
    on_time: int
    late: int
    missing: int
    lectures: int
    milestones_met: int
    milestones_due: int
    leader: str


def bulletin_summary(data: dict[str, Any]) -> BulletinSummary:
    reports = _section(data, "reports_by_banner") or {"rows": []}
    lectures = _section(data, "lectures_by_banner") or {"rows": []}
    milestones = _section(data, "milestones") or {"rows": []}
    ranking = _section(data, "ranking") or {"rows": []}
    states = [state for row in milestones["rows"] for state in row[2:]]
    return BulletinSummary(
        hospitals=int(data.get("hospital_count", 0)),
        on_time=sum(int(r[2]) for r in reports["rows"]),
        late=sum(int(r[3]) for r in reports["rows"]),
        missing=sum(int(r[4]) for r in reports["rows"]),
        lectures=sum(int(r[-2]) for r in lectures["rows"]),
        milestones_met=states.count(ComplianceState.MET.label),
        milestones_due=len(states) - states.count(ComplianceState.NOT_DUE.label),
        leader=ranking["rows"][0][2] if ranking["rows"] else "",
    )
