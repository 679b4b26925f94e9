"""The export pages: a link on a list page (``/exports/<kind>/?<the page's filters>``) answers with the file,
or, above the row threshold, with the job's page that follows its progress and offers the file when ready."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render

from core.pages import error_text, paginate
from exports.models import ExportJob
from exports.registry import export_kind_get, export_kinds, params_from_querydict
from exports.selectors import export_jobs_for
from exports.services import export_job_file, export_start
from exports.writer import XLSX_MIME


def _refusal(error: ValidationError | PermissionDenied) -> str:
    """One line; a refused filter is named ("hospital：选择一个有效的选项。") so the clerk sees which."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        return "；".join(
            f"{name}：{'；'.join(m for e in errors for m in e.messages)}"
            for name, errors in error.error_dict.items()
        )
    return error_text(error)


@login_required
def export_download(request: HttpRequest, kind: str) -> HttpResponseBase:
    try:
        outcome = export_start(actor=request.user, kind=kind, params=params_from_querydict(request.GET))
    except (ValidationError, PermissionDenied) as error:
        title = next((k.title for k in export_kinds() if k.code == kind), "")
        return render(
            request,
            "exports/refused.html",
            {"title": title, "error": _refusal(error)},
            status=403 if isinstance(error, PermissionDenied) else 400,
        )
    if outcome.job is not None:
        return redirect("exports:job", outcome.job.pk)
    return FileResponse(outcome.file, as_attachment=True, filename=outcome.filename, content_type=XLSX_MIME)


@login_required
def export_jobs(request: HttpRequest) -> HttpResponse:
    page = paginate(request, export_jobs_for(request.user))
    titles = {k.code: k.title for k in export_kinds()}
    return render(
        request,
        "exports/jobs.html",
        {"jobs": [(job, titles.get(job.kind, job.kind)) for job in page.object_list], "page": page},
    )


@login_required
def export_job(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_object_or_404(export_jobs_for(request.user), pk=job_id)
    running = job.status in (ExportJob.Status.PENDING, ExportJob.Status.RUNNING)
    return render(
        request,
        "exports/job.html",
        {"job": job, "title": export_kind_get(job.kind).title, "running": running},
    )


@login_required
def export_job_download(request: HttpRequest, job_id: int) -> HttpResponseBase:
    job = get_object_or_404(export_jobs_for(request.user), pk=job_id)
    try:
        handle = export_job_file(actor=request.user, job=job)
    except ValidationError as error:
        return render(
            request,
            "exports/refused.html",
            {"title": export_kind_get(job.kind).title, "error": error_text(error), "job": job},
            status=410 if error.code == "export_expired" else 409,
        )
    return FileResponse(handle, as_attachment=True, filename=job.filename, content_type=XLSX_MIME)
