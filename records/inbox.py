"""The office inbox: each kiosk message stored exactly once, refused messages quarantined.

``store_batch`` writes a batch in one transaction with ``INSERT … ON CONFLICT DO NOTHING``: a
``message_id`` already stored is a duplicate (a re-send, a broker redelivery, a replay) and is
acknowledged again without a second row; a new ``message_id`` reusing a stored kiosk sequence
number is forged or corrupt and goes to the quarantine. Refused messages (malformed, oversized,
unauthorized) are quarantined with their reason in the same transaction. The caller sends MQTT
and application acknowledgements only after this returns (RELIABILITY.md, design point 4).

A caller that acts on a message's content (the office applies residents announced by kiosks)
passes ``apply``: it is called in the same transaction for each message stored for the first
time, never for a duplicate, so the action happens exactly once per message id and is committed
together with the message, or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import cast

from sqlalchemy import Insert, Table, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from records.database import Database
from records.errors import DatabaseUnavailableError
from records.links import note_ack, note_backlog, note_message, note_status
from records.models import Inbox, Quarantine

PAYLOAD_HEAD_BYTES = 4096  # what the quarantine keeps of a refused payload


class Outcome(StrEnum):
    """What became of one incoming message."""

    STORED = "stored"
    DUPLICATE = "duplicate"
    SEQUENCE_REUSED = "sequence_reused"


CLOSED = frozenset({Outcome.STORED, Outcome.DUPLICATE})  # committed: the office acknowledges them


@dataclass(frozen=True, slots=True)
class IncomingMessage:
    """A checked kiosk message: identity, origin, order, schema and the payload text."""

    message_id: str
    facility_id: str
    kiosk_id: str
    kiosk_seq: int
    schema: str
    payload: str


@dataclass(frozen=True, slots=True)
class RefusedMessage:
    """A message that failed a check, with the reason code and a sentence saying why."""

    topic: str
    reason: str
    detail: str
    payload: bytes


@dataclass(frozen=True, slots=True)
class QuarantinedMessage:
    """A quarantined message as read back."""

    received_at: datetime
    topic: str
    reason: str
    detail: str
    payload_size: int


@dataclass(frozen=True, slots=True)
class SequenceGap:
    """Sequence numbers of one kiosk that the office has not received: ``first``–``last``."""

    facility_id: str
    kiosk_id: str
    first: int
    last: int

    @property
    def missing(self) -> int:
        """How many sequence numbers are missing in this gap."""
        return self.last - self.first + 1


@dataclass(frozen=True, slots=True)
class InboxStatus:
    """Office totals: rows stored, distinct message ids among them, quarantined messages."""

    stored: int
    distinct_messages: int
    quarantined: int


def _insert(session: Session) -> Insert:
    """Return ``INSERT INTO inbox … ON CONFLICT DO NOTHING RETURNING message_id``."""
    dialect = session.get_bind().dialect.name
    table = cast("Table", Inbox.__table__)
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing().returning(table.c.message_id)
    if dialect == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing().returning(table.c.message_id)
    raise DatabaseUnavailableError(f"the inbox needs SQLite or PostgreSQL, not {dialect}")


def _quarantine(session: Session, refused: RefusedMessage) -> None:
    session.add(
        Quarantine(
            topic=refused.topic[:500],
            reason=refused.reason,
            detail=refused.detail,
            payload_size=len(refused.payload),
            payload_head=refused.payload[:PAYLOAD_HEAD_BYTES],
        )
    )


def _store(session: Session, messages: Sequence[tuple[str, IncomingMessage]]) -> list[Outcome]:
    """Insert the messages in one statement; classify each one that was not inserted."""
    if not messages:
        return []
    rows = [
        {
            "message_id": m.message_id,
            "facility_id": m.facility_id,
            "kiosk_id": m.kiosk_id,
            "kiosk_seq": m.kiosk_seq,
            "schema": m.schema,
            "payload": m.payload,
        }
        for _, m in messages
    ]
    inserted = set(session.scalars(_insert(session), rows))
    ids = {m.message_id for _, m in messages}
    known = set(session.scalars(select(Inbox.message_id).where(Inbox.message_id.in_(ids))))
    outcomes = []
    for topic, message in messages:
        if message.message_id in inserted:
            inserted.discard(message.message_id)  # a second copy in the batch is a duplicate
            outcomes.append(Outcome.STORED)
        elif message.message_id in known:
            outcomes.append(Outcome.DUPLICATE)
        else:
            detail = (
                f"kiosk {message.kiosk_id} sequence {message.kiosk_seq} is already stored under "
                f"another message id; message {message.message_id} is not stored"
            )
            _quarantine(session, RefusedMessage(topic, Outcome.SEQUENCE_REUSED, detail, b""))
            outcomes.append(Outcome.SEQUENCE_REUSED)
    return outcomes


@dataclass(frozen=True, slots=True)
class KioskStatus:
    """A kiosk's announced link status (birth or last will), with its backlog when it told it.

    ``backlog_at`` (timezone-aware) is when the kiosk counted the backlog; it is set whenever
    ``backlog`` is. A status without a backlog leaves the stored backlog as it was.
    """

    facility_id: str
    kiosk_id: str
    online: bool
    backlog: int | None = None
    oldest_unacked_at: datetime | None = None
    backlog_at: datetime | None = None


def store_batch(
    database: Database,
    messages: Sequence[tuple[str, IncomingMessage]],
    refused: Sequence[RefusedMessage] = (),
    statuses: Sequence[KioskStatus] = (),
    *,
    apply: Callable[[Session, IncomingMessage], None] | None = None,
) -> list[Outcome]:
    """Store ``(topic, message)`` pairs, quarantine ``refused``, note statuses: one transaction.

    ``apply(session, message)`` runs for each newly stored message, in the same transaction. The
    caller acknowledges the messages whose outcome is CLOSED as soon as this returns; the link of
    each of their kiosks notes that acknowledgement's time (``last_ack_at``) here.
    """
    with database.transaction() as session:
        outcomes = _store(session, messages)
        if apply is not None:
            for (_topic, message), outcome in zip(messages, outcomes, strict=True):
                if outcome is Outcome.STORED:
                    apply(session, message)
        for item in refused:
            _quarantine(session, item)
        for facility_id, kiosk_id in {(m.facility_id, m.kiosk_id) for _, m in messages}:
            note_message(session, facility_id, kiosk_id)
        closing = zip(messages, outcomes, strict=True)
        for facility_id, kiosk_id in {(m.facility_id, m.kiosk_id) for (_, m), o in closing
                                      if o in CLOSED}:  # fmt: skip
            note_ack(session, facility_id, kiosk_id)
        for status in statuses:
            note_status(session, status.facility_id, status.kiosk_id, online=status.online)
            if status.backlog is not None and status.backlog_at is not None:
                note_backlog(
                    session, status.facility_id, status.kiosk_id, backlog=status.backlog,
                    oldest_unacked_at=status.oldest_unacked_at, at=status.backlog_at,
                )  # fmt: skip
    return outcomes


def sequence_gaps(database: Database) -> list[SequenceGap]:
    """Return every run of sequence numbers missing below each kiosk's highest stored one."""
    previous = (
        func.lag(Inbox.kiosk_seq, 1, 0)
        .over(partition_by=(Inbox.facility_id, Inbox.kiosk_id), order_by=Inbox.kiosk_seq)
        .label("previous")
    )
    ordered = select(Inbox.facility_id, Inbox.kiosk_id, Inbox.kiosk_seq, previous).subquery()
    query = (
        select(ordered)
        .where(ordered.c.kiosk_seq - ordered.c.previous > 1)
        .order_by(ordered.c.facility_id, ordered.c.kiosk_id, ordered.c.kiosk_seq)
    )
    with database.read() as session:
        return [
            SequenceGap(row.facility_id, row.kiosk_id, row.previous + 1, row.kiosk_seq - 1)
            for row in session.execute(query)
        ]


def inbox_status(database: Database) -> InboxStatus:
    """Return the office totals."""
    with database.read() as session:
        stored, distinct = session.execute(
            select(func.count(), func.count(func.distinct(Inbox.message_id)))
        ).one()
        quarantined = session.scalar(select(func.count()).select_from(Quarantine))
    return InboxStatus(int(stored), int(distinct), int(quarantined or 0))


def quarantined(database: Database, *, limit: int = 100) -> list[QuarantinedMessage]:
    """Return the most recent quarantined messages, newest first."""
    query = select(Quarantine).order_by(Quarantine.id.desc()).limit(limit)
    with database.read() as session:
        return [
            QuarantinedMessage(q.received_at, q.topic, q.reason, q.detail, q.payload_size)
            for q in session.scalars(query)
        ]
