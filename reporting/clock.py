"""The one clock of the reporting workflow. Lateness, locking and reminders all depend on "now"; tests
set it here (``monkeypatch.setattr(clock, "now", ...)``) instead of patching Django."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def now() -> dt.datetime:
    return timezone.now()


def today() -> dt.date:
    """Today in Asia/Shanghai (TIME_ZONE): a month or a due day is a calendar day there."""
    return timezone.localdate(now())
