"""Announcing a kiosk record to the office: the outbox row written in the record's transaction.

``enqueue_result`` is called inside the transaction that saves a result, so the result and its
message are committed together or not at all (RELIABILITY.md, design point 1). The payload is
built once, with the ``message_id`` and ``kiosk_seq`` the row receives, and checked against the
size the office accepts: a record that could never be delivered is refused before it is saved.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from records.outbox import OutboxMessage, enqueue, ensure_kiosk
from sync.errors import PayloadError
from sync.payloads import MAX_PAYLOAD_BYTES, RESULT_SCHEMA, ResultMessage
from sync.topics import RESULTS, topic


def enqueue_result(
    session: Session, *, facility_id: str, kiosk_id: str, kind: str, body: dict[str, Any]
) -> OutboxMessage:
    """Add a ``genki.result/1`` message for ``body`` to the caller's transaction."""
    ensure_kiosk(session, facility_id, kiosk_id)

    def build(message_id: str, kiosk_seq: int) -> str:
        payload = ResultMessage(
            message_id=message_id,
            kiosk_seq=kiosk_seq,
            facility_id=facility_id,
            kiosk_id=kiosk_id,
            created_at=datetime.now(UTC),
            kind=kind,
            body=body,
        ).encode()
        if len(payload) > MAX_PAYLOAD_BYTES:
            raise PayloadError(
                "oversized",
                f"a {kind} of {len(payload)} bytes; the office accepts at most "
                f"{MAX_PAYLOAD_BYTES} bytes per message",
            )
        return payload.decode("utf-8")

    return enqueue(
        session,
        kiosk_id=kiosk_id,
        topic=topic(facility_id, kiosk_id, RESULTS),
        schema=RESULT_SCHEMA,
        build=build,
    )
