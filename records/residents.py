"""Residents of a facility: register, list, read, edit, deactivate; every change audited."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from records import models
from records.audit import add_audit_event
from records.database import Database
from records.errors import DuplicateError, FieldProblem, NotFoundError
from records.models import new_uuid, utc_now
from records.resident_fields import CareLevel, ResidentFields, Sex
from records.resident_import import ImportRow

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


def _to_resident(row: models.Resident) -> Resident:
    return Resident(
        uuid=row.uuid,
        facility_id=row.facility_id,
        fields=ResidentFields(
            code=row.code,
            family_name=row.family_name,
            given_name=row.given_name,
            family_kana=row.family_kana,
            given_kana=row.given_kana,
            sex=Sex(row.sex),
            birth_date=row.birth_date,
            care_level=CareLevel(row.care_level),
            notes=row.notes,
        ),
        active=row.active,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _stored_values(values: ResidentFields) -> dict[str, Any]:
    return {f.name: getattr(values, f.name) for f in fields(values)}


def _jsonable(value: object) -> object:
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
        if session.get(models.Facility, self._facility_id) is None:
            session.add(models.Facility(id=self._facility_id))
            session.flush()

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
        row.updated_at = utc_now()
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
        row.updated_at = utc_now()
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
        active_changes = row.active is not None and row.active != stored.active
        if dry_run:
            return bool(_changes(before, row.fields)) or active_changes
        changed = self._apply(
            session,
            row=stored,
            before=before,
            after=row.fields,
            actor=actor,
            action="resident.import",
        )
        if active_changes and row.active is not None:
            self._set_active_row(session, stored, active=row.active, actor=actor, reason="import")
        return changed or active_changes
