"""Reads for the dashboard (SPEC §10): each chart is built from the selectors the bulletin uses, limited
to the viewer's scope, so the dashboard and the bulletin cannot disagree about a figure.

A chart is plain data (labels and series); the page draws it with Chart.js from our static files and
prints the same numbers as a table underneath, for phones, screen readers and tests.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

from campaign.models import Campaign
from hospitals.models import Hospital
from hospitals.selectors import AnyUser, hospitals_visible_to

Number = int | float


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
            "labels": self.labels,
            "series": [{"label": s.label, "values": s.values} for s in self.series],
        }


def chart_hospitals_by_banner(user: AnyUser) -> Chart:
    """The hospitals in the viewer's scope, per banner and level: the denominator of every other chart."""
    hospitals = list(hospitals_visible_to(user).order_by("banner__code", "code"))
    banners = list(dict.fromkeys(h.banner.name for h in hospitals))
    counts = Counter((h.banner.name, h.level) for h in hospitals)
    return Chart(
        key="hospitals",
        title="参加活动的医院（按旗区、等级）",
        labels=banners,
        series=[
            Series(label, [counts[(b, level)] for b in banners]) for level, label in Hospital.Level.choices
        ],
        stacked=True,
        unit="家",
    )


def dashboard_charts(user: AnyUser, campaign: Campaign | None) -> list[Chart]:
    """Every chart of the dashboard, in the order the page shows them."""
    return [chart_hospitals_by_banner(user)]
