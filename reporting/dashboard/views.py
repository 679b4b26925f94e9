from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from campaign.selectors import campaign_current
from hospitals.models import OrgUnit
from hospitals.selectors import org_units_visible_to
from reporting.dashboard.selectors import dashboard_charts


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The dashboard: the first page after login, for every role, limited to the viewer's scope."""
    campaign = campaign_current(request.user)
    banners = list(
        org_units_visible_to(request.user)
        .filter(kind=OrgUnit.Kind.BANNER)
        .order_by("code")
        .values_list("name", flat=True)
    )
    banner = request.GET.get("banner", "")
    if banner not in banners:
        banner = ""
    charts = dashboard_charts(request.user, campaign, banner=banner)
    return render(
        request,
        "dashboard.html",
        {"campaign": campaign, "charts": charts, "banners": banners, "banner": banner},
    )
