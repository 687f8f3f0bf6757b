"""Kiosk outbox → real Mosquitto → office ingest → office database, and the acks back.

Every test starts its own Mosquitto (development configuration) on a free port; the office
database is SQLite and PostgreSQL (``office_database``).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from sqlalchemy import select
from sync_support import FACILITY, KIOSK, backlog, enqueue, running, settings_for, wait_for

from records import Database, open_database
from records.inbox import inbox_status, quarantined, sequence_gaps
from records.links import LinkState, link_states
from records.models import Inbox
from records.outbox import outbox_status
from sync.ingest import Ingest
from sync.payloads import ResultMessage
from sync.publisher import Publisher

RESULTS_TOPIC = f"genki/v1/{FACILITY}/{KIOSK}/results"


@pytest.fixture
def kiosk_database(tmp_path: Path) -> Any:
    database = open_database(f"sqlite:///{tmp_path / 'kiosk.sqlite3'}")
    yield database
    database.close()


def _stored_payloads(database: Database) -> dict[str, str]:
    with database.read() as session:
        rows = session.execute(select(Inbox.message_id, Inbox.payload))
        return {row.message_id: row.payload for row in rows}


def test_results_reach_the_office_exactly_once_and_close_the_outbox(
    mosquitto_dev: Any, kiosk_database: Database, office_database: Database
) -> None:
    ids = enqueue(kiosk_database, 300)
    settings = settings_for(mosquitto_dev)
    with (
        running(Ingest(office_database, settings)),
        running(Publisher(kiosk_database, settings, FACILITY, KIOSK)) as publisher,
    ):
        wait_for(lambda: backlog(kiosk_database) == 0, 30, "outbox drained")
        # the counter follows the commit of the acknowledged rows (same worker step)
        wait_for(lambda: publisher.status().acknowledged >= 300, 5, "acknowledgements counted")
        assert publisher.status().acknowledged == 300
    stored = _stored_payloads(office_database)
    assert sorted(stored) == sorted(ids)
    documents = [json.loads(payload) for payload in stored.values()]
    assert sorted(d["kiosk_seq"] for d in documents) == list(range(1, 301))
    assert sequence_gaps(office_database) == []
    assert outbox_status(kiosk_database, KIOSK).acknowledged == 300


def _office_link(office_database: Database) -> LinkState | None:
    links = [link for link in link_states(office_database) if link.kiosk_id == KIOSK]
    return links[0] if links else None


def test_the_kiosk_announces_itself_online_and_offline(
    mosquitto_dev: Any, kiosk_database: Database, office_database: Database
) -> None:
    settings = settings_for(mosquitto_dev)

    def office_sees(*, online: bool) -> bool:
        link = _office_link(office_database)
        return link is not None and link.online is online

    def backlog_reported_at() -> datetime | None:
        link = _office_link(office_database)
        return None if link is None or link.backlog != 0 else link.backlog_at

    enqueue(kiosk_database, 5)
    publisher = Publisher(kiosk_database, settings, FACILITY, KIOSK, status_refresh_s=0.2)
    with running(Ingest(office_database, settings)):
        with running(publisher):
            wait_for(lambda: office_sees(online=True), 10, "the office sees the kiosk online")
            (kiosk_link,) = link_states(kiosk_database)
            assert kiosk_link.online
            wait_for(lambda: backlog(kiosk_database) == 0, 10, "outbox drained")
            # The refreshed status reports the empty outbox, and keeps being refreshed.
            wait_for(lambda: backlog_reported_at() is not None, 10, "backlog 0 at the office")
            first = backlog_reported_at()
            assert first is not None
            wait_for(lambda: (backlog_reported_at() or first) > first, 10, "status refreshed")
        wait_for(lambda: office_sees(online=False), 10, "the office sees the kiosk offline")
    assert not link_states(kiosk_database)[0].online
    link = _office_link(office_database)
    assert link is not None
    assert (link.backlog, link.oldest_unacked_at) == (0, None)  # the last will keeps it


def test_results_saved_while_the_office_is_down_arrive_when_it_returns(
    mosquitto_dev: Any, kiosk_database: Database, office_database: Database
) -> None:
    settings = settings_for(mosquitto_dev)
    with running(Ingest(office_database, settings)):
        pass  # the office's persistent session now exists at the broker
    enqueue(kiosk_database, 200)
    oldest = outbox_status(kiosk_database, KIOSK).oldest_unacked_at
    with running(Publisher(kiosk_database, settings, FACILITY, KIOSK)) as publisher:
        wait_for(lambda: publisher.status().sent >= 200, 10, "results published")
        time.sleep(0.5)
        assert backlog(kiosk_database) == 200  # the broker's PUBACK closes nothing
        assert _office_link(office_database) is None  # nothing reached the office yet
        with running(Ingest(office_database, settings)) as ingest:
            wait_for(lambda: backlog(kiosk_database) == 0, 30, "outbox drained")
            assert ingest.stored == 200
            # The retained status told the returning office the backlog counted on connect;
            # the next count comes after STATUS_REFRESH_S.
            link = _office_link(office_database)
            assert link is not None
            assert (link.online, link.backlog, link.oldest_unacked_at) == (True, 200, oldest)
            assert link.backlog_at is not None
    assert inbox_status(office_database).stored == 200


class _RawClient:
    """A plain MQTT client for forged and replayed messages, and to watch the acks."""

    def __init__(self, broker: Any, client_id: str) -> None:
        self.received: list[mqtt.MQTTMessage] = []
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=client_id, protocol=MQTTProtocolVersion.MQTTv5
        )
        self.client.on_message = lambda _c, _u, message: self.received.append(message)
        self.client.connect(broker.host, broker.port)
        self.client.loop_start()

    def publish(self, topic: str, payload: bytes) -> None:
        self.client.publish(topic, payload, qos=1).wait_for_publish(5)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def _result(seq: int, message_id: str | None = None, kiosk_id: str = KIOSK) -> bytes:
    return ResultMessage(
        message_id=message_id or str(uuid.uuid4()),
        kiosk_seq=seq,
        facility_id=FACILITY,
        kiosk_id=kiosk_id,
        created_at=datetime.now(UTC),
        kind="synthetic",
        body={"seq": seq},
    ).encode()


def test_forged_malformed_oversized_and_replayed_messages_are_quarantined_or_ignored(
    mosquitto_dev: Any, office_database: Database
) -> None:
    settings = settings_for(mosquitto_dev)
    rogue = _RawClient(mosquitto_dev, "rogue")
    watcher = _RawClient(mosquitto_dev, "watcher")
    watcher.client.subscribe(f"genki/v1/{FACILITY}/{KIOSK}/acks", qos=1)
    first = _result(1)
    try:
        with running(Ingest(office_database, settings)) as ingest:
            rogue.publish(RESULTS_TOPIC, first)
            rogue.publish(RESULTS_TOPIC, b"{not json")
            rogue.publish(RESULTS_TOPIC, _result(2, kiosk_id="kiosk-2"))  # kiosk-2 as kiosk-1
            rogue.publish(RESULTS_TOPIC, b'{"schema": "genki.result/0"}')
            rogue.publish(RESULTS_TOPIC, b"x" * 70_000)
            rogue.publish(RESULTS_TOPIC, first)  # replayed: the same message again
            rogue.publish(RESULTS_TOPIC, _result(1))  # a new id on a used sequence number
            rogue.publish(RESULTS_TOPIC, _result(2))  # and ingest keeps working
            wait_for(lambda: ingest.stored == 2, 10, "two genuine results stored")
            wait_for(lambda: ingest.quarantined == 5, 10, "five messages quarantined")
            wait_for(lambda: ingest.duplicates == 1, 10, "the replay ignored")
            assert ingest.is_connected
    finally:
        rogue.close()
    reasons = sorted(item.reason for item in quarantined(office_database))
    assert reasons == [
        "kiosk_mismatch", "malformed", "oversized", "sequence_reused", "unknown_schema",
    ]  # fmt: skip
    assert inbox_status(office_database).stored == 2
    acked = [json.loads(m.payload)["message_ids"] for m in watcher.received]
    first_id = json.loads(first)["message_id"]
    wait_for(lambda: sum(first_id in ids for ids in acked) >= 1, 5, "acks seen")
    watcher.close()


def test_office_ingest_and_sync_drain_commands(
    mosquitto_dev: Any, home: Any, tmp_path: Path
) -> None:
    home.config_file.write_text(
        home.config_file.read_text()
        + f'\n[kiosk]\nid = "{KIOSK}"\n\n[broker]\nport = {mosquitto_dev.port}\n',
        encoding="utf-8",
    )
    kiosk = open_database(f"sqlite:///{home.database_file}")
    enqueue(kiosk, 25)
    kiosk.close()
    office_url = f"sqlite:///{tmp_path / 'office.sqlite3'}"
    ingest = subprocess.Popen(
        [sys.executable, "-m", "genki", "office", "ingest", "--database", office_url],
        env=os.environ | home.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert ingest.stderr is not None
        for line in ingest.stderr:  # bounded by the broker being up: connects in well under 1 s
            if line.startswith("Connected to"):
                break
        result = home.run("sync", "drain", "--timeout", "30")
        assert result.exit_code == 0, result.output
        assert "Delivered 25 results" in result.output
        status = json.loads(home.run("sync", "status", "--json").output)
        assert (status["backlog"], status["acknowledged"]) == (0, 25)
    finally:
        ingest.send_signal(signal.SIGTERM)
        out, err = ingest.communicate(timeout=15)
    assert ingest.returncode == 0, err
    assert "Stored 25, duplicates ignored 0, quarantined 0" in out


def test_a_storage_failure_on_the_kiosk_ends_the_connection_not_the_publisher(
    mosquitto_dev: Any,
    kiosk_database: Database,
    office_database: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A database error is injected once (a real one needs a broken disk: see tests/records)."""
    import sync.publisher  # noqa: PLC0415 - the module whose storage call is made to fail

    real, failures = sync.publisher.mark_acked, []

    def fail_once(*args: Any) -> int:
        if not failures:
            failures.append(1)
            raise OSError("disk I/O error (injected)")
        return real(*args)

    monkeypatch.setattr(sync.publisher, "mark_acked", fail_once)
    enqueue(kiosk_database, 50)
    settings = settings_for(mosquitto_dev)
    with (
        running(Ingest(office_database, settings)),
        running(Publisher(kiosk_database, settings, FACILITY, KIOSK, resend_after_s=1.0)) as pub,
    ):
        wait_for(lambda: backlog(kiosk_database) == 0, 30, "outbox drained after the failure")
        assert pub.connections >= 2
    assert failures == [1]
    assert inbox_status(office_database).stored == 50
