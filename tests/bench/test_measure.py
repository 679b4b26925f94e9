"""The benchmark's bookkeeping (``make bench`` itself is too slow for the suite): every workbook is
measured, and the targets are judged from the figures as the issue states them."""

from __future__ import annotations

from dataclasses import dataclass

from bench import measure as bench
from exports.registry import export_kinds


@dataclass
class M:
    seconds: float
    peak_mb: float = 1.0
    queries: int = 0


def test_every_export_kind_has_a_workload() -> None:
    measured = {w.kind for w in bench.EXPORT_WORKLOADS.values() if w.kind}
    assert measured == {k.code for k in export_kinds()}
    assert set(bench.WORKLOADS) == set(bench.EXPORT_WORKLOADS) | set(bench.AGGREGATE_WORKLOADS)
    assert set(bench.AGGREGATE_LIMITS) == set(bench.AGGREGATE_WORKLOADS)


def test_targets_are_judged_from_the_figures() -> None:
    results = {
        "floor": M(10.0),
        "ledger": M(12.5, peak_mb=10.0),
        "ledger_10k": M(1.0, peak_mb=8.0),
        "import_export": M(25.0, peak_mb=50.0),
        "rollup": M(2.0, queries=32),
        "rollup@tenth": M(0.2, queries=32),
        "evaluation": M(5.1, queries=27),
        "evaluation@tenth": M(0.3, queries=28),
    }
    verdicts = [(ok, text.split(":")[0]) for ok, text in bench.targets(results)]
    assert verdicts == [
        (True, "宣讲台账耗时 ≤ 1.25×写入下限"),
        (True, "比 django-import-export 快 ≥ 2×"),
        (True, "峰值内存 ≤ import-export 的1/5"),
        (True, "内存平稳"),
        (True, "月度汇总(生成通报)查询数与医院数无关"),
        (True, "月度汇总(生成通报)全区耗时 ≤ 2.0s"),
        (False, "年终评估(生成并保存)查询数与医院数无关"),
        (False, "年终评估(生成并保存)全区耗时 ≤ 5.0s"),
    ]
