"""The broker connection shared by the kiosk publisher and the office ingest.

``MqttWorker`` owns one paho client on one thread (paho is not used from any other thread): it
connects (MQTT 5), runs the network loop, hands each turn to the subclass (``step``), and after a
lost or refused connection waits with exponential backoff and jitter before the next attempt, so
many kiosks coming back after an outage do not reconnect in lockstep. A failure inside the work
(a database error, say) ends the connection, not the thread: the worker connects again, and
everything not yet acknowledged is sent or delivered again. ``stop`` lets the subclass
say goodbye (``farewell``) and ends the thread within a bounded time.
"""

from __future__ import annotations

import logging
import random
import ssl
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode, MQTTProtocolVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from sync.errors import BrokerError

_LOGGER = logging.getLogger(__name__)
LOOP_TIMEOUT_S = 0.01
SCHEMES = {"mqtt": (False, 1883), "mqtts": (True, 8883)}


@dataclass(frozen=True, slots=True)
class BrokerSettings:
    """Where the broker is and how to log in (genki.toml ``[broker]``)."""

    host: str = "127.0.0.1"
    port: int = 1883
    tls: bool = False
    ca_file: Path | None = None
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    keepalive_s: int = 30
    protocol: Literal["5", "3.1.1"] = "5"  # 3.1.1 only for the demo's embedded broker

    @classmethod
    def from_url(cls, url: str, *, keepalive_s: int = 30) -> BrokerSettings:
        """Read ``mqtt://[user:password@]host[:port]`` or ``mqtts://…`` (TLS)."""
        parts = urlsplit(url)
        if parts.scheme not in SCHEMES or not parts.hostname:
            raise BrokerError(f"broker URL {url!r}; expected mqtt://host:port or mqtts://host:port")
        tls, default_port = SCHEMES[parts.scheme]
        try:
            port = parts.port or default_port
        except ValueError as exc:
            raise BrokerError(f"broker URL {url!r}: the port is not a number 1–65535") from exc
        return cls(
            host=parts.hostname,
            port=port,
            tls=tls,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            keepalive_s=keepalive_s,
        )

    @property
    def url(self) -> str:
        """The broker's URL without credentials, for messages."""
        return f"{'mqtts' if self.tls else 'mqtt'}://{self.host}:{self.port}"


@dataclass(slots=True)
class Backoff:
    """Delays between connection attempts: doubling from ``first_s`` up to ``most_s``, jittered."""

    first_s: float = 0.5
    most_s: float = 30.0
    rng: random.Random = field(default_factory=random.Random)
    attempts: int = 0

    def next_delay(self) -> float:
        """Return the next delay: full-range jitter over the upper half of the doubled step."""
        ceiling = min(self.most_s, self.first_s * 2.0 ** min(self.attempts, 30))
        self.attempts += 1
        return self.rng.uniform(ceiling / 2.0, ceiling)

    def reset(self) -> None:
        """Start again from the first delay (after a successful connection)."""
        self.attempts = 0


def session_properties(expiry_s: int) -> Properties:
    """Return CONNECT properties asking the broker to keep the session ``expiry_s`` seconds."""
    properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
    properties.SessionExpiryInterval = expiry_s
    return properties


class MqttWorker:
    """One paho client on one thread, connecting again after every loss (see the module doc)."""

    def __init__(
        self,
        settings: BrokerSettings,
        client_id: str,
        *,
        clean_start: bool,
        session_expiry_s: int = 0,
        manual_ack: bool = False,
        backoff: Backoff | None = None,
    ) -> None:
        self.settings = settings
        self._v311 = settings.protocol == "3.1.1"
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=client_id,
            protocol=MQTTProtocolVersion.MQTTv311 if self._v311 else MQTTProtocolVersion.MQTTv5,
            clean_session=clean_start if self._v311 else None,
            reconnect_on_failure=False,
            manual_ack=manual_ack,
        )
        if settings.username is not None:
            self.client.username_pw_set(settings.username, settings.password)
        if settings.tls:
            ca = None if settings.ca_file is None else str(settings.ca_file)
            self.client.tls_set(ca_certs=ca, tls_version=ssl.PROTOCOL_TLS_CLIENT)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self._clean_start = clean_start
        self._properties = session_properties(session_expiry_s) if session_expiry_s else None
        self._backoff = backoff or Backoff()
        self._stopping = threading.Event()
        self._connected = False
        self._thread = threading.Thread(target=self._run, name=f"genki-mqtt-{client_id}")
        self._lock = threading.Lock()
        self.last_error = ""
        self.connections = 0

    # Hooks for subclasses, all called on the worker thread.
    def configure(self) -> None:
        """Set the will and other options before each connection attempt."""

    def connected(self) -> None:
        """Subscribe, announce, start over: the broker accepted the connection."""

    def disconnected(self, reason: str) -> None:
        """Record that the connection was lost or refused (``reason`` says why)."""

    def step(self) -> None:
        """Do a turn of work between network loop iterations."""

    def farewell(self) -> None:
        """Say goodbye before a requested disconnect (e.g. the retained offline status)."""

    @property
    def is_connected(self) -> bool:
        """Whether the broker has accepted the current connection."""
        with self._lock:
            return self._connected

    def start(self) -> None:
        """Start the worker thread."""
        self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        """Ask the worker to say goodbye, disconnect and end; wait at most ``timeout_s``."""
        self._stopping.set()
        self._thread.join(timeout_s)
        if self._thread.is_alive():
            raise BrokerError(f"the MQTT worker did not stop within {timeout_s:g} s")

    @property
    def stopping(self) -> bool:
        """Whether stop() was called."""
        return self._stopping.is_set()

    def _set_connected(self, *, value: bool) -> None:
        with self._lock:
            self._connected = value

    def _on_connect(
        self, _client: mqtt.Client, _userdata: Any, _flags: Any, reason: ReasonCode, _props: Any
    ) -> None:
        if reason.is_failure:
            self.last_error = f"the broker refused the connection: {reason}"
            return
        self._set_connected(value=True)
        self.connections += 1
        self._backoff.reset()
        self.connected()

    def _on_disconnect(
        self, _client: mqtt.Client, _userdata: Any, _flags: Any, reason: ReasonCode, _props: Any
    ) -> None:
        was_connected = self.is_connected
        self._set_connected(value=False)
        if was_connected:
            self.last_error = "" if self.stopping else f"connection lost: {reason}"
            self.disconnected(self.last_error)

    def _connect(self) -> bool:
        """Open a connection and wait for the broker's answer; False if it failed."""
        self.configure()
        try:
            if self._v311:  # the session is kept by clean_session=False, without an expiry
                self.client.connect(
                    self.settings.host, self.settings.port, keepalive=self.settings.keepalive_s
                )
            else:
                self.client.connect(
                    self.settings.host,
                    self.settings.port,
                    keepalive=self.settings.keepalive_s,
                    clean_start=self._clean_start,
                    properties=self._properties,
                )
        except (OSError, ssl.SSLError) as exc:
            self.last_error = f"cannot reach the broker at {self.settings.url}: {exc}"
            return False
        deadline = time.monotonic() + self.settings.keepalive_s
        while not self.is_connected and time.monotonic() < deadline and not self.stopping:
            if self.client.loop(LOOP_TIMEOUT_S) != MQTTErrorCode.MQTT_ERR_SUCCESS:
                break
            if self.last_error.startswith("the broker refused"):
                break
        if not self.is_connected:
            self.last_error = self.last_error or f"no answer from the broker at {self.settings.url}"
            self.client.disconnect()
        return self.is_connected

    def _serve(self) -> None:
        """Run the network loop and the subclass's work until the connection ends or stop()."""
        while not self.stopping:
            rc = self.client.loop(LOOP_TIMEOUT_S)
            if rc != MQTTErrorCode.MQTT_ERR_SUCCESS or not self.is_connected:
                break
            self.step()
        if self.is_connected and self.stopping:
            self.farewell()
            self.client.disconnect()
            self.client.loop(LOOP_TIMEOUT_S)
        if self.is_connected:  # the loop failed before paho noticed: tell the subclass
            self._on_disconnect(self.client, None, None, ReasonCode(PacketTypes.DISCONNECT), None)
        self.client.disconnect()

    def _run(self) -> None:
        while not self.stopping:
            try:
                if self._connect():
                    self._serve()  # returns when the connection ends
                else:
                    self.disconnected(self.last_error)
            except Exception as exc:  # the worker must outlive any one failure
                self.last_error = f"{type(exc).__name__}: {exc}"
                _LOGGER.exception("MQTT worker failed; connecting again")
                self._set_connected(value=False)
                self.client.disconnect()
            _LOGGER.info("%s; trying again", self.last_error)
            self._stopping.wait(self._backoff.next_delay())
