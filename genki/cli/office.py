"""``genki office ingest | view``: receive every kiosk's results; look at them.

The office database is the configured ``[database] url`` (SQLite by default) or ``--database``
(e.g. ``postgresql+psycopg://user@host/genki``). The command runs until interrupted (Ctrl-C or
SIGTERM), then stores what has arrived, disconnects and prints its counts. ``view`` opens the
office viewer (office/view) on this terminal, or with ``--serve`` serves it to web browsers
through textual-serve, one app per browser connection, with the same configuration.
"""

from __future__ import annotations

import shlex
import signal
import sys
import threading
import time
from types import FrameType

import click

from genki.cli.context import CliContext, OperationFailedError
from genki.cli.office_reports import COMMANDS as REPORT_COMMANDS
from genki.cli.sync_cmd import broker_settings
from genki.i18n import Language, text
from records import open_database
from records.errors import StorageError
from sync.ingest import Ingest

pass_cli = click.make_pass_decorator(CliContext)
STATUS_EVERY_S = 60.0
WATCH_S = 0.2


@click.group(name="office")
def office_group() -> None:
    """Run the office station: ingest of kiosk results, the viewer."""


for _command in REPORT_COMMANDS:  # export, report, monthly (genki/cli/office_reports.py)
    office_group.add_command(_command)


@office_group.command(name="ingest")
@click.option("--database", "database_url", help="Office database URL (default: [database] url).")
@click.option(
    "--share-group",
    help="Share the load with other ingest workers of this MQTT shared-subscription group.",
)
@click.option(
    "--client-id",
    default="genki-office",
    show_default=True,
    help="MQTT client id; each worker of a share group needs its own.",
)
@click.option(
    "--roster/--no-roster",
    default=True,
    show_default=True,
    help="Publish the residents to the kiosks (one worker of a share group is enough).",
)
@pass_cli
def ingest_command(
    cli: CliContext,
    /,
    *,
    database_url: str | None,
    share_group: str | None,
    client_id: str,
    roster: bool,
) -> None:
    """Receive kiosk results and residents into the office database, publish the roster."""
    config, language = cli.loaded.config, cli.language
    try:
        database = open_database(database_url) if database_url else cli.database()
    except StorageError as exc:
        raise OperationFailedError(str(exc)) from exc
    settings = broker_settings(config.broker)
    ingest = Ingest(
        database, settings, client_id=client_id, share_group=share_group, publish_roster=roster
    )
    done = threading.Event()

    def finish(_signum: int, _frame: FrameType | None) -> None:
        done.set()

    previous = signal.signal(signal.SIGTERM, finish)
    click.echo(text("office.ingest_started", language, broker=settings.url), err=True)
    ingest.start()
    shown, counted = False, time.monotonic()
    try:
        while not done.wait(WATCH_S):
            if ingest.is_connected != shown:
                shown = not shown
                key = "office.connected" if shown else "office.disconnected"
                click.echo(
                    text(key, language, broker=settings.url, reason=ingest.last_error), err=True
                )
            if time.monotonic() - counted >= STATUS_EVERY_S:
                counted = time.monotonic()
                click.echo(_counts(ingest, language), err=True)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        ingest.stop()
        if database_url:
            database.close()
    click.echo(_counts(ingest, language))


def _counts(ingest: Ingest, language: Language) -> str:
    return text(
        "office.ingest_counts",
        language,
        stored=ingest.stored,
        duplicates=ingest.duplicates,
        quarantined=ingest.quarantined,
        connected=text("sync.yes" if ingest.is_connected else "sync.no", language),
    )


@office_group.command(name="view")
@click.option("--database", "database_url", help="Office database URL (default: [database] url).")
@click.option("--serve", is_flag=True, help="Serve the viewer to web browsers (textual-serve).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to serve on.")
@click.option("--port", default=8001, show_default=True, type=click.IntRange(1, 65535))
@pass_cli
def view_command(
    cli: CliContext, /, *, database_url: str | None, serve: bool, host: str, port: int
) -> None:
    """Look at the office's residents, results, kiosks and overview (Japanese by default)."""
    if serve:
        from textual_serve.server import Server  # noqa: PLC0415 - only --serve needs it

        command = [sys.executable, "-m", "genki", "--lang", cli.language]
        if cli.loaded.path is not None:
            command += ["--config", str(cli.loaded.path)]
        command += ["office", "view"]
        if database_url:
            command += ["--database", database_url]
        Server(shlex.join(command), host=host, port=port, title="genki office").serve()
        return
    from office.data import OfficeData  # noqa: PLC0415 - the viewer loads Textual
    from office.view import OfficeApp  # noqa: PLC0415

    try:
        database = open_database(database_url) if database_url else cli.database()
    except StorageError as exc:
        raise OperationFailedError(str(exc)) from exc
    try:
        OfficeApp(OfficeData(database), language=cli.language).run()
    finally:
        if database_url:
            database.close()
