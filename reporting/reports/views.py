"""Pages of the monthly work: a hospital's month (indicators beside last year, warnings to explain).

Every figure is written by ``reporting.indicators.indicator_value_save``; a refusal is shown beside the
indicator it concerns.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from campaign.calendar import campaign_months, current_month
from campaign.views import campaign_for_page
from core import clock
from core.pages import call_service, error_text, month_from_url, paginate
from hospitals.models import ChangeRecord, Hospital, Role, User
from hospitals.pages import page_user, role_required
from hospitals.selectors import AnyUser
from hospitals.views import hospital_for_page
from reporting.indicators.forms import IndicatorMonthForm
from reporting.indicators.selectors import indicator_unit_month
from reporting.indicators.views import save_indicator_form
from reporting.reports.forms import (
    QueueFilterForm,
    ReportForm,
    ReturnForm,
    ReviewActionForm,
    UnlockDecisionForm,
    UnlockRequestForm,
)
from reporting.reports.models import MonthlyReport
from reporting.reports.selectors import (
    report_changes_since_last_review,
    report_contents_kept,
    report_history,
    report_indicator_lines,
    report_lock_state,
    report_month_lectures,
    report_open_comments,
    report_open_warnings,
    report_return_reason,
    report_review_corrections,
    report_submission_errors,
    reports_open_warnings,
    reports_visible_to,
    unlock_requests_visible_to,
)
from reporting.reports.services import (
    report_approve,
    report_banner_review,
    report_get_or_create,
    report_return,
    report_submit,
    report_unlock_grant,
    report_unlock_refuse,
    report_unlock_request,
    report_update,
    reports_bulk_approve,
)
from reporting.reports.workflow import may_review_now, review_pending_states

WEB = ChangeRecord.Channel.WEB
# Lists show this many rows a page (core.pages.paginate); filters narrow them.
QUEUE_PAGE = 50


@login_required
def month_index(request: HttpRequest, hospital_id: int) -> HttpResponse:
    """The month chosen in the page's month picker, else the month a reporter works on now."""
    hospital = hospital_for_page(request.user, hospital_id)
    chosen = request.GET.get("month", "")
    month = (
        month_from_url(chosen)
        if chosen
        else current_month(campaign_for_page(request.user, hospital), clock.today())
    )
    return redirect("reporting:month", hospital_id=hospital.pk, month=f"{month:%Y-%m}")


def _save_indicators(
    request: HttpRequest, form: IndicatorMonthForm, hospital: Hospital, month: dt.date
) -> int:
    return save_indicator_form(form, actor=page_user(request), month=month, hospital=hospital)


@login_required
def month_page(request: HttpRequest, hospital_id: int, month: str) -> HttpResponse:
    hospital = hospital_for_page(request.user, hospital_id)
    campaign = campaign_for_page(request.user, hospital)
    the_month = month_from_url(month)
    months = campaign_months(campaign)
    if the_month not in months:
        raise Http404("该月份不在活动期内。")
    entries = indicator_unit_month(campaign=campaign, month=the_month, hospital=hospital)
    is_indicator_post = request.method == "POST" and any(k.startswith("ind-") for k in request.POST)
    if request.method == "POST" and not is_indicator_post:
        handled = handle_month_report_post(request, hospital, the_month)
        if isinstance(handled, HttpResponse):
            return handled
        report_context = handled
    else:
        report_context = month_report_context(request, hospital, the_month)
    lock, report = report_context["lock"], report_context["report"]
    correcting = lock is not None and lock.reason == "in_review" and may_review_now(request.user, report)
    form = IndicatorMonthForm(
        request.POST if is_indicator_post else None,
        entries=entries,
        prefix="ind",
        frozen=lock is not None and lock.locked and not correcting,
        correction=correcting,
    )
    if is_indicator_post and form.is_valid():
        saved = _save_indicators(request, form, hospital, the_month)
        if not (form.errors or form.row_errors):
            messages.success(request, f"已保存{saved}项指标。")
            return redirect("reporting:month", hospital_id=hospital.pk, month=month)
    warnings = [w for entry in entries for w in entry.warnings if not w.explained]
    rows = form.rows()
    for row in rows:
        row.returned = report_context["returned_items"].get(f"indicator:{row.indicator.code}", "")
    return render(
        request,
        "reporting/month.html",
        {
            "hospital": hospital,
            "campaign": campaign,
            "month": the_month,
            "months": months,
            "form": form,
            "rows": rows,
            "open_warnings": warnings,
            **report_context,
        },
    )


# ------------------------------------------------------------------------------------------------------
# Monthly reports: the hospital's submission, the reviewers' queue and review, unlocks, notifications.
# Every transition is one call of reporting.report_services; the page only shows what it answers.
# ------------------------------------------------------------------------------------------------------


def _report_of(user: AnyUser, hospital: Hospital, month: dt.date) -> MonthlyReport | None:
    return reports_visible_to(user).filter(hospital=hospital, month=month).first()


def _may_edit(user: AnyUser) -> bool:
    """Who is shown the reporter's forms; the services decide whether the write is allowed."""
    return isinstance(user, User) and user.role == Role.HOSPITAL_REPORTER


def _report_action(
    request: HttpRequest, form: ReportForm, hospital: Hospital, month: dt.date
) -> MonthlyReport | None:
    """Save the narrative (creating the month's report on first use), then submit if asked."""
    user = page_user(request)
    found = call_service(form, report_get_or_create, hospital=hospital, month=month, actor=user, channel=WEB)
    if found is None:
        return None
    report = found[0]
    data = form.cleaned_data
    updated = call_service(
        form,
        report_update,
        report_id=report.pk,
        actor=user,
        channel=WEB,
        problems=data["problems"],
        corrections=data["corrections"],
    )
    if updated is None:
        return None
    if request.POST.get("action") == "submit":
        return call_service(form, report_submit, report_id=report.pk, actor=user, channel=WEB)
    return updated


def _unlock_action(request: HttpRequest, form: UnlockRequestForm, report: MonthlyReport) -> bool:
    done = call_service(
        form,
        report_unlock_request,
        report_id=report.pk,
        actor=request.user,
        channel=WEB,
        reason=form.cleaned_data["reason"],
    )
    return done is not None


def month_report_context(request: HttpRequest, hospital: Hospital, month: dt.date) -> dict[str, Any]:
    report = _report_of(request.user, hospital, month)
    initial = {"problems": report.problems, "corrections": report.corrections} if report else {}
    open_comments = list(report_open_comments(report)) if report else []
    lock = report_lock_state(report) if report else None
    # What is still missing before submitting: shown only beside the reporter's submit button, which a
    # locked report (in review, approved, past its lock day) does not have.
    may_submit = report is not None and _may_edit(request.user) and not (lock and lock.locked)
    return {
        "report": report,
        "lock": lock,
        "open_comments": open_comments,
        # The returned items by key, so the month's form marks each with its reason beside it.
        "returned_items": {c.item_key: c.text for c in open_comments if c.item_key},
        "return_review": report_return_reason(report) if report else None,
        "submission_errors": report_submission_errors(report) if report is not None and may_submit else [],
        "corrections": report_review_corrections(report) if report else [],
        "report_form": ReportForm(initial=initial, prefix="report"),
        "unlock_form": UnlockRequestForm(prefix="unlock"),
        "may_edit": _may_edit(request.user),
    }


def handle_month_report_post(request: HttpRequest, hospital: Hospital, month: dt.date) -> Any:
    """POSTs of the month page's report and unlock forms: a redirect when done, else the context with
    the refused form."""
    context = month_report_context(request, hospital, month)
    if "report-problems" in request.POST:
        form = ReportForm(request.POST, prefix="report")
        context["report_form"] = form
        if form.is_valid():
            report = _report_action(request, form, hospital, month)
            if report is not None:
                if request.POST.get("action") == "submit":
                    late = f"（逾期{report.late_days}天）" if report.late_days else ""
                    messages.success(request, f"{report}：{report.get_status_display()}{late}。")
                else:
                    messages.success(request, "已保存问题与整改。")
                return redirect("reporting:month", hospital_id=hospital.pk, month=f"{month:%Y-%m}")
    elif "unlock-reason" in request.POST and context["report"] is not None:
        unlock_form = UnlockRequestForm(request.POST, prefix="unlock")
        context["unlock_form"] = unlock_form
        if unlock_form.is_valid() and _unlock_action(request, unlock_form, context["report"]):
            messages.success(request, "已提交解锁申请，待盟审核员处理。")
            return redirect("reporting:month", hospital_id=hospital.pk, month=f"{month:%Y-%m}")
    return context


@login_required
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    """One report as a reviewer sees it: its contents, what changed since the last review, the open
    return reasons, the history; and the review actions (first review, approve, return with reasons)."""
    report = get_object_or_404(reports_visible_to(request.user), pk=report_id)
    contents = report_contents_kept(report)
    return_form = ReturnForm(request.POST or None, contents=contents, prefix="return")
    action_form = ReviewActionForm(request.POST or None, prefix="review")
    if request.method == "POST":
        action = request.POST.get("action")
        user = page_user(request)
        done = None
        if action == "return" and return_form.is_valid():
            done = call_service(
                return_form,
                report_return,
                report_id=report.pk,
                actor=user,
                channel=WEB,
                reason=return_form.cleaned_data["reason"],
                comments=return_form.comments(),
            )
        elif action in ("banner_review", "approve") and action_form.is_valid():
            service = report_banner_review if action == "banner_review" else report_approve
            done = call_service(
                action_form,
                service,
                report_id=report.pk,
                actor=user,
                channel=WEB,
                reason=action_form.cleaned_data["reason"],
            )
        if done is not None:
            messages.success(request, f"{done}：{done.get_status_display()}。")
            return redirect("reporting:report", report_id=report.pk)
    return render(
        request,
        "reporting/report.html",
        {
            "report": report,
            "hospital": report.hospital,
            "lock": report_lock_state(report),
            "contents": contents,
            "indicator_lines": report_indicator_lines(report),
            "return_review": report_return_reason(report),
            "month_lectures": report_month_lectures(report),
            "changes": report_changes_since_last_review(report),
            "open_comments": report_open_comments(report),
            "warnings": report_open_warnings(report),
            "reviews": report.reviews.select_related("reviewer").prefetch_related("comments"),
            "history": report_history(report),
            "corrections": report_review_corrections(report),
            "return_form": return_form,
            "action_form": action_form,
            "is_reviewer": isinstance(request.user, User) and request.user.is_reviewer,
            "is_league": isinstance(request.user, User) and request.user.is_league_level,
        },
    )


@login_required
@role_required(Role.BANNER_REVIEWER, Role.LEAGUE_REVIEWER)
def review_queue(request: HttpRequest) -> HttpResponse:
    """The reports waiting for this reviewer, filtered by month, banner, level, status and lateness;
    league reviewers approve the ones without open warnings in bulk."""
    user = page_user(request)
    campaign = campaign_for_page(user)
    form = QueueFilterForm(request.GET or None, user=user, campaign=campaign)
    reports = (
        reports_visible_to(user)
        .filter(campaign=campaign)
        # Only what the rows, their lock states and warnings read: the reviewers' user rows are not
        # shown, and each joined table widens the sorted rows (the region's 300 pending reports).
        .select_related(None)
        .select_related("campaign__league", "hospital__banner")
        .order_by("-month", "hospital__banner__path", "hospital__code")
    )
    pending = review_pending_states(user.role)
    reports = form.filter(reports, pending) if form.is_valid() else reports.filter(status__in=pending)
    if request.method == "POST":
        ids = [int(x) for x in request.POST.getlist("report") if x.isdigit()]
        try:
            result = reports_bulk_approve(report_ids=ids, actor=user, channel=WEB)
        except (PermissionDenied, ValidationError) as error:
            messages.error(request, error_text(error))
        else:
            if result.approved:
                messages.success(request, f"已批量审核通过{len(result.approved)}份报告。")
            for report_id, why in result.skipped.items():
                messages.warning(request, f"报告#{report_id}未通过批量审核：{why}")
            if not ids:
                messages.warning(request, "请先勾选报告。")
        return redirect(request.get_full_path())
    page = paginate(request, reports, per_page=QUEUE_PAGE)
    listed = list(page.object_list)
    warnings = reports_open_warnings(listed)
    rows = [(r, warnings[r.pk], report_lock_state(r)) for r in listed]
    return render(
        request,
        "reporting/queue.html",
        {"form": form, "rows": rows, "is_league": user.is_league_level, "limit": QUEUE_PAGE, "page": page},
    )


@login_required
def unlock_requests(request: HttpRequest) -> HttpResponse:
    """Unlock requests in scope; league reviewers grant (until a date) or refuse them."""
    user = page_user(request)
    grant_form = UnlockDecisionForm(request.POST or None, prefix="decide")
    if request.method == "POST" and grant_form.is_valid():
        request_id = grant_form.cleaned_data["request_id"]
        get_object_or_404(unlock_requests_visible_to(user), pk=request_id)
        done: object | None
        if request.POST.get("action") == "grant":
            done = call_service(
                grant_form,
                report_unlock_grant,
                request_id=request_id,
                actor=user,
                channel=WEB,
                until=grant_form.cleaned_data["until"],
                note=grant_form.cleaned_data["note"],
            )
        else:
            done = call_service(
                grant_form,
                report_unlock_refuse,
                request_id=request_id,
                actor=user,
                channel=WEB,
                note=grant_form.cleaned_data["note"],
            )
        if done is not None:
            messages.success(request, "已处理解锁申请。")
            return redirect("reporting:unlocks")
    page = paginate(
        request,
        unlock_requests_visible_to(user).select_related("requested_by").order_by("-requested_at", "-id"),
        per_page=QUEUE_PAGE,
    )
    return render(
        request,
        "reporting/unlocks.html",
        {
            "requests": page.object_list,
            "page": page,
            "form": grant_form,
            # The request a refused decision was about: its row shows the form's errors.
            "posted_id": grant_form.cleaned_data.get("request_id") if grant_form.is_bound else None,
            "is_league": user.is_league_level,
        },
    )
