"""A chart as plain data: labels and series, drawn by static/js/charts.js (Chart.js from our own static
files) and printed as a table underneath, for phones, screen readers and tests. The dashboard and the
bulletin build them; ``templates/includes/chart.html`` draws one."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Number = int | float
# Good / late / bad / nothing yet, the same on every chart that judges something.
OK_GREEN, LATE_AMBER, MISSING_RED, NO_DATA_GREY = "#2f9e44", "#f59f00", "#c92a2a", "#adb5bd"
VERDICT_COLORS = [OK_GREEN, MISSING_RED, NO_DATA_GREY]


@dataclass(frozen=True)
class Series:
    label: str
    values: list[Number]


@dataclass
class Chart:
    key: str
    title: str
    labels: list[str]
    series: list[Series]
    kind: Literal["bar", "line"] = "bar"
    stacked: bool = False
    horizontal: bool = False
    unit: str = ""
    integer: bool = True  # counts: no 0.5 ticks on the value axis
    colors: list[str] | None = None  # per series; verdict charts use green / red / grey
    note: str = ""
    empty_text: str = "暂无数据"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def data_id(self) -> str:
        """The id of the <script> that carries this chart's JSON to the page."""
        return f"chart-data-{self.key}"

    @property
    def is_empty(self) -> bool:
        return not self.labels or not any(any(v for v in s.values) for s in self.series)

    @property
    def rows(self) -> list[tuple[str, list[Number]]]:
        """The chart as table rows: one per label, one cell per series."""
        return [(label, [s.values[i] for s in self.series]) for i, label in enumerate(self.labels)]

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "stacked": self.stacked,
            "horizontal": self.horizontal,
            "unit": self.unit,
            "integer": self.integer,
            "colors": self.colors,
            "labels": self.labels,
            "series": [{"label": s.label, "values": s.values} for s in self.series],
        }
