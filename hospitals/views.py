"""Pages of a hospital: the list in the viewer's scope and one hospital's overview.

Every hospital is fetched through ``hospitals_visible_to``: another hospital's page is 404, not 403,
because for this user it does not exist (SPEC §1).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from campaign.compliance import milestone_compliance
from campaign.selectors import campaign_current
from config.pages import page_user
from hospitals.models import Hospital, Post
from hospitals.selectors import AnyUser, hospitals_visible_to


def hospital_for_page(user: AnyUser, hospital_id: int) -> Hospital:
    """The hospital of a page URL, or 404 when it is outside the user's scope."""
    return get_object_or_404(hospitals_visible_to(user), pk=hospital_id)


@login_required
def my_hospital(request: HttpRequest) -> HttpResponse:
    user = page_user(request)
    if user.hospital_id is None:
        return redirect("hospitals:list")
    return redirect("hospitals:detail", hospital_id=user.hospital_id)


@login_required
def hospital_list(request: HttpRequest) -> HttpResponse:
    hospitals = hospitals_visible_to(request.user).order_by("banner__code", "code")
    return render(request, "hospitals/list.html", {"hospitals": hospitals})


@login_required
def hospital_detail(request: HttpRequest, hospital_id: int) -> HttpResponse:
    hospital = hospital_for_page(request.user, hospital_id)
    campaign = campaign_current()
    if campaign is None:
        raise Http404("尚未设置活动。")
    today = timezone.localdate()
    leaders = [(label, hospital.leader_on(role, today)) for role, label in Post.Role.choices[:2]]
    milestones = milestone_compliance(campaign=campaign, hospitals=[hospital], on=today)[hospital.pk]
    return render(
        request,
        "hospitals/detail.html",
        {"hospital": hospital, "campaign": campaign, "leaders": leaders, "milestones": milestones},
    )
