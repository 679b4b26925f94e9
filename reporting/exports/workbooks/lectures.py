"""宣讲台账: one row per lecture in the user's scope, filtered like the lecture list."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import django_filters
from django.db.models import ExpressionWrapper, F, FloatField, QuerySet
from django.db.models.functions import Cast, Coalesce, NullIf
from django_filters import FilterSet

from campaign.models import LectureCoverage, LectureSession, SpeakerRole
from campaign.selectors import lecture_list
from hospitals.selectors import AnyUser

from ..registry import ExportKind, Params, filtered, register_export
from ..writer import BATCH_ROWS, BOOL, DATE, INT, PERCENT, Column, Sheet, queryset_rows


class LectureExportFilter(FilterSet):
    banner = django_filters.NumberFilter(field_name="hospital__banner")
    held_from = django_filters.DateFilter(field_name="held_on", lookup_expr="gte")
    held_to = django_filters.DateFilter(field_name="held_on", lookup_expr="lte")

    class Meta:
        model = LectureSession
        fields = ["campaign", "hospital", "org_unit", "kind", "speaker_role", "party_history", "is_online"]


COLUMNS = [
    Column("宣讲日期", "held_on", DATE),
    Column("旗(区)", "banner_name", width=14),
    Column("组织单位", "organiser_name", width=26),
    Column("宣讲形式", "kind__name", width=12),
    Column("宣讲题目", "title", width=36),
    Column("宣讲人", "speaker__name", width=10),
    Column("宣讲人身份", "speaker_role", width=12, choices=dict(SpeakerRole.choices)),
    Column("宣讲内容(重点文件·层次)", width=40),
    Column("应到人数", "attendance_expected", INT),
    Column("实到人数", "attendance_present", INT),
    Column("出勤率", "attendance_rate", PERCENT),
    Column("线上宣讲", "is_online", BOOL),
]
CONTENT_COLUMN = 7  # 宣讲内容: filled by with_coverage
# Read with each row but not written: the lecture id (for the coverage of its batch) and the topic flag.
EXTRA_FIELDS = ("party_history", "pk")


def ledger_queryset(user: AnyUser, params: Params) -> QuerySet[LectureSession]:
    """The scoped, filtered lectures, oldest first (a ledger reads in date order), with the ledger's
    computed columns as annotations so the database does the arithmetic."""
    due = F("attendance_expected") - F("on_duty_exempt")
    qs = filtered(lecture_list(user=user).prefetch_related(None), params, LectureExportFilter)
    return qs.annotate(
        banner_name=Coalesce("hospital__banner__name", "org_unit__name"),
        organiser_name=Coalesce("hospital__name", "org_unit__commission_name", "org_unit__name"),
        attendance_rate=ExpressionWrapper(
            Cast("attendance_present", FloatField()) / NullIf(Cast(due, FloatField()), 0.0),
            output_field=FloatField(),
        ),
    ).order_by("held_on", "id")


def coverage_filler(
    qs: QuerySet[LectureSession],
) -> Callable[[list[tuple[Any, ...]]], Iterable[Sequence[Any]]]:
    """A batch hook that fills 宣讲内容 from ONE second cursor over the coverage of the same lectures.

    The coverage rows come in the ledger's own order (date, id), so each batch takes the next rows of
    that stream: two queries for the whole export, whatever its size, and memory for one batch. Written
    as "百年党史；文件1(讲授、讲解)；文件3(讲评)": the party-history topic first, then each key document by
    its number with the layers covered, in the campaign's order.
    """
    stream = (
        LectureCoverage.objects.filter(lecture__in=qs.order_by().values("pk"))
        .order_by("lecture__held_on", "lecture_id", "document__number", "layer__order")
        .values_list("lecture_id", "document__number", "layer__name")
        .iterator(chunk_size=BATCH_ROWS)
    )
    pending: list[tuple[int, int, str] | None] = [None]

    def fill(batch: list[tuple[Any, ...]]) -> Iterable[Sequence[Any]]:
        for row in batch:
            *values, party_history, pk = row
            covered: dict[int, list[str]] = {}
            head = pending[0] if pending[0] is not None else next(stream, None)
            while head is not None and head[0] == pk:
                covered.setdefault(head[1], []).append(head[2])
                head = next(stream, None)
            pending[0] = head
            parts = ["百年党史"] if party_history else []
            parts += [f"文件{n}({'、'.join(layers)})" for n, layers in covered.items()]
            values.insert(CONTENT_COLUMN, "；".join(parts))
            yield values

    return fill


def build(user: AnyUser, params: Params) -> list[Sheet]:
    qs = ledger_queryset(user, params)
    rows = queryset_rows(qs, COLUMNS, extra_fields=EXTRA_FIELDS, batch_hook=coverage_filler(qs))
    return [Sheet("宣讲台账", COLUMNS, rows, count=qs.count)]


LECTURE_LEDGER = register_export(
    ExportKind(code="lecture_ledger", title="宣讲台账", build=build, filterset_class=LectureExportFilter)
)
