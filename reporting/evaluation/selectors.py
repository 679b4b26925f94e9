"""Reads the web pages need that the reporting selectors do not provide yet: the stored December
evaluation in the viewer's scope (``hospitals.selectors.scope_queryset``, as everywhere)."""

from __future__ import annotations

from django.db.models import QuerySet

from hospitals.selectors import AnyUser, scope_queryset
from reporting.evaluation.models import Evaluation


def evaluations_visible_to(user: AnyUser) -> QuerySet[Evaluation]:
    qs = Evaluation.objects.select_related("hospital__banner", "campaign").order_by("rank", "hospital__code")
    return scope_queryset(qs, user)
