"""The one clock of the reporting workflow. Lateness, locking, reminders, bulletins and the December
evaluation all depend on "now"; tests set it here (``monkeypatch.setattr(clock, "now", ...)``) instead of
patching Django, and a demo fixes it with ``settings.REPORTING_CLOCK`` (``JJX_REPORTING_CLOCK``)."""

from __future__ import annotations

import datetime as dt
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone


@cache
def _fixed(moment: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(moment)
    except ValueError:
        raise ImproperlyConfigured(f"JJX_REPORTING_CLOCK is not a date and time: {moment!r}") from None
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def now() -> dt.datetime:
    fixed = getattr(settings, "REPORTING_CLOCK", "")
    return _fixed(fixed) if fixed else timezone.now()


def today() -> dt.date:
    """Today in Asia/Shanghai (TIME_ZONE): a month or a due day is a calendar day there."""
    return timezone.localdate(now())
