from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import F, Prefetch, Q, QuerySet, Subquery

from campaign.models import (
    OVERDUE,
    ActionItem,
    ActionTask,
    Campaign,
    LaunchRecord,
    LectureCoverage,
    LectureKind,
    LectureMaterial,
    LecturePlan,
    LecturePlanItem,
    LectureSession,
    ProgressEntry,
    ProgressEvidence,
    ProgressStatus,
    RoadmapMilestone,
    TourLecturer,
)
from core import clock
from hospitals.audit import history_of
from hospitals.models import ChangeRecord, Hospital, OrgUnit, Role, User
from hospitals.selectors import REVIEWER_ROLES, AnyUser, ancestor_paths, scope_queryset


def campaigns_visible_to(user: AnyUser | None) -> QuerySet[Campaign]:
    """The campaigns whose organisation (the league ``OrgUnit``) holds the user's scope: a hospital's
    reporter sees its hospital's league's, a banner reviewer its banner's league's, a league reviewer its
    league's; a reviewer above the leagues (the region) those of the leagues under it; an admin all.

    THE campaign scope rule (issue 13 item 3): every write that names a campaign, every default campaign
    and every campaign field of the API reads through here."""
    qs = Campaign.objects.select_related("league")
    if not isinstance(user, User) or not user.is_active:
        return qs.none()
    if user.sees_everything:
        return qs
    # The path of the user's scope, read in the same query (the user's unit is not loaded for it).
    scope: Subquery
    if user.role == Role.HOSPITAL_REPORTER and user.hospital_id is not None:
        scope = Subquery(Hospital.objects.filter(pk=user.hospital_id).values("banner__path")[:1])
    elif (user.role in REVIEWER_ROLES or user.role == Role.ADMIN) and user.org_unit_id is not None:
        scope = Subquery(OrgUnit.objects.filter(pk=user.org_unit_id).values("path")[:1])
    else:
        return qs.none()
    # Paths end with "/", so a prefix is a whole unit: the league holds the scope, or (a reviewer above
    # the leagues) the scope holds the league.
    return qs.annotate(scope_path=scope).filter(
        Q(scope_path__startswith=F("league__path")) | Q(league__path__startswith=F("scope_path"))
    )


def campaign_in_scope(user: AnyUser | None, campaign: Campaign | int) -> bool:
    if isinstance(user, User) and user.is_active and user.sees_everything:
        return True  # no query: an admin's scope has no bounds
    campaign_id = campaign if isinstance(campaign, int) else campaign.pk
    return campaigns_visible_to(user).filter(pk=campaign_id).exists()


def require_campaign_in_scope(user: AnyUser, campaign: Campaign | int) -> None:
    """Refuse an act on a campaign of another league (its bulletin, evaluation, reports' approvals).

    Raises PermissionDenied (403 in the API, a refusal on pages and in the admin); services call it
    before they write anything."""
    if not campaign_in_scope(user, campaign):
        raise PermissionDenied("您无权操作其他盟(市)的活动。")


def campaign_current(
    user: AnyUser, *, hospital: Hospital | None = None, unit: OrgUnit | None = None
) -> Campaign | None:
    """The user's current campaign: the one of its own league running on the clock's date, else its
    latest one. Never another league's (``campaigns_visible_to``); None when the user sees none.
    ``hospital`` or ``unit`` (a hospital's or a banner's page) narrows it to the campaigns of that
    organisation's league, so an admin on another league's hospital gets that league's campaign."""
    visible = campaigns_visible_to(user)
    path = hospital.banner.path if hospital is not None else unit.path if unit is not None else None
    if path is not None:
        visible = visible.filter(league__path__in=ancestor_paths(path))
    today = clock.today()

    def rank(c: Campaign) -> tuple[bool, bool, dt.date, int]:
        # Running today first, then of today's year, then the latest started.
        return (c.starts_on <= today <= c.ends_on, c.year == today.year, c.starts_on, c.pk)

    return max(visible, key=rank, default=None)


# ---------------------------------------------------------------------------------------------------
# 讲 / 见 reads. Every list goes through scope_queryset; its related rows are fetched here, in a fixed
# number of queries whatever the number of rows.
# ---------------------------------------------------------------------------------------------------


def lecture_list(*, user: AnyUser) -> QuerySet[LectureSession]:
    qs = (
        LectureSession.objects.select_related(
            "campaign",
            "kind",
            "hospital__banner",
            "org_unit",
            "speaker",
            "department",
            "host_hospital",
            "alliance",
        )
        .prefetch_related(
            Prefetch("coverage", queryset=LectureCoverage.objects.select_related("document", "layer")),
            "supervising_officials",
            Prefetch("materials", queryset=LectureMaterial.objects.order_by("id")),
        )
        .order_by("-held_on", "-id")
    )
    return scope_queryset(qs, user, hospital_field="hospital", unit_field="org_unit")


def lecture_history(lecture: LectureSession) -> list[ChangeRecord]:
    """A lecture's history with its materials' (deleted ones included), newest first. Three queries.

    A material's history rows carry the material's id; its creation row names the lecture (the upload
    service writes ``宣讲活动#<id>`` as its reason), which is how a deleted material is still found.
    """
    material_type = ContentType.objects.get_for_model(LectureMaterial)
    material_ids = set(
        ChangeRecord.objects.filter(
            content_type=material_type, action="create", reason=f"宣讲活动#{lecture.pk}"
        ).values_list("object_id", flat=True)
    ) | {str(m.pk) for m in lecture.materials.all()}
    records = history_of(lecture) | ChangeRecord.objects.filter(
        content_type=material_type, object_id__in=material_ids
    ).select_related("actor")
    return list(records.order_by("-at", "-id"))


def lectures_deleted(*, hospital: Hospital) -> QuerySet[ChangeRecord]:
    """The deletion rows of a hospital's lectures, newest first (the lecture is gone, its history stays;
    the row's ``changes`` hold the deleted lecture's last values, its hospital among them)."""
    return (
        ChangeRecord.objects.filter(
            content_type=ContentType.objects.get_for_model(LectureSession),
            action="delete",
            changes__hospital__0=str(hospital),
        )
        .select_related("actor")
        .order_by("-at", "-id")
    )


def material_list(*, user: AnyUser) -> QuerySet[LectureMaterial]:
    qs = LectureMaterial.objects.select_related(
        "lecture__kind", "lecture__hospital", "lecture__org_unit", "recommended_by", "uploaded_by"
    ).order_by("-uploaded_at", "-id")
    return scope_queryset(qs, user, hospital_field="lecture__hospital", unit_field="lecture__org_unit")


def tour_lecturer_list(*, user: AnyUser) -> QuerySet[TourLecturer]:
    qs = TourLecturer.objects.select_related("person__hospital", "campaign").order_by(
        "campaign", "selected_on", "id"
    )
    return scope_queryset(qs, user, hospital_field="person__hospital")


def tour_lectures_by_speaker(*, campaign: Campaign, person_ids: list[int]) -> dict[int, list[LectureSession]]:
    """Each selected lecturer's 全区巡讲 of the campaign, oldest first (one query)."""
    lectures = LectureSession.objects.filter(
        campaign=campaign,
        kind__speaker_rule=LectureKind.SpeakerRule.TOUR_LECTURER,
        speaker_id__in=person_ids,
    ).order_by("held_on", "id")
    found: dict[int, list[LectureSession]] = {pk: [] for pk in person_ids}
    for lecture in lectures:
        found[lecture.speaker_id].append(lecture)
    return found


def launch_record_list(*, user: AnyUser) -> QuerySet[LaunchRecord]:
    qs = LaunchRecord.objects.select_related("hospital", "org_unit", "campaign").order_by("launched_on", "id")
    return scope_queryset(qs, user, hospital_field="hospital", unit_field="org_unit")


def lecture_plan_list(*, user: AnyUser) -> QuerySet[LecturePlan]:
    qs = (
        LecturePlan.objects.select_related("hospital", "campaign")
        .prefetch_related(Prefetch("items", queryset=LecturePlanItem.objects.select_related("document")))
        .order_by("hospital__code", "id")
    )
    return scope_queryset(qs, user)


def lecture_plan_item_list(*, user: AnyUser) -> QuerySet[LecturePlanItem]:
    qs = LecturePlanItem.objects.select_related("plan__hospital", "document").order_by(
        "plan", "document__number"
    )
    return scope_queryset(qs, user, hospital_field="plan__hospital")


def action_item_list(*, user: AnyUser) -> QuerySet[ActionItem]:
    qs = (
        ActionItem.objects.select_related("hospital__banner", "task__area", "responsible", "campaign")
        .prefetch_related(
            Prefetch("roadmap", queryset=RoadmapMilestone.objects.order_by("due_on", "id")),
            Prefetch("progress", queryset=ProgressEntry.objects.order_by("-month")),
        )
        .order_by("hospital__code", "task__code", "due_on", "id")
    )
    return scope_queryset(qs, user)


def action_item_history(item: ActionItem) -> list[ChangeRecord]:
    """An action item's history with its roadmap steps' and monthly progress' (deleted ones included),
    newest first. A step's or entry's creation and deletion rows carry the item's id
    (``campaign.services._owned_by_item``); its other rows are found by the ids those name."""
    types = ContentType.objects.get_for_models(RoadmapMilestone, ProgressEntry)
    parts = ChangeRecord.objects.filter(content_type__in=types.values())
    owned = parts.filter(Q(changes__action_item__0=item.pk) | Q(changes__action_item__1=item.pk))
    keys = set(owned.values_list("content_type_id", "object_id"))
    keys |= {(types[RoadmapMilestone].pk, str(pk)) for pk in item.roadmap.values_list("pk", flat=True)}
    keys |= {(types[ProgressEntry].pk, str(pk)) for pk in item.progress.values_list("pk", flat=True)}
    match = Q(pk__in=[])
    for content_type_id, object_id in keys:
        match |= Q(content_type_id=content_type_id, object_id=object_id)
    records = history_of(item) | parts.filter(match)
    return list(records.select_related("actor", "content_type").order_by("-at", "-id"))


def filter_action_status(qs: QuerySet[ActionItem], status: str, on: dt.date) -> QuerySet[ActionItem]:
    """Filter by the status a reader sees: a typed one, or "overdue" computed from the due date."""
    done = Q(current_status=ProgressStatus.DONE)
    overdue = Q(due_on__lt=on) & ~done
    if status == OVERDUE:
        return qs.filter(overdue)
    if status == ProgressStatus.DONE:
        return qs.filter(done)
    return qs.filter(current_status=status).exclude(overdue)


def roadmap_list(*, user: AnyUser) -> QuerySet[RoadmapMilestone]:
    qs = RoadmapMilestone.objects.select_related("action_item__hospital").order_by(
        "action_item", "due_on", "id"
    )
    return scope_queryset(qs, user, hospital_field="action_item__hospital")


def progress_list(*, user: AnyUser) -> QuerySet[ProgressEntry]:
    qs = (
        ProgressEntry.objects.select_related("action_item__hospital", "recorded_by")
        .prefetch_related(Prefetch("evidence", queryset=ProgressEvidence.objects.order_by("id")))
        .order_by("action_item", "-month")
    )
    return scope_queryset(qs, user, hospital_field="action_item__hospital")


def evidence_list(*, user: AnyUser) -> QuerySet[ProgressEvidence]:
    qs = ProgressEvidence.objects.select_related("entry__action_item__hospital").order_by("id")
    return scope_queryset(qs, user, hospital_field="entry__action_item__hospital")


@dataclass(frozen=True)
class PlanRow:
    """One applicable task in a hospital's action plan, with its items and what is still missing."""

    task: ActionTask
    parts: list[str]
    items: list[ActionItem]
    parts_without_item: list[str]

    @property
    def has_item(self) -> bool:
        return bool(self.items)


def action_plan(*, campaign: Campaign, hospital: Hospital) -> list[PlanRow]:
    """The tasks that apply to ``hospital`` (A5.1's chief accountant only for 三级), each with its items;
    a row without items is a task the hospital has not turned into action yet."""
    items_by_task: dict[int, list[ActionItem]] = {}
    for item in ActionItem.objects.filter(campaign=campaign, hospital=hospital).select_related("responsible"):
        items_by_task.setdefault(item.task_id, []).append(item)
    rows = []
    for task in ActionTask.objects.filter(campaign=campaign).select_related("area").order_by("code"):
        if not task.applies_to_hospital(hospital):
            continue
        items = items_by_task.get(task.pk, [])
        parts = task.parts_for(hospital)
        named = {item.part for item in items}
        rows.append(PlanRow(task, parts, items, [p for p in parts if p not in named]))
    return rows


def campaign_hospitals(campaign: Campaign) -> QuerySet[Hospital]:
    """The hospitals a campaign covers: every hospital under its league."""
    return Hospital.objects.filter(banner__path__startswith=campaign.league.path).select_related("banner")


def campaign_for_hospital(hospital: Hospital, month: dt.date) -> Campaign | None:
    """The campaign of the hospital's league running in ``month`` (a league runs one campaign a year)."""
    campaigns = Campaign.objects.filter(year=month.year).select_related("league")
    for campaign in campaigns:
        if hospital.banner.path.startswith(campaign.league.path):
            return campaign
    return None
