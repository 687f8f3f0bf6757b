"""The kiosk outbox: messages waiting for the office's end-to-end acknowledgement.

A row is added in the same transaction as the record it announces (``enqueue``), with a
``message_id`` and a per-kiosk ``kiosk_seq`` fixed at insert and never changed; its payload is
built once from them, so every re-send carries the same bytes. Rows are never deleted, so the
sequence never restarts. A row is closed only by ``mark_acked`` when the office says it has
committed the message (RELIABILITY.md, design points 1, 2 and 5).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from records.database import Database
from records.links import note_ack
from records.models import Facility, Kiosk, Outbox, new_uuid, utc_now

SEQUENCE_KEY = "genki.outbox.sequence"  # per transaction: the last number taken per kiosk
KIOSKS_KEY = "genki.outbox.kiosks"  # per transaction: kiosks known to be stored


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """One message as it is sent: identity, order, where to and the exact payload."""

    message_id: str
    kiosk_seq: int
    topic: str
    schema: str
    payload: str


@dataclass(frozen=True, slots=True)
class OutboxStatus:
    """A kiosk's backlog: unacknowledged rows, the oldest of them, and the last acknowledgement."""

    backlog: int
    acknowledged: int
    oldest_unacked_at: datetime | None
    last_acked_at: datetime | None
    last_seq: int


def ensure_kiosk(session: Session, facility_id: str, kiosk_id: str) -> None:
    """Add this kiosk (and its facility) to the caller's transaction if they are not stored."""
    checked: set[str] = session.info.setdefault(KIOSKS_KEY, set())
    if kiosk_id in checked:
        return
    if session.get(Facility, facility_id) is None:
        session.add(Facility(id=facility_id))
        session.flush()
    if session.get(Kiosk, kiosk_id) is None:
        session.add(Kiosk(id=kiosk_id, facility_id=facility_id))
        session.flush()
    checked.add(kiosk_id)


def enqueue(
    session: Session,
    *,
    kiosk_id: str,
    topic: str,
    schema: str,
    build: Callable[[str, int], str],
) -> OutboxMessage:
    """Add a message to the transaction; ``build(message_id, kiosk_seq)`` returns its payload.

    The kiosk must be stored (``ensure_kiosk``). The transaction holds the write lock
    (``BEGIN IMMEDIATE`` on SQLite), so the next sequence number cannot be taken twice; the
    numbers taken are remembered in the session, so many messages in one transaction cost one
    query.
    """
    taken: dict[str, int] = session.info.setdefault(SEQUENCE_KEY, {})
    if kiosk_id not in taken:
        last = session.scalar(select(func.max(Outbox.kiosk_seq)).where(Outbox.kiosk_id == kiosk_id))
        taken[kiosk_id] = last or 0
    taken[kiosk_id] += 1
    message_id, kiosk_seq = new_uuid(), taken[kiosk_id]
    payload = build(message_id, kiosk_seq)
    session.add(
        Outbox(
            message_id=message_id,
            kiosk_id=kiosk_id,
            kiosk_seq=kiosk_seq,
            topic=topic,
            schema=schema,
            payload=payload,
        )
    )
    return OutboxMessage(message_id, kiosk_seq, topic, schema, payload)


def unacked(
    database: Database, kiosk_id: str, *, after_seq: int, limit: int
) -> list[OutboxMessage]:
    """Return up to ``limit`` unacknowledged messages above sequence ``after_seq``, in order."""
    query = (
        select(Outbox)
        .where(Outbox.kiosk_id == kiosk_id, Outbox.acked_at.is_(None), Outbox.kiosk_seq > after_seq)
        .order_by(Outbox.kiosk_seq)
        .limit(limit)
    )
    with database.read() as session:
        return [
            OutboxMessage(row.message_id, row.kiosk_seq, row.topic, row.schema, row.payload)
            for row in session.scalars(query)
        ]


def mark_sent(database: Database, message_ids: Collection[str]) -> None:
    """Note that these messages were handed to the broker (time and count, for diagnostics)."""
    if not message_ids:
        return
    with database.transaction() as session:
        session.execute(
            update(Outbox)
            .where(Outbox.message_id.in_(message_ids))
            .values(last_sent_at=utc_now(), send_count=Outbox.send_count + 1)
        )


def mark_acked(
    database: Database, facility_id: str, kiosk_id: str, message_ids: Collection[str]
) -> int:
    """Close this kiosk's rows the office acknowledged; return how many were open until now."""
    if not message_ids:
        return 0
    with database.transaction() as session:
        note_ack(session, facility_id, kiosk_id)
        result = session.execute(
            update(Outbox)
            .where(
                Outbox.kiosk_id == kiosk_id,
                Outbox.message_id.in_(message_ids),
                Outbox.acked_at.is_(None),
            )
            .values(acked_at=utc_now())
        )
        return int(result.rowcount)  # type: ignore[attr-defined]


def outbox_status(database: Database, kiosk_id: str) -> OutboxStatus:
    """Return this kiosk's backlog and acknowledgement figures."""
    mine = Outbox.kiosk_id == kiosk_id
    with database.read() as session:
        open_rows = (mine, Outbox.acked_at.is_(None))
        closed_rows = (mine, Outbox.acked_at.is_not(None))
        backlog, oldest = session.execute(
            select(func.count(), func.min(Outbox.created_at)).where(*open_rows)
        ).one()
        acknowledged, last_ack = session.execute(
            select(func.count(), func.max(Outbox.acked_at)).where(*closed_rows)
        ).one()
        last_seq = session.scalar(select(func.max(Outbox.kiosk_seq)).where(mine))
    return OutboxStatus(
        backlog=int(backlog),
        acknowledged=int(acknowledged),
        oldest_unacked_at=oldest,
        last_acked_at=last_ack,
        last_seq=int(last_seq or 0),
    )
