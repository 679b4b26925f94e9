"""宣讲台账: one row per lecture in the user's scope, filtered like the lecture list (its own FilterSet,
``campaign.filters.LectureFilter``, so ``/api/v1/lectures/export/?…`` holds exactly the listed rows)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db.models import Case, F, FloatField, QuerySet, Value, When
from django.db.models.functions import Cast, Coalesce

from campaign.filters import LectureFilter
from campaign.models import LectureCoverage, LectureSession, SpeakerRole
from campaign.selectors import lecture_list
from exports.registry import ExportKind, Params, filtered, register_export
from exports.writer import BOOL, DATE, INT, PERCENT, ChildRows, Column, Sheet, queryset_rows
from hospitals.selectors import AnyUser

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
    Column("出勤率", "attendance_share", PERCENT),
    Column("线上宣讲", "is_online", BOOL),
    Column("出席指导情况", "supervision_note", width=24),
    Column("出席指导的卫生健康委领导", width=24),
]
CONTENT_COLUMN = 7  # 宣讲内容: filled by with_coverage
# Read with each row but not written: the lecture id (for the coverage of its batch) and the topic flag.
EXTRA_FIELDS = ("party_history", "pk")


def ledger_queryset(user: AnyUser, params: Params) -> QuerySet[LectureSession]:
    """The scoped, filtered lectures, oldest first (a ledger reads in date order), with the ledger's
    computed columns as annotations so the database does the arithmetic."""
    qs = filtered(lecture_list(user=user).prefetch_related(None), params, LectureFilter, user=user)
    return (
        qs.annotate(due_count=F("attendance_expected") - F("on_duty_exempt"))
        .annotate(
            banner_name=Coalesce("hospital__banner__name", "org_unit__name"),
            organiser_name=Coalesce("hospital__name", "org_unit__commission_name", "org_unit__name"),
            # LectureSession.attendance_rate in SQL: present over those due (expected less on duty), ≤ 1.
            attendance_share=Case(
                When(due_count__lte=0, then=Value(None)),
                When(attendance_present__gte=F("due_count"), then=Value(1.0)),
                default=Cast("attendance_present", FloatField()) / Cast("due_count", FloatField()),
                output_field=FloatField(),
            ),
        )
        .order_by(*LEDGER_ORDER)
    )


LEDGER_ORDER = ("held_on", "id")


def coverage_filler(
    qs: QuerySet[LectureSession],
) -> Callable[[list[tuple[Any, ...]]], Iterable[Sequence[Any]]]:
    """A batch hook that fills 宣讲内容 from the lectures' coverage, and the officials who supervised,
    each read as ``ChildRows``.

    Written as "百年党史；文件1(讲授、讲解)；文件3(讲评)": the party-history topic first, then each key
    document by its number with the layers covered, in the campaign's order.
    """
    coverage = ChildRows(
        LectureCoverage.objects.filter(lecture__in=qs.order_by().values("pk")),
        parent_field="lecture",
        parent_order=LEDGER_ORDER,
        child_order=("document__number", "layer__order"),
        fields=("document__number", "layer__name"),
    )
    # 出席指导的卫生健康委领导 (§四(一)): the names, read the same way from the many-to-many's table.
    officials = ChildRows(
        LectureSession.supervising_officials.through.objects.filter(
            lecturesession__in=qs.order_by().values("pk")
        ),
        parent_field="lecturesession",
        parent_order=LEDGER_ORDER,
        child_order=("person__code",),
        fields=("person__name",),
    )

    def fill(batch: list[tuple[Any, ...]]) -> Iterable[Sequence[Any]]:
        for row in batch:
            *values, party_history, pk = row
            covered: dict[int, list[str]] = {}
            for number, layer in coverage.take(pk):
                covered.setdefault(number, []).append(layer)
            parts = ["百年党史"] if party_history else []
            parts += [f"文件{n}({'、'.join(layers)})" for n, layers in covered.items()]
            values.insert(CONTENT_COLUMN, "；".join(parts))
            values.append("、".join(name for (name,) in officials.take(pk)))
            yield values

    return fill


def build(user: AnyUser, params: Params) -> list[Sheet]:
    qs = ledger_queryset(user, params)
    rows = queryset_rows(qs, COLUMNS, extra_fields=EXTRA_FIELDS, batch_hook=coverage_filler(qs))
    return [Sheet("宣讲台账", COLUMNS, rows, count=qs.count)]


LECTURE_LEDGER = register_export(
    ExportKind(code="lecture_ledger", title="宣讲台账", build=build, filterset_class=LectureFilter)
)
