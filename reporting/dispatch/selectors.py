"""Reads of the banners' 调度 reports and the league's visits, in the user's scope: a banner reviewer
sees its own banner's, a league reviewer its league's, a hospital nothing (``scope_queryset`` with the
banner as the owner); and the bulletin's per-banner row."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from campaign.calendar import report_due_date, report_months
from campaign.models import Campaign
from core import clock
from core.months import month_end
from hospitals.audit import history_of
from hospitals.models import ChangeRecord, OrgUnit
from hospitals.selectors import AnyUser, ancestor_paths, scope_queryset
from reporting.dispatch.models import DispatchReport, DispatchReportFile, LeagueVisit

Status = DispatchReport.Status

# The states in which the banner may still change the report (text and files).
EDITABLE_STATES = (Status.DRAFT, Status.RETURNED)
# The states that wait for the league: it marks them read or returns them.
AWAITING_LEAGUE = (Status.SUBMITTED, Status.RESUBMITTED)


def dispatch_reports_visible_to(user: AnyUser) -> QuerySet[DispatchReport]:
    qs = DispatchReport.objects.select_related("campaign__league", "banner", "read_by").prefetch_related(
        Prefetch("files", queryset=DispatchReportFile.objects.order_by("id"))
    )
    return scope_queryset(qs, user, hospital_field=None, unit_field="banner")


def dispatch_files_visible_to(user: AnyUser) -> QuerySet[DispatchReportFile]:
    qs = DispatchReportFile.objects.select_related("report__banner")
    return scope_queryset(qs, user, hospital_field=None, unit_field="report__banner")


def league_visits_visible_to(user: AnyUser) -> QuerySet[LeagueVisit]:
    """A visit is seen by the league and by the banner whose lecture it was."""
    qs = LeagueVisit.objects.select_related(
        "campaign", "lecture__org_unit", "lecture__kind", "lecture__speaker", "created_by"
    )
    return scope_queryset(qs, user, hospital_field=None, unit_field="lecture__org_unit")


def dispatch_history(report: DispatchReport) -> list[ChangeRecord]:
    return list(history_of(report).order_by("-at", "-id"))


def dispatch_due_date(campaign: Campaign, month: dt.date) -> dt.date:
    """A banner's 调度 report is due on the day a hospital's monthly report is (docs/decisions.md)."""
    return report_due_date(campaign, month)


def dispatch_months(campaign: Campaign, *, today: dt.date | None = None) -> list[dt.date]:
    """The months a banner reports on (from July, ``report_months``) that have begun by ``today``."""
    today = today or clock.today()
    return [m for m in report_months(campaign) if m <= today]


def dispatch_campaign_for(banner: OrgUnit, month: dt.date) -> Campaign | None:
    """The campaign of the banner's league running in ``month``."""
    return (
        Campaign.objects.filter(
            league__path__in=ancestor_paths(banner.path),
            starts_on__lte=month_end(month),
            ends_on__gte=month,
        )
        .select_related("league")
        .order_by("-starts_on")
        .first()
    )


def dispatch_banners(campaign: Campaign) -> list[OrgUnit]:
    """The banners that report: those of the campaign's league with a hospital of the campaign (a zone
    without a public hospital has no progress to report; the bulletin's banner rows are the same)."""
    return list(
        OrgUnit.objects.filter(
            kind=OrgUnit.Kind.BANNER, path__startswith=campaign.league.path, hospitals__isnull=False
        )
        .distinct()
        .order_by("path")
    )


# --- the bulletin's row per banner -------------------------------------------------------------------

TIMELINESS_LABELS = {
    "on_time": "按时报送",
    "late": "逾期报送",
    "missing": "未报送",
    "not_due": "未到报送期限",
}


@dataclass(frozen=True)
class BannerDispatch:
    """Where a banner's 调度 report of a month stands, and the league's visits to its lectures."""

    banner: OrgUnit
    timeliness: str  # a key of TIMELINESS_LABELS
    state: str  # the report's status label, "未填报" without one
    late_days: int
    visits_in_month: int
    visits_total: int

    @property
    def timeliness_label(self) -> str:
        return TIMELINESS_LABELS[self.timeliness]


def _timeliness(report: DispatchReport | None, due: dt.date, on: dt.date) -> str:
    if report is not None and report.first_submitted_at is not None:
        return "late" if report.late_days > 0 else "on_time"
    return "missing" if on > due else "not_due"


def banner_dispatch_rows(
    campaign: Campaign, month: dt.date, banners: list[OrgUnit], *, on: dt.date | None = None
) -> list[BannerDispatch]:
    """One row per banner (in the order given) in two queries, whatever the number of banners: the
    month's report (submitted on time / late / missing, and returned / read) and the banner lectures the
    league attended in the month and since the campaign began."""
    on = on or clock.today()
    due = dispatch_due_date(campaign, month)
    reports = {
        r.banner_id: r
        for r in DispatchReport.objects.filter(campaign=campaign, month=month, banner__in=banners).order_by()
    }
    last_day = month_end(month)
    in_month: dict[int, int] = {}
    total: dict[int, int] = {}
    for unit_id, visited_on in (
        LeagueVisit.objects.filter(campaign=campaign, lecture__org_unit__in=banners, visited_on__lte=last_day)
        .order_by()
        .values_list("lecture__org_unit_id", "visited_on")
    ):
        total[unit_id] = total.get(unit_id, 0) + 1
        if visited_on >= month:
            in_month[unit_id] = in_month.get(unit_id, 0) + 1
    rows = []
    for banner in banners:
        report = reports.get(banner.pk)
        rows.append(
            BannerDispatch(
                banner=banner,
                timeliness=_timeliness(report, due, on),
                state=report.get_status_display() if report is not None else "未填报",
                late_days=report.late_days if report is not None else 0,
                visits_in_month=in_month.get(banner.pk, 0),
                visits_total=total.get(banner.pk, 0),
            )
        )
    return rows
