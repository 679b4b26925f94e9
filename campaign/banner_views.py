"""A banner's own pages: its 集中宣讲 (lectures its commission organised), with their materials."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from campaign.selectors import lecture_list
from hospitals.models import OrgUnit
from hospitals.selectors import org_units_visible_to


@login_required
def banner_lectures(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The banner's 集中宣讲 in the viewer's scope; another organisation's banner is 404."""
    unit = get_object_or_404(org_units_visible_to(request.user).filter(kind=OrgUnit.Kind.BANNER), pk=unit_id)
    lectures = lecture_list(user=request.user).filter(org_unit=unit).order_by("-held_on", "-id")
    return render(request, "campaign/banner_lectures.html", {"unit": unit, "lectures": lectures})
