import hashlib
import pickle

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from campaign.selectors import campaign_current
from core import clock
from core.versions import cached_reads
from hospitals.models import OrgUnit, User
from hospitals.selectors import org_units_visible_to
from reporting.dashboard.selectors import dashboard_charts


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The dashboard: the first page after login, for every role, limited to the viewer's scope; the
    region reviewer's first page is the rollup of every league (a dashboard is one league's campaign)."""
    if isinstance(request.user, User) and request.user.is_read_only:
        return redirect("reporting:region")
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
    user = request.user
    on = clock.today()
    # Kept under the versions of every table the charts read (core.versions): the same charts as the
    # live computation until one of them changes; the viewer's scope and the day are part of the key.
    charts = cached_reads(
        "dashboard",
        (user.pk, getattr(user, "role", ""), getattr(user, "org_unit_id", None),
         getattr(user, "hospital_id", None), campaign.pk if campaign else None, on, banner),
        lambda: dashboard_charts(user, campaign, on=on, banner=banner),
    )  # fmt: skip
    # The charts' HTML is kept too, under the charts' own content (a region's hundred banners are a
    # thousand table cells): equal charts are always drawn the same.
    charts_key = hashlib.sha256(pickle.dumps(charts)).hexdigest()
    return render(
        request,
        "dashboard.html",
        {
            "campaign": campaign,
            "charts": charts,
            "charts_key": charts_key,
            "banners": banners,
            "banner": banner,
        },
    )
