"""Record stamps on the one clock (issue 13, item 1). ``auto_now`` and ``auto_now_add`` read Django's
real time; a record's 录入/更新/提交/发送时间 is shown to users next to due days and months that read
``core.clock``, so with ``JJX_REPORTING_CLOCK`` set the two would mix. ``ClockStamp`` keeps the two
options' meaning (set on every save / on the first save, not editable) and reads ``clock.now()``.

Like Django's own options it is applied by ``Model.save()`` and ``bulk_create()``, not by
``QuerySet.update()`` or ``bulk_update()``: a service that stamps through those sets ``clock.now()``
itself."""

from __future__ import annotations

import datetime as dt

from django.db import models

from core import clock


class ClockStamp(models.DateTimeField):
    """A ``DateTimeField`` whose ``auto_now`` / ``auto_now_add`` take ``core.clock.now()``."""

    def pre_save(self, model_instance: models.Model, add: bool) -> dt.datetime | None:
        if self.auto_now or (self.auto_now_add and add):
            value = clock.now()
            setattr(model_instance, self.attname, value)
            return value
        stored: dt.datetime | None = getattr(model_instance, self.attname)
        return stored
