"""``genki residents``: register, list, show, edit, deactivate, import and export residents."""

from __future__ import annotations

import getpass
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from genki.cli.context import BadInputError, CliContext, OperationFailedError
from genki.cli.render import (
    csv_error_text,
    field_label,
    problems_text,
    resident_dict,
    residents_json,
)
from genki.i18n import Language, text
from records.audit import audit_trail
from records.errors import CsvFormatError, InvalidRecordError, NotFoundError
from records.profiles import age_on
from records.resident_csv import write_residents_csv
from records.resident_fields import (
    REQUIRED_FIELDS,
    RESIDENT_FIELDS,
    parse_changes,
    parse_resident,
)
from records.resident_import import parse_resident_csv
from records.residents import ENTITY, Resident, ResidentRepository

pass_cli = click.make_pass_decorator(CliContext)


def local_today() -> date:
    """Return the local calendar date: birth dates and ages are local dates."""
    return date.today()  # noqa: DTZ011


def _actor() -> str:
    return f"cli:{getpass.getuser()}"


def _repository(cli: CliContext) -> ResidentRepository:
    return ResidentRepository(cli.database(), cli.loaded.config.facility.id)


def _field_options(*, required: bool) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Add one ``--field-name`` option per resident field."""

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        for name in reversed(RESIDENT_FIELDS):
            needed = required and name in REQUIRED_FIELDS
            option = click.option(
                f"--{name.replace('_', '-')}",
                name,
                required=needed,
                help=f"{name.replace('_', ' ').capitalize()}.",
            )
            command = option(command)
        return command

    return decorate


def _raise_invalid(exc: InvalidRecordError, language: Language) -> BadInputError:
    return BadInputError(problems_text(exc.problems, language))


def _summary_table(residents: list[Resident], language: Language) -> Table:
    today = local_today()
    table = Table(
        *(
            text(f"list.{c}", language)
            for c in ("code", "name", "kana", "sex", "age", "care_level", "status")
        )
    )
    for r in residents:
        f = r.fields
        table.add_row(
            f.code,
            f"{f.family_name} {f.given_name}",
            f"{f.family_kana} {f.given_kana}",
            text(f"sex.{f.sex}", language),
            str(age_on(f.birth_date, today)),
            text(f"care_level.{f.care_level}", language),
            text("list.active" if r.active else "list.inactive", language),
        )
    return table


@click.group()
def residents() -> None:
    """Manage the residents of this facility."""


@residents.command()
@_field_options(required=True)
@pass_cli
def add(cli: CliContext, /, **raw: str | None) -> None:
    """Register a new resident."""
    given = {name: value for name, value in raw.items() if value is not None}
    try:
        values = parse_resident(given, local_today())
        resident = _repository(cli).add(values, actor=_actor())
    except InvalidRecordError as exc:
        raise _raise_invalid(exc, cli.language) from exc
    click.echo(text("residents.added", cli.language, code=resident.code))


@residents.command(name="list")
@click.option("--all", "include_inactive", is_flag=True, help="Include deactivated residents.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (an array of residents).")
@pass_cli
def list_residents(cli: CliContext, *, include_inactive: bool, as_json: bool) -> None:
    """List residents (active ones unless --all)."""
    found = _repository(cli).list(include_inactive=include_inactive)
    if as_json:
        click.echo(residents_json(found))
    elif not found:
        click.echo(text("residents.none", cli.language))
    else:
        Console().print(_summary_table(found, cli.language))


def get_resident(cli: CliContext, code: str) -> Resident:
    """Return the resident ``code`` of this facility; exit 2 naming the code if there is none."""
    try:
        return _repository(cli).get(code)
    except NotFoundError as exc:
        raise BadInputError(text("residents.not_found", cli.language, code=code)) from exc


@residents.command()
@click.argument("code")
@click.option("--json", "as_json", is_flag=True, help="Print JSON with the audit trail.")
@pass_cli
def show(cli: CliContext, code: str, *, as_json: bool) -> None:
    """Show one resident and the history of changes."""
    resident = get_resident(cli, code)
    trail = audit_trail(cli.database(), ENTITY, resident.uuid)
    if as_json:
        import json  # noqa: PLC0415

        document = resident_dict(resident)
        document["audit"] = [
            {
                "at": e.occurred_at.isoformat(),
                "actor": e.actor,
                "action": e.action,
                "details": e.details,
            }
            for e in trail
        ]
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
        return
    click.echo(_details(resident, cli.language))
    click.echo(text("residents.history", cli.language))
    for event in trail:
        click.echo(
            f"  {event.occurred_at:%Y-%m-%d %H:%M} {event.actor} {event.action} {event.details}"
        )


def _details(resident: Resident, language: Language) -> str:
    f = resident.fields
    status = text("list.active" if resident.active else "list.inactive", language)
    rows = [
        ("code", f.code),
        ("family_name", f.family_name),
        ("given_name", f.given_name),
        ("family_kana", f.family_kana),
        ("given_kana", f.given_kana),
        ("sex", text(f"sex.{f.sex}", language)),
        ("birth_date", f"{f.birth_date.isoformat()} ({age_on(f.birth_date, local_today())})"),
        ("care_level", text(f"care_level.{f.care_level}", language)),
        ("certified_on", f.certified_on.isoformat() if f.certified_on else "—"),
        ("notes", f.notes),
        ("active", status),
    ]
    return "\n".join(f"{field_label(name, language)}: {value}" for name, value in rows)


@residents.command()
@click.argument("current_code", metavar="CODE")
@_field_options(required=False)
@pass_cli
def edit(cli: CliContext, /, current_code: str, **raw: str | None) -> None:
    """Change fields of a resident (only the options given; --code renames)."""
    given = {name: value for name, value in raw.items() if value is not None}
    if not given:
        raise BadInputError(text("residents.nothing_to_change", cli.language))
    get_resident(cli, current_code)
    try:
        changes = parse_changes(given, local_today())
        resident = _repository(cli).edit(current_code, changes, actor=_actor())
    except InvalidRecordError as exc:
        raise _raise_invalid(exc, cli.language) from exc
    click.echo(text("residents.updated", cli.language, code=resident.code))


def _set_active(cli: CliContext, code: str, *, active: bool, reason: str) -> None:
    get_resident(cli, code)
    _repository(cli).set_active(code, active=active, actor=_actor(), reason=reason)
    message = "residents.reactivated" if active else "residents.deactivated"
    click.echo(text(message, cli.language, code=code))


@residents.command()
@click.argument("code")
@click.option("--reason", default="", help="Why (kept in the audit trail).")
@pass_cli
def deactivate(cli: CliContext, code: str, reason: str) -> None:
    """Deactivate a resident who no longer attends (records are kept)."""
    _set_active(cli, code, active=False, reason=reason)


@residents.command()
@click.argument("code")
@click.option("--reason", default="", help="Why (kept in the audit trail).")
@pass_cli
def reactivate(cli: CliContext, code: str, reason: str) -> None:
    """Reactivate a deactivated resident."""
    _set_active(cli, code, active=True, reason=reason)


@residents.command(name="import")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check the file and say what would change.")
@click.option(
    "--update",
    "update_existing",
    is_flag=True,
    help="Update residents whose code is already registered.",
)
@click.option("--progress", is_flag=True, help="Report progress on stderr while writing.")
@pass_cli
def import_csv(
    cli: CliContext, file: Path, *, dry_run: bool, update_existing: bool, progress: bool
) -> None:
    """Import residents from a CSV file (UTF-8 or Shift_JIS): every row or none."""
    language = cli.language
    try:
        rows = parse_resident_csv(file.read_bytes(), local_today())
        summary = _repository(cli).import_all(
            rows,
            actor=_actor(),
            update_existing=update_existing,
            dry_run=dry_run,
            on_progress=_progress_printer(language) if progress else None,
        )
    except CsvFormatError as exc:
        raise BadInputError(csv_error_text(exc, language)) from exc
    except InvalidRecordError as exc:
        lines = {p.line for p in exc.problems}
        header = text("import.rejected", language, rows=len(lines))
        raise BadInputError(f"{header}\n{problems_text(exc.problems, language)}") from exc
    except OSError as exc:
        raise OperationFailedError(str(exc)) from exc
    key = "import.dry_run" if dry_run else "import.done"
    click.echo(
        text(
            key, language, added=summary.added, updated=summary.updated, unchanged=summary.unchanged
        )
    )


def _progress_printer(language: Language) -> Callable[[int, int], None]:
    def report(done: int, total: int) -> None:
        click.echo(text("import.progress", language, done=done, total=total), err=True)

    return report


@residents.command(name="export")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, writable=True))
@pass_cli
def export_csv(cli: CliContext, file: Path) -> None:
    """Export every resident (active or not) to a CSV file Excel opens directly."""
    found = _repository(cli).list(include_inactive=True)
    content = write_residents_csv(((r.fields, r.active) for r in found), cli.language)
    try:
        file.write_bytes(content)
    except OSError as exc:
        raise OperationFailedError(str(exc)) from exc
    click.echo(text("export.done", cli.language, count=len(found), file=str(file)))
