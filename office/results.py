"""Kiosk results as the office reads them: inbox payloads (sync/payloads.py) turned into records.

A ``genki.result/1`` payload carries a ``kind`` and a ``body``:

- ``assessment`` (kiosk/desk.py ``save_assessment``): ``assessment_uuid``, ``resident_uuid``,
  ``battery``, ``performed_at`` and ``summary`` (the battery's scored JSON, programs/batteries);
- ``trial`` (kiosk/station/service.py): ``trial_uuid``, ``resident_uuid``, ``test``, ``attempt``,
  ``metrics``, ``quality_flags``, ``algorithm_version``, ``recorded_at``;
- ``exercise_session`` (kiosk/desk.py ``save_visit``): ``session_uuid``, ``resident_uuid``,
  ``programme``, ``level``, ``started_at``, ``ended_at``, ``vitals``, ``rpe``, ``pain``,
  ``exercises``.

The ingest checks the envelope only, so a body is read defensively: one without a resident or
a readable, timezone-aware time is returned as None (counted as unreadable by the caller), never
guessed. Pure functions, no I/O.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

RESULT_KINDS = ("assessment", "trial")
SESSION_KIND = "exercise_session"


@dataclass(frozen=True, slots=True)
class Result:
    """One assessment (a scored battery) or one trial (a single measured test) from the inbox."""

    message_id: str
    facility_id: str
    kiosk_id: str
    resident_uuid: str
    kind: str  # "assessment" | "trial"
    name: str  # battery (sppb, awgs2019, mext65, fall_risk, ...) or test (grip, sway_eo, ...)
    performed_at: datetime  # UTC
    values: Mapping[str, Any]  # the assessment summary, or the trial metrics + quality_flags


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """One exercise session: the implementation record of CARE-INSURANCE.md §1.5."""

    message_id: str
    facility_id: str
    kiosk_id: str
    resident_uuid: str
    started_at: datetime
    body: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class InboxRow:
    """The columns of an inbox row the office reads."""

    message_id: str
    facility_id: str
    kiosk_id: str
    payload: str


def parse_time(value: object) -> datetime | None:
    """Return an ISO 8601 time with a UTC offset as an aware datetime; anything else is None."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def read_document(row: InboxRow) -> Mapping[str, Any] | None:
    """Return the payload of a stored row as a mapping with a mapping ``body``, or None."""
    try:
        document = json.loads(row.payload)
    except json.JSONDecodeError:
        return None
    if not isinstance(document, dict) or not isinstance(document.get("body"), dict):
        return None
    return document


def to_result(row: InboxRow, document: Mapping[str, Any]) -> Result | None:
    """Return the assessment or trial of a payload, or None when its body cannot be read."""
    kind, body = document.get("kind"), document["body"]
    resident = body.get("resident_uuid")
    if not isinstance(resident, str) or not resident:
        return None
    if kind == "assessment":
        name, moment, values = body.get("battery"), body.get("performed_at"), body.get("summary")
        if not isinstance(values, dict):
            return None
    elif kind == "trial":
        name, moment, metrics = body.get("test"), body.get("recorded_at"), body.get("metrics")
        if not isinstance(metrics, dict):
            return None
        values = {
            **metrics,
            "quality_flags": list(body.get("quality_flags") or []),
            "algorithm_version": body.get("algorithm_version"),
        }
    else:
        return None
    performed_at = parse_time(moment)
    if not isinstance(name, str) or not name or performed_at is None:
        return None
    return Result(row.message_id, row.facility_id, row.kiosk_id, resident, kind, name,
                  performed_at, values)  # fmt: skip


def to_session(row: InboxRow, document: Mapping[str, Any]) -> SessionRecord | None:
    """Return the exercise session of a payload, or None when its body cannot be read."""
    body = document["body"]
    resident, started_at = body.get("resident_uuid"), parse_time(body.get("started_at"))
    if document.get("kind") != SESSION_KIND or not isinstance(resident, str) or not resident:
        return None
    if started_at is None:
        return None
    return SessionRecord(row.message_id, row.facility_id, row.kiosk_id, resident, started_at, body)


def number_at(values: Mapping[str, Any], path: tuple[str, ...]) -> float | None:
    """Return the number found by following ``path`` into ``values`` (booleans are not numbers)."""
    found: object = values
    for key in path:
        if not isinstance(found, Mapping):
            return None
        found = found.get(key)
    if isinstance(found, bool) or not isinstance(found, int | float):
        return None
    return float(found)


def text_at(values: Mapping[str, Any], path: tuple[str, ...]) -> str | None:
    """Return the text found by following ``path`` into ``values``, or None."""
    found: object = values
    for key in path:
        if not isinstance(found, Mapping):
            return None
        found = found.get(key)
    return found if isinstance(found, str) and found else None


SKIPPED_SERIES_KEYS = frozenset({"resident", "tables", "algorithm_version", "quality_flags"})


def numeric_leaves(values: Mapping[str, Any], prefix: str = "") -> dict[str, float]:
    """Return every number in ``values`` by dotted path (who, tables and booleans left out)."""
    found: dict[str, float] = {}
    for key, value in values.items():
        if key in SKIPPED_SERIES_KEYS:
            continue
        if isinstance(value, Mapping):
            found.update(numeric_leaves(value, f"{prefix}{key}."))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            found[f"{prefix}{key}"] = float(value)
    return found
