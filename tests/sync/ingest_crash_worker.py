"""An office ingest process that kills itself with SIGKILL at a chosen point (RELIABILITY #4).

Usage: ``ingest_crash_worker.py DATABASE_URL PORT MODE N`` where MODE is ``in_transaction``
(die inside the Nth batch's transaction, after its rows were inserted but before the commit),
``after_commit`` (die right after the Nth commit, before any MQTT or application ack) or
``none`` (run until killed from outside). Prints ``connected`` once the broker accepted it.
The kill is real; only the moment is chosen by wrapping the storage functions here.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from typing import Any

import records.inbox
import sync.ingest
from records import open_database
from sync.broker import Backoff, BrokerSettings
from sync.ingest import Ingest


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def main() -> None:
    url, port, mode, nth = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    calls = {"store": 0, "commit": 0}
    store_rows, store_batch = records.inbox._store, sync.ingest.store_batch

    def store_then_die(session: Any, messages: Any) -> Any:
        outcomes = store_rows(session, messages)
        calls["store"] += 1
        if mode == "in_transaction" and calls["store"] == nth:
            session.flush()
            _die()
        return outcomes

    def commit_then_die(*args: Any, **kwargs: Any) -> Any:
        outcomes = store_batch(*args, **kwargs)
        calls["commit"] += 1
        if mode == "after_commit" and calls["commit"] == nth:
            _die()
        return outcomes

    records.inbox._store = store_then_die
    sync.ingest.store_batch = commit_then_die
    ingest = Ingest(
        open_database(url),
        BrokerSettings(port=port, keepalive_s=5),
        batch_size=50,
        backoff=Backoff(first_s=0.05, most_s=0.5),
    )
    ingest.start()
    while not ingest.is_connected:
        time.sleep(0.01)
    print("connected", flush=True)
    while True:
        time.sleep(1)


if __name__ == "__main__":
    main()
