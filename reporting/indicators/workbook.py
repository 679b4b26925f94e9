"""出成效指标表: each indicator for each unit in scope over a period — last year's same period (baseline),
this period (current), the change, the target and whether it is met — then the banners' and the whole
scope's roll-ups, one sheet each. Built on ``reporting.targets.indicator_evaluations`` (four queries).

Parameters (the same as ``/api/v1/indicator-evaluations/``): ``campaign`` (id, default the current
campaign), ``period`` = ``month`` | ``quarter`` | ``ytd`` (default) with ``year`` and ``month`` or
``quarter``; ``banner`` and ``hospital`` narrow the scope further.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from campaign.models import Campaign, Indicator
from campaign.selectors import campaign_current, campaigns_visible_to
from core import clock
from exports.registry import ExportKind, Params, register_export
from exports.writer import Column, Sheet, Styled
from hospitals.models import OrgUnit
from hospitals.selectors import AnyUser, hospitals_visible_to, org_units_visible_to
from reporting.indicators.selectors import Period
from reporting.indicators.targets import TargetResult, Verdict, indicator_evaluations

PERCENT_FORMAT = "0.00%"
RATIO_FORMAT = "0.00"
COUNT_FORMAT = "#,##0"
POINTS_FORMAT = '0.00"个百分点"'
SCOPE_LABELS = {"hospital": "医院", "banner": "旗(区)", "league": "全部"}

COLUMNS = [
    Column("旗(区)", width=14),
    Column("单位", width=26),
    Column("层级", width=8),
    Column("指标编码", width=10),
    Column("指标名称", width=44),
    Column("上年同期", width=12),
    Column("本期", width=12),
    Column("变化", width=14),
    Column("目标", width=12),
    Column("是否达标", width=10),
    Column("说明", width=50),
]


def _one(params: Params, name: str) -> str | None:
    values = params.get(name) or []
    return values[0] if values else None


def _int(params: Params, name: str) -> int | None:
    raw = _one(params, name)
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except ValueError:
        raise ValidationError({name: ValidationError("须为整数。", code="invalid_filter")}) from None


def period_of(params: Params, campaign: Campaign) -> Period:
    """The period the parameters name; by default the campaign year to the last ended month."""
    kind = _one(params, "period") or "ytd"
    year = _int(params, "year") or campaign.year
    today = clock.today()
    last_month = 12 if year < today.year else max(1, today.month - 1)
    try:
        if kind == "month":
            return Period.month(year, _int(params, "month") or last_month)
        if kind == "quarter":
            return Period.quarter(year, _int(params, "quarter") or (last_month - 1) // 3 + 1)
        if kind == "ytd":
            return Period.year_to_date(year, _int(params, "month") or last_month)
    except ValueError:
        pass
    raise ValidationError(
        {"period": ValidationError("期间参数有误：period=month|quarter|ytd，配合 year、month 或 quarter。",
                                   code="invalid_period")}
    )  # fmt: skip


def _figure_cell(indicator: Indicator, value: Decimal | None) -> Any:
    if value is None:
        return None
    if indicator.value_type == Indicator.ValueType.RATIO:
        fmt = PERCENT_FORMAT if indicator.display == Indicator.Display.PERCENT else RATIO_FORMAT
        return Styled(value, fmt)
    if indicator.value_type == Indicator.ValueType.COUNT:
        return Styled(value, COUNT_FORMAT)
    return "是" if value else "否"


def _change_cell(evaluation: TargetResult) -> Any:
    change = evaluation.change
    if change is None:
        return None
    if evaluation.indicator.value_type == Indicator.ValueType.RATIO:
        return Styled(change, POINTS_FORMAT)
    return Styled(change / 100, PERCENT_FORMAT)  # a count's change is a percentage of last year's


def _target_cell(evaluation: TargetResult) -> Any:
    if evaluation.target is None:
        return None
    if evaluation.indicator.target_kind == Indicator.TargetKind.HOSPITAL_COUNT_INCREASE:
        return Styled(evaluation.target, COUNT_FORMAT)
    return _figure_cell(evaluation.indicator, evaluation.target)


def _rows(
    evaluations: Iterable[TargetResult], names: dict[tuple[str, int], tuple[str, str]]
) -> list[list[Any]]:
    rows = []
    for e in evaluations:
        banner, unit = names.get((e.scope, e.unit_id), ("", ""))
        rows.append(
            [
                banner,
                unit,
                SCOPE_LABELS.get(e.scope, e.scope),
                e.indicator.code_label,
                e.indicator.name,
                _figure_cell(e.indicator, e.last_year.value),
                _figure_cell(e.indicator, e.current.value),
                _change_cell(e),
                _target_cell(e),
                Verdict.LABELS[e.verdict],
                e.note,
            ]
        )
    return rows


def build(user: AnyUser, params: Params) -> list[Sheet]:
    campaign_id = _int(params, "campaign")
    campaign = (
        campaigns_visible_to(user).filter(pk=campaign_id).first() if campaign_id else campaign_current(user)
    )
    if campaign is None:
        raise ValidationError({"campaign": ValidationError("没有这个活动。", code="invalid_filter")})
    period = period_of(params, campaign)
    hospitals = hospitals_visible_to(user)
    banners = org_units_visible_to(user).filter(kind=OrgUnit.Kind.BANNER)
    if (banner_id := _int(params, "banner")) is not None:
        hospitals, banners = hospitals.filter(banner_id=banner_id), banners.filter(pk=banner_id)
    if (hospital_id := _int(params, "hospital")) is not None:
        hospitals, banners = hospitals.filter(pk=hospital_id), banners.none()
    hospital_list = list(hospitals)
    banner_list = list(banners)
    table = indicator_evaluations(campaign=campaign, hospitals=hospitals, banners=banners, period=period)
    names: dict[tuple[str, int], tuple[str, str]] = {
        ("hospital", h.pk): (h.banner.name, h.name) for h in hospital_list
    }
    names.update({("banner", b.pk): (b.name, b.name) for b in banner_list})
    names[("league", campaign.league_id)] = ("", f"{campaign.league.name}(范围内合计)")
    note = f"期间：{period.label}；上年同期：{period.previous_year().label}。比例按Σ分子/Σ分母计算。"
    return [
        Sheet("指标表", COLUMNS, _rows(table.units, names), notes=[note]),
        Sheet("旗(区)汇总", COLUMNS, _rows(table.banners, names), notes=[note]),
        Sheet("全部汇总", COLUMNS, _rows(table.league, names), notes=[note]),
    ]


INDICATOR_TABLE = register_export(ExportKind(code="indicator_table", title="出成效指标表", build=build))
