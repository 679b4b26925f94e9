"""年终评估 (December evaluation): the stored scores and ranking of each hospital in scope, with the
figures each score was computed from and the rates they make, filtered like ``/api/v1/evaluations/``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import QuerySet

from exports.registry import ExportKind, Params, filtered, register_export
from exports.writer import BOOL, DATETIME, DECIMAL, INT, PERCENT, Column, Sheet, queryset_rows
from hospitals.selectors import AnyUser, scope_queryset
from reporting.evaluation.filters import EvaluationFilter
from reporting.evaluation.models import Evaluation

COLUMNS = [
    Column("活动", "campaign__name", width=24),
    Column("排名", "rank", INT, width=7),
    Column("旗(区)", "hospital__banner__name", width=14),
    Column("机构编码", "hospital__code", width=12),
    Column("医院", "hospital__name", width=28),
    Column("讲医改得分", "lecture_score", DECIMAL),
    Column("见行动得分", "action_score", DECIMAL),
    Column("出成效得分", "outcome_score", DECIMAL),
    Column("总分", "total_score", DECIMAL, width=10),
    Column("拟表彰", "proposed_commendation", BOOL),
    Column("时间节点达标", "details__lecture__milestones_met", INT, width=14),
    Column("时间节点数", "details__lecture__milestones", INT, width=12),
    Column("时间节点达标率", type=PERCENT, width=11),
    Column("四个层次讲全的重点文件", "details__lecture__documents_all_layers", INT, width=20),
    Column("重点文件数", "details__lecture__documents", INT),
    Column("行动项", "details__action__items", INT, width=8),
    Column("已完成", "details__action__done", INT, width=8),
    Column("已逾期", "details__action__overdue", INT, width=8),
    Column("无路线图", "details__action__without_roadmap", INT, width=9),
    Column("行动项完成率", type=PERCENT, width=12),
    Column("按时报送月数", "details__action__reports_on_time", INT, width=12),
    Column("应报送月数", "details__action__report_months", INT),
    Column("指标达标", "details__outcome__met", INT, width=9),
    Column("指标未达标", "details__outcome__not_met", INT),
    Column("指标无数据", "details__outcome__no_data", INT),
    Column("指标达标率", type=PERCENT, width=11),
    Column("评估时间", "built_at", DATETIME),
]
EVALUATION_ORDER = ("campaign__year", "campaign_id", "rank", "hospital__code", "id")


def _index(header: str) -> int:
    return next(i for i, c in enumerate(COLUMNS) if c.header == header)


def _rate(part: Any, whole: Any) -> float | None:
    return part / whole if isinstance(part, int) and isinstance(whole, int) and whole > 0 else None


def _with_rates(batch: list[tuple[Any, ...]]) -> Iterable[Sequence[Any]]:
    """Adds the three rates the scores rest on, from the counts stored with each evaluation."""
    for row in batch:
        values = list(row)
        # Rates are inserted left to right: when one is placed, every column before it is in place.
        met, milestones = values[_index("时间节点达标")], values[_index("时间节点数")]
        values.insert(_index("时间节点达标率"), _rate(met, milestones))
        done, items = values[_index("已完成")], values[_index("行动项")]
        values.insert(_index("行动项完成率"), _rate(done, items))
        ok, not_met, no_data = (values[_index(h)] for h in ("指标达标", "指标未达标", "指标无数据"))
        applicable = sum(v for v in (ok, not_met, no_data) if isinstance(v, int))
        values.insert(_index("指标达标率"), _rate(ok, applicable))
        yield values


def evaluation_queryset(user: AnyUser, params: Params) -> QuerySet[Evaluation]:
    qs = scope_queryset(Evaluation.objects.all(), user)
    return filtered(qs, params, EvaluationFilter, user=user).order_by(*EVALUATION_ORDER)


def build(user: AnyUser, params: Params) -> list[Sheet]:
    qs = evaluation_queryset(user, params)
    rows = queryset_rows(qs, COLUMNS, batch_hook=_with_rates)
    return [Sheet("年终评估", COLUMNS, rows, count=qs.count)]


EVALUATION = register_export(
    ExportKind(code="evaluation", title="年终评估", build=build, filterset_class=EvaluationFilter)
)
