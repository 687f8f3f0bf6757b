"""Kiosk link state: is the link to the broker up, and when was the other side last heard from.

On a kiosk the publisher writes its own state (connected, the last error, the last office
acknowledgement) so ``genki sync status`` can show it from another process. On the office the
ingest writes each kiosk's retained online/offline status, the backlog the kiosk last reported in
it, and when its last message arrived.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from records.database import Database
from records.models import KioskLink, utc_now


@dataclass(frozen=True, slots=True)
class LinkState:
    """One kiosk's link as last recorded."""

    facility_id: str
    kiosk_id: str
    online: bool
    changed_at: datetime
    last_error: str
    last_message_at: datetime | None
    last_ack_at: datetime | None
    backlog: int | None  # unacknowledged messages the kiosk last reported (None: never)
    oldest_unacked_at: datetime | None  # when the oldest of them was saved (None: none or never)
    backlog_at: datetime | None  # when the kiosk counted that backlog (None: never)


def _row(session: Session, facility_id: str, kiosk_id: str) -> KioskLink:
    row = session.get(KioskLink, (facility_id, kiosk_id))
    if row is None:
        row = KioskLink(facility_id=facility_id, kiosk_id=kiosk_id, online=False, last_error="")
        session.add(row)
    return row


def note_status(
    session: Session, facility_id: str, kiosk_id: str, *, online: bool, error: str = ""
) -> None:
    """Record, in the caller's transaction, that the link went up or down (and why it went down)."""
    row = _row(session, facility_id, kiosk_id)
    row.online, row.changed_at, row.last_error = online, utc_now(), error


def set_online(
    database: Database, facility_id: str, kiosk_id: str, *, online: bool, error: str = ""
) -> None:
    """Record that the link went up or down (with the reason when it went down)."""
    with database.transaction() as session:
        note_status(session, facility_id, kiosk_id, online=online, error=error)


def note_backlog(
    session: Session,
    facility_id: str,
    kiosk_id: str,
    *,
    backlog: int,
    oldest_unacked_at: datetime | None,
    at: datetime,
) -> None:
    """Record, in the caller's transaction, the backlog a kiosk reported as counted at ``at``.

    The reported figures replace the stored ones together; ``at`` must be timezone-aware.
    """
    row = _row(session, facility_id, kiosk_id)
    row.backlog, row.oldest_unacked_at, row.backlog_at = backlog, oldest_unacked_at, at


def note_message(session: Session, facility_id: str, kiosk_id: str) -> None:
    """Record, in the caller's transaction, that a message from this kiosk arrived now."""
    _row(session, facility_id, kiosk_id).last_message_at = utc_now()


def note_ack(session: Session, facility_id: str, kiosk_id: str) -> None:
    """Record, in the caller's transaction, that the office acknowledged messages now."""
    _row(session, facility_id, kiosk_id).last_ack_at = utc_now()


def link_states(database: Database) -> list[LinkState]:
    """Return every recorded kiosk link, by facility and kiosk."""
    query = select(KioskLink).order_by(KioskLink.facility_id, KioskLink.kiosk_id)
    with database.read() as session:
        return [
            LinkState(
                row.facility_id, row.kiosk_id, row.online, row.changed_at, row.last_error,
                row.last_message_at, row.last_ack_at, row.backlog, row.oldest_unacked_at,
                row.backlog_at,
            )
            for row in session.scalars(query)
        ]  # fmt: skip
