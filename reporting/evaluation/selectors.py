"""Reads of the stored December evaluation in the viewer's scope (``hospitals.selectors.scope_queryset``,
as everywhere). The league (its reviewers and admins) reads the draft; hospitals and banners read only a
published evaluation: their own row, their banner's row and the banners' ranking."""

from __future__ import annotations

from django.db.models import QuerySet

from campaign.selectors import campaigns_visible_to
from hospitals.models import Role, User
from hospitals.selectors import AnyUser, scope_queryset
from reporting.evaluation.models import AssessmentImport, BannerEvaluation, Evaluation


def reads_draft(user: AnyUser) -> bool:
    """Whether ``user`` sees the evaluation before it is published (the league's reviewers, admins)."""
    return isinstance(user, User) and user.is_active and user.is_league_level


def evaluations_visible_to(user: AnyUser) -> QuerySet[Evaluation]:
    qs = Evaluation.objects.select_related("hospital__banner", "campaign").order_by("rank", "hospital__code")
    qs = scope_queryset(qs, user)
    return qs if reads_draft(user) else qs.filter(published_at__isnull=False)


def banner_evaluations_visible_to(user: AnyUser) -> QuerySet[BannerEvaluation]:
    """The banners' evaluation: the league reads every banner's draft; once published a banner reviewer
    reads the whole ranking of its league (the banners compare themselves with each other, as the
    bulletin's banner tables do) and a hospital its own banner's row."""
    qs = BannerEvaluation.objects.select_related("banner", "campaign").order_by("rank", "banner__code")
    if not isinstance(user, User) or not user.is_active:
        return qs.none()
    if reads_draft(user):
        return scope_queryset(qs, user, hospital_field=None, unit_field="banner")
    qs = qs.filter(published_at__isnull=False)
    if user.role == Role.HOSPITAL_REPORTER:
        return qs.filter(banner_id=user.hospital.banner_id) if user.hospital is not None else qs.none()
    # A banner reviewer: every banner of the campaigns of its league.
    return qs.filter(campaign__in=campaigns_visible_to(user).values("pk"))


def assessment_imports_visible_to(user: AnyUser) -> QuerySet[AssessmentImport]:
    """The 绩效考核 uploads: the league's reviewers' (and admins') only."""
    qs = AssessmentImport.objects.select_related("campaign", "uploaded_by").order_by("-uploaded_at", "-id")
    if not reads_draft(user):
        return qs.none()
    return qs.filter(campaign__in=campaigns_visible_to(user).values("pk"))


def evaluation_document_rows(
    user: AnyUser, campaign_id: int
) -> tuple[QuerySet[Evaluation], QuerySet[BannerEvaluation]] | None:
    """The rows of a campaign's evaluation document for ``user``: the whole campaign's (a 通报 is
    addressed to every banner and hospital, as the monthly bulletin is), the draft for the league,
    the published evaluation for everyone else in the campaign; None when the user may not read it (no
    evaluation yet, not published yet, another league's campaign)."""
    if not campaigns_visible_to(user).filter(pk=campaign_id).exists():
        return None
    rows = Evaluation.objects.filter(campaign_id=campaign_id)
    banners = BannerEvaluation.objects.filter(campaign_id=campaign_id)
    if not reads_draft(user):
        rows, banners = rows.filter(published_at__isnull=False), banners.filter(published_at__isnull=False)
    return (rows, banners) if rows.exists() else None
