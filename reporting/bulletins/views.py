"""Pages of the monthly bulletin: the list, one bulletin, its workbook."""

from __future__ import annotations

import functools
import io

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render

from campaign.views import campaign_for_page
from core.pages import call_service
from core.versions import version_tag
from exports.documents import DOCX_MIME, PDF_MIME, ConversionUnavailable
from exports.writer import XLSX_MIME
from hospitals.models import ChangeRecord, User
from hospitals.pages import page_user
from reporting.bulletins.document import bulletin_document_filename, bulletin_docx, bulletin_pdf
from reporting.bulletins.forms import BulletinBuildForm
from reporting.bulletins.models import Bulletin
from reporting.bulletins.selectors import (
    bulletin_charts,
    bulletin_months,
    bulletin_summary,
    bulletins_visible_to,
)
from reporting.bulletins.services import bulletin_build, bulletin_publish
from reporting.bulletins.workbook import bulletin_filename

# ------------------------------------------------------------------------------------------------------
# The league: the monthly bulletin (view, build, publish, Excel) and the December evaluation.
# ------------------------------------------------------------------------------------------------------


WEB = ChangeRecord.Channel.WEB


@login_required
def bulletin_list(request: HttpRequest) -> HttpResponse:
    user = page_user(request)
    campaign = campaign_for_page(user)
    form = BulletinBuildForm(request.POST or None, months=bulletin_months(campaign))
    if request.method == "POST" and form.is_valid():
        bulletin = call_service(
            form,
            bulletin_build,
            campaign_id=campaign.pk,
            month=form.cleaned_data["month"],
            actor=user,
            channel=WEB,
        )
        if bulletin is not None:
            messages.success(request, f"已生成{bulletin}。")
            return redirect("reporting:bulletin", bulletin_id=bulletin.pk)
    by_month = {b.month: b for b in bulletins_visible_to(user).filter(campaign=campaign)}
    return render(
        request,
        "reporting/bulletins.html",
        {
            "campaign": campaign,
            "months": [(m, by_month.get(m)) for m in bulletin_months(campaign)],
            "form": form,
            "is_league": user.is_league_level,
        },
    )


@login_required
def bulletin_detail(request: HttpRequest, bulletin_id: int) -> HttpResponse:
    # The stored figures are read (and their page drawn) only when the page's cached body is missing.
    bulletin = get_object_or_404(bulletins_visible_to(request.user).defer("data"), pk=bulletin_id)
    form = forms.Form(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = page_user(request)
        if request.POST.get("action") == "publish":
            done = call_service(form, bulletin_publish, bulletin_id=bulletin.pk, actor=user, channel=WEB)
        else:
            done = call_service(
                form,
                bulletin_build,
                campaign_id=bulletin.campaign_id,
                month=bulletin.month,
                actor=user,
                channel=WEB,
            )
        if done is not None:
            messages.success(request, f"{done}：{done.get_status_display()}。")
            return redirect("reporting:bulletin", bulletin_id=bulletin.pk)
    return render(
        request,
        "reporting/bulletin.html",
        {
            "bulletin": bulletin,
            # The summary, charts and tables are kept as HTML while the bulletins' table is unchanged
            # ({% cache %} on body_version, core.versions): callables, evaluated only to draw them.
            "body_version": version_tag(Bulletin._meta.db_table),
            "sections": functools.cache(lambda: bulletin.data.get("sections", [])),
            "charts": functools.cache(lambda: bulletin_charts(bulletin.data)),
            "summary": functools.cache(lambda: bulletin_summary(bulletin.data)),
            "form": form,
            "is_league": isinstance(request.user, User) and request.user.is_league_level,
        },
    )


@login_required
def bulletin_excel(request: HttpRequest, bulletin_id: int) -> FileResponse:
    bulletin = get_object_or_404(bulletins_visible_to(request.user), pk=bulletin_id)
    if not bulletin.workbook:
        raise Http404("该通报尚无Excel文件。")
    return FileResponse(
        bulletin.workbook.open("rb"),
        as_attachment=True,
        filename=bulletin_filename(bulletin),
        content_type=XLSX_MIME,
    )


@login_required
def bulletin_word(request: HttpRequest, bulletin_id: int) -> FileResponse:
    """The bulletin as an editable Word official document (公文)."""
    bulletin = get_object_or_404(bulletins_visible_to(request.user), pk=bulletin_id)
    return FileResponse(
        io.BytesIO(bulletin_docx(bulletin)),
        as_attachment=True,
        filename=bulletin_document_filename(bulletin, "docx"),
        content_type=DOCX_MIME,
    )


@login_required
def bulletin_pdf_file(request: HttpRequest, bulletin_id: int) -> HttpResponseBase:
    """The same document as PDF; when the server cannot convert, back to the bulletin with the reason."""
    bulletin = get_object_or_404(bulletins_visible_to(request.user), pk=bulletin_id)
    try:
        content = bulletin_pdf(bulletin)
    except ConversionUnavailable as error:
        messages.error(request, str(error))
        return redirect("reporting:bulletin", bulletin_id=bulletin.pk)
    return FileResponse(
        io.BytesIO(content),
        as_attachment=True,
        filename=bulletin_document_filename(bulletin, "pdf"),
        content_type=PDF_MIME,
    )
