from __future__ import annotations

from django.db.models import QuerySet

from exports.models import ExportJob
from exports.registry import AnyUser


def export_jobs_for(user: AnyUser) -> QuerySet[ExportJob]:
    """A user's own export jobs; an admin sees everyone's (to help a clerk whose export failed).

    A job's file holds only rows from its requester's scope, so nobody else needs it.
    """
    qs = ExportJob.objects.select_related("requested_by").order_by("-created_at", "-id")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if getattr(user, "sees_everything", False):
        return qs
    return qs.filter(requested_by=user)
