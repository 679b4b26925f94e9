"""见行动任务清单: every action item in the user's scope with its responsible person, dates, the status a
reader sees (overdue computed from the due date, never typed), its roadmap and its latest progress."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db.models import Case, CharField, F, Q, QuerySet, Value, When

from campaign.filters import ActionItemFilter
from campaign.models import (
    OVERDUE,
    SEEN_STATUS_LABELS,
    ActionItem,
    ProgressEntry,
    ProgressStatus,
    RoadmapMilestone,
)
from campaign.selectors import action_item_list
from core import clock
from exports.registry import ExportKind, Params, filtered, register_export
from exports.writer import DATE, ChildRows, Column, Sheet, queryset_rows
from hospitals.selectors import AnyUser

COLUMNS = [
    Column("旗(区)", "hospital__banner__name", width=14),
    Column("医院", "hospital__name", width=26),
    Column("任务编码", "task__code", width=9),
    Column("见行动任务", "task__name", width=30),
    Column("子任务", "part", width=20),
    Column("行动项", "title", width=30),
    Column("具体措施", "description", width=40),
    Column("责任人", "responsible__name", width=10),
    Column("开始日期", "starts_on", DATE),
    Column("完成时限", "due_on", DATE),
    Column("状态", "status_seen", width=10, choices=SEEN_STATUS_LABELS),
    Column("路线图", width=40),
    Column("最新进展", width=40),
]
ROADMAP_COLUMN = 11
TRACKER_ORDER = ("hospital__code", "task__code", "due_on", "id")


def tracker_queryset(user: AnyUser, params: Params) -> QuerySet[ActionItem]:
    today = clock.today()
    qs = filtered(action_item_list(user=user).prefetch_related(None), params, ActionItemFilter, user=user)
    return qs.annotate(
        status_seen=Case(
            When(Q(due_on__lt=today) & ~Q(current_status=ProgressStatus.DONE), then=Value(OVERDUE)),
            default=F("current_status"),
            output_field=CharField(),
        )
    ).order_by(*TRACKER_ORDER)


def roadmap_and_progress(
    qs: QuerySet[ActionItem],
) -> Callable[[list[tuple[Any, ...]]], Iterable[Sequence[Any]]]:
    """Fills 路线图 ("08-31 第一阶段 ✓；10-31 第二阶段") and 最新进展 ("2021-11 按计划推进：…")."""
    items = qs.order_by().values("pk")
    roadmap = ChildRows(
        RoadmapMilestone.objects.filter(action_item__in=items),
        parent_field="action_item",
        parent_order=TRACKER_ORDER,
        child_order=("due_on", "id"),
        fields=("due_on", "title", "done_on"),
    )
    progress = ChildRows(
        ProgressEntry.objects.filter(action_item__in=items),
        parent_field="action_item",
        parent_order=TRACKER_ORDER,
        child_order=("-month",),
        fields=("month", "status", "note"),
    )
    labels = dict(ProgressStatus.choices)

    def fill(batch: list[tuple[Any, ...]]) -> Iterable[Sequence[Any]]:
        for row in batch:
            *values, pk = row
            steps = [f"{due:%Y-%m-%d} {title}{' ✓' if done else ''}" for due, title, done in roadmap.take(pk)]
            entries = progress.take(pk)
            latest = ""
            if entries:
                month, status, note = entries[0]
                latest = f"{month:%Y-%m} {labels.get(status, status)}" + (f"：{note}" if note else "")
            values[ROADMAP_COLUMN:ROADMAP_COLUMN] = ["；".join(steps), latest]
            yield values

    return fill


def build(user: AnyUser, params: Params) -> list[Sheet]:
    qs = tracker_queryset(user, params)
    rows = queryset_rows(qs, COLUMNS, extra_fields=["pk"], batch_hook=roadmap_and_progress(qs))
    return [Sheet("见行动任务清单", COLUMNS, rows, count=qs.count)]


ACTION_TRACKER = register_export(
    ExportKind(code="action_tracker", title="见行动任务清单", build=build, filterset_class=ActionItemFilter)
)
