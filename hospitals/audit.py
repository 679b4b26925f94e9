"""History rows for every change of state (STYLE habit 3)."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.fields.files import FieldFile

from hospitals.models import ChangeRecord, User


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    if isinstance(value, FieldFile):  # an empty FieldFile raises on .url, so test the type
        return value.name or ""
    return value


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    return {name: _plain(getattr(instance, name)) for name in fields}


def diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields whose plain value changed."""
    return {
        key: [_plain(old.get(key)), _plain(new.get(key))]
        for key in sorted(set(old) | set(new))
        if _plain(old.get(key)) != _plain(new.get(key))
    }


def _change_record(
    target: models.Model,
    action: str,
    actor: User | None,
    channel: str,
    changes: Mapping[str, list[Any]] | None,
    reason: str,
) -> ChangeRecord:
    return ChangeRecord(
        content_type=ContentType.objects.get_for_model(target, for_concrete_model=True),
        object_id=str(target.pk),
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        channel=channel,
        changes=dict(changes or {}),
        reason=reason,
    )


def record_change(
    target: models.Model,
    *,
    action: str,
    actor: User | None,
    channel: str = ChangeRecord.Channel.WEB,
    changes: Mapping[str, list[Any]] | None = None,
    reason: str = "",
) -> ChangeRecord:
    record = _change_record(target, action, actor, channel, changes, reason)
    record.save(force_insert=True)
    return record


def record_changes(
    rows: Sequence[tuple[models.Model, str, Mapping[str, list[Any]]]],
    *,
    actor: User | None,
    channel: str = ChangeRecord.Channel.WEB,
    reason: str = "",
) -> list[ChangeRecord]:
    """``record_change`` for many targets at once (target, action, changes), in one insert, in order."""
    return ChangeRecord.objects.bulk_create(
        [_change_record(target, action, actor, channel, changes, reason) for target, action, changes in rows]
    )


def history_of(target: models.Model) -> models.QuerySet[ChangeRecord]:
    return ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(target, for_concrete_model=True),
        object_id=str(target.pk),
    ).select_related("actor")
