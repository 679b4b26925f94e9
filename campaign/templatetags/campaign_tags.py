"""Template helpers of 讲 and 见 pages."""

from __future__ import annotations

from django import template

from campaign.models import OVERDUE, SEEN_STATUS_LABELS, ProgressStatus

register = template.Library()

# The colour of each status a reader sees: done and on track are fine, at risk warns, overdue alarms.
STATUS_BADGES = {
    ProgressStatus.DONE: "ok",
    ProgressStatus.ON_TRACK: "ok",
    ProgressStatus.AT_RISK: "warn",
    OVERDUE: "bad",
}


@register.inclusion_tag("campaign/_status.html")
def action_status(status: str) -> dict[str, str]:
    """An action item's status as a badge: ``{% action_status status %}``."""
    return {"label": str(SEEN_STATUS_LABELS.get(status, status)), "badge": STATUS_BADGES.get(status, "")}
