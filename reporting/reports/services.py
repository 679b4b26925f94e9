"""Every change of a monthly report's state (SPEC §7), in one place.

Contract of each transition: it locks the report row (``SELECT … FOR UPDATE``), checks the actor's role
and scope, checks the current state, then writes the new state, a history row (actor, time,
old → new, reason) and the notifications — all in one transaction. Twenty concurrent approvals of one
report therefore give one transition and nineteen refusals. A refused transition raises
``ValidationError`` (wrong state, broken rule) or ``PermissionDenied`` (wrong role or scope) with a
Chinese message, before anything is written.

Who does what (SPEC §1): the hospital's reporter edits, submits, resubmits and asks for an unlock; the
banner reviewer does the first review (pass or return); a league reviewer (or an admin) approves,
returns, approves in bulk and grants unlocks. The banner step is optional — SPEC §7 writes it in
parentheses — so a league reviewer may approve a submitted report directly (league-level hospitals,
a banner without a reviewer).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from campaign.calendar import late_days_for, report_months
from campaign.models import Campaign
from campaign.selectors import campaign_for_hospital, require_campaign_in_scope
from core import clock
from core.refusals import Refusals
from hospitals.audit import record_change
from hospitals.models import ChangeRecord, Hospital, Role, User
from hospitals.selectors import AnyUser, ancestor_paths, reporters_of, require_hospital_in_scope
from reporting.notices.models import Notification
from reporting.reports.models import MonthlyReport, ReportReview, ReviewComment, UnlockRequest
from reporting.reports.selectors import (
    report_contents,
    report_lock_state,
    report_open_warnings,
    report_submission_errors,
)
from reporting.reports.workflow import (
    EDITABLE_STATES,
    IN_REVIEW_STATES,
    TRANSITION_LABELS,
    TRANSITIONS,
    require_reviewer,
)

Status = MonthlyReport.Status


# The longest an unlock may run: long enough to fix and resubmit, short enough that the month's figures
# settle before the next bulletin.
MAX_UNLOCK_DAYS = 31


def _user(actor: AnyUser) -> User:
    if not isinstance(actor, User) or not actor.is_active:
        raise PermissionDenied("请先登录。")
    return actor


def _is_league(actor: User) -> bool:
    return actor.is_league_level


def _require_reporter(actor: User, report: MonthlyReport) -> None:
    if actor.role != Role.HOSPITAL_REPORTER or actor.hospital_id != report.hospital_id:
        raise PermissionDenied("只有本医院的填报员可以修改、提交报告或申请解锁。")


def _require_banner_reviewer(actor: User, report: MonthlyReport) -> None:
    if actor.role != Role.BANNER_REVIEWER:
        raise PermissionDenied("初审须由医院所在旗(区)的审核员进行。")
    require_campaign_in_scope(actor, report.campaign_id)
    require_hospital_in_scope(actor, report.hospital)


def _require_league(actor: User, report: MonthlyReport | None, what: str) -> None:
    """A league reviewer (or an admin) of the report's league: its hospital and its campaign in scope."""
    if not _is_league(actor):
        raise PermissionDenied(f"只有盟审核员可以{what}。")
    if report is not None:
        require_campaign_in_scope(actor, report.campaign_id)
        require_hospital_in_scope(actor, report.hospital)


def _lock_row(report_id: int) -> MonthlyReport:
    try:
        return (
            MonthlyReport.objects.select_for_update(of=("self",))
            .select_related("campaign", "hospital__banner")
            .get(pk=report_id)
        )
    except MonthlyReport.DoesNotExist:
        raise ValidationError("报告不存在。", code="not_found") from None


def _check_transition(report: MonthlyReport, transition: str) -> str:
    sources, target = TRANSITIONS[transition]
    if report.status not in sources:
        label = TRANSITION_LABELS[transition]
        if transition == "approve" and report.status == Status.DRAFT:
            message = "草稿状态的报告不能审核通过，须先由医院提交。"
        elif report.status == Status.APPROVED and transition != "reopen":
            message = f"报告已审核通过，不能{label}。如需修改请申请解锁。"
        else:
            message = f"报告当前为“{report.get_status_display()}”，不能{label}。"
        raise ValidationError(message, code="illegal_transition")
    return target


def _require_unlocked(report: MonthlyReport) -> None:
    state = report_lock_state(report)
    if state.locked:
        raise ValidationError(state.message, code="report_locked")


def _move(
    report: MonthlyReport,
    *,
    transition: str,
    target: str,
    actor: User,
    channel: str,
    reason: str = "",
    extra: dict[str, list[Any]] | None = None,
) -> None:
    old = report.status
    report.status = target
    changes: dict[str, list[Any]] = {"status": [old, target], **(extra or {})}
    record_change(report, action=transition, actor=actor, channel=channel, changes=changes, reason=reason)


def _notify(users: Iterable[User], *, kind: str, title: str, body: str = "", link: str = "") -> None:
    Notification.objects.bulk_create(
        [Notification(user=u, kind=kind, title=title, body=body, link=link) for u in users]
    )


def _report_link(report: MonthlyReport) -> str:
    return f"/reports/{report.pk}/"


def _reviewers_of(report: MonthlyReport) -> list[User]:
    """The banner's reviewers: they are told a report waits for their first review."""
    return list(
        User.objects.filter(role=Role.BANNER_REVIEWER, org_unit_id=report.hospital.banner_id, is_active=True)
    )


@transaction.atomic
def report_get_or_create(
    *,
    hospital: Hospital,
    month: dt.date,
    actor: AnyUser,
    channel: str = ChangeRecord.Channel.WEB,
    campaign: Campaign | None = None,
) -> tuple[MonthlyReport, bool]:
    """The hospital's report for ``month``, created as a draft the first time its reporter opens it.

    Safe under concurrency: the unique (hospital, month) constraint decides, and a loser of the race
    reads the winner's row instead of failing.
    """
    user = _user(actor)
    require_hospital_in_scope(user, hospital)
    if user.role != Role.HOSPITAL_REPORTER or user.hospital_id != hospital.pk:
        raise PermissionDenied("只有本医院的填报员可以填报月度自查报告。")
    if month.day != 1:
        raise ValidationError({"month": ValidationError("月份须为当月1日。", code="invalid_month")})
    existing = MonthlyReport.objects.filter(hospital=hospital, month=month).first()
    if existing is not None:
        return existing, False
    campaign = campaign or campaign_for_hospital(hospital, month)
    if campaign is None or not hospital.banner.path.startswith(campaign.league.path):
        raise ValidationError("该医院在该月没有进行中的活动。", code="no_campaign")
    if month not in report_months(campaign):
        raise ValidationError(
            {"month": ValidationError(f"{month:%Y年%m月}不在活动的月度自查期内。", code="invalid_month")}
        )
    try:
        with transaction.atomic():
            report = MonthlyReport.objects.create(campaign=campaign, hospital=hospital, month=month)
    except IntegrityError:
        return MonthlyReport.objects.get(hospital=hospital, month=month), False
    record_change(
        report, action="create", actor=user, channel=channel, changes={"status": [None, Status.DRAFT]}
    )
    return report, True


@transaction.atomic
def report_update(
    *,
    report_id: int,
    actor: AnyUser,
    channel: str = ChangeRecord.Channel.WEB,
    problems: str | None = None,
    corrections: str | None = None,
) -> MonthlyReport:
    """Edit the narrative. Only a draft or returned report that is not locked."""
    user = _user(actor)
    report = _lock_row(report_id)
    _require_reporter(user, report)
    if report.status not in EDITABLE_STATES:
        if report.status == Status.APPROVED:
            raise ValidationError("报告已审核通过，只读。如需修改请申请解锁。", code="report_locked")
        raise ValidationError(
            f"报告当前为“{report.get_status_display()}”，审核期间不能修改。", code="illegal_transition"
        )
    _require_unlocked(report)
    old = {"problems": report.problems, "corrections": report.corrections}
    if problems is not None:
        report.problems = problems
    if corrections is not None:
        report.corrections = corrections
    new = {"problems": report.problems, "corrections": report.corrections}
    changes = {k: [old[k], new[k]] for k in old if old[k] != new[k]}
    if changes:
        report.save(update_fields=["problems", "corrections", "updated_at"])
        record_change(report, action="update", actor=user, channel=channel, changes=changes)
    return report


@transaction.atomic
def report_submit(
    *, report_id: int, actor: AnyUser, channel: str = ChangeRecord.Channel.WEB
) -> MonthlyReport:
    """Submit a draft, or resubmit a returned report. Hard rules block it; the first submission after the
    due day is flagged late with the number of days."""
    user = _user(actor)
    report = _lock_row(report_id)
    _require_reporter(user, report)
    transition = "resubmit" if report.status == Status.RETURNED else "submit"
    target = _check_transition(report, transition)
    _require_unlocked(report)
    errors = report_submission_errors(report)
    if errors:
        raise ValidationError(errors, code="submission_blocked")
    now = clock.now()
    extra: dict[str, list[Any]] = {}
    fields = ["status", "submitted_at", "updated_at"]
    if report.first_submitted_at is None:
        report.first_submitted_at = now
        report.late_days = late_days_for(report.campaign, report.month, clock.today())
        fields += ["first_submitted_at", "late_days"]
        if report.late_days:
            extra["late_days"] = [0, report.late_days]
    report.submitted_at = now
    _move(report, transition=transition, target=target, actor=user, channel=channel, extra=extra)
    report.save(update_fields=fields)
    _notify(
        _reviewers_of(report),
        kind="report_submitted",
        title=f"{report}{'已重新提交' if transition == 'resubmit' else '已提交'}，待初审",
        link=_report_link(report),
    )
    return report


def _snapshot(report: MonthlyReport, *, action: str, actor: User, reason: str) -> ReportReview:
    return ReportReview.objects.create(
        report=report, action=action, reviewer=actor, reason=reason, contents=report_contents(report)
    )


@transaction.atomic
def report_banner_review(
    *, report_id: int, actor: AnyUser, channel: str = ChangeRecord.Channel.WEB, reason: str = ""
) -> MonthlyReport:
    """The banner reviewer's first review passes the report on to the league."""
    user = _user(actor)
    report = _lock_row(report_id)
    _require_banner_reviewer(user, report)
    target = _check_transition(report, "banner_review")
    report.banner_reviewed_at = clock.now()
    report.banner_reviewed_by = user
    _move(report, transition="banner_review", target=target, actor=user, channel=channel, reason=reason)
    report.save(update_fields=["status", "banner_reviewed_at", "banner_reviewed_by", "updated_at"])
    _snapshot(report, action=ReportReview.Action.BANNER_REVIEW, actor=user, reason=reason)
    return report


def _approve_locked(report: MonthlyReport, *, user: User, channel: str, reason: str) -> MonthlyReport:
    target = _check_transition(report, "approve")
    report.approved_at = clock.now()
    report.approved_by = user
    report.unlocked_until = None
    _move(report, transition="approve", target=target, actor=user, channel=channel, reason=reason)
    report.save(update_fields=["status", "approved_at", "approved_by", "unlocked_until", "updated_at"])
    _snapshot(report, action=ReportReview.Action.APPROVE, actor=user, reason=reason)
    _notify(
        reporters_of([report.hospital_id]),
        kind="report_approved",
        title=f"{report}已审核通过",
        link=_report_link(report),
    )
    return report


@transaction.atomic
def report_approve(
    *, report_id: int, actor: AnyUser, channel: str = ChangeRecord.Channel.WEB, reason: str = ""
) -> MonthlyReport:
    user = _user(actor)
    report = _lock_row(report_id)
    _require_league(user, report, "审核通过报告")
    return _approve_locked(report, user=user, channel=channel, reason=reason)


@dataclass(frozen=True)
class CommentInput:
    """A return reason and the report item it concerns (``item_key`` as in ``report_contents``)."""

    text: str
    item_kind: str = ReviewComment.ItemKind.GENERAL
    item_key: str = ""
    item_label: str = ""


@transaction.atomic
def report_return(
    *,
    report_id: int,
    actor: AnyUser,
    channel: str = ChangeRecord.Channel.WEB,
    reason: str,
    comments: Iterable[CommentInput] = (),
) -> MonthlyReport:
    """Send the report back with reasons, each attached to the item it concerns."""
    user = _user(actor)
    comments = list(comments)
    report = _lock_row(report_id)
    require_reviewer(user, report)
    # The reasons (on their fields) and the report's state (on none) are said together.
    refusals = Refusals()
    if not reason.strip() and not comments:
        refusals.add("reason", "退回须填写原因。", "reason_required")
    for comment in comments:
        if not comment.text.strip():
            refusals.add("comments", "每条退回意见都须填写原因。", "reason_required")
        if comment.item_kind not in ReviewComment.ItemKind.values:
            refusals.add("comments", f"未知的项目类型：{comment.item_kind}", "invalid")
    target = ""
    if user.role == Role.BANNER_REVIEWER and report.status == Status.BANNER_REVIEWED:
        refusals.add(None, "报告已通过初审，只能由盟审核员退回。", "illegal_transition")
    else:
        with refusals.collect():
            target = _check_transition(report, "return")
    refusals.raise_if_any()
    report.return_count += 1
    summary = reason.strip() or "；".join(c.text for c in comments)
    _move(report, transition="return", target=target, actor=user, channel=channel, reason=summary)
    report.save(update_fields=["status", "return_count", "updated_at"])
    review = _snapshot(report, action=ReportReview.Action.RETURN, actor=user, reason=summary)
    contents = review.contents
    ReviewComment.objects.bulk_create(
        [
            ReviewComment(
                review=review,
                item_kind=c.item_kind,
                item_key=c.item_key,
                item_label=c.item_label or contents.get(c.item_key, {}).get("label", ""),
                text=c.text,
            )
            for c in comments
        ]
    )
    _notify(
        reporters_of([report.hospital_id]),
        kind="report_returned",
        title=f"{report}被退回，请修改后重新提交",
        body=summary,
        link=_report_link(report),
    )
    return report


@dataclass
class BulkApproveResult:
    approved: list[int] = field(default_factory=list)
    skipped: dict[int, str] = field(default_factory=dict)


def reports_bulk_approve(
    *, report_ids: Iterable[int], actor: AnyUser, channel: str = ChangeRecord.Channel.WEB
) -> BulkApproveResult:
    """Approve each report that has no open warning; the others are listed with the reason they were
    left for a one-by-one review. Each report is its own transaction, so one refusal does not undo
    the others."""
    user = _user(actor)
    if not _is_league(user):
        raise PermissionDenied("只有盟审核员可以批量审核通过。")
    result = BulkApproveResult()
    for report_id in sorted(set(report_ids)):
        try:
            with transaction.atomic():
                report = _lock_row(report_id)
                require_campaign_in_scope(user, report.campaign_id)
                require_hospital_in_scope(user, report.hospital)
                warnings = report_open_warnings(report)
                if warnings:
                    result.skipped[report_id] = "有待处理的提示：" + "；".join(warnings)
                    continue
                _approve_locked(report, user=user, channel=channel, reason="批量审核通过")
                result.approved.append(report_id)
        except ValidationError as exc:
            result.skipped[report_id] = "；".join(exc.messages)
        except PermissionDenied as exc:
            result.skipped[report_id] = str(exc)
    return result


@transaction.atomic
def report_unlock_request(
    *, report_id: int, actor: AnyUser, channel: str = ChangeRecord.Channel.WEB, reason: str
) -> UnlockRequest:
    user = _user(actor)
    report = _lock_row(report_id)
    _require_reporter(user, report)
    refusals = Refusals()
    if not reason.strip():
        refusals.add("reason", "申请解锁须填写理由。", "reason_required")
    if report.status in IN_REVIEW_STATES:
        refusals.add(
            None,
            f"报告当前为“{report.get_status_display()}”，正在审核中，并未锁定，无需申请解锁；"
            "如需修改，请联系审核员退回。",
            "in_review",
        )
    elif not report_lock_state(report).locked:
        refusals.add(None, "报告未锁定，无需申请解锁。", "not_locked")
    elif report.unlock_requests.filter(status=UnlockRequest.Status.PENDING).exists():
        refusals.add(None, "该报告已有待处理的解锁申请。", "duplicate")
    refusals.raise_if_any()
    request = UnlockRequest.objects.create(report=report, requested_by=user, reason=reason)
    record_change(report, action="unlock_request", actor=user, channel=channel, reason=request.reason)
    league_reviewers = User.objects.filter(
        role=Role.LEAGUE_REVIEWER,
        org_unit__path__in=ancestor_paths(report.hospital.banner.path),
        is_active=True,
    )
    _notify(
        league_reviewers,
        kind="unlock_requested",
        title=f"{report}申请解锁",
        body=request.reason,
        link=_report_link(report),
    )
    return request


def _lock_request(request_id: int) -> UnlockRequest:
    try:
        return (
            UnlockRequest.objects.select_for_update(of=("self",)).select_related("report").get(pk=request_id)
        )
    except UnlockRequest.DoesNotExist:
        raise ValidationError("解锁申请不存在。", code="not_found") from None


@transaction.atomic
def report_unlock_grant(
    *,
    request_id: int,
    actor: AnyUser,
    channel: str = ChangeRecord.Channel.WEB,
    until: dt.date | None,
    note: str = "",
) -> MonthlyReport:
    """Open a locked report until ``until`` (inclusive). An approved report goes back to "returned" so
    the hospital edits and resubmits it; when the date passes it is read-only again by itself.

    ``until`` may come in empty (a page form's date left blank): that is refused on the field, not
    compared with today."""
    user = _user(actor)
    request = _lock_request(request_id)
    report = _lock_row(request.report_id)
    _require_league(user, report, "解锁报告")
    refusals = Refusals()
    if request.status != UnlockRequest.Status.PENDING:
        refusals.add(None, "该解锁申请已处理。", "illegal_transition")
    today = clock.today()
    if until is None:
        refusals.add("until", "同意解锁须填写解锁截止日期。", "until_required")
    elif until < today:
        refusals.add("until", "解锁截止日期不能早于今天。", "invalid_until")
    elif (until - today).days > MAX_UNLOCK_DAYS:
        refusals.add("until", f"解锁期限最长{MAX_UNLOCK_DAYS}天。", "invalid_until")
    refusals.raise_if_any()
    assert until is not None
    request.status = UnlockRequest.Status.GRANTED
    request.decided_by = user
    request.decided_at = clock.now()
    request.until = until
    request.decision_note = note
    request.save(update_fields=["status", "decided_by", "decided_at", "until", "decision_note"])
    old_until = report.unlocked_until
    report.unlocked_until = until
    changes: dict[str, list[Any]] = {
        "unlocked_until": [old_until.isoformat() if old_until else None, until.isoformat()]
    }
    reason = f"{request.reason}（同意解锁至{until:%Y-%m-%d}）"
    if report.status == Status.APPROVED:
        target = _check_transition(report, "reopen")
        _move(
            report,
            transition="unlock",
            target=target,
            actor=user,
            channel=channel,
            reason=reason,
            extra=changes,
        )
    else:
        record_change(report, action="unlock", actor=user, channel=channel, changes=changes, reason=reason)
    report.save(update_fields=["status", "unlocked_until", "updated_at"])
    _notify(
        reporters_of([report.hospital_id]),
        kind="unlock_granted",
        title=f"{report}已解锁至{until:%Y-%m-%d}",
        body=note,
        link=_report_link(report),
    )
    return report


@transaction.atomic
def report_unlock_refuse(
    *, request_id: int, actor: AnyUser, channel: str = ChangeRecord.Channel.WEB, note: str
) -> UnlockRequest:
    user = _user(actor)
    request = _lock_request(request_id)
    _require_league(user, request.report, "处理解锁申请")
    refusals = Refusals()
    if request.status != UnlockRequest.Status.PENDING:
        refusals.add(None, "该解锁申请已处理。", "illegal_transition")
    if not note.strip():
        refusals.add("note", "不同意解锁须说明理由。", "reason_required")
    refusals.raise_if_any()
    request.status = UnlockRequest.Status.REFUSED
    request.decided_by = user
    request.decided_at = clock.now()
    request.decision_note = note
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    record_change(
        request.report, action="unlock_refuse", actor=user, channel=channel, reason=request.decision_note
    )
    _notify(
        reporters_of([request.report.hospital_id]),
        kind="unlock_refused",
        title=f"{request.report}解锁申请未获同意",
        body=note,
    )
    return request
