from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from campaign.selectors import campaign_current
from reporting.dashboard import dashboard_charts


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The dashboard: the first page after login, for every role, limited to the viewer's scope."""
    campaign = campaign_current()
    charts = dashboard_charts(request.user, campaign)
    return render(request, "dashboard.html", {"campaign": campaign, "charts": charts})
