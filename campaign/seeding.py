"""Load organisations, people, accounts and campaigns from YAML seed files (``seeds/``).

Contract: loading is idempotent. Every row is found by its natural key (a code, or the tuple that
identifies it) and updated only where the file says something different, so a second run changes
nothing and an edited file updates exactly the rows it names. Rows absent from a file are left alone:
a seed file describes what must exist, not everything that exists.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from django.core.exceptions import ValidationError
from django.db import models, transaction

from campaign.models import (
    ActionArea,
    ActionTask,
    Campaign,
    Indicator,
    KeyDocument,
    Layer,
    LectureKind,
    Milestone,
)
from hospitals.models import Department, Hospital, MedicalAlliance, OrgUnit, Person, Post, User

M = TypeVar("M", bound=models.Model)

# Sections in the order they must load: each may refer to rows of the sections before it.
SECTIONS = ("org_units", "hospitals", "people", "posts", "departments", "alliances", "users", "campaign")


class SeedError(Exception):
    """A seed file that cannot be loaded; the message names the file, section and key."""


@dataclass
class SeedResult:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, label: str, created: bool, changed: bool) -> None:
        if created:
            self.created[label] = self.created.get(label, 0) + 1
        elif changed:
            self.updated[label] = self.updated.get(label, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def _upsert(model: type[M], lookup: Mapping[str, Any], values: Mapping[str, Any], result: SeedResult) -> M:
    """Create the row, or update only the fields whose value differs (so a rerun writes nothing)."""
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        obj = model._default_manager.create(**lookup, **values)
        result.count(str(model._meta.verbose_name), created=True, changed=True)
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    if changed:
        obj.save(update_fields=changed)
    result.count(str(model._meta.verbose_name), created=False, changed=bool(changed))
    return obj


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _by_code(model: type[M], code: Any, where: str) -> M:
    try:
        return model._default_manager.get(code=str(code))
    except model.DoesNotExist as exc:  # type: ignore[attr-defined]
        raise SeedError(f"{where}: 找不到编码为 {code} 的{model._meta.verbose_name}") from exc


def _pick(row: Mapping[str, Any], names: Iterable[str]) -> dict[str, Any]:
    return {name: row[name] for name in names if name in row}


def load_org_units(rows: list[dict[str, Any]], result: SeedResult) -> None:
    for row in rows:
        parent = _by_code(OrgUnit, row["parent"], "org_units") if row.get("parent") else None
        values = {"name": row["name"], "kind": row["kind"], "parent": parent}
        values.update(_pick(row, ["commission_name"]))
        _upsert(OrgUnit, {"code": str(row["code"])}, values, result)


def load_hospitals(rows: list[dict[str, Any]], result: SeedResult) -> None:
    for row in rows:
        values = _pick(row, ["name", "level", "type", "is_city_tertiary", "staff_count", "is_sample"])
        values["banner"] = _by_code(OrgUnit, row["banner"], f"hospitals/{row['code']}")
        _upsert(Hospital, {"code": str(row["code"])}, values, result)


def load_people(rows: list[dict[str, Any]], result: SeedResult) -> None:
    for row in rows:
        values: dict[str, Any] = _pick(row, ["name", "title", "email", "phone"])
        values["hospital"] = _by_code(Hospital, row["hospital"], "people") if row.get("hospital") else None
        values["org_unit"] = _by_code(OrgUnit, row["org_unit"], "people") if row.get("org_unit") else None
        _upsert(Person, {"code": str(row["code"])}, values, result)


def load_posts(rows: list[dict[str, Any]], result: SeedResult) -> None:
    for row in rows:
        lookup = {
            "person": _by_code(Person, row["person"], "posts"),
            "role": row["role"],
            "hospital": _by_code(Hospital, row["hospital"], "posts") if row.get("hospital") else None,
            "org_unit": _by_code(OrgUnit, row["org_unit"], "posts") if row.get("org_unit") else None,
            "start_on": _date(row["start_on"]),
        }
        _upsert(Post, lookup, {"end_on": _date(row.get("end_on"))}, result)


def load_departments(rows: list[dict[str, Any]], result: SeedResult) -> None:
    for row in rows:
        hospital = _by_code(Hospital, row["hospital"], "departments")
        head = _by_code(Person, row["head"], "departments") if row.get("head") else None
        _upsert(Department, {"hospital": hospital, "name": row["name"]}, {"head": head}, result)


def load_alliances(rows: list[dict[str, Any]], result: SeedResult) -> None:
    for row in rows:
        values = {
            "name": row["name"],
            "kind": row["kind"],
            "assessed_by": _by_code(OrgUnit, row["assessed_by"], f"alliances/{row['code']}"),
            "lead_hospital": _by_code(Hospital, row["lead_hospital"], f"alliances/{row['code']}"),
        }
        alliance = _upsert(MedicalAlliance, {"code": row["code"]}, values, result)
        wanted = {_by_code(Hospital, code, f"alliances/{row['code']}").pk for code in row.get("members", [])}
        current = set(alliance.members.values_list("pk", flat=True))
        if wanted != current:
            alliance.members.set(wanted)
            result.count("医联体成员", created=False, changed=True)


def load_users(rows: list[dict[str, Any]], result: SeedResult) -> None:
    for row in rows:
        values: dict[str, Any] = _pick(
            row, ["role", "first_name", "last_name", "email", "is_staff", "is_superuser"]
        )
        values["hospital"] = _by_code(Hospital, row["hospital"], "users") if row.get("hospital") else None
        values["org_unit"] = _by_code(OrgUnit, row["org_unit"], "users") if row.get("org_unit") else None
        # The model's rules (scope matches role, only admins are staff) as a SeedError, not an IntegrityError.
        probe = User.objects.filter(username=row["username"]).first() or User(username=row["username"])
        for name, value in values.items():
            setattr(probe, name, value)
        try:
            probe.validate_constraints()
        except ValidationError as exc:
            raise SeedError(f"users/{row['username']}: {'；'.join(exc.messages)}") from exc
        user = _upsert(User, {"username": row["username"]}, values, result)
        password = row.get("password")
        # A password is set only when it differs, so a rerun does not rewrite the hash.
        if password and not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
            result.count("用户密码", created=False, changed=True)


def _catalogue(
    campaign: Campaign,
    model: type[M],
    rows: list[dict[str, Any]],
    fields: Iterable[str],
    result: SeedResult,
    **extra: Any,
) -> list[M]:
    fields = list(fields)
    out = []
    for row in rows:
        values = _pick(row, fields)
        for name in fields:
            if name.endswith("_on") and name in values:
                values[name] = _date(values[name])
        values.update(extra)
        out.append(_upsert(model, {"campaign": campaign, "code": str(row["code"])}, values, result))
    return out


def load_campaign(data: dict[str, Any], result: SeedResult) -> Campaign:
    values = _pick(
        data,
        [
            "name",
            "year",
            "document_number",
            "bulletin_from_month",
            "report_due_day",
            "lock_day",
            "evaluation_rules",
            "reminder_offsets",
            "settings",
        ],
    )
    if "soft_change_bound_pct" in data:
        from decimal import Decimal

        values["soft_change_bound_pct"] = Decimal(str(data["soft_change_bound_pct"]))
    values["starts_on"] = _date(data["starts_on"])
    values["ends_on"] = _date(data["ends_on"])
    values["league"] = _by_code(OrgUnit, data["league"], f"campaign/{data['code']}")
    campaign = _upsert(Campaign, {"code": data["code"]}, values, result)

    _catalogue(
        campaign, Milestone, data.get("milestones", []), ["name", "due_on", "rule", "description"], result
    )
    _catalogue(campaign, KeyDocument, data.get("key_documents", []), ["number", "title", "theme"], result)
    _catalogue(campaign, Layer, data.get("layers", []), ["order", "name", "description"], result)
    _catalogue(
        campaign,
        LectureKind,
        data.get("lecture_kinds", []),
        ["name", "speaker_rule", "venue", "audience", "order"],
        result,
    )
    for area_row in data.get("action_areas", []):
        (area,) = _catalogue(campaign, ActionArea, [area_row], ["name"], result)
        _catalogue(
            campaign,
            ActionTask,
            area_row.get("tasks", []),
            ["name", "description", "applies_to", "parts"],
            result,
            area=area,
        )
    indicator_fields = [
        "item_code",
        "area",
        "item",
        "name",
        "unit",
        "value_type",
        "display",
        "reporting_level",
        "applies_to",
        "numerator_label",
        "denominator_label",
        "numerator_may_exceed",
        "parts",
        "target_kind",
        "target_params",
        "plausible_range",
        "also_reported_under",
    ]
    rows = [dict(row, order=row.get("order", i)) for i, row in enumerate(data.get("indicators", []), start=1)]
    _catalogue(campaign, Indicator, rows, [*indicator_fields, "order"], result)
    return campaign


LOADERS = {
    "org_units": load_org_units,
    "hospitals": load_hospitals,
    "people": load_people,
    "posts": load_posts,
    "departments": load_departments,
    "alliances": load_alliances,
    "users": load_users,
}


@transaction.atomic
def seed_load(*, paths: Iterable[Path]) -> SeedResult:
    """Load the files in order, all or nothing."""
    result = SeedResult()
    for path in paths:
        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise SeedError(f"{path}: 不是有效的YAML: {exc}") from exc
        unknown = set(data) - set(SECTIONS)
        if unknown:
            raise SeedError(f"{path}: 未知的节 {sorted(unknown)}; 可用: {list(SECTIONS)}")
        for section in SECTIONS:
            if section not in data:
                continue
            try:
                if section == "campaign":
                    load_campaign(data[section], result)
                else:
                    LOADERS[section](data[section], result)
            except KeyError as exc:
                raise SeedError(f"{path}/{section}: 缺少字段 {exc}") from exc
    return result
