"""The bulletin page's form."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms


class BulletinBuildForm(forms.Form):
    month = forms.TypedChoiceField(label="月份", coerce=dt.date.fromisoformat)

    def __init__(self, *args: Any, months: list[dt.date], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = [(m.isoformat(), f"{m:%Y年%m月}") for m in months]  # type: ignore[attr-defined]
