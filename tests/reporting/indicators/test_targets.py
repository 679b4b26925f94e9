"""Target evaluation: each of the seven rule kinds met, not met and without data; roll-ups; query count."""

import datetime as dt
from decimal import Decimal

import pytest

from hospitals.models import Hospital, OrgUnit
from reporting.indicators.selectors import Period
from reporting.indicators.targets import TargetResults, indicator_evaluations
from tests.conftest import Alxa
from tests.factories import HospitalFactory, indicator_value

NOW = dt.date(2021, 7, 1)
BEFORE = dt.date(2020, 7, 1)


def evaluate(alxa: Alxa, period: Period | None = None) -> TargetResults:
    return indicator_evaluations(
        campaign=alxa.campaign,
        hospitals=Hospital.objects.all(),
        banners=OrgUnit.objects.filter(kind="banner"),
        period=period or Period.month(2021, 7),
    )


def verdict(alxa: Alxa, code: str, owner: Hospital | OrgUnit) -> str:
    scope = "hospital" if isinstance(owner, Hospital) else "banner"
    return evaluate(alxa).unit(code, scope, owner.pk).verdict


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("now", "before", "expected"), [(11, 10, "met"), (10, 10, "not_met"), (9, 10, "not_met")]
)
def test_increase(alxa: Alxa, now: int, before: int, expected: str) -> None:
    indicator_value("O1.1-a", alxa.h004, NOW, count=now)
    indicator_value("O1.1-a", alxa.h004, BEFORE, count=before)
    assert verdict(alxa, "O1.1-a", alxa.h004) == expected


@pytest.mark.django_db
def test_increase_of_a_ratio_compares_the_ratios(alxa: Alxa) -> None:
    indicator_value("O2.2-a", alxa.h004, NOW, numerator=30, denominator=200)  # 15 %
    indicator_value("O2.2-a", alxa.h004, BEFORE, numerator=20, denominator=100)  # 20 %
    row = evaluate(alxa).unit("O2.2-a", "hospital", alxa.h004.pk)
    assert row.verdict == "not_met"
    assert row.change == Decimal(-5)
    assert "15.0%" in row.note
    assert "20.0%" in row.note


@pytest.mark.django_db
@pytest.mark.parametrize(("now", "expected"), [(40, "met"), (50, "not_met"), (60, "not_met")])
def test_decrease(alxa: Alxa, now: int, expected: str) -> None:
    indicator_value("O5.1-a", alxa.h001, NOW, numerator=now, denominator=100)
    indicator_value("O5.1-a", alxa.h001, BEFORE, numerator=50, denominator=100)
    assert verdict(alxa, "O5.1-a", alxa.h001) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(("now", "expected"), [(65, "met"), (66, "met"), (64, "not_met")])
def test_increase_by_percentage_points(alxa: Alxa, now: int, expected: str) -> None:
    # O1.2-b 县域内就诊率, a banner indicator: +10 percentage points.
    indicator_value("O1.2-b", alxa.zuoqi, NOW, numerator=now, denominator=100)
    indicator_value("O1.2-b", alxa.zuoqi, BEFORE, numerator=55, denominator=100)
    row = evaluate(alxa).unit("O1.2-b", "banner", alxa.zuoqi.pk)
    assert row.verdict == expected
    assert row.target == Decimal("0.65")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("now", "before", "expected"),
    [(110, 100, "met"), (109, 100, "not_met"), (1, 0, "met"), (0, 0, "not_met")],
)
def test_increase_by_percent(alxa: Alxa, now: int, before: int, expected: str) -> None:
    # O4.2-b 下转患者人数: at least +10 %.
    indicator_value("O4.2-b", alxa.h004, NOW, count=now)
    indicator_value("O4.2-b", alxa.h004, BEFORE, count=before)
    assert verdict(alxa, "O4.2-b", alxa.h004) == expected


@pytest.mark.django_db
def test_minimum_by_hospital_level(alxa: Alxa) -> None:
    # O3.1-a 临床路径: ≥ 60 % for 三级 (H001), ≥ 75 % for 二级 (H004, H006).
    indicator_value("O3.1-a", alxa.h001, NOW, numerator=60, denominator=100)
    indicator_value("O3.1-a", alxa.h004, NOW, numerator=74, denominator=100)
    indicator_value("O3.1-a", alxa.h006, NOW, numerator=75, denominator=100)
    table = evaluate(alxa)
    assert table.unit("O3.1-a", "hospital", alxa.h001.pk).verdict == "met"
    assert table.unit("O3.1-a", "hospital", alxa.h004.pk).verdict == "not_met"
    assert table.unit("O3.1-a", "hospital", alxa.h004.pk).target == Decimal("0.75")
    assert table.unit("O3.1-a", "hospital", alxa.h006.pk).verdict == "met"
    assert table.banner("O3.1-a", alxa.zuoqi.pk).verdict == "not_met"
    assert table.banner("O3.1-a", alxa.youqi.pk).verdict == "no_data"  # H007 has nothing
    youqi = table.banner("O3.1-a", alxa.youqi.pk)
    assert (youqi.met, youqi.not_met, youqi.no_data) == (1, 0, 1)


@pytest.mark.django_db
def test_all_yes(alxa: Alxa) -> None:
    indicator_value("O1.2-a", alxa.h004, NOW, answers=[True, True, True])
    indicator_value("O1.2-a", alxa.h006, NOW, answers=[True, False, True])
    table = evaluate(alxa)
    assert table.unit("O1.2-a", "hospital", alxa.h004.pk).verdict == "met"
    not_met = table.unit("O1.2-a", "hospital", alxa.h006.pk)
    assert not_met.verdict == "not_met"
    assert "信息通" in not_met.note
    assert table.total("O1.2-a").verdict == "not_met"


@pytest.mark.django_db
def test_all_yes_applies_only_where_the_indicator_does(alxa: Alxa) -> None:
    # O5.2-a 总会计师: tertiary hospitals only (H001, H002).
    indicator_value("O5.2-a", alxa.h001, NOW, answers=[True])
    table = evaluate(alxa)
    assert {e.unit_id for e in table.units if e.indicator.code == "O5.2-a"} == set(
        Hospital.objects.filter(level="tertiary").values_list("pk", flat=True)
    )
    league = table.total("O5.2-a")
    assert (league.verdict, league.met, league.no_data) == ("no_data", 1, 1)
    indicator_value("O5.2-a", Hospital.objects.get(code="H002"), NOW, answers=[True])
    assert evaluate(alxa).total("O5.2-a").verdict == "met"


@pytest.mark.django_db
def test_count_of_hospitals_at_the_campaign_threshold(alxa: Alxa) -> None:
    # O3.1-b 病案首页完整率: hospitals at ≥ 95 % (campaign setting), this year vs last year.
    indicator_value("O3.1-b", alxa.h001, NOW, numerator=96, denominator=100)
    indicator_value("O3.1-b", alxa.h004, NOW, numerator=95, denominator=100)
    indicator_value("O3.1-b", alxa.h006, NOW, numerator=90, denominator=100)
    indicator_value("O3.1-b", alxa.h001, BEFORE, numerator=97, denominator=100)
    indicator_value("O3.1-b", alxa.h004, BEFORE, numerator=80, denominator=100)
    table = evaluate(alxa)
    assert table.unit("O3.1-b", "hospital", alxa.h004.pk).verdict == "met"
    assert table.unit("O3.1-b", "hospital", alxa.h006.pk).verdict == "not_met"
    league = table.total("O3.1-b")
    assert (league.verdict, league.count_now, league.count_last) == ("met", 2, 1)
    zuoqi = table.banner("O3.1-b", alxa.zuoqi.pk)
    assert (zuoqi.verdict, zuoqi.count_now, zuoqi.count_last) == ("met", 2, 1)
    youqi = table.banner("O3.1-b", alxa.youqi.pk)
    assert youqi.verdict == "no_data"  # no value last year in 右旗


@pytest.mark.django_db
def test_count_of_hospitals_that_do_not_increase(alxa: Alxa) -> None:
    # O3.2-a 点数法/DIP: count of hospitals answering yes.
    indicator_value("O3.2-a", alxa.h004, NOW, answers=[True])
    indicator_value("O3.2-a", alxa.h001, NOW, answers=[False])
    indicator_value("O3.2-a", alxa.h004, BEFORE, answers=[True])
    league = evaluate(alxa).total("O3.2-a")
    assert (league.verdict, league.count_now, league.count_last) == ("not_met", 1, 1)


@pytest.mark.django_db
def test_count_of_hospitals_reads_its_threshold_from_the_campaign(alxa: Alxa) -> None:
    indicator_value("O3.1-b", alxa.h004, NOW, numerator=90, denominator=100)
    indicator_value("O3.1-b", alxa.h004, BEFORE, numerator=80, denominator=100)
    assert evaluate(alxa).total("O3.1-b").verdict == "not_met"
    alxa.campaign.settings["medical_record_completeness_threshold"] = 0.85
    alxa.campaign.save()
    assert evaluate(alxa).total("O3.1-b").verdict == "met"


@pytest.mark.django_db
def test_no_data_for_every_kind(alxa: Alxa) -> None:
    table = evaluate(alxa)
    for code in ["O1.1-a", "O5.1-a", "O4.2-b", "O3.1-a", "O1.2-a", "O3.1-b", "O3.2-a"]:
        owner = alxa.h001
        assert table.unit(code, "hospital", owner.pk).verdict == "no_data", code
        assert table.total(code).verdict == "no_data", code
    assert table.unit("O1.2-b", "banner", alxa.zuoqi.pk).verdict == "no_data"
    # This year without last year is no data for a comparison rule too.
    indicator_value("O1.1-a", alxa.h004, NOW, count=5)
    row = evaluate(alxa).unit("O1.1-a", "hospital", alxa.h004.pk)
    assert row.verdict == "no_data"
    assert "上年同期无数据" in row.note


@pytest.mark.django_db
def test_league_rollup_of_a_comparison_rule_adds_raw_numbers_of_comparable_units(alxa: Alxa) -> None:
    indicator_value("O2.2-a", alxa.h001, NOW, numerator=10, denominator=100)
    indicator_value("O2.2-a", alxa.h001, BEFORE, numerator=20, denominator=100)
    indicator_value("O2.2-a", alxa.h004, NOW, numerator=90, denominator=100)
    indicator_value("O2.2-a", alxa.h004, BEFORE, numerator=10, denominator=100)
    indicator_value("O2.2-a", alxa.h006, NOW, numerator=0, denominator=100)  # no last year: left out
    league = evaluate(alxa).total("O2.2-a")
    assert (league.current.numerator, league.current.denominator) == (Decimal(100), Decimal(200))
    assert (league.verdict, league.met, league.not_met, league.no_data) == ("met", 1, 1, 8)


@pytest.mark.django_db
def test_year_to_date_evaluation(alxa: Alxa) -> None:
    for month, count in [(1, 2), (2, 2), (3, 2)]:
        indicator_value("O1.1-a", alxa.h004, dt.date(2021, month, 1), count=count)
        indicator_value("O1.1-a", alxa.h004, dt.date(2020, month, 1), count=1)
    table = evaluate(alxa, Period.year_to_date(2021, 3))
    row = table.unit("O1.1-a", "hospital", alxa.h004.pk)
    assert (row.verdict, row.current.count, row.last_year.count) == ("met", 6, 3)


@pytest.mark.django_db
@pytest.mark.parametrize("extra", [0, 40])
def test_evaluating_a_league_takes_four_queries_whatever_its_size(
    alxa: Alxa, extra: int, django_assert_num_queries
) -> None:
    HospitalFactory.create_batch(extra, banner=alxa.zuoqi)
    for h in Hospital.objects.all():
        indicator_value("O1.1-a", h, NOW, count=2)
        indicator_value("O1.1-a", h, BEFORE, count=1)
    with django_assert_num_queries(4):
        table = evaluate(alxa)
    assert table.total("O1.1-a").met == 10 + extra
