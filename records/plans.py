"""Individual functional-training plans (drafts) and the audit of staff overrides.

A plan is stored as drafted: programme, level, validity, review date and the whole document
(goals, exercises, reasons, explanation) as JSON. A plan whose programme or level was chosen by a
staff override instead of the rules writes an audit event ``plan.override`` in the same
transaction, with who, why, and what the rules had chosen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from records import models
from records.assessments import resident_row_id, staff_row_id
from records.audit import add_audit_event
from records.database import Database

ENTITY = "plan"


@dataclass(frozen=True, slots=True)
class OverrideRecord:
    """A staff override of the rules' programme and level."""

    staff: str
    reason: str
    rules_programme: str
    rules_level: int


@dataclass(frozen=True, slots=True)
class SavedPlan:
    """A stored plan as read back."""

    uuid: str
    programme: str
    level: int
    valid_from: date
    review_due: date
    status: str
    document: Mapping[str, Any]
    created_at: datetime


def save_plan(  # noqa: PLR0913 - one keyword per stored field
    database: Database,
    *,
    resident_uuid: str,
    programme: str,
    level: int,
    valid_from: date,
    review_due: date,
    document: Mapping[str, Any],
    staff: str,
    override: OverrideRecord | None = None,
) -> str:
    """Store a plan draft (and the audit of its override, if any); return the plan's uuid."""
    with database.transaction() as session:
        resident_id = resident_row_id(session, resident_uuid)
        row = models.Plan(
            resident_id=resident_id, staff_id=staff_row_id(session, resident_id, staff),
            programme_code=programme, level=level, valid_from=valid_from,
            review_due=review_due, status="draft", document=dict(document),
        )  # fmt: skip
        session.add(row)
        session.flush()
        add_audit_event(
            session, actor=staff, action="plan.drafted", entity=ENTITY, entity_id=row.uuid,
            details={"resident": resident_uuid, "programme": programme, "level": level},
        )  # fmt: skip
        if override is not None:
            add_audit_event(
                session, actor=override.staff, action="plan.override", entity=ENTITY,
                entity_id=row.uuid,
                details={"resident": resident_uuid, "reason": override.reason,
                         "rules_programme": override.rules_programme,
                         "rules_level": override.rules_level,
                         "programme": programme, "level": level},
            )  # fmt: skip
        return row.uuid


def plans_of(database: Database, resident_uuid: str) -> list[SavedPlan]:
    """Return the resident's plans, oldest first."""
    with database.read() as session:
        resident_id = resident_row_id(session, resident_uuid)
        rows = session.scalars(
            select(models.Plan)
            .where(models.Plan.resident_id == resident_id)
            .order_by(models.Plan.created_at, models.Plan.id)
        ).all()
        return [
            SavedPlan(row.uuid, row.programme_code, row.level, row.valid_from, row.review_due,
                      row.status, dict(row.document), row.created_at)
            for row in rows
        ]  # fmt: skip
