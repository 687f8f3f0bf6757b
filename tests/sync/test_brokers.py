"""The shipped Mosquitto configurations, run as shipped by sync.mosquitto, with real paho clients.

Production (TLS, passwords, ACL for facility ``facility-1``): strangers are refused, each kiosk
is confined to its own topics, subscribing to ``#`` brings nobody more than the ACL lets them
read (Mosquitto grants the subscription and filters what it delivers), a client id cannot be
taken over, oversized packets are refused, and retained and queued messages survive a broker
crash after an autosave and a graceful restart. Development: a QoS 1 message passes and persistence
works. Negative checks ("nothing received") end with a sentinel message sent after the forbidden
one on the same path, so they wait for an event instead of sleeping.
"""

from __future__ import annotations

import os
import pwd
import socket
import ssl
import stat
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from mosquitto_fixtures import Credentials, ProductionBroker
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from sync.mosquitto import BROKERS_DIR, Mosquitto, MosquittoError, TlsFiles

WAIT_S = 5.0
PREFIX = "genki/v1/facility-1"
ROSTER = f"{PREFIX}/roster/6f1c2b1e-9a53-4a6c-8f0e-3d2b1a0c9e8f"  # one resident's roster topic
MAX_PACKET_SIZE = 262_144
NOT_THEIRS = "not-the-right-one"  # a wrong password


class Client:
    """A paho client (MQTT v5 unless told) on its own network thread, recording what it sees."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        user: str | None = None,
        password: str | None = None,
        ca_file: Path | None = None,
        client_id: str = "",
        session_expiry_s: int | None = None,
    ) -> None:
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=client_id,
            protocol=MQTTProtocolVersion.MQTTv5,
            reconnect_on_failure=False,
        )
        if user is not None:
            self.client.username_pw_set(user, password)
        if ca_file is not None:
            self.client.tls_set(ca_certs=str(ca_file), tls_version=ssl.PROTOCOL_TLS_CLIENT)
        self.messages: list[mqtt.MQTTMessage] = []
        self.connack: Any = None
        self.session_present = False
        self.suback: list[Any] = []
        self.puback: dict[int, Any] = {}
        self.answered = threading.Event()  # CONNACK received, or the connection ended
        self.disconnected = threading.Event()
        self.changed = threading.Condition()
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self.client.on_subscribe = self._on_subscribe
        self.client.on_publish = self._on_publish
        properties = None
        if session_expiry_s is not None:
            properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
            properties.SessionExpiryInterval = session_expiry_s
        self.client.connect(
            host, port, keepalive=10, clean_start=session_expiry_s is None, properties=properties
        )
        self.client.loop_start()
        assert self.answered.wait(WAIT_S), "no answer to CONNECT"

    @property
    def connected(self) -> bool:
        """Whether the broker accepted the connection and has not ended it."""
        return (
            self.connack is not None
            and not self.connack.is_failure
            and not self.disconnected.is_set()
        )

    def _on_connect(self, _c: Any, _u: Any, flags: Any, reason: Any, _p: Any) -> None:
        self.connack, self.session_present = reason, flags.session_present
        self.answered.set()

    def _on_disconnect(self, _c: Any, _u: Any, _f: Any, _reason: Any, _p: Any) -> None:
        self.disconnected.set()
        self.answered.set()

    def _on_message(self, _c: Any, _u: Any, message: mqtt.MQTTMessage) -> None:
        with self.changed:
            self.messages.append(message)
            self.changed.notify_all()

    def _on_subscribe(self, _c: Any, _u: Any, _mid: int, reasons: list[Any], _p: Any) -> None:
        with self.changed:
            self.suback = list(reasons)
            self.changed.notify_all()

    def _on_publish(self, _c: Any, _u: Any, mid: int, reason: Any, _p: Any) -> None:
        with self.changed:
            self.puback[mid] = reason
            self.changed.notify_all()

    def wait(self, condition: Callable[[], bool], what: str, timeout_s: float = WAIT_S) -> None:
        """Wait (bounded) until ``condition()`` holds."""
        with self.changed:
            assert self.changed.wait_for(condition, timeout_s), f"{what}: not within {timeout_s} s"

    def subscribe(self, topic_filter: str) -> list[Any]:
        """Subscribe at QoS 1; return the SUBACK reason codes."""
        with self.changed:
            self.suback = []
        self.client.subscribe(topic_filter, qos=1)
        self.wait(lambda: bool(self.suback), f"SUBACK for {topic_filter}")
        return self.suback

    def publish(self, topic: str, payload: bytes, *, retain: bool = False) -> Any:
        """Publish at QoS 1 and wait for the PUBACK; return its reason code."""
        info = self.client.publish(topic, payload, qos=1, retain=retain)
        self.wait(lambda: info.mid in self.puback, f"PUBACK for {topic}")
        return self.puback[info.mid]

    def received(self, topic: str) -> list[bytes]:
        """Return the payloads received on ``topic`` so far."""
        with self.changed:
            return [bytes(m.payload) for m in self.messages if m.topic == topic]

    def wait_for_message(self, topic: str, payload: bytes) -> None:
        """Wait (bounded) for ``payload`` on ``topic``."""
        self.wait(lambda: payload in self.received(topic), f"{payload!r} on {topic}")

    def close(self) -> None:
        """Disconnect (keeping a persistent session) and stop the network thread."""
        self.client.disconnect()
        self.client.loop_stop()


@contextmanager
def connected(broker: ProductionBroker | Mosquitto, user: str | None = None,
              **options: Any) -> Iterator[Client]:  # fmt: skip
    """Connect ``user`` (production: with its password over TLS), and close at the end."""
    if isinstance(broker, ProductionBroker):
        options.setdefault("ca_file", broker.ca_file)
        if user is not None:
            options.setdefault("password", broker.passwords.get(user, "?"))
    client = Client(broker.host, broker.port, user=user, **options)
    try:
        yield client
    finally:
        client.close()


def _saved(broker: Mosquitto) -> tuple[int, int] | None:
    """The identity of the broker's saved database file (it is replaced at every save)."""
    try:
        found = (broker.data_dir / "mosquitto.db").stat()
    except FileNotFoundError:
        return None
    return found.st_ino, found.st_mtime_ns


def _wait_for_autosave(broker: Mosquitto, timeout_s: float) -> None:
    """Wait (bounded) until the broker saves its database after this call."""
    before, deadline = _saved(broker), time.monotonic() + timeout_s
    while _saved(broker) in {before, None}:
        assert time.monotonic() < deadline, f"no autosave within {timeout_s} s"
        time.sleep(0.05)


# --- Production: who may connect -----------------------------------------------------------------


def test_anonymous_clients_are_refused(mosquitto_production: ProductionBroker) -> None:
    with connected(mosquitto_production) as stranger:
        assert not stranger.connected
        assert stranger.connack is None or stranger.connack.is_failure


def test_a_wrong_password_is_refused(mosquitto_production: ProductionBroker) -> None:
    with connected(mosquitto_production, "kiosk-a", password=NOT_THEIRS) as intruder:
        assert not intruder.connected
        assert intruder.connack.is_failure
    with connected(mosquitto_production, "nobody-known", password=NOT_THEIRS) as stranger:
        assert not stranger.connected


def _tls_handshake(broker: ProductionBroker, highest: ssl.TLSVersion) -> str:
    """Shake hands offering TLS versions up to ``highest``; return the version agreed."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(broker.ca_file)
    context.set_ciphers("DEFAULT:@SECLEVEL=0")  # let this client offer old versions
    context.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
    context.maximum_version = highest
    with (
        socket.create_connection((broker.host, broker.port), timeout=WAIT_S) as raw,
        context.wrap_socket(raw, server_hostname="localhost") as tls,
    ):
        return str(tls.version())


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # ssl.TLSVersion.TLSv1_1
def test_tls_is_required_with_version_1_2_at_least(mosquitto_production: ProductionBroker) -> None:
    with connected(mosquitto_production, "kiosk-a", ca_file=None) as plain:
        assert not plain.connected
    assert _tls_handshake(mosquitto_production, ssl.TLSVersion.TLSv1_2) == "TLSv1.2"
    with pytest.raises(ssl.SSLError) as refused:
        _tls_handshake(mosquitto_production, ssl.TLSVersion.TLSv1_1)
    assert refused.value.reason == "TLSV1_ALERT_PROTOCOL_VERSION"  # the broker's answer


# --- Production: what each user may do ------------------------------------------------------------


def test_kiosk_results_and_status_reach_the_office(mosquitto_production: ProductionBroker) -> None:
    with (
        connected(mosquitto_production, "office", client_id="office") as office,
        connected(mosquitto_production, "kiosk-a", client_id="kiosk-a") as kiosk,
    ):
        assert office.connected
        assert kiosk.connected
        assert not office.subscribe("$share/office/genki/v1/+/+/results")[0].is_failure
        assert not office.subscribe("genki/v1/+/+/status")[0].is_failure
        assert not kiosk.publish(f"{PREFIX}/kiosk-a/status", b"online", retain=True).is_failure
        assert not kiosk.publish(f"{PREFIX}/kiosk-a/results", b"result 1").is_failure
        office.wait_for_message(f"{PREFIX}/kiosk-a/results", b"result 1")
        office.wait_for_message(f"{PREFIX}/kiosk-a/status", b"online")
        assert not kiosk.subscribe(f"{PREFIX}/kiosk-a/acks")[0].is_failure
        assert not kiosk.subscribe(f"{PREFIX}/roster/+")[0].is_failure
        assert not office.publish(f"{PREFIX}/kiosk-a/acks", b"ack 1").is_failure
        assert not office.publish(ROSTER, b"roster", retain=True).is_failure
        kiosk.wait_for_message(f"{PREFIX}/kiosk-a/acks", b"ack 1")
        kiosk.wait_for_message(ROSTER, b"roster")


def test_a_kiosk_cannot_publish_as_another_kiosk(mosquitto_production: ProductionBroker) -> None:
    with (
        connected(mosquitto_production, "office") as office,
        connected(mosquitto_production, "kiosk-a") as kiosk,
    ):
        office.subscribe("genki/v1/+/+/results")
        office.subscribe("genki/v1/+/+/status")
        forged = [f"{PREFIX}/kiosk-b/results", f"{PREFIX}/kiosk-b/status",
                  "genki/v1/facility-2/kiosk-a/results", f"{PREFIX}/kiosk-a/acks"]  # fmt: skip
        for topic in forged:
            assert kiosk.publish(topic, b"forged").is_failure  # v5: "Not authorized"
        kiosk.publish(f"{PREFIX}/kiosk-a/results", b"sentinel")  # after the forged ones
        office.wait_for_message(f"{PREFIX}/kiosk-a/results", b"sentinel")
        assert [m.payload for m in office.messages] == [b"sentinel"]
        assert kiosk.connected


def test_a_kiosk_cannot_publish_a_roster_and_reads_only_its_facilitys(
    mosquitto_production: ProductionBroker,
) -> None:
    """The roster is written by the office only; kiosks read their own facility's."""
    with (
        connected(mosquitto_production, "office") as office,
        connected(mosquitto_production, "kiosk-a") as kiosk_a,
        connected(mosquitto_production, "kiosk-b") as kiosk_b,
    ):
        kiosk_b.subscribe("genki/v1/+/roster/+")
        office.publish("genki/v1/facility-2/roster/0d9a3c52-7f0e-4b6a-9a51-5b0f8e1c2d3e",
                       b"another facility's", retain=True)  # fmt: skip
        forged = [ROSTER, f"{PREFIX}/roster", "genki/v1/facility-2/roster/x"]
        for topic in forged:
            assert kiosk_a.publish(topic, b"forged", retain=True).is_failure  # v5: "Not authorized"
        office.publish(ROSTER, b"sentinel", retain=True)  # after the forged ones
        kiosk_b.wait_for_message(ROSTER, b"sentinel")
        assert [(m.topic, m.payload) for m in kiosk_b.messages] == [(ROSTER, b"sentinel")]
        assert kiosk_a.connected
    with connected(mosquitto_production, "kiosk-a") as later:  # retained: only the office's
        later.subscribe(f"{PREFIX}/roster/+")
        later.wait_for_message(ROSTER, b"sentinel")
        assert [m.payload for m in later.messages] == [b"sentinel"]


def test_subscribing_to_everything_or_to_another_kiosk_brings_nothing_more(
    mosquitto_production: ProductionBroker,
) -> None:
    """Mosquitto grants any subscription and delivers only what the ACL lets the user read."""
    kiosk_b = f"{PREFIX}/kiosk-b"
    wide = ["#", "genki/#", "$SYS/#", "$share/g/#", f"{PREFIX}/+/acks", "genki/v1/+/+/acks",
            f"{kiosk_b}/acks", f"{kiosk_b}/results", f"{kiosk_b}/status"]  # fmt: skip
    with (
        connected(mosquitto_production, "office") as office,
        connected(mosquitto_production, "kiosk-a") as kiosk_a,
        connected(mosquitto_production, "kiosk-b") as kiosk_b,
    ):
        for topic_filter in wide:
            kiosk_a.subscribe(topic_filter)
        for topic_filter in ["#", "$SYS/#", "genki/v1/+/+/acks", "$share/g/genki/v1/+/+/acks"]:
            office.subscribe(topic_filter)
        kiosk_b.publish(f"{PREFIX}/kiosk-b/status", b"online", retain=True)
        kiosk_b.publish(f"{PREFIX}/kiosk-b/results", b"result of kiosk-b")
        office.publish(f"{PREFIX}/kiosk-b/acks", b"ack for kiosk-b")
        kiosk_a.subscribe(f"{PREFIX}/kiosk-a/acks")
        office.publish(f"{PREFIX}/kiosk-a/acks", b"sentinel")  # after everything above
        kiosk_a.wait_for_message(f"{PREFIX}/kiosk-a/acks", b"sentinel")
        assert {m.topic for m in kiosk_a.messages} == {f"{PREFIX}/kiosk-a/acks"}
        assert {m.payload for m in kiosk_a.messages} == {b"sentinel"}
        # The office reads results and status through "#" (its right), never acks or $SYS.
        kiosk_a.publish(f"{PREFIX}/kiosk-a/results", b"sentinel")
        office.wait_for_message(f"{PREFIX}/kiosk-a/results", b"sentinel")
        assert {m.topic for m in office.messages} == {
            f"{PREFIX}/kiosk-b/status",
            f"{PREFIX}/kiosk-b/results",
            f"{PREFIX}/kiosk-a/results",
        }


def test_a_client_id_cannot_be_taken_over(mosquitto_production: ProductionBroker) -> None:
    """use_username_as_clientid: kiosk-b (or anyone) using kiosk-a's client id does not kick it."""
    with (
        connected(mosquitto_production, "office") as office,
        connected(mosquitto_production, "kiosk-a", client_id="kiosk-a") as kiosk,
    ):
        office.subscribe("genki/v1/+/+/results")
        with (
            connected(mosquitto_production, "kiosk-b", client_id="kiosk-a") as intruder,
            connected(
                mosquitto_production, "office", password=NOT_THEIRS, client_id="kiosk-a"
            ) as x,
        ):
            assert intruder.connected
            assert not x.connected
            intruder.publish(f"{PREFIX}/kiosk-b/results", b"from kiosk-b")
            office.wait_for_message(f"{PREFIX}/kiosk-b/results", b"from kiosk-b")
            kiosk.publish(f"{PREFIX}/kiosk-a/results", b"still here")
            office.wait_for_message(f"{PREFIX}/kiosk-a/results", b"still here")
            assert kiosk.connected
        assert not kiosk.disconnected.is_set()


def test_a_packet_larger_than_the_limit_drops_the_connection(
    mosquitto_production: ProductionBroker,
) -> None:
    with (
        connected(mosquitto_production, "office") as office,
        connected(mosquitto_production, "kiosk-a") as kiosk,
    ):
        office.subscribe("genki/v1/+/+/results")
        kiosk.client.publish(f"{PREFIX}/kiosk-a/results", b"x" * MAX_PACKET_SIZE, qos=1)
        assert kiosk.disconnected.wait(WAIT_S), "the broker kept the connection"
        with connected(mosquitto_production, "kiosk-a") as again:
            again.publish(f"{PREFIX}/kiosk-a/results", b"x" * (MAX_PACKET_SIZE - 1000))
            office.wait_for_message(f"{PREFIX}/kiosk-a/results", b"x" * (MAX_PACKET_SIZE - 1000))
        assert len(office.messages) == 1
        assert office.connected


# --- Persistence --------------------------------------------------------------------------------


@pytest.mark.parametrize("ending", ["kill after an autosave", "graceful stop"])
def test_retained_and_queued_messages_survive_a_broker_restart(
    mosquitto_production: ProductionBroker, ending: str
) -> None:
    broker = mosquitto_production.broker
    results, status = f"{PREFIX}/kiosk-a/results", f"{PREFIX}/kiosk-a/status"
    office_session = {"client_id": "office", "session_expiry_s": 3600}
    with connected(mosquitto_production, "office", **office_session) as office:
        office.subscribe("$share/office/genki/v1/+/+/results")
    with connected(mosquitto_production, "kiosk-a") as kiosk:  # the office is offline now
        kiosk.publish(status, b"online", retain=True)
        kiosk.publish(results, b"queued while the office was away")
    if ending == "graceful stop":
        broker.stop()
    else:
        _wait_for_autosave(broker, timeout_s=15.0)
        broker.kill()
    broker.restart()
    with connected(mosquitto_production, "office", **office_session) as office:
        assert office.session_present
        office.wait_for_message(results, b"queued while the office was away")
        office.subscribe("genki/v1/+/+/status")
        office.wait_for_message(status, b"online")
        assert [m.retain for m in office.messages if m.topic == status] == [True]


def test_the_data_directory_belongs_to_the_broker_user(
    mosquitto_production: ProductionBroker,
) -> None:
    """Started as root, Mosquitto writes as `mosquitto`: the runner hands it the directory."""
    broker = mosquitto_production.broker
    if os.geteuid() != 0:
        pytest.skip("only root hands the directory to another user")
    folder = broker.data_dir.stat()
    assert folder.st_uid == pwd.getpwnam("mosquitto").pw_uid
    assert stat.S_IMODE(folder.st_mode) == 0o700
    assert "user mosquitto" in broker.config_path.read_text(encoding="utf-8").splitlines()


# --- Development ----------------------------------------------------------------------------------


def test_the_development_broker_passes_a_qos1_message_and_persists(
    mosquitto_dev: Mosquitto,
) -> None:
    with connected(mosquitto_dev) as subscriber, connected(mosquitto_dev) as publisher:
        assert subscriber.connected
        assert publisher.connected
        subscriber.subscribe("genki/v1/sakura/+/results")
        assert not publisher.publish("genki/v1/sakura/kiosk-1/results", b"result").is_failure
        subscriber.wait_for_message("genki/v1/sakura/kiosk-1/results", b"result")
        assert [m.qos for m in subscriber.messages] == [1]
        publisher.publish("genki/v1/sakura/kiosk-1/status", b"online", retain=True)
    _wait_for_autosave(mosquitto_dev, timeout_s=5.0)
    mosquitto_dev.kill()
    mosquitto_dev.restart()
    with connected(mosquitto_dev) as subscriber:
        subscriber.subscribe("genki/v1/sakura/+/status")
        subscriber.wait_for_message("genki/v1/sakura/kiosk-1/status", b"online")


# --- The runner ---------------------------------------------------------------------------------


def test_the_private_copy_differs_from_the_shipped_file_only_where_it_must(
    mosquitto_production: ProductionBroker, mosquitto_dev: Mosquitto
) -> None:
    may_differ = {"listener", "persistence_location", "log_dest", "pid_file", "user",
                  "password_file", "acl_file", "cafile", "certfile", "keyfile"}  # fmt: skip
    for broker in (mosquitto_production.broker, mosquitto_dev):
        shipped = (BROKERS_DIR / f"{broker.configuration}.conf").read_text().splitlines()
        running = broker.config_path.read_text().splitlines()
        changed = {line.split()[0] for line in set(shipped) ^ set(running) if line.strip()}
        assert changed <= may_differ, broker.configuration
        assert f"listener {broker.port} 127.0.0.1" in running
    acl = (mosquitto_production.broker.data_dir / "acl").read_text()
    assert acl == (BROKERS_DIR / "production.acl").read_text()


def test_a_missing_mosquitto_names_the_debian_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sync.mosquitto.shutil.which", lambda *_a, **_k: None)
    with pytest.raises(MosquittoError, match="Debian package `mosquitto`"), Mosquitto():
        pass


def test_a_port_in_use_is_named() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        broker = Mosquitto("development", port=port)
        with pytest.raises(MosquittoError, match=f"127.0.0.1:{port}: the port is in use"), broker:
            pass
    assert not broker.data_dir.exists()  # the runner's own data directory is removed


def test_a_broker_that_cannot_start_names_its_log(
    mosquitto_credentials: Credentials, tmp_path: Path
) -> None:
    not_a_key = tmp_path / "broker.key"
    not_a_key.write_text("not a key\n")
    tls = TlsFiles(mosquitto_credentials.tls.cafile, mosquitto_credentials.tls.certfile, not_a_key)
    broker = Mosquitto("production", password_file=mosquitto_credentials.password_file, tls=tls)
    with pytest.raises(MosquittoError, match="exited with code") as failure, broker:
        pass
    assert str(broker.log_path) in str(failure.value)
    assert "key" in str(failure.value).split("ends with:")[1].lower()


def test_production_needs_a_password_file_and_certificates() -> None:
    expected = "needs password_file, cafile, certfile, keyfile"
    with pytest.raises(MosquittoError, match=expected), Mosquitto("production"):
        pass
