"""Reads the web pages need beyond the domain selectors: unlock requests, bulletins and evaluations in
the viewer's scope (``hospitals.selectors.scope_queryset``, as everywhere)."""

from __future__ import annotations

from django.db.models import QuerySet

from hospitals.models import Role, User
from hospitals.selectors import AnyUser, scope_queryset

from .report_models import Bulletin, Evaluation, UnlockRequest


def unlock_requests_visible_to(user: AnyUser) -> QuerySet[UnlockRequest]:
    qs = UnlockRequest.objects.select_related(
        "report__hospital__banner", "report__campaign", "requested_by", "decided_by"
    ).order_by("-requested_at", "-id")
    return scope_queryset(qs, user, hospital_field="report__hospital")


def bulletins_visible_to(user: AnyUser) -> QuerySet[Bulletin]:
    """The bulletin covers every hospital of the league, so it is the league's to read; a banner
    reviewer, to whom the league sends it, reads it once published; a hospital reporter never (SPEC §1:
    no other hospital's data)."""
    qs = Bulletin.objects.select_related("campaign__league", "built_by", "published_by").order_by("-month")
    if not isinstance(user, User) or not user.is_active:
        return qs.none()
    if user.is_league_level:
        path = (
            ""
            if user.role == Role.ADMIN or user.is_superuser or user.org_unit is None
            else user.org_unit.path
        )
        return qs.filter(campaign__league__path__startswith=path)
    if user.role == Role.BANNER_REVIEWER and user.org_unit is not None:
        return qs.filter(
            status=Bulletin.Status.PUBLISHED, campaign__league__path__in=_ancestor_paths(user.org_unit.path)
        )
    return qs.none()


def _ancestor_paths(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def evaluations_visible_to(user: AnyUser) -> QuerySet[Evaluation]:
    qs = Evaluation.objects.select_related("hospital__banner", "campaign").order_by("rank", "hospital__code")
    return scope_queryset(qs, user)
