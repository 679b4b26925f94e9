from __future__ import annotations

from django.db.models import QuerySet

from hospitals.models import Role, User
from hospitals.selectors import AnyUser

from exports.models import ExportJob


def export_jobs_for(user: AnyUser) -> QuerySet[ExportJob]:
    """A user's own export jobs; an admin sees everyone's (to help a clerk whose export failed).

    A job's file holds only rows from its requester's scope, so nobody else needs it.
    """
    qs = ExportJob.objects.select_related("requested_by").order_by("-created_at", "-id")
    if not isinstance(user, User) or not user.is_active:
        return qs.none()
    if user.is_superuser or user.role == Role.ADMIN:
        return qs
    return qs.filter(requested_by=user)
