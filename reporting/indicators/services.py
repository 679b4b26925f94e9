"""Writes of indicator values (SPEC §6): the hard rules, and the one service every caller goes through.

The API, the admin, the pages and the Excel import all call ``indicator_value_save`` (the demo its
many-indicator form, ``indicator_values_save``, which it is built on); none of them holds a rule of its
own. A refused value raises ``ValidationError`` keyed by field (so the Excel dry run can
point at the cell) with a Chinese message and a code, before anything is written. Soft rules (a large
change against last year, a value outside the plausible range) never refuse: they are reads, in
``reporting.indicator_selectors.indicator_value_warnings``, and need a written explanation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from campaign.models import Indicator, applies_to_hospital
from core.monthlock import require_month_editable
from core.months import month_has_ended
from core.records import refuse_owner_change
from core.refusals import Refusals
from hospitals.audit import diff, record_change, record_changes, snapshot
from hospitals.models import Hospital, OrgUnit, User
from hospitals.selectors import AnyUser, require_hospital_in_scope, require_unit_in_scope
from reporting.indicators.models import AMOUNT_DECIMALS, AMOUNT_DIGITS, IndicatorValue

# The fields a value's history shows old → new.
HISTORY_FIELDS = ("numerator", "denominator", "count", "answers", "explanation")
NUMBER_QUANTUM = Decimal(1).scaleb(-AMOUNT_DECIMALS)


def _number(value: Any, field: str, errors: dict[str, list[ValidationError]]) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors.setdefault(field, []).append(ValidationError("须填写数字。", code="invalid_number"))
        return None
    if not number.is_finite():
        errors.setdefault(field, []).append(ValidationError("须填写数字。", code="invalid_number"))
        return None
    if number < 0:
        errors.setdefault(field, []).append(ValidationError("数值不能为负数。", code="negative"))
        return None
    if number.adjusted() >= AMOUNT_DIGITS - AMOUNT_DECIMALS or number != number.quantize(NUMBER_QUANTUM):
        errors.setdefault(field, []).append(
            ValidationError(f"数值最多保留{AMOUNT_DECIMALS}位小数，且不超过14位整数。", code="invalid_number")
        )
        return None
    return number.quantize(NUMBER_QUANTUM)  # as stored, so that saving the same figure again is no change


def _owner_errors(
    indicator: Indicator, hospital: Hospital | None, unit: OrgUnit | None
) -> dict[str, list[ValidationError]]:
    league_path = indicator.campaign.league.path
    if indicator.reporting_level == Indicator.ReportingLevel.HOSPITAL:
        if hospital is None or unit is not None:
            return {"hospital": [ValidationError("该指标由医院填报，请选择医院。", code="not_applicable")]}
        if not hospital.banner.path.startswith(league_path):
            return {"hospital": [ValidationError("该医院不属于本活动的盟(市)。", code="not_applicable")]}
        if not applies_to_hospital(indicator.applies_to, hospital):
            return {
                "hospital": [
                    ValidationError(
                        f"该指标仅适用于{indicator.get_applies_to_display()}，{hospital.name}无需填报。",
                        code="not_applicable",
                    )
                ]
            }
        return {}
    if unit is None or hospital is not None:
        return {
            "unit": [ValidationError("该指标由旗(区)卫生健康委填报，请选择旗(区)。", code="not_applicable")]
        }
    if unit.kind != OrgUnit.Kind.BANNER or not unit.path.startswith(league_path):
        return {"unit": [ValidationError("该指标须由本盟(市)的旗(区)填报。", code="not_applicable")]}
    return {}


def _month_errors(indicator: Indicator, month: dt.date, today: dt.date | None) -> list[ValidationError]:
    if month.day != 1:
        return [ValidationError("月份须为当月1日。", code="invalid_month")]
    year = indicator.campaign.year
    if month.year not in (year - 1, year):
        return [
            ValidationError(
                f"本活动只接受{year}年及上年({year - 1}年，基线)的月度数值。", code="month_outside_campaign"
            )
        ]
    if not month_has_ended(month, today=today):
        return [ValidationError(f"{month:%Y年%m月}尚未结束，月末后才能填报。", code="month_not_ended")]
    return []


def indicator_value_clean(
    *,
    indicator: Indicator,
    month: dt.date,
    hospital: Hospital | None = None,
    unit: OrgUnit | None = None,
    numerator: Any = None,
    denominator: Any = None,
    count: Any = None,
    answers: Sequence[Any] | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Apply every hard rule; return the normalised fields or raise ``ValidationError`` keyed by field.

    Codes: ``not_applicable``, ``invalid_month``, ``month_outside_campaign``, ``month_not_ended``,
    ``missing_value``, ``wrong_shape``, ``invalid_number``, ``negative``, ``zero_denominator``,
    ``numerator_exceeds_denominator``.
    """
    errors: dict[str, list[ValidationError]] = _owner_errors(indicator, hospital, unit)
    month_errors = _month_errors(indicator, month, today)
    if month_errors:
        errors["month"] = month_errors
    kind = indicator.value_type
    clean: dict[str, Any] = {"numerator": None, "denominator": None, "count": None, "answers": []}

    def refuse(field: str, message: str, code: str) -> None:
        errors.setdefault(field, []).append(ValidationError(message, code=code))

    if kind == Indicator.ValueType.RATIO:
        num = _number(numerator, "numerator", errors)
        den = _number(denominator, "denominator", errors)
        if numerator in (None, "") and "numerator" not in errors:
            refuse("numerator", f"请填写分子({indicator.numerator_label or '分子'})。", "missing_value")
        if denominator in (None, "") and "denominator" not in errors:
            refuse("denominator", f"请填写分母({indicator.denominator_label or '分母'})。", "missing_value")
        if den is not None and den == 0:
            refuse("denominator", "分母为0，无法计算比例；请核实后填写。", "zero_denominator")
        elif num is not None and den is not None and num > den and not indicator.numerator_may_exceed:
            refuse("numerator", f"分子({num})不能大于分母({den})。", "numerator_exceeds_denominator")
        clean.update(numerator=num, denominator=den)
        if count not in (None, "") or answers:
            refuse("count", "比例指标只填分子和分母。", "wrong_shape")
    elif kind == Indicator.ValueType.COUNT:
        number = _number(count, "count", errors)
        if count in (None, "") and "count" not in errors:
            refuse("count", "请填写数量。", "missing_value")
        elif number is not None and number != number.to_integral_value():
            refuse("count", "数量须为整数。", "invalid_number")
        clean["count"] = int(number) if number is not None and "count" not in errors else None
        if numerator not in (None, "") or denominator not in (None, "") or answers:
            refuse("numerator", "数量指标只填数量。", "wrong_shape")
    else:
        expected = len(indicator.parts) if kind == Indicator.ValueType.BOOLEAN_SET else 1
        given = list(answers or [])
        if not given:
            refuse("answers", "请选择“是”或“否”。", "missing_value")
        elif len(given) != expected or not all(isinstance(a, bool) for a in given):
            what = "、".join(indicator.parts) if kind == Indicator.ValueType.BOOLEAN_SET else "是否"
            refuse("answers", f"须对{what}各填一个“是”或“否”(共{expected}项)。", "wrong_shape")
        clean["answers"] = given
        if any(v not in (None, "") for v in (numerator, denominator, count)):
            refuse("numerator", "是/否指标不填数字。", "wrong_shape")
    if errors:
        raise ValidationError(errors)
    return clean


def require_owner_in_scope(actor: AnyUser | None, hospital: Hospital | None, unit: OrgUnit | None) -> None:
    if actor is None:
        return  # system work (seeding, tasks) has no user to scope
    if hospital is not None:
        require_hospital_in_scope(actor, hospital)
    elif unit is not None:
        require_unit_in_scope(actor, unit)
    else:
        raise PermissionDenied("您无权操作该单位的数据。")


def actor_user(actor: AnyUser | None) -> User | None:
    return actor if isinstance(actor, User) else None


@dataclass(frozen=True)
class ValueEntry:
    """One indicator's figures, as ``indicator_value_save`` takes them (``explanation=None`` keeps the
    stored explanation)."""

    indicator: Indicator
    numerator: Any = None
    denominator: Any = None
    count: Any = None
    answers: Sequence[Any] | None = None
    explanation: str | None = None


@transaction.atomic
def indicator_value_save(
    *,
    actor: AnyUser | None,
    channel: str,
    indicator: Indicator,
    month: dt.date,
    hospital: Hospital | None = None,
    unit: OrgUnit | None = None,
    numerator: Any = None,
    denominator: Any = None,
    count: Any = None,
    answers: Sequence[Any] | None = None,
    explanation: str | None = None,
    reason: str = "",
) -> IndicatorValue:
    """Create or replace one unit's value for one indicator and month, with its history.

    ``explanation=None`` keeps the stored explanation; a change of the figures is written with old →
    new in the history under ``channel``. Saving the same figures again writes nothing.
    """
    entry = ValueEntry(indicator, numerator, denominator, count, answers, explanation)
    (value,) = indicator_values_save(
        actor=actor,
        channel=channel,
        month=month,
        hospital=hospital,
        unit=unit,
        entries=[entry],
        reason=reason,
    )
    return value


@transaction.atomic
def indicator_values_save(
    *,
    actor: AnyUser | None,
    channel: str,
    month: dt.date,
    entries: Sequence[ValueEntry],
    hospital: Hospital | None = None,
    unit: OrgUnit | None = None,
    reason: str = "",
) -> list[IndicatorValue]:
    """``indicator_value_save`` for several indicators of one unit and month, all or nothing: the same
    checks (the unit in the actor's scope and the month's lock, once for all; every entry's figures),
    then one read of the stored values, one insert of the new ones and one of their history rows.

    A refused entry raises its refusals (keyed by field, as ``indicator_value_save``) before anything
    is written; the values come back in the order of ``entries``.
    """
    require_owner_in_scope(actor, hospital, unit)
    # The month's lock (on no field, or on ``reason``) and the figures' rules (on their fields) are
    # said together.
    locked: ValidationError | None = None
    try:
        require_month_editable(hospital, month, actor=actor, reason=reason)
    except ValidationError as error:
        locked = error
    cleaned: list[dict[str, Any]] = []
    for entry in entries:
        refusals = Refusals()
        if locked is not None:
            refusals.merge(locked)
        clean: dict[str, Any] = {}
        with refusals.collect():
            clean = indicator_value_clean(
                indicator=entry.indicator,
                month=month,
                hospital=hospital,
                unit=unit,
                numerator=entry.numerator,
                denominator=entry.denominator,
                count=entry.count,
                answers=entry.answers,
            )
        refusals.raise_if_any()
        if entry.explanation is not None:
            clean["explanation"] = entry.explanation
        cleaned.append(clean)
    if locked is not None:  # no entries: the lock alone
        raise locked
    user = actor_user(actor)
    stored = {
        v.indicator_id: v
        for v in IndicatorValue.objects.select_for_update()
        .filter(indicator__in=[e.indicator for e in entries], hospital=hospital, unit=unit, month=month)
        .order_by()  # the default ordering joins nullable relations, which FOR UPDATE refuses
    }
    values: list[IndicatorValue] = []
    created: list[IndicatorValue] = []
    history: list[tuple[IndicatorValue, str, dict[str, list[Any]]]] = []
    for entry, clean in zip(entries, cleaned, strict=True):
        value = stored.get(entry.indicator.pk)
        if value is None:
            value = IndicatorValue(
                indicator=entry.indicator, hospital=hospital, unit=unit, month=month, updated_by=user, **clean
            )
            created.append(value)
        else:
            old = snapshot(value, HISTORY_FIELDS)
            for field, new in clean.items():
                setattr(value, field, new)
            changes = diff(old, snapshot(value, HISTORY_FIELDS))
            if changes:
                value.updated_by = user
                value.save(update_fields=[*clean, "updated_by", "updated_at"])
                history.append((value, "indicator_value_update", changes))
        values.append(value)
    if created:
        try:
            with transaction.atomic():
                IndicatorValue.objects.bulk_create(created)
        except IntegrityError as exc:
            raise ValidationError("该指标值刚被他人填报，请刷新后重试。", code="conflict") from exc
        history += [(v, "indicator_value_create", diff({}, snapshot(v, HISTORY_FIELDS))) for v in created]
    order = {id(value): n for n, value in enumerate(values)}
    history.sort(key=lambda row: order[id(row[0])])
    record_changes(history, actor=user, channel=channel, reason=reason)
    return values


@transaction.atomic
def indicator_value_update(
    *,
    actor: AnyUser | None,
    channel: str,
    value: IndicatorValue,
    owner: Mapping[str, Any] | None = None,
    explanation: str | None = None,
    reason: str = "",
    **figures: Any,
) -> IndicatorValue:
    """Correct a stored value's figures: it keeps its indicator, unit and month (``owner`` as sent)."""
    refuse_owner_change(value, owner or {}, what="指标值")
    return indicator_value_save(
        actor=actor,
        channel=channel,
        indicator=value.indicator,
        month=value.month,
        hospital=value.hospital,
        unit=value.unit,
        explanation=explanation,
        reason=reason,
        **figures,
    )


@transaction.atomic
def indicator_value_explain(
    *, actor: AnyUser | None, channel: str, value: IndicatorValue, explanation: str, reason: str = ""
) -> IndicatorValue:
    """Write the explanation a soft-rule warning asks for (kept with the value and in its history)."""
    require_owner_in_scope(actor, value.hospital, value.unit)
    require_month_editable(value.hospital, value.month, actor=actor, reason=reason)
    if explanation == value.explanation:
        return value
    changes = diff({"explanation": value.explanation}, {"explanation": explanation})
    value.explanation = explanation
    value.updated_by = actor_user(actor)
    value.save(update_fields=["explanation", "updated_by", "updated_at"])
    record_change(
        value,
        action="indicator_value_explain",
        actor=actor_user(actor),
        channel=channel,
        changes=changes,
        reason=reason,
    )
    return value


@transaction.atomic
def indicator_value_delete(
    *, actor: AnyUser | None, channel: str, value: IndicatorValue, reason: str = ""
) -> None:
    """Remove a value entered by mistake; the history keeps what it was."""
    require_owner_in_scope(actor, value.hospital, value.unit)
    require_month_editable(value.hospital, value.month, actor=actor, reason=reason)
    record_change(
        value,
        action="indicator_value_delete",
        actor=actor_user(actor),
        channel=channel,
        changes=diff(snapshot(value, HISTORY_FIELDS), {}),
        reason=reason,
    )
    value.delete()
