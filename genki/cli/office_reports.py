"""``genki office export | report | monthly``: CSV exports and printable PDF reports.

``export results|records|residents --out FILE`` writes one CSV export (office/exports.py);
``report CODE --pdf FILE`` a resident's outcome report and ``monthly YYYY-MM --pdf FILE`` the
facility's monthly report (office/reports.py). The facility is the configured ``[facility] id``
unless ``--facility`` names another; the database is ``[database] url`` unless ``--database``.
A bad date or month, an unknown resident code or a file that cannot be written ends the command
with exit code 2 and a sentence naming the problem.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TypeVar

import click

from genki.cli.context import BadInputError, CliContext, OperationFailedError
from genki.i18n import text
from office.exports import EXPORT_KINDS, export_csv
from office.reports import monthly_report, outcome_report
from records import Database, open_database
from records.errors import NotFoundError, StorageError
from records.residents import ResidentRepository

pass_cli = click.make_pass_decorator(CliContext)
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_T = TypeVar("_T")
_F = TypeVar("_F", bound=Callable[..., object])


def _common(command: _F) -> _F:
    """Add the --database and --facility options every command here takes."""
    command = click.option(
        "--facility", "facility_id", help="Facility id (default: [facility] id)."
    )(command)
    return click.option(
        "--database", "database_url", help="Office database URL (default: [database] url)."
    )(command)


@contextmanager
def _database(cli: CliContext, url: str | None) -> Iterator[Database]:
    if not url:
        yield cli.database()
        return
    try:
        database = open_database(url)
    except StorageError as exc:
        raise OperationFailedError(str(exc)) from exc
    try:
        yield database
    finally:
        database.close()


def _day(cli: CliContext, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise BadInputError(
            text("office.report.error.bad_date", cli.language, value=value)
        ) from None


def _writing(cli: CliContext, path: Path, write: Callable[[], _T]) -> _T:
    """Run ``write``; a file that cannot be written is the operator's to fix (exit 2)."""
    try:
        return write()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        message = text("office.report.error.unwritable", cli.language, file=path, reason=reason)
        raise BadInputError(message) from exc


@click.command(name="export")
@click.argument("kind", type=click.Choice(EXPORT_KINDS))
@click.option("--out", "path", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="CSV file to write (UTF-8 with BOM, opens in Excel).")  # fmt: skip
@click.option("--since", help="First day, YYYY-MM-DD (results and records).")
@click.option("--until", help="Last day, YYYY-MM-DD, included (results and records).")
@_common
@pass_cli
def export_command(
    cli: CliContext, /, *, kind: str, path: Path, since: str | None, until: str | None,
    database_url: str | None, facility_id: str | None,
) -> None:  # fmt: skip
    """Export results, implementation records or residents as CSV."""
    first, last = _day(cli, since), _day(cli, until)
    if first is not None and last is not None and first > last:
        raise BadInputError(
            text("office.report.error.date_order", cli.language, since=first, until=last)
        )
    facility = facility_id or cli.loaded.config.facility.id
    with _database(cli, database_url) as database:
        count = _writing(cli, path, lambda: export_csv(
            database, kind, path, facility_id=facility, since=first, until=last,
            language=cli.language,
        ))  # fmt: skip
    click.echo(text("office.report.exported", cli.language, count=count, file=path))


@click.command(name="report")
@click.argument("code")
@click.option("--pdf", "path", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="PDF file to write.")  # fmt: skip
@_common
@pass_cli
def report_command(
    cli: CliContext, /, *, code: str, path: Path, database_url: str | None,
    facility_id: str | None,
) -> None:  # fmt: skip
    """Write a resident's outcome report (for the family and care manager) as PDF."""
    facility = facility_id or cli.loaded.config.facility.id
    with _database(cli, database_url) as database:
        try:
            resident = ResidentRepository(database, facility).get(code.strip())
        except NotFoundError:
            raise BadInputError(
                text("office.report.error.unknown_resident", cli.language, code=code)
            ) from None
        _writing(cli, path, lambda: outcome_report(
            database, resident.uuid, facility_id=facility, path=path, language=cli.language,
        ))  # fmt: skip
    click.echo(text("office.report.done", cli.language, file=path))


@click.command(name="monthly")
@click.argument("month")
@click.option("--pdf", "path", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="PDF file to write.")  # fmt: skip
@_common
@pass_cli
def monthly_command(
    cli: CliContext, /, *, month: str, path: Path, database_url: str | None,
    facility_id: str | None,
) -> None:  # fmt: skip
    """Write the facility's monthly report for YYYY-MM as PDF."""
    found = _MONTH.fullmatch(month.strip())
    if found is None or not 1 <= int(found[2]) <= 12:
        raise BadInputError(text("office.report.error.bad_month", cli.language, value=month))
    facility = facility_id or cli.loaded.config.facility.id
    with _database(cli, database_url) as database:
        _writing(cli, path, lambda: monthly_report(
            database, year=int(found[1]), month=int(found[2]), path=path,
            language=cli.language, facility_id=facility,
        ))  # fmt: skip
    click.echo(text("office.report.done", cli.language, file=path))


COMMANDS = (export_command, report_command, monthly_command)
