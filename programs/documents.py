"""Care-insurance documents: the plan draft, the implementation record and the reassessment list.

What they hold follows CARE-INSURANCE.md: the individual functional-training plan
(個別機能訓練計画書, §1.3: resident header, long- and short-term goals, programme,
frequency, time; the next review at most 3 months later, §1.4), the per-session implementation
record (§1.5: date, clock times, content, staff; genki adds the dose done, the day's vitals
decision, RPE, pain and notes) and the reassessment schedule (§1.4, §7). Each is built as plain
data (``draft_plan``, ``RecordRow``, ``due_rows``) and written as PDF (ReportLab, with IPAex
Gothic embedded when installed, else a built-in Japanese CID font) or CSV. All wording comes
from the message catalogues.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Literal

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Flowable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from genki.i18n import Language, text
from programs.catalogue import Dose, catalogue
from programs.explanations import Explanation, add_months, programme_label, reason_text
from programs.prescription import Prescription, rules

CID_FONT = "HeiseiKakuGo-W5"  # a ReportLab CID font: Japanese and Latin, nothing to embed
EMBEDDED_FONTS = (  # the Debian and Ubuntu package fonts-ipaexfont-gothic
    Path("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf"),
    Path("/usr/share/fonts/truetype/ipaexfont-gothic/ipaexg.ttf"),
)
DueStatus = Literal["overdue", "due_soon", "scheduled", "never"]


@dataclass(frozen=True, slots=True)
class ResidentHeader:
    """Who a document is about."""

    code: str
    name: str
    sex: str  # "F" | "M"
    birth_date: date
    care_level: str


@dataclass(frozen=True, slots=True)
class PlanDraft:
    """A plan draft: the prescription with its goals, dates, reasons and explanations."""

    resident: ResidentHeader
    plan_date: date
    author: str
    prescription: Prescription
    next_review: date
    explanation: Explanation


@dataclass(frozen=True, slots=True)
class ExerciseDoneRow:
    """One exercise of a recorded session."""

    exercise: str
    sets_done: int
    repetitions_done: int
    hold_s: float | None
    completed: bool


@dataclass(frozen=True, slots=True)
class RecordRow:
    """One session of the implementation record."""

    started_at: datetime
    ended_at: datetime | None
    programme: str
    level: int
    exercises: tuple[ExerciseDoneRow, ...]
    staff: str
    vitals: str | None
    rpe: int | None
    pain: bool
    notes: str


@dataclass(frozen=True, slots=True)
class DueRow:
    """One resident of the reassessment schedule."""

    code: str
    name: str
    last_assessed: date | None
    due: date | None
    status: DueStatus


def draft_plan(
    resident: ResidentHeader,
    prescription: Prescription,
    explanation: Explanation,
    *,
    plan_date: date,
    author: str,
) -> PlanDraft:
    """Return the plan draft; the next review is the reassessment interval after ``plan_date``."""
    months = int(rules()["reassessment"]["months"])
    return PlanDraft(
        resident, plan_date, author, prescription, add_months(plan_date, months), explanation
    )


def due_rows(residents: Sequence[tuple[str, str, date | None]], *, today: date) -> list[DueRow]:
    """Return the reassessment schedule of (code, name, last assessment date), soonest first."""
    table = rules()["reassessment"]
    rows = []
    for code, name, last in residents:
        if last is None:
            rows.append(DueRow(code, name, None, None, "never"))
            continue
        due = add_months(last, int(table["months"]))
        days_left = (due - today).days
        status: DueStatus = (
            "overdue"
            if days_left < 0
            else "due_soon"
            if days_left <= int(table["due_soon_days"])
            else "scheduled"
        )
        rows.append(DueRow(code, name, last, due, status))
    return sorted(rows, key=lambda row: (row.due or date.min, row.code))


def dose_text(dose: Dose, language: Language) -> str:
    """Return a dose in words: sets and repetitions or time, hold, each side, rest."""
    if dose.duration_s is not None:
        if dose.duration_s % 60 == 0:
            parts = [
                text("dose.duration", language, sets=dose.sets, minutes=f"{dose.duration_s / 60:g}")
            ]
        else:
            parts = [
                text("dose.duration_s", language, sets=dose.sets, seconds=f"{dose.duration_s:g}")
            ]
    else:
        parts = [text("dose.reps", language, sets=dose.sets, reps=dose.reps or 1)]
    if dose.hold_s is not None:
        parts.append(text("dose.hold", language, hold=f"{dose.hold_s:g}"))
    if dose.each_side:
        parts.append(text("dose.each_side", language))
    if dose.rest_s:
        parts.append(text("dose.rest", language, rest=dose.rest_s))
    return ("、" if language == "ja" else ", ").join(parts)


@cache
def pdf_font() -> str:
    """Register and return the font: IPAex Gothic embedded when installed, else a CID font.

    An embedded font prints the same everywhere. The CID font needs no file but is drawn with a
    Japanese font of the viewer's computer (present in Japanese Windows, macOS and Acrobat).
    """
    for path in EMBEDDED_FONTS:
        if path.is_file():
            pdfmetrics.registerFont(TTFont("IPAexGothic", str(path)))
            return "IPAexGothic"
    pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    return CID_FONT


def pdf_styles() -> tuple[ParagraphStyle, ParagraphStyle, ParagraphStyle]:
    """Return the body, heading and title paragraph styles of genki's documents."""
    body = ParagraphStyle("body", fontName=pdf_font(), fontSize=9.5, leading=13, wordWrap="CJK")
    heading = ParagraphStyle("heading", parent=body, fontSize=11.5, leading=16, spaceBefore=6)
    title = ParagraphStyle("title", parent=body, fontSize=15, leading=20, spaceAfter=4)
    return title, heading, body


def pdf_table(rows: list[list[str]], widths: list[float], body: ParagraphStyle) -> Table:
    """Return a table with a repeated header row, its cells escaped and wrapped."""
    cells = [[Paragraph(escape_markup(cell), body) for cell in row] for row in rows]
    table = Table(cells, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def escape_markup(value: str) -> str:
    """Escape ``value`` for ReportLab's paragraph markup."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def build_pdf(path: Path, story: list[Flowable], language: Language, *, wide: bool = False) -> None:
    """Write ``story`` to ``path`` as an A4 PDF (landscape when ``wide``) with page numbers."""

    def number(canvas: object, document: SimpleDocTemplate) -> None:
        canvas.setFont(pdf_font(), 8)  # type: ignore[attr-defined]
        canvas.drawRightString(  # type: ignore[attr-defined]
            document.pagesize[0] - 15 * mm,
            10 * mm,
            text("plan.page", language, page=document.page),
        )

    size = landscape(A4) if wide else A4
    document = SimpleDocTemplate(
        str(path),
        pagesize=size,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=18 * mm,
    )
    document.build(story, onFirstPage=number, onLaterPages=number)


def header_rows(resident: ResidentHeader, language: Language) -> list[list[str]]:
    """Return the resident header rows (name, sex, age, care level) of a document."""
    sex = text("sex.female" if resident.sex == "F" else "sex.male", language)
    return [
        [
            text("plan.resident", language),
            resident.name,
            text("plan.code", language),
            resident.code,
        ],
        [
            text("plan.sex", language),
            sex,
            text("plan.birth_date", language),
            resident.birth_date.isoformat(),
        ],
        [
            text("plan.care_level", language),
            text(f"care_level.{resident.care_level}", language),
            "",
            "",
        ],
    ]


def plan_goals(prescription: Prescription, language: Language) -> tuple[str, str]:
    """Return the draft's long-term and short-term goals for the programme."""
    if prescription.is_rest:
        rest = text("plan.goal.rest", language)
        return rest, rest
    low, high = prescription.sessions_per_week or (0, 0)
    params = {"low": low, "high": high, "level": prescription.level}
    programme = prescription.programme
    return (
        text(f"plan.goal.long_{programme}", language, **params),
        text(f"plan.goal.short_{programme}", language, **params),
    )


PLAN_COLUMNS = (
    "code", "resident", "plan_date", "author", "next_review", "long_goal", "short_goal",
    "programme", "frequency", "time", "section", "exercise", "dose",
)  # fmt: skip


def plan_csv(draft: PlanDraft, language: Language) -> str:
    """Return the plan draft as CSV: one row per exercise, the plan's fields repeated."""
    book = catalogue()
    prescription = draft.prescription
    head = [
        draft.resident.code, draft.resident.name, draft.plan_date.isoformat(), draft.author,
        draft.next_review.isoformat(), *plan_goals(prescription, language),
        *_plan_fields(prescription, language),
    ]  # fmt: skip
    rows = [
        [*head, text(f"programs.section.{item.section}", language),
         book.exercises[item.exercise].name.get(language), dose_text(item.dose, language)]
        for item in prescription.exercises
    ] or [[*head, "", "", ""]]  # fmt: skip
    return _csv([text(f"plan.{c}", language) for c in PLAN_COLUMNS], rows)


def _csv(header: list[str], rows: Iterable[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def write_plan_pdf(draft: PlanDraft, path: Path, language: Language) -> None:
    """Write the plan draft as a PDF."""
    title, heading, body = pdf_styles()
    book = catalogue()
    prescription = draft.prescription
    width = A4[0] - 30 * mm
    story: list[Flowable] = [
        Paragraph(text("plan.title", language), title),
        Paragraph(escape_markup(text("plan.draft_note", language)), body),
        Spacer(1, 4 * mm),
        pdf_table(
            [
                *header_rows(draft.resident, language),
                [
                    text("plan.plan_date", language),
                    draft.plan_date.isoformat(),
                    text("plan.author", language),
                    draft.author,
                ],
                [text("plan.next_review", language), draft.next_review.isoformat(), "", ""],
            ],
            [width * 0.2, width * 0.3, width * 0.2, width * 0.3],
            body,
        ),
    ]
    goals = plan_goals(prescription, language)
    story += [
        Paragraph(text("plan.long_goal", language), heading),
        Paragraph(escape_markup(goals[0]), body),
        Paragraph(text("plan.short_goal", language), heading),
        Paragraph(escape_markup(goals[1]), body),
        Paragraph(text("plan.programme", language), heading),
        Paragraph(escape_markup(_programme_summary(prescription, language)), body),
    ]
    if prescription.exercises:
        rows = [
            [text(f"plan.{key}", language) for key in ("section", "exercise", "dose", "device")]
        ]
        for item in prescription.exercises:
            exercise = book.exercises[item.exercise]
            device = (
                text(f"plan.device_name.{exercise.device}", language) if exercise.device else ""
            )
            rows.append(
                [
                    text(f"programs.section.{item.section}", language),
                    exercise.name.get(language),
                    dose_text(item.dose, language),
                    device,
                ]
            )
        story += [
            Paragraph(text("plan.exercises", language), heading),
            pdf_table(rows, [width * 0.14, width * 0.36, width * 0.34, width * 0.16], body),
        ]
    story.append(Paragraph(text("plan.reasons", language), heading))
    story += [
        Paragraph(escape_markup(reason_text(r, language, book)), body) for r in prescription.reasons
    ]
    story.append(Paragraph(text("plan.explanation", language), heading))
    story += [Paragraph(escape_markup(line), body) for line in draft.explanation.resident]
    story.append(Paragraph(text("plan.staff", language), heading))
    story += [Paragraph(escape_markup(line), body) for line in draft.explanation.staff]
    provenance = rules()["provenance"]
    story += [
        Spacer(1, 3 * mm),
        Paragraph(
            escape_markup(
                text("plan.rules", language, title=provenance["title"], status=provenance["status"])
            ),
            body,
        ),
    ]
    build_pdf(path, story, language)


def _plan_fields(prescription: Prescription, language: Language) -> tuple[str, str, str]:
    """Return the programme with its level, the weekly frequency and the time per session."""
    label = programme_label(prescription, language, catalogue())
    if prescription.is_rest:
        return label, "", ""
    low, high = prescription.sessions_per_week or (0, 0)
    return (
        f"{label} {text('programs.level', language, level=prescription.level)}",
        text("programs.per_week", language, low=low, high=high),
        text("programs.minutes", language, minutes=f"{prescription.minutes:.0f}"),
    )


def _programme_summary(prescription: Prescription, language: Language) -> str:
    programme, frequency, minutes = _plan_fields(prescription, language)
    if prescription.is_rest:
        return programme
    return (
        f"{programme} / {text('plan.frequency', language)}: {frequency} / "
        f"{text('plan.time', language)}: {minutes}"
    )


def _content(row: RecordRow, language: Language) -> str:
    book = catalogue()
    programme = book.programmes.get(row.programme)
    head = programme.name.get(language) if programme else row.programme
    parts = [f"{head} {text('programs.level', language, level=row.level)}"]
    for item in row.exercises:
        exercise = book.exercises.get(item.exercise)
        name = exercise.name.get(language) if exercise else item.exercise
        done = text("record.done" if item.completed else "record.partly", language)
        amount = f"{item.sets_done}×{item.repetitions_done}"
        if item.hold_s:
            amount += f" ({item.hold_s:g} s)"
        parts.append(f"{name} {amount} {done}")
    return "; ".join(parts)


def _record_cells(row: RecordRow, language: Language) -> list[str]:
    end = row.ended_at.strftime("%H:%M") if row.ended_at else ""
    vitals = text(f"record.vitals_outcome.{row.vitals}", language) if row.vitals else ""
    return [
        row.started_at.date().isoformat(),
        f"{row.started_at:%H:%M}–{end}",
        _content(row, language),
        row.staff,
        vitals,
        "" if row.rpe is None else str(row.rpe),
        text("record.yes" if row.pain else "record.no", language),
        row.notes,
    ]


RECORD_COLUMNS = ("date", "time", "content", "staff", "vitals", "rpe", "pain", "notes")


def write_record_pdf(
    resident: ResidentHeader, rows: Sequence[RecordRow], path: Path, language: Language
) -> None:
    """Write the implementation record of ``rows`` (one line per session) as a PDF."""
    title, _heading, body = pdf_styles()
    width = landscape(A4)[0] - 30 * mm
    story: list[Flowable] = [
        Paragraph(text("record.title", language), title),
        pdf_table(header_rows(resident, language), [width * 0.15, width * 0.35] * 2, body),
        Spacer(1, 4 * mm),
    ]
    if not rows:
        story.append(Paragraph(text("record.empty", language), body))
    else:
        first, last = rows[0].started_at.date(), rows[-1].started_at.date()
        story.append(Paragraph(text("record.period", language, first=first, last=last), body))
        table = [[text(f"record.{c}", language) for c in RECORD_COLUMNS]]
        table += [_record_cells(row, language) for row in rows]
        shares = (0.09, 0.09, 0.38, 0.09, 0.08, 0.07, 0.06, 0.14)
        story.append(pdf_table(table, [width * share for share in shares], body))
    build_pdf(path, story, language, wide=True)


def record_csv(rows: Sequence[RecordRow], language: Language) -> str:
    """Return the implementation record as CSV text (header in ``language``)."""
    header = [text(f"record.{c}", language) for c in RECORD_COLUMNS]
    return _csv(header, (_record_cells(row, language) for row in rows))


DUE_COLUMNS = ("code", "name", "last", "due", "status")


def _due_cells(row: DueRow, language: Language) -> list[str]:
    return [
        row.code,
        row.name,
        row.last_assessed.isoformat() if row.last_assessed else "",
        row.due.isoformat() if row.due else "",
        text(f"due.state.{row.status}", language),
    ]


def write_due_pdf(rows: Sequence[DueRow], path: Path, language: Language, *, today: date) -> None:
    """Write the reassessment schedule as a PDF."""
    title, _heading, body = pdf_styles()
    width = A4[0] - 30 * mm
    months = int(rules()["reassessment"]["months"])
    story: list[Flowable] = [
        Paragraph(text("due.title", language), title),
        Paragraph(text("due.as_of", language, date=today.isoformat(), months=months), body),
        Spacer(1, 4 * mm),
    ]
    if rows:
        table = [[text(f"due.{c}", language) for c in DUE_COLUMNS]]
        table += [_due_cells(row, language) for row in rows]
        story.append(pdf_table(table, [width * s for s in (0.15, 0.3, 0.2, 0.15, 0.2)], body))
    else:
        story.append(Paragraph(text("due.empty", language), body))
    build_pdf(path, story, language)


def due_csv(rows: Sequence[DueRow], language: Language) -> str:
    """Return the reassessment schedule as CSV text (header in ``language``)."""
    header = [text(f"due.{c}", language) for c in DUE_COLUMNS]
    return _csv(header, (_due_cells(row, language) for row in rows))
