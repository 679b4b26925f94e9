"""年终评估 (December evaluation): the stored scores and ranking of each hospital in scope, with the
figures each score was computed from and the rates they make, filtered like ``/api/v1/evaluations/``;
a second sheet ranks the banners. Hospitals and banners export only a published evaluation
(``reporting.evaluation.selectors``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import QuerySet

from exports.registry import IDS_PARAM, ExportKind, Params, filtered, register_export
from exports.writer import BOOL, DATETIME, DECIMAL, INT, PERCENT, Column, Sheet, queryset_rows
from hospitals.selectors import AnyUser
from reporting.evaluation.filters import BannerEvaluationFilter, EvaluationFilter
from reporting.evaluation.models import BannerEvaluation, Evaluation
from reporting.evaluation.selectors import banner_evaluations_visible_to, evaluations_visible_to

COLUMNS = [
    Column("活动", "campaign__name", width=24),
    Column("排名", "rank", INT, width=7),
    Column("旗(区)", "hospital__banner__name", width=14),
    Column("机构编码", "hospital__code", width=12),
    Column("医院", "hospital__name", width=28),
    Column("讲医改得分", "lecture_score", DECIMAL),
    Column("见行动得分", "action_score", DECIMAL),
    Column("出成效得分", "outcome_score", DECIMAL),
    Column("绩效考核得分", "assessment_score", DECIMAL, width=12),
    Column("总分", "total_score", DECIMAL, width=10),
    Column("拟表彰", "proposed_commendation", BOOL),
    Column("讲医改时间节点达标", "details__lecture__milestones_met", INT, width=14),
    Column("讲医改时间节点数", "details__lecture__milestones", INT, width=12),
    Column("讲医改时间节点达标率", type=PERCENT, width=11),
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
    Column("全国绩效考核", "details__assessment__national", DECIMAL, width=12),
    Column("自治区绩效考核", "details__assessment__regional", DECIMAL, width=13),
    Column("评估时间", "built_at", DATETIME),
    Column("发布时间", "published_at", DATETIME),
]
BANNER_COLUMNS = [
    Column("活动", "campaign__name", width=24),
    Column("排名", "rank", INT, width=7),
    Column("单位编码", "banner__code", width=12),
    Column("旗(区)", "banner__name", width=16),
    Column("所属医院平均分", "hospitals_score", DECIMAL, width=14),
    Column("旗(区)工作得分", "work_score", DECIMAL, width=14),
    Column("总分", "total_score", DECIMAL, width=10),
    Column("参评医院数", "details__hospitals", INT),
    Column("按时启动", "details__launched", BOOL),
    Column("集中宣讲", "details__centralised_lecture", BOOL),
    Column("旗(区)指标达标", "details__indicators__met", INT, width=13),
    Column("旗(区)指标未达标", "details__indicators__not_met", INT, width=14),
    Column("旗(区)指标无数据", "details__indicators__no_data", INT, width=14),
    Column("评估时间", "built_at", DATETIME),
    Column("发布时间", "published_at", DATETIME),
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
        met, milestones = values[_index("讲医改时间节点达标")], values[_index("讲医改时间节点数")]
        values.insert(_index("讲医改时间节点达标率"), _rate(met, milestones))
        done, items = values[_index("已完成")], values[_index("行动项")]
        values.insert(_index("行动项完成率"), _rate(done, items))
        ok, not_met, no_data = (values[_index(h)] for h in ("指标达标", "指标未达标", "指标无数据"))
        applicable = sum(v for v in (ok, not_met, no_data) if isinstance(v, int))
        values.insert(_index("指标达标率"), _rate(ok, applicable))
        yield values


def evaluation_queryset(user: AnyUser, params: Params) -> QuerySet[Evaluation]:
    qs = evaluations_visible_to(user)
    return filtered(qs, params, EvaluationFilter, user=user).order_by(*EVALUATION_ORDER)


def banner_queryset(user: AnyUser, params: Params) -> QuerySet[BannerEvaluation]:
    # The admin's selected ids are hospitals' rows: the banners' sheet takes the filters only.
    without_ids = {k: v for k, v in params.items() if k != IDS_PARAM}
    qs = filtered(banner_evaluations_visible_to(user), without_ids, BannerEvaluationFilter, user=user)
    return qs.order_by("campaign__year", "campaign_id", "rank", "banner__code", "id")


def build(user: AnyUser, params: Params) -> list[Sheet]:
    qs = evaluation_queryset(user, params)
    rows = queryset_rows(qs, COLUMNS, batch_hook=_with_rates)
    banners = banner_queryset(user, params)
    return [
        Sheet("年终评估", COLUMNS, rows, count=qs.count),
        Sheet("旗(区)评估", BANNER_COLUMNS, queryset_rows(banners, BANNER_COLUMNS), count=banners.count),
    ]


EVALUATION = register_export(
    ExportKind(code="evaluation", title="年终评估", build=build, filterset_class=EvaluationFilter)
)
