"""The content of the facility's monthly report, as plain data built from the office's results.

For one calendar month (local days): attendance (residents with at least one exercise session,
the days sessions were held), the sessions and assessments of the month, a table per resident,
the residents due for reassessment (programs/documents.py ``due_rows``: at least every 3 months,
CARE-INSURANCE.md §1.4) and the residents whose results were maintained or improved, with what
the office can and cannot say of the 事業所評価加算-style evaluation value (``OfficeData.overview``,
office/evaluation.py, CARE-INSURANCE.md §3). A session is counted on the local day it started;
an assessment on the local day it was performed.
"""

from __future__ import annotations

import calendar
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from genki.i18n import Language, text
from office.data import FacilityOverview
from office.exports import resident_name
from office.report_charts import DailyCounts
from office.results import Result, SessionRecord
from programs.documents import DueRow, due_rows
from records.profiles import local_day
from records.residents import Resident

RESIDENT_COLUMNS = ("code", "name", "sessions", "assessments", "last_assessed")
RESIDENT_SHARES = (0.15, 0.35, 0.15, 0.15, 0.2)
DUE_STATES = ("overdue", "due_soon", "never")  # scheduled residents are not listed


@dataclass(frozen=True, slots=True)
class MonthlyReport:
    """Everything the monthly report prints, in one language."""

    year: int
    month: int
    facility: str
    today: date
    totals: tuple[tuple[str, int], ...]  # (catalogue key under office.report.monthly, value)
    daily: DailyCounts
    resident_rows: tuple[tuple[str, ...], ...]
    due_rows: tuple[tuple[str, ...], ...]
    overview: tuple[str, ...]
    resident_columns: tuple[str, ...] = RESIDENT_COLUMNS
    resident_shares: tuple[float, ...] = RESIDENT_SHARES


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """Return the first day of the month and the first day of the next month."""
    if not 1 <= month <= 12:
        raise ValueError(f"month {month}; expected 1 to 12")
    days = calendar.monthrange(year, month)[1]
    first = date(year, month, 1)
    return first, first + timedelta(days=days)


def _in_month(day: date, start: date, end: date) -> bool:
    return start <= day < end


def _due(
    residents: Sequence[Resident], results: Sequence[Result], today: date, language: Language
) -> tuple[tuple[str, ...], ...]:
    last: dict[str, date] = {}
    for result in results:
        if result.kind == "assessment":
            day = local_day(result.performed_at)
            last[result.resident_uuid] = max(day, last.get(result.resident_uuid, day))
    schedule: list[DueRow] = due_rows(
        [(r.code, resident_name(r), last.get(r.uuid)) for r in residents if r.active], today=today
    )
    return tuple(
        (row.code, row.name, row.last_assessed.isoformat() if row.last_assessed else "",
         row.due.isoformat() if row.due else "", text(f"due.state.{row.status}", language))
        for row in schedule
        if row.status in DUE_STATES
    )  # fmt: skip


def build_monthly(  # noqa: PLR0913 - the month, its data and the language, each named
    *,
    year: int,
    month: int,
    facility: str,
    residents: Sequence[Resident],
    results: Sequence[Result],
    sessions: Sequence[SessionRecord],
    overview: FacilityOverview,
    today: date,
    language: Language,
) -> MonthlyReport:
    """Return the monthly report; ``results`` and ``sessions`` may reach beyond the month.

    Results before the month give each resident's last assessment for the reassessment list.
    """
    start, end = month_bounds(year, month)
    month_sessions = [s for s in sessions if _in_month(local_day(s.started_at), start, end)]
    assessments = [
        r for r in results
        if r.kind == "assessment" and _in_month(local_day(r.performed_at), start, end)
    ]  # fmt: skip
    per_day = Counter(local_day(s.started_at) for s in month_sessions)
    days = tuple(start + timedelta(days=n) for n in range((end - start).days))
    sessions_of = Counter(s.resident_uuid for s in month_sessions)
    assessed = Counter(r.resident_uuid for r in assessments)
    last_assessed = {
        r.resident_uuid: local_day(r.performed_at).isoformat()
        for r in sorted(results, key=lambda r: r.performed_at)
        if r.kind == "assessment" and local_day(r.performed_at) < end
    }
    rows = tuple(
        (r.code, resident_name(r), str(sessions_of[r.uuid]), str(assessed[r.uuid]),
         last_assessed.get(r.uuid, ""))
        for r in residents
        if r.active or sessions_of[r.uuid] or assessed[r.uuid]
    )  # fmt: skip
    totals = (
        ("attending", overview.attending),
        ("sessions", sum(m.sessions for m in overview.months)),
        ("session_days", len(per_day)),
        ("assessments", sum(overview.assessments.values())),
        ("assessed_residents", overview.assessed),
    )
    return MonthlyReport(
        year=year, month=month, facility=facility, today=today, totals=totals,
        daily=DailyCounts(text("office.report.monthly.chart", language), days,
                          tuple(per_day[day] for day in days)),
        resident_rows=rows, due_rows=_due(residents, results, today, language),
        overview=overview_lines(overview, language),
    )  # fmt: skip


def overview_lines(overview: FacilityOverview, language: Language) -> tuple[str, ...]:
    """Return the maintained-or-improved overview in words (office/evaluation.py)."""
    sppb, evaluation = overview.sppb, overview.evaluation
    if sppb.compared and sppb.share is not None:
        lines = [text("office.report.monthly.sppb_share", language,
                      better=sppb.maintained_or_improved, compared=sppb.compared,
                      percent=f"{sppb.share * 100:.0f}")]  # fmt: skip
    else:
        lines = [text("office.report.monthly.sppb_none", language)]
    if sppb.single:
        lines.append(text("office.report.monthly.sppb_single", language, count=sppb.single))
    counts = evaluation.counts
    lines.append(
        text("office.report.monthly.certifications", language,
             certifications=evaluation.certifications, d=counts.d, m=counts.m, i=counts.i,
             worsened=evaluation.worsened)
    )  # fmt: skip
    status = text(f"battery.status.{evaluation.status}", language)
    if evaluation.value is None:
        lines.append(text("office.report.monthly.value_missing", language, status=status))
    else:
        lines.append(text("office.report.monthly.value", language,
                          value=f"{evaluation.value:.3f}", status=status))  # fmt: skip
    return tuple(lines)
