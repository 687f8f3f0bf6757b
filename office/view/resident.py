"""A resident's page: flags, trends, every result, explanations, programme and plan, records.

"Report" writes the resident's outcome report (office.reports) and hands the PDF over: in a
browser it opens in a new tab, in a terminal it is saved.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from genki.i18n import text
from office.flags import FlagCode, measurement
from office.page import ResidentPage
from office.results import Result, numeric_leaves
from office.view.base import OfficeScreen
from office.view.charts import TrendChart, chart_series
from office.wording import (
    NONE,
    care_level_short,
    flag_sentence,
    latest_line,
    moment_text,
    rating_full,
    resident_label,
    test_short,
    value_with_unit,
)
from programs.catalogue import catalogue
from programs.explanations import programme_label
from records.errors import NotFoundError

TABS = ("summary", "trends", "results", "explanation", "programme", "records")


class ResidentScreen(OfficeScreen):
    """One resident's page."""

    extra_buttons = ("report",)
    AUTO_FOCUS = "ContentTabs"
    BINDINGS = [Binding("p", "report", show=False)]  # noqa: RUF012 - Textual's binding list

    def __init__(self, resident_uuid: str) -> None:
        super().__init__()
        self.resident_uuid = resident_uuid
        self.filled: set[str] = set()

    def compose(self) -> ComposeResult:
        yield from self.top_bar()
        yield Static("", id="who", classes="title")
        with TabbedContent(id="tabs"):
            for tab in TABS:
                with TabPane(self.t(f"tab.{tab}"), id=f"tab-{tab}"):
                    yield from self.pane(tab)

    def pane(self, tab: str) -> ComposeResult:
        """Yield one tab's (empty) widgets."""
        if tab in ("results", "records"):
            yield DataTable(id=f"{tab}-table", cursor_type="row", zebra_stripes=True)
        else:
            yield VerticalScroll(id=f"{tab}-body")

    def read(self) -> ResidentPage:
        return self.office.data.resident_page(self.resident_uuid, today=self.office.today)

    def show(self) -> None:
        page: ResidentPage = self.snapshot
        lang = self.office.language
        row = page.row
        who = resident_label(row, lang)
        if row.known:
            who += f"  {row.code}  {care_level_short(row, lang)}"
        if row.resident is not None and row.resident.fields.certified_on is not None:
            certified = row.resident.fields.certified_on.isoformat()
            who += f"  {self.t('certified_on', date=certified)}"
        self.query_one("#who", Static).update(who)
        self.filled = set()
        self.fill(self.query_one("#tabs", TabbedContent).active.removeprefix("tab-"))

    def fill(self, tab: str) -> None:
        """Fill one tab from the snapshot, once: tabs not looked at cost nothing."""
        if self.snapshot is None or tab in self.filled or tab not in TABS:
            return
        self.filled.add(tab)
        fillers = {"summary": self.show_summary, "trends": self.show_trends,
                   "results": self.show_results, "explanation": self.show_explanation,
                   "programme": self.show_programme, "records": self.show_records}  # fmt: skip
        fillers[tab](self.snapshot)

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self.fill((event.pane.id or "").removeprefix("tab-"))

    def show_summary(self, page: ResidentPage) -> None:
        """Show the flags, then the latest result per test with its rating and the one before."""
        lang = self.office.language
        flags = [flag_sentence(flag, lang) for flag in page.row.flags]
        if any(flag.code is FlagCode.DECLINE for flag in page.row.flags):
            flags.append(text("explain.error_unknown", lang))
        latest = [latest_line(entry, lang) for _, entry in sorted(page.row.latest.items())]
        body = self.query_one("#summary-body", VerticalScroll)
        body.remove_children()
        body.mount_all([
            Static("\n".join(flags) or self.t("no_flags"), classes="flags"),
            Static(self.t("latest"), classes="heading"),
            Static("\n".join(latest) or self.t("no_results")),
        ])  # fmt: skip

    def show_trends(self, page: ResidentPage) -> None:
        """One chart per main series the resident has."""
        body = self.query_one("#trends-body", VerticalScroll)
        body.remove_children()
        charts = [TrendChart(self.office.language, key, points)
                  for key, points in chart_series(page.series)]  # fmt: skip
        body.mount_all(charts or [Static(self.t("no_results"))])

    def _result_cells(self, result: Result) -> tuple[str, str, str]:
        lang = self.office.language
        found = measurement(result, self.snapshot.row.sex)
        if found is not None:
            value = value_with_unit(found, lang)
            rating = rating_full(found.rating, lang)
        else:
            figures = numeric_leaves(result.values)
            value = ", ".join(f"{k} {v:g}" for k, v in list(figures.items())[:2])
            rating = ""
        flags = result.values.get("quality_flags") or []
        if flags:
            rating = " ".join([rating, f"[{', '.join(map(str, flags))}]"]).strip()
        return test_short(result.name, lang), value, rating

    def show_results(self, page: ResidentPage) -> None:
        """Every result, newest first."""
        table: DataTable[str] = self.query_one("#results-table", DataTable)
        table.clear(columns=True)
        table.add_columns(*(self.t(f"column.{c}") for c in ("when", "test", "values", "rating")))
        for result in reversed(page.results):
            table.add_row(moment_text(result.performed_at), *self._result_cells(result))

    def show_explanation(self, page: ResidentPage) -> None:
        """Show the plain-language explanation for the resident and the proposals for staff."""
        lang = self.office.language
        body = self.query_one("#explanation-body", VerticalScroll)
        body.remove_children()
        explanation = page.explanation(lang)
        if explanation is None:
            body.mount(Static(self.t("no_profile", problem=page.profile_problem or NONE)))
            return
        body.mount_all([
            Static(self.t("for_resident"), classes="heading"),
            Static("\n".join(explanation.resident)),
            Static(self.t("for_staff"), classes="heading"),
            Static("\n".join(explanation.staff)),
        ])  # fmt: skip

    def show_programme(self, page: ResidentPage) -> None:
        """Show the programme of the latest session, the rules' proposal and the stored plans."""
        lang = self.office.language
        book = catalogue()
        lines = []
        if page.programme is not None:
            code, level = page.programme
            name = book.programmes[code].name.get(lang) if code in book.programmes else code
            lines.append(self.t("programme.current", programme=name, level=level))
        else:
            lines.append(self.t("programme.none"))
        if page.prescription is not None:
            lines.append(self.t("programme.proposal",
                                programme=programme_label(page.prescription, lang, book),
                                level=page.prescription.level))  # fmt: skip
        for plan in page.plans:
            name = (book.programmes[plan.programme].name.get(lang)
                    if plan.programme in book.programmes else plan.programme)  # fmt: skip
            lines.append(self.t(
                "programme.plan", programme=name, level=plan.level, status=plan.status,
                valid_from=plan.valid_from.isoformat(), review_due=plan.review_due.isoformat(),
            ))  # fmt: skip
        if not page.plans:
            lines.append(self.t("programme.no_plan"))
        body = self.query_one("#programme-body", VerticalScroll)
        body.remove_children()
        body.mount(Static("\n".join(lines)))

    def show_records(self, page: ResidentPage) -> None:
        """Show the implementation record (CARE-INSURANCE.md §1.5), newest session first."""
        table: DataTable[str] = self.query_one("#records-table", DataTable)
        table.clear(columns=True)
        columns = ("when", "programme", "vitals", "rpe", "pain", "exercises")
        table.add_columns(*(self.t(f"column.{c}") for c in columns))
        book = catalogue()
        for session in reversed(page.sessions):
            body = session.body
            code = str(body.get("programme") or "")
            name = (book.programmes[code].name.get(self.office.language)
                    if code in book.programmes else code or NONE)  # fmt: skip
            vitals = body.get("vitals")
            outcome = vitals.get("outcome") if isinstance(vitals, dict) else vitals
            exercises = body.get("exercises") or []
            done = sum(1 for e in exercises if isinstance(e, dict) and e.get("completed"))
            table.add_row(
                moment_text(session.started_at), f"{name} {body.get('level', '')}",
                text(f"record.vitals_outcome.{outcome}", self.office.language)
                if outcome in VITALS else NONE,
                str(body.get("rpe") or NONE),
                self.t("yes") if body.get("pain") else self.t("no"),
                f"{done}/{len(exercises)}",
            )  # fmt: skip

    def action_report(self) -> None:
        """Write the outcome report and hand it over."""
        if self.snapshot is not None and not self.snapshot.row.known:
            self.notify(self.t("error.report_unknown"), severity="warning", timeout=10)
            return
        self.notify(self.t("report_writing"))
        self.write_report()

    @work(thread=True, group="report")
    def write_report(self) -> None:
        """Write the report on a worker thread, then hand it over on the UI thread."""
        from office.reports import outcome_report  # noqa: PLC0415 - only the report needs it

        office = self.office
        path = Path(tempfile.mkdtemp(prefix="genki-report-")) / (
            f"genki-report-{self.resident_uuid[:8]}-{office.today.isoformat()}.pdf"
        )
        try:
            outcome_report(office.data.database, self.resident_uuid, path=path,
                           language=office.language, facility_id=office.data.facility_id,
                           today=office.today)  # fmt: skip
        except (OSError, ValueError, NotFoundError) as exc:
            self.app.call_from_thread(self.notify, self.t("error.report", reason=str(exc)),
                                      severity="error", timeout=15)  # fmt: skip
            return
        self.app.call_from_thread(office.deliver, path)


VITALS = ("ok", "consult_staff", "pause_recheck", "stop", "do_not_start")
