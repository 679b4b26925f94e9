"""Calendar months. A month is a ``datetime.date`` on its 1st; a month is over once its last day has
passed in Asia/Shanghai (TIME_ZONE) on the one clock (``core.clock``)."""

from __future__ import annotations

import datetime as dt

from core import clock


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def month_end(month: dt.date) -> dt.date:
    """The last day of ``month``."""
    return next_month(month) - dt.timedelta(days=1)


def month_has_ended(month: dt.date, *, today: dt.date | None = None) -> bool:
    """True once the month's last day has passed (``today`` defaults to the clock's)."""
    return next_month(month) <= (today or clock.today())
