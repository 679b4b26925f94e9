"""Every write of the banners' 调度 reports and the league's visits to banner lectures (§三(三)).

A banner's commission (its reviewer) opens, writes, attaches files to and submits its report of a month,
from the campaign's first reporting month (July, ``report_months``) and not before the month has begun;
it is due on the day a hospital's monthly report is (``dispatch_due_date``) and is late when first
submitted after it. A league reviewer (or an admin) of the campaign's league marks it read or returns it
with a reason; a returned report is edited and resubmitted. Each transition locks the row, checks role,
scope and state, then writes the new state, the history row and the notifications in one transaction;
a refusal writes nothing.

The league records which banner lectures (集中宣讲) it attended: the day (the lecture's) and who went.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import IntegrityError, transaction

from campaign.calendar import late_days_for, report_months
from campaign.files import ANY_KIND, CheckedFile, check_upload
from campaign.models import LectureSession
from campaign.selectors import require_campaign_in_scope
from core import clock
from core.refusals import Refusals
from hospitals.audit import diff, record_change, snapshot
from hospitals.models import OrgUnit, Role, User
from hospitals.selectors import AnyUser, require_unit_in_scope
from reporting.dispatch.models import DispatchReport, DispatchReportFile, LeagueVisit
from reporting.dispatch.selectors import AWAITING_LEAGUE, EDITABLE_STATES, dispatch_campaign_for
from reporting.notices.models import Notification

Status = DispatchReport.Status
Channel = str  # one of hospitals.models.ChangeRecord.Channel


def _user(actor: AnyUser) -> User:
    if not isinstance(actor, User) or not actor.is_active:
        raise PermissionDenied("请先登录。")
    return actor


def _require_banner_writer(user: User, banner: OrgUnit) -> None:
    """Only the banner's own reviewer writes its report (the league reads it)."""
    require_unit_in_scope(user, banner)
    if user.role != Role.BANNER_REVIEWER or user.org_unit_id != banner.pk:
        raise PermissionDenied("只有本旗(区)卫生健康委的审核员可以填写、报送调度报告。")


def _require_league(user: User, *, campaign_id: int, unit: OrgUnit, what: str) -> None:
    if not user.is_league_level:
        raise PermissionDenied(f"只有盟卫生健康委的审核员可以{what}。")
    require_campaign_in_scope(user, campaign_id)
    require_unit_in_scope(user, unit)


def _lock(report: DispatchReport) -> DispatchReport:
    try:
        return (
            DispatchReport.objects.select_for_update(of=("self",))
            .select_related("campaign__league", "banner")
            .get(pk=report.pk)
        )
    except DispatchReport.DoesNotExist:
        raise ValidationError("调度报告不存在。", code="not_found") from None


def _link(report: DispatchReport) -> str:
    return f"/dispatch/{report.banner_id}/{report.month:%Y-%m}/"


def _notify(users: Iterable[User], *, kind: str, title: str, body: str = "", link: str = "") -> None:
    Notification.objects.bulk_create(
        [Notification(user=u, kind=kind, title=title, body=body, link=link) for u in users]
    )


def _league_reviewers(report: DispatchReport) -> list[User]:
    return list(
        User.objects.filter(role=Role.LEAGUE_REVIEWER, org_unit_id=report.campaign.league_id, is_active=True)
    )


def _banner_reviewers(report: DispatchReport) -> list[User]:
    return list(User.objects.filter(role=Role.BANNER_REVIEWER, org_unit_id=report.banner_id, is_active=True))


def _refuse_state(report: DispatchReport, allowed: Sequence[str], what: str) -> ValidationError | None:
    if report.status in allowed:
        return None
    if report.status == Status.READ:
        message = f"调度报告已阅，不能{what}。"
    elif report.status in AWAITING_LEAGUE and what in ("修改", "报送"):
        message = f"调度报告当前为“{report.get_status_display()}”，盟卫生健康委阅知或退回前不能{what}。"
    else:
        message = f"调度报告当前为“{report.get_status_display()}”，不能{what}。"
    return ValidationError(message, code="illegal_transition")


# --- the report --------------------------------------------------------------------------------------


@transaction.atomic
def dispatch_report_open(
    *, actor: AnyUser, channel: Channel, banner: OrgUnit, month: dt.date
) -> tuple[DispatchReport, bool]:
    """The banner's report of ``month``, created as a draft the first time its reviewer writes it.

    Refused: another banner (or anyone but the banner's reviewer), a day that is not the 1st, a month
    before the campaign's first reporting month (July: §三(三) "7月上旬开始…调度"), a month that has not
    begun, a month outside the campaign."""
    user = _user(actor)
    _require_banner_writer(user, banner)
    refusals = Refusals()
    campaign = None
    if month.day != 1:
        refusals.add("month", "月份须为当月1日。", "month_not_first_day")
    else:
        campaign = dispatch_campaign_for(banner, month)
        if campaign is None:
            refusals.add("month", f"{month:%Y年%m月}该旗(区)没有进行中的活动。", "no_campaign")
        else:
            months = report_months(campaign)
            if months and month < months[0]:
                refusals.add(
                    "month",
                    f"调度报告自{months[0]:%Y年%-m月}起按月报送（通知三(三)：7月上旬开始调度），"
                    f"{month:%Y年%-m月}不需报送。",
                    "before_dispatch",
                )
            elif month > clock.today():
                refusals.add("month", f"{month:%Y年%-m月}尚未开始，不能填写调度报告。", "month_in_future")
            elif month not in months:
                refusals.add("month", f"{month:%Y年%-m月}不在活动的调度期内。", "month_outside_campaign")
    refusals.raise_if_any()
    assert campaign is not None
    existing = DispatchReport.objects.filter(banner=banner, month=month).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            report = DispatchReport.objects.create(
                campaign=campaign, banner=banner, month=month, created_by=user
            )
    except IntegrityError:
        return DispatchReport.objects.get(banner=banner, month=month), False
    record_change(
        report, action="create", actor=user, channel=channel, changes={"status": [None, Status.DRAFT]}
    )
    return report, True


def _check_files(files: Sequence[File], refusals: Refusals) -> list[CheckedFile]:
    checked: list[CheckedFile] = []
    for file in files:  # every file checked before anything is written
        with refusals.collect():
            checked.append(check_upload(file, kind=ANY_KIND, field="files"))
    return checked


@transaction.atomic
def dispatch_report_update(
    *,
    actor: AnyUser,
    channel: Channel,
    report: DispatchReport,
    text: str | None = None,
    files: Sequence[File] = (),
) -> DispatchReport:
    """Write the report's text and attach files; only a draft or a returned report."""
    user = _user(actor)
    report = _lock(report)
    _require_banner_writer(user, report.banner)
    refusals = Refusals()
    state = _refuse_state(report, EDITABLE_STATES, "修改")
    if state is not None:
        refusals.merge(state)
    checked = _check_files(files, refusals)
    refusals.raise_if_any()
    old = snapshot(report, ["text"])
    if text is not None:
        report.text = text
    changes = diff(old, snapshot(report, ["text"]))
    for file, info in zip(files, checked, strict=True):
        attached = DispatchReportFile(
            report=report,
            original_name=info.original_name,
            content_type=info.content_type,
            size=info.size,
            uploaded_by=user,
        )
        attached.file.save(info.storage_name(f"dispatch/{report.banner_id}"), file, save=False)
        attached.save()
    if checked:
        changes["files"] = [None, [c.original_name for c in checked]]
    if changes:
        report.save(update_fields=["text", "updated_at"])
        record_change(report, action="update", actor=user, channel=channel, changes=changes)
    return report


@transaction.atomic
def dispatch_file_remove(
    *, actor: AnyUser, channel: Channel, attached: DispatchReportFile, reason: str = ""
) -> None:
    """Remove a file from a draft or returned report; the history keeps its name."""
    user = _user(actor)
    report = _lock(attached.report)
    _require_banner_writer(user, report.banner)
    state = _refuse_state(report, EDITABLE_STATES, "修改")
    if state is not None:
        raise state
    name, stored = attached.original_name, attached.file
    attached.delete()
    changes: dict[str, list[object]] = {"files": [[name], None]}
    record_change(report, action="update", actor=user, channel=channel, changes=changes, reason=reason)
    if stored.name:
        transaction.on_commit(functools.partial(stored.storage.delete, stored.name))


@transaction.atomic
def dispatch_report_submit(*, actor: AnyUser, channel: Channel, report: DispatchReport) -> DispatchReport:
    """Submit a draft, or resubmit a returned report; the first submission after the due day is late."""
    user = _user(actor)
    report = _lock(report)
    _require_banner_writer(user, report.banner)
    refusals = Refusals()
    resubmit = report.status == Status.RETURNED
    state = _refuse_state(report, EDITABLE_STATES, "报送")
    if state is not None:
        refusals.merge(state)
    elif not report.text.strip():
        refusals.add("text", "调度报告须填写调度情况（书面报告）后才能报送。", "text_required")
    refusals.raise_if_any()
    now = clock.now()
    target = Status.RESUBMITTED if resubmit else Status.SUBMITTED
    changes: dict[str, list[object]] = {"status": [report.status, target]}
    fields = ["status", "submitted_at", "updated_at"]
    if report.first_submitted_at is None:
        report.first_submitted_at = now
        report.late_days = late_days_for(report.campaign, report.month, clock.today())
        fields += ["first_submitted_at", "late_days"]
        if report.late_days:
            changes["late_days"] = [0, report.late_days]
    report.status, report.submitted_at = target, now
    report.save(update_fields=fields)
    record_change(
        report, action="resubmit" if resubmit else "submit", actor=user, channel=channel, changes=changes
    )
    _notify(
        _league_reviewers(report),
        kind="dispatch_submitted",
        title=f"{report}{'已重新报送' if resubmit else '已报送'}，待阅知",
        link=_link(report),
    )
    return report


@transaction.atomic
def dispatch_report_mark_read(
    *, actor: AnyUser, channel: Channel, report: DispatchReport, note: str = ""
) -> DispatchReport:
    """The league has read the submitted report; it is then final."""
    user = _user(actor)
    report = _lock(report)
    _require_league(user, campaign_id=report.campaign_id, unit=report.banner, what="阅知调度报告")
    state = _refuse_state(report, AWAITING_LEAGUE, "标记已阅")
    if state is not None:
        raise state
    old = report.status
    report.status, report.read_at, report.read_by = Status.READ, clock.now(), user
    report.save(update_fields=["status", "read_at", "read_by", "updated_at"])
    record_change(
        report,
        action="read",
        actor=user,
        channel=channel,
        changes={"status": [old, Status.READ]},
        reason=note,
    )
    _notify(
        _banner_reviewers(report), kind="dispatch_read", title=f"{report}盟卫生健康委已阅", link=_link(report)
    )
    return report


@transaction.atomic
def dispatch_report_return(
    *, actor: AnyUser, channel: Channel, report: DispatchReport, reason: str
) -> DispatchReport:
    """Send the report back to the banner with a reason; it edits and resubmits it."""
    user = _user(actor)
    report = _lock(report)
    _require_league(user, campaign_id=report.campaign_id, unit=report.banner, what="退回调度报告")
    refusals = Refusals()
    if not reason.strip():
        refusals.add("reason", "退回须填写原因。", "reason_required")
    state = _refuse_state(report, AWAITING_LEAGUE, "退回")
    if state is not None:
        refusals.merge(state)
    refusals.raise_if_any()
    old = report.status
    report.status, report.return_reason, report.returned_at = Status.RETURNED, reason, clock.now()
    report.return_count += 1
    report.save(update_fields=["status", "return_reason", "returned_at", "return_count", "updated_at"])
    record_change(
        report,
        action="return",
        actor=user,
        channel=channel,
        changes={"status": [old, Status.RETURNED]},
        reason=reason,
    )
    _notify(
        _banner_reviewers(report),
        kind="dispatch_returned",
        title=f"{report}被退回，请修改后重新报送",
        body=reason,
        link=_link(report),
    )
    return report


# --- the league's visits -----------------------------------------------------------------------------

VISIT_FIELDS = ["visited_on", "attendees", "note"]


def league_visit_check(
    *,
    actor: AnyUser,
    lecture: LectureSession,
    visited_on: dt.date | None,
    attendees: str,
    visit: LeagueVisit | None = None,
) -> None:
    """Every rule of a visit, said together: the league's reviewer of the lecture's league, a banner's
    集中宣讲 (not a hospital's lecture), on the lecture's day (not after today), who attended, once per
    lecture."""
    user = _user(actor)
    if not user.is_league_level:
        raise PermissionDenied("只有盟卫生健康委的审核员可以登记出席宣讲活动。")
    refusals = Refusals()
    if lecture.org_unit_id is None:
        refusals.add(
            "lecture", "只能登记旗(区)卫生健康委组织的集中宣讲，医院的宣讲不在此登记。", "not_banner_lecture"
        )
    else:
        assert lecture.org_unit is not None
        require_campaign_in_scope(user, lecture.campaign_id)
        require_unit_in_scope(user, lecture.org_unit)
        taken = LeagueVisit.objects.filter(lecture=lecture)
        if visit is not None:
            taken = taken.exclude(pk=visit.pk)
        if taken.exists():
            refusals.add("lecture", f"已登记出席“{lecture.title}”。", "visit_exists")
    if visited_on is None:
        refusals.add("visited_on", "请填写出席日期。", "required")
    elif visited_on > clock.today():
        refusals.add("visited_on", "出席日期不能晚于今天。", "date_in_future")
    elif visited_on != lecture.held_on:
        refusals.add(
            "visited_on",
            f"出席日期须为宣讲当天（{lecture.held_on:%Y-%m-%d}）。",
            "visit_not_on_lecture_day",
        )
    if not attendees.strip():
        refusals.add("attendees", "请填写出席人员。", "required")
    refusals.raise_if_any()


@transaction.atomic
def league_visit_create(
    *,
    actor: AnyUser,
    channel: Channel,
    lecture: LectureSession,
    visited_on: dt.date,
    attendees: str,
    note: str = "",
) -> LeagueVisit:
    league_visit_check(actor=actor, lecture=lecture, visited_on=visited_on, attendees=attendees)
    user = _user(actor)
    visit = LeagueVisit.objects.create(
        campaign_id=lecture.campaign_id,
        lecture=lecture,
        visited_on=visited_on,
        attendees=attendees,
        note=note,
        created_by=user,
    )
    changes = diff({}, {"lecture": lecture.title, **snapshot(visit, VISIT_FIELDS)})
    record_change(visit, action="create", actor=user, channel=channel, changes=changes)
    return visit


@transaction.atomic
def league_visit_update(
    *,
    actor: AnyUser,
    channel: Channel,
    visit: LeagueVisit,
    visited_on: dt.date,
    attendees: str,
    note: str = "",
) -> LeagueVisit:
    """Correct a visit; it stays with its lecture."""
    visit = (
        LeagueVisit.objects.select_for_update(of=("self",))
        .select_related("lecture__org_unit")
        .get(pk=visit.pk)
    )
    league_visit_check(
        actor=actor, lecture=visit.lecture, visited_on=visited_on, attendees=attendees, visit=visit
    )
    old = snapshot(visit, VISIT_FIELDS)
    visit.visited_on, visit.attendees, visit.note = visited_on, attendees, note
    changes = diff(old, snapshot(visit, VISIT_FIELDS))
    if changes:
        visit.save()
        record_change(visit, action="update", actor=_user(actor), channel=channel, changes=changes)
    return visit


@transaction.atomic
def league_visit_delete(*, actor: AnyUser, channel: Channel, visit: LeagueVisit, reason: str = "") -> None:
    user = _user(actor)
    visit = LeagueVisit.objects.select_related("lecture__org_unit").get(pk=visit.pk)
    if not user.is_league_level:
        raise PermissionDenied("只有盟卫生健康委的审核员可以删除出席记录。")
    assert visit.lecture.org_unit is not None
    require_campaign_in_scope(user, visit.campaign_id)
    require_unit_in_scope(user, visit.lecture.org_unit)
    changes = diff({"lecture": visit.lecture.title, **snapshot(visit, VISIT_FIELDS)}, {})
    record_change(visit, action="delete", actor=user, channel=channel, changes=changes, reason=reason)
    visit.delete()
