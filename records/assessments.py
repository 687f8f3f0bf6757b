"""Assessments (scored battery runs) and exercise sessions of a resident, saved and read back.

``save_assessment`` stores a battery's scored summary (``genki battery score --json`` output);
``save_exercise_session`` stores one exercise session with the dose done per exercise, the day's
vital-sign decision, effort (RPE) and pain. Both add to the caller's transaction, so the caller
adds the outbox message in the same one. Readers return frozen dataclasses, oldest first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from records import models
from records.database import Database
from records.errors import NotFoundError


@dataclass(frozen=True, slots=True)
class SavedAssessment:
    """A scored battery run as read back."""

    uuid: str
    battery: str
    performed_at: datetime
    summary: Mapping[str, Any]
    staff: str | None


@dataclass(frozen=True, slots=True)
class ExerciseDone:
    """One exercise of a session: the dose done."""

    exercise: str
    level: int
    sets_done: int
    repetitions_done: int = 0
    hold_s: float | None = None
    completed: bool = False
    notes: str = ""


@dataclass(frozen=True, slots=True)
class ExerciseSession:
    """An exercise session as read back: when, who, vitals, the exercises, effort and pain."""

    uuid: str
    programme: str
    level: int
    started_at: datetime
    ended_at: datetime | None
    staff: str | None
    vitals: str | None
    rpe: int | None
    pain: bool
    notes: str
    exercises: tuple[ExerciseDone, ...]

    @property
    def completed(self) -> bool:
        """Whether every exercise of the session was done in full."""
        return bool(self.exercises) and all(item.completed for item in self.exercises)


def resident_row_id(session: Session, resident_uuid: str) -> int:
    """Return the row id of the resident ``resident_uuid``; NotFoundError if there is none."""
    found = session.scalar(select(models.Resident.id).where(models.Resident.uuid == resident_uuid))
    if found is None:
        raise NotFoundError(f"no resident {resident_uuid}")
    return found


def staff_row_id(session: Session, resident_id: int, staff_code: str | None) -> int | None:
    """Return the id of staff member ``staff_code`` of the resident's facility, added if new."""
    if staff_code is None:
        return None
    facility = session.scalar(
        select(models.Resident.facility_id).where(models.Resident.id == resident_id)
    )
    query = select(models.Staff).where(
        models.Staff.facility_id == facility, models.Staff.code == staff_code
    )
    staff = session.scalar(query)
    if staff is None:
        staff = models.Staff(facility_id=facility, code=staff_code, name=staff_code, role="trainer")
        session.add(staff)
        session.flush()
    return staff.id


def save_assessment(
    session: Session,
    *,
    resident_uuid: str,
    battery: str,
    summary: Mapping[str, Any],
    performed_at: datetime,
    staff: str | None = None,
) -> str:
    """Add a scored battery run to the caller's transaction; return its uuid."""
    resident_id = resident_row_id(session, resident_uuid)
    row = models.Assessment(
        resident_id=resident_id,
        staff_id=staff_row_id(session, resident_id, staff),
        battery=battery,
        performed_at=performed_at,
        summary=dict(summary),
        algorithm_version=str(summary.get("algorithm_version", "")),
    )
    session.add(row)
    session.flush()
    return row.uuid


def _staff_code(session: Session, staff_id: int | None) -> str | None:
    if staff_id is None:
        return None
    return session.scalar(select(models.Staff.code).where(models.Staff.id == staff_id))


def assessments_of(database: Database, resident_uuid: str) -> list[SavedAssessment]:
    """Return the resident's assessments, oldest first."""
    with database.read() as session:
        resident_id = resident_row_id(session, resident_uuid)
        rows = session.scalars(
            select(models.Assessment)
            .where(models.Assessment.resident_id == resident_id)
            .order_by(models.Assessment.performed_at, models.Assessment.id)
        ).all()
        return [
            SavedAssessment(row.uuid, row.battery, row.performed_at, dict(row.summary),
                            _staff_code(session, row.staff_id))
            for row in rows
        ]  # fmt: skip


def save_exercise_session(  # noqa: PLR0913 - one keyword per stored field
    session: Session,
    *,
    resident_uuid: str,
    programme: str,
    level: int,
    started_at: datetime,
    ended_at: datetime,
    staff: str | None,
    vitals: str | None,
    rpe: int | None,
    pain: bool,
    exercises: Sequence[ExerciseDone],
    notes: str = "",
    readings: Mapping[str, float | None] | None = None,
) -> str:
    """Add an exercise session and its exercises to the caller's transaction; return its uuid.

    ``vitals`` is the screening decision; ``readings`` the measured values it was made from
    (``systolic_mmhg``, ``diastolic_mmhg``, ``pulse_bpm``, ``spo2_pct``, ``temperature_c``).
    """
    resident_id = resident_row_id(session, resident_uuid)
    visit = models.Session(
        resident_id=resident_id, staff_id=staff_row_id(session, resident_id, staff),
        kind="exercise", started_at=started_at, ended_at=ended_at, programme_code=programme,
        level=level, rpe=rpe, pain=pain, notes=notes,
    )  # fmt: skip
    session.add(visit)
    session.flush()
    if vitals is not None:
        session.add(
            models.Vitals(resident_id=resident_id, session_id=visit.id, measured_at=started_at,
                          source="session", decision=vitals, **dict(readings or {}))
        )  # fmt: skip
    for item in exercises:
        session.add(
            models.ExerciseLog(
                resident_id=resident_id, session_id=visit.id, exercise_code=item.exercise,
                level=item.level, sets_done=item.sets_done,
                repetitions_done=item.repetitions_done, hold_s=item.hold_s,
                completed=item.completed, rpe=rpe, pain=int(pain), notes=item.notes,
                logged_at=ended_at,
            )
        )  # fmt: skip
    return visit.uuid


def exercise_sessions_of(database: Database, resident_uuid: str) -> list[ExerciseSession]:
    """Return the resident's exercise sessions with their exercises, oldest first."""
    with database.read() as session:
        resident_id = resident_row_id(session, resident_uuid)
        visits = session.scalars(
            select(models.Session)
            .where(models.Session.resident_id == resident_id, models.Session.kind == "exercise")
            .order_by(models.Session.started_at, models.Session.id)
        ).all()
        found = []
        for visit in visits:
            logs = session.scalars(
                select(models.ExerciseLog)
                .where(models.ExerciseLog.session_id == visit.id)
                .order_by(models.ExerciseLog.id)
            ).all()
            vitals = session.scalar(
                select(models.Vitals.decision).where(models.Vitals.session_id == visit.id)
            )
            found.append(
                ExerciseSession(
                    uuid=visit.uuid, programme=visit.programme_code or "", level=visit.level or 0,
                    started_at=visit.started_at, ended_at=visit.ended_at,
                    staff=_staff_code(session, visit.staff_id), vitals=vitals, rpe=visit.rpe,
                    pain=bool(visit.pain), notes=visit.notes,
                    exercises=tuple(
                        ExerciseDone(log.exercise_code, log.level, log.sets_done,
                                     log.repetitions_done, log.hold_s, log.completed, log.notes)
                        for log in logs
                    ),
                )
            )  # fmt: skip
        return found
