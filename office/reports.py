"""Printable office reports: a resident's outcome report and the facility's monthly report.

The outcome report is for the family and the care manager: who, the latest result of each test
with its rating, a trend chart per measure, the plain-language explanation and the current
programme (office/report_content.py builds it as data). It is the "printable progress summary for
the explanation" that the 3-month cycle asks for (CARE-INSURANCE.md §1.4, §7). The monthly report
(office/report_monthly.py) sums up a calendar month of the facility.

Both are A4 PDFs written with ReportLab in the style of the care-insurance documents
(programs/documents.py: its fonts, IPAex Gothic embedded when installed, else a Japanese CID font,
its table style and page numbers). Charts are vector drawings (office/report_charts.py). All
wording comes from the message catalogues (``office.report.*``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer

from genki.i18n import Language, text
from office.data import OfficeData
from office.report_charts import daily_drawing, trend_drawing
from office.report_content import OutcomeReport, build_outcome
from office.report_monthly import MonthlyReport, build_monthly, month_bounds
from programs.documents import (
    build_pdf,
    escape_markup,
    header_rows,
    pdf_font,
    pdf_styles,
    pdf_table,
)
from records.database import Database
from records.errors import NotFoundError

WIDTH = A4[0] - 30 * mm
CHART_HEIGHT = 48 * mm


def _rows_or_empty(rows: list[list[str]], empty: str) -> list[list[str]]:
    return rows if len(rows) > 1 else [*rows, [empty, *([""] * (len(rows[0]) - 1))]]


def outcome_story(report: OutcomeReport, language: Language) -> list[Flowable]:
    """Return the flowables of an outcome report (one Drawing per trend chart)."""
    title, heading, body = pdf_styles()
    story: list[Flowable] = [
        Paragraph(text("office.report.title", language), title),
        Paragraph(escape_markup(text("office.report.for_family", language)), body),
        Paragraph(text("office.report.as_of", language, date=report.today.isoformat()), body),
        Spacer(1, 3 * mm),
        pdf_table(header_rows(report.resident, language), [WIDTH * 0.2, WIDTH * 0.3] * 2, body),
        Paragraph(text("office.report.latest", language), heading),
    ]
    if report.latest:
        header = [
            text(f"office.report.column.{c}", language) for c in ("test", "date", "value", "rating")
        ]
        rows = [
            [row.test, row.performed_on.isoformat() if row.performed_on else "", row.value,
             row.rating]
            for row in report.latest
        ]  # fmt: skip
        story.append(pdf_table([header, *rows], [WIDTH * s for s in (0.3, 0.15, 0.3, 0.25)], body))
    else:
        story.append(Paragraph(text("office.report.no_results", language), body))
    story.append(Paragraph(text("office.report.trends", language), heading))
    if not report.charts:
        story.append(Paragraph(text("office.report.no_trends", language), body))
    charts = [
        trend_drawing(chart, pdf_font(), width=WIDTH / 2 - 2 * mm, height=CHART_HEIGHT)
        for chart in report.charts
    ]
    story += [_table_of_drawings(charts[i : i + 2]) for i in range(0, len(charts), 2)]
    story += [
        Paragraph(text("office.report.explanation", language), heading),
        *(Paragraph(escape_markup(line), body) for line in report.explanation.resident),
        Paragraph(text("office.report.programme", language), heading),
        Paragraph(escape_markup(report.programme), body),
    ]
    if report.exercises:
        header = [text(f"plan.{c}", language) for c in ("section", "exercise", "dose")]
        rows = [[row.section, row.exercise, row.dose] for row in report.exercises]
        story.append(pdf_table([header, *rows], [WIDTH * s for s in (0.16, 0.44, 0.4)], body))
    if report.next_review is not None:
        story += [
            Spacer(1, 2 * mm),
            Paragraph(
                text("office.report.next_review", language, date=report.next_review.isoformat()),
                body,
            ),
        ]
    return story


def _table_of_drawings(drawings: list[Flowable]) -> Flowable:
    """Return up to two drawings side by side, kept on one page."""
    from reportlab.platypus import Table  # noqa: PLC0415 - a plain layout grid, no style

    row = [*drawings, *([""] * (2 - len(drawings)))]
    return KeepTogether([Table([row], colWidths=[WIDTH / 2] * 2)])


def outcome_report(
    database: Database,
    resident_uuid: str,
    *,
    path: Path,
    language: Language = "ja",
    facility_id: str | None = None,
    today: date | None = None,
) -> Path:
    """Write a resident's outcome report as a PDF at ``path`` and return the path.

    Raises NotFoundError when the office's roster does not know ``resident_uuid``.
    """
    today = today or datetime.now(UTC).astimezone().date()
    page = OfficeData(database, facility_id).resident_page(resident_uuid, today=today)
    resident = page.row.resident
    if resident is None:
        raise NotFoundError(f"the roster has no resident {resident_uuid}")
    report = build_outcome(resident, page.profile, page.prescription, page.series, today=today,
                           language=language)  # fmt: skip
    build_pdf(path, outcome_story(report, language), language)
    return path


def monthly_story(report: MonthlyReport, language: Language) -> list[Flowable]:
    """Return the flowables of a monthly report (one Drawing: sessions per day)."""
    title, heading, body = pdf_styles()
    story: list[Flowable] = [
        Paragraph(escape_markup(text("office.report.monthly.title", language, year=report.year,
                               month=report.month, facility=report.facility)), title),
        Paragraph(text("office.report.as_of", language, date=report.today.isoformat()), body),
        Spacer(1, 3 * mm),
        pdf_table(
            [[text(f"office.report.monthly.{key}", language), str(value)]
             for key, value in report.totals],
            [WIDTH * 0.6, WIDTH * 0.4], body,
        ),
        Spacer(1, 3 * mm),
        daily_drawing(report.daily, pdf_font(), width=WIDTH, height=CHART_HEIGHT),
        Paragraph(text("office.report.monthly.residents", language), heading),
    ]  # fmt: skip
    header = [text(f"office.report.monthly.{c}", language) for c in report.resident_columns]
    rows = _rows_or_empty(
        [header, *(list(row) for row in report.resident_rows)], text("due.empty", language)
    )
    story.append(pdf_table(rows, [WIDTH * s for s in report.resident_shares], body))
    story.append(Paragraph(text("office.report.monthly.due", language), heading))
    due = [[text(f"due.{c}", language) for c in ("code", "name", "last", "due", "status")]]
    due += [list(row) for row in report.due_rows]
    story.append(
        pdf_table(_rows_or_empty(due, text("office.report.monthly.none_due", language)),
               [WIDTH * s for s in (0.15, 0.3, 0.2, 0.15, 0.2)], body)
    )  # fmt: skip
    story.append(Paragraph(text("office.report.monthly.overview", language), heading))
    story += [Paragraph(escape_markup(line), body) for line in report.overview]
    return story


def monthly_report(
    database: Database,
    *,
    year: int,
    month: int,
    path: Path,
    language: Language = "ja",
    facility_id: str | None = None,
    today: date | None = None,
) -> Path:
    """Write the facility's (or every facility's) monthly report as a PDF and return the path."""
    today = today or datetime.now(UTC).astimezone().date()
    start, end = month_bounds(year, month)
    data = OfficeData(database, facility_id)
    report = build_monthly(
        year=year, month=month, facility=facility_id or text("office.report.all", language),
        residents=list(data.roster().values()), results=data.results(), sessions=data.sessions(),
        overview=data.overview(start=start, end=end - timedelta(days=1)), today=today,
        language=language,
    )  # fmt: skip
    build_pdf(path, monthly_story(report, language), language)
    return path
