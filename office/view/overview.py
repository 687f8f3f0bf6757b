"""The facility overview of a period: attendance per month, assessments, outcome shares.

The period chooser offers the 事業所評価加算 evaluation period (a calendar year, 1 January – 31
December, CARE-INSURANCE.md §3.1) for this year and last year, and the last 3, 6 or 12 months.
"""

from __future__ import annotations

from datetime import date, timedelta

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Select, Sparkline, Static

from office.data import FacilityOverview
from office.view.base import OfficeScreen
from office.wording import outcome_lines, overview_lines

PERIODS = ("this_year", "last_year", "months_3", "months_6", "months_12")


def period_bounds(period: str, today: date) -> tuple[date, date]:
    """Return the first and last day (both included) of a period of PERIODS."""
    if period == "this_year":
        return date(today.year, 1, 1), date(today.year, 12, 31)
    if period == "last_year":
        return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
    if period.startswith("months_") and period in PERIODS:
        months = int(period.removeprefix("months_"))
        first = today.replace(day=1)
        for _ in range(months - 1):
            first = (first - timedelta(days=1)).replace(day=1)
        return first, today
    raise ValueError(f"period {period!r}; expected one of {', '.join(PERIODS)}")


class OverviewScreen(OfficeScreen):
    """Attendance, assessments and both outcome shares of a chosen period."""

    name_key = "overview"
    AUTO_FOCUS = "#months"

    def __init__(self) -> None:
        super().__init__()
        self.period = "months_12"

    def compose(self) -> ComposeResult:
        yield from self.top_bar()
        with Horizontal(classes="filters"):
            yield Static(self.t("period"), classes="label")
            yield Select([(self.t(f"periods.{p}"), p) for p in PERIODS], value=self.period,
                         allow_blank=False, id="period", compact=True)  # fmt: skip
        with VerticalScroll(id="overview-body"):
            yield Static("", id="overview-lines")
            yield Sparkline([], id="attendance-chart", summary_function=max)
            table: DataTable[str] = DataTable(id="months", cursor_type="row", zebra_stripes=True)
            table.loading = self.snapshot is None
            yield table
            yield Static("", id="outcome-lines")

    def read(self) -> FacilityOverview:
        start, end = period_bounds(self.period, self.office.today)
        return self.office.data.overview(start=start, end=end)

    def show(self) -> None:
        overview: FacilityOverview = self.snapshot
        lang = self.office.language
        self.query_one("#overview-lines", Static).update("\n".join(overview_lines(overview, lang)))
        self.query_one("#outcome-lines", Static).update("\n".join(outcome_lines(overview, lang)))
        self.query_one("#attendance-chart", Sparkline).data = [m.sessions for m in overview.months]
        table: DataTable[str] = self.query_one("#months", DataTable)
        table.clear(columns=True)
        table.add_columns(*(self.t(f"column.{c}") for c in ("month", "sessions", "attending")))
        for month in overview.months:
            table.add_row(f"{month.month:%Y-%m}", str(month.sessions), str(month.residents))
        table.loading = False

    def on_select_changed(self, event: Select.Changed) -> None:
        if (
            event.select.id == "period"
            and isinstance(event.value, str)
            and (event.value != self.period)
        ):
            self.period = event.value
            self.query_one("#months", DataTable).loading = True
            self.load()
