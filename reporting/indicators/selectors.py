"""Reads of indicator values: periods, aggregation, last year beside this year, and soft-rule warnings.

Aggregation follows SPEC §6: a ratio over a period is Σnumerator / Σdenominator (never the mean of
monthly percentages), a count is a sum, and a yes/no is the latest month's answer. Every function here
reads the values it needs in one query, so a league of 300 hospitals costs the same number of queries as
one hospital; the period figures of many units are summed by the database (``period_figures``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from django.contrib.postgres.aggregates.mixins import OrderableAggMixin
from django.db.models import (
    Aggregate,
    BooleanField,
    Case,
    Count,
    F,
    JSONField,
    Max,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce

from campaign.models import Campaign, Indicator, applies_to_hospital
from core.months import next_month
from core.versions import query_parts
from hospitals.models import Hospital, MedicalAlliance, OrgUnit
from hospitals.selectors import AnyUser, scope_queryset, with_county_community
from reporting.indicators.models import IndicatorValue

HUNDRED = Decimal(100)


def figure_tables() -> tuple[str, ...]:
    """The tables every figure, comparison and verdict of this module and ``targets`` is computed from:
    their results may be kept under these tables' versions (``core.versions``; a test holds every query
    of the computation to them)."""
    models = (IndicatorValue, Indicator, Campaign, Hospital, OrgUnit, MedicalAlliance)
    # The alliances' members too: which hospitals are in a 医共体 decides where O4.2-b applies.
    return (*(m._meta.db_table for m in models), MedicalAlliance.members.through._meta.db_table)


def figure_parts(
    campaign: Campaign, period: Period, hospitals: QuerySet[Hospital], banners: QuerySet[OrgUnit]
) -> tuple[Any, ...]:
    """What else a figure of these units depends on, as a cache key part: the campaign, the period and
    the units' querysets as SQL (the viewer's scope, any narrowing)."""
    return (campaign.pk, period.start, period.end, query_parts(hospitals), query_parts(banners))


# ---------------------------------------------------------------------------------------------- periods


@dataclass(frozen=True)
class Period:
    """Calendar months ``start`` … ``end`` inclusive, both given as the 1st of the month."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.start.day != 1 or self.end.day != 1 or self.end < self.start:
            raise ValueError(f"bad period {self.start}–{self.end}")

    @staticmethod
    def _first_of(year: int, month: int) -> dt.date:
        """The 1st of a month named by request parameters. Every error is a ValueError, which the callers
        turn into a 400: a year or month too large for a C long (OverflowError in ``dt.date``), and year 1,
        which has no previous year to compare with (``previous_year``)."""
        try:
            first = dt.date(year, month, 1)
        except OverflowError as exc:
            raise ValueError(f"no month {year}-{month}") from exc
        if first.year == dt.MINYEAR:
            raise ValueError("year 1 has no previous year")
        return first

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(cls._first_of(year, month), cls._first_of(year, month))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        first = 3 * (quarter - 1) + 1
        return cls(cls._first_of(year, first), cls._first_of(year, first + 2))

    @classmethod
    def year_to_date(cls, year: int, month: int) -> Period:
        return cls(cls._first_of(year, 1), cls._first_of(year, month))

    @property
    def months(self) -> list[dt.date]:
        months, month = [], self.start
        while month <= self.end:
            months.append(month)
            month = next_month(month)
        return months

    def previous_year(self) -> Period:
        return Period(self.start.replace(year=self.start.year - 1), self.end.replace(year=self.end.year - 1))

    @property
    def label(self) -> str:
        if self.start == self.end:
            return f"{self.start:%Y年%-m月}"
        return (
            f"{self.start:%Y年%-m月}–{self.end:%-m月}"
            if self.start.year == self.end.year
            else (f"{self.start:%Y年%-m月}–{self.end:%Y年%-m月}")
        )


# ---------------------------------------------------------------------------------------------- figures


class UnitKey(NamedTuple):
    """Who reported a value: ("hospital", id) or ("banner", id)."""

    kind: str
    id: int


def unit_key(hospital_id: int | None, unit_id: int | None) -> UnitKey:
    return UnitKey("hospital", hospital_id) if hospital_id is not None else UnitKey("banner", unit_id or 0)


class RawValue(NamedTuple):
    """One stored value as loaded in bulk (a tuple, not a model instance: 300 hospitals × 24 months)."""

    indicator_id: int
    hospital_id: int | None
    unit_id: int | None
    month: dt.date
    numerator: Decimal | None
    denominator: Decimal | None
    count_value: int | None  # "count" would shadow tuple.count
    answers: list[bool]

    @property
    def key(self) -> UnitKey:
        return unit_key(self.hospital_id, self.unit_id)


RAW_FIELDS = (
    "indicator_id",
    "hospital_id",
    "unit_id",
    "month",
    "numerator",
    "denominator",
    "count",
    "answers",
)


@dataclass(frozen=True)
class Figure:
    """An indicator's figure for one unit (or a group of units) over a period, from the raw numbers."""

    value_type: str
    months: int = 0  # months that have a value (summed over units for a group)
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    count: int | None = None
    answers: tuple[bool, ...] | None = None
    latest_month: dt.date | None = None

    @property
    def has_data(self) -> bool:
        return self.months > 0

    @property
    def value(self) -> Decimal | None:
        """The comparable number: the ratio (a fraction, not ×100), the count, or 1/0 for yes/no."""
        if not self.has_data:
            return None
        if self.value_type == Indicator.ValueType.RATIO:
            if not self.denominator:
                return None
            return self.numerator / self.denominator if self.numerator is not None else None
        if self.value_type == Indicator.ValueType.COUNT:
            return Decimal(self.count or 0)
        yes = self.yes
        return None if yes is None else Decimal(int(yes))

    @property
    def yes(self) -> bool | None:
        if self.answers is None or not self.answers:
            return None
        return all(self.answers)

    def as_dict(self) -> dict[str, Any]:
        value = self.value
        return {
            "months": self.months,
            "numerator": None if self.numerator is None else str(self.numerator),
            "denominator": None if self.denominator is None else str(self.denominator),
            "count": self.count,
            "answers": None if self.answers is None else list(self.answers),
            "value": None if value is None else str(round(value, 6)),
        }


def figure_of(value_type: str, values: Iterable[RawValue]) -> Figure:
    """Aggregate one unit's monthly values over a period."""
    rows = sorted(values, key=lambda v: v.month)
    if not rows:
        return Figure(value_type)
    latest = rows[-1].month
    if value_type == Indicator.ValueType.RATIO:
        return Figure(
            value_type,
            months=len(rows),
            numerator=sum((r.numerator or Decimal(0) for r in rows), Decimal(0)),
            denominator=sum((r.denominator or Decimal(0) for r in rows), Decimal(0)),
            latest_month=latest,
        )
    if value_type == Indicator.ValueType.COUNT:
        return Figure(
            value_type, months=len(rows), count=sum(r.count_value or 0 for r in rows), latest_month=latest
        )
    return Figure(value_type, months=len(rows), answers=tuple(rows[-1].answers), latest_month=latest)


def figure_sum(value_type: str, figures: Iterable[Figure]) -> Figure:
    """Several units' figures as one (a banner's or the league's): raw numbers added, yes/no dropped."""
    parts = [f for f in figures if f.has_data]
    if not parts or value_type not in (Indicator.ValueType.RATIO, Indicator.ValueType.COUNT):
        return Figure(value_type, months=sum(f.months for f in parts))
    if value_type == Indicator.ValueType.RATIO:
        return Figure(
            value_type,
            months=sum(f.months for f in parts),
            numerator=sum((f.numerator or Decimal(0) for f in parts), Decimal(0)),
            denominator=sum((f.denominator or Decimal(0) for f in parts), Decimal(0)),
        )
    return Figure(value_type, months=sum(f.months for f in parts), count=sum(f.count or 0 for f in parts))


def change_of(value_type: str, current: Figure, last_year: Figure) -> Decimal | None:
    """Percentage points for a ratio, percent for a count; None when either side is missing."""
    now, before = current.value, last_year.value
    if now is None or before is None:
        return None
    if value_type == Indicator.ValueType.RATIO:
        return (now - before) * HUNDRED
    if value_type == Indicator.ValueType.COUNT:
        return None if before == 0 else (now - before) / before * HUNDRED
    return None


def change_unit(value_type: str) -> str:
    return {Indicator.ValueType.RATIO: "pp", Indicator.ValueType.COUNT: "%"}.get(value_type, "")  # type: ignore[call-overload]


@dataclass(frozen=True)
class Comparison:
    """One indicator for one unit: this period, the same period last year, and the change."""

    indicator: Indicator
    key: UnitKey
    current: Figure
    last_year: Figure

    @property
    def change(self) -> Decimal | None:
        return change_of(self.indicator.value_type, self.current, self.last_year)

    @property
    def change_unit(self) -> str:
        return change_unit(self.indicator.value_type)

    def as_dict(self) -> dict[str, Any]:
        change = self.change
        return {
            "indicator": self.indicator.pk,
            "indicator_code": self.indicator.code,
            "reported_under": self.indicator.reported_under,
            "unit_kind": self.key.kind,
            "unit_id": self.key.id,
            "current": self.current.as_dict(),
            "last_year": self.last_year.as_dict(),
            "change": None if change is None else str(round(change, 4)),
            "change_unit": self.change_unit,
        }


def raw_values(
    *,
    indicator_ids: Iterable[int],
    hospitals: QuerySet[Hospital] | Sequence[int] | None,
    banners: QuerySet[OrgUnit] | Sequence[int] | None,
    periods: Iterable[Period],
) -> list[RawValue]:
    """Every value of these indicators, units and periods, in ONE query (unit querysets become subqueries)."""
    owners = Q(pk__in=[])
    if hospitals is not None:
        owners |= Q(hospital__in=hospitals)
    if banners is not None:
        owners |= Q(unit__in=banners)
    months = Q(pk__in=[])
    for period in periods:
        months |= Q(month__gte=period.start, month__lte=period.end)
    rows = IndicatorValue.objects.filter(owners, months, indicator_id__in=list(indicator_ids)).values_list(
        *RAW_FIELDS
    )
    return [RawValue(*row) for row in rows]


class _Latest(OrderableAggMixin, Aggregate):
    """The first of a group's values in ``order_by`` order (PostgreSQL ``(ARRAY_AGG(x ORDER BY …))[1]``)."""

    function = "ARRAY_AGG"
    template = "(%(function)s(%(expressions)s %(order_by)s))[1]"

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        """The embedded SQLite of ``make run``: the value as a bare column. In a grouped query with one
        max() (``latest``, the group's latest month) SQLite takes a bare column from the row that max()
        picked (https://sqlite.org/lang_select.html#bareagg), the same row ``order_by`` puts first."""
        return compiler.compile(self.get_source_expressions()[0])


FigureTable = dict[tuple[int, UnitKey], Figure]


def period_figures(
    *,
    indicators: Sequence[Indicator],
    hospitals: QuerySet[Hospital] | Sequence[int] | None,
    banners: QuerySet[OrgUnit] | Sequence[int] | None,
    period: Period,
) -> tuple[FigureTable, FigureTable]:
    """Each unit's figure of this period and of the same period last year, aggregated in ONE query.

    The same figures as ``figure_of`` over ``raw_values`` grouped by ``group_by_period`` (the tests hold
    them equal), but summed by PostgreSQL: one row per (indicator, unit, year) instead of one per month,
    and the yes/no answers of the latest month only, for yes/no indicators only (nothing else is decoded).
    """
    by_id = {i.pk: i for i in indicators}
    yes_no = [
        pk
        for pk, i in by_id.items()
        if i.value_type not in (Indicator.ValueType.RATIO, Indicator.ValueType.COUNT)
    ]
    before = period.previous_year()
    owners = Q(pk__in=[])
    if hospitals is not None:
        owners |= Q(hospital__in=hospitals)
    if banners is not None:
        owners |= Q(unit__in=banners)
    rows = (
        IndicatorValue.objects.filter(
            owners,
            Q(month__gte=period.start, month__lte=period.end)
            | Q(month__gte=before.start, month__lte=before.end),
            indicator_id__in=list(by_id),
        )
        .annotate(
            current=Case(
                When(month__gte=period.start, month__lte=period.end, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .values("indicator_id", "hospital_id", "unit_id", "current")
        .annotate(
            months=Count("id"),
            numerator_sum=Coalesce(Sum("numerator"), Value(Decimal(0))),
            denominator_sum=Coalesce(Sum("denominator"), Value(Decimal(0))),
            count_sum=Coalesce(Sum("count"), Value(0)),
            latest=Max("month"),
            latest_answers=_Latest(
                # NULL (typed, for a campaign without yes/no indicators) unless a yes/no indicator.
                Cast(Case(When(indicator_id__in=yes_no, then=F("answers"))), output_field=JSONField()),
                order_by=F("month").desc(),
                output_field=JSONField(),
            ),
        )
        .order_by()
        .values_list(
            "indicator_id",
            "hospital_id",
            "unit_id",
            "current",
            "months",
            "numerator_sum",
            "denominator_sum",
            "count_sum",
            "latest",
            "latest_answers",
        )
    )
    current: FigureTable = {}
    last: FigureTable = {}
    for indicator_id, hospital_id, unit_id, is_current, months, num, den, count, latest, answers in rows:
        vt = by_id[indicator_id].value_type
        if vt == Indicator.ValueType.RATIO:
            figure = Figure(vt, months=months, numerator=num, denominator=den, latest_month=latest)
        elif vt == Indicator.ValueType.COUNT:
            figure = Figure(vt, months=months, count=count, latest_month=latest)
        else:
            figure = Figure(vt, months=months, answers=tuple(answers or ()), latest_month=latest)
        (current if is_current else last)[(indicator_id, unit_key(hospital_id, unit_id))] = figure
    return current, last


def group_by_period(
    values: Iterable[RawValue], period: Period
) -> tuple[dict[tuple[int, UnitKey], list[RawValue]], dict[tuple[int, UnitKey], list[RawValue]]]:
    """Split bulk-loaded values into (this period, the same period last year), keyed by indicator and unit."""
    before = period.previous_year()
    current: dict[tuple[int, UnitKey], list[RawValue]] = defaultdict(list)
    last: dict[tuple[int, UnitKey], list[RawValue]] = defaultdict(list)
    for v in values:
        if period.start <= v.month <= period.end:
            current[(v.indicator_id, v.key)].append(v)
        elif before.start <= v.month <= before.end:
            last[(v.indicator_id, v.key)].append(v)
    return current, last


def indicators_of(campaign: Campaign) -> list[Indicator]:
    return list(campaign.indicators.order_by("order", "code"))


def applicable_indicators(
    indicators: Iterable[Indicator], *, hospital: Hospital | None = None, unit: OrgUnit | None = None
) -> list[Indicator]:
    """The indicators a hospital (or a banner) reports: reporting level and applicability both honoured."""
    if hospital is not None:
        return [i for i in indicators if i.applies_to_hospital(hospital)]
    return [i for i in indicators if i.reporting_level == Indicator.ReportingLevel.BANNER]


def indicator_comparisons(
    *,
    campaign: Campaign,
    period: Period,
    hospitals: QuerySet[Hospital],
    banners: QuerySet[OrgUnit],
    indicators: Sequence[Indicator] | None = None,
) -> list[Comparison]:
    """Every applicable (indicator, unit) pair with this period, last year's same period and the change.

    Four queries whatever the number of units: indicators (unless given), hospitals, banners, values.
    """
    indicators = list(indicators) if indicators is not None else indicators_of(campaign)
    hospital_list = list(
        with_county_community(hospitals.select_related("banner")).order_by("banner__path", "code")
    )
    banner_list = list(banners.order_by("path"))
    current, last = period_figures(
        indicators=indicators,
        hospitals=[h.pk for h in hospital_list],
        banners=[b.pk for b in banner_list],
        period=period,
    )
    empty = {i.pk: Figure(i.value_type) for i in indicators}
    result = []
    for indicator in indicators:
        if indicator.reporting_level == Indicator.ReportingLevel.HOSPITAL:
            keys = [
                UnitKey("hospital", h.pk)
                for h in hospital_list
                if applies_to_hospital(indicator.applies_to, h)
            ]
        else:
            keys = [UnitKey("banner", b.pk) for b in banner_list]
        for key in keys:
            result.append(
                Comparison(
                    indicator,
                    key,
                    current.get((indicator.pk, key), empty[indicator.pk]),
                    last.get((indicator.pk, key), empty[indicator.pk]),
                )
            )
    return result


# ------------------------------------------------------------------------------------------ value lists


def indicator_value_list(user: AnyUser) -> QuerySet[IndicatorValue]:
    """Values the user may see (hospital rows by the hospital, banner rows by the banner)."""
    qs = IndicatorValue.objects.select_related(
        "indicator__campaign", "hospital__banner", "unit", "updated_by"
    ).order_by("-month", "indicator__order", "hospital__code", "unit__code", "id")
    return scope_queryset(qs, user, hospital_field="hospital", unit_field="unit")


# ---------------------------------------------------------------------------------------------- warnings


@dataclass(frozen=True)
class ValueWarning:
    """A soft rule a value breaks: it counts as complete only once ``explained``."""

    value_id: int
    indicator_code: str
    code: str  # "change_beyond_bound" | "outside_plausible_range"
    message: str
    explained: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "value": self.value_id,
            "indicator_code": self.indicator_code,
            "code": self.code,
            "message": self.message,
            "explained": self.explained,
        }


def format_figure(indicator: Indicator, number: Decimal) -> str:
    if indicator.value_type == Indicator.ValueType.RATIO and indicator.display == Indicator.Display.PERCENT:
        return f"{number * HUNDRED:.1f}%"
    if indicator.value_type == Indicator.ValueType.RATIO:
        return f"{number:.2f}"
    return f"{number:,.0f}"


def _plausible_range(indicator: Indicator, value: IndicatorValue) -> tuple[str, list[Any]] | None:
    ranges = indicator.plausible_range or {}
    if value.hospital is not None and value.hospital.level in ranges:
        return value.hospital.get_level_display() + "医院", ranges[value.hospital.level]
    if value.unit is not None and "banner" in ranges:
        return "旗(区)", ranges["banner"]
    if "all" in ranges:
        return "", ranges["all"]
    return None


def indicator_value_warnings(values: Sequence[IndicatorValue]) -> dict[int, list[ValueWarning]]:
    """Soft-rule warnings of each value, by value id, in one query (last year's same months).

    Values must come with ``indicator__campaign`` and ``hospital`` loaded (``indicator_value_list`` does).
    A change against last year is measured on the value itself (the ratio, or the count) relative to last
    year's same month; a last-year value of 0 gives no base to compare with and no warning.
    """
    result: dict[int, list[ValueWarning]] = {v.pk: [] for v in values}
    numeric = [
        v for v in values if v.indicator.value_type in (Indicator.ValueType.RATIO, Indicator.ValueType.COUNT)
    ]
    if not values:
        return result
    last_months = {v.month.replace(year=v.month.year - 1) for v in numeric}
    previous = IndicatorValue.objects.filter(
        Q(hospital_id__in={v.hospital_id for v in numeric if v.hospital_id})
        | Q(unit_id__in={v.unit_id for v in numeric if v.unit_id}),
        indicator_id__in={v.indicator_id for v in numeric},
        month__in=last_months,
    ).values_list(*RAW_FIELDS)
    by_key = {(r.indicator_id, r.key, r.month): r for r in (RawValue(*row) for row in previous)}
    for v in numeric:
        indicator = v.indicator
        raw = RawValue(
            v.indicator_id, v.hospital_id, v.unit_id, v.month, v.numerator, v.denominator, v.count, []
        )
        now = figure_of(indicator.value_type, [raw]).value
        if now is None:
            continue
        explained = bool(v.explanation.strip())
        before_raw = by_key.get((v.indicator_id, raw.key, v.month.replace(year=v.month.year - 1)))
        before = figure_of(indicator.value_type, [before_raw]).value if before_raw else None
        bound = Decimal(indicator.campaign.soft_change_bound_pct)
        if before:
            change = (now - before) / before * HUNDRED
            if abs(change) > bound:
                result[v.pk].append(
                    ValueWarning(
                        v.pk,
                        indicator.code,
                        "change_beyond_bound",
                        f"{indicator.name}：{format_figure(indicator, now)}，较上年同月"
                        f"({format_figure(indicator, before)})变化{change:+.1f}%，"
                        f"超过±{bound:g}%，请填写情况说明。",
                        explained,
                    )
                )
        limits = _plausible_range(indicator, v)
        if limits is not None:
            label, (low, high) = limits
            low_d, high_d = Decimal(str(low)), Decimal(str(high))
            if not low_d <= now <= high_d:
                result[v.pk].append(
                    ValueWarning(
                        v.pk,
                        indicator.code,
                        "outside_plausible_range",
                        f"{indicator.name}：{format_figure(indicator, now)}，超出{label}合理范围"
                        f"{format_figure(indicator, low_d)}–{format_figure(indicator, high_d)}，"
                        "请填写情况说明。",
                        explained,
                    )
                )
    return result


def indicator_unexplained_warnings(
    *, campaign: Campaign, month: dt.date, hospital: Hospital | None = None, unit: OrgUnit | None = None
) -> list[ValueWarning]:
    """Warnings of one unit's month that still lack an explanation: a monthly report with any of these
    cannot be submitted (SPEC §7). Two queries."""
    values = list(
        IndicatorValue.objects.filter(indicator__campaign=campaign, month=month, hospital=hospital, unit=unit)
        .select_related("indicator__campaign", "hospital", "unit")
        .order_by("indicator__order")
    )
    warnings = indicator_value_warnings(values)
    return [w for v in values for w in warnings[v.pk] if not w.explained]


def indicator_values_missing(
    *, campaign: Campaign, month: dt.date, hospital: Hospital | None = None, unit: OrgUnit | None = None
) -> list[Indicator]:
    """The indicators a unit must report for ``month`` and has not (a required item missing, SPEC §7)."""
    indicators = applicable_indicators(indicators_of(campaign), hospital=hospital, unit=unit)
    present = set(
        IndicatorValue.objects.filter(
            indicator__campaign=campaign, month=month, hospital=hospital, unit=unit
        ).values_list("indicator_id", flat=True)
    )
    return [i for i in indicators if i.pk not in present]


@dataclass
class UnitMonth:
    """One applicable indicator of a unit's month: its value, last year's same month, its warnings."""

    indicator: Indicator
    value: IndicatorValue | None
    last_year: IndicatorValue | None
    warnings: list[ValueWarning] = field(default_factory=list)


def indicator_unit_month(
    *, campaign: Campaign, month: dt.date, hospital: Hospital | None = None, unit: OrgUnit | None = None
) -> list[UnitMonth]:
    """This month's indicators of one unit beside last year's same month, with their warnings. 4 queries."""
    indicators = applicable_indicators(indicators_of(campaign), hospital=hospital, unit=unit)
    last_month = month.replace(year=month.year - 1)
    rows = IndicatorValue.objects.filter(
        indicator__campaign=campaign, month__in=[month, last_month], hospital=hospital, unit=unit
    ).select_related("indicator__campaign", "hospital", "unit")
    this = {v.indicator_id: v for v in rows if v.month == month}
    before = {v.indicator_id: v for v in rows if v.month == last_month}
    warnings = indicator_value_warnings(list(this.values()))
    return [
        UnitMonth(
            i, this.get(i.pk), before.get(i.pk), warnings.get(this[i.pk].pk, []) if i.pk in this else []
        )
        for i in indicators
    ]


def values_per_month(
    *,
    campaign: Campaign,
    months: list[dt.date],
    hospital: Hospital | None = None,
    unit: OrgUnit | None = None,
) -> dict[dt.date, int]:
    """How many indicators have a stored value in each of ``months`` (0 for none). One query."""
    counts = dict(
        IndicatorValue.objects.filter(
            indicator__campaign=campaign, month__in=months, hospital=hospital, unit=unit
        )
        .values_list("month")
        .annotate(n=Count("id"))
        .values_list("month", "n")
    )
    return {month: counts.get(month, 0) for month in months}
