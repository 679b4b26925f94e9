"""全区汇总 (the region rollup) as a workbook: one row per league, the same figures as the region page
and ``/api/v1/region-rollup/`` (``region_rollup``), one column per lecture kind."""

from __future__ import annotations

from typing import Any

from exports.registry import ExportKind, Params, register_export
from exports.writer import DATETIME, DECIMAL, INT, PERCENT, TEXT, Column, Sheet
from hospitals.selectors import AnyUser
from reporting.region.selectors import LeagueRollup, region_rollup, region_rollup_allowed

CODE = "region_rollup"


def columns(kinds: list[str]) -> list[Column]:
    return [
        Column("盟(市)", width=14),
        Column("活动", width=30),
        Column("医院数", type=INT, width=8),
        *[Column(f"宣讲·{kind}", type=INT, width=12) for kind in kinds],
        Column("宣讲合计", type=INT),
        Column("通报月份", type=TEXT, width=10),
        Column("时间节点已完成", type=INT, width=14),
        Column("时间节点已到期", type=INT, width=14),
        Column("时间节点完成率", type=PERCENT, width=14),
        Column("应报送月数", type=INT),
        Column("按时报送", type=INT),
        Column("逾期报送", type=INT),
        Column("未报送", type=INT),
        Column("按时报送率", type=PERCENT, width=12),
        Column("指标达标", type=INT),
        Column("指标评判数", type=INT),
        Column("指标达标率", type=PERCENT, width=12),
        Column("年终评估医院数", type=INT, width=14),
        Column("年终评估平均分", type=DECIMAL, width=14),
        Column("拟表彰", type=INT, width=8),
        Column("评估时间", type=DATETIME),
        Column("发布时间", type=DATETIME),
    ]


def row_values(row: LeagueRollup, kinds: list[str]) -> list[Any]:
    return [
        row.league.name,
        row.campaign.name if row.campaign else "（无活动）",
        row.hospitals,
        *[row.lectures_by_kind.get(kind, 0) for kind in kinds],
        row.lectures,
        f"{row.bulletin_month:%Y-%m}" if row.bulletin_month else "未发布",
        row.milestones_met,
        row.milestones_due,
        row.milestone_rate,
        row.report_months,
        row.reports_on_time,
        row.reports_late,
        row.reports_missing,
        row.punctuality_rate,
        row.indicators_met,
        row.indicators_judged,
        row.indicator_rate,
        row.evaluated,
        row.evaluation_mean,
        row.evaluation_commended,
        row.evaluation_built_at,
        row.evaluation_published_at,
    ]


def build(user: AnyUser, params: Params) -> list[Sheet]:
    rollup = region_rollup(user=user)
    rows = [row_values(r, rollup.kinds) for r in rollup.leagues]
    notes = [
        [f"统计日期：{rollup.on:%Y-%m-%d}。"],
        [
            "时间节点完成情况与指标达标情况取各盟(市)最近一期已发布的月度通报（盟医改办统一报送自治区卫生健康委）。"
        ],
        ["宣讲场次、月度自查报告报送与年终评估为实时统计；报送只计已过报送截止日的月份。"],
    ]
    return [
        Sheet("全区汇总", columns(rollup.kinds), rows),
        Sheet("说明", [Column("说明", width=100)], notes),
    ]


register_export(ExportKind(code=CODE, title="全区汇总", build=build, allowed=region_rollup_allowed))
