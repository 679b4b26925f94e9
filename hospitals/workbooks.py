"""医院名册: the hospitals in the user's scope with their current secretary and president."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Q

from core import clock
from exports.registry import ExportKind, Params, filtered, register_export
from exports.writer import BOOL, INT, Column, Sheet, queryset_rows
from hospitals.filters import HospitalFilter
from hospitals.models import Hospital, Post
from hospitals.selectors import AnyUser, hospitals_visible_to

COLUMNS = [
    Column("机构编码", "code", width=12),
    Column("医院名称", "name", width=30),
    Column("所属旗(区)", "banner__name", width=16),
    Column("等级", "level", width=8, choices=dict(Hospital.Level.choices)),
    Column("类别", "type", width=10, choices=dict(Hospital.Type.choices)),
    Column("城市三级医院", "is_city_tertiary", BOOL, width=12),
    Column("在职职工数", "staff_count", INT, width=12),
    Column("党委书记", width=12),
    Column("院长", width=12),
]


def _with_leaders(batch: list[tuple[Any, ...]]) -> Iterable[Sequence[Any]]:
    """Adds the secretary and president on today's date: one query per batch, whatever its size."""
    today = clock.today()
    ids = [row[-1] for row in batch]
    leaders: dict[tuple[int, str], str] = {}
    posts = (
        Post.objects.filter(hospital_id__in=ids, role__in=Post.HOSPITAL_ROLES, start_on__lte=today)
        .filter(Q(end_on__isnull=True) | Q(end_on__gte=today))
        .order_by("start_on")
        .values_list("hospital_id", "role", "person__name")
    )
    for hospital_id, role, name in posts:
        leaders[(hospital_id, role)] = name  # the latest start wins
    for row in batch:
        pk = row[-1]
        yield [
            *row[:-1],
            leaders.get((pk, Post.Role.SECRETARY), ""),
            leaders.get((pk, Post.Role.PRESIDENT), ""),
        ]


def build(user: AnyUser, params: Params) -> list[Sheet]:
    qs = filtered(hospitals_visible_to(user), params, HospitalFilter, user=user).order_by(
        "banner__path", "code"
    )
    rows = queryset_rows(qs, COLUMNS, extra_fields=["pk"], batch_hook=_with_leaders)
    return [Sheet("医院名册", COLUMNS, rows, count=qs.count)]


HOSPITAL_ROSTER = register_export(
    ExportKind(code="hospital_roster", title="医院名册", build=build, filterset_class=HospitalFilter)
)
