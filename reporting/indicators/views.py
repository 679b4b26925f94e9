"""Pages of indicator values: the form's save (a hospital's month and a banner's alike), a banner's
banner-level indicators for a month, and the Excel template (SPEC §9 Import): download a month's
pre-filled template, upload it, read the dry run (every error by cell, every change old → new), confirm.

The pages call the same services as the API (``indicator_value_save``, ``reporting.indicators.template``);
a refused value is shown beside its indicator, a refused file on the upload form, a refused confirmation
on the preview. Another hospital's or banner's month or import is 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from campaign.banner_views import banner_for_page
from campaign.calendar import campaign_months, current_month
from campaign.models import Campaign
from campaign.views import campaign_for_page
from core import clock
from core.pages import add_service_error, call_service, error_text, month_from_url
from exports.writer import XLSX_MIME
from hospitals.models import ChangeRecord, Hospital, OrgUnit, Role, User
from hospitals.pages import page_user, role_required
from hospitals.selectors import scope_queryset
from hospitals.views import hospital_for_page
from reporting.indicators.forms import ImportConfirmForm, IndicatorMonthForm, TemplateUploadForm
from reporting.indicators.models import IndicatorImport
from reporting.indicators.selectors import (
    applicable_indicators,
    indicator_unit_month,
    indicators_of,
    values_per_month,
)
from reporting.indicators.services import indicator_value_save
from reporting.indicators.template import (
    NO,
    YES,
    baseline_import_create,
    baseline_months,
    baseline_sheet_name,
    baseline_template_build,
    indicator_import_confirm,
    indicator_import_create,
    indicator_template_build,
)

WEB = ChangeRecord.Channel.WEB
# The import page lists this many of the month's latest uploads.
RECENT_IMPORTS = 10
# The month guard's refusals: they concern the whole month, so the form shows them once, on top.
MONTH_FROZEN_CODES = frozenset({"report_in_review", "report_locked"})


def save_indicator_form(
    form: IndicatorMonthForm,
    *,
    actor: User,
    month: dt.date,
    hospital: Hospital | None = None,
    unit: OrgUnit | None = None,
) -> int:
    """Save every typed indicator of a hospital's or a banner's month through ``indicator_value_save``,
    all or nothing: one refusal keeps the page as typed, with the reason beside the indicator, and
    nothing written. Returns how many values were saved."""
    saved = 0
    with transaction.atomic():
        for entry in form.entries:
            figures = form.figures(entry)
            if figures is None:
                continue
            try:
                with transaction.atomic():
                    indicator_value_save(
                        actor=actor,
                        channel=WEB,
                        indicator=entry.indicator,
                        month=month,
                        hospital=hospital,
                        unit=unit,
                        reason=form.cleaned_data.get("reason", ""),
                        **figures,
                    )
                saved += 1
            except PermissionDenied as error:
                form.add_error(None, str(error))
            except ValidationError as error:
                if not hasattr(error, "error_dict"):
                    error = ValidationError({NON_FIELD_ERRORS: error.error_list})
                for field, errors in error.error_dict.items():
                    texts = [m for e in errors for m in e.messages]
                    if field == NON_FIELD_ERRORS and any(e.code in MONTH_FROZEN_CODES for e in errors):
                        # The whole month, not this indicator: said once, on top, beside the rows'.
                        if not form.non_field_errors():
                            form.add_error(None, errors)
                        continue
                    if field == "reason" and "reason" in form.fields:
                        if not form.has_error("reason"):
                            form.add_error("reason", texts)
                        continue
                    form.add_row_error(entry, "" if field == NON_FIELD_ERRORS else field, texts)
        if form.errors or form.row_errors:
            transaction.set_rollback(True)
            return 0
    return saved


def banner_months(campaign: Campaign) -> list[tuple[str, list[dt.date]]]:
    """The months a banner's page offers, grouped: the campaign's, then last year's 12 (the baseline
    its figures are compared with; the services accept both years)."""
    baseline = [dt.date(campaign.year - 1, m, 1) for m in range(1, 13)]
    return [("本年", campaign_months(campaign)), ("上年基线", baseline)]


@login_required
@role_required(Role.BANNER_REVIEWER, Role.LEAGUE_REVIEWER)
def banner_month_index(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The month chosen in the page's month picker, else the month people work on now."""
    unit = banner_for_page(request.user, unit_id)
    chosen = request.GET.get("month", "")
    month = (
        month_from_url(chosen)
        if chosen
        else current_month(campaign_for_page(request.user, unit=unit), clock.today())
    )
    return redirect("reporting:banner_month", unit_id=unit.pk, month=f"{month:%Y-%m}")


@login_required
@role_required(Role.BANNER_REVIEWER, Role.LEAGUE_REVIEWER)
def banner_month(request: HttpRequest, unit_id: int, month: str) -> HttpResponse:
    """A banner's banner-level indicators for one month (县域内就诊率…), beside last year's same month;
    typed by its own reviewer, read by the league's."""
    unit = banner_for_page(request.user, unit_id)
    campaign = campaign_for_page(request.user, unit=unit)
    the_month = month_from_url(month)
    groups = banner_months(campaign)
    if not any(the_month in months for _, months in groups):
        raise Http404("该月份不在活动期或上年基线内。")
    user = page_user(request)
    may_edit = user.org_unit_id == unit.pk
    entries = indicator_unit_month(campaign=campaign, month=the_month, unit=unit)
    posted = request.method == "POST"
    form = IndicatorMonthForm(
        request.POST if posted else None, entries=entries, prefix="ind", frozen=not may_edit
    )
    if posted and form.is_valid():
        saved = save_indicator_form(form, actor=user, month=the_month, unit=unit)
        if not (form.errors or form.row_errors):
            messages.success(request, f"已保存{saved}项指标。")
            return redirect("reporting:banner_month", unit_id=unit.pk, month=month)
    return render(
        request,
        "reporting/banner_month.html",
        {
            "unit": unit,
            "campaign": campaign,
            "month": the_month,
            "month_groups": groups,
            "is_baseline": the_month.year < campaign.year,
            "form": form,
            "rows": form.rows(),
            "may_edit": may_edit,
            "open_warnings": [w for entry in entries for w in entry.warnings if not w.explained],
        },
    )


def _is_reporter(user: Any) -> bool:
    """Who is shown the upload and confirm buttons; the services decide whether the write is allowed."""
    return isinstance(user, User) and user.role == Role.HOSPITAL_REPORTER


def _campaign_month(user: Any, hospital: Hospital, month: str) -> tuple[Campaign, dt.date]:
    """The hospital's campaign (as ``user`` sees it) and a month of its year, or 404."""
    campaign = campaign_for_page(user, hospital)
    the_month = month_from_url(month)
    if the_month not in campaign_months(campaign):
        raise Http404("该月份不在活动期内。")
    return campaign, the_month


def imports_visible_to(user: Any) -> Any:
    return scope_queryset(
        IndicatorImport.objects.select_related("hospital", "unit", "uploaded_by", "campaign"),
        user,
        hospital_field="hospital",
        unit_field="unit",
    ).order_by("-uploaded_at", "-id")


def xlsx_response(content: bytes, file_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_MIME)
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response


@login_required
def month_template(request: HttpRequest, hospital_id: int, month: str) -> HttpResponse:
    """The month's template, pre-filled with what is stored, last year's month beside it."""
    hospital = hospital_for_page(request.user, hospital_id)
    campaign, the_month = _campaign_month(request.user, hospital, month)
    try:
        content = indicator_template_build(campaign=campaign, month=the_month, hospital=hospital)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect("reporting:month_import", hospital_id=hospital.pk, month=month)
    return xlsx_response(content, f"indicators-{hospital.code}-{the_month:%Y-%m}.xlsx")


def _upload(
    request: HttpRequest, form: TemplateUploadForm, campaign: Campaign, hospital: Hospital, month: dt.date
) -> IndicatorImport | None:
    upload = form.cleaned_data["file"]
    return call_service(
        form,
        indicator_import_create,
        actor=request.user,
        campaign=campaign,
        month=month,
        hospital=hospital,
        # One byte over the cap is enough for the service to refuse; a huge upload is never read whole.
        data=upload.read(settings.XLSX_UPLOAD_MAX_BYTES + 1),
        file_name=upload.name or "",
    )


@login_required
def month_import(request: HttpRequest, hospital_id: int, month: str) -> HttpResponse:
    """Download the month's template and upload it filled in; the upload answers with its dry run."""
    hospital = hospital_for_page(request.user, hospital_id)
    campaign, the_month = _campaign_month(request.user, hospital, month)
    posted = request.method == "POST"
    form = TemplateUploadForm(request.POST if posted else None, request.FILES if posted else None)
    if request.method == "POST" and form.is_valid():
        batch = _upload(request, form, campaign, hospital, the_month)
        if batch is not None:
            return redirect("reporting:indicator_import", import_id=batch.pk)
    recent = imports_visible_to(request.user).filter(hospital=hospital, month=the_month)[:RECENT_IMPORTS]
    return render(
        request,
        "reporting/indicator_import.html",
        {
            "hospital": hospital,
            "month": the_month,
            "form": form,
            "recent": recent,
            "may_edit": _is_reporter(request.user),
        },
    )


def shown(value: Any) -> str:
    """A stored or imported figure as a person reads it (answers as 是/否, nothing as 空)."""
    if value is None or value == [] or value == "":
        return "空"
    if isinstance(value, list):
        return "、".join(YES if a else NO for a in value)
    return str(value)


def import_context(batch: IndicatorImport) -> dict[str, Any]:
    """The dry run as rows of the preview: errors by sheet and cell, changes old → new."""
    return {
        "batch": batch,
        "errors": batch.errors,
        "changes": [
            {**change, "old_text": shown(change["old"]), "new_text": shown(change["new"])}
            for change in batch.changes
        ],
        # A row is one indicator of one month (a baseline's rows span 12).
        "unchanged": len(batch.rows) - len({(c.get("month"), c["indicator_code"]) for c in batch.changes}),
    }


@login_required
def baseline_template(request: HttpRequest, hospital_id: int) -> HttpResponse:
    """Last year's 12 months in one workbook, a sheet per month, pre-filled with what is stored."""
    hospital = hospital_for_page(request.user, hospital_id)
    campaign = campaign_for_page(request.user, hospital)
    try:
        content = baseline_template_build(campaign=campaign, hospital=hospital)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect("reporting:baseline", hospital_id=hospital.pk)
    return xlsx_response(content, f"baseline-{hospital.code}-{campaign.year - 1}.xlsx")


@login_required
def baseline_page(request: HttpRequest, hospital_id: int) -> HttpResponse:
    """The baseline as one workbook: download it, upload it filled in, and read the dry run of all 12
    months before confirming (``reporting.indicators.template.baseline_import_create``)."""
    hospital = hospital_for_page(request.user, hospital_id)
    campaign = campaign_for_page(request.user, hospital)
    posted = request.method == "POST"
    form = TemplateUploadForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        batch = call_service(
            form,
            baseline_import_create,
            actor=request.user,
            campaign=campaign,
            hospital=hospital,
            # One byte over the cap is enough for the service to refuse; a huge upload is never read whole.
            data=upload.read(settings.XLSX_UPLOAD_MAX_BYTES + 1),
            file_name=upload.name or "",
        )
        if batch is not None:
            return redirect("reporting:indicator_import", import_id=batch.pk)
    months = baseline_months(campaign)
    filled = values_per_month(campaign=campaign, months=months, hospital=hospital)
    applicable = len(applicable_indicators(indicators_of(campaign), hospital=hospital))
    recent = imports_visible_to(request.user).filter(
        hospital=hospital, campaign=campaign, kind=IndicatorImport.Kind.BASELINE
    )[:RECENT_IMPORTS]
    return render(
        request,
        "reporting/baseline.html",
        {
            "hospital": hospital,
            "campaign": campaign,
            "year": campaign.year - 1,
            "months": [(m, baseline_sheet_name(m), filled[m]) for m in months],
            "applicable": applicable,
            "form": form,
            "recent": recent,
            "may_edit": _is_reporter(request.user),
        },
    )


@login_required
def import_detail(request: HttpRequest, import_id: int) -> HttpResponse:
    """The dry run of one upload, and its confirmation (all or nothing)."""
    batch = get_object_or_404(imports_visible_to(request.user), pk=import_id)
    if batch.hospital is None:
        raise Http404("该导入不属于医院。")  # a banner's imports have the banner's pages
    # Bound on any POST: the confirmation has no fields, so its POST is empty.
    form = ImportConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            saved = indicator_import_confirm(actor=request.user, batch=batch)
        except (ValidationError, PermissionDenied) as error:
            add_service_error(form, error)
            batch.refresh_from_db()
        else:
            if batch.kind == IndicatorImport.Kind.BASELINE:
                months = len({row["month"] for row in batch.rows})
                messages.success(
                    request, f"已导入{months}个月共{len(saved)}项基线指标值（Excel导入 #{batch.pk}）。"
                )
                return redirect("reporting:baseline", hospital_id=batch.hospital.pk)
            messages.success(request, f"已导入{len(saved)}项指标（Excel导入 #{batch.pk}）。")
            return redirect("reporting:month", hospital_id=batch.hospital.pk, month=f"{batch.month:%Y-%m}")
    return render(
        request,
        "reporting/indicator_import_preview.html",
        {
            "hospital": batch.hospital,
            "form": form,
            "may_edit": _is_reporter(request.user),
            **import_context(batch),
        },
    )
