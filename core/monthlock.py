"""The month lock's one entry point for every writer of a hospital's month.

What a hospital's month holds (its lectures, materials, action progress and indicator values) is frozen
by that month's report (SPEC §7). The report sits above the writers that must respect it, so the rule is
registered here at start-up (``reporting.apps.ReportingConfig.ready``) and called from below: the
writers depend on this function, not on the reports package, and the layers stay without a cycle.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

# guard(hospital, month, actor=..., reason=...)
MonthGuard = Callable[..., None]
_guards: list[MonthGuard] = []


def register_month_guard(guard: MonthGuard) -> None:
    """Add a guard (once): it raises ``ValidationError`` when ``(hospital, month)`` may not change, for
    ``actor`` with ``reason`` (a reviewer's correction during review needs one)."""
    if guard not in _guards:
        _guards.append(guard)


def require_month_editable(hospital: Any, month: dt.date, *, actor: Any = None, reason: str = "") -> None:
    """Refuse a change to ``hospital``'s ``month`` by ``actor`` when any registered guard does.

    ``reason`` is the writer's reason for the change; a writer passes the one it records in the history,
    so that a correction allowed because of it is recorded with it.
    """
    for guard in _guards:
        guard(hospital, month, actor=actor, reason=reason)
