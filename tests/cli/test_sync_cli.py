"""``genki sync status|drain`` without a reachable office: backlog shown, nothing lost, exit 1.

The commands against a real Mosquitto and office ingest are in tests/sync/.
"""

from __future__ import annotations

import json
import socket

from genki_home import GenkiHome

from records import open_database
from sync.outbox import enqueue_result


def _enqueue(home: GenkiHome, count: int) -> None:
    database = open_database(f"sqlite:///{home.database_file}")
    with database.transaction() as session:
        for index in range(count):
            enqueue_result(
                session, facility_id="sakura", kiosk_id="kiosk-1", kind="test", body={"i": index}
            )
    database.close()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_status_of_an_empty_outbox(home: GenkiHome) -> None:
    result = home.run("sync", "status")
    assert result.exit_code == 0, result.output
    assert "Outbox of kiosk kiosk-1 (facility sakura)" in result.output
    assert "Waiting for the office: 0 (oldest saved never)" in result.output
    assert "never started on this kiosk" in result.output


def test_status_as_json_counts_the_backlog(home: GenkiHome) -> None:
    _enqueue(home, 3)
    result = home.run("sync", "status", "--json")
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert (figures["backlog"], figures["acknowledged"], figures["last_seq"]) == (3, 0, 3)
    assert figures["oldest_unacked_at"] is not None
    assert figures["online"] is None


def test_drain_without_a_broker_keeps_everything_and_exits_1(home: GenkiHome) -> None:
    home.config_file.write_text(
        home.config_file.read_text() + f"\n[broker]\nport = {_closed_port()}\n", encoding="utf-8"
    )
    _enqueue(home, 2)
    result = home.run("sync", "drain", "--timeout", "1")
    assert result.exit_code == 1
    assert "2 still wait for the office's acknowledgement" in result.output
    assert "cannot reach the broker at mqtt://127.0.0.1:" in result.output
    status = json.loads(home.run("sync", "status", "--json").output)
    assert (status["backlog"], status["online"]) == (2, False)
    assert "cannot reach the broker" in status["last_error"]
