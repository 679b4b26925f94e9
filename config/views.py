from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from campaign.selectors import campaign_current


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", {"campaign": campaign_current()})
