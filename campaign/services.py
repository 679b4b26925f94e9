"""Every write of 讲 (lectures, materials, launch records, lecture plans, tour lecturers) and 见 (action
items, roadmaps, monthly progress). SPEC §3–§5, issue 3.

Contract of every function here:
- keyword-only arguments, ``actor`` (the user acting) and ``channel`` (``ChangeRecord.Channel``) first;
- the actor's scope is checked before anything else (``PermissionDenied``, 403 in the API);
- every rule of the notice is checked next, all of them: each refusal is put on the field it concerns
  (``core.refusals.Refusals``; a month frozen in review on no field) with a Chinese message naming the
  rule and a ``code`` naming it for programs, and they are raised together as one ``ValidationError``;
  nothing is written when a rule refuses;
- each write records its history (``hospitals.audit.record_change``, old → new) in the same
  transaction, and returns the model instance.

The admin's forms, the API's serializers and the web pages call the ``*_check`` functions to show a
refusal on the form and the ``*_create``/``*_update`` functions to write; none of them holds a rule.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.fields.files import FieldFile

from campaign.files import ANY_KIND, CheckedFile, check_upload
from campaign.models import (
    ActionItem,
    ActionTask,
    Applicability,
    Campaign,
    KeyDocument,
    LaunchRecord,
    Layer,
    LectureCoverage,
    LectureKind,
    LectureMaterial,
    LecturePlan,
    LecturePlanItem,
    LectureSession,
    Milestone,
    ProgressEntry,
    ProgressEvidence,
    ProgressStatus,
    RoadmapMilestone,
    SpeakerRole,
    TourLecturer,
)
from campaign.selectors import require_campaign_in_scope
from core import clock
from core.monthlock import require_month_editable
from core.records import refuse_owner_change
from core.refusals import Refusals
from hospitals.audit import diff, record_change, snapshot
from hospitals.models import Department, Hospital, MedicalAlliance, OrgUnit, Person, Post, Role, User
from hospitals.selectors import AnyUser, ancestor_paths, require_hospital_in_scope, require_unit_in_scope

Channel = str  # one of hospitals.models.ChangeRecord.Channel


def _actor(actor: AnyUser) -> User | None:
    return actor if isinstance(actor, User) else None


def _require_owner_in_scope(actor: AnyUser, hospital: Hospital | None, org_unit: OrgUnit | None) -> None:
    if hospital is not None:
        require_hospital_in_scope(actor, hospital)
    elif org_unit is not None:
        require_unit_in_scope(actor, org_unit)
    else:
        raise PermissionDenied("您无权操作该数据。")


def _in_campaign_league(campaign: Campaign, hospital: Hospital | None, org_unit: OrgUnit | None) -> bool:
    league_path = campaign.league.path
    if hospital is not None:
        return hospital.banner.path.startswith(league_path)
    return org_unit is not None and org_unit.path.startswith(league_path)


def _within_campaign(refusals: Refusals, field: str, campaign: Campaign, on: dt.date, what: str) -> None:
    if not campaign.starts_on <= on <= campaign.ends_on:
        refusals.add(
            field,
            f"{what}须在活动期间（{campaign.starts_on:%Y-%m-%d}至{campaign.ends_on:%Y-%m-%d}）内，"
            f"{on:%Y-%m-%d}不在其中。",
            "date_outside_campaign",
        )


def _not_after_today(refusals: Refusals, on: dt.date, field: str, what: str) -> None:
    """A record of something done (a lecture held, a campaign launched) cannot be dated after today on
    the one clock (``core.clock``: the demo's day when ``JJX_REPORTING_CLOCK`` is set)."""
    today = clock.today()
    if on > today:
        refusals.add(
            field,
            f"{what}{on:%Y-%m-%d}晚于今天（{today:%Y-%m-%d}），不能填写尚未发生的事项。",
            "date_in_future",
        )


# ---------------------------------------------------------------------------------------------------
# Lectures
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LectureData:
    """Everything a caller says about a lecture. ``speaker_role`` empty means: derive it from the
    speaker's posts on the lecture date."""

    campaign: Campaign
    kind: LectureKind
    held_on: dt.date
    title: str
    speaker: Person
    hospital: Hospital | None = None
    org_unit: OrgUnit | None = None
    speaker_role: str = ""
    department: Department | None = None
    party_history: bool = False
    coverage: tuple[tuple[KeyDocument, Layer], ...] = ()
    attendance_expected: int = 0
    attendance_present: int = 0
    on_duty_exempt: int = 0
    is_online: bool = False
    online_link: str = ""
    supervising_officials: tuple[Person, ...] = ()
    supervision_note: str = ""
    host_hospital: Hospital | None = None
    alliance: MedicalAlliance | None = None

    @classmethod
    def from_lecture(cls, lecture: LectureSession) -> LectureData:
        return cls(
            campaign=lecture.campaign,
            kind=lecture.kind,
            held_on=lecture.held_on,
            title=lecture.title,
            speaker=lecture.speaker,
            hospital=lecture.hospital,
            org_unit=lecture.org_unit,
            speaker_role=lecture.speaker_role,
            department=lecture.department,
            party_history=lecture.party_history,
            coverage=tuple(
                (c.document, c.layer) for c in lecture.coverage.select_related("document", "layer")
            ),
            attendance_expected=lecture.attendance_expected,
            attendance_present=lecture.attendance_present,
            on_duty_exempt=lecture.on_duty_exempt,
            is_online=lecture.is_online,
            online_link=lecture.online_link,
            supervising_officials=tuple(lecture.supervising_officials.all()),
            supervision_note=lecture.supervision_note,
            host_hospital=lecture.host_hospital,
            alliance=lecture.alliance,
        )

    def replace(self, **changes: Any) -> LectureData:
        return dataclasses.replace(self, **changes)


LECTURE_FIELDS = (
    "kind",
    "hospital",
    "org_unit",
    "held_on",
    "title",
    "speaker",
    "speaker_role",
    "department",
    "party_history",
    "attendance_expected",
    "attendance_present",
    "on_duty_exempt",
    "is_online",
    "online_link",
    "supervision_note",
    "host_hospital",
    "alliance",
)


def _hospital_leader_roles(person: Person, hospital: Hospital | None, on: dt.date) -> list[str]:
    """The leader posts (书记 first, then 院长) ``person`` holds at ``hospital`` on ``on``."""
    if hospital is None:
        return []
    held = set(
        Post.objects.filter(person=person, hospital=hospital, role__in=Post.HOSPITAL_ROLES, start_on__lte=on)
        .filter(Q(end_on__isnull=True) | Q(end_on__gte=on))
        .values_list("role", flat=True)
    )
    return [r for r in (SpeakerRole.SECRETARY, SpeakerRole.PRESIDENT) if r in held]


def _commission_roles(person: Person, unit: OrgUnit | None, on: dt.date) -> list[str]:
    if unit is None:
        return []
    held = set(
        Post.objects.filter(
            person=person,
            org_unit=unit,
            role__in=[Post.Role.COMMISSION_HEAD, Post.Role.COMMISSION_DEPUTY],
            start_on__lte=on,
        )
        .filter(Q(end_on__isnull=True) | Q(end_on__gte=on))
        .values_list("role", flat=True)
    )
    return [r for r in (SpeakerRole.COMMISSION_HEAD, SpeakerRole.COMMISSION_DEPUTY) if r in held]


def _speaker_roles(data: LectureData, refusals: Refusals) -> list[str]:
    """The roles in which the speaker may give this kind of lecture; a wrong speaker (or department) is
    refused on its field and gives no role."""
    kind, speaker, on = data.kind, data.speaker, data.held_on
    rule = kind.speaker_rule
    if rule == LectureKind.SpeakerRule.DEPARTMENT_HEAD:
        department = data.department
        if department is None:
            refusals.add("department", "科室宣讲须注明科室。", "department_required")
            return []
        if department.hospital_id != getattr(data.hospital, "pk", None):
            refusals.add(
                "department", f"科室“{department.name}”不属于组织宣讲的医院。", "department_other_hospital"
            )
            return []
        if department.head_id != speaker.pk:
            refusals.add(
                "speaker",
                f"科室宣讲须由科室主任宣讲（通知二(一)1：各科室主任在本科室内宣讲）；"
                f"{speaker}不是{department.name}的主任。",
                "speaker_role_mismatch",
            )
            return []
        return [SpeakerRole.DEPARTMENT_HEAD]
    if data.department is not None:
        refusals.add(
            "department", f"{kind.name}不填写科室，科室仅用于科室宣讲。", "department_not_applicable"
        )
    if rule == LectureKind.SpeakerRule.COMMISSION_LEADER:
        roles = _commission_roles(speaker, data.org_unit, on)
        if not roles:
            refusals.add(
                "speaker",
                f"{kind.name}须由旗(区)卫生健康委主要负责人或分管领导宣讲；"
                f"{speaker}在{on:%Y-%m-%d}不担任{data.org_unit}卫生健康委的该职务。",
                "speaker_role_mismatch",
            )
        return roles
    roles = _hospital_leader_roles(speaker, data.hospital, on)
    if rule == LectureKind.SpeakerRule.HOSPITAL_LEADER:
        if not roles:
            refusals.add(
                "speaker",
                f"{kind.name}须由本院党委书记或院长宣讲；{speaker}在{on:%Y-%m-%d}不是{data.hospital}的书记或院长。",
                "speaker_role_mismatch",
            )
        return roles
    # LEADER_IN_PERSON and TOUR_LECTURER: §二(一)1 "必须是医院的书记或院长亲自宣讲，不得找他人替代宣讲".
    if not roles:
        refusals.add(
            "speaker",
            f"{kind.name}须由书记或院长本人宣讲，不得替代；"
            f"{speaker}在{on:%Y-%m-%d}不是{data.hospital}的书记或院长。",
            "substitute_not_allowed",
        )
        return roles
    if (
        rule == LectureKind.SpeakerRule.TOUR_LECTURER
        and not TourLecturer.objects.filter(campaign=data.campaign, person=speaker).exists()
    ):
        refusals.add(
            "speaker",
            f"{kind.name}须由入选的全区巡讲讲师宣讲；{speaker}未入选本活动的巡讲人选。",
            "tour_lecturer_not_selected",
        )
        return []
    return roles


def _check_organiser(data: LectureData, refusals: Refusals) -> None:
    kind = data.kind
    if kind.campaign_id != data.campaign.pk:
        refusals.add("kind", f"宣讲形式“{kind.name}”不属于{data.campaign}。", "kind_not_in_campaign")
    if kind.speaker_rule == LectureKind.SpeakerRule.COMMISSION_LEADER:
        if data.hospital is not None or data.org_unit is None or data.org_unit.kind != OrgUnit.Kind.BANNER:
            field = "hospital" if data.hospital is not None else "org_unit"
            refusals.add(
                field, f"{kind.name}由旗(区)卫生健康委组织，须填写旗(区)、不填写医院。", "organiser_mismatch"
            )
            return
    elif data.hospital is None or data.org_unit is not None:
        field = "org_unit" if data.org_unit is not None else "hospital"
        refusals.add(field, f"{kind.name}由医院组织，须填写组织医院。", "organiser_mismatch")
        return
    if not _in_campaign_league(data.campaign, data.hospital, data.org_unit):
        refusals.add(
            "hospital" if data.hospital is not None else "org_unit",
            f"组织单位不在{data.campaign.league}范围内。",
            "organiser_outside_campaign",
        )


# A hospital-wide lecture's expected attendance is at least this share of Hospital.staff_count (campaign
# setting ``hospital_wide_min_staff_share``): all staff attend, on-duty staff included in the expected;
# the rest allows for leave, secondments and a roster counted at the start of the year.
HOSPITAL_WIDE_MIN_STAFF_SHARE = 0.85


def hospital_wide_min_share(campaign: Campaign) -> float:
    return float(
        (campaign.settings or {}).get("hospital_wide_min_staff_share", HOSPITAL_WIDE_MIN_STAFF_SHARE)
    )


def is_hospital_wide(kind: LectureKind) -> bool:
    """院内宣讲: the hospital's leaders before all its staff (§二(一)1.2 "医院所有干部职工都要参加")."""
    return (
        kind.speaker_rule == LectureKind.SpeakerRule.HOSPITAL_LEADER
        and kind.venue == LectureKind.Venue.OWN_HOSPITAL
    )


def _check_attendance(data: LectureData, refusals: Refusals) -> None:
    counts = {
        "attendance_expected": ("应到人数", data.attendance_expected),
        "attendance_present": ("实到人数", data.attendance_present),
        "on_duty_exempt": ("正常值班人数", data.on_duty_exempt),
    }
    for field, (label, value) in counts.items():
        if value is None or value < 0:
            refusals.add(field, f"{label}不能为负数。", "attendance_negative")
    if refusals.has(*counts):
        return
    if data.attendance_present > data.attendance_expected:
        refusals.add(
            "attendance_present",
            f"实到人数（{data.attendance_present}）不能超过应到人数（{data.attendance_expected}）。",
            "attendance_exceeds_expected",
        )
    if data.on_duty_exempt > data.attendance_expected:
        refusals.add(
            "on_duty_exempt",
            f"正常值班人数（{data.on_duty_exempt}）不能超过应到人数（{data.attendance_expected}）。",
            "attendance_exceeds_expected",
        )
    if (
        not refusals.has("attendance_present", "on_duty_exempt")
        and data.attendance_present + data.on_duty_exempt > data.attendance_expected
    ):
        refusals.add(
            "attendance_present",
            f"实到人数（{data.attendance_present}）与正常值班人数（{data.on_duty_exempt}）之和"
            f"不能超过应到人数（{data.attendance_expected}）。",
            "attendance_exceeds_expected",
        )
    hospital = data.hospital
    if is_hospital_wide(data.kind) and hospital is not None and hospital.staff_count > 0:
        share = hospital_wide_min_share(data.campaign)
        minimum = math.ceil(hospital.staff_count * share)
        if data.attendance_expected < minimum:
            refusals.add(
                "attendance_expected",
                f"{data.kind.name}须全院干部职工参加（通知二(一)1.2，保留正常值班人员），应到人数"
                f"（{data.attendance_expected}）不能少于{hospital}在职职工数（{hospital.staff_count}）的"
                f"{share:.0%}（{minimum}人）。",
                "attendance_below_staff",
            )


def _check_venue(data: LectureData, refusals: Refusals) -> None:
    kind, venue = data.kind, data.kind.venue
    if venue == LectureKind.Venue.HOST_HOSPITAL:
        if data.host_hospital is None:
            refusals.add("host_hospital", f"{kind.name}须填写受讲医院。", "host_hospital_required")
        elif data.hospital is not None and data.host_hospital.pk == data.hospital.pk:
            refusals.add("host_hospital", f"{kind.name}的受讲医院不能是本院。", "host_is_own_hospital")
        if data.alliance is not None:
            refusals.add("alliance", f"{kind.name}不填写医联体。", "venue_fields_mismatch")
        return
    if venue == LectureKind.Venue.ALLIANCE:
        alliance = data.alliance
        if alliance is None:
            refusals.add("alliance", f"{kind.name}须填写医联体。", "alliance_required")
            return
        members = set(alliance.members.values_list("pk", flat=True))
        if data.hospital is None or data.hospital.pk not in members:
            refusals.add(
                "alliance",
                f"{kind.name}只能在本院所属的医联体内进行；{data.hospital}不是{alliance}的成员单位。",
                "not_alliance_member",
            )
        if data.host_hospital is not None:
            if data.hospital is not None and data.host_hospital.pk == data.hospital.pk:
                refusals.add("host_hospital", f"{kind.name}的受讲医院不能是本院。", "host_is_own_hospital")
            elif data.host_hospital.pk not in members:
                refusals.add(
                    "host_hospital",
                    f"受讲医院{data.host_hospital}不是{alliance}的成员单位。",
                    "not_alliance_member",
                )
        return
    if data.host_hospital is not None:
        refusals.add("host_hospital", f"{kind.name}不填写受讲医院或医联体。", "venue_fields_mismatch")
    if data.alliance is not None:
        refusals.add("alliance", f"{kind.name}不填写受讲医院或医联体。", "venue_fields_mismatch")


def _check_content(data: LectureData, refusals: Refusals) -> None:
    if data.party_history and data.kind.is_external:
        refusals.add(
            "party_history",
            f"党史宣讲仅在本医院宣讲（通知四(二)），{data.kind.name}不能宣讲百年党史。",
            "party_history_outside_own_hospital",
        )
    seen: set[tuple[int, int]] = set()
    for document, layer in data.coverage:
        if document.campaign_id != data.campaign.pk or layer.campaign_id != data.campaign.pk:
            refusals.add("coverage", "宣讲的重点文件或层次不属于本活动。", "coverage_not_in_campaign")
            continue
        key = (document.pk, layer.pk)
        if key in seen:
            refusals.add("coverage", f"{document}的“{layer}”层次重复填写。", "coverage_duplicate")
        seen.add(key)
    if data.kind.venue == LectureKind.Venue.REGION and not data.is_online:
        refusals.add(
            "is_online",
            f"{data.kind.name}须同时采取线上宣讲（通知四(三)），请勾选线上宣讲并填写线上链接。",
            "online_required",
        )
    if data.is_online and not data.online_link:
        refusals.add("online_link", "线上宣讲须填写线上链接。", "online_link_required")
    if not data.title.strip():
        refusals.add("title", "宣讲题目不能为空。", "title_required")


def commission_posts(
    campaign: Campaign, on: dt.date | None = None, *, unit: OrgUnit | None = None
) -> QuerySet[Post]:
    """Posts at a health commission (主任 / 副主任; ``Post.org_unit`` set), held on ``on`` if given: who
    may supervise a lecture (§四(一)).

    With ``unit`` (the banner or league that organises the lecture, or the banner of the hospital that
    does), the commissions of that unit and of those above it: a banner's lecture is supervised by its
    own commission, the league's or the region's, never by another banner's. Without it, every
    commission of the campaign's league and those above it (the lists that span the league)."""
    if unit is not None:
        posts = Post.objects.filter(org_unit__path__in=ancestor_paths(unit.path))
    else:
        league_path = campaign.league.path
        posts = Post.objects.filter(org_unit__isnull=False).filter(
            Q(org_unit__path__startswith=league_path) | Q(org_unit__path__in=ancestor_paths(league_path))
        )
    if on is not None:
        posts = posts.filter(start_on__lte=on).filter(Q(end_on__isnull=True) | Q(end_on__gte=on))
    return posts


def lecture_commission(hospital: Hospital | None, org_unit: OrgUnit | None) -> OrgUnit | None:
    """The unit whose commission (and those above it) supervises a lecture organised by ``hospital`` or
    ``org_unit``: the organising banner or league, or the banner of the organising hospital."""
    if hospital is not None:
        return hospital.banner
    return org_unit


def _check_officials(data: LectureData, refusals: Refusals) -> None:
    """§四(一) "卫生健康委主要负责人或分管领导要出席指导": a supervising official holds a post, on the
    lecture's date, at the commission of the organiser's banner, of the league or of the region; the
    hospital's own people (its department heads, say) and another banner's officials are not."""
    officials = data.supervising_officials
    if not officials:
        return
    holding = set(
        commission_posts(data.campaign, data.held_on, unit=lecture_commission(data.hospital, data.org_unit))
        .filter(person_id__in=[p.pk for p in officials])
        .values_list("person_id", flat=True)
    )
    others = [p for p in officials if p.pk not in holding]
    if others:
        names = "、".join(str(p) for p in others)
        refusals.add(
            "supervising_officials",
            f"出席指导的卫生健康委领导须为本旗(区)、盟或自治区卫生健康委主要负责人或分管领导（通知四(一)）；"
            f"{names}在{data.held_on:%Y-%m-%d}不在这些卫生健康委任职。",
            "official_not_commission",
        )


def lecture_check(
    *, actor: AnyUser, data: LectureData, lecture: LectureSession | None = None, reason: str = ""
) -> str:
    """Check scope, then every rule for ``data``; return the speaker's role. Writes nothing.

    Scope is checked first and alone (``PermissionDenied``). Every rule after it is checked even when
    an earlier one refuses, and the refusals are raised together, each on its field (the organiser,
    the date, attendance, the speaker, the venue, the content) or on none (the month's lock); only a
    rule built on a refused one (the speaker's role on a wrong organiser) is skipped.
    """
    if lecture is not None:
        _require_owner_in_scope(actor, lecture.hospital, lecture.org_unit)
    _require_owner_in_scope(actor, data.hospital, data.org_unit)
    refusals = Refusals()
    if lecture is not None:
        with refusals.collect():
            require_month_editable(lecture.hospital, lecture.held_on, actor=actor, reason=reason)
    _check_organiser(data, refusals)
    organiser_refused = refusals.has("kind", "hospital", "org_unit")
    _within_campaign(refusals, "held_on", data.campaign, data.held_on, "宣讲日期")
    _not_after_today(refusals, data.held_on, "held_on", "宣讲日期")
    with refusals.collect():
        require_month_editable(data.hospital, data.held_on, actor=actor, reason=reason)
    _check_attendance(data, refusals)
    roles: list[str] = []
    if not organiser_refused:
        roles = _speaker_roles(data, refusals)
        if roles and data.speaker_role and data.speaker_role not in roles:
            held = "、".join(SpeakerRole(r).label for r in roles)
            refusals.add(
                "speaker_role",
                f"所填宣讲人身份“{SpeakerRole(data.speaker_role).label}”与{data.speaker}在宣讲日期的职务（{held}）不符。",
                "speaker_role_mismatch",
            )
        _check_venue(data, refusals)
    _check_content(data, refusals)
    _check_officials(data, refusals)
    refusals.raise_if_any()
    return data.speaker_role or roles[0]


def _lecture_snapshot(lecture: LectureSession) -> dict[str, Any]:
    snap = snapshot(lecture, LECTURE_FIELDS)
    snap["coverage"] = sorted(
        f"{c.document.code}:{c.layer.code}" for c in lecture.coverage.select_related("document", "layer")
    )
    snap["supervising_officials"] = sorted(str(p) for p in lecture.supervising_officials.all())
    return snap


def _write_lecture_relations(lecture: LectureSession, data: LectureData) -> None:
    wanted = {(d.pk, layer.pk) for d, layer in data.coverage}
    current = {(c.document_id, c.layer_id): c.pk for c in lecture.coverage.all()}
    stale = [pk for key, pk in current.items() if key not in wanted]
    if stale:
        LectureCoverage.objects.filter(pk__in=stale).delete()
    LectureCoverage.objects.bulk_create(
        [
            LectureCoverage(lecture=lecture, document_id=d, layer_id=layer)
            for d, layer in sorted(wanted - set(current))
        ]
    )
    lecture.supervising_officials.set(data.supervising_officials)


def _lecture_values(data: LectureData, speaker_role: str) -> dict[str, Any]:
    values = {name: getattr(data, name) for name in LECTURE_FIELDS if name != "speaker_role"}
    values["speaker_role"] = speaker_role
    values["campaign"] = data.campaign
    return values


@transaction.atomic
def lecture_create(
    *, actor: AnyUser, channel: Channel, data: LectureData, reason: str = ""
) -> LectureSession:
    speaker_role = lecture_check(actor=actor, data=data, reason=reason)
    lecture = LectureSession(**_lecture_values(data, speaker_role), created_by=_actor(actor))
    lecture.full_clean(validate_unique=False, validate_constraints=True)
    lecture.save()
    _write_lecture_relations(lecture, data)
    record_change(
        lecture,
        action="create",
        actor=_actor(actor),
        channel=channel,
        changes=diff({}, _lecture_snapshot(lecture)),
        reason=reason,
    )
    return lecture


@transaction.atomic
def lecture_update(
    *, actor: AnyUser, channel: Channel, lecture: LectureSession, data: LectureData, reason: str = ""
) -> LectureSession:
    refuse_owner_change(
        lecture,
        {"campaign": data.campaign, "hospital": data.hospital, "org_unit": data.org_unit},
        what="宣讲活动",
    )
    speaker_role = lecture_check(actor=actor, data=data, lecture=lecture, reason=reason)
    old = _lecture_snapshot(lecture)
    values = _lecture_values(data, speaker_role)
    changed = [name for name, value in values.items() if getattr(lecture, name) != value]
    for name in changed:
        setattr(lecture, name, values[name])
    if changed:
        lecture.full_clean(validate_unique=False, validate_constraints=True)  # as lecture_create does
        lecture.save(update_fields=[*changed, "updated_at"])
    _write_lecture_relations(lecture, data)
    changes = diff(old, _lecture_snapshot(lecture))
    if changes:
        record_change(
            lecture, action="update", actor=_actor(actor), channel=channel, changes=changes, reason=reason
        )
    return lecture


def _delete_files_on_commit(files: Iterable[FieldFile]) -> None:
    """Remove stored files once the deletion of their rows is committed (never before: a rollback
    would leave rows pointing at nothing)."""
    for file in files:
        if file.name:
            transaction.on_commit(functools.partial(file.storage.delete, file.name))


@transaction.atomic
def lecture_delete(*, actor: AnyUser, channel: Channel, lecture: LectureSession, reason: str = "") -> None:
    _require_owner_in_scope(actor, lecture.hospital, lecture.org_unit)
    require_month_editable(lecture.hospital, lecture.held_on, actor=actor, reason=reason)
    old = _lecture_snapshot(lecture)
    files = [m.file for m in lecture.materials.all()]
    record_change(
        lecture, action="delete", actor=_actor(actor), channel=channel, changes=diff(old, {}), reason=reason
    )
    lecture.delete()
    _delete_files_on_commit(files)


# ---------------------------------------------------------------------------------------------------
# Materials
# ---------------------------------------------------------------------------------------------------

MATERIAL_FIELDS = (
    "kind",
    "title",
    "original_name",
    "content_type",
    "size",
    "file",
    "recommended_for_publicity",
)


def material_check(
    *, actor: AnyUser, lecture: LectureSession, kind: str, file: File, reason: str = ""
) -> CheckedFile:
    """Scope, then the month's lock and the file's type by content, extension and size
    (``campaign.files.check_upload``), both said at once; return what the file really is."""
    _require_owner_in_scope(actor, lecture.hospital, lecture.org_unit)
    refusals = Refusals()
    with refusals.collect():
        require_month_editable(lecture.hospital, lecture.held_on, actor=actor, reason=reason)
    checked: CheckedFile | None = None
    with refusals.collect():
        checked = check_upload(file, kind=kind, field="file")
    refusals.raise_if_any()
    assert checked is not None
    return checked


@transaction.atomic
def material_upload(
    *,
    actor: AnyUser,
    channel: Channel,
    lecture: LectureSession,
    kind: str,
    file: File,
    title: str = "",
    reason: str = "",
) -> LectureMaterial:
    checked = material_check(actor=actor, lecture=lecture, kind=kind, file=file, reason=reason)
    material = LectureMaterial(
        lecture=lecture,
        kind=kind,
        title=title,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        uploaded_by=_actor(actor),
    )
    material.file.save(checked.storage_name(f"lectures/{lecture.campaign_id}/{lecture.pk}"), file, save=False)
    # If anything below fails the transaction rolls back; the stored file must go with it.
    try:
        material.save()
        record_change(
            material,
            action="create",
            actor=_actor(actor),
            channel=channel,
            changes=diff({}, snapshot(material, MATERIAL_FIELDS)),
            reason=reason or f"宣讲活动#{lecture.pk}",
        )
    except Exception:
        material.file.delete(save=False)
        raise
    return material


@transaction.atomic
def material_set_recommended(
    *, actor: AnyUser, channel: Channel, material: LectureMaterial, recommended: bool
) -> LectureMaterial:
    """Only the league's reviewers (盟医改办, who forward materials to the region, §四(三)) recommend."""
    lecture = material.lecture
    _require_owner_in_scope(actor, lecture.hospital, lecture.org_unit)
    user = _actor(actor)
    if user is None or not (
        user.role == Role.LEAGUE_REVIEWER or user.role == Role.ADMIN or user.is_superuser
    ):
        raise PermissionDenied("只有盟审核员可以标记“推荐宣传”。")
    if material.recommended_for_publicity == recommended:
        return material
    old = snapshot(material, ["recommended_for_publicity"])
    material.recommended_for_publicity = recommended
    material.recommended_by = user if recommended else None
    material.recommended_at = clock.now() if recommended else None
    material.save(update_fields=["recommended_for_publicity", "recommended_by", "recommended_at"])
    record_change(
        material,
        action="recommend" if recommended else "unrecommend",
        actor=user,
        channel=channel,
        changes=diff(old, snapshot(material, ["recommended_for_publicity"])),
    )
    return material


@transaction.atomic
def material_delete(*, actor: AnyUser, channel: Channel, material: LectureMaterial, reason: str = "") -> None:
    lecture = material.lecture
    _require_owner_in_scope(actor, lecture.hospital, lecture.org_unit)
    require_month_editable(lecture.hospital, lecture.held_on, actor=actor, reason=reason)
    record_change(
        material,
        action="delete",
        actor=_actor(actor),
        channel=channel,
        changes=diff(snapshot(material, MATERIAL_FIELDS), {}),
        reason=reason,
    )
    files = [material.file]
    material.delete()
    _delete_files_on_commit(files)


# ---------------------------------------------------------------------------------------------------
# Tour lecturers, launch records, lecture plans
# ---------------------------------------------------------------------------------------------------


def _require_league_level(actor: AnyUser, message: str) -> User:
    user = _actor(actor)
    if user is None or not user.is_league_level:
        raise PermissionDenied(message)
    return user


def tour_selection_due(campaign: Campaign) -> dt.date | None:
    """The day by which the tour lecturers are selected: the campaign's 全区巡讲 milestone (§三(二) "8月底
    前…择优选拔出全区宣讲讲师，完成全区巡讲"); None when the campaign has no such milestone."""
    return (
        Milestone.objects.filter(campaign=campaign, rule=Milestone.Rule.REGION_TOUR)
        .order_by("due_on")
        .values_list("due_on", flat=True)
        .first()
    )


def tour_lecturer_check(*, actor: AnyUser, campaign: Campaign, person: Person, selected_on: dt.date) -> None:
    _require_league_level(actor, "全区巡讲人选由盟卫生健康委确定。")
    require_campaign_in_scope(actor, campaign)
    if person.hospital is not None:
        require_hospital_in_scope(actor, person.hospital)
    refusals = Refusals()
    _within_campaign(refusals, "selected_on", campaign, selected_on, "入选日期")
    today = clock.today()
    if selected_on > today:
        refusals.add("selected_on", f"入选日期（{selected_on:%Y-%m-%d}）不能晚于今天。", "date_in_future")
    due = tour_selection_due(campaign)
    if due is not None and selected_on > due:
        refusals.add(
            "selected_on",
            f"全区巡讲讲师须在{due:%Y-%m-%d}前选拔（通知三(二)），入选日期{selected_on:%Y-%m-%d}已过期限。",
            "tour_selection_closed",
        )
    if due is not None and today > due:  # today, not what was typed: on no field
        refusals.add(
            None,
            f"全区巡讲讲师的选拔已于{due:%Y-%m-%d}截止（通知三(二)），今天（{today:%Y-%m-%d}）不能再选拔。",
            "tour_selection_closed",
        )
    if person.hospital is None or not _hospital_leader_roles(person, person.hospital, selected_on):
        refusals.add(
            "person",
            f"全区巡讲讲师须为医院的书记或院长；{person}在{selected_on:%Y-%m-%d}不担任该职务。",
            "tour_lecturer_not_leader",
        )
    if TourLecturer.objects.filter(campaign=campaign, person=person).exists():
        refusals.add("person", f"{person}已入选本活动的巡讲人选。", "tour_lecturer_duplicate")
    refusals.raise_if_any()


@transaction.atomic
def tour_lecturer_select(
    *,
    actor: AnyUser,
    channel: Channel,
    campaign: Campaign,
    person: Person,
    selected_on: dt.date,
    note: str = "",
) -> TourLecturer:
    """§三(二): lecturers for the region tour are selected by the league (盟市推荐和组织安排)."""
    tour_lecturer_check(actor=actor, campaign=campaign, person=person, selected_on=selected_on)
    user = _actor(actor)
    selection = TourLecturer.objects.create(
        campaign=campaign, person=person, selected_on=selected_on, note=note
    )
    record_change(
        selection,
        action="create",
        actor=user,
        channel=channel,
        changes=diff({}, snapshot(selection, ["person", "selected_on", "note"])),
    )
    return selection


@transaction.atomic
def tour_lecturer_remove(
    *, actor: AnyUser, channel: Channel, selection: TourLecturer, reason: str = ""
) -> None:
    user = _require_league_level(actor, "全区巡讲人选由盟卫生健康委确定。")
    if selection.person.hospital is not None:
        require_hospital_in_scope(actor, selection.person.hospital)
    record_change(
        selection,
        action="delete",
        actor=user,
        channel=channel,
        changes=diff(snapshot(selection, ["person", "selected_on", "note"]), {}),
        reason=reason,
    )
    selection.delete()


LAUNCH_FIELDS = ("hospital", "org_unit", "launched_on", "meeting", "minutes", "attachment")


def launch_record_check(
    *,
    actor: AnyUser,
    campaign: Campaign,
    hospital: Hospital | None,
    org_unit: OrgUnit | None,
    launched_on: dt.date,
    meeting: str,
    record: LaunchRecord | None = None,
    attachment: File | None = None,
) -> CheckedFile | None:
    """Scope, then every rule of a launch record (and its attachment, if any: what it really is is
    returned). The refusals are raised together, each on its field."""
    if record is not None:
        _require_owner_in_scope(actor, record.hospital, record.org_unit)
    _require_owner_in_scope(actor, hospital, org_unit)
    refusals = Refusals()
    owner_field = "hospital" if hospital is not None else "org_unit"
    if (hospital is None) == (org_unit is None):
        refusals.add(owner_field, "启动记录属于一家医院或一个单位，二者填且只填一个。", "organiser_mismatch")
    elif not _in_campaign_league(campaign, hospital, org_unit):
        refusals.add(owner_field, f"组织单位不在{campaign.league}范围内。", "organiser_outside_campaign")
    else:
        others = LaunchRecord.objects.filter(campaign=campaign, hospital=hospital, org_unit=org_unit)
        if record is not None:
            others = others.exclude(pk=record.pk)
        if others.exists():
            refusals.add(owner_field, f"{hospital or org_unit}已有本活动的启动记录。", "launch_duplicate")
    _within_campaign(refusals, "launched_on", campaign, launched_on, "启动日期")
    _not_after_today(refusals, launched_on, "launched_on", "启动日期")
    if not meeting.strip():
        refusals.add("meeting", "须填写启动会议。", "meeting_required")
    checked: CheckedFile | None = None
    if attachment is not None:
        with refusals.collect():
            checked = check_upload(attachment, kind=ANY_KIND, field="attachment")
    refusals.raise_if_any()
    return checked


@transaction.atomic
def launch_record_create(
    *,
    actor: AnyUser,
    channel: Channel,
    campaign: Campaign,
    launched_on: dt.date,
    meeting: str,
    hospital: Hospital | None = None,
    org_unit: OrgUnit | None = None,
    minutes: str = "",
    attachment: File | None = None,
) -> LaunchRecord:
    checked = launch_record_check(
        actor=actor,
        campaign=campaign,
        hospital=hospital,
        org_unit=org_unit,
        launched_on=launched_on,
        meeting=meeting,
        attachment=attachment,
    )
    record = LaunchRecord(
        campaign=campaign,
        hospital=hospital,
        org_unit=org_unit,
        launched_on=launched_on,
        meeting=meeting,
        minutes=minutes,
        created_by=_actor(actor),
    )
    if attachment is not None and checked is not None:
        record.attachment.save(checked.storage_name(f"launch/{campaign.pk}"), attachment, save=False)
    record.save()
    record_change(
        record,
        action="create",
        actor=_actor(actor),
        channel=channel,
        changes=diff({}, snapshot(record, LAUNCH_FIELDS)),
    )
    return record


@transaction.atomic
def launch_record_update(
    *,
    actor: AnyUser,
    channel: Channel,
    record: LaunchRecord,
    launched_on: dt.date,
    meeting: str,
    minutes: str = "",
    attachment: File | None = None,
    owner: Mapping[str, Any] | None = None,
) -> LaunchRecord:
    """``owner``: the campaign, hospital or unit the caller was sent, if any; a record keeps its own.
    ``attachment`` replaces the stored minutes or photo (None keeps it); the old file goes once the
    change is committed."""
    refuse_owner_change(record, owner or {}, what="启动记录")
    checked = launch_record_check(
        actor=actor,
        campaign=record.campaign,
        hospital=record.hospital,
        org_unit=record.org_unit,
        launched_on=launched_on,
        meeting=meeting,
        record=record,
        attachment=attachment,
    )
    old = snapshot(record, LAUNCH_FIELDS)
    record.launched_on, record.meeting, record.minutes = launched_on, meeting, minutes
    update_fields = ["launched_on", "meeting", "minutes"]
    if checked is not None and attachment is not None:
        if record.attachment:
            _delete_files_on_commit([record.attachment])
        record.attachment.save(checked.storage_name(f"launch/{record.campaign_id}"), attachment, save=False)
        update_fields.append("attachment")
    record.save(update_fields=update_fields)
    changes = diff(old, snapshot(record, LAUNCH_FIELDS))
    if changes:
        record_change(record, action="update", actor=_actor(actor), channel=channel, changes=changes)
    return record


@transaction.atomic
def launch_record_delete(*, actor: AnyUser, channel: Channel, record: LaunchRecord, reason: str = "") -> None:
    _require_owner_in_scope(actor, record.hospital, record.org_unit)
    record_change(
        record,
        action="delete",
        actor=_actor(actor),
        channel=channel,
        changes=diff(snapshot(record, LAUNCH_FIELDS), {}),
        reason=reason,
    )
    files = [record.attachment]
    record.delete()
    _delete_files_on_commit(files)


def lecture_plan_check(
    *,
    actor: AnyUser,
    campaign: Campaign,
    hospital: Hospital,
    fixed_on: dt.date,
    plan: LecturePlan | None = None,
) -> None:
    if plan is not None:
        require_hospital_in_scope(actor, plan.hospital)
    require_hospital_in_scope(actor, hospital)
    refusals = Refusals()
    if not _in_campaign_league(campaign, hospital, None):
        refusals.add("hospital", f"{hospital}不在{campaign.league}范围内。", "organiser_outside_campaign")
    else:
        others = LecturePlan.objects.filter(campaign=campaign, hospital=hospital)
        if plan is not None:
            others = others.exclude(pk=plan.pk)
        if others.exists():
            refusals.add("hospital", f"{hospital}已有本活动的宣讲计划，请修改原计划。", "plan_duplicate")
    _within_campaign(refusals, "fixed_on", campaign, fixed_on, "定稿日期")
    refusals.raise_if_any()


@transaction.atomic
def lecture_plan_create(
    *,
    actor: AnyUser,
    channel: Channel,
    campaign: Campaign,
    hospital: Hospital,
    fixed_on: dt.date,
    note: str = "",
) -> LecturePlan:
    lecture_plan_check(actor=actor, campaign=campaign, hospital=hospital, fixed_on=fixed_on)
    plan = LecturePlan.objects.create(
        campaign=campaign, hospital=hospital, fixed_on=fixed_on, note=note, created_by=_actor(actor)
    )
    record_change(
        plan,
        action="create",
        actor=_actor(actor),
        channel=channel,
        changes=diff({}, snapshot(plan, ["hospital", "fixed_on", "note"])),
    )
    return plan


@transaction.atomic
def lecture_plan_update(
    *,
    actor: AnyUser,
    channel: Channel,
    plan: LecturePlan,
    fixed_on: dt.date,
    note: str = "",
    owner: Mapping[str, Any] | None = None,
) -> LecturePlan:
    refuse_owner_change(plan, owner or {}, what="宣讲计划")
    lecture_plan_check(
        actor=actor, campaign=plan.campaign, hospital=plan.hospital, fixed_on=fixed_on, plan=plan
    )
    old = snapshot(plan, ["fixed_on", "note"])
    plan.fixed_on, plan.note = fixed_on, note
    plan.save(update_fields=["fixed_on", "note", "updated_at"])
    changes = diff(old, snapshot(plan, ["fixed_on", "note"]))
    if changes:
        record_change(plan, action="update", actor=_actor(actor), channel=channel, changes=changes)
    return plan


@transaction.atomic
def lecture_plan_item_set(
    *,
    actor: AnyUser,
    channel: Channel,
    plan: LecturePlan,
    document: KeyDocument,
    title: str,
    courseware: File | None = None,
) -> LecturePlanItem:
    """Set the planned title (and courseware) for one key document; one item per document."""
    require_hospital_in_scope(actor, plan.hospital)
    refusals = Refusals()
    if document.campaign_id != plan.campaign_id:
        refusals.add("document", "重点文件不属于本活动。", "coverage_not_in_campaign")
    if not title.strip():
        refusals.add("title", "宣讲题目不能为空。", "title_required")
    checked: CheckedFile | None = None
    if courseware is not None:
        with refusals.collect("courseware"):
            checked = check_upload(courseware, kind=ANY_KIND, field="courseware")
    refusals.raise_if_any()
    item = LecturePlanItem.objects.filter(plan=plan, document=document).first()
    old = snapshot(item, ["title", "courseware"]) if item is not None else {}
    if item is None:
        item = LecturePlanItem(plan=plan, document=document)
    item.title = title
    if checked is not None and courseware is not None:
        if item.courseware:
            _delete_files_on_commit([item.courseware])
        item.courseware.save(
            checked.storage_name(f"plans/{plan.campaign_id}/{plan.pk}"), courseware, save=False
        )
    if item.ready_at is None and item.title and item.courseware:
        item.ready_at = clock.now()  # the 06-30 milestone asks when the plan was complete
    item.save()
    changes = diff(old, snapshot(item, ["title", "courseware"]))
    if changes:
        record_change(
            plan,
            action="update",
            actor=_actor(actor),
            channel=channel,
            changes={f"{document.code}.{k}": v for k, v in changes.items()},
        )
    return item


# ---------------------------------------------------------------------------------------------------
# Action items (见行动)
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoadmapStepData:
    """A dated step of a new item's roadmap (路线图)."""

    title: str
    due_on: dt.date
    done_on: dt.date | None = None


@dataclass(frozen=True)
class ActionItemData:
    """``roadmap``: the steps a new item is created with (§四(二) asks every item for 具体责任人、时间表和
    路线图, so at least one); an update leaves the roadmap to the roadmap_milestone_* functions."""

    hospital: Hospital
    task: ActionTask
    title: str
    responsible: Person
    starts_on: dt.date
    due_on: dt.date
    part: str = ""
    description: str = ""
    roadmap: tuple[RoadmapStepData, ...] = ()

    @classmethod
    def from_item(cls, item: ActionItem) -> ActionItemData:
        return cls(
            hospital=item.hospital,
            task=item.task,
            title=item.title,
            responsible=item.responsible,
            starts_on=item.starts_on,
            due_on=item.due_on,
            part=item.part,
            description=item.description,
        )

    def replace(self, **changes: Any) -> ActionItemData:
        return dataclasses.replace(self, **changes)


ACTION_ITEM_FIELDS = (
    "hospital",
    "task",
    "part",
    "title",
    "description",
    "responsible",
    "starts_on",
    "due_on",
)


def action_item_check(*, actor: AnyUser, data: ActionItemData, item: ActionItem | None = None) -> None:
    if item is not None:
        require_hospital_in_scope(actor, item.hospital)
    require_hospital_in_scope(actor, data.hospital)
    task, hospital = data.task, data.hospital
    refusals = Refusals()
    if not _in_campaign_league(task.campaign, hospital, None):
        refusals.add(
            "hospital", f"{hospital}不在{task.campaign.league}范围内。", "organiser_outside_campaign"
        )
    elif not task.applies_to_hospital(hospital):
        refusals.add(
            "task",
            f"任务{task.code}仅适用于{Applicability(task.applies_to).label}，不适用于{hospital}。",
            "task_not_applicable",
        )
    if data.part:
        parts = {p["name"]: p.get("applies_to", Applicability.ALL) for p in task.parts}
        if data.part not in parts:
            refusals.add("part", f"任务{task.code}没有子任务“{data.part}”。", "part_unknown")
        elif data.part not in task.parts_for(hospital):
            refusals.add(
                "part",
                f"子任务“{data.part}”仅适用于{Applicability(parts[data.part]).label}，"
                f"{hospital}为{hospital.get_level_display()}医院。",
                "part_not_applicable",
            )
    if not data.title.strip():
        refusals.add("title", "行动项名称不能为空。", "title_required")
    if data.responsible.hospital_id != hospital.pk:
        refusals.add(
            "responsible",
            f"责任人须为{hospital}的人员，{data.responsible}不是。",
            "responsible_outside_hospital",
        )
    if data.due_on < data.starts_on:
        refusals.add("due_on", "完成时限不能早于开始日期。", "dates_out_of_order")
    elif item is not None:
        outside = item.roadmap.exclude(due_on__gte=data.starts_on, due_on__lte=data.due_on)
        if outside.exists():
            refusals.add(
                "starts_on" if outside.filter(due_on__lt=data.starts_on).exists() else "due_on",
                "已有路线图节点不在新的开始日期与完成时限之间，请先调整节点。",
                "roadmap_outside_item_dates",
            )
    if item is None:  # a new item comes with its roadmap; an update leaves the steps as they are
        if not data.roadmap:
            refusals.add(
                "roadmap",
                "行动项须有路线图（通知四(二)：具体责任人、时间表和路线图），请至少填写一个路线图节点。",
                "roadmap_required",
            )
        # The steps are checked against the item's dates: not when those are out of order themselves.
        for step in data.roadmap if not refusals.has("due_on") else ():
            _check_roadmap_step(
                refusals,
                starts_on=data.starts_on,
                due_on=data.due_on,
                title=step.title,
                step_due=step.due_on,
                done_on=step.done_on,
                on_field="roadmap",
            )
    refusals.raise_if_any()


@transaction.atomic
def action_item_create(*, actor: AnyUser, channel: Channel, data: ActionItemData) -> ActionItem:
    """Create the item with its roadmap (at least one step), in one transaction."""
    action_item_check(actor=actor, data=data)
    item = ActionItem.objects.create(
        campaign=data.task.campaign,
        **{name: getattr(data, name) for name in ACTION_ITEM_FIELDS},
        created_by=_actor(actor),
    )
    steps = RoadmapMilestone.objects.bulk_create(
        [
            RoadmapMilestone(action_item=item, title=step.title, due_on=step.due_on, done_on=step.done_on)
            for step in sorted(data.roadmap, key=lambda step: step.due_on)
        ]
    )
    changes = diff({}, snapshot(item, ACTION_ITEM_FIELDS))
    changes["roadmap"] = [None, [f"{step.due_on:%Y-%m-%d} {step.title}" for step in steps]]
    record_change(item, action="create", actor=_actor(actor), channel=channel, changes=changes)
    return item


@transaction.atomic
def action_item_update(
    *, actor: AnyUser, channel: Channel, item: ActionItem, data: ActionItemData, reason: str = ""
) -> ActionItem:
    refuse_owner_change(item, {"campaign": data.task.campaign, "hospital": data.hospital}, what="行动项")
    action_item_check(actor=actor, data=data, item=item)
    old = snapshot(item, ACTION_ITEM_FIELDS)
    changed = [name for name in ACTION_ITEM_FIELDS if getattr(item, name) != getattr(data, name)]
    for name in changed:
        setattr(item, name, getattr(data, name))
    if changed:
        item.save(update_fields=[*changed, "updated_at"])
        record_change(
            item,
            action="update",
            actor=_actor(actor),
            channel=channel,
            changes=diff(old, snapshot(item, ACTION_ITEM_FIELDS)),
            reason=reason,
        )
    return item


@transaction.atomic
def action_item_delete(*, actor: AnyUser, channel: Channel, item: ActionItem, reason: str = "") -> None:
    """Delete an item with its roadmap and progress; refused while any month it has progress in is
    frozen (in review, approved or locked): that progress is part of the month's report."""
    require_hospital_in_scope(actor, item.hospital)
    for month in item.progress.order_by("month").values_list("month", flat=True):
        require_month_editable(item.hospital, month, actor=actor, reason=reason)
    files = [e.file for e in ProgressEvidence.objects.filter(entry__action_item=item)]
    record_change(
        item,
        action="delete",
        actor=_actor(actor),
        channel=channel,
        changes=diff(snapshot(item, ACTION_ITEM_FIELDS), {}),
        reason=reason,
    )
    item.delete()
    _delete_files_on_commit(files)


ROADMAP_FIELDS = ("title", "due_on", "done_on")


def _owned_by_item(values: dict[str, Any], item: ActionItem) -> dict[str, Any]:
    """A step's or entry's values with its item's id: the creation and deletion rows say whose they
    were, so the item's history still finds a deleted one (``campaign.selectors.action_item_history``)."""
    return {**values, "action_item": item.pk}


def _check_roadmap_step(
    refusals: Refusals,
    *,
    starts_on: dt.date,
    due_on: dt.date,
    title: str,
    step_due: dt.date,
    done_on: dt.date | None,
    on_field: str | None = None,
) -> None:
    """A step's rules, each refused on its own field (``title``, ``due_on``, ``done_on``), or all on
    ``on_field`` when the step is one line of its item's ``roadmap``."""
    if not title.strip():
        refusals.add(on_field or "title", "路线图节点名称不能为空。", "title_required")
    if not starts_on <= step_due <= due_on:
        refusals.add(
            on_field or "due_on",
            f"路线图节点日期须在行动项的开始日期（{starts_on}）与完成时限（{due_on}）之间。",
            "roadmap_outside_item_dates",
        )
    if done_on is not None and done_on > clock.today():
        refusals.add(on_field or "done_on", "完成日期不能晚于今天。", "done_in_future")


def roadmap_milestone_check(
    *, actor: AnyUser, action_item: ActionItem, title: str, due_on: dt.date, done_on: dt.date | None
) -> None:
    require_hospital_in_scope(actor, action_item.hospital)
    refusals = Refusals()
    _check_roadmap_step(
        refusals,
        starts_on=action_item.starts_on,
        due_on=action_item.due_on,
        title=title,
        step_due=due_on,
        done_on=done_on,
    )
    refusals.raise_if_any()


@transaction.atomic
def roadmap_milestone_create(
    *,
    actor: AnyUser,
    channel: Channel,
    action_item: ActionItem,
    title: str,
    due_on: dt.date,
    done_on: dt.date | None = None,
) -> RoadmapMilestone:
    roadmap_milestone_check(actor=actor, action_item=action_item, title=title, due_on=due_on, done_on=done_on)
    step = RoadmapMilestone.objects.create(
        action_item=action_item, title=title, due_on=due_on, done_on=done_on
    )
    record_change(
        step,
        action="create",
        actor=_actor(actor),
        channel=channel,
        changes=diff({}, _owned_by_item(snapshot(step, ROADMAP_FIELDS), action_item)),
    )
    return step


@transaction.atomic
def roadmap_milestone_update(
    *,
    actor: AnyUser,
    channel: Channel,
    step: RoadmapMilestone,
    title: str,
    due_on: dt.date,
    done_on: dt.date | None = None,
    owner: Mapping[str, Any] | None = None,
) -> RoadmapMilestone:
    refuse_owner_change(step, owner or {}, what="路线图节点")
    roadmap_milestone_check(
        actor=actor, action_item=step.action_item, title=title, due_on=due_on, done_on=done_on
    )
    old = snapshot(step, ROADMAP_FIELDS)
    step.title, step.due_on, step.done_on = title, due_on, done_on
    step.save(update_fields=list(ROADMAP_FIELDS))
    changes = diff(old, snapshot(step, ROADMAP_FIELDS))
    if changes:
        record_change(step, action="update", actor=_actor(actor), channel=channel, changes=changes)
    return step


@transaction.atomic
def roadmap_milestone_delete(
    *, actor: AnyUser, channel: Channel, step: RoadmapMilestone, reason: str = ""
) -> None:
    """An item keeps at least one step (§四(二)); an item entered before that rule may have none."""
    require_hospital_in_scope(actor, step.action_item.hospital)
    if not RoadmapMilestone.objects.filter(action_item_id=step.action_item_id).exclude(pk=step.pk).exists():
        raise ValidationError(
            "路线图至少保留一个节点（通知四(二)：具体责任人、时间表和路线图），请先添加新节点再删除。",
            code="roadmap_required",
        )
    record_change(
        step,
        action="delete",
        actor=_actor(actor),
        channel=channel,
        changes=diff(_owned_by_item(snapshot(step, ROADMAP_FIELDS), step.action_item), {}),
        reason=reason,
    )
    step.delete()


def _this_month() -> dt.date:
    return clock.today().replace(day=1)


def progress_check(
    *,
    actor: AnyUser,
    action_item: ActionItem,
    month: dt.date,
    status: str,
    reason: str = "",
    evidence: Sequence[File] = (),
) -> list[CheckedFile]:
    """Scope, then every rule of a month's progress and its evidence files, said together; return
    what each file really is."""
    require_hospital_in_scope(actor, action_item.hospital)
    refusals = Refusals()
    if status not in ProgressStatus.values:
        if status == "overdue":
            refusals.add("status", "“已逾期”由系统按完成时限计算，不能填写。", "status_not_typed")
        else:
            refusals.add("status", f"未知的进展状态“{status}”。", "status_unknown")
    if month.day != 1:
        refusals.add("month", "月份须为当月1日。", "month_not_first_day")
    elif month > _this_month():
        refusals.add("month", f"{month:%Y年%m月}尚未开始，不能填写进展。", "month_in_future")
    elif month < action_item.starts_on.replace(day=1):
        refusals.add("month", f"{month:%Y年%m月}早于行动项开始日期，不能填写进展。", "month_before_start")
    if not refusals.has("month"):  # the lock of a month that cannot be filled says nothing more
        with refusals.collect():
            require_month_editable(action_item.hospital, month, actor=actor, reason=reason)
    checked: list[CheckedFile] = []
    for file in evidence:  # all files checked before any write
        with refusals.collect():
            checked.append(check_upload(file, kind=ANY_KIND, field="evidence"))
    refusals.raise_if_any()
    return checked


def _sync_current_status(item: ActionItem) -> None:
    latest = item.progress.order_by("-month").values_list("status", flat=True).first()
    status = latest or ProgressStatus.NOT_STARTED
    if item.current_status != status:
        item.current_status = status
        item.save(update_fields=["current_status", "updated_at"])


@transaction.atomic
def progress_record(
    *,
    actor: AnyUser,
    channel: Channel,
    action_item: ActionItem,
    month: dt.date,
    status: str,
    note: str = "",
    evidence: Sequence[File] = (),
    reason: str = "",
) -> ProgressEntry:
    """Record (or correct) the month's progress of an item, with evidence files; one entry a month."""
    checked = progress_check(
        actor=actor, action_item=action_item, month=month, status=status, reason=reason, evidence=evidence
    )
    entry = ProgressEntry.objects.filter(action_item=action_item, month=month).first()
    old = snapshot(entry, ["month", "status", "note"]) if entry is not None else {}
    if entry is None:
        entry = ProgressEntry(action_item=action_item, month=month)
    entry.status, entry.note, entry.recorded_by = status, note, _actor(actor)
    entry.save()
    for file, info in zip(evidence, checked, strict=True):
        _add_evidence(actor, entry, file, info)
    new = snapshot(entry, ["month", "status", "note"])
    changes = diff(old, new if old else _owned_by_item(new, action_item))
    if checked:
        changes["evidence"] = [None, [c.original_name for c in checked]]
    if changes:
        record_change(
            entry,
            action="update" if old else "create",
            actor=_actor(actor),
            channel=channel,
            changes=changes,
            reason=reason,
        )
    _sync_current_status(action_item)
    return entry


def _add_evidence(actor: AnyUser, entry: ProgressEntry, file: File, info: Any) -> ProgressEvidence:
    evidence = ProgressEvidence(
        entry=entry,
        original_name=info.original_name,
        content_type=info.content_type,
        size=info.size,
        uploaded_by=_actor(actor),
    )
    evidence.file.save(info.storage_name(f"evidence/{entry.action_item_id}"), file, save=False)
    evidence.save()
    return evidence


@transaction.atomic
def progress_update(
    *,
    actor: AnyUser,
    channel: Channel,
    entry: ProgressEntry,
    status: str,
    note: str = "",
    evidence: Sequence[File] = (),
    owner: Mapping[str, Any] | None = None,
    reason: str = "",
) -> ProgressEntry:
    """Correct a month's progress; it stays with its item and month (``owner`` as the caller got it)."""
    refuse_owner_change(entry, owner or {}, what="进展")
    return progress_record(
        actor=actor,
        channel=channel,
        action_item=entry.action_item,
        month=entry.month,
        status=status,
        note=note,
        evidence=evidence,
        reason=reason,
    )


@transaction.atomic
def progress_delete(*, actor: AnyUser, channel: Channel, entry: ProgressEntry, reason: str = "") -> None:
    item = entry.action_item
    require_hospital_in_scope(actor, item.hospital)
    require_month_editable(item.hospital, entry.month, actor=actor, reason=reason)
    files = [e.file for e in entry.evidence.all()]
    record_change(
        entry,
        action="delete",
        actor=_actor(actor),
        channel=channel,
        changes=diff(_owned_by_item(snapshot(entry, ["month", "status", "note"]), item), {}),
        reason=reason,
    )
    entry.delete()
    _delete_files_on_commit(files)
    _sync_current_status(item)


def lectures_keep_speaker_posts(post: Post, start_on: dt.date | None, end_on: dt.date | None) -> None:
    """A post change (``hospitals.people.POST_CHANGE_CHECKS``) may not leave a lecture already recorded
    in that post outside every post its speaker holds: ending a president on 07-10 while their 院外互讲
    of 07-15 stands would make the ledger say something the rules refuse. ``start_on`` None: deleted."""
    lectures = LectureSession.objects.filter(speaker=post.person, speaker_role=post.role)
    lectures = (
        lectures.filter(hospital=post.hospital)
        if post.hospital_id
        else lectures.filter(org_unit=post.org_unit)
    )
    old = Q(held_on__gte=post.start_on) & (Q() if post.end_on is None else Q(held_on__lte=post.end_on))
    lectures = lectures.filter(old)
    if start_on is not None:
        kept = Q(held_on__gte=start_on) & (Q() if end_on is None else Q(held_on__lte=end_on))
        lectures = lectures.exclude(kept)
    others = Post.objects.filter(
        person=post.person, role=post.role, hospital=post.hospital, org_unit=post.org_unit
    ).exclude(pk=post.pk)
    stranded = [
        lecture
        for lecture in lectures.order_by("held_on", "id")
        if not any(other.held_on(lecture.held_on) for other in others)
    ]
    if stranded:
        dates = "、".join(f"{x.held_on:%Y-%m-%d}《{x.title}》" for x in stranded[:5])
        more = f"等{len(stranded)}场" if len(stranded) > 5 else ""
        raise ValidationError(
            f"{post.person}以{post.get_role_display()}身份的宣讲{dates}{more}将不在其任职期间内；"
            f"请先核对这些宣讲记录，或调整日期。",
            code="post_strands_lectures",
        )
