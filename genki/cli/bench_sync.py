"""``genki bench sync``: N results from a kiosk database to an office database through a broker.

The bench writes N synthetic results (with their outbox rows) into a fresh kiosk database,
starts the office ingest on a fresh office database and the kiosk publisher, and times from the
publisher's start until the office has committed and acknowledged every result (the kiosk's
backlog is 0). Without ``--broker`` it starts a Mosquitto of its own with the development
configuration on a free port. With ``--broker`` it uses that broker under a unique facility
id; an office ingest already connected to that broker will receive the synthetic results too,
so point it at a test broker. Budget (DESIGN.md): 10 000 results in ≤ 10 s on loopback.
"""

from __future__ import annotations

import contextlib
import json
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import click

from genki.cli.context import BadInputError, OperationFailedError
from records import Database, open_database
from records.inbox import inbox_status, sequence_gaps
from records.outbox import outbox_status
from sync.broker import BrokerSettings
from sync.errors import SyncError
from sync.ingest import Ingest
from sync.mosquitto import Mosquitto, MosquittoError
from sync.outbox import enqueue_result
from sync.publisher import Publisher

BATCH = 1000  # results per transaction while the kiosk database is filled
POLL_S = 0.005


@contextlib.contextmanager
def _broker(url: str | None, folder: Path) -> Iterator[BrokerSettings]:
    """Yield the settings of the given broker, or of a Mosquitto started for the bench."""
    if url is not None:
        try:
            yield BrokerSettings.from_url(url)
        except SyncError as exc:
            raise BadInputError(str(exc)) from exc
        return
    try:
        with Mosquitto("development", data_dir=folder / "mosquitto") as broker:
            yield BrokerSettings(host=broker.host, port=broker.port)
    except MosquittoError as exc:
        raise OperationFailedError(str(exc)) from exc


def _fill(database: Database, facility_id: str, kiosk_id: str, count: int) -> None:
    """Write ``count`` synthetic results and their outbox rows, BATCH per transaction."""
    for start in range(0, count, BATCH):
        with database.transaction() as session:
            for index in range(start, min(count, start + BATCH)):
                enqueue_result(
                    session,
                    facility_id=facility_id,
                    kiosk_id=kiosk_id,
                    kind="bench",
                    body={"index": index, "test": "grip", "value_kg": 20.0 + index % 100 / 10},
                )


def _drain(
    kiosk: Database, office: Database, settings: BrokerSettings, ids: tuple[str, str]
) -> float:
    """Run ingest and publisher until the kiosk's backlog is 0; return the seconds it took."""
    facility_id, kiosk_id = ids
    ingest = Ingest(office, settings, client_id=f"genki-bench-office-{kiosk_id}")
    publisher = Publisher(kiosk, settings, facility_id, kiosk_id)
    ingest.start()
    try:
        deadline = time.monotonic() + 10.0
        while not ingest.is_connected:
            if time.monotonic() > deadline:
                problem = f"the office ingest did not connect: {ingest.last_error}"
                raise OperationFailedError(problem)
            time.sleep(POLL_S)
        started = time.perf_counter()
        publisher.start()
        try:
            while outbox_status(kiosk, kiosk_id).backlog:
                if publisher.last_error and not publisher.is_connected:
                    raise OperationFailedError(publisher.last_error)
                time.sleep(POLL_S)
            return time.perf_counter() - started
        finally:
            publisher.stop()
    finally:
        ingest.stop()


@click.command(name="sync")
@click.option("--results", "count", type=click.IntRange(min=1), default=10_000, show_default=True)
@click.option("--broker", "broker_url", help="mqtt://host:port of a test broker to use.")
@click.option("--json", "as_json", is_flag=True, help="End with one JSON object of the figures.")
def sync_bench(count: int, broker_url: str | None, *, as_json: bool) -> None:
    """Sync budget: N results delivered end to end (office committed and acknowledged)."""
    facility_id, kiosk_id = "genki-bench", f"bench-{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory(prefix="genki-bench-sync-") as folder:
        kiosk = open_database(f"sqlite:///{Path(folder) / 'kiosk.sqlite3'}")
        office = open_database(f"sqlite:///{Path(folder) / 'office.sqlite3'}")
        try:
            _fill(kiosk, facility_id, kiosk_id, count)
            with _broker(broker_url, Path(folder)) as settings:
                seconds = _drain(kiosk, office, settings, (facility_id, kiosk_id))
            status = inbox_status(office)
            figures = {
                "results": count,
                "delivered": status.distinct_messages,
                "stored_duplicates": status.stored - status.distinct_messages,
                "gaps": sum(gap.missing for gap in sequence_gaps(office)),
                "seconds": round(seconds, 3),
                "results_per_s": round(count / seconds, 1),
                "broker": settings.url,
            }
        finally:
            kiosk.close()
            office.close()
    click.echo(
        f"{figures['delivered']} of {count} results delivered end to end in "
        f"{figures['seconds']} s ({figures['results_per_s']} results/s) through "
        f"{figures['broker']}; {figures['stored_duplicates']} stored twice, "
        f"{figures['gaps']} sequence gaps"
    )
    if as_json:
        click.echo(json.dumps(figures))
