"""Charts of the office reports as ReportLab drawings: a measure's trend and a count per day.

Both are vector graphics (reportlab.graphics: ``LinePlot`` and ``VerticalBarChart`` in a
``Drawing``) so they print sharply at any size. The data line and the bars are drawn in
SERIES_COLOUR, a colour no table or text of the reports uses, so the charts can be found in the
printed PDF. Dates run along the x axis as day numbers (``date.toordinal``) labelled month/day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors

SERIES_COLOUR = colors.Color(0.1, 0.4, 0.7)  # PDF: "0.1 0.4 0.7 RG" for the lines
GRID_COLOUR = colors.Color(0.85, 0.85, 0.85)
TITLE_SIZE = 9.5
LABEL_SIZE = 7.5


@dataclass(frozen=True, slots=True)
class TrendChart:
    """One measure's values over time, with its title (name and unit) in the report language."""

    measure: str
    title: str
    points: tuple[tuple[date, float], ...]


@dataclass(frozen=True, slots=True)
class DailyCounts:
    """A count per calendar day (e.g. sessions), with the chart's title."""

    title: str
    days: tuple[date, ...]
    counts: tuple[int, ...]


def _day_label(ordinal: float) -> str:
    day = date.fromordinal(round(ordinal))
    return f"{day.month}/{day.day}"


def _value_range(values: Sequence[float]) -> tuple[float, float]:
    """Return a y range with a margin; a flat series gets a band around its value."""
    low, high = min(values), max(values)
    margin = (high - low) * 0.15 if high > low else max(abs(high) * 0.1, 1.0)
    return max(low - margin, 0.0) if low >= 0 else low - margin, high + margin


def _title(drawing: Drawing, title: str, font: str, height: float) -> None:
    drawing.add(String(4, height - TITLE_SIZE - 2, title, fontName=font, fontSize=TITLE_SIZE))


def trend_drawing(chart: TrendChart, font: str, *, width: float, height: float) -> Drawing:
    """Return the line chart of one measure (a single value shows as a point)."""
    drawing = Drawing(width, height)
    _title(drawing, chart.title, font, height)
    xs = [float(day.toordinal()) for day, _ in chart.points]
    ys = [value for _, value in chart.points]
    plot = LinePlot()
    plot.x, plot.y = 36, 22
    plot.width, plot.height = width - 50, height - 22 - TITLE_SIZE - 12
    plot.data = [list(zip(xs, ys, strict=True))]
    plot.lines[0].strokeColor = SERIES_COLOUR
    plot.lines[0].strokeWidth = 1.5
    plot.lines[0].symbol = makeMarker("FilledCircle", size=4, fillColor=SERIES_COLOUR)
    first, last = min(xs), max(xs)
    span = max(last - first, 1.0)
    plot.xValueAxis.valueMin, plot.xValueAxis.valueMax = first - span * 0.05, last + span * 0.05
    plot.xValueAxis.valueSteps = sorted(set(xs)) if len(set(xs)) <= 6 else None
    plot.xValueAxis.labelTextFormat = _day_label
    plot.xValueAxis.labels.fontName = font
    plot.xValueAxis.labels.fontSize = LABEL_SIZE
    plot.yValueAxis.valueMin, plot.yValueAxis.valueMax = _value_range(ys)
    plot.yValueAxis.labels.fontName = font
    plot.yValueAxis.labels.fontSize = LABEL_SIZE
    plot.yValueAxis.labelTextFormat = "%g"
    plot.yValueAxis.visibleGrid = True
    plot.yValueAxis.gridStrokeColor = GRID_COLOUR
    drawing.add(plot)
    return drawing


def daily_drawing(chart: DailyCounts, font: str, *, width: float, height: float) -> Drawing:
    """Return the bar chart of a count per day, every day of the period on the x axis."""
    drawing = Drawing(width, height)
    _title(drawing, chart.title, font, height)
    bars = VerticalBarChart()
    bars.x, bars.y = 30, 22
    bars.width, bars.height = width - 40, height - 22 - TITLE_SIZE - 12
    bars.data = [list(chart.counts)]
    bars.bars[0].fillColor = SERIES_COLOUR
    bars.bars[0].strokeColor = SERIES_COLOUR
    bars.categoryAxis.categoryNames = [str(day.day) for day in chart.days]
    bars.categoryAxis.labels.fontName = font
    bars.categoryAxis.labels.fontSize = LABEL_SIZE - 1
    bars.valueAxis.valueMin = 0
    bars.valueAxis.valueMax = max([*chart.counts, 1]) + 1
    bars.valueAxis.valueStep = max(1, (max([*chart.counts, 1]) + 1) // 5)
    bars.valueAxis.labels.fontName = font
    bars.valueAxis.labels.fontSize = LABEL_SIZE
    bars.valueAxis.labelTextFormat = "%d"
    drawing.add(bars)
    return drawing
