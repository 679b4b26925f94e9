"""The indicator-value service: every hard rule refuses with its code and writes nothing; history."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from campaign.models import Indicator
from core.months import month_has_ended
from hospitals.audit import history_of
from hospitals.models import ChangeRecord
from reporting.indicators.models import IndicatorValue
from reporting.indicators.services import indicator_value_explain, indicator_value_save
from tests.conftest import Alxa

JULY = dt.date(2021, 7, 1)


def ind(code: str) -> Indicator:
    return Indicator.objects.select_related("campaign__league").get(campaign__code="alxa-2021", code=code)


def save(alxa: Alxa, code: str, **kwargs: Any) -> IndicatorValue:
    kwargs.setdefault("hospital", alxa.h004)
    kwargs.setdefault("month", JULY)
    return indicator_value_save(actor=alxa.reporter, channel="web", indicator=ind(code), **kwargs)


def refused_code(alxa: Alxa, code: str, *, actor: Any = None, **kwargs: Any) -> str:
    before = IndicatorValue.objects.count()
    kwargs.setdefault("hospital", alxa.h004)
    kwargs.setdefault("month", JULY)
    with pytest.raises(ValidationError) as info:
        indicator_value_save(actor=actor or alxa.admin, channel="api", indicator=ind(code), **kwargs)
    assert IndicatorValue.objects.count() == before
    assert not ChangeRecord.objects.filter(action__startswith="indicator_value").exists()
    error = info.value
    codes = [e.code for errors in error.error_dict.values() for e in errors]
    assert all(m for m in error.messages), "every refusal has a message"
    return str(codes[0])


@pytest.mark.django_db
def test_ratio_count_and_yes_no_are_stored_as_raw_figures(alxa: Alxa) -> None:
    ratio = save(alxa, "O2.1-a", numerator="12.50", denominator=100)
    count = save(alxa, "O1.1-a", count=7)
    yes = save(alxa, "O4.2-a", answers=[True])
    parts = save(alxa, "O1.2-a", answers=[True, False, True])
    ratio.refresh_from_db()
    assert (ratio.numerator, ratio.denominator, ratio.count) == (Decimal("12.50"), Decimal("100.00"), None)
    assert count.count == 7
    assert count.numerator is None
    assert yes.answers == [True]
    assert parts.answers == [True, False, True]


@pytest.mark.django_db
def test_banner_indicator_is_entered_by_the_banner(alxa: Alxa) -> None:
    value = indicator_value_save(
        actor=alxa.banner_reviewer,
        channel="web",
        indicator=ind("O1.2-b"),
        unit=alxa.zuoqi,
        month=JULY,
        numerator=800,
        denominator=1000,
    )
    assert value.unit == alxa.zuoqi
    assert value.hospital is None


@pytest.mark.django_db
def test_baseline_is_a_value_of_last_year(alxa: Alxa) -> None:
    value = save(alxa, "O1.1-a", month=dt.date(2020, 7, 1), count=3)
    assert value.is_baseline
    assert not save(alxa, "O1.1-a", count=3).is_baseline


@pytest.mark.parametrize(
    ("code", "figures", "expected"),
    [
        ("O2.1-a", {"numerator": 0, "denominator": 0}, "zero_denominator"),
        ("O2.1-a", {"numerator": 101, "denominator": 100}, "numerator_exceeds_denominator"),
        ("O2.1-a", {"numerator": -1, "denominator": 100}, "negative"),
        ("O2.1-a", {"numerator": 1, "denominator": -100}, "negative"),
        ("O1.1-a", {"count": -1}, "negative"),
        ("O1.1-a", {"count": "2.5"}, "invalid_number"),
        ("O1.1-a", {"count": "abc"}, "invalid_number"),
        ("O2.1-a", {"numerator": "1.001", "denominator": 100}, "invalid_number"),
        ("O2.1-a", {"numerator": 1}, "missing_value"),
        ("O2.1-a", {"numerator": 1, "denominator": 2, "count": 3}, "wrong_shape"),
        ("O1.1-a", {}, "missing_value"),
        ("O1.1-a", {"count": 1, "numerator": 1}, "wrong_shape"),
        ("O4.2-a", {"answers": [True, True]}, "wrong_shape"),
        ("O4.2-a", {"answers": ["yes"]}, "wrong_shape"),
        ("O1.2-a", {"answers": [True]}, "wrong_shape"),
        ("O4.2-a", {"answers": [True], "count": 1}, "wrong_shape"),
        ("O4.2-a", {}, "missing_value"),
    ],
)
@pytest.mark.django_db
def test_bad_figures_are_refused(alxa: Alxa, code: str, figures: dict[str, Any], expected: str) -> None:
    assert refused_code(alxa, code, **figures) == expected


@pytest.mark.django_db
def test_numerator_may_exceed_denominator_where_the_indicator_allows_it(alxa: Alxa) -> None:
    value = save(alxa, "O2.3-a", numerator=150, denominator=100)  # 医护比 1.5 nurses per physician
    assert value.numerator == 150


@pytest.mark.django_db
def test_a_unit_the_indicator_does_not_apply_to_is_refused(alxa: Alxa) -> None:
    # O5.1-a is for city tertiary hospitals; H004 is a secondary hospital.
    assert refused_code(alxa, "O5.1-a", numerator=1, denominator=2) == "not_applicable"
    # O5.2-a is for tertiary hospitals only.
    assert refused_code(alxa, "O5.2-a", answers=[True]) == "not_applicable"
    # A banner-level indicator cannot be entered for a hospital, nor a hospital one for a banner.
    assert refused_code(alxa, "O1.2-b", numerator=1, denominator=2) == "not_applicable"
    assert refused_code(alxa, "O1.1-a", hospital=None, unit=alxa.zuoqi, count=1) == "not_applicable"
    assert refused_code(alxa, "O1.2-b", hospital=None, unit=alxa.league, numerator=1, denominator=2) == (
        "not_applicable"
    )


@pytest.mark.django_db
def test_a_month_that_has_not_ended_is_refused(alxa: Alxa) -> None:
    today = timezone.localdate()
    alxa.campaign.year = today.year
    alxa.campaign.save()
    this_month = today.replace(day=1)
    assert refused_code(alxa, "O1.1-a", month=this_month, count=1) == "month_not_ended"
    assert month_has_ended(this_month, today=this_month.replace(year=this_month.year + 1))


@pytest.mark.django_db
def test_months_outside_the_campaign_and_its_baseline_year_are_refused(alxa: Alxa) -> None:
    assert refused_code(alxa, "O1.1-a", month=dt.date(2019, 12, 1), count=1) == "month_outside_campaign"
    assert refused_code(alxa, "O1.1-a", month=dt.date(2021, 7, 2), count=1) == "invalid_month"


@pytest.mark.django_db
def test_writes_outside_the_actors_scope_are_forbidden(alxa: Alxa) -> None:
    with pytest.raises(PermissionDenied):
        save(alxa, "O1.1-a", hospital=alxa.h006, count=1)  # reporter of H004 writing H006
    with pytest.raises(PermissionDenied):
        indicator_value_save(
            actor=alxa.reporter, channel="web", indicator=ind("O1.2-b"), unit=alxa.zuoqi, month=JULY,
            numerator=1, denominator=2,
        )  # fmt: skip
    assert not IndicatorValue.objects.exists()


@pytest.mark.django_db
def test_every_change_is_in_the_history_with_old_and_new_and_channel(alxa: Alxa) -> None:
    value = save(alxa, "O2.1-a", numerator=10, denominator=100)
    indicator_value_save(
        actor=alxa.banner_reviewer, channel="admin", indicator=ind("O2.1-a"), hospital=alxa.h004, month=JULY,
        numerator=12, denominator=100, reason="核对后更正",
    )  # fmt: skip
    save(alxa, "O2.1-a", numerator=12, denominator=100)  # unchanged: no history row
    indicator_value_explain(actor=alxa.reporter, channel="web", value=value, explanation="新增康复科")
    rows = list(history_of(value).order_by("id"))
    assert [(r.action, r.channel) for r in rows] == [
        ("indicator_value_create", "web"),
        ("indicator_value_update", "admin"),
        ("indicator_value_explain", "web"),
    ]
    assert rows[0].changes["numerator"] == [None, "10.00"]
    assert rows[1].changes == {"numerator": ["10.00", "12.00"]}
    assert rows[1].actor == alxa.banner_reviewer
    assert rows[1].reason == "核对后更正"
    assert rows[2].changes == {"explanation": ["", "新增康复科"]}


@pytest.mark.django_db
def test_the_database_keeps_one_value_per_unit_indicator_and_month(alxa: Alxa) -> None:
    save(alxa, "O1.1-a", count=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorValue.objects.create(indicator=ind("O1.1-a"), hospital=alxa.h004, month=JULY, count=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorValue.objects.create(indicator=ind("O1.1-b"), hospital=alxa.h004, month=JULY, count=-2)
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorValue.objects.create(
            indicator=ind("O1.2-b"),
            hospital=alxa.h004,
            unit=alxa.zuoqi,
            month=JULY,
            numerator=1,
            denominator=2,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorValue.objects.create(indicator=ind("O1.1-b"), hospital=alxa.h004, month=dt.date(2021, 7, 3))
