"""The December evaluation (年终评估, SPEC §7): a score per hospital on 讲医改 / 见行动 / 出成效 from the
recorded data, a ranking, and the list proposed for commendation.

Every weight and threshold is campaign data (``campaign.evaluation_rules``, seeds/alxa-2021.yaml):

- ``weights``: points of each dimension in the 100-point total (``lecture``, ``action``, ``outcome``).
- ``lecture``: how 讲医改 splits its 100 — ``milestones`` (share of the checked lecture milestones met by
  the campaign's end) and ``documents_all_layers`` (share of the key documents the hospital covered in
  all four layers, "全面讲、深入讲").
- ``action``: how 见行动 splits its 100 — ``items_done`` (share of action items done),
  ``items_not_overdue`` (share not overdue at the end) and ``reports_on_time`` (share of the monthly
  reports submitted by their due day).
- ``outcome``: 出成效 is the share of the hospital's applicable indicators met over the report months.
- ``commendation_top_n`` and ``commendation_min_score``: the proposed list is the best N with at least
  that total.

The scores read a fixed number of queries whatever the number of hospitals (issue 6 benchmarks them);
building replaces the campaign's rows, so running it again after a correction gives one row per
hospital with the new figures.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef

from campaign.calendar import report_due_date, report_months
from campaign.compliance import milestone_compliance
from campaign.models import (
    OVERDUE,
    ActionItem,
    Campaign,
    KeyDocument,
    Layer,
    LectureCoverage,
    ProgressStatus,
    RoadmapMilestone,
)
from campaign.selectors import campaign_hospitals, require_campaign_in_scope
from core import clock
from hospitals.audit import record_change
from hospitals.models import ChangeRecord, Hospital, OrgUnit, User
from hospitals.selectors import AnyUser
from reporting.evaluation.models import Evaluation
from reporting.indicators.selectors import Period
from reporting.indicators.targets import Verdict, indicator_evaluations
from reporting.reports.models import MonthlyReport

DEFAULT_RULES: dict[str, Any] = {
    "weights": {"lecture": 40, "action": 30, "outcome": 30},
    "lecture": {"milestones": 50, "documents_all_layers": 50},
    "action": {"items_done": 40, "items_not_overdue": 30, "reports_on_time": 30},
    "commendation_top_n": 3,
    "commendation_min_score": 80,
}
CENT = Decimal("0.01")


def evaluation_rules(campaign: Campaign) -> dict[str, Any]:
    rules = {**DEFAULT_RULES, **(campaign.evaluation_rules or {})}
    for key in ("weights", "lecture", "action"):
        rules[key] = {**DEFAULT_RULES[key], **(campaign.evaluation_rules or {}).get(key, {})}
    if sum(rules["weights"].values()) != 100:
        raise ValidationError("年终评估三个维度的权重之和须为100。", code="invalid_rules")
    return rules


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _points(parts: dict[str, float], weights: dict[str, Any]) -> float:
    """Σ weight × share, scaled to 100 by the weights' own total."""
    total = sum(float(w) for w in weights.values()) or 1.0
    return 100.0 * sum(float(weights[k]) * parts.get(k, 0.0) for k in weights) / total


@dataclass
class HospitalScore:
    hospital: Hospital
    lecture: float
    action: float
    outcome: float
    total: float = 0.0
    rank: int = 0
    proposed: bool = False
    details: dict[str, Any] = field(default_factory=dict)


def _round(value: float) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


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
        score = HospitalScore(
            hospital,
            lecture=_points(lecture_parts, rules["lecture"]),
            action=_points(action_parts, rules["action"]),
            outcome=100.0 * _share(v[Verdict.MET], applicable),
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
            },
        )
        weights = rules["weights"]
        score.total = (
            float(weights["lecture"]) * score.lecture
            + float(weights["action"]) * score.action
            + float(weights["outcome"]) * score.outcome
        ) / 100.0
        scores.append(score)
    scores.sort(key=lambda s: (-_round(s.total), s.hospital.code))
    rank, previous = 0, None
    for position, score in enumerate(scores, start=1):
        rounded = _round(score.total)
        if rounded != previous:
            rank, previous = position, rounded
        score.rank = rank
    top_n = int(rules["commendation_top_n"])
    minimum = float(rules["commendation_min_score"])
    for score in scores:
        score.proposed = score.rank <= top_n and score.total >= minimum
    return scores


@transaction.atomic
def evaluation_build(
    *, campaign_id: int, actor: AnyUser, channel: str = ChangeRecord.Channel.WEB
) -> list[Evaluation]:
    """Compute and store the December evaluation of ``campaign``, replacing any earlier run."""
    if not isinstance(actor, User) or not actor.is_active or not actor.is_league_level:
        raise PermissionDenied("只有盟审核员可以进行年终评估。")
    campaign = Campaign.objects.select_for_update().select_related("league").get(pk=campaign_id)
    require_campaign_in_scope(actor, campaign)
    if clock.today() < dt.date(campaign.year, 12, 1):
        raise ValidationError("年终评估在12月进行。", code="too_early")
    scores = evaluation_scores(campaign, on=min(clock.today(), campaign.ends_on))
    now = clock.now()
    Evaluation.objects.filter(campaign=campaign).delete()
    rows = Evaluation.objects.bulk_create(
        [
            Evaluation(
                campaign=campaign,
                hospital=s.hospital,
                lecture_score=_round(s.lecture),
                action_score=_round(s.action),
                outcome_score=_round(s.outcome),
                total_score=_round(s.total),
                rank=s.rank,
                proposed_commendation=s.proposed,
                details=s.details,
                built_at=now,
            )
            for s in scores
        ]
    )
    record_change(
        campaign,
        action="evaluation_build",
        actor=actor,
        channel=channel,
        changes={"proposed_commendation": [None, [s.hospital.name for s in scores if s.proposed]]},
    )
    return rows
