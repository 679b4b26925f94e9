"""The region rollup: per league, lectures by kind, milestone compliance, report punctuality, indicators
met and the December evaluation, in a fixed number of queries whatever the number of leagues and
hospitals (README "Benchmark" measures it over 12 leagues and 300 hospitals).

Each league is judged by its own current campaign on the clock's date (the ``campaign_current`` rule,
per league). What is counted live, in SQL aggregates grouped by campaign: the lectures by kind, the
monthly reports of every month whose due day has passed (on time, late, missing) and the December
evaluation's stored rows. What the league has already judged and published is read from its latest
published monthly bulletin (``Bulletin.data``): the milestone states at that month's end and the
indicators met in that month. The region reads what the league's 医改办 reported upward, not a second
computation of it (docs/decisions.md "The region rollup").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from campaign.calendar import report_due_date, report_months
from campaign.compliance import ComplianceState
from campaign.models import Campaign, LectureKind, LectureSession
from campaign.selectors import campaigns_visible_to
from core import clock
from hospitals.models import Hospital, OrgUnit, User
from hospitals.selectors import AnyUser, org_units_visible_to
from reporting.bulletins.models import Bulletin
from reporting.evaluation.models import Evaluation
from reporting.evaluation.selectors import reads_draft
from reporting.reports.models import MonthlyReport

MET_LABEL = ComplianceState.MET.label
NOT_MET_LABEL = ComplianceState.NOT_MET.label


def region_rollup_allowed(user: AnyUser) -> bool:
    """The rollup is read above the banners: the region reviewer (every league), a league reviewer (its
    own league's row) and the admin."""
    return isinstance(user, User) and user.is_active and (user.is_league_level or user.is_read_only)


def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.0%}"


@dataclass
class LeagueRollup:
    league: OrgUnit
    campaign: Campaign | None
    hospitals: int = 0
    lectures_by_kind: dict[str, int] = field(default_factory=dict)
    # The month of the published bulletin the milestone and indicator figures come from.
    bulletin_month: dt.date | None = None
    milestones_met: int = 0
    milestones_due: int = 0  # met + not met (a milestone not yet due is not counted)
    report_months: int = 0  # months whose due day has passed
    reports_on_time: int = 0
    reports_late: int = 0
    reports_missing: int = 0
    indicators_met: int = 0
    indicators_judged: int = 0  # met + not met + no data, of the hospitals that reported
    evaluated: int = 0
    evaluation_mean: Decimal | None = None
    evaluation_commended: int = 0
    evaluation_built_at: dt.datetime | None = None
    evaluation_published_at: dt.datetime | None = None  # None: a draft (shown to the league-level only)

    @property
    def lectures(self) -> int:
        return sum(self.lectures_by_kind.values())

    @property
    def milestone_rate(self) -> float | None:
        return self.milestones_met / self.milestones_due if self.milestones_due else None

    @property
    def reports_expected(self) -> int:
        return self.reports_on_time + self.reports_late + self.reports_missing

    @property
    def punctuality_rate(self) -> float | None:
        expected = self.reports_expected
        return self.reports_on_time / expected if expected else None

    @property
    def indicator_rate(self) -> float | None:
        return self.indicators_met / self.indicators_judged if self.indicators_judged else None

    # What the page shows: a share as a whole percentage, "—" when nothing was counted.
    @property
    def milestone_pct(self) -> str:
        return _pct(self.milestone_rate)

    @property
    def punctuality_pct(self) -> str:
        return _pct(self.punctuality_rate)

    @property
    def indicator_pct(self) -> str:
        return _pct(self.indicator_rate)

    @property
    def kind_counts(self) -> list[int]:
        return list(self.lectures_by_kind.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "league": self.league.pk,
            "league_code": self.league.code,
            "league_name": self.league.name,
            "campaign": self.campaign.pk if self.campaign else None,
            "campaign_name": self.campaign.name if self.campaign else None,
            "hospitals": self.hospitals,
            "lectures": self.lectures,
            "lectures_by_kind": [{"kind": k, "count": n} for k, n in self.lectures_by_kind.items()],
            "bulletin_month": self.bulletin_month,
            "milestones_met": self.milestones_met,
            "milestones_due": self.milestones_due,
            "milestone_rate": self.milestone_rate,
            "report_months": self.report_months,
            "reports_on_time": self.reports_on_time,
            "reports_late": self.reports_late,
            "reports_missing": self.reports_missing,
            "punctuality_rate": self.punctuality_rate,
            "indicators_met": self.indicators_met,
            "indicators_judged": self.indicators_judged,
            "indicator_rate": self.indicator_rate,
            "evaluated": self.evaluated,
            "evaluation_mean": self.evaluation_mean,
            "evaluation_commended": self.evaluation_commended,
            "evaluation_built_at": self.evaluation_built_at,
            "evaluation_published_at": self.evaluation_published_at,
        }


@dataclass
class RegionRollup:
    on: dt.date
    kinds: list[str]  # the lecture kinds' names, in their campaigns' order (the columns)
    leagues: list[LeagueRollup]


def current_campaigns(user: AnyUser, today: dt.date, leagues: list[OrgUnit]) -> dict[int, Campaign]:
    """Each league's current campaign: its own league's, or one of the region above it (a region-wide
    campaign, as the bench's); running today first, then of today's year, then the latest started
    (``campaign_current``'s rank, per league). One query."""

    def rank(c: Campaign) -> tuple[bool, bool, dt.date, int]:
        return (c.starts_on <= today <= c.ends_on, c.year == today.year, c.starts_on, c.pk)

    visible = list(campaigns_visible_to(user))
    best: dict[int, Campaign] = {}
    for league in leagues:
        held = [c for c in visible if league.path.startswith(c.league.path)]
        if held:
            best[league.pk] = max(held, key=rank)
    return best


def _closed_months(campaign: Campaign, today: dt.date) -> list[dt.date]:
    """The report months whose due day has passed: a report not submitted by then is late or missing."""
    return [m for m in report_months(campaign) if report_due_date(campaign, m) < today]


def _read_bulletin(rows: dict[int, LeagueRollup], data: dict[str, Any], league_of: dict[str, int]) -> None:
    """Add a published bulletin's milestone states and indicator verdicts to the rows of the leagues its
    hospitals belong to (column 0 of each row is the banner's name)."""
    for section in data.get("sections", []):
        key = section.get("key")
        if key not in ("milestones", "indicators"):
            continue
        for cells in section.get("rows", []):
            row = rows.get(league_of.get(cells[0], 0))
            if row is None:
                continue
            if key == "milestones":
                states = cells[2:]
                row.milestones_met += sum(1 for s in states if s == MET_LABEL)
                row.milestones_due += sum(1 for s in states if s in (MET_LABEL, NOT_MET_LABEL))
            else:
                met, not_met, no_data = cells[2:5]
                if isinstance(met, int):
                    row.indicators_met += met
                    row.indicators_judged += met + int(not_met or 0) + int(no_data or 0)


def region_rollup(*, user: AnyUser, on: dt.date | None = None) -> RegionRollup:
    """The rollup of every league in ``user``'s scope (the region reviewer's and the admin's: all; a
    league reviewer's: its own), as of ``on`` (default the clock's today). Nine queries (and the user's
    unit, read once by the scope rule) whatever the number of leagues and hospitals: every aggregate is
    grouped by campaign and league, and a row counts only for its league's current campaign."""
    today = on or clock.today()
    leagues = list(org_units_visible_to(user).filter(kind=OrgUnit.Kind.LEAGUE).order_by("code"))
    campaigns = current_campaigns(user, today, leagues)
    rows = {u.pk: LeagueRollup(league=u, campaign=campaigns.get(u.pk)) for u in leagues}
    ids = sorted({c.pk for c in campaigns.values()})

    def row_of(campaign_id: int, league_id: int | None) -> LeagueRollup | None:
        """The league's row when the aggregate's campaign is that league's current one."""
        row = rows.get(league_id) if league_id is not None else None
        return (
            row if row is not None and row.campaign is not None and row.campaign.pk == campaign_id else None
        )

    # The banners of these leagues (banners hang directly under their league), by name for the bulletins.
    league_of = dict(
        OrgUnit.objects.filter(kind=OrgUnit.Kind.BANNER, parent_id__in=list(rows))
        .order_by()
        .values_list("name", "parent_id")
    )
    for league_id, n in (
        Hospital.objects.filter(banner__parent_id__in=list(rows))
        .values("banner__parent_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("banner__parent_id", "n")
    ):
        if league_id is not None:
            rows[league_id].hospitals = n

    # Lectures by kind, up to today: a hospital's by its banner's league, a banner's 集中宣讲 by its own.
    # The kinds are each campaign's own rows: matched by name, in their order.
    kinds = list(
        LectureKind.objects.filter(campaign_id__in=ids).order_by("order", "id").values_list("name", flat=True)
    )
    columns = list(dict.fromkeys(kinds))
    for row in rows.values():
        row.lectures_by_kind = dict.fromkeys(columns, 0)
    for campaign_id, league_id, kind, n in (
        LectureSession.objects.filter(campaign_id__in=ids, held_on__lte=today)
        .annotate(league=Coalesce("hospital__banner__parent_id", "org_unit__parent_id"))
        .values("campaign_id", "league", "kind__name")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("campaign_id", "league", "kind__name", "n")
    ):
        if (counted := row_of(campaign_id, league_id)) is not None:
            counted.lectures_by_kind[kind] = counted.lectures_by_kind.get(kind, 0) + n

    # Report punctuality over the closed months: per (campaign, league, month), missing = hospitals − sent.
    sent: dict[tuple[int, dt.date], tuple[int, int]] = {}
    submitted = Q(first_submitted_at__isnull=False)
    for campaign_id, league_id, month, on_time, late in (
        MonthlyReport.objects.filter(campaign_id__in=ids, month__lt=today)
        .values("campaign_id", "hospital__banner__parent_id", "month")
        .annotate(
            on_time=Count("id", filter=submitted & Q(late_days=0)),
            late=Count("id", filter=submitted & Q(late_days__gt=0)),
        )
        .order_by()
        .values_list("campaign_id", "hospital__banner__parent_id", "month", "on_time", "late")
    ):
        if league_id is not None and row_of(campaign_id, league_id) is not None:
            sent[(league_id, month)] = (on_time, late)
    for league_id, row in rows.items():
        if row.campaign is None:
            continue
        for month in _closed_months(row.campaign, today):
            on_time, late = sent.get((league_id, month), (0, 0))
            row.report_months += 1
            row.reports_on_time += on_time
            row.reports_late += late
            row.reports_missing += max(row.hospitals - on_time - late, 0)

    # The latest published bulletin of each campaign: milestones and indicators as the league judged them
    # (a region-wide campaign's bulletin is split by its rows' banners).
    latest = (
        Bulletin.objects.filter(campaign=OuterRef("campaign"), status=Bulletin.Status.PUBLISHED)
        .order_by("-month")
        .values("month")[:1]
    )
    for campaign_id, month, data in (
        Bulletin.objects.filter(campaign_id__in=ids, status=Bulletin.Status.PUBLISHED, month=Subquery(latest))
        .order_by()
        .values_list("campaign_id", "month", "data")
    ):
        mine = {pk: r for pk, r in rows.items() if r.campaign is not None and r.campaign.pk == campaign_id}
        for row in mine.values():
            row.bulletin_month = month
        _read_bulletin(mine, data, league_of)

    # The December evaluation as stored: the league builds it (a draft its reviewers and the admin read)
    # and publishes it; the region reviewer, like the hospitals, reads a published one only.
    evaluations = Evaluation.objects.filter(campaign_id__in=ids)
    if not reads_draft(user):
        evaluations = evaluations.filter(published_at__isnull=False)
    for campaign_id, league_id, n, mean, commended, built_at, published_at in (
        evaluations.values("campaign_id", "hospital__banner__parent_id")
        .annotate(
            n=Count("id"),
            mean=Avg("total_score"),
            commended=Count("id", filter=Q(proposed_commendation=True)),
            built_at=Max("built_at"),
            published_at=Max("published_at"),
        )
        .order_by()
        .values_list(
            "campaign_id", "hospital__banner__parent_id", "n", "mean", "commended", "built_at", "published_at"
        )
    ):
        if (evaluated := row_of(campaign_id, league_id)) is not None:
            evaluated.evaluated, evaluated.evaluation_commended = n, commended
            evaluated.evaluation_built_at, evaluated.evaluation_published_at = built_at, published_at
            evaluated.evaluation_mean = Decimal(mean).quantize(Decimal("0.01")) if mean is not None else None

    return RegionRollup(on=today, kinds=columns, leagues=list(rows.values()))
