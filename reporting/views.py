"""Pages of the monthly work: a hospital's month (indicators beside last year, warnings to explain).

Every figure is written by ``reporting.indicators.indicator_value_save``; a refusal is shown beside the
indicator it concerns.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from campaign.models import Campaign
from campaign.selectors import campaign_current
from hospitals.models import ChangeRecord, Hospital
from hospitals.views import hospital_for_page

from .dashboard import campaign_months, current_month
from .forms import IndicatorMonthForm
from .indicator_selectors import indicator_unit_month
from .indicators import indicator_value_save

WEB = ChangeRecord.Channel.WEB


def _campaign() -> Campaign:
    campaign = campaign_current()
    if campaign is None:
        raise Http404("尚未设置活动。")
    return campaign


def _parse_month(text: str) -> dt.date:
    try:
        year, month = (int(x) for x in text.split("-"))
        return dt.date(year, month, 1)
    except ValueError as exc:
        raise Http404("月份格式不正确。") from exc


@login_required
def month_index(request: HttpRequest, hospital_id: int) -> HttpResponse:
    """The month chosen in the page's month picker, else the month a reporter works on now."""
    hospital = hospital_for_page(request.user, hospital_id)
    chosen = request.GET.get("month", "")
    month = _parse_month(chosen) if chosen else current_month(_campaign(), timezone.localdate())
    return redirect("reporting:month", hospital_id=hospital.pk, month=f"{month:%Y-%m}")


def _save_indicators(
    request: HttpRequest, form: IndicatorMonthForm, hospital: Hospital, month: dt.date
) -> int:
    """Save every typed indicator, all or nothing: one refusal keeps the page as typed, with the reason
    beside the indicator, and nothing written. Returns how many values were saved."""
    saved = 0
    with transaction.atomic():
        for entry in form.entries:
            figures = form.figures(entry)
            if figures is None:
                continue
            try:
                with transaction.atomic():
                    indicator_value_save(
                        actor=request.user,
                        channel=WEB,
                        indicator=entry.indicator,
                        month=month,
                        hospital=hospital,
                        **figures,
                    )
                saved += 1
            except PermissionDenied as error:
                form.add_error(None, str(error))
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, errors in error.error_dict.items():
                        form.add_row_error(entry, field, [m for e in errors for m in e.messages])
                else:
                    form.add_row_error(entry, "", error.messages)
        if form.errors or form.row_errors:
            transaction.set_rollback(True)
            return 0
    return saved


@login_required
def month_page(request: HttpRequest, hospital_id: int, month: str) -> HttpResponse:
    hospital = hospital_for_page(request.user, hospital_id)
    campaign = _campaign()
    the_month = _parse_month(month)
    months = campaign_months(campaign)
    if the_month not in months:
        raise Http404("该月份不在活动期内。")
    entries = indicator_unit_month(campaign=campaign, month=the_month, hospital=hospital)
    form = IndicatorMonthForm(request.POST or None, entries=entries, prefix="ind")
    if request.method == "POST" and form.is_valid():
        saved = _save_indicators(request, form, hospital, the_month)
        if not (form.errors or form.row_errors):
            messages.success(request, f"已保存{saved}项指标。")
            return redirect("reporting:month", hospital_id=hospital.pk, month=month)
    warnings = [w for entry in entries for w in entry.warnings if not w.explained]
    return render(
        request,
        "reporting/month.html",
        {
            "hospital": hospital,
            "campaign": campaign,
            "month": the_month,
            "months": months,
            "form": form,
            "rows": form.rows(),
            "open_warnings": warnings,
        },
    )
