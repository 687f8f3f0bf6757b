"""SQLAlchemy 2 typed table models. Internal to records/: repositories return dataclasses instead.

Timestamps are timezone-aware UTC (``UtcDateTime``); free-form measurement content (metrics,
quality flags, calibration parameters, payloads) is JSON so later algorithms can add fields without
a migration, while everything that is queried or joined on is a real column.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """A datetime stored as naive UTC and always returned timezone-aware; naive input is refused."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(
        self,
        value: datetime | None,
        dialect: Dialect,  # noqa: ARG002 - part of the TypeDecorator interface
    ) -> datetime | None:
        """Convert an aware datetime to naive UTC for storage."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value.isoformat()} given; expected timezone-aware")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(
        self,
        value: datetime | None,
        dialect: Dialect,  # noqa: ARG002 - part of the TypeDecorator interface
    ) -> datetime | None:
        """Attach UTC to a stored naive datetime."""
        return None if value is None else value.replace(tzinfo=UTC)


def utc_now() -> datetime:
    """Return the current time, timezone-aware UTC."""
    return datetime.now(UTC)


def new_uuid() -> str:
    """Return a new random UUID as text (stable identity across kiosks and the office)."""
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    """Declarative base with a naming convention so migrations name constraints predictably."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UtcDateTime,
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class Facility(Base):
    """A care facility (day service, nursing home)."""

    __tablename__ = "facility"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class Kiosk(Base):
    """An exercise-room station of a facility."""

    __tablename__ = "kiosk"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    facility_id: Mapped[str] = mapped_column(ForeignKey("facility.id"))
    name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class Resident(Base):
    """A resident (利用者); ``code`` is unique within the facility, ``uuid`` across databases."""

    __tablename__ = "resident"
    __table_args__ = (UniqueConstraint("facility_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    facility_id: Mapped[str] = mapped_column(ForeignKey("facility.id"))
    code: Mapped[str] = mapped_column(String(32))
    family_name: Mapped[str] = mapped_column(String(50))
    given_name: Mapped[str] = mapped_column(String(50))
    family_kana: Mapped[str] = mapped_column(String(50))
    given_kana: Mapped[str] = mapped_column(String(50))
    sex: Mapped[str] = mapped_column(String(8))
    birth_date: Mapped[date] = mapped_column(Date)
    care_level: Mapped[str] = mapped_column(String(20))
    certified_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)
    # The writer of the latest change ("office" or a kiosk id); None: changed in this database and
    # not yet announced to the others (the sync stamps it, see records.residents).
    updated_by: Mapped[str | None] = mapped_column(String(64))


class Staff(Base):
    """A staff member (trainer, office); the PIN hash is optional."""

    __tablename__ = "staff"
    __table_args__ = (UniqueConstraint("facility_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    facility_id: Mapped[str] = mapped_column(ForeignKey("facility.id"))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    pin_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class Device(Base):
    """A sensor known by its serial number (force plate, dynamometer, vital-sign monitor)."""

    __tablename__ = "device"
    id: Mapped[int] = mapped_column(primary_key=True)
    serial_number: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    model: Mapped[str] = mapped_column(String(100), default="")
    url: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class DeviceCalibration(Base):
    """A device calibration (per-channel slope and offset, tare, plate geometry); latest wins."""

    __tablename__ = "device_calibration"
    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("device.id"), index=True)
    calibrated_at: Mapped[datetime] = mapped_column(default=utc_now)
    parameters: Mapped[dict[str, Any]]
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))


class Session(Base):
    """A resident's visit to the exercise room: an exercise session or an assessment session."""

    __tablename__ = "session"
    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    kiosk_id: Mapped[str | None] = mapped_column(ForeignKey("kiosk.id"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    kind: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[datetime] = mapped_column(default=utc_now)
    ended_at: Mapped[datetime | None]
    programme_code: Mapped[str | None] = mapped_column(String(60))
    level: Mapped[int | None] = mapped_column(Integer)
    rpe: Mapped[int | None] = mapped_column(Integer)
    pain: Mapped[bool | None] = mapped_column(Boolean)
    notes: Mapped[str] = mapped_column(Text, default="", server_default="")


class Vitals(Base):
    """A pre-exercise vital-sign check and its screening decision."""

    __tablename__ = "vitals"
    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("session.id"))
    measured_at: Mapped[datetime] = mapped_column(default=utc_now)
    systolic_mmhg: Mapped[float | None] = mapped_column(Float)
    diastolic_mmhg: Mapped[float | None] = mapped_column(Float)
    pulse_bpm: Mapped[float | None] = mapped_column(Float)
    spo2_pct: Mapped[float | None] = mapped_column(Float)
    temperature_c: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(20))
    device_id: Mapped[int | None] = mapped_column(ForeignKey("device.id"))
    decision: Mapped[str | None] = mapped_column(String(20))
    reasons: Mapped[list[Any]] = mapped_column(default=list)


class Recording(Base):
    """A raw signal recording: compressed numpy arrays, addressed and verified by their SHA-256."""

    __tablename__ = "recording"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    rate_hz: Mapped[float] = mapped_column(Float)
    channels: Mapped[list[Any]]
    n_samples: Mapped[int] = mapped_column(Integer)
    size_bytes: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class Assessment(Base):
    """A battery run (SPPB, AWGS 2019, MEXT, fall-risk, stabilometry) and its scored summary."""

    __tablename__ = "assessment"
    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("session.id"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    battery: Mapped[str] = mapped_column(String(40))
    performed_at: Mapped[datetime] = mapped_column(default=utc_now)
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)
    algorithm_version: Mapped[str] = mapped_column(String(40))


class Trial(Base):
    """One measured trial: metrics, quality flags, the raw recording and the algorithm version."""

    __tablename__ = "trial"
    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("session.id"))
    assessment_id: Mapped[int | None] = mapped_column(ForeignKey("assessment.id"), index=True)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("device.id"))
    test: Mapped[str] = mapped_column(String(40))
    trial_index: Mapped[int] = mapped_column(Integer, default=1)
    started_at: Mapped[datetime] = mapped_column(default=utc_now)
    duration_s: Mapped[float | None] = mapped_column(Float)
    metrics: Mapped[dict[str, Any]] = mapped_column(default=dict)
    quality_flags: Mapped[list[Any]] = mapped_column(default=list)
    recording_sha256: Mapped[str | None] = mapped_column(ForeignKey("recording.sha256"))
    algorithm_version: Mapped[str] = mapped_column(String(40))


class ExerciseLog(Base):
    """One exercise done in a session: dose achieved, effort (RPE) and pain."""

    __tablename__ = "exercise_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("session.id"))
    exercise_code: Mapped[str] = mapped_column(String(60))
    level: Mapped[int] = mapped_column(Integer)
    sets_done: Mapped[int] = mapped_column(Integer, default=0)
    repetitions_done: Mapped[int] = mapped_column(Integer, default=0)
    hold_s: Mapped[float | None] = mapped_column(Float)
    completed: Mapped[bool] = mapped_column(Boolean, default=False)
    rpe: Mapped[int | None] = mapped_column(Integer)
    pain: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str] = mapped_column(Text, default="")
    logged_at: Mapped[datetime] = mapped_column(default=utc_now)


class Plan(Base):
    """An individual functional-training plan (programme, level, goals, review date)."""

    __tablename__ = "plan"
    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    programme_code: Mapped[str] = mapped_column(String(60))
    level: Mapped[int] = mapped_column(Integer)
    valid_from: Mapped[date] = mapped_column(Date)
    review_due: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    document: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class Outbox(Base):
    """A message waiting for the office's acknowledgement; ``message_id`` never changes."""

    __tablename__ = "outbox"
    __table_args__ = (UniqueConstraint("kiosk_id", "kiosk_seq"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    kiosk_id: Mapped[str] = mapped_column(ForeignKey("kiosk.id"))
    kiosk_seq: Mapped[int] = mapped_column(Integer)
    topic: Mapped[str] = mapped_column(String(200))
    schema: Mapped[str] = mapped_column(String(60))
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    last_sent_at: Mapped[datetime | None]
    send_count: Mapped[int] = mapped_column(Integer, default=0)
    acked_at: Mapped[datetime | None] = mapped_column(index=True)


class Inbox(Base):
    """A message received by the office, stored once per ``message_id`` and per kiosk sequence."""

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("facility_id", "kiosk_id", "kiosk_seq", name="uq_inbox_kiosk_seq"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(36), unique=True)
    facility_id: Mapped[str] = mapped_column(String(64))
    kiosk_id: Mapped[str] = mapped_column(String(64))
    kiosk_seq: Mapped[int] = mapped_column(Integer)
    schema: Mapped[str] = mapped_column(String(60))
    payload: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(default=utc_now)


class Quarantine(Base):
    """A message the office refused (malformed, oversized, unauthorized), kept with the reason."""

    __tablename__ = "quarantine"
    id: Mapped[int] = mapped_column(primary_key=True)
    received_at: Mapped[datetime] = mapped_column(default=utc_now, index=True)
    topic: Mapped[str] = mapped_column(String(500))
    reason: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text, default="")
    payload_size: Mapped[int] = mapped_column(Integer)
    payload_head: Mapped[bytes] = mapped_column(LargeBinary)


class KioskLink(Base):
    """A kiosk's link to the broker: its own view on the kiosk, its last news on the office.

    On the office, ``backlog`` and ``oldest_unacked_at`` are the kiosk's last reported backlog
    and ``backlog_at`` when the kiosk counted it; all three are NULL until a kiosk reports one.
    """

    __tablename__ = "kiosk_link"
    facility_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kiosk_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    online: Mapped[bool] = mapped_column(Boolean, default=False)
    changed_at: Mapped[datetime] = mapped_column(default=utc_now)
    last_error: Mapped[str] = mapped_column(Text, default="")
    last_message_at: Mapped[datetime | None]
    last_ack_at: Mapped[datetime | None]
    backlog: Mapped[int | None]
    oldest_unacked_at: Mapped[datetime | None]
    backlog_at: Mapped[datetime | None]


class AuditEvent(Base):
    """Who changed what and when; written in the same transaction as the change."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_entity", "entity", "entity_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utc_now)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
