"""Residents of a facility: register, list, read, edit, deactivate; every change audited.

This module is the one place that writes residents, including the changes that arrive from the
other databases of the facility (roster sync, see sync/roster.py). A local change leaves the row
unstamped (``updated_by`` None: "changed here, not yet announced"); the process that syncs the
database stamps it with its writer id when it announces the change (``claim_unannounced``), in
the transaction that queues the announcement. A change from elsewhere is applied by
``apply_synced`` under last writer wins (records.resident_stamps), keeping the writer's stamp,
with an audit event in the same transaction: ``resident.sync`` (previous and new values),
``resident.sync_ignored`` (an earlier change arriving late) or ``resident.sync_conflict`` (its
code belongs to another resident here: no clock can settle that, staff rename one of them).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from records import models
from records.audit import add_audit_event
from records.database import Database
from records.errors import DuplicateError, FieldProblem, NotFoundError
from records.models import new_uuid, utc_now
from records.resident_fields import CareLevel, ResidentFields, Sex
from records.resident_import import ImportRow
from records.resident_stamps import Stamp, SyncedResident, Verdict, judge

ENTITY = "resident"
IMPORT_BATCH_ROWS = 500


@dataclass(frozen=True, slots=True)
class Resident:
    """A registered resident as stored."""

    uuid: str
    facility_id: str
    fields: ResidentFields
    active: bool
    created_at: datetime
    updated_at: datetime
    updated_by: str | None = None  # None: changed here and not yet announced to the others

    @property
    def code(self) -> str:
        """The resident's facility code."""
        return self.fields.code


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What an import did (or, for a dry run, would do)."""

    added: int
    updated: int
    unchanged: int


def _fields_of(row: models.Resident) -> ResidentFields:
    return ResidentFields(
        code=row.code,
        family_name=row.family_name,
        given_name=row.given_name,
        family_kana=row.family_kana,
        given_kana=row.given_kana,
        sex=Sex(row.sex),
        birth_date=row.birth_date,
        care_level=CareLevel(row.care_level),
        certified_on=row.certified_on,
        notes=row.notes,
    )


def _to_resident(row: models.Resident) -> Resident:
    return Resident(
        uuid=row.uuid,
        facility_id=row.facility_id,
        fields=_fields_of(row),
        active=row.active,
        created_at=row.created_at,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


def _ensure_facility(session: Session, facility_id: str) -> None:
    if session.get(models.Facility, facility_id) is None:
        session.add(models.Facility(id=facility_id))
        session.flush()


def _stored_values(values: ResidentFields) -> dict[str, Any]:
    return {f.name: getattr(values, f.name) for f in fields(values)}


def _jsonable(value: object) -> object:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


def _changes(before: ResidentFields, after: ResidentFields) -> dict[str, list[object]]:
    return {
        f.name: [_jsonable(getattr(before, f.name)), _jsonable(getattr(after, f.name))]
        for f in fields(before)
        if getattr(before, f.name) != getattr(after, f.name)
    }


class ResidentRepository:
    """Residents of one facility."""

    def __init__(self, database: Database, facility_id: str) -> None:
        self._database = database
        self._facility_id = facility_id

    def _ensure_facility(self, session: Session) -> None:
        _ensure_facility(session, self._facility_id)

    def _row(self, session: Session, code: str) -> models.Resident:
        row = session.scalar(self._by_code(code))
        if row is None:
            raise NotFoundError(f"no resident with code {code!r} in facility {self._facility_id}")
        return row

    def _by_code(self, code: str) -> Select[models.Resident]:
        return select(models.Resident).where(
            models.Resident.facility_id == self._facility_id, models.Resident.code == code
        )

    def _duplicate(self, code: str, line: int | None = None) -> DuplicateError:
        return DuplicateError([FieldProblem("code", code, "problem.already_registered", line=line)])

    def list(self, *, include_inactive: bool = False) -> list[Resident]:
        """Return residents ordered by kana then code; only active ones unless asked."""
        query = select(models.Resident).where(models.Resident.facility_id == self._facility_id)
        if not include_inactive:
            query = query.where(models.Resident.active.is_(True))
        query = query.order_by(
            models.Resident.family_kana, models.Resident.given_kana, models.Resident.code
        )
        with self._database.read() as session:
            return [_to_resident(row) for row in session.scalars(query)]

    def get(self, code: str) -> Resident:
        """Return the resident with ``code``; raise NotFoundError if there is none."""
        with self._database.read() as session:
            return _to_resident(self._row(session, code))

    def add(self, values: ResidentFields, *, actor: str) -> Resident:
        """Register a new resident; raise DuplicateError if the code is taken."""
        with self._database.transaction() as session:
            self._ensure_facility(session)
            if session.scalar(self._by_code(values.code)) is not None:
                raise self._duplicate(values.code)
            row = self._insert(session, values, actor)
            return _to_resident(row)

    def _insert(
        self, session: Session, values: ResidentFields, actor: str, *, active: bool = True
    ) -> models.Resident:
        row = models.Resident(
            uuid=new_uuid(), facility_id=self._facility_id, active=active, **_stored_values(values)
        )
        session.add(row)
        add_audit_event(
            session,
            actor=actor,
            action="resident.add",
            entity=ENTITY,
            entity_id=row.uuid,
            details={"code": values.code, "active": active},
        )
        return row

    def edit(self, code: str, changes: Mapping[str, object], *, actor: str) -> Resident:
        """Change some fields of a resident (already validated values); audited with old and new."""
        with self._database.transaction() as session:
            row = self._row(session, code)
            before = _to_resident(row).fields
            after = replace(before, **changes)  # type: ignore[arg-type]
            if after.code != before.code and session.scalar(self._by_code(after.code)) is not None:
                raise self._duplicate(after.code)
            self._apply(
                session, row=row, before=before, after=after, actor=actor, action="resident.edit"
            )
            return _to_resident(row)

    def _apply(
        self,
        session: Session,
        *,
        row: models.Resident,
        before: ResidentFields,
        after: ResidentFields,
        actor: str,
        action: str,
    ) -> bool:
        diff = _changes(before, after)
        if not diff:
            return False
        for name, value in _stored_values(after).items():
            setattr(row, name, value)
        row.updated_at, row.updated_by = utc_now(), None
        add_audit_event(
            session, actor=actor, action=action, entity=ENTITY, entity_id=row.uuid, details=diff
        )
        return True

    def set_active(self, code: str, *, active: bool, actor: str, reason: str = "") -> Resident:
        """Deactivate (or reactivate) a resident; the record and its history are kept."""
        with self._database.transaction() as session:
            row = self._row(session, code)
            if row.active != active:
                self._set_active_row(session, row, active=active, actor=actor, reason=reason)
            return _to_resident(row)

    def _set_active_row(
        self, session: Session, row: models.Resident, *, active: bool, actor: str, reason: str
    ) -> None:
        row.active = active
        row.updated_at, row.updated_by = utc_now(), None
        add_audit_event(
            session,
            actor=actor,
            action="resident.activate" if active else "resident.deactivate",
            entity=ENTITY,
            entity_id=row.uuid,
            details={"reason": reason},
        )

    def import_all(
        self,
        rows: Sequence[ImportRow],
        *,
        actor: str,
        update_existing: bool,
        dry_run: bool = False,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> ImportSummary:
        """Add (and optionally update) every row in one transaction: all rows or none.

        A code that is already registered is a problem (reported with its CSV line) unless
        ``update_existing``; a row's ``active`` flag, when given, is applied too.
        ``on_progress(done, total)`` is called after each batch is written, before the commit.
        """
        with self._database.transaction() as session:
            if not dry_run:
                self._ensure_facility(session)
            existing = {
                row.code: row
                for row in session.scalars(
                    select(models.Resident).where(models.Resident.facility_id == self._facility_id)
                )
            }
            if not update_existing:
                taken = [
                    self._duplicate(row.fields.code, row.line).problems[0]
                    for row in rows
                    if row.fields.code in existing
                ]
                if taken:
                    raise DuplicateError(taken)
            return self._write_rows(
                session,
                rows=rows,
                existing=existing,
                actor=actor,
                dry_run=dry_run,
                on_progress=on_progress,
            )

    def _write_rows(
        self,
        session: Session,
        *,
        rows: Sequence[ImportRow],
        existing: Mapping[str, models.Resident],
        actor: str,
        dry_run: bool,
        on_progress: Callable[[int, int], None] | None,
    ) -> ImportSummary:
        added = updated = 0
        for done, row in enumerate(rows, start=1):
            stored = existing.get(row.fields.code)
            if stored is None:
                added += 1
                if not dry_run:
                    self._insert(session, row.fields, actor, active=row.active is not False)
            else:
                updated += self._update(session, stored, row, actor, dry_run=dry_run)
            if not dry_run and (done % IMPORT_BATCH_ROWS == 0 or done == len(rows)):
                session.flush()
                if on_progress is not None:
                    on_progress(done, len(rows))
        return ImportSummary(added=added, updated=updated, unchanged=len(rows) - added - updated)

    def _update(
        self,
        session: Session,
        stored: models.Resident,
        row: ImportRow,
        actor: str,
        *,
        dry_run: bool,
    ) -> bool:
        before = _to_resident(stored).fields
        after = row.over(before)
        active_changes = row.active is not None and row.active != stored.active
        if dry_run:
            return bool(_changes(before, after)) or active_changes
        changed = self._apply(
            session,
            row=stored,
            before=before,
            after=after,
            actor=actor,
            action="resident.import",
        )
        if active_changes and row.active is not None:
            self._set_active_row(session, stored, active=row.active, actor=actor, reason="import")
        return changed or active_changes


# --- Roster sync: announcing local changes, applying changes from the other databases ---------


SYNC_ACTIONS = ("resident.sync", "resident.sync_ignored", "resident.sync_conflict")


class SyncOutcome(StrEnum):
    """What ``apply_synced`` did with an incoming change."""

    ADDED = "added"
    UPDATED = "updated"
    UNCHANGED = "unchanged"  # this very change was stored already
    IGNORED = "ignored"  # an earlier change than the stored one
    CONFLICT = "conflict"  # its code (or uuid) belongs to another resident here


def _synced(row: models.Resident, local_writer: str) -> SyncedResident:
    stamp = Stamp(row.updated_at, row.updated_by or local_writer)
    return SyncedResident(row.uuid, _fields_of(row), row.active, stamp)


def _synced_json(resident: SyncedResident) -> dict[str, object]:
    values = {name: _jsonable(value) for name, value in _stored_values(resident.fields).items()}
    return {**values, "active": resident.active, "stamp": resident.stamp.as_json()}


def claim_unannounced(
    session: Session, *, writer: str, facility_id: str | None = None
) -> list[tuple[str, SyncedResident]]:
    """Stamp the unannounced changes with ``writer``; return them with their facility ids.

    Runs in the caller's transaction, which also queues the announcements: a change is stamped
    exactly when its announcement is committed. Every facility unless ``facility_id`` is given.
    """
    query = select(models.Resident).where(models.Resident.updated_by.is_(None))
    if facility_id is not None:
        query = query.where(models.Resident.facility_id == facility_id)
    claimed = []
    for row in session.scalars(query.order_by(models.Resident.id)):
        row.updated_by = writer
        claimed.append((row.facility_id, _synced(row, writer)))
    return claimed


def unannounced_count(database: Database, *, facility_id: str | None = None) -> int:
    """Return how many residents changed here wait to be announced (a read, no write lock)."""
    query = select(func.count()).where(models.Resident.updated_by.is_(None))
    if facility_id is not None:
        query = query.where(models.Resident.facility_id == facility_id)
    with database.read() as session:
        return int(session.scalar(query) or 0)


def synced_roster(
    database: Database, *, local_writer: str, uuids: Sequence[str] | None = None
) -> list[tuple[str, SyncedResident]]:
    """Return residents (every one, or those of ``uuids``) with their facility ids and stamps."""
    query = select(models.Resident).order_by(models.Resident.id)
    if uuids is not None:
        query = query.where(models.Resident.uuid.in_(uuids))
    with database.read() as session:
        return [(row.facility_id, _synced(row, local_writer)) for row in session.scalars(query)]


def _seen_before(session: Session, incoming: SyncedResident) -> bool:
    """Whether this very change was applied or refused here before (its stamp is in the trail)."""
    query = select(models.AuditEvent.details).where(
        models.AuditEvent.entity == ENTITY,
        models.AuditEvent.entity_id == incoming.uuid,
        models.AuditEvent.action.in_(SYNC_ACTIONS),
    )
    stamp = incoming.stamp.as_json()
    return any(
        (details.get("new") or {}).get("stamp") == stamp
        or (details.get("incoming") or {}).get("stamp") == stamp
        for details in session.scalars(query)
    )


def _refuse(
    session: Session, action: str, incoming: SyncedResident, source: str, **details: object
) -> None:
    """Audit an incoming change that is not applied, unless this very change was seen before.

    Retained roster entries come again on every reconnection; each change is audited once.
    """
    if not _seen_before(session, incoming):
        add_audit_event(
            session, actor="sync", action=action, entity=ENTITY, entity_id=incoming.uuid,
            details={"source": source, "incoming": _synced_json(incoming), **details},
        )  # fmt: skip


def apply_synced(
    session: Session, facility_id: str, incoming: SyncedResident, *, local_writer: str, source: str
) -> SyncOutcome:
    """Apply a change from another database under last writer wins, audited; caller's transaction.

    ``local_writer`` is this database's writer id (the stamp of its unannounced changes) and
    ``source`` names where the change came from, for the audit trail. The stored row takes the
    incoming values and stamp. Never raises for the data: a refused change is an outcome.
    """
    row = session.scalar(select(models.Resident).where(models.Resident.uuid == incoming.uuid))
    if row is not None and row.facility_id != facility_id:
        _refuse(session, "resident.sync_conflict", incoming, source, facility=row.facility_id)
        return SyncOutcome.CONFLICT
    stored = None if row is None else _synced(row, local_writer)
    verdict = judge(None if stored is None else stored.stamp, incoming.stamp)
    if verdict is Verdict.SAME:
        return SyncOutcome.UNCHANGED
    if verdict is Verdict.EARLIER and stored is not None:
        _refuse(session, "resident.sync_ignored", incoming, source, stored=stored.stamp.as_json())
        return SyncOutcome.IGNORED
    holder = session.scalar(
        select(models.Resident.uuid).where(
            models.Resident.facility_id == facility_id,
            models.Resident.code == incoming.fields.code,
            models.Resident.uuid != incoming.uuid,
        )
    )
    if holder is not None:
        _refuse(session, "resident.sync_conflict", incoming, source, code_held_by=holder)
        return SyncOutcome.CONFLICT
    previous = None if stored is None else _synced_json(stored)
    if row is None:
        _ensure_facility(session, facility_id)
        row = models.Resident(uuid=incoming.uuid, facility_id=facility_id)
        session.add(row)
    for name, value in _stored_values(incoming.fields).items():
        setattr(row, name, value)
    row.active = incoming.active
    row.updated_at, row.updated_by = incoming.stamp.updated_at, incoming.stamp.updated_by
    add_audit_event(
        session, actor="sync", action="resident.sync", entity=ENTITY, entity_id=incoming.uuid,
        details={"source": source, "previous": previous, "new": _synced_json(incoming)},
    )  # fmt: skip
    return SyncOutcome.ADDED if previous is None else SyncOutcome.UPDATED
