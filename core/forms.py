"""Form pieces every page uses."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe


class DateInput(forms.DateInput):
    """The browser's own date picker (works on phones)."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:
        # <input type=date> reads only ISO dates: the zh-hans input format would leave an edit form's
        # stored date blank.
        super().__init__(attrs, format or "%Y-%m-%d")


class PlainSelect(forms.Select):
    """A ``Select`` written in Python instead of through a template per option: the same HTML as
    Django's (attributes, ``selected``, option groups), at a fraction of the time. For selects whose
    options grow with the organisation (a region's 100 banners, a league's 300 hospitals): Django's
    template rendering of each option is what made the review queue's time grow with the banners in
    scope (README "Benchmark")."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]

        def options(group: list[dict[str, Any]]) -> str:
            return "".join(
                format_html(
                    '<option value="{}"{}>{}</option>',
                    "" if option["value"] is None else str(option["value"]),
                    mark_safe(" selected") if option["selected"] else "",
                    option["label"],
                )
                for option in group
            )

        body = "".join(
            format_html('<optgroup label="{}">{}</optgroup>', group_name, mark_safe(options(group)))
            if group_name
            else options(group)
            for group_name, group, _ in widget["optgroups"]
        )
        return format_html(
            '<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]), mark_safe(body)
        )


class MonthField(forms.Field):
    """A calendar month typed as YYYY-MM (``<input type=month>``), cleaned to the 1st of that month."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2021-07"})

    def to_python(self, value: Any) -> dt.date | None:
        if value in (None, ""):
            return None
        if isinstance(value, dt.date):
            return value.replace(day=1)
        try:
            year, month = (int(part) for part in str(value).split("-")[:2])
            return dt.date(year, month, 1)
        except ValueError as exc:
            raise ValidationError("请按“年-月”填写月份，如 2021-07。", code="invalid_month") from exc

    def prepare_value(self, value: Any) -> Any:
        return f"{value:%Y-%m}" if isinstance(value, dt.date) else value


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern); cleaned to a list."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class TextField(forms.CharField):
    """Text kept as typed (Django strips it by default: a title's leading tab was lost); a value of
    only whitespace is still empty. Exports neutralise what a spreadsheet would run, not the input."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["strip"] = False
        super().__init__(**kwargs)

    def validate(self, value: Any) -> None:
        if self.required and isinstance(value, str) and not value.strip():
            raise ValidationError(self.error_messages["required"], code="required")
        super().validate(value)


def text_field_kwargs(db_field: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
    """``kwargs`` for a model field's form field, with ``TextField`` for plain text (an admin's
    ``formfield_for_dbfield`` passes them on)."""
    if type(db_field) in (models.CharField, models.TextField) and not db_field.choices:
        return {"form_class": TextField, **kwargs}
    return kwargs
