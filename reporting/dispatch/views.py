"""The 调度 pages: a banner's reviewer writes, attaches files to and submits its monthly report; the
league's reviewer reads every banner's report of a month, marks it read or returns it with a reason;
the league records the banner lectures (集中宣讲) it attended. Every write is a service of
``reporting.dispatch.services``; a refusal is shown on the form that asked for it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from campaign.banner_views import banner_for_page
from campaign.selectors import lecture_list
from campaign.views import campaign_for_page, delete_on_page
from core import clock
from core.pages import add_service_error, call_service, month_from_url
from hospitals.models import ChangeRecord, OrgUnit, Role, User
from hospitals.pages import page_user, role_required
from hospitals.selectors import org_units_visible_to
from reporting.dispatch.forms import DispatchReportForm, LeagueVisitForm, ReadForm, ReturnForm
from reporting.dispatch.models import DispatchReport
from reporting.dispatch.selectors import (
    AWAITING_LEAGUE,
    EDITABLE_STATES,
    banner_dispatch_rows,
    dispatch_banners,
    dispatch_due_date,
    dispatch_files_visible_to,
    dispatch_history,
    dispatch_months,
    dispatch_reports_visible_to,
    league_visits_visible_to,
)
from reporting.dispatch.services import (
    dispatch_file_remove,
    dispatch_report_mark_read,
    dispatch_report_open,
    dispatch_report_return,
    dispatch_report_submit,
    dispatch_report_update,
    league_visit_create,
    league_visit_delete,
)

WEB = ChangeRecord.Channel.WEB
REVIEWERS = (Role.BANNER_REVIEWER, Role.LEAGUE_REVIEWER, Role.ADMIN)


def _is_banner(user: User) -> bool:
    return user.role == Role.BANNER_REVIEWER


def _default_month(months: list[dt.date]) -> dt.date | None:
    """The month the league reads first: the latest whose report is already due, else the first."""
    today = clock.today()
    return next((m for m in reversed(months) if m.replace(day=1) < today.replace(day=1)), None) or (
        months[0] if months else None
    )


@login_required
@role_required(*REVIEWERS)
def dispatch_index(request: HttpRequest) -> HttpResponse:
    """A banner's reviewer: its months (due day, state). The league: every banner's report of a month."""
    user = page_user(request)
    unit = user.org_unit if _is_banner(user) else None
    campaign = campaign_for_page(user, unit=unit)
    months = dispatch_months(campaign)
    if unit is not None:
        reports = {
            r.month: r for r in dispatch_reports_visible_to(user).filter(campaign=campaign, banner=unit)
        }
        rows = [
            {"month": m, "due_on": dispatch_due_date(campaign, m), "report": reports.get(m)}
            for m in reversed(months)
        ]
        return render(
            request,
            "reporting/dispatch/index_banner.html",
            {"unit": unit, "campaign": campaign, "rows": rows},
        )
    chosen = month_from_url(request.GET["month"]) if request.GET.get("month") else _default_month(months)
    if chosen is not None and chosen not in months:
        raise Http404("该月不在调度期内。")
    visible = set(org_units_visible_to(user).values_list("pk", flat=True))
    banners = [b for b in dispatch_banners(campaign) if b.pk in visible]
    table: list[dict[str, Any]] = []
    if chosen is not None:
        by_banner = {
            r.banner_id: r for r in dispatch_reports_visible_to(user).filter(campaign=campaign, month=chosen)
        }
        for row in banner_dispatch_rows(campaign, chosen, banners):
            table.append({"row": row, "report": by_banner.get(row.banner.pk)})
    return render(
        request,
        "reporting/dispatch/index_league.html",
        {
            "campaign": campaign,
            "months": months,
            "month": chosen,
            "due_on": dispatch_due_date(campaign, chosen) if chosen else None,
            "table": table,
        },
    )


def _banner_post(request: HttpRequest, unit: OrgUnit, month: dt.date, report: DispatchReport | None) -> Any:
    """Open the report if needed, save the text and files and (with 报送) submit, all or nothing: a
    refused submission keeps nothing new. None when it went through, else the form with the refusal."""
    form = DispatchReportForm(request.POST, request.FILES)
    if not form.is_valid():
        return form
    submit = request.POST.get("action") == "submit"
    try:
        with transaction.atomic():
            if report is None:
                report, _ = dispatch_report_open(actor=request.user, channel=WEB, banner=unit, month=month)
            report = dispatch_report_update(
                actor=request.user,
                channel=WEB,
                report=report,
                text=form.cleaned_data["text"],
                files=form.cleaned_data["attachments"],
            )
            if submit:
                report = dispatch_report_submit(actor=request.user, channel=WEB, report=report)
    except (ValidationError, PermissionDenied) as error:
        add_service_error(form, error)
        return form
    messages.success(request, f"已报送{report}。" if submit else f"已保存{report}（尚未报送）。")
    return None


def _league_post(request: HttpRequest, report: DispatchReport | None) -> tuple[ReadForm, ReturnForm, bool]:
    read_form, return_form = ReadForm(), ReturnForm()
    if report is None:
        raise Http404("该月尚未填报调度报告。")
    if request.POST.get("action") == "read":
        read_form = ReadForm(request.POST)
        if read_form.is_valid():
            done = call_service(
                read_form,
                dispatch_report_mark_read,
                actor=request.user,
                channel=WEB,
                report=report,
                note=read_form.cleaned_data["note"],
            )
            if done is not None:
                messages.success(request, f"已将{report}标记为已阅。")
                return read_form, return_form, True
    else:
        return_form = ReturnForm(request.POST)
        if return_form.is_valid():
            done = call_service(
                return_form,
                dispatch_report_return,
                actor=request.user,
                channel=WEB,
                report=report,
                reason=return_form.cleaned_data["reason"],
            )
            if done is not None:
                messages.success(request, f"已退回{report}。")
                return read_form, return_form, True
    return read_form, return_form, False


@login_required
@role_required(*REVIEWERS)
def dispatch_month(request: HttpRequest, unit_id: int, month: str) -> HttpResponse:
    """One banner's report of one month: written and submitted by the banner, read or returned by the
    league; its files and history."""
    user = page_user(request)
    unit = banner_for_page(user, unit_id)
    day = month_from_url(month)
    report = dispatch_reports_visible_to(user).filter(banner=unit, month=day).first()
    may_write = _is_banner(user) and user.org_unit_id == unit.pk
    may_review = user.is_league_level and report is not None and report.status in AWAITING_LEAGUE
    form: DispatchReportForm | None = None
    read_form, return_form = ReadForm(), ReturnForm()
    here = redirect("reporting:dispatch_month", unit_id=unit.pk, month=f"{day:%Y-%m}")
    if request.method == "POST":
        if may_write:
            form = _banner_post(request, unit, day, report)
            if form is None:
                return here
        elif user.is_league_level:
            read_form, return_form, done = _league_post(request, report)
            if done:
                return here
        else:
            raise PermissionDenied("您无权修改该调度报告。")
    editable = may_write and (report is None or report.status in EDITABLE_STATES)
    if editable and form is None:
        form = DispatchReportForm(initial={"text": report.text if report is not None else ""})
    campaign = report.campaign if report is not None else campaign_for_page(user, unit=unit)
    return render(
        request,
        "reporting/dispatch/month.html",
        {
            "unit": unit,
            "month": day,
            "report": report,
            "due_on": dispatch_due_date(campaign, day),
            "form": form if editable else None,
            "may_write": may_write,
            "may_review": may_review,
            "read_form": read_form,
            "return_form": return_form,
            "history": dispatch_history(report) if report is not None else [],
        },
    )


@login_required
def dispatch_file_download(request: HttpRequest, file_id: int) -> FileResponse:
    """A 调度 report's file, in the user's scope (stored where no URL serves it)."""
    attached = get_object_or_404(dispatch_files_visible_to(request.user), pk=file_id)
    return FileResponse(attached.file.open("rb"), as_attachment=True, filename=attached.original_name)


@login_required
@role_required(Role.BANNER_REVIEWER)
@require_POST
def dispatch_file_remove_page(request: HttpRequest, file_id: int) -> HttpResponse:
    attached = get_object_or_404(dispatch_files_visible_to(request.user), pk=file_id)
    report = attached.report
    delete_on_page(
        request, dispatch_file_remove, attached=attached, done=f"已删除附件：{attached.original_name}。"
    )
    return redirect("reporting:dispatch_month", unit_id=report.banner_id, month=f"{report.month:%Y-%m}")


@login_required
@role_required(*REVIEWERS)
def league_visits(request: HttpRequest) -> HttpResponse:
    """The banner lectures the league attended; the league records one here."""
    user = page_user(request)
    campaign = campaign_for_page(user, unit=user.org_unit if _is_banner(user) else None)
    may_edit = user.is_league_level
    visits = list(league_visits_visible_to(user).filter(campaign=campaign))
    lectures = (
        lecture_list(user=user)
        .filter(campaign=campaign, org_unit__isnull=False, league_visit__isnull=True)
        .order_by("-held_on", "-id")
    )
    form = LeagueVisitForm(request.POST or None, lectures=lectures) if may_edit else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("只有盟卫生健康委的审核员可以登记出席宣讲活动。")
        if form.is_valid():
            c = form.cleaned_data
            visit = call_service(
                form,
                league_visit_create,
                actor=user,
                channel=WEB,
                lecture=c["lecture"],
                visited_on=c["visited_on"],
                attendees=c["attendees"],
                note=c["note"],
            )
            if visit is not None:
                messages.success(
                    request, f"已登记出席：{visit.lecture.title}（{visit.visited_on:%Y-%m-%d}）。"
                )
                return redirect("reporting:league_visits")
    return render(
        request,
        "reporting/dispatch/visits.html",
        {"campaign": campaign, "visits": visits, "form": form, "may_edit": may_edit},
    )


@login_required
@role_required(Role.LEAGUE_REVIEWER, Role.ADMIN)
@require_POST
def league_visit_delete_page(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = get_object_or_404(league_visits_visible_to(request.user), pk=visit_id)
    delete_on_page(request, league_visit_delete, visit=visit, done=f"已删除出席记录：{visit.lecture.title}。")
    return redirect("reporting:league_visits")
