"""Trend charts for the resident page: a labelled Textual Sparkline per main series.

A series (office.data ``series``) becomes a line with its name, the latest value and date, the
lowest and highest value, and a sparkline of every value in time order. Light on purpose: the
printed report (office.reports) draws the exact charts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Sparkline, Static

from genki.i18n import Language, text
from office.wording import series_label

# The series the page charts, in this order, when the resident has them.
CHART_SERIES = (
    "sppb.total", "sppb.gait_time_s", "sppb.chair_stand_time_s", "grip.peak_kgf",
    "grip.awgs.max_kg", "fall_risk.tug_s", "fall_risk.one_leg_stance_s", "mext65.total_points",
    "kihon_checklist.total", "stabilometry.eyes_open.mean_velocity_cm_s",
    "sway_eo.mean_velocity_mm_s",
    "chair_stand_5x.time_s", "gait_4m.time_s",
)  # fmt: skip


def chart_series(
    series: Mapping[str, list[tuple[datetime, float]]],
) -> list[tuple[str, Sequence[tuple[datetime, float]]]]:
    """Return the charted series the resident has, in CHART_SERIES order."""
    return [(key, series[key]) for key in CHART_SERIES if series.get(key)]


class TrendChart(Vertical):
    """A series' name and figures over its sparkline."""

    def __init__(self, language: Language, key: str,
                 points: Sequence[tuple[datetime, float]]) -> None:  # fmt: skip
        super().__init__(classes="chart")
        self.language, self.key, self.points = language, key, points

    def compose(self) -> ComposeResult:
        values = [value for _, value in self.points]
        when, latest = self.points[-1]
        yield Static(text("office.view.chart", self.language, name=series_label(self.key,
                     self.language), latest=f"{latest:g}", date=f"{when.astimezone():%Y-%m-%d}",
                     low=f"{min(values):g}", high=f"{max(values):g}", count=len(values)),
                     classes="chart-label")  # fmt: skip
        yield Sparkline(values, summary_function=max)
