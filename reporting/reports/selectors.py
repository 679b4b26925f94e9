"""Reads of monthly reports: the lock state every screen shows, the contents a reviewer sees and what
changed since the last review, and what blocks a submission."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Q, QuerySet

from campaign.calendar import report_lock_date
from campaign.models import ActionItem, LectureMaterial, LectureSession, ProgressEntry, ProgressStatus
from core import clock
from core.months import month_end, month_has_ended
from core.versions import cached_reads
from hospitals.models import ChangeRecord, Hospital, OrgUnit, Role
from hospitals.selectors import AnyUser, load_county_community, scope_queryset
from reporting.indicators.models import IndicatorValue
from reporting.indicators.selectors import (
    Figure,
    Period,
    ValueWarning,
    format_figure,
    indicator_unexplained_warnings,
    indicator_unit_month,
    indicator_value_warnings,
    indicator_values_missing,
    indicators_of,
)
from reporting.indicators.targets import Verdict, indicator_evaluations
from reporting.reports.models import MonthlyReport, ReportReview, ReviewComment, UnlockRequest
from reporting.reports.workflow import IN_REVIEW_STATES, may_review_now, reviewer_role_of


@dataclass(frozen=True)
class LockState:
    """Whether the hospital may still change a report, and why (every screen shows ``message``).

    ``reason`` is one of: ``in_review`` / ``approved`` / ``past_lock_day`` / ``unlock_expired`` (locked)
    or ``unlocked_until`` / ``open`` (editable). ``until`` is the date the state ends by itself, if any
    (an ``in_review`` month has none: it is frozen until a reviewer returns the report).
    """

    locked: bool
    reason: str
    until: dt.date | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["until"] = self.until.isoformat() if self.until else None
        return data


def report_lock_state(report: MonthlyReport, today: dt.date | None = None) -> LockState:
    """Computed from dates on every read, so a granted unlock ends by itself without a scheduled job."""
    today = today or clock.today()
    lock_date = report_lock_date(report.campaign, report.month)
    if report.status in IN_REVIEW_STATES:
        # Before the unlock: a report resubmitted during its unlock is with the reviewers again.
        return LockState(True, "in_review", None, _in_review_message(report))
    if report.unlocked_until is not None and today <= report.unlocked_until:
        return LockState(
            False,
            "unlocked_until",
            report.unlocked_until,
            f"已解锁，可修改至{report.unlocked_until:%Y-%m-%d}。",
        )
    if report.status == MonthlyReport.Status.APPROVED:
        return LockState(True, "approved", None, "报告已审核通过，只读。如需修改请申请解锁。")
    if report.unlocked_until is not None:
        return LockState(
            True,
            "unlock_expired",
            report.unlocked_until,
            f"解锁期已于{report.unlocked_until:%Y-%m-%d}结束，报告只读。如需修改请再次申请解锁。",
        )
    if today > lock_date:
        return LockState(
            True,
            "past_lock_day",
            lock_date,
            f"已过锁定日({lock_date:%Y-%m-%d})，报告只读。如需修改请申请解锁。",
        )
    return LockState(False, "open", lock_date, f"可修改，{lock_date:%Y-%m-%d}后锁定。")


def _in_review_message(report: MonthlyReport) -> str:
    role = reviewer_role_of(report.status)
    league = f"{report.campaign.league.name}审核员审核"
    # Before the first review the league may also approve or return it directly (a banner without a
    # reviewer of its own, say), so the message names both.
    who = f"{report.hospital.banner.name}审核员初审或{league}" if role == Role.BANNER_REVIEWER else league
    return (
        f"本月报告审核中（{report.get_status_display()}，由{who}），本月的宣讲、材料、进展和指标值"
        "在审核期间不能修改，退回后方可修改。"
    )


def require_month_editable(
    hospital: Hospital | None, month: dt.date, *, actor: AnyUser | None = None, reason: str = ""
) -> None:
    """Refuse a change to what a hospital's month report holds (that month's lectures, materials, action
    progress and indicator values) while the report is with its reviewers (submitted, first-reviewed,
    resubmitted) or read-only (approved, past the lock day, or its unlock ended; SPEC §7). The one guard
    every such service calls.

    While in review, a reviewer who may review the report now corrects it only with a ``reason``
    (refused on the field ``reason`` without one); the writing service records the reason with the
    change, and the hospital sees it (``report_review_corrections``).

    A month without a report has nothing to protect yet; banner-level rows (no hospital) have no report.
    """
    if hospital is None:
        return
    report = (
        MonthlyReport.objects.select_related("campaign__league", "hospital__banner")
        .filter(hospital=hospital, month=month.replace(day=1))
        .order_by()  # one row at most (unique per hospital and month): no ordering to compile or sort
        .first()
    )
    if report is None:
        return
    state = report_lock_state(report)
    if not state.locked:
        return
    if state.reason == "in_review" and may_review_now(actor, report):
        if not reason.strip():
            raise ValidationError(
                {
                    "reason": ValidationError(
                        "报告审核中，审核员更正须填写更正原因（记入变更记录并告知医院）。",
                        code="correction_reason_required",
                    )
                }
            )
        return
    raise ValidationError(
        "%(month)s：%(message)s",
        code="report_in_review" if state.reason == "in_review" else "report_locked",
        params={"month": f"{report.month:%Y年%m月}的月度自查报告", "message": state.message},
    )


# A content provider returns the report's items as {key: {"kind", "label", "value"}}. The key is stable
# across edits ("indicator:O2.1-a"), so two snapshots can be compared item by item and a return reason
# can point at an item. Other parts of the app (lectures, action items, indicator values) add providers.
ContentProvider = Callable[[MonthlyReport], dict[str, dict[str, Any]]]


def _narrative(report: MonthlyReport) -> dict[str, dict[str, Any]]:
    return {
        "narrative:problems": {"kind": "narrative", "label": "存在问题", "value": report.problems},
        "narrative:corrections": {"kind": "narrative", "label": "整改措施", "value": report.corrections},
    }


def _lectures(report: MonthlyReport) -> dict[str, dict[str, Any]]:
    lectures = (
        LectureSession.objects.filter(
            campaign=report.campaign,
            hospital=report.hospital,
            held_on__range=(report.month, month_end(report.month)),
        )
        .select_related("kind", "speaker")
        .order_by("held_on", "id")
    )
    return {
        f"lecture:{x.pk}": {
            "kind": "lecture",
            "label": f"{x.held_on:%m-%d} {x.kind.name}：{x.title}",
            "value": (
                f"宣讲人{x.speaker.name}（{x.get_speaker_role_display()}），"
                f"应到{x.attendance_expected}人，实到{x.attendance_present}人"
            ),
        }
        for x in lectures
    }


def _action_progress(report: MonthlyReport) -> dict[str, dict[str, Any]]:
    entries = (
        ProgressEntry.objects.filter(
            action_item__campaign=report.campaign, action_item__hospital=report.hospital, month=report.month
        )
        .select_related("action_item__task")
        .order_by("action_item__task__code", "action_item_id")
    )
    return {
        f"action_item:{e.action_item_id}": {
            "kind": "action_item",
            "label": f"{e.action_item.task.code} {e.action_item.title}",
            "value": f"{e.get_status_display()}：{e.note}".rstrip("："),
        }
        for e in entries
    }


def _indicator_values(report: MonthlyReport) -> dict[str, dict[str, Any]]:
    rows = indicator_unit_month(campaign=report.campaign, month=report.month, hospital=report.hospital)
    items: dict[str, dict[str, Any]] = {}
    for row in rows:
        value = row.value
        if value is None:
            shown = "未填报"
        elif value.indicator.value_type == "ratio":
            # As the clerk's page and the bulletin show it (52.0%), the typed figures beside it.
            numerator, denominator = value.numerator or Decimal(0), value.denominator or Decimal(0)
            raw = f"{numerator.normalize():f}/{denominator.normalize():f}"
            shown = (
                f"{format_figure(value.indicator, numerator / denominator)}（{raw}）" if denominator else raw
            )
        elif value.indicator.value_type == "count":
            shown = str(value.count)
        else:
            shown = "、".join("是" if a else "否" for a in value.answers)
        if value is not None and value.explanation:
            shown += f"（说明：{value.explanation}）"
        items[f"indicator:{row.indicator.code}"] = {
            "kind": "indicator",
            "label": f"{row.indicator.code} {row.indicator.name}",
            "value": shown,
            "warnings": [w.message for w in row.warnings],
        }
    return items


CONTENT_PROVIDERS: list[ContentProvider] = [_narrative, _lectures, _action_progress, _indicator_values]


def report_contents(report: MonthlyReport) -> dict[str, dict[str, Any]]:
    contents: dict[str, dict[str, Any]] = {}
    for provider in CONTENT_PROVIDERS:
        contents.update(provider(report))
    return contents


def _loaded_parts(report: MonthlyReport) -> tuple[Any, ...]:
    """What the report's selectors take from the loaded report instead of reading it: a key part of
    what they keep (``core.versions.cached_reads``)."""
    hospital = report.hospital
    return (
        report.pk,
        report.campaign_id,
        str(report.campaign.soft_change_bound_pct),
        report.hospital_id,
        report.month.isoformat(),
        report.problems,
        report.corrections,
        None if hospital is None else (hospital.level, hospital.is_city_tertiary),
    )


def report_contents_kept(report: MonthlyReport) -> dict[str, dict[str, Any]]:
    """``report_contents`` for the report's page, kept under the versions of the tables it reads (the
    month's lectures, progress and values): the page asked again unchanged does not rebuild it. The
    services (submission snapshots, returns) read ``report_contents`` itself."""
    return cached_reads("report-contents", _loaded_parts(report), lambda: report_contents(report))


def contents_diff(old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Item by item: what was added, removed or changed between two snapshots of a report."""
    changes = []
    for key in sorted(set(old) | set(new)):
        before, after = old.get(key), new.get(key)
        if before is not None and after is not None and before.get("value") == after.get("value"):
            continue
        item = after or before or {}
        changes.append(
            {
                "key": key,
                "kind": item.get("kind", ""),
                "label": item.get("label", key),
                "change": "added" if before is None else "removed" if after is None else "changed",
                "old": before.get("value") if before else None,
                "new": after.get("value") if after else None,
            }
        )
    return changes


def last_review(report: MonthlyReport) -> ReportReview | None:
    return report.reviews.order_by("-at", "-id").first()


def report_changes_since_last_review(report: MonthlyReport) -> list[dict[str, Any]]:
    """What a reviewer needs on a resubmission: every item that differs from the last review's snapshot
    (empty when the report was never reviewed)."""
    review = last_review(report)
    if review is None:
        return []
    return contents_diff(review.contents, report_contents(report))


def report_open_comments(report: MonthlyReport) -> QuerySet[ReviewComment]:
    """The reasons of the latest return, while the report is returned or resubmitted."""
    if report.status not in (MonthlyReport.Status.RETURNED, MonthlyReport.Status.RESUBMITTED):
        return ReviewComment.objects.none()
    latest = report.reviews.filter(action=ReportReview.Action.RETURN).order_by("-at", "-id").first()
    if latest is None:
        return ReviewComment.objects.none()
    return latest.comments.all()


# Checks other parts of the app add: each returns the Chinese messages of what blocks a submission
# (hard rules) or what a reviewer must look at before approving (open warnings).
SubmissionCheck = Callable[[MonthlyReport], list[str]]


def _narrative_required(report: MonthlyReport) -> list[str]:
    errors = []
    if not report.problems.strip():
        errors.append("请填写“存在问题”（没有问题请填“无”）。")
    if not report.corrections.strip():
        errors.append("请填写“整改措施”（没有问题请填“无”）。")
    return errors


def _month_ended(report: MonthlyReport) -> list[str]:
    if not month_has_ended(report.month):
        return [f"{report.month:%Y年%m月}尚未结束，不能提交该月自查报告。"]
    return []


# At most this many missing items are named one by one; the rest are counted.
MAX_NAMED_MISSING = 5


def _named(messages: list[str], what: str) -> list[str]:
    if len(messages) <= MAX_NAMED_MISSING:
        return messages
    return [*messages[:MAX_NAMED_MISSING], f"另有{len(messages) - MAX_NAMED_MISSING}项{what}。"]


def _indicators_complete(report: MonthlyReport) -> list[str]:
    """Every applicable indicator entered (hard rule); every soft warning explained (SPEC §7)."""
    missing = indicator_values_missing(campaign=report.campaign, month=report.month, hospital=report.hospital)
    errors = _named([f"指标“{i.code} {i.name}”尚未填报。" for i in missing], "指标尚未填报")
    unexplained = indicator_unexplained_warnings(
        campaign=report.campaign, month=report.month, hospital=report.hospital
    )
    return errors + [w.message for w in unexplained]


def _action_progress_complete(report: MonthlyReport) -> list[str]:
    """Every action item under way in the month (started, not done) has the month's progress."""
    items = (
        ActionItem.objects.filter(
            campaign=report.campaign, hospital=report.hospital, starts_on__lte=month_end(report.month)
        )
        .exclude(current_status=ProgressStatus.DONE)
        .exclude(progress__month=report.month)
        .select_related("task")
        .order_by("task__code", "id")
    )
    return _named(
        [f"行动项“{i.task.code} {i.title}”缺少{report.month:%Y年%m月}进展。" for i in items],
        "行动项缺少本月进展",
    )


def _indicator_warnings(reports: Sequence[MonthlyReport]) -> dict[int, list[str]]:
    """Soft-rule warnings stay in front of the reviewer even when explained: no bulk approval for them.
    The same messages, in the same order, as the indicators of ``report_contents``, for many reports in
    a fixed number of queries (one campaign's indicators, the months' values, last year's)."""
    result: dict[int, list[str]] = {r.pk: [] for r in reports}
    by_campaign: dict[int, list[MonthlyReport]] = defaultdict(list)
    for report in reports:
        by_campaign[report.campaign_id].append(report)
    for campaign_reports in by_campaign.values():
        indicators = indicators_of(campaign_reports[0].campaign)  # each with its campaign loaded
        order = {indicator.pk: n for n, indicator in enumerate(indicators)}
        by_id = {indicator.pk: indicator for indicator in indicators}
        wanted: dict[tuple[int | None, dt.date], MonthlyReport] = {
            (r.hospital_id, r.month): r for r in campaign_reports
        }
        # Each report's own month only (not every listed hospital in every listed month), and the
        # indicators given from the list above rather than joined and decoded again on every value.
        months: dict[dt.date, set[int | None]] = defaultdict(set)
        for hospital_id, month in wanted:
            months[month].add(hospital_id)
        which = Q(pk__in=[])
        for month, hospital_ids in months.items():
            which |= Q(month=month, hospital_id__in=hospital_ids)
        values = []
        for v in IndicatorValue.objects.filter(which, indicator_id__in=list(order)):
            owner = wanted.get((v.hospital_id, v.month))
            if owner is not None:
                v.indicator, v.hospital = by_id[v.indicator_id], owner.hospital
                values.append(v)
        warnings = indicator_value_warnings(values)
        load_county_community(r.hospital for r in campaign_reports if r.hospital is not None)
        for value in sorted(values, key=lambda v: order[v.indicator_id]):
            report = wanted[(value.hospital_id, value.month)]
            if value.indicator.applies_to_hospital(report.hospital):
                result[report.pk] += [w.message for w in warnings[value.pk]]
    return result


SUBMISSION_CHECKS: list[SubmissionCheck] = [
    _month_ended,
    _narrative_required,
    _indicators_complete,
    _action_progress_complete,
]
# Checks of what a reviewer must read before approving: each takes many reports at once (the review
# queue lists 200) and returns the messages of each by report id.
WarningCheck = Callable[[Sequence[MonthlyReport]], dict[int, list[str]]]
WARNING_CHECKS: list[WarningCheck] = [_indicator_warnings]


def report_submission_errors(report: MonthlyReport) -> list[str]:
    return [message for check in SUBMISSION_CHECKS for message in check(report)]


def report_open_warnings(report: MonthlyReport) -> list[str]:
    """Warnings a reviewer must read one by one: a report with any of them is left out of bulk approval."""
    return reports_open_warnings([report])[report.pk]


def reports_open_warnings(reports: Sequence[MonthlyReport]) -> dict[int, list[str]]:
    """``report_open_warnings`` of each report, by id, in a number of queries that does not grow with
    the reports (reports come with ``campaign`` and ``hospital`` loaded, as ``reports_visible_to``).

    Kept under the versions of the tables the checks read (``core.versions.cached_reads``: the values,
    the indicators, the alliances), so the review queue asked again unchanged does not judge its 50
    reports' values again. What the checks take from the loaded rows instead of reading it is part of
    the key: each report's campaign (and its soft-rule bound), hospital (and its level and 城市三级医院
    flag, which decide where an indicator applies) and month."""

    def compute() -> dict[int, list[str]]:
        found: dict[int, list[str]] = {r.pk: [] for r in reports}
        for check in WARNING_CHECKS:
            for report_id, messages in check(reports).items():
                found[report_id] += messages
        return found

    if not reports:
        return {}
    parts = tuple(
        (
            r.pk,
            r.campaign_id,
            str(r.campaign.soft_change_bound_pct),
            r.hospital_id,
            r.month.isoformat(),
            None if r.hospital is None else (r.hospital.level, r.hospital.is_city_tertiary),
        )
        for r in reports
    )
    return cached_reads("report-open-warnings", parts, compute)


def reports_visible_to(user: AnyUser) -> QuerySet[MonthlyReport]:
    qs = MonthlyReport.objects.select_related(
        "campaign__league", "hospital__banner", "approved_by", "banner_reviewed_by"
    )
    return scope_queryset(qs, user)


def unlock_requests_visible_to(user: AnyUser) -> QuerySet[UnlockRequest]:
    qs = UnlockRequest.objects.select_related("report__hospital", "report__campaign")
    return scope_queryset(qs, user, hospital_field="report__hospital")


# The report's history actions that hand it to the reviewers, and those that take it back from them.
_REVIEW_OPENS = frozenset({"submit", "resubmit"})
_REVIEW_CLOSES = frozenset({"return", "approve", "unlock"})


def report_review_windows(report: MonthlyReport) -> list[tuple[int, int | None]]:
    """The spans the report spent with its reviewers, read off its history as the ids of the history
    rows that opened and closed each (``None``: still there). Ids, not times: history rows are numbered
    in the order they were written, while two of them may carry the same time (on a fixed demo clock
    every stamp does), and a change made before a submission must not count as made during it."""
    windows: list[tuple[int, int | None]] = []
    opened: int | None = None
    for action, pk in report_history(report).order_by("id").values_list("action", "id"):
        if action in _REVIEW_OPENS and opened is None:
            opened = pk
        elif action in _REVIEW_CLOSES and opened is not None:
            windows.append((opened, pk))
            opened = None
    if opened is not None:
        windows.append((opened, None))
    return windows


@dataclass(frozen=True)
class ReviewCorrection:
    """A reviewer's correction of the month, as the hospital is shown it."""

    at: dt.datetime
    actor: Any
    what: str
    changes: list[tuple[str, Any, Any]]
    reason: str


def _field_label(model: Any, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:  # a snapshot key that is not a field (coverage, evidence): shown as is
        return name


def report_review_corrections(report: MonthlyReport) -> list[ReviewCorrection]:
    """What reviewers changed in the month (its lectures and their materials, action progress, indicator
    values) while the report was with them, newest first: only a reviewer's correction with a reason can
    be written then, so each row carries the reason the hospital is shown."""
    windows = report_review_windows(report)
    if not windows:
        return []
    span = (report.month, month_end(report.month))
    lectures = LectureSession.objects.filter(hospital=report.hospital, held_on__range=span)
    targets: dict[Any, QuerySet[Any]] = {
        LectureSession: lectures,
        LectureMaterial: LectureMaterial.objects.filter(lecture__in=lectures),
        ProgressEntry: ProgressEntry.objects.filter(
            action_item__hospital=report.hospital, month=report.month
        ),
        IndicatorValue: IndicatorValue.objects.filter(hospital=report.hospital, month=report.month),
    }
    objects: dict[tuple[int, str], Any] = {}
    of_month = Q()
    for model, rows in targets.items():
        content_type = ContentType.objects.get_for_model(model)
        found = {str(obj.pk): obj for obj in rows}
        objects.update({(content_type.pk, pk): obj for pk, obj in found.items()})
        of_month |= Q(content_type=content_type, object_id__in=list(found))
    during = Q()
    for start, end in windows:
        during |= Q(id__gt=start) & (Q(id__lt=end) if end is not None else Q())
    records = (
        ChangeRecord.objects.filter(of_month, during)
        .exclude(reason="")
        .select_related("actor", "content_type")
        .order_by("-at", "-id")
    )
    result = []
    for record in records:
        model = record.content_type.model_class()
        obj = objects[(record.content_type_id, record.object_id)]
        result.append(
            ReviewCorrection(
                at=record.at,
                actor=record.actor,
                what=f"{record.content_type.name}：{obj}",
                changes=[
                    (_field_label(model, name), pair[0], pair[1])
                    for name, pair in sorted(record.changes.items())
                ],
                reason=record.reason,
            )
        )
    return result


def report_history(report: MonthlyReport) -> QuerySet[ChangeRecord]:
    from hospitals.audit import history_of

    return history_of(report)


# ------------------------------------------------------------------------------------------ report page


@dataclass(frozen=True)
class IndicatorLine:
    """One indicator of a report as the clerk's month page and the bulletin show it: this month and last
    year's same month as people read them (a ratio as a percentage, not "520.00/260.00"), the change,
    the target and its verdict, the soft-rule warnings and the clerk's explanation."""

    code: str
    name: str
    current: str
    raw: str  # the typed figures (numerator / denominator), for the reviewer who checks them
    last_year: str
    change: str
    target: str
    verdict: str  # Verdict.MET / NOT_MET / NO_DATA
    verdict_label: str
    note: str
    warnings: list[ValueWarning]
    explanation: str

    @property
    def item_key(self) -> str:
        return f"indicator:{self.code}"


def _figure_text(indicator: Any, figure: Figure) -> str:
    if not figure.has_data:
        return "无数据"
    if indicator.value_type in ("boolean", "boolean_set"):
        return "、".join("是" if a else "否" for a in figure.answers or ()) or "无数据"
    value = figure.value
    return "无数据" if value is None else format_figure(indicator, value)


def _raw_text(indicator: Any, figure: Figure) -> str:
    if indicator.value_type != "ratio" or not figure.has_data:
        return ""
    return (
        f"{figure.numerator.normalize():f} / {figure.denominator.normalize():f}"
        if (figure.numerator is not None and figure.denominator is not None)
        else ""
    )


def report_indicator_lines(report: MonthlyReport) -> list[IndicatorLine]:
    """Every applicable indicator of the report's month, judged against last year's same month with the
    bulletin's own rules (``indicator_evaluations``). Eight queries whatever the number of indicators,
    kept under the versions of the tables they read (``core.versions.cached_reads``)."""
    return cached_reads("report-indicator-lines", _loaded_parts(report), lambda: _indicator_lines(report))


def _indicator_lines(report: MonthlyReport) -> list[IndicatorLine]:
    entries = {
        e.indicator.pk: e
        for e in indicator_unit_month(campaign=report.campaign, month=report.month, hospital=report.hospital)
    }
    table = indicator_evaluations(
        campaign=report.campaign,
        hospitals=Hospital.objects.filter(pk=report.hospital_id),
        banners=OrgUnit.objects.none(),
        period=Period.month(report.month.year, report.month.month),
        indicators=[e.indicator for e in entries.values()],
        per_banner=False,
    )
    lines = []
    for result in table.units:
        if result.scope != "hospital" or result.indicator.pk not in entries:
            continue
        indicator, entry = result.indicator, entries[result.indicator.pk]
        change = result.change
        unit = "个百分点" if indicator.value_type == "ratio" else "%"
        lines.append(
            IndicatorLine(
                code=indicator.code,
                name=indicator.name,
                current=_figure_text(indicator, result.current) if entry.value else "未填报",
                raw=_raw_text(indicator, result.current),
                last_year=_figure_text(indicator, result.last_year),
                change="—" if change is None else f"{change:+.1f}{unit}",
                target=indicator.target_text,
                verdict=result.verdict,
                verdict_label=Verdict.LABELS[result.verdict],
                note=result.note,
                warnings=entry.warnings,
                explanation=entry.value.explanation if entry.value else "",
            )
        )
    return lines


def report_return_reason(report: MonthlyReport) -> ReportReview | None:
    """The latest return (its overall reason and reviewer), while the report is returned or resubmitted."""
    if report.status not in (MonthlyReport.Status.RETURNED, MonthlyReport.Status.RESUBMITTED):
        return None
    return (
        report.reviews.filter(action=ReportReview.Action.RETURN)
        .select_related("reviewer")
        .order_by("-at", "-id")
        .first()
    )


def report_month_lectures(report: MonthlyReport) -> QuerySet[LectureSession]:
    """The month's lectures of the report's hospital, with their materials (the courseware)."""
    return (
        LectureSession.objects.filter(
            campaign=report.campaign,
            hospital=report.hospital,
            held_on__range=(report.month, month_end(report.month)),
        )
        .select_related("kind", "speaker")
        .prefetch_related("materials")
        .order_by("held_on", "id")
    )
