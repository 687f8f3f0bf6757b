"""``genki office ingest``: receive every kiosk's results into the office database.

The office database is the configured ``[database] url`` (SQLite by default) or ``--database``
(e.g. ``postgresql+psycopg://user@host/genki``). The command runs until interrupted (Ctrl-C or
SIGTERM), then stores what has arrived, disconnects and prints its counts.
"""

from __future__ import annotations

import signal
import threading
import time
from types import FrameType

import click

from genki.cli.context import CliContext, OperationFailedError
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
    """Run the office station: ingest of kiosk results."""


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
@pass_cli
def ingest_command(
    cli: CliContext, /, *, database_url: str | None, share_group: str | None, client_id: str
) -> None:
    """Receive kiosk results into the office database until interrupted."""
    config, language = cli.loaded.config, cli.language
    try:
        database = open_database(database_url) if database_url else cli.database()
    except StorageError as exc:
        raise OperationFailedError(str(exc)) from exc
    settings = broker_settings(config.broker)
    ingest = Ingest(database, settings, client_id=client_id, share_group=share_group)
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
