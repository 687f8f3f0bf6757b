"""Audit events: who changed what and when, written in the same transaction as the change."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from records.database import Database
from records.models import AuditEvent


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One audit event as read back."""

    occurred_at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    details: Mapping[str, Any]


def add_audit_event(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    details: Mapping[str, Any],
) -> None:
    """Add an audit event to the caller's transaction."""
    session.add(
        AuditEvent(
            actor=actor, action=action, entity=entity, entity_id=entity_id, details=dict(details)
        )
    )


def audit_trail(database: Database, entity: str, entity_id: str) -> list[AuditRecord]:
    """Return the audit events of one entity, oldest first."""
    query = (
        select(AuditEvent)
        .where(AuditEvent.entity == entity, AuditEvent.entity_id == entity_id)
        .order_by(AuditEvent.id)
    )
    with database.read() as session:
        return [
            AuditRecord(e.occurred_at, e.actor, e.action, e.entity, e.entity_id, e.details)
            for e in session.scalars(query)
        ]
