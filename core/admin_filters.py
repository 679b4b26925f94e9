"""The admin's date filters (今天 / 过去7天 / 本月 / 今年) on the one clock: Django's own
``DateFieldListFilter`` reads the real time, so on a demo's fixed clock 今天 pointed years away from
every other date the admin shows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.admin.filters import DateFieldListFilter, FieldListFilter
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import clock


class ClockDateFieldListFilter(DateFieldListFilter):
    def __init__(self, field: Any, request: Any, params: Any, model: Any, model_admin: Any, field_path: str):
        super().__init__(field, request, params, model, model_admin, field_path)
        now = timezone.localtime(clock.now())
        today: dt.date | dt.datetime = (
            now.replace(hour=0, minute=0, second=0, microsecond=0)
            if isinstance(field, models.DateTimeField)
            else now.date()
        )
        tomorrow = today + dt.timedelta(days=1)
        next_month = (
            today.replace(year=today.year + 1, month=1, day=1)
            if today.month == 12
            else today.replace(month=today.month + 1, day=1)
        )
        next_year = today.replace(year=today.year + 1, month=1, day=1)
        since, until = self.lookup_kwarg_since, self.lookup_kwarg_until
        links: tuple[tuple[Any, dict[str, Any]], ...] = (
            (_("Any date"), {}),
            (_("Today"), {since: today, until: tomorrow}),
            (_("Past 7 days"), {since: today - dt.timedelta(days=7), until: tomorrow}),
            (_("This month"), {since: today.replace(day=1), until: next_month}),
            (_("This year"), {since: today.replace(month=1, day=1), until: next_year}),
        )
        # Django's "No date" / "Has date" links of a nullable field stay as they are.
        self.links = links + tuple(self.links[len(links) :])


def register() -> None:
    """Every date and date-time field of every admin list filters on the clock (``CoreConfig.ready``)."""
    FieldListFilter.register(
        lambda f: isinstance(f, models.DateField), ClockDateFieldListFilter, take_priority=True
    )
