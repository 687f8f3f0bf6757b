"""Helpers for sync tests: databases of a kiosk and an office, running workers, bounded waits."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol, TypeVar

from records import Database
from records.outbox import outbox_status
from sync.broker import Backoff, BrokerSettings, MqttWorker
from sync.outbox import enqueue_result

FACILITY, KIOSK = "sakura", "kiosk-1"
_W = TypeVar("_W", bound=MqttWorker)


class Broker(Protocol):
    """What the tests need of a running broker."""

    host: str
    port: int


def settings_for(broker: Broker, *, keepalive_s: int = 5) -> BrokerSettings:
    """Return settings that reach ``broker`` without credentials."""
    return BrokerSettings(host=broker.host, port=broker.port, keepalive_s=keepalive_s)


def fast_backoff() -> Backoff:
    """Return a backoff short enough for tests that restart the broker many times."""
    return Backoff(first_s=0.05, most_s=0.5)


def enqueue(
    database: Database,
    count: int,
    *,
    facility_id: str = FACILITY,
    kiosk_id: str = KIOSK,
    start: int = 0,
) -> list[str]:
    """Save ``count`` synthetic results with their outbox rows; return their message ids."""
    with database.transaction() as session:
        return [
            enqueue_result(
                session, facility_id=facility_id, kiosk_id=kiosk_id, kind="synthetic",
                body={"index": start + index, "grip_kg": 21.5},
            ).message_id
            for index in range(count)
        ]  # fmt: skip


def wait_for(condition: Callable[[], bool], timeout_s: float, what: str) -> float:
    """Wait until ``condition()`` holds; return the seconds it took, or fail naming ``what``."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout_s:
            raise AssertionError(f"{what}: not reached within {timeout_s:g} s")
        time.sleep(0.02)
    return time.monotonic() - started


def backlog(database: Database, kiosk_id: str = KIOSK) -> int:
    """Return the kiosk's unacknowledged outbox rows."""
    return outbox_status(database, kiosk_id).backlog


@contextmanager
def running(worker: _W, *, connected_within_s: float = 10.0) -> Iterator[_W]:
    """Start ``worker``, wait until it is connected, and stop it (bounded) at the end."""
    worker.start()
    try:
        wait_for(lambda: worker.is_connected, connected_within_s, "broker connection")
        yield worker
    finally:
        worker.stop(timeout_s=10.0)
