"""Rules every record shares, whatever its domain."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models


def refuse_owner_change(record: models.Model, proposed: Mapping[str, Any], *, what: str) -> None:
    """A record stays with what it was created for: its campaign, its hospital or unit, its action item,
    its indicator or month. ``proposed`` holds the owner fields a caller was sent (only those); any that
    differs from the stored one is refused, each named on its field. Moving a record is a delete and a
    new record, so that the history of both owners stays true."""
    errors: dict[str, list[ValidationError]] = {}
    for name, value in proposed.items():
        current = getattr(record, name)
        if isinstance(value, models.Model) or isinstance(current, models.Model):
            same = getattr(value, "pk", value) == getattr(current, "pk", current)
        else:
            same = value == current
        if same:
            continue
        try:
            label = str(getattr(record._meta.get_field(name), "verbose_name", name))
        except FieldDoesNotExist:
            label = name
        errors[name] = [
            ValidationError(
                "%(what)s的%(label)s不能修改；如需更改，请删除后重新填写。",
                code="owner_change",
                params={"what": what, "label": label},
            )
        ]
    if errors:
        raise ValidationError(errors)
