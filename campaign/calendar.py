"""The campaign's monthly calendar (SPEC §7): which months need a self-check, when a month's report
is due and when it locks. Pure functions of the campaign's data."""

from __future__ import annotations

import datetime as dt

from campaign.models import Campaign
from core.months import month_has_ended, month_start, next_month


def report_due_date(campaign: Campaign, month: dt.date) -> dt.date:
    """A month's report is due on ``report_due_day`` of the following month."""
    return next_month(month).replace(day=campaign.report_due_day)


def report_lock_date(campaign: Campaign, month: dt.date) -> dt.date:
    """The last day a month's report may still be edited; from the day after, it is read-only."""
    return next_month(month).replace(day=campaign.lock_day)


def report_months(campaign: Campaign) -> list[dt.date]:
    """The months that need a self-check: from ``bulletin_from_month`` (notice §三(三): "7月起按月自查")
    to the campaign's last month."""
    first = dt.date(campaign.year, campaign.bulletin_from_month, 1)
    last = month_start(campaign.ends_on)
    months = []
    month = first
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


def late_days_for(campaign: Campaign, month: dt.date, submitted_on: dt.date) -> int:
    return max(0, (submitted_on - report_due_date(campaign, month)).days)


def campaign_months(campaign: Campaign) -> list[dt.date]:
    """The campaign's calendar months (the 1st of each)."""
    months, month = [], campaign.starts_on.replace(day=1)
    while month <= campaign.ends_on:
        months.append(month)
        month = next_month(month)
    return months


def current_month(campaign: Campaign, today: dt.date) -> dt.date:
    """The month people work on now: the last campaign month that has ended (the first one before)."""
    months = campaign_months(campaign)
    ended = [m for m in months if month_has_ended(m, today=today)]
    return ended[-1] if ended else months[0]
