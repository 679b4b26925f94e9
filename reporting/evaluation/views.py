"""The December evaluation page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from campaign.views import campaign_for_page
from core.pages import call_service
from hospitals.models import ChangeRecord, Role
from hospitals.pages import role_required
from reporting.evaluation.selectors import evaluations_visible_to
from reporting.evaluation.services import evaluation_build

WEB = ChangeRecord.Channel.WEB


@login_required
@role_required(Role.LEAGUE_REVIEWER)
def evaluation_page(request: HttpRequest) -> HttpResponse:
    """The December evaluation: the stored scores and ranking, and the button that (re)computes them."""
    campaign = campaign_for_page(request.user)
    form = forms.Form(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        rows = call_service(form, evaluation_build, campaign_id=campaign.pk, actor=request.user, channel=WEB)
        if rows is not None:
            messages.success(request, f"已完成年终评估：{len(rows)}家医院。")
            return redirect("reporting:evaluation")
    return render(
        request,
        "reporting/evaluation.html",
        {
            "campaign": campaign,
            "rows": evaluations_visible_to(request.user).filter(campaign=campaign),
            "form": form,
        },
    )
