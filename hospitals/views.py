"""Pages of hospitals: the list in the viewer's scope (one hospital's overview is campaign's page).

Every hospital is fetched through ``hospitals_visible_to``: another hospital's page is 404, not 403,
because for this user it does not exist (SPEC §1).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from core.pages import paginate
from hospitals.models import Hospital, OrgUnit, Role
from hospitals.pages import page_user, role_required
from hospitals.selectors import AnyUser, hospitals_visible_to, org_units_visible_to


def hospital_for_page(user: AnyUser, hospital_id: int) -> Hospital:
    """The hospital of a page URL, or 404 when it is outside the user's scope."""
    return get_object_or_404(hospitals_visible_to(user), pk=hospital_id)


@login_required
def my_hospital(request: HttpRequest) -> HttpResponse:
    user = page_user(request)
    if user.hospital_id is None:
        return redirect("hospitals:list")
    return redirect("campaign:hospital", hospital_id=user.hospital_id)


@login_required
def hospital_list(request: HttpRequest) -> HttpResponse:
    page = paginate(request, hospitals_visible_to(request.user).order_by("banner__code", "code"))
    return render(request, "hospitals/list.html", {"hospitals": page.object_list, "page": page})


@login_required
@role_required(Role.BANNER_REVIEWER, Role.LEAGUE_REVIEWER)
def banner_list(request: HttpRequest) -> HttpResponse:
    """The banners in the viewer's scope, each with its hospitals and the links to the banner's own
    pages (集中宣讲, 启动记录, 旗(区)指标): how a league reviewer reaches what each banner recorded."""
    banners = (
        org_units_visible_to(request.user)
        .filter(kind=OrgUnit.Kind.BANNER)
        .annotate(hospital_count=Count("hospitals"))
        .order_by("path")
    )
    page = paginate(request, banners)
    return render(request, "hospitals/banners.html", {"banners": page.object_list, "page": page})
