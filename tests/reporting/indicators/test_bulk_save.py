"""``indicator_values_save``: several indicators of one unit and month through the one service's rules,
all or nothing, one history row per value written (the demo and the month's page use it)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.refusals import refusal_codes
from hospitals.models import ChangeRecord
from reporting.indicators.models import IndicatorValue
from reporting.indicators.services import ValueEntry, indicator_value_save, indicator_values_save
from reporting.reports.models import MonthlyReport
from tests.conftest import Alxa
from tests.reporting.indicators.test_services import ind

pytestmark = pytest.mark.django_db
JULY = dt.date(2021, 7, 1)


def _entries() -> list[ValueEntry]:
    return [
        ValueEntry(ind("O2.1-a"), numerator="30", denominator="100"),
        ValueEntry(ind("O1.1-a"), count=7),
        ValueEntry(ind("O4.2-a"), answers=[True]),
    ]


def test_several_values_are_written_with_one_history_row_each(alxa: Alxa) -> None:
    values = indicator_values_save(
        actor=alxa.reporter, channel="web", month=JULY, hospital=alxa.h004, entries=_entries()
    )
    assert [v.indicator.code for v in values] == ["O2.1-a", "O1.1-a", "O4.2-a"]
    stored = {v.indicator.code: v for v in IndicatorValue.objects.select_related("indicator")}
    assert (stored["O2.1-a"].numerator, stored["O2.1-a"].denominator) == (Decimal("30"), Decimal("100"))
    assert stored["O1.1-a"].count == 7
    assert stored["O4.2-a"].answers == [True]
    assert {v.updated_by for v in stored.values()} == {alxa.reporter}
    records = list(ChangeRecord.objects.filter(action="indicator_value_create").order_by("id"))
    assert [r.object_id for r in records] == [str(v.pk) for v in values]
    assert records[1].changes["count"] == [None, 7]
    assert {(r.actor, r.channel) for r in records} == {(alxa.reporter, "web")}

    # The same figures again write nothing; a changed one is an update with old → new.
    indicator_values_save(
        actor=alxa.reporter, channel="web", month=JULY, hospital=alxa.h004, entries=_entries()
    )
    assert ChangeRecord.objects.filter(action__startswith="indicator_value").count() == 3
    changed = [*_entries()[:1], ValueEntry(ind("O1.1-a"), count=9)]
    indicator_values_save(actor=alxa.reporter, channel="api", month=JULY, hospital=alxa.h004, entries=changed)
    update = ChangeRecord.objects.get(action="indicator_value_update")
    assert (update.object_id, update.changes, update.channel) == (str(values[1].pk), {"count": [7, 9]}, "api")
    # The one-value service is the same path.
    value = indicator_value_save(
        actor=alxa.reporter, channel="web", indicator=ind("O1.1-a"), month=JULY, hospital=alxa.h004, count=9
    )
    assert value.pk == values[1].pk
    assert ChangeRecord.objects.filter(action__startswith="indicator_value").count() == 4


def test_one_refused_entry_writes_nothing(alxa: Alxa) -> None:
    entries = [*_entries(), ValueEntry(ind("O1.1-a"), count=-1)]
    with pytest.raises(ValidationError) as info:
        indicator_values_save(
            actor=alxa.reporter, channel="web", month=JULY, hospital=alxa.h004, entries=entries
        )
    assert refusal_codes(info.value) == ["negative"]
    assert "count" in info.value.error_dict
    assert not IndicatorValue.objects.exists()
    assert not ChangeRecord.objects.filter(action__startswith="indicator_value").exists()


def test_scope_and_the_months_lock_are_checked_once_for_all(alxa: Alxa) -> None:
    with pytest.raises(PermissionDenied):
        indicator_values_save(
            actor=alxa.reporter, channel="web", month=JULY, hospital=alxa.h006, entries=_entries()
        )
    MonthlyReport.objects.create(
        campaign=alxa.campaign, hospital=alxa.h004, month=JULY, status=MonthlyReport.Status.SUBMITTED
    )
    with pytest.raises(ValidationError) as info:
        indicator_values_save(
            actor=alxa.reporter, channel="web", month=JULY, hospital=alxa.h004, entries=_entries()
        )
    assert refusal_codes(info.value) == ["report_in_review"]
    with pytest.raises(ValidationError) as info:
        indicator_values_save(actor=alxa.reporter, channel="web", month=JULY, hospital=alxa.h004, entries=[])
    assert refusal_codes(info.value) == ["report_in_review"]
    assert not IndicatorValue.objects.exists()
