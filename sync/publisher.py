"""Kiosk side: drain the outbox to the office at QoS 1, closing rows only on the office's ack.

The publisher keeps at most ``window`` messages in flight (published, not yet acknowledged by the
office), so paho's own queue stays small and memory is bounded however large the backlog grows.
Messages go out in ``kiosk_seq`` order. A row is closed only when an ``genki.ack/1`` from the
office names it (RELIABILITY.md, design point 5); messages in flight are sent again when their
acknowledgement is overdue (the wait doubles with each re-send, so an office that is down for a
weekend is not flooded) and all unacknowledged rows are sent again, in order, after every
reconnect. The office deduplicates, so a re-send is always safe.

The retained ``…/status`` topic says online on connect (birth) and offline on a clean stop or,
through the broker's last will, on a lost connection. While connected, the online status also
carries the kiosk's backlog (outbox rows the office has not acknowledged, and when the oldest was
saved), counted on connect and again every ``status_refresh_s`` (STATUS_REFRESH_S by default), so
while connected the retained status holds a count at most that old; the offline statuses carry
none. The link state is written to the database so ``genki sync status`` can show it from another
process.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import MQTTErrorCode

from records.database import Database
from records.links import set_online
from records.outbox import mark_acked, mark_sent, outbox_status, unacked
from sync.broker import Backoff, BrokerSettings, MqttWorker
from sync.errors import PayloadError
from sync.payloads import AckMessage, StatusMessage, decode
from sync.topics import ACKS, STATUS, topic

_LOGGER = logging.getLogger(__name__)
POLL_S = 0.5  # look for rows written by another process at least this often
STATUS_REFRESH_S = 30.0  # republish the retained online status with the backlog this often


@dataclass(slots=True)
class _InFlight:
    kiosk_seq: int
    topic: str
    payload: str
    sent_at: float
    sends: int


@dataclass(frozen=True, slots=True)
class PublisherStatus:
    """A snapshot of the publisher for screens and commands."""

    connected: bool
    in_flight: int
    sent: int
    acknowledged: int
    bad_acks: int
    connections: int
    last_error: str


class Publisher(MqttWorker):
    """Drains one kiosk's outbox to the broker (see the module docstring)."""

    def __init__(  # noqa: PLR0913 - the worker's settings, each a keyword
        self,
        database: Database,
        settings: BrokerSettings,
        facility_id: str,
        kiosk_id: str,
        *,
        window: int = 1000,
        resend_after_s: float = 30.0,
        status_refresh_s: float = STATUS_REFRESH_S,
        backoff: Backoff | None = None,
    ) -> None:
        super().__init__(settings, kiosk_id, clean_start=True, backoff=backoff)
        self.client.max_inflight_messages_set(window)
        self.database = database
        self.facility_id, self.kiosk_id = facility_id, kiosk_id
        self.window, self.resend_after_s = window, resend_after_s
        self.status_refresh_s = status_refresh_s
        self._status_topic = topic(facility_id, kiosk_id, STATUS)
        self._acks_topic = topic(facility_id, kiosk_id, ACKS)
        self._in_flight: dict[str, _InFlight] = {}
        self._cursor = 0
        self._acked: set[str] = set()
        self._wake = threading.Event()
        self._next_poll = 0.0
        self._next_status = 0.0
        self.client.on_message = self._on_message
        self.sent = self.acknowledged = self.bad_acks = 0

    def notify(self) -> None:
        """Tell the publisher that new outbox rows were committed (any thread)."""
        self._wake.set()

    def status(self) -> PublisherStatus:
        """Return a snapshot (any thread; the counters are read without stopping the worker)."""
        return PublisherStatus(
            connected=self.is_connected,
            in_flight=len(self._in_flight),
            sent=self.sent,
            acknowledged=self.acknowledged,
            bad_acks=self.bad_acks,
            connections=self.connections,
            last_error=self.last_error,
        )

    def _status_payload(self, *, online: bool, with_backlog: bool = False) -> bytes:
        """Return a status message; ``with_backlog`` counts the outbox (worker thread only)."""
        backlog = outbox_status(self.database, self.kiosk_id) if with_backlog else None
        return StatusMessage(
            facility_id=self.facility_id,
            kiosk_id=self.kiosk_id,
            online=online,
            at=datetime.now(UTC),
            backlog=None if backlog is None else backlog.backlog,
            oldest_unacked_at=None if backlog is None else backlog.oldest_unacked_at,
        ).encode()

    def _announce_online(self, now: float) -> None:
        """Publish the retained online status with the backlog as it stands now."""
        self._next_status = now + self.status_refresh_s
        payload = self._status_payload(online=True, with_backlog=True)
        self.client.publish(self._status_topic, payload, qos=1, retain=True)

    def configure(self) -> None:
        """Leave a retained "offline" as the last will."""
        self.client.will_set(
            self._status_topic, self._status_payload(online=False), qos=1, retain=True
        )

    def connected(self) -> None:
        """Subscribe to the acks, announce "online" with the backlog, send every open row again."""
        self.client.subscribe(self._acks_topic, qos=1)
        self._announce_online(time.monotonic())
        self._in_flight.clear()
        self._cursor = 0
        self._next_poll = 0.0
        set_online(self.database, self.facility_id, self.kiosk_id, online=True)
        _LOGGER.info("kiosk %s connected to %s", self.kiosk_id, self.settings.url)

    def disconnected(self, reason: str) -> None:
        """Record the lost link with its reason."""
        set_online(self.database, self.facility_id, self.kiosk_id, online=False, error=reason)

    def farewell(self) -> None:
        """Say "offline" before a requested disconnect."""
        info = self.client.publish(
            self._status_topic, self._status_payload(online=False), qos=1, retain=True
        )
        deadline = time.monotonic() + 1.0
        while not info.is_published() and time.monotonic() < deadline:
            if self.client.loop(0.01) != MQTTErrorCode.MQTT_ERR_SUCCESS:
                break

    def _on_message(self, _client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        try:
            ack = decode(bytes(message.payload), AckMessage)
        except PayloadError as exc:
            self.bad_acks += 1
            _LOGGER.warning("ignored a bad ack on %s: %s", message.topic, exc)
            return
        if (ack.facility_id, ack.kiosk_id) != (self.facility_id, self.kiosk_id):
            self.bad_acks += 1
            _LOGGER.warning("ignored an ack for %s/%s", ack.facility_id, ack.kiosk_id)
            return
        self._acked.update(ack.message_ids)

    def step(self) -> None:
        """Close acked rows, re-send overdue ones, fill the window, refresh the status if due."""
        now = time.monotonic()
        if self._acked:
            acked, self._acked = self._acked, set()
            self.acknowledged += mark_acked(self.database, self.facility_id, self.kiosk_id, acked)
            for message_id in acked:
                self._in_flight.pop(message_id, None)
            self._next_poll = 0.0
        sent = self._resend_overdue(now)
        if len(self._in_flight) < self.window and (self._wake.is_set() or now >= self._next_poll):
            self._wake.clear()
            self._next_poll = now + POLL_S
            sent += self._fill_window(now)
        mark_sent(self.database, sent)
        if now >= self._next_status:
            self._announce_online(now)

    def _publish(self, message_id: str, item: _InFlight) -> bool:
        info = self.client.publish(item.topic, item.payload, qos=1)
        if info.rc != MQTTErrorCode.MQTT_ERR_SUCCESS:
            _LOGGER.info("publish of %s deferred: %s", message_id, mqtt.error_string(info.rc))
            return False
        self.sent += 1
        return True

    def _resend_overdue(self, now: float) -> list[str]:
        resent = []
        for message_id, item in self._in_flight.items():
            wait = self.resend_after_s * 2.0 ** min(item.sends - 1, 5)
            if now - item.sent_at >= wait and self._publish(message_id, item):
                item.sent_at, item.sends = now, item.sends + 1
                resent.append(message_id)
        return resent

    def _fill_window(self, now: float) -> list[str]:
        rows = unacked(
            self.database,
            self.kiosk_id,
            after_seq=self._cursor,
            limit=self.window - len(self._in_flight),
        )
        sent = []
        for row in rows:
            item = _InFlight(row.kiosk_seq, row.topic, row.payload, now, 1)
            if not self._publish(row.message_id, item):
                break
            self._in_flight[row.message_id] = item
            self._cursor = row.kiosk_seq
            sent.append(row.message_id)
        return sent
