"""Forms of the reporting pages. They turn what was typed into the services' arguments and hold no
rule: whether a figure is acceptable is decided by ``reporting.indicators.indicator_value_save``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import QuerySet

from campaign.models import Campaign, Indicator
from config.forms import DateInput
from hospitals.models import Hospital, OrgUnit
from hospitals.selectors import AnyUser, org_units_visible_to

from reporting.indicator_selectors import UnitMonth
from reporting.report_models import MonthlyReport
from reporting.report_selectors import report_months
from reporting.report_services import CommentInput

YES_NO = [("", "—"), ("yes", "是"), ("no", "否")]


@dataclass
class IndicatorRow:
    """One indicator on the page: its entry, last year's figure, warnings and the fields to type in."""

    entry: UnitMonth
    fields: list[forms.BoundField]
    explanation: forms.BoundField
    errors: list[str]

    @property
    def indicator(self) -> Indicator:
        return self.entry.indicator


class IndicatorMonthForm(forms.Form):
    """Every applicable indicator of one hospital's month, each with its raw inputs (never a typed
    percentage) and the explanation a soft-rule warning asks for."""

    def __init__(self, *args: Any, entries: list[UnitMonth], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.entries = entries
        self.row_errors: dict[int, list[str]] = {}
        for entry in entries:
            self._add_fields(entry)

    @staticmethod
    def prefix_of(indicator: Indicator) -> str:
        return f"i{indicator.pk}"

    def _add_fields(self, entry: UnitMonth) -> None:
        indicator, value, p = entry.indicator, entry.value, self.prefix_of(entry.indicator)
        kind = indicator.value_type
        number = {"class": "num", "inputmode": "decimal"}
        if kind == Indicator.ValueType.RATIO:
            self.fields[f"{p}_numerator"] = forms.CharField(
                label=indicator.numerator_label or "分子", required=False, widget=forms.TextInput(number)
            )
            self.fields[f"{p}_denominator"] = forms.CharField(
                label=indicator.denominator_label or "分母", required=False, widget=forms.TextInput(number)
            )
            if value is not None:
                self.initial[f"{p}_numerator"] = value.numerator
                self.initial[f"{p}_denominator"] = value.denominator
        elif kind == Indicator.ValueType.COUNT:
            self.fields[f"{p}_count"] = forms.CharField(
                label=f"数量({indicator.unit})" if indicator.unit else "数量",
                required=False,
                widget=forms.TextInput({"class": "num", "inputmode": "numeric"}),
            )
            if value is not None:
                self.initial[f"{p}_count"] = value.count
        else:
            parts = indicator.parts if kind == Indicator.ValueType.BOOLEAN_SET else ["是否"]
            answers = list(value.answers) if value is not None else []
            for index, part in enumerate(parts):
                name = f"{p}_answer_{index}"
                self.fields[name] = forms.ChoiceField(label=part, choices=YES_NO, required=False)
                if index < len(answers):
                    self.initial[name] = "yes" if answers[index] else "no"
        self.fields[f"{p}_explanation"] = forms.CharField(
            label="情况说明", required=False, widget=forms.Textarea({"rows": 2})
        )
        if value is not None:
            self.initial[f"{p}_explanation"] = value.explanation

    def figures(self, entry: UnitMonth) -> dict[str, Any] | None:
        """The typed figures of one indicator as ``indicator_value_save`` arguments; None when the row was
        left blank and nothing is stored yet (a missing value is the submission check's business)."""
        p, data = self.prefix_of(entry.indicator), self.cleaned_data
        kind = entry.indicator.value_type
        explanation = data.get(f"{p}_explanation", "")
        if kind == Indicator.ValueType.RATIO:
            figures: dict[str, Any] = {
                "numerator": data[f"{p}_numerator"].strip(),
                "denominator": data[f"{p}_denominator"].strip(),
            }
        elif kind == Indicator.ValueType.COUNT:
            figures = {"count": data[f"{p}_count"].strip()}
        else:
            typed = [data[name] for name in self.fields if name.startswith(f"{p}_answer_")]
            figures = {"answers": [a == "yes" for a in typed if a]}
            if typed and any(typed) and not all(typed):
                figures["answers"] = [a == "yes" if a else None for a in typed]
        blank = not any(v not in ("", [], None) for v in figures.values())
        if blank and entry.value is None:
            return None
        figures["explanation"] = explanation
        return figures

    def add_row_error(self, entry: UnitMonth, field: str, messages: list[str]) -> None:
        name = f"{self.prefix_of(entry.indicator)}_{field}"
        if field == "answers":
            name = f"{self.prefix_of(entry.indicator)}_answer_0"
        if name in self.fields:
            self.add_error(name, messages)
        else:
            self.row_errors.setdefault(entry.indicator.pk, []).extend(messages)

    def rows(self) -> list[IndicatorRow]:
        result = []
        for entry in self.entries:
            p = self.prefix_of(entry.indicator)
            names = [n for n in self.fields if n.startswith(f"{p}_") and not n.endswith("_explanation")]
            result.append(
                IndicatorRow(
                    entry=entry,
                    fields=[self[n] for n in names],
                    explanation=self[f"{p}_explanation"],
                    errors=self.row_errors.get(entry.indicator.pk, []),
                )
            )
        return result


class ReportForm(forms.Form):
    problems = forms.CharField(
        label="存在问题", required=False, widget=forms.Textarea({"rows": 3}), help_text="没有问题请填“无”。"
    )
    corrections = forms.CharField(label="整改措施", required=False, widget=forms.Textarea({"rows": 3}))


class UnlockRequestForm(forms.Form):
    reason = forms.CharField(label="申请解锁的理由", widget=forms.Textarea({"rows": 2}))


class ReviewActionForm(forms.Form):
    reason = forms.CharField(label="审核意见", required=False, widget=forms.Textarea({"rows": 2}))


class ReturnForm(forms.Form):
    """A return: an overall reason and, per item of the report, the reason that concerns it."""

    reason = forms.CharField(label="退回原因(整体)", required=False, widget=forms.Textarea({"rows": 2}))

    def __init__(self, *args: Any, contents: dict[str, dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(contents.items())
        for index, (_, item) in enumerate(self.items):
            self.fields[f"item_{index}"] = forms.CharField(
                label=item.get("label", ""),
                required=False,
                widget=forms.TextInput({"placeholder": "该项退回原因"}),
            )

    def item_fields(self) -> list[tuple[str, dict[str, Any], forms.BoundField]]:
        return [(key, item, self[f"item_{i}"]) for i, (key, item) in enumerate(self.items)]

    def comments(self) -> list[CommentInput]:
        result = []
        for index, (key, item) in enumerate(self.items):
            text = self.cleaned_data.get(f"item_{index}", "").strip()
            if text:
                result.append(
                    CommentInput(
                        text=text,
                        item_kind=item.get("kind", "general"),
                        item_key=key,
                        item_label=item.get("label", ""),
                    )
                )
        return result


class QueueFilterForm(forms.Form):
    month = forms.TypedChoiceField(
        label="月份", required=False, coerce=dt.date.fromisoformat, empty_value=None
    )
    banner = forms.ModelChoiceField(OrgUnit.objects.none(), label="旗区", required=False, empty_label="全部")
    level = forms.ChoiceField(label="等级", required=False, choices=[("", "全部"), *Hospital.Level.choices])
    status = forms.ChoiceField(label="状态", required=False)
    late = forms.BooleanField(label="仅逾期", required=False)

    PENDING = "pending"

    def __init__(self, *args: Any, user: AnyUser, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["month"].choices = [("", "全部")] + [
            (m.isoformat(), f"{m:%Y年%m月}") for m in report_months(campaign)
        ]
        fields["banner"].queryset = (
            org_units_visible_to(user).filter(kind=OrgUnit.Kind.BANNER).order_by("code")
        )
        fields["status"].choices = [(self.PENDING, "待我审核"), ("", "全部"), *MonthlyReport.Status.choices]

    def filter(self, reports: QuerySet[MonthlyReport], pending: list[str]) -> QuerySet[MonthlyReport]:
        data = self.cleaned_data
        status = data.get("status", self.PENDING) if "status" in self.data else self.PENDING
        if status == self.PENDING:
            reports = reports.filter(status__in=pending)
        elif status:
            reports = reports.filter(status=status)
        if data.get("month"):
            reports = reports.filter(month=data["month"])
        if data.get("banner"):
            reports = reports.filter(hospital__banner=data["banner"])
        if data.get("level"):
            reports = reports.filter(hospital__level=data["level"])
        if data.get("late"):
            reports = reports.filter(late_days__gt=0)
        return reports


class UnlockDecisionForm(forms.Form):
    request_id = forms.IntegerField(widget=forms.HiddenInput)
    until = forms.DateField(label="解锁至", required=False, widget=DateInput)
    note = forms.CharField(label="处理意见", required=False)


class BulletinBuildForm(forms.Form):
    month = forms.TypedChoiceField(label="月份", coerce=dt.date.fromisoformat)

    def __init__(self, *args: Any, months: list[dt.date], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = [(m.isoformat(), f"{m:%Y年%m月}") for m in months]  # type: ignore[attr-defined]
