"""The December evaluation pages: the scores and rankings (hospitals and banners), and for the league's
reviewers the build, the 绩效考核 workbook (template, upload, dry run, confirm), the publication and the
official document. Hospitals and banners see the evaluation once published."""

from __future__ import annotations

import io
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render

from campaign.views import campaign_for_page
from core.pages import call_service
from exports.documents import DOCX_MIME, PDF_MIME, ConversionUnavailable
from exports.writer import XLSX_MIME
from hospitals.models import ChangeRecord, Role
from hospitals.pages import role_required
from reporting.evaluation.assessment import (
    assessment_import_confirm,
    assessment_import_create,
    assessment_template_build,
)
from reporting.evaluation.document import evaluation_document_filename, evaluation_docx, evaluation_pdf
from reporting.evaluation.models import AssessmentImport, AssessmentResult
from reporting.evaluation.selectors import (
    assessment_imports_visible_to,
    banner_evaluations_visible_to,
    evaluation_document_rows,
    evaluations_visible_to,
    reads_draft,
)
from reporting.evaluation.services import evaluation_build, evaluation_publish
from reporting.indicators.forms import ImportConfirmForm, TemplateUploadForm
from reporting.indicators.views import shown

WEB = ChangeRecord.Channel.WEB
# The assessment page lists this many of the latest uploads.
RECENT_IMPORTS = 10


@login_required
def evaluation_page(request: HttpRequest) -> HttpResponse:
    """The December evaluation: the stored scores and the two rankings; for the league's reviewers the
    buttons that (re)compute and publish it and the links to the 绩效考核 workbook."""
    campaign = campaign_for_page(request.user)
    league = reads_draft(request.user)
    action = request.POST.get("action", "build") if request.method == "POST" else None
    build_form = forms.Form(request.POST if action == "build" else None)
    publish_form = forms.Form(request.POST if action == "publish" else None)
    if action is not None and not league:
        raise PermissionDenied("只有盟审核员可以进行或发布年终评估。")
    if action == "build" and build_form.is_valid():
        rows = call_service(
            build_form, evaluation_build, campaign_id=campaign.pk, actor=request.user, channel=WEB
        )
        if rows is not None:
            messages.success(
                request, f"已完成年终评估（草稿）：{len(rows)}家医院。发布后各旗(区)和医院可见。"
            )
            return redirect("reporting:evaluation")
    if action == "publish" and publish_form.is_valid():
        rows = call_service(
            publish_form, evaluation_publish, campaign_id=campaign.pk, actor=request.user, channel=WEB
        )
        if rows is not None:
            messages.success(request, f"已发布年终评估：{len(rows)}家医院，各旗(区)和医院现在可以查看。")
            return redirect("reporting:evaluation")
    rows = list(evaluations_visible_to(request.user).filter(campaign=campaign))
    published_at = next((e.published_at for e in rows if e.published_at is not None), None)
    return render(
        request,
        "reporting/evaluation.html",
        {
            "campaign": campaign,
            "rows": rows,
            "banners": banner_evaluations_visible_to(request.user).filter(campaign=campaign),
            "league": league,
            "published_at": published_at,
            "published_by": next((e.published_by for e in rows if e.published_by_id), None),
            "built_at": rows[0].built_at if rows else None,
            "build_form": build_form,
            "publish_form": publish_form,
            "assessed": AssessmentResult.objects.filter(campaign=campaign).count() if league else 0,
        },
    )


def _document(request: HttpRequest) -> tuple[Any, Any, Any]:
    campaign = campaign_for_page(request.user)
    found = evaluation_document_rows(request.user, campaign.pk)
    if found is None:
        raise Http404("尚无可查看的年终评估。")
    return campaign, *found


@login_required
def evaluation_word(request: HttpRequest) -> FileResponse:
    """The evaluation as an editable Word official document (公文)."""
    campaign, rows, banners = _document(request)
    return FileResponse(
        io.BytesIO(evaluation_docx(campaign, rows, banners)),
        as_attachment=True,
        filename=evaluation_document_filename(campaign, "docx"),
        content_type=DOCX_MIME,
    )


@login_required
def evaluation_pdf_file(request: HttpRequest) -> HttpResponseBase:
    """The same document as PDF; when the server cannot convert, back to the page with the reason."""
    campaign, rows, banners = _document(request)
    try:
        content = evaluation_pdf(campaign, rows, banners)
    except ConversionUnavailable as error:
        messages.error(request, str(error))
        return redirect("reporting:evaluation")
    return FileResponse(
        io.BytesIO(content),
        as_attachment=True,
        filename=evaluation_document_filename(campaign, "pdf"),
        content_type=PDF_MIME,
    )


@login_required
@role_required(Role.LEAGUE_REVIEWER)
def assessment_template(request: HttpRequest) -> HttpResponse:
    campaign = campaign_for_page(request.user)
    response = HttpResponse(assessment_template_build(campaign=campaign), content_type=XLSX_MIME)
    response["Content-Disposition"] = f'attachment; filename="assessment-{campaign.code}.xlsx"'
    return response


@login_required
@role_required(Role.LEAGUE_REVIEWER)
def assessment_page(request: HttpRequest) -> HttpResponse:
    """Download the 绩效考核 workbook and upload it filled in; the upload answers with its dry run."""
    campaign = campaign_for_page(request.user)
    posted = request.method == "POST"
    form = TemplateUploadForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        batch = call_service(
            form,
            assessment_import_create,
            actor=request.user,
            campaign=campaign,
            # One byte over the cap is enough for the service to refuse; a huge upload is never read whole.
            data=upload.read(settings.XLSX_UPLOAD_MAX_BYTES + 1),
            file_name=upload.name or "",
        )
        if batch is not None:
            return redirect("reporting:assessment_import", import_id=batch.pk)
    return render(
        request,
        "reporting/assessment.html",
        {
            "campaign": campaign,
            "form": form,
            "results": AssessmentResult.objects.filter(campaign=campaign)
            .select_related("hospital__banner")
            .order_by("hospital__banner__path", "hospital__code"),
            "recent": assessment_imports_visible_to(request.user).filter(campaign=campaign)[:RECENT_IMPORTS],
        },
    )


@login_required
@role_required(Role.LEAGUE_REVIEWER)
def assessment_import_page(request: HttpRequest, import_id: int) -> HttpResponse:
    """The dry run of one upload (errors by sheet and cell, changes old → new) and its confirmation."""
    batch = get_object_or_404(assessment_imports_visible_to(request.user), pk=import_id)
    form = ImportConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        saved = call_service(form, assessment_import_confirm, actor=request.user, batch=batch)
        if saved is not None:
            messages.success(
                request,
                f"已导入{len(saved)}家医院的绩效考核结果（Excel导入 #{batch.pk}）。重新评估后计入得分。",
            )
            return redirect("reporting:assessment")
        batch.refresh_from_db()
    return render(
        request,
        "reporting/assessment_import.html",
        {
            "batch": batch,
            "form": form,
            "errors": batch.errors,
            "changes": [
                {**change, "old_text": shown(change["old"]), "new_text": shown(change["new"])}
                for change in batch.changes
            ],
            "statuses": AssessmentImport.Status,
        },
    )
