"""Roster sync: the office's residents appear on every kiosk, a kiosk's residents reach the office.

Layout: one retained MQTT message per resident on ``genki/v1/<facility>/roster/<uuid>``
(``genki.roster/1``, sync.payloads). One message per resident rather than one document per
facility because a change then costs one small message (a few hundred bytes; at most about 4 KiB
with long notes) instead of the whole roster, a facility of any size stays far below the 64 KiB
payload limit and the broker's 256 KiB packet limit, and a deactivation is simply a retained
update with ``active: false`` (residents are never deleted, so no topic is ever cleared). A kiosk
that connects later, or again, receives the latest retained message of every resident when it
subscribes. The broker's ACL lets kiosks read their facility's roster topics and only the
office write them (sync/brokers/production.acl).

Who wins: last writer wins by the change's stamp, ``(updated_at, updated_by)`` with the writer's
clock and id (records.resident_stamps), applied by records.residents with an audit event in the
same transaction: ``resident.sync``, ``resident.sync_ignored`` (an earlier change arriving late,
audited once per change) or ``resident.sync_conflict`` (its code belongs to another resident).

Kiosk side (``RosterFollower``, the kiosk's outbox ``Publisher`` extended, so the kiosk keeps
one broker connection: with ``use_username_as_clientid`` a second connection under the kiosk's
username would throw the first off): subscribes to its facility's roster and applies each entry;
every ``CLAIM_EVERY_S`` it announces the residents changed on the kiosk (any process: the kiosk
app, ``genki residents``) as ``genki.result/1`` of kind ``resident`` through the outbox, in the
transaction that stamps them, so they reach the office exactly once like any result.

Office side (``RosterPublisher``, run by sync.ingest.Ingest on its thread and connection):
resident results are applied in the transaction that stores them in the inbox
(``ResidentApplier``), once per message id; the roster is published, retained at QoS 1, in full
on every connection, then each change after its commit: changes received from kiosks at once,
changes made at the office (``genki residents`` against the office database) when the next
``ROSTER_POLL_S`` check finds them unannounced, stamps them ``office`` and publishes them.

Guaranteed: an entry on a kiosk is applied, ignored or refused in a committed transaction, or
the connection is dropped and the retained entry comes again; a malformed entry is refused with
a PayloadError and counted, and never touches the resident table. Not guaranteed: the winner is
the last change by the writers' clocks, not by real time (keep clocks on NTP); two residents
registered with the same code in two places stay apart: staff rename one and save the other
once more, which announces it again (a refused entry is not retried by itself).
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import MQTTErrorCode
from sqlalchemy.orm import Session

from records.database import Database
from records.inbox import IncomingMessage
from records.resident_stamps import OFFICE_WRITER, Stamp, SyncedResident
from records.residents import (
    SyncOutcome,
    apply_synced,
    claim_unannounced,
    synced_roster,
    unannounced_count,
)
from sync.broker import BrokerSettings
from sync.errors import PayloadError, TopicError
from sync.outbox import enqueue_result
from sync.payloads import (
    RESIDENT_KIND,
    ResidentEntry,
    ResultMessage,
    RosterMessage,
    decode,
    resident_entry,
)
from sync.publisher import Publisher
from sync.topics import parse_roster_topic, roster_filter, roster_topic

_LOGGER = logging.getLogger(__name__)
CLAIM_EVERY_S = 0.5  # a kiosk looks for resident changes to announce this often
ROSTER_POLL_S = 1.0  # the office looks for resident changes made at the office this often
APPLIED = (SyncOutcome.ADDED, SyncOutcome.UPDATED)


# --- Pure: entries and messages -----------------------------------------------------------------


def entry_of(resident: SyncedResident) -> ResidentEntry:
    """Return the payload entry of a resident."""
    return ResidentEntry.of(
        resident.uuid,
        resident.fields,
        active=resident.active,
        updated_at=resident.stamp.updated_at,
        updated_by=resident.stamp.updated_by,
    )


def synced_of(entry: ResidentEntry) -> SyncedResident:
    """Return the resident an entry describes (every entry's fields were checked when made)."""
    stamp = Stamp(entry.updated_at, entry.updated_by)
    return SyncedResident(entry.uuid, entry.resident_fields(), entry.active, stamp)


def roster_message(facility_id: str, resident: SyncedResident) -> tuple[str, bytes]:
    """Return the retained topic and payload of one resident of a facility's roster."""
    message = RosterMessage(facility_id=facility_id, resident=entry_of(resident))
    return roster_topic(facility_id, resident.uuid), message.encode()


def parse_roster(topic: str, payload: bytes) -> tuple[str, SyncedResident]:
    """Return (facility id, resident) of a roster message; raise PayloadError saying what is wrong.

    Reasons: ``bad_topic`` (not a roster topic), ``oversized``, ``malformed``, ``unknown_schema``
    (sync.payloads.decode), ``topic_mismatch`` (the payload's facility or uuid is not the
    topic's: the broker's ACL vouches for the topic, not for the payload).
    """
    try:
        facility_id, uuid = parse_roster_topic(topic)
    except TopicError as exc:
        raise PayloadError("bad_topic", str(exc)) from exc
    message = decode(payload, RosterMessage)
    if (message.facility_id, message.resident.uuid) != (facility_id, uuid):
        raise PayloadError(
            "topic_mismatch",
            f"resident {message.resident.uuid} of facility {message.facility_id} on the topic "
            f"of {uuid} of {facility_id}; expected the topic's own ids",
        )
    return facility_id, synced_of(message.resident)


def announced_resident(document: ResultMessage) -> SyncedResident | None:
    """Return the resident a kiosk's ``resident`` result announces (None for other kinds).

    Raise PayloadError: ``malformed`` body, or ``kiosk_mismatch`` when the change is not stamped
    by the sending kiosk (a kiosk announces only its own changes).
    """
    if document.kind != RESIDENT_KIND:
        return None
    entry = resident_entry(document.body)
    if entry.updated_by != document.kiosk_id:
        raise PayloadError(
            "kiosk_mismatch",
            f"kiosk {document.kiosk_id} announced a change written by {entry.updated_by!r}; "
            "expected its own changes only",
        )
    return synced_of(entry)


@dataclass(slots=True)
class RosterCounts:
    """What roster sync has done since the worker started (read from any thread)."""

    outcomes: Counter[str] = field(default_factory=Counter)
    rejected: int = 0  # malformed roster messages, never applied
    announced: int = 0  # kiosk: local changes queued for the office
    published: int = 0  # office: retained roster messages handed to the broker


# --- Kiosk side -----------------------------------------------------------------------------------


class RosterFollower(Publisher):
    """A kiosk's outbox publisher that also follows its facility's roster (see the module doc)."""

    def __init__(
        self,
        database: Database,
        settings: BrokerSettings,
        facility_id: str,
        kiosk_id: str,
        **options: Any,
    ) -> None:
        super().__init__(database, settings, facility_id, kiosk_id, **options)
        self._roster_filter = roster_filter(facility_id)
        self.client.message_callback_add(self._roster_filter, self._on_roster)
        self._arrived: list[tuple[str, bytes]] = []
        self._next_claim = 0.0
        self.roster = RosterCounts()

    def connected(self) -> None:
        """Do what the publisher does, then subscribe to the roster (its retained entries come)."""
        super().connected()
        self.client.subscribe(self._roster_filter, qos=1)

    def _on_roster(self, _client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        self._arrived.append((message.topic, bytes(message.payload)))

    def step(self) -> None:
        """Apply arrived roster entries, announce local changes, then drain the outbox."""
        if self._arrived:
            arrived, self._arrived = self._arrived, []
            self._apply(arrived)
        now = time.monotonic()
        if now >= self._next_claim:
            self._next_claim = now + CLAIM_EVERY_S
            if self._announce():
                self.notify()
        super().step()

    def _apply(self, arrived: list[tuple[str, bytes]]) -> None:
        """Apply valid entries in one transaction; a storage error ends the connection."""
        entries = []
        for topic, payload in arrived:
            try:
                facility_id, resident = parse_roster(topic, payload)
            except PayloadError as exc:
                self.roster.rejected += 1
                _LOGGER.warning("refused a roster message on %s: %s", topic, exc)
                continue
            entries.append((facility_id, resident))
        if not entries:
            return
        with self.database.transaction() as session:
            outcomes = [
                apply_synced(
                    session, facility_id, resident, local_writer=self.kiosk_id, source=OFFICE_WRITER
                )
                for facility_id, resident in entries
            ]
        self.roster.outcomes.update(outcomes)

    def _announce(self) -> int:
        """Queue the residents changed here for the office, stamped in the same transaction."""
        if not unannounced_count(self.database, facility_id=self.facility_id):
            return 0
        with self.database.transaction() as session:
            claimed = claim_unannounced(session, writer=self.kiosk_id, facility_id=self.facility_id)
            for _facility_id, resident in claimed:
                enqueue_result(
                    session,
                    facility_id=self.facility_id,
                    kiosk_id=self.kiosk_id,
                    kind=RESIDENT_KIND,
                    body=entry_of(resident).model_dump(mode="json"),
                )
        self.roster.announced += len(claimed)
        return len(claimed)


# --- Office side ----------------------------------------------------------------------------------


class ResidentApplier:
    """Applies the residents announced in one ingest batch, inside the inbox transaction.

    ``residents`` maps a message id to its sending kiosk and resident; ``store_batch`` calls the
    applier once for each message stored for the first time, so a re-sent or replayed message is
    never applied twice. ``changed`` lists the residents whose stored values changed.
    """

    def __init__(self, residents: Mapping[str, tuple[str, SyncedResident]]) -> None:
        self.residents = residents
        self.outcomes: Counter[str] = Counter()
        self.changed: list[str] = []

    def __call__(self, session: Session, message: IncomingMessage) -> None:
        """Apply the resident of ``message`` if it announces one."""
        announced = self.residents.get(message.message_id)
        if announced is None:
            return
        kiosk_id, resident = announced
        outcome = apply_synced(
            session, message.facility_id, resident, local_writer=OFFICE_WRITER, source=kiosk_id
        )
        self.outcomes[outcome] += 1
        if outcome in APPLIED:
            self.changed.append(resident.uuid)


class RosterPublisher:
    """Publishes the office's residents, retained, on the ingest's connection (module doc)."""

    def __init__(self, database: Database, *, poll_s: float = ROSTER_POLL_S) -> None:
        self.database = database
        self.poll_s = poll_s
        self.counts = RosterCounts()
        self._everything = True
        self._due: set[str] = set()
        self._next_poll = 0.0

    def connected(self) -> None:
        """Publish the whole roster again on the new connection."""
        self._everything = True

    def applied(self, applier: ResidentApplier) -> None:
        """Count a committed batch's outcomes and publish the residents it changed."""
        self.counts.outcomes.update(applier.outcomes)
        self._due.update(applier.changed)

    def step(self, client: mqtt.Client) -> None:
        """Stamp and publish office changes when due; publish what is waiting to be published."""
        now = time.monotonic()
        if now >= self._next_poll:
            self._next_poll = now + self.poll_s
            self._claim()
        if not self._everything and not self._due:
            return
        uuids = None if self._everything else sorted(self._due)
        self._everything, self._due = False, set()
        for facility_id, resident in synced_roster(
            self.database, local_writer=OFFICE_WRITER, uuids=uuids
        ):
            topic, payload = roster_message(facility_id, resident)
            info = client.publish(topic, payload, qos=1, retain=True)
            if info.rc != MQTTErrorCode.MQTT_ERR_SUCCESS:
                _LOGGER.info("roster publication deferred: %s", mqtt.error_string(info.rc))
                self._everything = True  # everything again at the next step or connection
                return
            self.counts.published += 1

    def _claim(self) -> None:
        if not unannounced_count(self.database):
            return
        with self.database.transaction() as session:
            claimed = claim_unannounced(session, writer=OFFICE_WRITER)
        self._due.update(resident.uuid for _facility_id, resident in claimed)
