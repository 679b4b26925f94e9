"""The onboarding pages (SPEC §11): download a league's workbook, upload it, read its dry run, confirm.

The rules are ``hospitals.onboarding``'s; these views only parse the request and show the answer. A
league admin lands on its own league's page; a system admin picks the league. The confirmation's answer
is the only place the new accounts' one-time passwords are ever shown: it is rendered, not redirected
to, and marked ``no-store`` so that no cache keeps it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers

from core.pages import add_service_error, call_service, error_text
from exports.writer import XLSX_MIME
from hospitals.models import OnboardingImport, OrgUnit
from hospitals.onboarding import (
    FIELD_LABELS,
    SHEETS,
    may_onboard,
    onboarding_import_confirm,
    onboarding_import_create,
    onboarding_imports_visible_to,
    onboarding_league_for,
    onboarding_workbook_build,
    shown,
    user_onboards,
)
from hospitals.people import user_manages_accounts
from hospitals.selectors import AnyUser

# The league page lists this many of the latest uploads.
RECENT_IMPORTS = 10


class WorkbookUploadForm(forms.Form):
    file = forms.FileField(label="填好的入驻工作簿(.xlsx)", help_text="请上传从本页下载、填写后的工作簿。")


class ConfirmForm(forms.Form):
    """Confirming takes no input: the stored rows are written, never the file again."""


def _league_for_page(user: AnyUser, league_id: int) -> OrgUnit:
    """The league of the URL, or 404 for a league the user may not onboard (for them it is not there)."""
    league = get_object_or_404(OrgUnit.objects.filter(kind=OrgUnit.Kind.LEAGUE), pk=league_id)
    if not may_onboard(user, league):
        if user_onboards(user):
            raise PermissionDenied("只有系统管理员或本盟管理员可以导入入驻工作簿。")
        raise PermissionDenied("您的角色无权访问该页面。")
    return league


@login_required
def onboarding_start(request: HttpRequest) -> HttpResponse:
    """A league admin goes to its league's page; a system admin chooses the league."""
    league = onboarding_league_for(request.user)
    if league is not None:
        return redirect("hospitals:onboarding", league_id=league.pk)
    if not user_manages_accounts(request.user):
        raise PermissionDenied("只有系统管理员或本盟管理员可以导入入驻工作簿。")
    leagues = OrgUnit.objects.filter(kind=OrgUnit.Kind.LEAGUE).order_by("code")
    return render(request, "hospitals/onboarding_leagues.html", {"leagues": leagues})


@login_required
def onboarding_page(request: HttpRequest, league_id: int) -> HttpResponse:
    league = _league_for_page(request.user, league_id)
    posted = request.method == "POST"
    form = WorkbookUploadForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        batch = call_service(
            form,
            onboarding_import_create,
            actor=request.user,
            league=league,
            # One byte over the cap is enough for the service to refuse; a huge upload is never read whole.
            data=upload.read(settings.XLSX_UPLOAD_MAX_BYTES + 1),
            file_name=upload.name or "",
        )
        if batch is not None:
            return redirect("hospitals:onboarding_import", import_id=batch.pk)
    recent = onboarding_imports_visible_to(request.user).filter(league=league)[:RECENT_IMPORTS]
    return render(
        request,
        "hospitals/onboarding.html",
        {"league": league, "form": form, "recent": recent, "sheets": SHEETS},
    )


@login_required
def onboarding_workbook(request: HttpRequest, league_id: int) -> HttpResponse:
    """The league's workbook: ``?filled=1`` pre-filled with every row the league has, else empty."""
    league = _league_for_page(request.user, league_id)
    filled = request.GET.get("filled") == "1"
    try:
        content = onboarding_workbook_build(actor=request.user, league=league, filled=filled)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, error_text(error))
        return redirect("hospitals:onboarding", league_id=league.pk)
    response = HttpResponse(content, content_type=XLSX_MIME)
    name = f"onboarding-{league.code}{'-filled' if filled else ''}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def preview_context(batch: OnboardingImport) -> dict[str, Any]:
    """The dry run as the page shows it: errors by sheet and cell, and per sheet its counts and its
    changes, each field old → new."""
    by_sheet: dict[str, list[dict[str, Any]]] = {spec.title: [] for spec in SHEETS}
    for change in batch.changes:
        by_sheet.setdefault(change["sheet"], []).append(
            {
                **change,
                "action_label": "新建" if change["action"] == "create" else "修改",
                "fields_shown": [
                    (FIELD_LABELS.get(name, name), shown(name, old), shown(name, new))
                    for name, (old, new) in change["fields"].items()
                ],
            }
        )
    sheets = [
        {
            "title": spec.title,
            "counts": batch.summary.get(spec.title, {"create": 0, "update": 0, "same": 0}),
            "changes": by_sheet[spec.title],
        }
        for spec in SHEETS
    ]
    return {"batch": batch, "league": batch.league, "errors": batch.errors, "sheets": sheets}


@login_required
def onboarding_import(request: HttpRequest, import_id: int) -> HttpResponse:
    """The dry run of one upload and its confirmation; the confirmation's answer shows the new accounts'
    one-time passwords, once."""
    batch = get_object_or_404(onboarding_imports_visible_to(request.user), pk=import_id)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            done = onboarding_import_confirm(actor=request.user, batch=batch)
        except (ValidationError, PermissionDenied) as error:
            add_service_error(form, error)
            batch.refresh_from_db()
        else:
            messages.success(request, f"已导入入驻工作簿（#{done.batch.pk}），新账号{len(done.accounts)}个。")
            response = render(
                request,
                "hospitals/onboarding_done.html",
                {**preview_context(done.batch), "accounts": done.accounts},
            )
            add_never_cache_headers(response)
            return response
    return render(request, "hospitals/onboarding_preview.html", {**preview_context(batch), "form": form})
