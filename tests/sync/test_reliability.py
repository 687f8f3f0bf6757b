"""RELIABILITY.md tests 2, 3 and 4 on a real Mosquitto: nothing lost, nothing stored twice.

Each test prints its counts (run pytest with ``-s`` to see them) and asserts lost = 0, stored
duplicates = 0 and sequence gaps = 0. Transport duplicates (re-sends, redeliveries) are expected
and counted: the office's deduplication on message_id is what keeps them out of the database.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from postgres_fixtures import PostgresServer
from sync_support import (
    FACILITY,
    KIOSK,
    backlog,
    enqueue,
    fast_backoff,
    running,
    settings_for,
    wait_for,
)

from records import Database, open_database
from records.inbox import inbox_status, sequence_gaps
from records.links import link_states
from records.outbox import outbox_status
from sync.ingest import Ingest
from sync.payloads import ResultMessage
from sync.publisher import Publisher

pytestmark = pytest.mark.slow
WORKER = Path(__file__).with_name("ingest_crash_worker.py")


def _report(test: str, **counts: object) -> None:
    print(f"\n[{test}] " + ", ".join(f"{name} = {value}" for name, value in counts.items()))


def _check_office(office: Database, expected: int) -> dict[str, int]:
    status = inbox_status(office)
    figures = {
        "expected": expected,
        "stored": status.stored,
        "lost": expected - status.distinct_messages,
        "stored_duplicates": status.stored - status.distinct_messages,
        "gaps": sum(gap.missing for gap in sequence_gaps(office)),
    }
    assert (figures["lost"], figures["stored_duplicates"], figures["gaps"]) == (0, 0, 0), figures
    return figures


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def test_2_office_away_while_10000_results_accumulate_with_kiosk_restarts(
    mosquitto_dev: Any, home: Any, office_database: Database
) -> None:
    home.config_file.write_text(
        home.config_file.read_text()
        + f'\n[kiosk]\nid = "{KIOSK}"\n\n[broker]\nport = {mosquitto_dev.port}\n',
        encoding="utf-8",
    )
    kiosk = open_database(f"sqlite:///{home.database_file}")
    settings = settings_for(mosquitto_dev)
    with running(Ingest(office_database, settings)):
        pass  # the office's persistent session exists; then the office is away
    rng, rss, kills = random.Random(2), [], 0
    for _ in range(4):  # 4 × 2500 results; the kiosk process is killed after each batch
        enqueue(kiosk, 2500, start=kills * 2500)
        process = subprocess.Popen(
            [sys.executable, "-m", "genki", "sync", "drain", "--timeout", "600"],
            env=os.environ | home.env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: any(s.online for s in link_states(kiosk)), 20, "kiosk connected")
        time.sleep(rng.uniform(0.3, 1.0))
        rss.append(round(_rss_mb(process.pid), 1))
        process.send_signal(signal.SIGKILL)
        process.wait()
        kills += 1
    assert backlog(kiosk) == 10_000  # nothing is closed while the office is away
    with running(Ingest(office_database, settings)) as ingest:
        result = home.run("sync", "drain", "--timeout", "120")
        assert result.exit_code == 0, result.output
        transport_duplicates = ingest.duplicates
    figures = _check_office(office_database, 10_000)
    assert outbox_status(kiosk, KIOSK).backlog == 0
    assert max(rss) < 300, rss  # bounded by the in-flight window, not by the backlog
    _report("2", **figures, kiosk_kills=kills, transport_duplicates=transport_duplicates,
            outbox_left=0, kiosk_rss_mb=rss)  # fmt: skip
    kiosk.close()


def test_3_broker_killed_and_restarted_50_times_during_a_continuous_stream(
    mosquitto_dev: Any, tmp_path: Path, office_database: Database
) -> None:
    kiosk = open_database(f"sqlite:///{tmp_path / 'kiosk.sqlite3'}")
    settings = settings_for(mosquitto_dev)
    publisher = Publisher(
        kiosk, settings, FACILITY, KIOSK, resend_after_s=2.0, backoff=fast_backoff()
    )
    ingest = Ingest(office_database, settings, backoff=fast_backoff())
    rng, produced, stop = random.Random(3), [0], threading.Event()

    def produce() -> None:
        while not stop.is_set():
            enqueue(kiosk, 5, start=produced[0])
            produced[0] += 5
            publisher.notify()
            time.sleep(0.01)

    producer = threading.Thread(target=produce)
    with running(ingest), running(publisher):
        producer.start()
        for _ in range(50):
            time.sleep(rng.uniform(0.05, 0.4))
            mosquitto_dev.kill()
            time.sleep(rng.uniform(0.0, 0.2))
            mosquitto_dev.restart()
        stop.set()
        producer.join(10)
        wait_for(lambda: backlog(kiosk) == 0, 120, "outbox drained after the last restart")
        transport_duplicates = ingest.duplicates
    figures = _check_office(office_database, produced[0])
    _report("3", **figures, broker_kills=50, transport_duplicates=transport_duplicates,
            kiosk_reconnects=publisher.connections - 1)  # fmt: skip
    kiosk.close()


def _raw_result(seq: int) -> tuple[str, bytes]:
    message_id = str(uuid.uuid4())
    payload = ResultMessage(
        message_id=message_id, kiosk_seq=seq, facility_id=FACILITY, kiosk_id=KIOSK,
        created_at=datetime.now(UTC), kind="synthetic", body={"seq": seq},
    ).encode()  # fmt: skip
    return message_id, payload


def _start_worker(url: str, port: int, mode: str, nth: int) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, str(WORKER), url, str(port), mode, str(nth)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "connected"
    return process


def test_4_office_ingest_killed_before_and_after_its_commits(
    mosquitto_dev: Any, office_database_url: str
) -> None:
    """Messages published once: only the broker's redelivery can bring them to the office.

    A message acknowledged to the broker before its commit would be lost when the ingest dies
    inside the transaction; one committed but not acknowledged is delivered again and must be
    recognised as a duplicate. Application acks written by a process just before it is killed
    can be lost with the connection (unread data on a reset socket is discarded), so, as the
    kiosk does after its timeout, the test then sends the unacknowledged messages once more and
    checks that this closes every one without a second row.
    """
    office = open_database(office_database_url)
    acked: set[str] = set()
    kiosk = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=KIOSK,
                        protocol=MQTTProtocolVersion.MQTTv5)  # fmt: skip
    kiosk.on_message = lambda _c, _u, m: acked.update(json.loads(m.payload)["message_ids"])
    kiosk.connect(mosquitto_dev.host, mosquitto_dev.port)
    kiosk.subscribe(f"genki/v1/{FACILITY}/{KIOSK}/acks", qos=1)
    kiosk.loop_start()
    topic = f"genki/v1/{FACILITY}/{KIOSK}/results"
    rng, published = random.Random(4), {}
    kills = {"in_transaction": 0, "after_commit": 0}
    worker = _start_worker(office_database_url, mosquitto_dev.port, "none", 0)
    worker.send_signal(signal.SIGKILL)  # the office session now exists at the broker
    worker.wait()
    try:
        for round_ in range(20):
            for _ in range(150):
                message_id, payload = _raw_result(len(published) + 1)
                kiosk.publish(topic, payload, qos=1)
                published[message_id] = payload
            mode = "in_transaction" if round_ % 2 == 0 else "after_commit"
            worker = _start_worker(office_database_url, mosquitto_dev.port, mode, rng.randint(1, 3))
            if worker.wait(timeout=30) == -signal.SIGKILL:
                kills[mode] += 1
        worker = _start_worker(office_database_url, mosquitto_dev.port, "none", 0)
        wait_for(lambda: inbox_status(office).distinct_messages == len(published), 60, "stored")
        time.sleep(1.0)
        acked_first_time = len(acked & published.keys())
        unacked = [message_id for message_id in published if message_id not in acked]
        for message_id in unacked:
            kiosk.publish(topic, published[message_id], qos=1)
        wait_for(lambda: acked >= published.keys(), 30, "every message acknowledged")
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        kiosk.loop_stop()
        kiosk.disconnect()
    figures = _check_office(office, len(published))
    assert kills == {"in_transaction": 10, "after_commit": 10}
    _report("4", **figures, kills=kills, acked_first_time=acked_first_time,
            sent_again=len(unacked), acknowledged=len(acked & published.keys()))  # fmt: skip
    office.close()


def test_4_office_database_killed_and_restarted_during_a_stream(
    mosquitto_dev: Any, tmp_path: Path, postgres_server: PostgresServer, postgres_url: str
) -> None:
    """PostgreSQL crashes (``kill -9``) ten times under the running office ingest.

    A batch whose commit fails is neither acknowledged to the broker nor to the kiosk: the
    ingest ends its connection, the broker redelivers, and the kiosk re-sends after its timeout.
    """
    kiosk = open_database(f"sqlite:///{tmp_path / 'kiosk.sqlite3'}")
    office = open_database(postgres_url)
    settings = settings_for(mosquitto_dev)
    publisher = Publisher(
        kiosk, settings, FACILITY, KIOSK, resend_after_s=2.0, backoff=fast_backoff()
    )
    ingest = Ingest(office, settings, backoff=fast_backoff())
    rng, produced = random.Random(41), 0
    with running(ingest), running(publisher):
        for _ in range(10):
            for _ in range(rng.randint(5, 20)):
                enqueue(kiosk, 20, start=produced)
                produced += 20
                publisher.notify()
                time.sleep(0.01)
            postgres_server.kill()
            time.sleep(rng.uniform(0.1, 0.5))
            postgres_server.start()
        wait_for(lambda: backlog(kiosk) == 0, 120, "outbox drained after the last restart")
        transport_duplicates = ingest.duplicates
    figures = _check_office(office, produced)
    _report("4-database", **figures, database_kills=10, transport_duplicates=transport_duplicates,
            ingest_reconnects=ingest.connections - 1)  # fmt: skip
    office.close()
    kiosk.close()
