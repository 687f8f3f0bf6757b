"""RELIABILITY.md test 5: network faults between the kiosk and the broker, through a TCP proxy.

The kiosk's publisher reaches a real Mosquitto through ``tcp_proxy.FaultyProxy``; the office
ingest connects to the broker directly. While results keep being saved, the link gets 200 ms of
latency each way, a bandwidth cap, several connection resets in a row, and a dead network (half-
open sockets: nothing delivered, nothing closed) for longer than twice the keepalive. Must hold:
0 lost (and nothing stored twice, no ``kiosk_seq`` gaps), no hung thread (every worker stops
within its timeout, even on a dead link), and the kiosk connected again within 1.5 × keepalive
after the network recovers. Run pytest with ``-s`` to see the counts.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from sqlalchemy import select
from sync_support import FACILITY, KIOSK, backlog, enqueue, fast_backoff, settings_for, wait_for
from tcp_proxy import FaultyProxy

from records import Database, open_database
from records.inbox import inbox_status, sequence_gaps
from records.models import Inbox
from sync.broker import BrokerSettings, MqttWorker
from sync.ingest import Ingest
from sync.mosquitto import Mosquitto
from sync.publisher import Publisher

pytestmark = pytest.mark.slow

KEEPALIVE_S = 2
LATENCY_S = 0.2
BANDWIDTH_BYTES_PER_S = 20_000
STOP_TIMEOUT_S = 5.0


@pytest.fixture
def kiosk_database(tmp_path: Path) -> Iterator[Database]:
    database = open_database(f"sqlite:///{tmp_path / 'kiosk.sqlite3'}")
    yield database
    database.close()


class _Producer:
    """Saves a result every ``every_s`` on its own thread, as a kiosk in use does."""

    def __init__(self, database: Database, publisher: Publisher, every_s: float) -> None:
        self.database, self.publisher, self.every_s = database, publisher, every_s
        self.ids: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="test-producer")

    def burst(self, count: int) -> None:
        """Save ``count`` results at once (from the test's thread)."""
        self.ids += enqueue(self.database, count, start=len(self.ids))
        self.publisher.notify()

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            self.burst(1)

    def __enter__(self) -> _Producer:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)
        assert not self._thread.is_alive()


def _stopped_within(worker: MqttWorker, timeout_s: float) -> float:
    """Stop ``worker``; return how long it took; fail if its thread outlives the timeout."""
    started = time.monotonic()
    worker.stop(timeout_s=timeout_s)  # raises BrokerError if the thread is still alive
    elapsed = time.monotonic() - started
    assert not worker._thread.is_alive()
    assert elapsed <= timeout_s
    return round(elapsed, 2)


def _stop_unless_stopped(worker: MqttWorker) -> None:
    """Stop ``worker`` at the end of a failed test (a passing one stops it while measuring)."""
    if not worker.stopping:
        worker.stop(STOP_TIMEOUT_S)


def _report(test: str, **counts: object) -> None:
    print(f"\n[{test}] " + ", ".join(f"{name} = {value}" for name, value in counts.items()))


def _check_office(office: Database, ids: list[str]) -> dict[str, int]:
    status = inbox_status(office)
    with office.read() as session:
        stored_ids = set(session.scalars(select(Inbox.message_id)))
    figures = {
        "results": len(ids),
        "stored": status.stored,
        "lost": len(set(ids) - stored_ids),
        "unexpected": len(stored_ids - set(ids)),
        "stored_duplicates": status.stored - status.distinct_messages,
        "gaps": sum(gap.missing for gap in sequence_gaps(office)),
    }
    assert (figures["lost"], figures["unexpected"]) == (0, 0), figures
    assert (figures["stored_duplicates"], figures["gaps"]) == (0, 0), figures
    return figures


def _connected_throughout(publisher: Publisher, seconds: float) -> None:
    """Fail if the publisher loses its connection within ``seconds``."""
    connections, deadline = publisher.connections, time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert publisher.is_connected, publisher.last_error
        time.sleep(0.02)
    assert publisher.connections == connections


def test_5_latency_bandwidth_resets_and_a_dead_network_lose_nothing(
    mosquitto_dev: Mosquitto, kiosk_database: Database, office_database: Database
) -> None:
    started = time.monotonic()
    with ExitStack() as cleanup:
        proxy = cleanup.enter_context(FaultyProxy(mosquitto_dev.host, mosquitto_dev.port))
        through_proxy = BrokerSettings(host=proxy.host, port=proxy.port, keepalive_s=KEEPALIVE_S)
        ingest = Ingest(office_database, settings_for(mosquitto_dev), backoff=fast_backoff())
        publisher = Publisher(
            kiosk_database, through_proxy, FACILITY, KIOSK,
            resend_after_s=5.0, backoff=fast_backoff(),
        )  # fmt: skip
        cleanup.callback(_stop_unless_stopped, ingest)
        cleanup.callback(_stop_unless_stopped, publisher)
        ingest.start()
        wait_for(lambda: ingest.is_connected, 10, "office ingest connected")
        publisher.start()
        wait_for(lambda: publisher.is_connected, 10, "kiosk connected through the proxy")
        producer = cleanup.enter_context(_Producer(kiosk_database, publisher, every_s=0.04))

        # (a) 200 ms each way: slower round trips, well inside the keepalive.
        proxy.latency_s = LATENCY_S
        producer.burst(50)
        _connected_throughout(publisher, 3.0)
        proxy.latency_s = 0.0

        # (b) 20 kB/s each way, with a burst queued behind it (about 20 kB of results).
        proxy.bandwidth_bytes_per_s = BANDWIDTH_BYTES_PER_S
        producer.burst(60)
        _connected_throughout(publisher, 3.0)
        proxy.bandwidth_bytes_per_s = None

        # (c) connection resets in a row, some before the kiosk is even back.
        connections_before_resets = publisher.connections
        for pause_s in (0.1, 0.4, 0.05, 0.8, 0.2, 0.6):
            proxy.reset_all()
            time.sleep(pause_s)
        wait_for(lambda: publisher.is_connected, 5, "kiosk connected after the resets")
        reset_reconnects = publisher.connections - connections_before_resets

        # (d) a dead network for 3 × keepalive: the kiosk must notice (paho's keepalive) and keep
        # trying, so that it is back quickly once the network is.
        accepted_before = proxy.accepted
        proxy.blackhole(True)
        blackholed_at = time.monotonic()
        detected_s = wait_for(
            lambda: not publisher.is_connected, 2 * KEEPALIVE_S + 1.0, "dead link noticed"
        )
        time.sleep(max(0.0, blackholed_at + 3 * KEEPALIVE_S - time.monotonic()))
        attempts_while_dead = proxy.accepted - accepted_before
        assert attempts_while_dead >= 1  # it was trying, not waiting out a long backoff
        proxy.blackhole(False)
        reconnect_s = wait_for(lambda: publisher.is_connected, 10, "kiosk connected again")
        assert reconnect_s <= 1.5 * KEEPALIVE_S, reconnect_s

        producer.stop()
        drain_s = wait_for(lambda: backlog(kiosk_database) == 0, 60, "outbox drained")
        figures = _check_office(office_database, producer.ids)

        # No hung thread: the publisher stops within its timeout even on a dead link.
        proxy.blackhole(True)
        time.sleep(0.5)
        publisher_stop_s = _stopped_within(publisher, STOP_TIMEOUT_S)
        ingest_stop_s = _stopped_within(ingest, STOP_TIMEOUT_S)
    assert not [thread.name for thread in proxy.threads() if thread.is_alive()]
    assert not [t.name for t in threading.enumerate() if t.name.startswith("genki-mqtt-")]
    _report("5", **figures, transport_duplicates=ingest.duplicates,
            resets=proxy.resets, reset_reconnects=reset_reconnects,
            kiosk_connections=publisher.connections, detected_dead_s=round(detected_s, 2),
            attempts_while_dead=attempts_while_dead, reconnect_s=round(reconnect_s, 2),
            reconnect_limit_s=1.5 * KEEPALIVE_S, drain_s=round(drain_s, 2),
            publisher_stop_s=publisher_stop_s, ingest_stop_s=ingest_stop_s,
            wall_s=round(time.monotonic() - started, 1))  # fmt: skip
