"""Milestone compliance (SPEC §3 table, issue 3 point 4), computed from the records, never typed in.

For each hospital and each checked milestone the answer is one of: met (with the records that meet
it), not met (the due date has passed without them), not yet due. A record counts when it is dated on
or before the due date ("6月25日前" is read as: up to and including the 25th) and on or before the
day the question is asked (``on``), so the same function answers "where did we stand on 07-31?".

``milestone_compliance`` answers for many hospitals in a fixed number of queries (one per kind of
record, not one per hospital), so the bulletin, the Excel exports and the dashboard can call it for a
whole league.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Exists, ExpressionWrapper, F, IntegerField, OuterRef, Q, QuerySet, Window
from django.db.models.functions import Ceil, RowNumber
from django.utils import timezone

from campaign.models import (
    Campaign,
    KeyDocument,
    LaunchRecord,
    LectureKind,
    LecturePlan,
    LectureSession,
    Milestone,
    SpeakerRole,
    TourLecturer,
)
from campaign.services import hospital_wide_min_share
from hospitals.models import Hospital, OrgUnit, Post


class ComplianceState(models.TextChoices):
    MET = "met", "已完成"
    NOT_MET = "not_met", "未完成"
    NOT_DUE = "not_due", "未到期"


# The milestone rules that records can answer; monthly reports and the evaluation are issue 5's.
CHECKED_RULES = (
    Milestone.Rule.LAUNCH,
    Milestone.Rule.LECTURE_PLAN,
    Milestone.Rule.CENTRALISED_LECTURE,
    Milestone.Rule.LEADERS_IN_HOSPITAL,
    Milestone.Rule.EXTERNAL_LECTURE,
    Milestone.Rule.REGION_TOUR,
)
# 院外互讲 and 医联体内串讲: where the 08-31 milestone asks both leaders to lecture.
EXTERNAL_VENUES = (LectureKind.Venue.HOST_HOSPITAL, LectureKind.Venue.ALLIANCE)


@dataclass(frozen=True)
class RecordRef:
    """A record that meets a milestone: what it is, its id, a label and its date."""

    type: str  # "lecture", "launch_record", "lecture_plan" or "tour_lecturer"
    id: int
    label: str
    on: dt.date


@dataclass(frozen=True)
class MilestoneStatus:
    milestone: Milestone
    state: str
    records: tuple[RecordRef, ...] = ()
    met_on: dt.date | None = None
    detail: str = ""

    @property
    def is_met(self) -> bool:
        return self.state == ComplianceState.MET


def _state(met: bool, due: dt.date, on: dt.date) -> str:
    if met:
        return ComplianceState.MET
    return ComplianceState.NOT_DUE if on <= due else ComplianceState.NOT_MET


def _lecture_ref(lecture: LectureSession) -> RecordRef:
    return RecordRef(
        type="lecture",
        id=lecture.pk,
        label=f"{lecture.kind.name}：{lecture.title}（{lecture.speaker}，{lecture.get_speaker_role_display()}）",
        on=lecture.held_on,
    )


def _held(role: str) -> Exists:
    """Whether the speaker held ``role`` at the organising hospital on the lecture's date."""
    return Exists(
        Post.objects.filter(
            person=OuterRef("speaker_id"),
            hospital=OuterRef("hospital_id"),
            role=role,
            start_on__lte=OuterRef("held_on"),
        ).filter(Q(end_on__isnull=True) | Q(end_on__gte=OuterRef("held_on")))
    )


def _entered_before(cutoff: dt.date) -> dt.datetime:
    """The moment a record must have been entered before to count on ``cutoff``: the start of the next
    day in the project's zone (Asia/Shanghai). A milestone does not trust the typed date alone: a record
    entered after its due date is late whatever date it carries, and a record entered after the day
    asked about did not exist yet on that day."""
    return timezone.make_aware(dt.datetime.combine(cutoff + dt.timedelta(days=1), dt.time.min))


def _lectures(
    campaign: Campaign,
    cutoff: dt.date,
    first_per: tuple[str, ...],
    *,
    posts: bool = False,
    where: Q | None = None,
    **filters: object,
) -> QuerySet[LectureSession]:
    """The campaign's lectures up to ``cutoff``, only the earliest of each ``first_per`` group (by date,
    then id): a check only ever looks at the first lecture of a hospital, a banner or a speaker, so the
    database leaves out the rest (a region has tens of thousands of lectures, the checks need hundreds).
    A window function rather than DISTINCT ON, so that SQLite runs it too.

    ``posts`` annotates ``as_secretary`` / ``as_president`` (the posts the speaker held that day) and
    keeps the first lecture of each combination, so a 书记 who later also becomes 院长 has the first
    lecture given as both kept too."""
    order = ("held_on", "id")
    queryset = LectureSession.objects.filter(
        campaign=campaign, held_on__lte=cutoff, created_at__lt=_entered_before(cutoff), **filters
    )
    if where is not None:
        queryset = queryset.filter(where)
    partition = [F(f) for f in first_per]
    if posts:
        queryset = queryset.annotate(
            as_secretary=_held(Post.Role.SECRETARY), as_president=_held(Post.Role.PRESIDENT)
        )
        partition += [F("as_secretary"), F("as_president")]
    return (
        queryset.annotate(place=Window(RowNumber(), partition_by=partition, order_by=order))
        .filter(place=1)
        .select_related("kind", "speaker")
        .order_by(*order)
    )


def _plausible_attendance(campaign: Campaign) -> Q:
    """A hospital-wide lecture counts only with the attendance ``lecture_check`` asks of it now: expected
    at least the campaign's share of the staff count (rows entered before the rule may have less), and
    present plus on duty no more than expected."""
    share = hospital_wide_min_share(campaign)
    minimum = ExpressionWrapper(Ceil(F("hospital__staff_count") * share), output_field=IntegerField())
    return (Q(hospital__staff_count=0) | Q(attendance_expected__gte=minimum)) & Q(
        attendance_expected__gte=F("attendance_present") + F("on_duty_exempt")
    )


def _roles(lecture: LectureSession) -> set[str]:
    """The leader posts in which a lecture counts: its recorded role, and both for a 书记兼院长."""
    roles = {lecture.speaker_role}
    if getattr(lecture, "as_secretary", False):
        roles.add(SpeakerRole.SECRETARY)
    if getattr(lecture, "as_president", False):
        roles.add(SpeakerRole.PRESIDENT)
    return roles


@dataclass
class _Records:
    """Everything the checks need, fetched once for all hospitals."""

    documents: list[KeyDocument]
    launches: dict[int, LaunchRecord] = field(default_factory=dict)
    plans: dict[int, LecturePlan] = field(default_factory=dict)
    centralised: dict[int, list[LectureSession]] = field(default_factory=lambda: defaultdict(list))
    leaders: dict[int, list[LectureSession]] = field(default_factory=lambda: defaultdict(list))
    external: dict[int, list[LectureSession]] = field(default_factory=lambda: defaultdict(list))
    tour_lecturers: list[TourLecturer] = field(default_factory=list)
    # person id → that lecturer's first online 全区巡讲
    tours: dict[int, LectureSession] = field(default_factory=dict)


def _fetch(
    campaign: Campaign,
    milestones: list[Milestone],
    hospital_ids: list[int],
    banner_ids: set[int],
    on: dt.date,
) -> _Records:
    cutoff = {m.rule: min(m.due_on, on) for m in milestones}
    records = _Records(documents=list(KeyDocument.objects.filter(campaign=campaign).order_by("number")))
    if Milestone.Rule.LAUNCH in cutoff:
        launch_cutoff = cutoff[Milestone.Rule.LAUNCH]
        for launch in LaunchRecord.objects.filter(
            campaign=campaign,
            hospital_id__in=hospital_ids,
            launched_on__lte=launch_cutoff,
            # Entered by the day asked about; one entered after the due date is shown as late.
            created_at__lt=_entered_before(on),
        ):
            records.launches[launch.hospital_id] = launch  # type: ignore[index]
    if Milestone.Rule.LECTURE_PLAN in cutoff:
        plans = LecturePlan.objects.filter(
            campaign=campaign,
            hospital_id__in=hospital_ids,
            fixed_on__lte=cutoff[Milestone.Rule.LECTURE_PLAN],
            # Entered by the day asked about; one completed after the due date is shown as late.
            created_at__lt=_entered_before(on),
        ).prefetch_related("items")
        records.plans = {plan.hospital_id: plan for plan in plans}
    if Milestone.Rule.CENTRALISED_LECTURE in cutoff:
        for lecture in _lectures(
            campaign,
            cutoff[Milestone.Rule.CENTRALISED_LECTURE],
            ("org_unit_id",),
            org_unit_id__in=banner_ids,
            kind__speaker_rule=LectureKind.SpeakerRule.COMMISSION_LEADER,
        ):
            records.centralised[lecture.org_unit_id].append(lecture)  # type: ignore[index]
    if Milestone.Rule.LEADERS_IN_HOSPITAL in cutoff:
        for lecture in _lectures(
            campaign,
            cutoff[Milestone.Rule.LEADERS_IN_HOSPITAL],
            # The first lecture of each leader: enough to find the earliest secretary-president pair.
            ("hospital_id", "speaker_role", "speaker_id"),
            posts=True,
            where=_plausible_attendance(campaign),
            hospital_id__in=hospital_ids,
            kind__speaker_rule=LectureKind.SpeakerRule.HOSPITAL_LEADER,
            speaker_role__in=[SpeakerRole.SECRETARY, SpeakerRole.PRESIDENT],
        ):
            records.leaders[lecture.hospital_id].append(lecture)  # type: ignore[index]
    if Milestone.Rule.EXTERNAL_LECTURE in cutoff:
        for lecture in _lectures(
            campaign,
            cutoff[Milestone.Rule.EXTERNAL_LECTURE],
            # As for 07-31: the first external lecture of each leader.
            ("hospital_id", "speaker_role", "speaker_id"),
            posts=True,
            hospital_id__in=hospital_ids,
            kind__venue__in=EXTERNAL_VENUES,
            speaker_role__in=[SpeakerRole.SECRETARY, SpeakerRole.PRESIDENT],
        ):
            records.external[lecture.hospital_id].append(lecture)  # type: ignore[index]
    if Milestone.Rule.REGION_TOUR in cutoff:
        tour_cutoff = cutoff[Milestone.Rule.REGION_TOUR]
        records.tour_lecturers = list(
            TourLecturer.objects.filter(
                campaign=campaign, selected_on__lte=tour_cutoff, created_at__lt=_entered_before(tour_cutoff)
            )
            .select_related("person")
            .order_by("selected_on", "id")
        )
        for lecture in _lectures(
            campaign,
            tour_cutoff,
            ("speaker_id",),
            kind__venue=LectureKind.Venue.REGION,
            is_online=True,
            speaker__in=[t.person_id for t in records.tour_lecturers],
        ):
            records.tours[lecture.speaker_id] = lecture
    return records


def _launch(m: Milestone, hospital: Hospital, r: _Records, on: dt.date) -> MilestoneStatus:
    return _launch_status(m, r.launches.get(hospital.pk), on)


def _launch_status(m: Milestone, launch: LaunchRecord | None, on: dt.date) -> MilestoneStatus:
    """06-25 for one organisation (a hospital, a banner, the league) from its launch record, if any,
    fetched up to ``on``: met only when dated and entered by the due date."""
    if launch is None:
        return MilestoneStatus(m, _state(False, m.due_on, on), detail="尚无启动记录")
    if launch.created_at >= _entered_before(m.due_on):
        entered = timezone.localdate(launch.created_at)
        detail = f"启动记录{entered:%Y-%m-%d}才录入，晚于{m.due_on:%m-%d}的期限"
        return MilestoneStatus(m, ComplianceState.NOT_MET, detail=detail)
    ref = RecordRef("launch_record", launch.pk, f"启动：{launch.meeting}", launch.launched_on)
    return MilestoneStatus(m, ComplianceState.MET, (ref,), launch.launched_on)


def _plan(m: Milestone, hospital: Hospital, r: _Records, on: dt.date) -> MilestoneStatus:
    plan = r.plans.get(hospital.pk)
    if plan is None:
        return MilestoneStatus(m, _state(False, m.due_on, on), detail="尚无宣讲计划")
    asked = _entered_before(on)
    ready = {
        item.document_id: item.ready_at
        for item in plan.items.all()
        if item.title and item.courseware and item.ready_at is not None and item.ready_at < asked
    }
    missing = [d for d in r.documents if d.pk not in ready]
    if missing:
        names = "、".join(f"文件{d.number}" for d in missing)
        return MilestoneStatus(m, _state(False, m.due_on, on), detail=f"{names}尚未确定题目或上传课件")
    complete = max([plan.created_at, *(ready[d.pk] for d in r.documents)])
    if complete >= _entered_before(m.due_on):
        entered = timezone.localdate(complete)
        detail = f"宣讲计划{entered:%Y-%m-%d}才录入齐备，晚于{m.due_on:%m-%d}的期限"
        return MilestoneStatus(m, ComplianceState.NOT_MET, detail=detail)
    ref = RecordRef("lecture_plan", plan.pk, f"宣讲计划（{len(ready)}个题目及课件）", plan.fixed_on)
    return MilestoneStatus(m, ComplianceState.MET, (ref,), plan.fixed_on)


def _centralised(m: Milestone, hospital: Hospital, r: _Records, on: dt.date) -> MilestoneStatus:
    lectures = r.centralised.get(hospital.banner_id, [])
    if not lectures:
        return MilestoneStatus(m, _state(False, m.due_on, on), detail="所在旗(区)尚未集中宣讲")
    first = lectures[0]
    return MilestoneStatus(m, ComplianceState.MET, (_lecture_ref(first),), first.held_on)


def _leader_pair(m: Milestone, lectures: list[LectureSession], on: dt.date, not_yet: str) -> MilestoneStatus:
    """Secretary AND president each at least one of ``lectures``: two separate people, or one person who
    held both posts (书记兼院长) on the date of their lecture, who meets the rule alone."""
    roles = {x.pk: _roles(x) for x in lectures}
    secretary = [x for x in lectures if SpeakerRole.SECRETARY in roles[x.pk]]
    president = [x for x in lectures if SpeakerRole.PRESIDENT in roles[x.pk]]
    options: list[tuple[LectureSession, ...]] = [
        (s, p) if s.pk != p.pk else (s,)
        for s in secretary
        for p in president
        if s.speaker_id != p.speaker_id or s.pk == p.pk
    ]
    if not options:
        missing = [label for label, found in (("书记", secretary), ("院长", president)) if not found]
        detail = f"{'、'.join(missing)}{not_yet}" if missing else "书记和院长须为两人分别宣讲"
        return MilestoneStatus(m, _state(False, m.due_on, on), detail=detail)
    best = min(options, key=lambda pair: max(x.held_on for x in pair))
    met_on = max(x.held_on for x in best)
    return MilestoneStatus(m, ComplianceState.MET, tuple(_lecture_ref(x) for x in best), met_on)


def _leaders(m: Milestone, hospital: Hospital, r: _Records, on: dt.date) -> MilestoneStatus:
    """07-31: secretary AND president each at least one 院内宣讲 (§三(二))."""
    return _leader_pair(m, r.leaders.get(hospital.pk, []), on, "尚未在全院宣讲")


def _external(m: Milestone, hospital: Hospital, r: _Records, on: dt.date) -> MilestoneStatus:
    """08-31: secretary AND president each at least one 院外互讲 / 医联体内串讲 (§二(一)1.2: "院内宣讲、
    区域互讲、医联体内串讲时，医院书记和院长都要进行集中宣讲"). The 全区巡讲 is not one of them: it is
    given by the selected lecturers only."""
    return _leader_pair(m, r.external.get(hospital.pk, []), on, "尚未院外互讲或医联体内串讲")


def _region_tour(m: Milestone, hospital: Hospital, r: _Records, on: dt.date) -> MilestoneStatus:
    """§三(二) "8月底前…择优选拔出全区宣讲讲师，完成全区巡讲": the league selects its lecturers by the due
    date, and each selected lecturer gives an online 全区巡讲 by then. A hospital answers for its own
    lecturers; one with none selected meets it once the league has selected its lecturers."""
    if not r.tour_lecturers:
        return MilestoneStatus(m, _state(False, m.due_on, on), detail="尚未选拔全区巡讲讲师")
    own = [t for t in r.tour_lecturers if t.person.hospital_id == hospital.pk]
    if not own:
        first = r.tour_lecturers[0]
        ref = RecordRef(
            "tour_lecturer", first.pk, f"全盟已选拔{len(r.tour_lecturers)}名巡讲讲师", first.selected_on
        )
        return MilestoneStatus(m, ComplianceState.MET, (ref,), first.selected_on, detail="本院无入选讲师")
    missing = [t for t in own if t.person_id not in r.tours]
    if missing:
        names = "、".join(str(t.person) for t in missing)
        return MilestoneStatus(m, _state(False, m.due_on, on), detail=f"巡讲讲师{names}尚未完成全区巡讲")
    lectures = sorted((r.tours[t.person_id] for t in own), key=lambda x: (x.held_on, x.pk))
    return MilestoneStatus(
        m, ComplianceState.MET, tuple(_lecture_ref(x) for x in lectures), max(x.held_on for x in lectures)
    )


CHECKS = {
    Milestone.Rule.LAUNCH: _launch,
    Milestone.Rule.LECTURE_PLAN: _plan,
    Milestone.Rule.CENTRALISED_LECTURE: _centralised,
    Milestone.Rule.LEADERS_IN_HOSPITAL: _leaders,
    Milestone.Rule.EXTERNAL_LECTURE: _external,
    Milestone.Rule.REGION_TOUR: _region_tour,
}


def checked_milestones(campaign: Campaign) -> list[Milestone]:
    return list(campaign.milestones.filter(rule__in=CHECKED_RULES).order_by("due_on", "code"))


def milestone_compliance(
    *, campaign: Campaign, hospitals: QuerySet[Hospital] | Iterable[Hospital], on: dt.date
) -> dict[int, list[MilestoneStatus]]:
    """{hospital id: [status per checked milestone, by due date]} as of ``on``, in a fixed number of
    queries whatever the number of hospitals. The caller scopes ``hospitals``."""
    hospital_list = list(hospitals)
    milestones = checked_milestones(campaign)
    records = _fetch(
        campaign, milestones, [h.pk for h in hospital_list], {h.banner_id for h in hospital_list}, on
    )
    return {
        hospital.pk: [CHECKS[m.rule](m, hospital, records, on) for m in milestones]  # type: ignore[index]
        for hospital in hospital_list
    }


def launch_milestone(campaign: Campaign) -> Milestone | None:
    return campaign.milestones.filter(rule=Milestone.Rule.LAUNCH).order_by("due_on", "code").first()


def unit_launch_compliance(
    *, campaign: Campaign, units: QuerySet[OrgUnit] | Iterable[OrgUnit], on: dt.date
) -> dict[int, MilestoneStatus]:
    """06-25 for the league and the banners themselves (§三(一) "全盟、各旗(区)、各医院…启动"): {unit id:
    status} from each unit's own launch record, judged like a hospital's (dated and entered by the due
    date). Two queries whatever the number of units; empty when the campaign has no launch milestone."""
    milestone = launch_milestone(campaign)
    unit_list = list(units)
    if milestone is None or not unit_list:
        return {}
    cutoff = min(milestone.due_on, on)
    launches = {
        launch.org_unit_id: launch
        for launch in LaunchRecord.objects.filter(
            campaign=campaign,
            org_unit_id__in=[u.pk for u in unit_list],
            launched_on__lte=cutoff,
            created_at__lt=_entered_before(on),
        )
    }
    return {unit.pk: _launch_status(milestone, launches.get(unit.pk), on) for unit in unit_list}


@dataclass(frozen=True)
class BannerMilestoneSummary:
    milestone: Milestone
    hospitals: int
    met: int
    not_met: int
    not_due: int
    # The banner's own record where the milestone asks one of the banner: its centralised lecture, its
    # own launch (06-25 "全盟、各旗(区)、各医院").
    banner_status: MilestoneStatus | None = None


def banner_compliance(
    *, campaign: Campaign, banners: QuerySet[OrgUnit] | Iterable[OrgUnit], on: dt.date
) -> dict[int, list[BannerMilestoneSummary]]:
    """Per banner: how many of its hospitals meet each milestone, as of ``on``; fixed query count."""
    banner_list = list(banners)
    hospitals = list(Hospital.objects.filter(banner__in=[b.pk for b in banner_list]).order_by("code"))
    per_hospital = milestone_compliance(campaign=campaign, hospitals=hospitals, on=on)
    launched = unit_launch_compliance(campaign=campaign, units=banner_list, on=on)
    milestones = checked_milestones(campaign)
    out: dict[int, list[BannerMilestoneSummary]] = {}
    for banner in banner_list:
        rows = [per_hospital[h.pk] for h in hospitals if h.banner_id == banner.pk]
        summaries = []
        for index, milestone in enumerate(milestones):
            states = [row[index].state for row in rows]
            banner_status = None
            if milestone.rule == Milestone.Rule.CENTRALISED_LECTURE:
                banner_status = rows[0][index] if rows else None
            elif milestone.rule == Milestone.Rule.LAUNCH:
                banner_status = launched.get(banner.pk)
            summaries.append(
                BannerMilestoneSummary(
                    milestone=milestone,
                    hospitals=len(rows),
                    met=states.count(ComplianceState.MET),
                    not_met=states.count(ComplianceState.NOT_MET),
                    not_due=states.count(ComplianceState.NOT_DUE),
                    banner_status=banner_status,
                )
            )
        out[banner.pk] = summaries
    return out
