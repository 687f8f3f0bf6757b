"""Office side: store each kiosk message exactly once, then acknowledge it (RELIABILITY.md, 4).

The ingest keeps a persistent MQTT 5 session (``clean_start`` false with a session expiry), so
messages published while it is down wait at the broker, and uses manual acknowledgements: a
message is PUBACKed only after the database transaction holding it has committed. If the ingest
dies in between, the broker delivers the message again and the database ignores the duplicate
(``message_id`` is unique). After the commit, an application ack (``genki.ack/1``) goes to each
kiosk naming the ids it may close, including duplicates, so a kiosk whose earlier ack was lost
still closes its rows.

Every message is checked before it is stored: the topic must be a genki topic, the payload no
larger than MAX_PAYLOAD_BYTES, valid JSON of a known schema, and its facility and kiosk ids must
be those of its topic (the broker's ACL vouches for the topic, not for the payload). A message
that fails is quarantined with the reason and acknowledged so it is not delivered again; a new
message id reusing a stored kiosk sequence number is quarantined too. Messages are taken in
batches (one commit per batch) so the office keeps up with many kiosks on SQLite.

Residents announced by kiosks (``genki.result/1`` of kind ``resident``) are stored like any
result and applied to the office's residents in the same transaction, once per message id; the
ingest also publishes the facility rosters that kiosks follow (sync.roster.RosterPublisher, on
this connection: with ``use_username_as_clientid`` a second office connection would replace it).
With ``publish_roster=False`` (the other workers of a share group) it only applies residents.

A kiosk's status may carry its backlog (messages it saved that the office has not acknowledged);
the ingest stores it with the kiosk's link, in the batch's transaction, stamped with the status's
``at`` (when the kiosk counted it; the time of receipt if the status has no timezone-aware
``at``). A status without a backlog (a last will, an older kiosk) keeps the backlog stored before.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import paho.mqtt.client as mqtt
from sqlalchemy.exc import SQLAlchemyError

from records.database import Database
from records.errors import StorageError
from records.inbox import (
    CLOSED,
    IncomingMessage,
    KioskStatus,
    Outcome,
    RefusedMessage,
    store_batch,
)
from records.resident_stamps import SyncedResident
from sync.broker import Backoff, BrokerSettings, MqttWorker
from sync.errors import PayloadError, TopicError
from sync.payloads import MAX_ACKED_IDS, AckMessage, ResultMessage, StatusMessage, decode
from sync.roster import ResidentApplier, RosterPublisher, announced_resident
from sync.topics import ACKS, RESULTS, STATUS, every_kiosk, parse_topic, topic

_LOGGER = logging.getLogger(__name__)
SESSION_EXPIRY_S = 14 * 24 * 3600  # the broker keeps an absent office's messages two weeks


def _checked(message_topic: str, payload: bytes) -> ResultMessage | StatusMessage:
    """Return a kiosk's result or status payload; raise PayloadError saying what is wrong."""
    try:
        where = parse_topic(message_topic)
    except TopicError as exc:
        raise PayloadError("bad_topic", str(exc)) from exc
    document: ResultMessage | StatusMessage
    if where.channel == RESULTS:
        document = decode(payload, ResultMessage)
    elif where.channel == STATUS:
        document = decode(payload, StatusMessage)
    else:
        raise PayloadError("unexpected_channel", f"the office does not read {where}")
    if (document.facility_id, document.kiosk_id) != (where.facility_id, where.kiosk_id):
        raise PayloadError(
            "kiosk_mismatch",
            f"payload from {document.facility_id}/{document.kiosk_id} on the topic of "
            f"{where.facility_id}/{where.kiosk_id}; expected the topic's own ids",
        )
    return document


def _status(document: StatusMessage) -> KioskStatus:
    """Return the status to store, its backlog stamped with when the kiosk counted it."""
    if document.backlog is None:
        return KioskStatus(document.facility_id, document.kiosk_id, document.online)
    at = document.at
    counted = at if at is not None and at.utcoffset() is not None else datetime.now(UTC)
    return KioskStatus(
        document.facility_id,
        document.kiosk_id,
        document.online,
        backlog=document.backlog,
        oldest_unacked_at=document.oldest_unacked_at,
        backlog_at=counted,
    )


class _Batch:
    """One batch of received messages, sorted into what to store and what to refuse."""

    def __init__(self) -> None:
        self.results: list[tuple[str, IncomingMessage]] = []
        self.refused: list[RefusedMessage] = []
        self.statuses: list[KioskStatus] = []
        self.residents: dict[str, tuple[str, SyncedResident]] = {}  # by message id

    def add(self, message: mqtt.MQTTMessage) -> None:
        payload = bytes(message.payload)
        try:
            document = _checked(message.topic, payload)
            resident = announced_resident(document) if isinstance(document, ResultMessage) else None
        except PayloadError as exc:
            self.refused.append(RefusedMessage(message.topic, exc.reason, str(exc), payload))
            return
        if isinstance(document, StatusMessage):
            self.statuses.append(_status(document))
            return
        stored = IncomingMessage(
            message_id=document.message_id,
            facility_id=document.facility_id,
            kiosk_id=document.kiosk_id,
            kiosk_seq=document.kiosk_seq,
            schema=document.schema_,
            payload=payload.decode("utf-8"),
        )
        self.results.append((message.topic, stored))
        if resident is not None:
            self.residents[document.message_id] = (document.kiosk_id, resident)


class Ingest(MqttWorker):
    """Receives kiosk messages into the office database (see the module docstring)."""

    def __init__(  # noqa: PLR0913 - the worker's settings, each a keyword
        self,
        database: Database,
        settings: BrokerSettings,
        *,
        client_id: str = "genki-office",
        share_group: str | None = None,
        batch_size: int = 500,
        batch_wait_s: float = 0.02,
        backoff: Backoff | None = None,
        publish_roster: bool = True,
    ) -> None:
        super().__init__(
            settings,
            client_id,
            clean_start=False,
            session_expiry_s=SESSION_EXPIRY_S,
            manual_ack=True,
            backoff=backoff,
        )
        self.client.on_message = self._on_message
        self.database = database
        self.share_group = share_group
        self.batch_size, self.batch_wait_s = batch_size, batch_wait_s
        self._received: list[mqtt.MQTTMessage] = []
        self._first_received = 0.0
        self.stored = self.duplicates = self.quarantined = self.storage_failures = 0
        self.roster = RosterPublisher(database)
        self.publish_roster = publish_roster

    def connected(self) -> None:
        """Subscribe (again) to every kiosk's results and status."""
        self.client.subscribe(
            [
                (every_kiosk(RESULTS, share_group=self.share_group), 1),
                (every_kiosk(STATUS, share_group=self.share_group), 1),
            ]
        )
        self.roster.connected()
        _LOGGER.info("office ingest connected to %s", self.settings.url)

    def disconnected(self, reason: str) -> None:
        """Forget messages not yet stored: the broker delivers them again on reconnect."""
        self._received.clear()
        if reason:
            _LOGGER.warning("office ingest: %s", reason)

    def _on_message(self, _client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        if not self._received:
            self._first_received = time.monotonic()
        self._received.append(message)

    def step(self) -> None:
        """Store a batch when it is full or its first message has waited ``batch_wait_s``."""
        if self._received and (
            len(self._received) >= self.batch_size
            or time.monotonic() - self._first_received >= self.batch_wait_s
        ):
            received, self._received = self._received, []
            self._ingest(received)
        if self.publish_roster:
            self.roster.step(self.client)

    def farewell(self) -> None:
        """Store what has arrived before a requested stop."""
        if self._received:
            received, self._received = self._received, []
            self._ingest(received)

    def _ingest(self, received: list[mqtt.MQTTMessage]) -> None:
        batch = _Batch()
        for message in received:
            batch.add(message)
        applier = ResidentApplier(batch.residents)
        try:
            outcomes = store_batch(
                self.database,
                batch.results,
                batch.refused,
                batch.statuses,
                apply=applier if batch.residents else None,
            )
        except (StorageError, SQLAlchemyError) as exc:
            # Nothing is acknowledged: reconnecting makes the broker deliver the batch again.
            self.storage_failures += 1
            self.last_error = f"cannot store received messages: {exc}"
            _LOGGER.error("office ingest: %s; reconnecting", self.last_error)  # noqa: TRY400
            self.client.disconnect()
            return
        for message in received:
            if message.qos > 0:
                self.client.ack(message.mid, message.qos)
        self.roster.applied(applier)
        self._count(batch, outcomes)
        self._acknowledge(batch, outcomes)

    def _count(self, batch: _Batch, outcomes: list[Outcome]) -> None:
        self.stored += outcomes.count(Outcome.STORED)
        self.duplicates += outcomes.count(Outcome.DUPLICATE)
        self.quarantined += len(batch.refused) + outcomes.count(Outcome.SEQUENCE_REUSED)
        for refused in batch.refused:
            _LOGGER.warning("quarantined a message on %s: %s", refused.topic, refused.detail)

    def _acknowledge(self, batch: _Batch, outcomes: list[Outcome]) -> None:
        """Tell each kiosk which of its messages are committed (stored now or before)."""
        closed: defaultdict[tuple[str, str], list[str]] = defaultdict(list)
        for (_topic, message), outcome in zip(batch.results, outcomes, strict=True):
            if outcome in CLOSED:
                closed[message.facility_id, message.kiosk_id].append(message.message_id)
        for (facility_id, kiosk_id), ids in closed.items():
            for start in range(0, len(ids), MAX_ACKED_IDS):
                ack = AckMessage(
                    facility_id=facility_id,
                    kiosk_id=kiosk_id,
                    message_ids=tuple(ids[start : start + MAX_ACKED_IDS]),
                )
                self.client.publish(topic(facility_id, kiosk_id, ACKS), ack.encode(), qos=1)
