"""Aggregation over periods, last year beside this year, and the soft-rule warnings."""

import datetime as dt
from decimal import Decimal

import pytest

from campaign.models import Indicator
from hospitals.models import Hospital, OrgUnit, User
from reporting.indicators.models import IndicatorValue
from reporting.indicators.selectors import (
    Period,
    UnitKey,
    indicator_comparisons,
    indicator_unexplained_warnings,
    indicator_unit_month,
    indicator_value_list,
    indicator_value_warnings,
    indicator_values_missing,
)
from tests.conftest import Alxa
from tests.factories import indicator_value


def comparison(alxa: Alxa, code: str, period: Period, owner: Hospital | OrgUnit | None = None):
    owner = owner or alxa.h004
    key = UnitKey("hospital" if isinstance(owner, Hospital) else "banner", owner.pk)
    rows = indicator_comparisons(
        campaign=alxa.campaign,
        period=period,
        hospitals=Hospital.objects.filter(pk=alxa.h004.pk),
        banners=OrgUnit.objects.filter(pk=alxa.zuoqi.pk),
        indicators=list(Indicator.objects.filter(campaign=alxa.campaign, code=code)),
    )
    return next(r for r in rows if r.key == key)


@pytest.mark.django_db
def test_a_ratio_over_months_is_the_sum_of_numerators_over_the_sum_of_denominators(alxa: Alxa) -> None:
    indicator_value("O2.2-a", alxa.h004, dt.date(2021, 7, 1), numerator=1, denominator=1)
    indicator_value("O2.2-a", alxa.h004, dt.date(2021, 8, 1), numerator=1, denominator=99)
    figure = comparison(alxa, "O2.2-a", Period(dt.date(2021, 7, 1), dt.date(2021, 8, 1))).current
    assert (figure.numerator, figure.denominator) == (Decimal(2), Decimal(100))
    assert figure.value == Decimal("0.02")  # 2 %, not the 50.5 % a mean of monthly percentages gives


@pytest.mark.django_db
def test_quarter_and_year_to_date_with_last_year_and_the_change_in_points(alxa: Alxa) -> None:
    for month, (num, den) in {1: (10, 100), 4: (30, 100), 5: (20, 100), 7: (99, 100)}.items():
        indicator_value("O2.2-a", alxa.h004, dt.date(2021, month, 1), numerator=num, denominator=den)
    indicator_value("O2.2-a", alxa.h004, dt.date(2020, 4, 1), numerator=10, denominator=100)
    indicator_value("O2.2-a", alxa.h004, dt.date(2020, 6, 1), numerator=30, denominator=100)
    q2 = comparison(alxa, "O2.2-a", Period.quarter(2021, 2))
    assert q2.current.value == Decimal("0.25")
    assert q2.current.months == 2
    assert q2.last_year.value == Decimal("0.2")
    assert q2.change == Decimal(5)
    assert q2.change_unit == "pp"
    ytd = comparison(alxa, "O2.2-a", Period.year_to_date(2021, 5))
    assert (ytd.current.numerator, ytd.current.denominator) == (Decimal(60), Decimal(300))


@pytest.mark.django_db
def test_counts_sum_and_change_in_percent(alxa: Alxa) -> None:
    indicator_value("O1.1-a", alxa.h004, dt.date(2021, 7, 1), count=6)
    indicator_value("O1.1-a", alxa.h004, dt.date(2021, 8, 1), count=9)
    indicator_value("O1.1-a", alxa.h004, dt.date(2020, 7, 1), count=10)
    indicator_value("O1.1-a", alxa.h004, dt.date(2020, 8, 1), count=2)
    row = comparison(alxa, "O1.1-a", Period(dt.date(2021, 7, 1), dt.date(2021, 8, 1)))
    assert (row.current.count, row.last_year.count) == (15, 12)
    assert row.change == Decimal(25)
    assert row.change_unit == "%"


@pytest.mark.django_db
def test_yes_no_is_the_latest_answer_in_the_period(alxa: Alxa) -> None:
    indicator_value("O1.2-a", alxa.h004, dt.date(2021, 7, 1), answers=[True, True, True])
    indicator_value("O1.2-a", alxa.h004, dt.date(2021, 9, 1), answers=[True, False, True])
    indicator_value("O1.2-a", alxa.h004, dt.date(2021, 8, 1), answers=[False, False, False])
    row = comparison(alxa, "O1.2-a", Period.quarter(2021, 3))
    assert row.current.answers == (True, False, True)
    assert row.current.yes is False
    assert row.change is None


@pytest.mark.django_db
def test_banner_indicators_are_compared_for_banners(alxa: Alxa) -> None:
    indicator_value("O1.2-b", alxa.zuoqi, dt.date(2021, 7, 1), numerator=70, denominator=100)
    indicator_value("O1.2-b", alxa.zuoqi, dt.date(2020, 7, 1), numerator=55, denominator=100)
    row = comparison(alxa, "O1.2-b", Period.month(2021, 7), owner=alxa.zuoqi)
    assert row.change == Decimal(15)


@pytest.mark.django_db
def test_no_data_gives_an_empty_figure(alxa: Alxa) -> None:
    row = comparison(alxa, "O2.2-a", Period.month(2021, 7))
    assert not row.current.has_data
    assert row.current.value is None
    assert row.change is None


@pytest.mark.django_db
def test_comparisons_cost_four_queries_at_any_size(alxa: Alxa, django_assert_num_queries) -> None:
    for h in Hospital.objects.all():
        indicator_value("O1.1-a", h, dt.date(2021, 7, 1), count=1)
    with django_assert_num_queries(4):
        rows = indicator_comparisons(
            campaign=alxa.campaign,
            period=Period.month(2021, 7),
            hospitals=Hospital.objects.all(),
            banners=OrgUnit.objects.filter(kind="banner"),
        )
    assert sum(1 for r in rows if r.indicator.code == "O1.1-a" and r.current.count == 1) == 10
    # Applicability: O5.1-a only for the two city tertiary hospitals.
    assert sum(1 for r in rows if r.indicator.code == "O5.1-a") == 2


def _warnings(value: IndicatorValue) -> list[str]:
    loaded = indicator_value_list(User.objects.get(username="admin"))
    return [w.code for w in indicator_value_warnings(list(loaded.filter(pk=value.pk)))[value.pk]]


@pytest.mark.django_db
def test_a_change_beyond_the_campaign_bound_warns(alxa: Alxa) -> None:
    indicator_value("O1.1-a", alxa.h004, dt.date(2020, 7, 1), count=10)
    assert _warnings(indicator_value("O1.1-a", alxa.h004, dt.date(2021, 7, 1), count=16)) == [
        "change_beyond_bound"
    ]
    ok = indicator_value("O1.1-b", alxa.h004, dt.date(2021, 7, 1), count=15)
    indicator_value("O1.1-b", alxa.h004, dt.date(2020, 7, 1), count=10)
    assert _warnings(ok) == []  # +50 % exactly is within the bound
    # Last year 0: no base to compare with, no warning.
    indicator_value("O2.3-c", alxa.h004, dt.date(2020, 7, 1), count=0)
    assert _warnings(indicator_value("O2.3-c", alxa.h004, dt.date(2021, 7, 1), count=5)) == []


@pytest.mark.django_db
def test_a_value_outside_the_plausible_range_for_the_level_warns(alxa: Alxa) -> None:
    # O2.1-a: secondary [5 %, 60 %], tertiary [10 %, 60 %].
    assert (
        _warnings(indicator_value("O2.1-a", alxa.h004, dt.date(2021, 7, 1), numerator=7, denominator=100))
        == []
    )
    assert _warnings(
        indicator_value("O2.1-a", alxa.h001, dt.date(2021, 7, 1), numerator=7, denominator=100)
    ) == ["outside_plausible_range"]


@pytest.mark.django_db
def test_unexplained_warnings_block_until_explained(alxa: Alxa) -> None:
    indicator_value("O1.1-a", alxa.h004, dt.date(2020, 7, 1), count=10)
    value = indicator_value("O1.1-a", alxa.h004, dt.date(2021, 7, 1), count=30)
    found = indicator_unexplained_warnings(
        campaign=alxa.campaign, hospital=alxa.h004, month=dt.date(2021, 7, 1)
    )
    assert [(w.indicator_code, w.code) for w in found] == [("O1.1-a", "change_beyond_bound")]
    assert "+200.0%" in found[0].message
    IndicatorValue.objects.filter(pk=value.pk).update(explanation="开展社区义诊月")
    assert (
        indicator_unexplained_warnings(campaign=alxa.campaign, hospital=alxa.h004, month=dt.date(2021, 7, 1))
        == []
    )


@pytest.mark.django_db
def test_missing_values_and_the_unit_month_view(alxa: Alxa) -> None:
    indicator_value("O1.1-a", alxa.h004, dt.date(2021, 7, 1), count=3)
    indicator_value("O1.1-a", alxa.h004, dt.date(2020, 7, 1), count=2)
    missing = indicator_values_missing(campaign=alxa.campaign, hospital=alxa.h004, month=dt.date(2021, 7, 1))
    codes = [i.code for i in missing]
    assert "O1.1-a" not in codes
    assert "O1.1-b" in codes
    assert "O5.2-a" not in codes
    assert "O1.2-b" not in codes
    rows = indicator_unit_month(campaign=alxa.campaign, hospital=alxa.h004, month=dt.date(2021, 7, 1))
    first = next(r for r in rows if r.indicator.code == "O1.1-a")
    assert first.value is not None
    assert first.value.count == 3
    assert first.last_year is not None
    assert first.last_year.count == 2
    assert len(rows) == len(codes) + 1


@pytest.mark.parametrize(
    "build",
    [
        # schemathesis: years and months from query strings that no date can hold were an OverflowError
        lambda: Period.quarter(362880, 3749414182792689876992),
        lambda: Period.month(-7346749752746611, 7),
        lambda: Period.year_to_date(2021, 1192886156),
        lambda: Period.month(2021, 13),
        # year 1 has no previous year to compare with
        lambda: Period.month(1, 7),
    ],
)
def test_a_period_no_date_can_hold_is_a_value_error(build) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 (every caller turns any ValueError into its 400)
        build()


def test_a_period_in_year_2_still_has_its_previous_year() -> None:
    assert Period.month(2, 7).previous_year() == Period(dt.date(1, 7, 1), dt.date(1, 7, 1))
