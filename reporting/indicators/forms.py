"""The month's indicator form: one row per applicable indicator."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms

from campaign.models import Indicator
from core.forms import TextField
from reporting.indicators.selectors import UnitMonth

YES_NO = [("", "—"), ("yes", "是"), ("no", "否")]


@dataclass
class IndicatorRow:
    """One indicator on the page: its entry, last year's figure, warnings and the fields to type in."""

    entry: UnitMonth
    fields: list[forms.BoundField]
    explanation: forms.BoundField
    errors: list[str]
    returned: str = ""  # the reviewer's reason when this indicator was returned

    @property
    def indicator(self) -> Indicator:
        return self.entry.indicator


class IndicatorMonthForm(forms.Form):
    """Every applicable indicator of one hospital's month, each with its raw inputs (never a typed
    percentage) and the explanation a soft-rule warning asks for."""

    def __init__(
        self,
        *args: Any,
        entries: list[UnitMonth],
        frozen: bool = False,
        correction: bool = False,
        **kwargs: Any,
    ) -> None:
        """``frozen``: the month is read-only for this user, every input is shown disabled (the services
        refuse a write anyway). ``correction``: a reviewer corrects a month in review and must say why."""
        super().__init__(*args, **kwargs)
        self.entries = entries
        self.frozen = frozen
        self.row_errors: dict[int, list[str]] = {}
        for entry in entries:
            self._add_fields(entry)
        if correction:
            self.fields["reason"] = TextField(
                label="更正原因",
                required=False,
                widget=forms.Textarea({"rows": 2}),
                help_text="报告审核中，审核员更正须填写原因，记入变更记录并告知医院。",
            )
        if frozen:
            for field in self.fields.values():
                field.disabled = True

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
        self.fields[f"{p}_explanation"] = TextField(
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
            # "reason" is the form's own field, shown once below the table.
            result.append(
                IndicatorRow(
                    entry=entry,
                    fields=[self[n] for n in names],
                    explanation=self[f"{p}_explanation"],
                    errors=self.row_errors.get(entry.indicator.pk, []),
                )
            )
        return result


class TemplateUploadForm(forms.Form):
    file = forms.FileField(label="填好的模板(.xlsx)", help_text="请上传从本页下载、填写后的模板。")


class ImportConfirmForm(forms.Form):
    """Confirming a dry run takes no input: the stored rows are written, never the file again."""
