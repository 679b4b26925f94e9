"""The notifications page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from core.pages import paginate
from hospitals.pages import page_user
from reporting.notices.selectors import notifications_for
from reporting.notices.services import notification_mark_read


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    user = page_user(request)
    if request.method == "POST":
        ids = [int(x) for x in request.POST.getlist("notification") if x.isdigit()]
        count = notification_mark_read(user=user, notification_ids=ids or None)
        messages.success(request, f"已标记{count}条为已读。")
        return redirect("reporting:notifications")
    page = paginate(request, notifications_for(user).order_by("-created_at", "-id"))
    return render(
        request,
        "reporting/notifications.html",
        {"notifications": page.object_list, "page": page},
    )
