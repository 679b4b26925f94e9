"""The report workflow's table and who may act on a report at each step (SPEC §7).

Read by the services (which move a report along it) and by the selectors (the lock state and the month
guard, which must know when a report is with its reviewers), so it sits below both.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from campaign.selectors import require_campaign_in_scope
from hospitals.models import Role, User
from hospitals.selectors import AnyUser, require_hospital_in_scope
from reporting.reports.models import MonthlyReport

Status = MonthlyReport.Status

# (states it may start from, state it ends in) per transition.
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "submit": (frozenset({Status.DRAFT}), Status.SUBMITTED),
    "resubmit": (frozenset({Status.RETURNED}), Status.RESUBMITTED),
    "banner_review": (frozenset({Status.SUBMITTED, Status.RESUBMITTED}), Status.BANNER_REVIEWED),
    "approve": (frozenset({Status.SUBMITTED, Status.RESUBMITTED, Status.BANNER_REVIEWED}), Status.APPROVED),
    "return": (frozenset({Status.SUBMITTED, Status.RESUBMITTED, Status.BANNER_REVIEWED}), Status.RETURNED),
    # A granted unlock of an approved report sends it back to the hospital for changes.
    "reopen": (frozenset({Status.APPROVED}), Status.RETURNED),
}
TRANSITION_LABELS = {
    "submit": "提交",
    "resubmit": "重新提交",
    "banner_review": "初审",
    "approve": "审核通过",
    "return": "退回",
    "reopen": "解锁",
}
EDITABLE_STATES = frozenset({Status.DRAFT, Status.RETURNED})
# A report is with its reviewers in every state a reviewer may return it from: submitted, first-reviewed,
# resubmitted. From submission until a return (or the approval) its month is frozen for the hospital.
IN_REVIEW_STATES: frozenset[str] = TRANSITIONS["return"][0]
# The step of each reviewer (SPEC §7): the banner's first review, the league's approval. A reviewer's
# queue holds the reports that step may start from.
REVIEW_STEP: dict[str, str] = {
    Role.BANNER_REVIEWER: "banner_review",
    Role.LEAGUE_REVIEWER: "approve",
    Role.ADMIN: "approve",
}


def review_pending_states(role: str) -> list[str]:
    """The states a report waits in for ``role``'s review, read off ``TRANSITIONS``."""
    sources, _ = TRANSITIONS[REVIEW_STEP.get(role, "approve")]
    return sorted(sources)


def reviewer_role_of(status: str) -> str | None:
    """Whose review a report in ``status`` waits for (the first step in ``REVIEW_STEP`` order)."""
    for role, step in REVIEW_STEP.items():
        if status in TRANSITIONS[step][0]:
            return role
    return None


def require_reviewer(actor: User, report: MonthlyReport) -> None:
    """Return: the banner reviewer in first review, or a league reviewer; of the report's campaign's
    league and with its hospital in scope."""
    if actor.role == Role.BANNER_REVIEWER or actor.is_league_level:
        require_campaign_in_scope(actor, report.campaign_id)
        require_hospital_in_scope(actor, report.hospital)
        return
    raise PermissionDenied("只有审核员可以退回报告。")


def may_review_now(actor: AnyUser | None, report: MonthlyReport) -> bool:
    """Whether ``actor`` is a reviewer of ``report`` at its current step (in scope, and the report waits
    in one of the states the actor's step starts from)."""
    if not isinstance(actor, User) or not actor.is_active:
        return False
    if not (actor.role in REVIEW_STEP or actor.is_league_level):
        return False
    if report.status not in review_pending_states(actor.role):
        return False
    try:
        require_reviewer(actor, report)
    except PermissionDenied:
        return False
    return True
