"""Two facility brokers bridge to a central Mosquitto; two office workers share the load.

Each facility runs its own Mosquitto; its bridge carries the facility's results and status to
the central broker and the office's acks back (DESIGN.md, Scale). Two ingest workers read the
results through one MQTT shared subscription and write into one office database (SQLite and
PostgreSQL). Every result must arrive exactly once, every outbox must drain, and both workers
must have taken part.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sync_support import backlog, enqueue, fast_backoff, running, wait_for

from records import Database, open_database
from records.inbox import inbox_status, sequence_gaps
from sync.broker import BrokerSettings
from sync.ingest import Ingest
from sync.publisher import Publisher

FACILITIES = ("sakura", "momiji")
KIOSKS = ("kiosk-1", "kiosk-2")
RESULTS_PER_KIOSK = 400


@dataclass(frozen=True)
class _Broker:
    host: str
    port: int


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _mosquitto(folder: Path, lines: list[str]) -> Iterator[_Broker]:
    """Run Mosquitto with ``lines`` (plus a loopback listener) until the block ends."""
    port = _free_port()
    folder.mkdir()
    config = folder / "mosquitto.conf"
    config.write_text(
        "\n".join([f"listener {port} 127.0.0.1", "allow_anonymous true", *lines]) + "\n"
    )
    binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    log = (folder / "log.txt").open("w")
    process = subprocess.Popen([binary, "-c", str(config)], stdout=log, stderr=log)
    try:
        wait_for(lambda: _accepts(port), 10, f"Mosquitto on port {port} (log {folder})")
        yield _Broker("127.0.0.1", port)
    finally:
        process.terminate()
        process.wait(10)
        log.close()


def _accepts(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
    except OSError:
        return False
    return True


def _bridge(facility: str, central: _Broker) -> list[str]:
    return [
        f"connection {facility}-to-central",
        f"address {central.host}:{central.port}",
        "bridge_protocol_version mqttv50",
        "cleansession false",
        f"remote_clientid bridge-{facility}",
        f"topic genki/v1/{facility}/+/results out 1",
        f"topic genki/v1/{facility}/+/status out 1",
        f"topic genki/v1/{facility}/+/acks in 1",
    ]


@pytest.mark.slow
def test_two_facilities_bridged_to_two_shared_office_workers(
    tmp_path: Path, office_database_url: str
) -> None:
    kiosks: dict[tuple[str, str], Database] = {}
    with ExitStack() as stack:
        central = stack.enter_context(
            _mosquitto(tmp_path / "central", ["max_queued_messages 100000"])
        )
        facility_brokers = {
            facility: stack.enter_context(
                _mosquitto(tmp_path / facility, _bridge(facility, central))
            )
            for facility in FACILITIES
        }
        offices = [open_database(office_database_url) for _ in range(2)]
        workers = [
            stack.enter_context(
                running(
                    Ingest(
                        office,
                        BrokerSettings(port=central.port, keepalive_s=5),
                        client_id=f"genki-office-{index}",
                        share_group="office",
                        backoff=fast_backoff(),
                    )
                )
            )
            for index, office in enumerate(offices)
        ]
        time.sleep(0.5)  # the bridges subscribe at the central broker for the acks
        for facility, broker in facility_brokers.items():
            for kiosk_id in KIOSKS:
                database = open_database(f"sqlite:///{tmp_path / f'{facility}-{kiosk_id}.db'}")
                kiosks[facility, kiosk_id] = database
                enqueue(database, RESULTS_PER_KIOSK, facility_id=facility, kiosk_id=kiosk_id)
                stack.enter_context(
                    running(
                        Publisher(
                            database,
                            BrokerSettings(port=broker.port, keepalive_s=5),
                            facility,
                            kiosk_id,
                            resend_after_s=5.0,
                        )
                    )
                )
        for (facility, kiosk_id), database in kiosks.items():
            wait_for(
                lambda database=database, kiosk_id=kiosk_id: backlog(database, kiosk_id) == 0,
                60,
                f"{facility}/{kiosk_id} drained",
            )
        shares = [worker.stored for worker in workers]
    office = offices[0]
    status = inbox_status(office)
    expected = len(FACILITIES) * len(KIOSKS) * RESULTS_PER_KIOSK
    print(
        f"\n[multi-facility] expected = {expected}, stored = {status.stored}, "
        f"stored_duplicates = {status.stored - status.distinct_messages}, "
        f"gaps = {sum(g.missing for g in sequence_gaps(office))}, worker_shares = {shares}"
    )
    assert (status.stored, status.distinct_messages) == (expected, expected)
    assert sequence_gaps(office) == []
    assert all(share > 0 for share in shares), shares
    for database in [*offices, *kiosks.values()]:
        database.close()
