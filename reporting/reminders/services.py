"""Reminders at the campaign's offsets from a due date (SPEC §8).

``campaign.reminder_offsets`` is a list of ``{"days": -5, "step": "before_5", "escalate": false}``:
days from the due date. The daily run sends the latest step whose date has come, so a beat that
missed a day catches up with the step that matters now instead of sending every step it missed; the
send log (``notices.services.SendBatch``, claimed in bulk) makes a second run of the same day send nothing.

Milestones (the checked ones: launch, lecture plan, centralised lecture, secretary and president
lectures, external lectures) remind the hospitals that have not met them, at the same offsets from the
milestone's due date. Action items that are not done remind their owner (the responsible person, by
e-mail) and the hospital's reporters (in-app) at the offsets from the item's due date.

Reports: only hospitals whose report is not submitted (no report, or a draft) or was returned are
reminded, until the lock day. A step marked ``escalate`` also e-mails the hospital's secretary and
president and sends the banner reviewer one digest of the hospitals still missing.

The addresses are the people's own (``hospitals.Person.email``, kept on the hospital's 人员与科室 page);
a secretary, president or action-item owner without one is not skipped silently: each such reminder is
listed once on the banner reviewers' 无法送达 digest (``SendBatch.add_unreachable``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.db.models import Q

from campaign.calendar import report_due_date, report_lock_date, report_months
from campaign.compliance import checked_milestones, milestone_compliance
from campaign.models import ActionItem, Campaign, ProgressStatus
from campaign.selectors import campaign_hospitals
from core import clock
from hospitals.models import Hospital, Person, Post, Role, User
from hospitals.selectors import reporters_of
from reporting.notices.services import Channel, SendBatch
from reporting.reports.models import MonthlyReport

# Reports in these states still need the hospital to act.
NEEDS_ACTION = (MonthlyReport.Status.DRAFT, MonthlyReport.Status.RETURNED)


@dataclass(frozen=True)
class Offset:
    days: int
    step: str
    escalate: bool = False


def campaign_offsets(campaign: Campaign) -> list[Offset]:
    offsets = [
        Offset(int(o["days"]), str(o.get("step") or f"d{int(o['days']):+d}"), bool(o.get("escalate", False)))
        for o in campaign.reminder_offsets
    ]
    return sorted(offsets, key=lambda o: o.days)


def current_step(offsets: list[Offset], due: dt.date, today: dt.date, last_day: dt.date) -> Offset | None:
    """The latest step whose date has come, or None before the first step or after ``last_day``."""
    if today > last_day:
        return None
    reached = [o for o in offsets if due + dt.timedelta(days=o.days) <= today]
    return reached[-1] if reached else None


def _emails(users: list[User]) -> list[str]:
    return [u.email for u in users if u.email]


def _leaders(hospitals: list[Hospital], today: dt.date) -> dict[int, list[Person]]:
    """Each hospital's secretary and president in post today (a 书记兼院长 once): one query."""
    leaders: dict[int, list[Person]] = defaultdict(list)
    posts = (
        Post.objects.filter(hospital__in=hospitals, role__in=Post.HOSPITAL_ROLES, start_on__lte=today)
        .filter(Q(end_on__isnull=True) | Q(end_on__gte=today))
        .select_related("person")
        .order_by("role", "person__code")
    )
    for post in posts:
        if post.hospital_id is not None and post.person not in leaders[post.hospital_id]:
            leaders[post.hospital_id].append(post.person)
    return leaders


def _escalate(
    batch: SendBatch,
    send: Callable[..., None],
    *,
    target: str,
    step: str,
    hospital: Hospital,
    leaders: list[Person],
    reminder: str,
) -> None:
    """E-mail the escalation to the hospital's secretary and president; one without an address is
    listed on the banner's 无法送达 digest instead (SPEC §8, issue 16)."""
    send(
        step=step, channel=Channel.EMAIL, emails=[p.email for p in leaders if p.email], count_as="escalation"
    )
    for person in leaders:
        if not person.email:
            batch.add_unreachable(
                target=target, step=step, person=person, hospital=hospital, reminder=reminder
            )


def _report_reminders(
    campaign: Campaign, month: dt.date, step: Offset, today: dt.date, batch: SendBatch
) -> None:
    due = report_due_date(campaign, month)
    hospitals = list(campaign_hospitals(campaign))
    reports = {r.hospital_id: r for r in MonthlyReport.objects.filter(campaign=campaign, month=month)}
    pending = [h for h in hospitals if h.pk not in reports or reports[h.pk].status in NEEDS_ACTION]
    if not pending:
        return
    reporters: dict[int, list[User]] = defaultdict(list)
    for user in reporters_of([h.pk for h in pending]):
        assert user.hospital_id is not None
        reporters[user.hospital_id].append(user)
    leaders = _leaders(pending, today) if step.escalate else {}
    for hospital in pending:
        report = reports.get(hospital.pk)
        returned = report is not None and report.status == MonthlyReport.Status.RETURNED
        # Each return starts a new round of reminders: the earlier round's keys are already used.
        step_key = f"returned{report.return_count}:{step.step}" if returned and report else step.step
        target = f"report:{hospital.pk}:{month:%Y-%m}"
        state = "已被退回，请修改后重新提交" if returned else "尚未提交"
        subject = f"【提醒】{hospital.name}{month:%Y年%m月}自查报告{state}（截止{due:%Y-%m-%d}）"
        body = (
            f"{hospital.name}：{month:%Y年%m月}月度自查报告{state}。提交截止日期为{due:%Y年%m月%d日}，"
            f"{report_lock_date(campaign, month):%Y年%m月%d日}后报告锁定。请登录讲见效活动管理系统办理。"
        )
        link = f"/reports/{report.pk}/" if report else "/reports/"
        users = reporters[hospital.pk]
        send = partial(batch.add, target=target, subject=subject, body=body, hospital=hospital, link=link)
        send(step=step_key, channel=Channel.IN_APP, users=users, count_as="in_app")
        send(step=step_key, channel=Channel.EMAIL, emails=_emails(users), count_as="email")
        if step.escalate:
            _escalate(
                batch,
                send,
                target=target,
                step=f"{step_key}:escalation",
                hospital=hospital,
                leaders=leaders.get(hospital.pk, []),
                reminder=f"{month:%Y年%m月}自查报告{state}的升级提醒",
            )
    if step.escalate:
        _banner_digests(pending, month, step, due, batch)


def _banner_digests(
    pending: list[Hospital], month: dt.date, step: Offset, due: dt.date, batch: SendBatch
) -> None:
    by_banner: dict[int, list[Hospital]] = defaultdict(list)
    for hospital in pending:
        by_banner[hospital.banner_id].append(hospital)
    reviewers: dict[int, list[User]] = defaultdict(list)
    for user in User.objects.filter(role=Role.BANNER_REVIEWER, org_unit_id__in=by_banner, is_active=True):
        assert user.org_unit_id is not None
        reviewers[user.org_unit_id].append(user)
    for banner_id, hospitals in by_banner.items():
        banner = hospitals[0].banner
        names = "、".join(h.name for h in hospitals)
        subject = f"【汇总】{banner.name}{month:%Y年%m月}自查报告尚有{len(hospitals)}家医院未提交或被退回"
        body = f"截止{due:%Y-%m-%d}，以下医院的{month:%Y年%m月}自查报告尚未提交或被退回未重新提交：{names}。"
        send = partial(
            batch.add,
            target=f"digest:banner:{banner_id}:{month:%Y-%m}",
            step=step.step,
            subject=subject,
            body=body,
            count_as="digest",
        )
        users = reviewers[banner_id]
        send(channel=Channel.IN_APP, users=users, kind="digest")
        send(channel=Channel.EMAIL, emails=_emails(users))


# Milestones and action items are reminded at the same offsets from their own due dates. After the last
# step a beat that was down this many days still catches up once; later than that a reminder is noise.
CATCH_UP_DAYS = 7


def _window(offsets: list[Offset], due: dt.date) -> dt.date:
    return due + dt.timedelta(days=(offsets[-1].days if offsets else 0) + CATCH_UP_DAYS)


def _milestone_reminders(campaign: Campaign, today: dt.date, batch: SendBatch) -> None:
    """Before and after each checked milestone, to hospitals that have not met it (e.g. the secretary or
    the president has not lectured hospital-wide by 07-31)."""
    offsets = campaign_offsets(campaign)
    due_steps = []
    for milestone in checked_milestones(campaign):
        step = current_step(offsets, milestone.due_on, today, _window(offsets, milestone.due_on))
        if step is not None:
            due_steps.append((milestone, step))
    if not due_steps:
        return
    hospitals = list(campaign_hospitals(campaign))
    compliance = milestone_compliance(campaign=campaign, hospitals=hospitals, on=today)
    reporters: dict[int, list[User]] = defaultdict(list)
    for user in reporters_of([h.pk for h in hospitals]):
        assert user.hospital_id is not None
        reporters[user.hospital_id].append(user)
    leaders = _leaders(hospitals, today) if any(s.escalate for _, s in due_steps) else {}
    for milestone, step in due_steps:
        for hospital in hospitals:
            status = next((s for s in compliance[hospital.pk] if s.milestone.pk == milestone.pk), None)
            if status is None or status.is_met:
                continue
            when = "已逾期" if today > milestone.due_on else f"将于{milestone.due_on:%Y-%m-%d}到期"
            subject = f"【提醒】{hospital.name}：时间节点“{milestone.name}”{when}，尚未完成"
            body = (
                f"{hospital.name}：{milestone.name}（截止{milestone.due_on:%Y年%m月%d日}）"
                f"尚未完成：{status.detail}。"
            )
            send = partial(
                batch.add,
                target=f"milestone:{milestone.pk}:hospital:{hospital.pk}",
                subject=subject,
                body=body,
                hospital=hospital,
                kind="milestone_reminder",
            )
            users = reporters[hospital.pk]
            send(step=step.step, channel=Channel.IN_APP, users=users, count_as="milestone")
            send(step=step.step, channel=Channel.EMAIL, emails=_emails(users), count_as="milestone")
            if step.escalate:
                _escalate(
                    batch,
                    send,
                    target=f"milestone:{milestone.pk}:hospital:{hospital.pk}",
                    step=f"{step.step}:escalation",
                    hospital=hospital,
                    leaders=leaders.get(hospital.pk, []),
                    reminder=f"时间节点“{milestone.name}”{when}的升级提醒",
                )


def _action_item_reminders(campaign: Campaign, today: dt.date, batch: SendBatch) -> None:
    """To the owner (responsible person, by e-mail) and the hospital's reporters (in-app) of action items
    about to be or already overdue: not done, due date within the offsets' window."""
    offsets = campaign_offsets(campaign)
    if not offsets:
        return
    earliest = today - dt.timedelta(days=offsets[-1].days + CATCH_UP_DAYS)
    latest = today - dt.timedelta(days=offsets[0].days)
    items = list(
        ActionItem.objects.filter(campaign=campaign, due_on__gte=earliest, due_on__lte=latest)
        .exclude(current_status=ProgressStatus.DONE)
        .select_related("hospital", "responsible", "task")
    )
    if not items:
        return
    reporters: dict[int, list[User]] = defaultdict(list)
    for user in reporters_of(sorted({i.hospital_id for i in items})):
        assert user.hospital_id is not None
        reporters[user.hospital_id].append(user)
    for item in items:
        step = current_step(offsets, item.due_on, today, _window(offsets, item.due_on))
        if step is None:
            continue
        when = f"已于{item.due_on:%Y-%m-%d}逾期" if today > item.due_on else f"将于{item.due_on:%Y-%m-%d}到期"
        subject = f"【提醒】{item.hospital.name}行动项“{item.title}”{when}"
        body = (
            f"{item.task.code} {item.title}（责任人：{item.responsible.name}）{when}，当前状态："
            f"{item.get_current_status_display()}。请推进并填报月度进展。"
        )
        send = partial(
            batch.add,
            target=f"action_item:{item.pk}",
            subject=subject,
            body=body,
            hospital=item.hospital,
            kind="action_item_reminder",
            count_as="action_item",
        )
        send(step=step.step, channel=Channel.IN_APP, users=reporters[item.hospital_id])
        send(step=step.step, channel=Channel.EMAIL, emails=[item.responsible.email])
        if not item.responsible.email:
            batch.add_unreachable(
                target=f"action_item:{item.pk}",
                step=step.step,
                person=item.responsible,
                hospital=item.hospital,
                reminder=f"行动项“{item.title}”{when}的责任人提醒",
            )


# Reminder kinds besides the monthly report: f(campaign, today, batch) queues its sends.
ReminderKind = Callable[[Campaign, dt.date, SendBatch], None]
OTHER_REMINDERS: list[ReminderKind] = [_milestone_reminders, _action_item_reminders]


def reminders_send_due(*, today: dt.date | None = None) -> dict[str, int]:
    """Send every reminder due today that was not sent before; returns how many went out per kind."""
    today = today or clock.today()
    batch = SendBatch()
    for campaign in Campaign.objects.select_related("league"):
        offsets = campaign_offsets(campaign)
        for month in report_months(campaign):
            step = current_step(
                offsets, report_due_date(campaign, month), today, report_lock_date(campaign, month)
            )
            if step is not None:
                _report_reminders(campaign, month, step, today, batch)
        for kind in OTHER_REMINDERS:
            kind(campaign, today, batch)
    return dict(batch.flush())
