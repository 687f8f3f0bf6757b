"""``genki programs``: the exercise catalogue, prescriptions, plan drafts, records and the schedule.

- ``list [--json]``: the programmes and their levels, and the exercises.
- ``prescribe --profile FILE.json [--json]``: today's programme, level and doses for a profile
  (programs.profile describes the file), with reasons and explanations in Japanese and English.
- ``plan CODE [--pdf FILE] [--csv FILE]``: draft the resident's functional-training plan from
  the stored assessments and sessions, store it (with the audit of a staff override), write it.
- ``record CODE [--pdf FILE] [--csv FILE]``: the resident's implementation record.
- ``due [--pdf FILE] [--csv FILE]``: the reassessment schedule of the facility's residents.

A profile that is not valid JSON or breaks its schema ends the command with exit code 2.
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import click

from genki.cli.battery import read_json_object
from genki.cli.context import BadInputError, CliContext
from genki.cli.residents import get_resident, local_today
from genki.i18n import Language, text
from programs.catalogue import catalogue
from programs.documents import (
    DueRow,
    ExerciseDoneRow,
    RecordRow,
    ResidentHeader,
    draft_plan,
    due_csv,
    due_rows,
    plan_csv,
    record_csv,
    write_due_pdf,
    write_plan_pdf,
    write_record_pdf,
)
from programs.explanations import explain, prescription_json
from programs.prescription import prescribe
from programs.profile import ProfileError, parse_profile
from records.assessments import assessments_of, exercise_sessions_of
from records.plans import OverrideRecord, save_plan
from records.profiles import local_day, profile_document, sex_code
from records.residents import Resident, ResidentRepository

pass_cli = click.make_pass_decorator(CliContext)


@click.group(name="programs")
def programs_group() -> None:
    """Exercise programmes: catalogue, prescription, plans, records and reassessments."""


@programs_group.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@pass_cli
def list_command(cli: CliContext, /, *, as_json: bool) -> None:
    """List the programmes with their levels, and the exercises."""
    book = catalogue()
    if as_json:
        document = {
            "programmes": [
                {
                    "id": p.id, "name": p.name.model_dump(), "purpose": p.purpose.model_dump(),
                    "for_whom": p.for_whom.model_dump(),
                    "sessions_per_week": p.sessions_per_week,
                    "levels": [{"level": level.level, "summary": level.summary.model_dump(),
                                "exercises": [{"section": section, **item.model_dump()}
                                              for section, item in level.entries()]}
                               for level in p.levels],
                    "sources": p.sources,
                }
                for p in book.programmes.values()
            ],
            "exercises": [e.model_dump() for e in book.exercises.values()],
            "sources": {key: source.model_dump() for key, source in book.sources.items()},
        }  # fmt: skip
        click.echo(json.dumps(document, ensure_ascii=False))
        return
    language = cli.language
    for programme in book.programmes.values():
        low, high = programme.sessions_per_week
        click.echo(
            f"{programme.id}: {programme.name.get(language)} "
            f"({text('programs.per_week', language, low=low, high=high)})"
        )
        for level in programme.levels:
            click.echo(f"  {level.level}. {level.summary.get(language)}")
    click.echo(f"{len(book.exercises)} exercises")


@programs_group.command(name="prescribe")
@click.option(
    "--profile", "profile_path", required=True,
    type=click.Path(path_type=Path, dir_okay=False), help="Profile JSON file.",
)  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@pass_cli
def prescribe_command(cli: CliContext, /, *, profile_path: Path, as_json: bool) -> None:
    """Prescribe today's programme, level and doses for the profile in FILE.json."""
    language = cli.language
    document = read_json_object(profile_path, language, "programs.error.not_object")
    try:
        profile = parse_profile(document)
        prescription = prescribe(profile)
    except ProfileError as exc:
        problems = "; ".join(exc.problems)
        raise BadInputError(
            text("programs.error.profile", language, file=profile_path, problems=problems)
        ) from exc
    result = prescription_json(profile, prescription)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False))
        return
    explanation = explain(profile, prescription, language)
    click.echo("\n".join([*explanation.resident, "", *explanation.staff]))


def _header(resident: Resident) -> ResidentHeader:
    f = resident.fields
    return ResidentHeader(
        code=f.code, name=f"{f.family_name} {f.given_name}", sex=sex_code(resident),
        birth_date=f.birth_date, care_level=f.care_level.value,
    )  # fmt: skip


def _override(
    value: str | None, reason: str | None, staff: str | None, language: Language
) -> dict[str, Any] | None:
    """Return the override given by ``--override PROGRAMME:LEVEL --reason --staff``, or None."""
    if value is None:
        return None
    programme, _, level = value.partition(":")
    if not programme or not level.isdigit():
        raise BadInputError(text("programs.error.override_format", language, value=value))
    if not reason or not staff:
        raise BadInputError(text("programs.error.override_needs_reason", language))
    return {"programme": programme, "level": int(level), "staff": staff, "reason": reason}


@programs_group.command(name="plan")
@click.argument("code")
@click.option(
    "--pdf",
    "pdf_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the plan draft to this PDF file.",
)
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the plan draft to this CSV file (UTF-8 with BOM).",
)
@click.option(
    "--contraindication",
    "contraindications",
    multiple=True,
    help="A limit noted by staff (repeat for several), e.g. knee_pain.",
)
@click.option("--staff", help="Who drafts the plan (default: the user running genki).")
@click.option(
    "--override",
    "override_value",
    metavar="PROGRAMME:LEVEL",
    help="Choose the programme and level instead of the rules (needs --reason).",
)
@click.option("--reason", help="Why the override (kept in the audit trail).")
@pass_cli  # fmt: skip
def plan_command(  # noqa: PLR0913 - one keyword per option
    cli: CliContext,
    /,
    *,
    code: str,
    pdf_path: Path | None,
    csv_path: Path | None,
    contraindications: tuple[str, ...],
    staff: str | None,
    override_value: str | None,
    reason: str | None,
) -> None:
    """Draft resident CODE's functional-training plan, store it and write it as PDF and/or CSV."""
    language = cli.language
    if pdf_path is None and csv_path is None:
        raise click.UsageError("give --pdf FILE, --csv FILE or both")
    resident = get_resident(cli, code)
    author = staff or f"cli:{getpass.getuser()}"
    document = profile_document(
        cli.database(), resident, today=local_today(), contraindications=contraindications
    )
    override = _override(override_value, reason, staff, language)
    if override is not None:
        document["override"] = override
    try:
        profile = parse_profile(document)
        by_rules = prescribe(profile.model_copy(update={"override": None}), for_today=False)
        prescription = prescribe(profile, for_today=False)
    except ProfileError as exc:
        raise BadInputError("; ".join(exc.problems)) from exc
    today = local_today()
    draft = draft_plan(_header(resident), prescription, explain(profile, prescription, language),
                       plan_date=today, author=author)  # fmt: skip
    audit = None
    if override is not None:
        audit = OverrideRecord(
            override["staff"], override["reason"], by_rules.programme, by_rules.level
        )
    save_plan(
        cli.database(), resident_uuid=resident.uuid, programme=prescription.programme,
        level=prescription.level, valid_from=today, review_due=draft.next_review,
        document=prescription_json(profile, prescription), staff=author, override=audit,
    )  # fmt: skip
    _write(
        pdf_path,
        csv_path,
        lambda path: write_plan_pdf(draft, path, language),
        lambda: plan_csv(draft, language),
    )


def _record_rows(cli: CliContext, resident: Resident) -> list[RecordRow]:
    return [
        RecordRow(
            started_at=s.started_at.astimezone(), programme=s.programme, level=s.level,
            ended_at=s.ended_at.astimezone() if s.ended_at else None,
            exercises=tuple(ExerciseDoneRow(e.exercise, e.sets_done, e.repetitions_done,
                                            e.hold_s, e.completed) for e in s.exercises),
            staff=s.staff or "", vitals=s.vitals, rpe=s.rpe, pain=s.pain, notes=s.notes,
        )
        for s in exercise_sessions_of(cli.database(), resident.uuid)
    ]  # fmt: skip


@programs_group.command(name="record")
@click.argument("code")
@click.option(
    "--pdf",
    "pdf_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the record to this PDF file.",
)
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the record to this CSV file (UTF-8 with BOM).",
)
@pass_cli  # fmt: skip
def record_command(
    cli: CliContext, /, *, code: str, pdf_path: Path | None, csv_path: Path | None
) -> None:
    """Write resident CODE's implementation record (every exercise session) as PDF and/or CSV."""
    resident = get_resident(cli, code)
    rows = _record_rows(cli, resident)
    _write(pdf_path, csv_path,
           lambda path: write_record_pdf(_header(resident), rows, path, cli.language),
           lambda: record_csv(rows, cli.language))  # fmt: skip


@programs_group.command(name="due")
@click.option(
    "--pdf",
    "pdf_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the schedule to this PDF file.",
)
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the schedule to this CSV file (UTF-8 with BOM).",
)
@pass_cli  # fmt: skip
def due_command(cli: CliContext, /, *, pdf_path: Path | None, csv_path: Path | None) -> None:
    """Write the reassessment schedule of the facility's active residents as PDF and/or CSV."""
    today = local_today()
    rows = _due(cli, today)
    _write(pdf_path, csv_path,
           lambda path: write_due_pdf(rows, path, cli.language, today=today),
           lambda: due_csv(rows, cli.language))  # fmt: skip


def _due(cli: CliContext, today: date) -> list[DueRow]:
    database = cli.database()
    residents = ResidentRepository(database, cli.loaded.config.facility.id).list()
    entries: list[tuple[str, str, date | None]] = []
    for resident in residents:
        dates = [local_day(a.performed_at) for a in assessments_of(database, resident.uuid)]
        name = f"{resident.fields.family_name} {resident.fields.given_name}"
        entries.append((resident.code, name, max(dates) if dates else None))
    return due_rows(entries, today=today)


def _write(
    pdf_path: Path | None,
    csv_path: Path | None,
    pdf: Callable[[Path], None],
    csv: Callable[[], str],
) -> None:
    """Write the document as PDF and/or CSV (UTF-8 with BOM, which Japanese Excel opens)."""
    if pdf_path is None and csv_path is None:
        raise click.UsageError("give --pdf FILE, --csv FILE or both")
    if pdf_path is not None:
        pdf(pdf_path)
        click.echo(str(pdf_path))
    if csv_path is not None:
        csv_path.write_text(csv(), encoding="utf-8-sig")
        click.echo(str(csv_path))
