"""The December evaluation (年终评估, SPEC §7): a score per hospital on 讲医改 / 见行动 / 出成效 from the
recorded data and on the 绩效考核 results the league imported, a ranking, the list proposed for
commendation, and a score and ranking of the banners.

Every weight and threshold is campaign data (``campaign.evaluation_rules``, seeds/alxa-2021.yaml):

- ``weights``: points of each part in the 100-point total (``lecture``, ``action``, ``outcome`` and
  ``assessment``, the 全国和自治区公立医院绩效考核结果); a campaign that gives ``weights`` gives all of
  them (a part it leaves out weighs 0). A hospital with no assessment result has the assessment's
  points spread over the other parts in proportion (it is not marked down for an assessment it was not
  part of); ``details["assessment"]`` says so.
- ``assessment``: how the assessment part splits between ``national`` and ``regional`` (a hospital
  with one of the two is scored on that one).
- ``lecture``: how 讲医改 splits its 100 — ``milestones`` (share of the checked lecture milestones met by
  the campaign's end) and ``documents_all_layers`` (share of the key documents the hospital covered in
  all four layers, "全面讲、深入讲").
- ``action``: how 见行动 splits its 100 — ``items_done`` (share of action items done),
  ``items_not_overdue`` (share not overdue at the end) and ``reports_on_time`` (share of the monthly
  reports submitted by their due day).
- ``outcome``: 出成效 is the share of the hospital's applicable indicators met over the report months.
- ``commendation_top_n`` and ``commendation_min_score``: the proposed list is the best N with at least
  that total.
- ``banner``: a banner's total from ``hospitals`` (the mean total of its hospitals) and ``work`` (its
  own work); ``banner_work`` splits the work between ``launch`` (its launch record, entered by the
  launch milestone's day), ``centralised_lecture`` (its 集中宣讲 by that milestone's day) and
  ``indicators`` (share of its banner-level indicators met; a part with nothing to judge is left out
  and its points spread over the others).

The evaluation is a draft until a league reviewer publishes it (``evaluation_publish``): hospitals and
banners see only published rows. Once published it is the league's record: rebuilding is refused
(docs/decisions.md "December evaluation").

The scores read a fixed number of queries whatever the number of hospitals (issue 6 benchmarks them);
building replaces the campaign's rows, so running it again after a correction gives one row per
hospital with the new figures.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef

from campaign.calendar import report_due_date, report_months
from campaign.compliance import _entered_before as entered_before
from campaign.compliance import milestone_compliance
from campaign.models import (
    OVERDUE,
    ActionItem,
    Campaign,
    KeyDocument,
    LaunchRecord,
    Layer,
    LectureCoverage,
    LectureKind,
    LectureSession,
    Milestone,
    ProgressStatus,
    RoadmapMilestone,
)
from campaign.selectors import campaign_hospitals, require_campaign_in_scope
from core import clock
from hospitals.audit import record_change
from hospitals.models import ChangeRecord, Hospital, OrgUnit, User
from hospitals.selectors import AnyUser
from reporting.evaluation.models import AssessmentResult, BannerEvaluation, Evaluation
from reporting.indicators.selectors import Period
from reporting.indicators.targets import Verdict, indicator_evaluations
from reporting.reports.models import MonthlyReport

DEFAULT_RULES: dict[str, Any] = {
    "weights": {"lecture": 35, "action": 25, "outcome": 25, "assessment": 15},
    "assessment": {"national": 50, "regional": 50},
    "banner": {"hospitals": 70, "work": 30},
    "banner_work": {"launch": 30, "centralised_lecture": 40, "indicators": 30},
    "lecture": {"milestones": 50, "documents_all_layers": 50},
    "action": {"items_done": 40, "items_not_overdue": 30, "reports_on_time": 30},
    "commendation_top_n": 3,
    "commendation_min_score": 80,
}
CENT = Decimal("0.01")


WEIGHTED_PARTS = ("lecture", "action", "outcome", "assessment")


def evaluation_rules(campaign: Campaign) -> dict[str, Any]:
    given = campaign.evaluation_rules or {}
    rules = {**DEFAULT_RULES, **given}
    for key in ("lecture", "action", "assessment", "banner", "banner_work"):
        rules[key] = {**DEFAULT_RULES[key], **given.get(key, {})}
    # Weights given are the whole set: a campaign that weighs three parts weighs the assessment 0.
    weights = given.get("weights") or DEFAULT_RULES["weights"]
    rules["weights"] = {k: weights.get(k, 0) for k in WEIGHTED_PARTS}
    if sum(rules["weights"].values()) != 100:
        raise ValidationError(
            "年终评估的权重(讲医改、见行动、出成效、绩效考核)之和须为100。", code="invalid_rules"
        )
    if sum(rules["banner"].values()) <= 0:
        raise ValidationError("旗(区)评估的权重之和须大于0。", code="invalid_rules")
    return rules


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _points(parts: Mapping[str, float | None], weights: dict[str, Any]) -> float:
    """Σ weight × share, scaled to 100 by the weights' own total; a part that is None (nothing to judge)
    is left out, its weight spread over the others."""
    present = {k: float(w) for k, w in weights.items() if parts.get(k) is not None}
    total = sum(present.values()) or 1.0
    return 100.0 * sum(w * float(parts[k] or 0.0) for k, w in present.items()) / total


@dataclass
class HospitalScore:
    hospital: Hospital
    lecture: float
    action: float
    outcome: float
    assessment: float | None = None
    total: float = 0.0
    rank: int = 0
    proposed: bool = False
    details: dict[str, Any] = field(default_factory=dict)


def _round(value: float) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def _fraction(score: Decimal | None) -> float | None:
    return None if score is None else float(score) / 100.0


def _plain_score(score: Decimal | None) -> float | None:
    return None if score is None else float(score)


def _rank(scores: list[Any], *, key: Callable[[Any], str]) -> None:
    """Sort by total (rounded to the cent, as stored) then ``key``; ties share a rank (1, 1, 3)."""
    scores.sort(key=lambda s: (-_round(s.total), key(s)))
    rank, previous = 0, None
    for position, score in enumerate(scores, start=1):
        rounded = _round(score.total)
        if rounded != previous:
            rank, previous = position, rounded
        score.rank = rank


def evaluation_scores(campaign: Campaign, *, on: dt.date | None = None) -> list[HospitalScore]:
    """Every hospital's scores as of ``on`` (default: the reporting clock's date, at the latest the
    campaign's end), ranked (ties share a rank). A fixed number of queries.

    Every date is judged on ``on``: an item due after it is not overdue, and a month's report is required
    only once its due day has passed (December's is due in January, so a December evaluation never asks
    for it)."""
    rules = evaluation_rules(campaign)
    on = on or min(clock.today(), campaign.ends_on)
    hospitals = list(campaign_hospitals(campaign).order_by("banner__path", "code"))
    ids = [h.pk for h in hospitals]

    # 讲医改: milestones met, documents covered in all four layers.
    compliance = milestone_compliance(campaign=campaign, hospitals=hospitals, on=on)
    documents = KeyDocument.objects.filter(campaign=campaign).count()
    layers = Layer.objects.filter(campaign=campaign).count()
    covered: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    for hospital_id, document_id, layer_id in (
        LectureCoverage.objects.filter(
            lecture__campaign=campaign, lecture__hospital_id__in=ids, lecture__held_on__lte=on
        )
        .values_list("lecture__hospital_id", "document_id", "layer_id")
        .distinct()
        .order_by()
    ):
        covered[hospital_id][document_id].add(layer_id)

    # 见行动: action items by status at ``on``, monthly reports on time.
    items: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for hospital_id, status, due_on, has_roadmap in (
        ActionItem.objects.filter(campaign=campaign, hospital_id__in=ids)
        .annotate(has_roadmap=Exists(RoadmapMilestone.objects.filter(action_item=OuterRef("pk"))))
        .values_list("hospital_id", "current_status", "due_on", "has_roadmap")
        .order_by()
    ):
        items[hospital_id]["total"] += 1
        # §四(二) 路线图: items entered before the rule may have none; the evaluation shows how many.
        items[hospital_id]["without_roadmap"] += not has_roadmap
        items[hospital_id]["done"] += status == ProgressStatus.DONE
        items[hospital_id][OVERDUE] += due_on < on and status != ProgressStatus.DONE
    months = [m for m in report_months(campaign) if report_due_date(campaign, m) < on]
    on_time = dict(
        MonthlyReport.objects.filter(
            campaign=campaign, month__in=months, first_submitted_at__isnull=False, late_days=0
        )
        .values("hospital_id")
        .annotate(n=Count("id"))
        .values_list("hospital_id", "n")
        .order_by()
    )

    # 出成效: indicators met over the report months.
    table = indicator_evaluations(
        campaign=campaign,
        hospitals=Hospital.objects.filter(pk__in=ids),
        banners=OrgUnit.objects.none(),
        period=Period(months[0], months[-1]) if months else Period.month(campaign.year, 12),
        per_banner=False,
    )
    verdicts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for evaluation in table.units:
        if evaluation.scope == "hospital":
            verdicts[evaluation.unit_id][evaluation.verdict] += 1

    # 绩效考核: the imported results (scores out of 100).
    assessed = {
        r.hospital_id: r for r in AssessmentResult.objects.filter(campaign=campaign, hospital_id__in=ids)
    }

    scores = []
    for hospital in hospitals:
        statuses = compliance.get(hospital.pk, [])
        met = sum(s.is_met for s in statuses)
        full_documents = sum(1 for layer_ids in covered[hospital.pk].values() if len(layer_ids) >= layers > 0)
        lecture_parts = {
            "milestones": _share(met, len(statuses)),
            "documents_all_layers": _share(full_documents, documents),
        }
        counts = items[hospital.pk]
        action_parts = {
            "items_done": _share(counts["done"], counts["total"]),
            "items_not_overdue": _share(counts["total"] - counts[OVERDUE], counts["total"]),
            "reports_on_time": _share(on_time.get(hospital.pk, 0), len(months)),
        }
        v = verdicts[hospital.pk]
        applicable = v[Verdict.MET] + v[Verdict.NOT_MET] + v[Verdict.NO_DATA]
        result = assessed.get(hospital.pk)
        assessment_parts = {
            "national": _fraction(result.national_score) if result else None,
            "regional": _fraction(result.regional_score) if result else None,
        }
        has_assessment = any(p is not None for p in assessment_parts.values())
        score = HospitalScore(
            hospital,
            lecture=_points(lecture_parts, rules["lecture"]),
            action=_points(action_parts, rules["action"]),
            outcome=100.0 * _share(v[Verdict.MET], applicable),
            assessment=_points(assessment_parts, rules["assessment"]) if has_assessment else None,
            details={
                "lecture": {
                    "milestones_met": met,
                    "milestones": len(statuses),
                    "documents_all_layers": full_documents,
                    "documents": documents,
                },
                "action": {
                    "items": counts["total"],
                    "done": counts["done"],
                    "overdue": counts[OVERDUE],
                    "without_roadmap": counts["without_roadmap"],
                    "reports_on_time": on_time.get(hospital.pk, 0),
                    "report_months": len(months),
                },
                "outcome": {
                    "met": v[Verdict.MET],
                    "not_met": v[Verdict.NOT_MET],
                    "no_data": v[Verdict.NO_DATA],
                },
                "assessment": {
                    "national": _plain_score(result.national_score) if result else None,
                    "regional": _plain_score(result.regional_score) if result else None,
                    # Without a result, the assessment's weight is spread over the other parts.
                    "missing": not has_assessment,
                },
            },
        )
        score.total = _points(
            {
                "lecture": score.lecture / 100.0,
                "action": score.action / 100.0,
                "outcome": score.outcome / 100.0,
                "assessment": None if score.assessment is None else score.assessment / 100.0,
            },
            rules["weights"],
        )
        scores.append(score)
    _rank(scores, key=lambda s: s.hospital.code)
    top_n = int(rules["commendation_top_n"])
    minimum = float(rules["commendation_min_score"])
    for score in scores:
        score.proposed = score.rank <= top_n and score.total >= minimum
    return scores


@dataclass
class BannerScore:
    banner: OrgUnit
    hospitals: float | None
    work: float
    total: float = 0.0
    rank: int = 0
    details: dict[str, Any] = field(default_factory=dict)


def banner_scores(
    campaign: Campaign, hospital_scores: list[HospitalScore], *, on: dt.date
) -> list[BannerScore]:
    """Every banner of the campaign's league as of ``on``: the mean total of its hospitals and its own
    work (launch, 集中宣讲, banner-level indicators), ranked. A fixed number of queries."""
    rules = evaluation_rules(campaign)
    banners = list(
        OrgUnit.objects.filter(path__startswith=campaign.league.path, kind=OrgUnit.Kind.BANNER).order_by(
            "path"
        )
    )
    milestones = {m.rule: m for m in campaign.milestones.all()}
    launch_due = milestones.get(Milestone.Rule.LAUNCH)
    launched: set[int] = set()
    if launch_due is not None:
        cutoff = min(launch_due.due_on, on)
        launched = set(
            LaunchRecord.objects.filter(
                campaign=campaign,
                org_unit__in=banners,
                launched_on__lte=cutoff,
                # Entered by the due day's end (and by ``on``), as the hospitals' 06-25 milestone asks.
                created_at__lt=entered_before(cutoff),
            ).values_list("org_unit_id", flat=True)
        )
    centralised_due = milestones.get(Milestone.Rule.CENTRALISED_LECTURE)
    lectured: set[int] = set()
    if centralised_due is not None:
        cutoff = min(centralised_due.due_on, on)
        lectured = set(
            LectureSession.objects.filter(
                campaign=campaign,
                org_unit__in=banners,
                kind__speaker_rule=LectureKind.SpeakerRule.COMMISSION_LEADER,
                held_on__lte=cutoff,
                created_at__lt=entered_before(cutoff),
            ).values_list("org_unit_id", flat=True)
        )
    months = [m for m in report_months(campaign) if report_due_date(campaign, m) < on]
    table = indicator_evaluations(
        campaign=campaign,
        hospitals=Hospital.objects.none(),
        banners=OrgUnit.objects.filter(pk__in=[b.pk for b in banners]),
        period=Period(months[0], months[-1]) if months else Period.month(campaign.year, 12),
        per_banner=False,
    )
    verdicts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for evaluation in table.units:
        if evaluation.scope == "banner":
            verdicts[evaluation.unit_id][evaluation.verdict] += 1
    totals: dict[int, list[float]] = defaultdict(list)
    for score in hospital_scores:
        totals[score.hospital.banner_id].append(score.total)

    ranked: list[BannerScore] = []
    for banner in banners:
        v = verdicts[banner.pk]
        applicable = v[Verdict.MET] + v[Verdict.NOT_MET] + v[Verdict.NO_DATA]
        work_parts: dict[str, float | None] = {
            "launch": float(banner.pk in launched),
            "centralised_lecture": float(banner.pk in lectured),
            "indicators": _share(v[Verdict.MET], applicable) if applicable else None,
        }
        own = totals[banner.pk]
        mean = sum(own) / len(own) if own else None
        work = _points(work_parts, rules["banner_work"])
        banner_score = BannerScore(
            banner,
            hospitals=mean,
            work=work,
            details={
                "hospitals": len(own),
                "launched": banner.pk in launched,
                "centralised_lecture": banner.pk in lectured,
                "indicators": {
                    "met": v[Verdict.MET],
                    "not_met": v[Verdict.NOT_MET],
                    "no_data": v[Verdict.NO_DATA],
                },
            },
        )
        banner_score.total = _points(
            {"hospitals": None if mean is None else mean / 100.0, "work": work / 100.0}, rules["banner"]
        )
        ranked.append(banner_score)
    _rank(ranked, key=lambda s: s.banner.code)
    return ranked


def _require_league(actor: AnyUser, what: str) -> User:
    if not isinstance(actor, User) or not actor.is_active or not actor.is_league_level:
        raise PermissionDenied(f"只有盟审核员可以{what}。")
    return actor


def evaluation_published(campaign: Campaign) -> bool:
    return Evaluation.objects.filter(campaign=campaign, published_at__isnull=False).exists()


@transaction.atomic
def evaluation_build(
    *, campaign_id: int, actor: AnyUser, channel: str = ChangeRecord.Channel.WEB
) -> list[Evaluation]:
    """Compute and store the December evaluation of ``campaign`` (hospitals and banners) as a draft,
    replacing any earlier draft; a published evaluation is not rebuilt."""
    user = _require_league(actor, "进行年终评估")
    campaign = Campaign.objects.select_for_update().select_related("league").get(pk=campaign_id)
    require_campaign_in_scope(user, campaign)
    if clock.today() < dt.date(campaign.year, 12, 1):
        raise ValidationError("年终评估在12月进行。", code="too_early")
    if evaluation_published(campaign):
        raise ValidationError("年终评估已发布，是盟卫生健康委的正式结果，不能重新评估。", code="published")
    on = min(clock.today(), campaign.ends_on)
    scores = evaluation_scores(campaign, on=on)
    banners = banner_scores(campaign, scores, on=on)
    now = clock.now()
    Evaluation.objects.filter(campaign=campaign).delete()
    BannerEvaluation.objects.filter(campaign=campaign).delete()
    rows = Evaluation.objects.bulk_create(
        [
            Evaluation(
                campaign=campaign,
                hospital=s.hospital,
                lecture_score=_round(s.lecture),
                action_score=_round(s.action),
                outcome_score=_round(s.outcome),
                assessment_score=None if s.assessment is None else _round(s.assessment),
                total_score=_round(s.total),
                rank=s.rank,
                proposed_commendation=s.proposed,
                details=s.details,
                built_at=now,
            )
            for s in scores
        ]
    )
    BannerEvaluation.objects.bulk_create(
        [
            BannerEvaluation(
                campaign=campaign,
                banner=b.banner,
                hospitals_score=_round(b.hospitals or 0.0),
                work_score=_round(b.work),
                total_score=_round(b.total),
                rank=b.rank,
                details=b.details,
                built_at=now,
            )
            for b in banners
        ]
    )
    record_change(
        campaign,
        action="evaluation_build",
        actor=user,
        channel=channel,
        changes={"proposed_commendation": [None, [s.hospital.name for s in scores if s.proposed]]},
    )
    return rows


@transaction.atomic
def evaluation_publish(
    *, campaign_id: int, actor: AnyUser, channel: str = ChangeRecord.Channel.WEB
) -> list[Evaluation]:
    """Publish the campaign's evaluation (hospitals and banners): from now on the hospitals and banners
    see it, and it is not rebuilt."""
    user = _require_league(actor, "发布年终评估")
    campaign = Campaign.objects.select_for_update().select_related("league").get(pk=campaign_id)
    require_campaign_in_scope(user, campaign)
    rows = Evaluation.objects.filter(campaign=campaign)
    if not rows.exists():
        raise ValidationError("尚未进行年终评估，请先评估再发布。", code="not_built")
    if rows.filter(published_at__isnull=False).exists():
        raise ValidationError("年终评估已发布。", code="illegal_transition")
    now = clock.now()
    rows.update(published_at=now, published_by=user)
    BannerEvaluation.objects.filter(campaign=campaign).update(published_at=now, published_by=user)
    record_change(
        campaign,
        action="evaluation_publish",
        actor=user,
        channel=channel,
        changes={"evaluation": ["draft", "published"]},
    )
    return list(rows.select_related("hospital").order_by("rank", "hospital__code"))
