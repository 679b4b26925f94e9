"""Target evaluation (SPEC §6): met / not met / no data for each indicator, per unit and rolled up.

Contract of ``indicator_evaluations``: four queries whatever the number of hospitals (indicators,
hospitals, banners, values). The values are summed per unit and year by PostgreSQL
(``period_figures``: one row per indicator, unit and year, not one per month); the verdicts are judged
in Python on those sums, so the bulletin, the December evaluation and a league of 300 hospitals all cost
the same queries.

The seven rule kinds, per unit, on the period's figure against the same period last year:

- ``increase`` / ``decrease``: strictly above / below last year.
- ``increase_pp``: a ratio up by at least ``target_params.pp`` percentage points.
- ``increase_pct``: up by at least ``target_params.pct`` percent; from a last year of 0, any rise meets it.
- ``min_by_level``: at least ``target_params[hospital level]`` (no last year needed).
- ``all_yes``: the latest answer in the period is yes (every part, for a yes/no set).
- ``hospital_count_increase``: a league rule. Per hospital, "at threshold" (a ratio at
  ``campaign.settings[target_params.threshold_setting]`` or ``target_params.threshold``; a yes/no at
  yes); the banner and the league meet it when more of their hospitals are at threshold than last year.

Roll-ups to a banner and to the league: for the comparison kinds the group's raw numbers are added over
the units that have data in both years (a like-for-like Σnumerator / Σdenominator) and the rule is
applied to that; ``min_by_level`` and ``all_yes`` are met when every applicable unit meets them;
``hospital_count_increase`` compares the counts. Each roll-up also counts its units met / not met /
no data.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from campaign.models import Campaign, Indicator, applies_to_hospital
from hospitals.models import Hospital, OrgUnit
from hospitals.selectors import with_county_community
from reporting.indicators.selectors import (
    HUNDRED,
    Figure,
    Period,
    UnitKey,
    change_of,
    change_unit,
    figure_sum,
    format_figure,
    indicators_of,
    period_figures,
)

Kind = Indicator.TargetKind


class Verdict:
    MET = "met"
    NOT_MET = "not_met"
    NO_DATA = "no_data"
    LABELS = {"met": "达标", "not_met": "未达标", "no_data": "无数据"}


@dataclass(frozen=True)
class TargetResult:
    """One indicator judged for one unit (a hospital or a banner), or rolled up for a banner or the league.

    ``target`` is the number the figure was held against (a fraction for ratios, a count of hospitals for
    the count rule); ``note`` says it in words with the numbers.
    """

    indicator: Indicator
    scope: str  # "hospital" | "banner" (a banner's own value or its hospitals' roll-up) | "league"
    unit_id: int
    verdict: str
    current: Figure
    last_year: Figure
    target: Decimal | None
    note: str
    met: int = 0
    not_met: int = 0
    no_data: int = 0
    count_now: int | None = None
    count_last: int | None = None

    @property
    def change(self) -> Decimal | None:
        return change_of(self.indicator.value_type, self.current, self.last_year)

    def as_dict(self) -> dict[str, Any]:
        change = self.change
        data: dict[str, Any] = {
            "indicator": self.indicator.pk,
            "indicator_code": self.indicator.code,
            "reported_under": self.indicator.reported_under,
            "target_kind": self.indicator.target_kind,
            "scope": self.scope,
            "unit_id": self.unit_id,
            "verdict": self.verdict,
            "verdict_label": Verdict.LABELS[self.verdict],
            "current": self.current.as_dict(),
            "last_year": self.last_year.as_dict(),
            "change": None if change is None else str(round(change, 4)),
            "change_unit": change_unit(self.indicator.value_type),
            "target": None if self.target is None else str(self.target),
            "note": self.note,
        }
        if self.scope != "hospital" or self.count_now is not None:
            data.update(
                met=self.met,
                not_met=self.not_met,
                no_data=self.no_data,
                count_now=self.count_now,
                count_last=self.count_last,
            )
        return data


@dataclass
class TargetResults:
    """Every evaluation of a period: per unit, per banner and for the league."""

    period: Period
    units: list[TargetResult]
    banners: list[TargetResult]
    league: list[TargetResult]

    def unit(self, code: str, scope: str, unit_id: int) -> TargetResult:
        """One hospital's (scope "hospital") or banner's own (scope "banner") evaluation of an indicator."""
        return next(
            e for e in self.units if e.indicator.code == code and e.scope == scope and e.unit_id == unit_id
        )

    def banner(self, code: str, banner_id: int) -> TargetResult:
        """A banner's roll-up of an indicator (its hospitals, or its own value for banner indicators)."""
        return next(e for e in self.banners if e.indicator.code == code and e.unit_id == banner_id)

    def total(self, code: str) -> TargetResult:
        """The league's roll-up of an indicator."""
        return next(e for e in self.league if e.indicator.code == code)


def _threshold(indicator: Indicator, campaign: Campaign) -> Decimal | None:
    params = indicator.target_params or {}
    if "threshold" in params:
        return Decimal(str(params["threshold"]))
    setting = params.get("threshold_setting")
    if setting and setting in (campaign.settings or {}):
        return Decimal(str(campaign.settings[setting]))
    return None


def _at_threshold(indicator: Indicator, figure: Figure, threshold: Decimal | None) -> bool | None:
    if not figure.has_data:
        return None
    if indicator.value_type == Indicator.ValueType.RATIO:
        value = figure.value
        return None if value is None or threshold is None else value >= threshold
    if indicator.value_type == Indicator.ValueType.COUNT:
        value = figure.value
        return None if value is None else value >= (threshold or Decimal(1))
    return figure.yes


def _fmt(indicator: Indicator, value: Decimal | None) -> str:
    return "无" if value is None else format_figure(indicator, value)


def judge(
    indicator: Indicator, current: Figure, last_year: Figure, *, level: str | None, threshold: Decimal | None
) -> tuple[str, Decimal | None, str]:
    """The verdict of one rule on one figure: (verdict, target number, note in Chinese)."""
    kind = indicator.target_kind
    now, before = current.value, last_year.value
    params = indicator.target_params or {}
    if kind == Kind.MIN_BY_LEVEL:
        minimum = params.get(level or "")
        if minimum is None:
            return Verdict.NO_DATA, None, "该等级未设定目标值。"
        target = Decimal(str(minimum))
        if now is None:
            return Verdict.NO_DATA, target, f"未填报；目标不低于{_fmt(indicator, target)}。"
        verdict = Verdict.MET if now >= target else Verdict.NOT_MET
        sign = "≥" if verdict == Verdict.MET else "<"
        return verdict, target, f"{_fmt(indicator, now)} {sign} 目标{_fmt(indicator, target)}。"
    if kind == Kind.ALL_YES:
        yes = current.yes
        if yes is None:
            return Verdict.NO_DATA, None, "未填报。"
        if yes:
            return Verdict.MET, None, "均为“是”。"
        parts = indicator.parts or []
        missing = [p for p, a in zip(parts, current.answers or (), strict=False) if not a] if parts else []
        return Verdict.NOT_MET, None, ("“否”：" + "、".join(missing) + "。") if missing else "为“否”。"
    if kind == Kind.HOSPITAL_COUNT_INCREASE:
        at_now = _at_threshold(indicator, current, threshold)
        at_before = _at_threshold(indicator, last_year, threshold)
        what = (
            f"≥{_fmt(indicator, threshold)}"
            if indicator.value_type == Indicator.ValueType.RATIO
            else "为“是”"
        )
        if indicator.value_type == Indicator.ValueType.RATIO and threshold is None:
            return Verdict.NO_DATA, None, "活动未设定达标阈值。"
        if at_now is None:
            return Verdict.NO_DATA, threshold, "未填报。"
        before_text = "上年无数据" if at_before is None else f"上年{'已' if at_before else '未'}达标"
        verdict = Verdict.MET if at_now else Verdict.NOT_MET
        return (
            verdict,
            threshold,
            f"本期{_fmt(indicator, now)}，{'达到' if at_now else '未达到'}{what}；{before_text}。",
        )
    # Comparison kinds: need both years.
    if now is None or before is None:
        side = "本期" if now is None else "上年同期"
        return Verdict.NO_DATA, None, f"{side}无数据，无法比较。"
    if kind == Kind.INCREASE:
        target, verdict = before, (Verdict.MET if now > before else Verdict.NOT_MET)
    elif kind == Kind.DECREASE:
        target, verdict = before, (Verdict.MET if now < before else Verdict.NOT_MET)
    elif kind == Kind.INCREASE_PP:
        target = before + Decimal(str(params.get("pp", 0))) / HUNDRED
        verdict = Verdict.MET if now >= target else Verdict.NOT_MET
    elif kind == Kind.INCREASE_PCT:
        target = before * (1 + Decimal(str(params.get("pct", 0))) / HUNDRED)
        met = now >= target and (before > 0 or now > 0)
        verdict = Verdict.MET if met else Verdict.NOT_MET
    else:  # pragma: no cover - a kind added to the model without a rule here
        raise ValueError(f"unknown target kind {kind}")
    change = change_of(indicator.value_type, current, last_year)
    change_text = (
        ""
        if change is None
        else f"，变化{change:+.1f}{'个百分点' if indicator.value_type == 'ratio' else '%'}"
    )
    return (
        verdict,
        target,
        f"本期{_fmt(indicator, now)}，上年同期{_fmt(indicator, before)}{change_text}；"
        f"目标{indicator.target_text}({_fmt(indicator, target)})。",
    )


def _rollup(
    indicator: Indicator,
    scope: str,
    unit_id: int,
    units: Sequence[tuple[TargetResult, Figure, Figure]],
    threshold: Decimal | None,
) -> TargetResult:
    """Roll several units' evaluations of one indicator up to a banner or the league."""
    met = sum(1 for e, _, _ in units if e.verdict == Verdict.MET)
    not_met = sum(1 for e, _, _ in units if e.verdict == Verdict.NOT_MET)
    no_data = len(units) - met - not_met
    kind = indicator.target_kind
    vt = indicator.value_type
    counts = {"met": met, "not_met": not_met, "no_data": no_data}
    if kind == Kind.HOSPITAL_COUNT_INCREASE:
        now_flags = [_at_threshold(indicator, c, threshold) for _, c, _ in units]
        before_flags = [_at_threshold(indicator, b, threshold) for _, _, b in units]
        count_now, count_last = sum(1 for f in now_flags if f), sum(1 for f in before_flags if f)
        current = figure_sum(vt, [c for _, c, _ in units])
        last = figure_sum(vt, [b for _, _, b in units])
        none_now = all(f is None for f in now_flags)
        if none_now or all(f is None for f in before_flags):
            verdict = Verdict.NO_DATA
            note = f"达标单位数：本期{count_now}，上年{count_last}；{'本期' if none_now else '上年'}无数据。"
        else:
            verdict = Verdict.MET if count_now > count_last else Verdict.NOT_MET
            note = f"达标单位数：本期{count_now}，上年{count_last}。"
        return TargetResult(
            indicator, scope, unit_id, verdict, current, last, Decimal(count_last + 1), note,
            count_now=count_now, count_last=count_last, **counts,
        )  # fmt: skip
    if kind in (Kind.MIN_BY_LEVEL, Kind.ALL_YES) or vt not in (
        Indicator.ValueType.RATIO,
        Indicator.ValueType.COUNT,
    ):
        current = figure_sum(vt, [c for _, c, _ in units])
        last = figure_sum(vt, [b for _, _, b in units])
        if not units or met + not_met == 0:
            verdict = Verdict.NO_DATA
        elif not_met:
            verdict = Verdict.NOT_MET
        elif no_data:
            verdict = Verdict.NO_DATA
        else:
            verdict = Verdict.MET
        note = f"达标{met}个，未达标{not_met}个，无数据{no_data}个。"
        return TargetResult(indicator, scope, unit_id, verdict, current, last, None, note, **counts)
    comparable = [(c, b) for _, c, b in units if c.value is not None and b.value is not None]
    current = figure_sum(vt, [c for c, _ in comparable])
    last = figure_sum(vt, [b for _, b in comparable])
    verdict, target, note = judge(indicator, current, last, level=None, threshold=threshold)
    note = f"{len(comparable)}个单位可比：{note}达标{met}个，未达标{not_met}个，无数据{no_data}个。"
    return TargetResult(indicator, scope, unit_id, verdict, current, last, target, note, **counts)


def indicator_evaluations(
    *,
    campaign: Campaign,
    hospitals: QuerySet[Hospital],
    banners: QuerySet[OrgUnit],
    period: Period,
    indicators: Iterable[Indicator] | None = None,
    per_banner: bool = True,
) -> TargetResults:
    """Judge every indicator of ``campaign`` for the given hospitals and banners over ``period``.

    ``hospitals`` and ``banners`` are usually a user's scope (``hospitals_visible_to``,
    ``org_units_visible_to(...).filter(kind="banner")``). Four queries, whatever their size.
    ``per_banner=False`` leaves ``TargetResults.banners`` empty, for a caller that reads only the
    units and the league (the bulletin, the December evaluation): a region has a hundred banners.
    """
    indicator_list = list(indicators) if indicators is not None else indicators_of(campaign)
    hospital_list = list(
        with_county_community(hospitals.select_related("banner")).order_by("banner__path", "code")
    )
    banner_list = list(banners.filter(kind=OrgUnit.Kind.BANNER).order_by("path"))
    current_values, last_values = period_figures(
        indicators=indicator_list,
        hospitals=[h.pk for h in hospital_list],
        banners=[b.pk for b in banner_list],
        period=period,
    )
    units: list[TargetResult] = []
    banner_rollups: list[TargetResult] = []
    league: list[TargetResult] = []
    for indicator in indicator_list:
        vt = indicator.value_type
        threshold = _threshold(indicator, campaign)
        by_banner: dict[int, list[tuple[TargetResult, Figure, Figure]]] = defaultdict(list)
        everyone: list[tuple[TargetResult, Figure, Figure]] = []
        if indicator.reporting_level == Indicator.ReportingLevel.HOSPITAL:
            owners: list[tuple[str, int, int, str | None]] = [
                ("hospital", h.pk, h.banner_id, h.level)
                for h in hospital_list
                if applies_to_hospital(indicator.applies_to, h)
            ]
        else:
            owners = [("banner", b.pk, b.pk, None) for b in banner_list]
        for scope, pk, banner_id, level in owners:
            key = UnitKey(scope, pk)
            current = current_values.get((indicator.pk, key)) or Figure(vt)
            last = last_values.get((indicator.pk, key)) or Figure(vt)
            verdict, target, note = judge(indicator, current, last, level=level, threshold=threshold)
            evaluation = TargetResult(indicator, scope, pk, verdict, current, last, target, note)
            if indicator.target_kind == Kind.HOSPITAL_COUNT_INCREASE:
                at_now = _at_threshold(indicator, current, threshold)
                at_last = _at_threshold(indicator, last, threshold)
                evaluation = TargetResult(
                    indicator, scope, pk, verdict, current, last, target, note,
                    count_now=int(bool(at_now)), count_last=int(bool(at_last)),
                )  # fmt: skip
            units.append(evaluation)
            by_banner[banner_id].append((evaluation, current, last))
            everyone.append((evaluation, current, last))
        for banner in banner_list if per_banner else ():
            if banner.pk in by_banner:
                banner_rollups.append(
                    _rollup(indicator, "banner", banner.pk, by_banner[banner.pk], threshold)
                )
        league.append(_rollup(indicator, "league", campaign.league_id, everyone, threshold))
    return TargetResults(period, units, banner_rollups, league)
