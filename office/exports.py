"""Office exports: results, implementation records and residents as CSV files Excel opens directly.

Every export follows the residents file's conventions (records/resident_csv.py): UTF-8 with a
byte-order mark and CRLF line ends, so Excel in Japan shows Japanese text without an import step,
and the file reads back with ``utf-8-sig``. Cells are quoted by the csv module where they hold
commas, quotes or line breaks. The results and records files have stable English column codes
(below), whatever the interface language; the residents file *is* the residents CSV of
``genki residents export`` (``language`` picks its header row), so ``genki residents import``
reads it back.

``results`` (RESULT_COLUMNS), one row per stored result (a scored battery or a single trial)::

    message_id, facility_id, kiosk_id, resident_uuid, resident_code, resident_name,
    kind (assessment | trial), name (battery or test), performed_at (ISO 8601, UTC),
    total, rating, grip_kg, tug_s, gait_s, gait_speed_m_s, chair_stand_s, one_leg_stance_s,
    stance_hold_s, sway_velocity_cm_s, sway_velocity_mm_s,      main values (MAIN_VALUES)
    table_status, quality_flags (JSON list), algorithm_version, values_json (every value, JSON)

``records`` (RECORD_COLUMNS), one row per exercise session: the implementation record of
CARE-INSURANCE.md §1.5 (date, clock times, content, staff) with the day's vitals decision, RPE,
pain, the exercises done (JSON) and the whole session body (JSON)::

    message_id, facility_id, kiosk_id, session_uuid, resident_uuid, resident_code,
    resident_name, date, start_time, end_time, started_at, ended_at, programme, level, staff,
    vitals_outcome, rpe, pain, exercises_json, body_json

Numbers are written so they read back identical: ``repr`` for floats (the shortest text that
parses to the same float), ``str`` for whole numbers; JSON cells use ``json.dumps``, whose float
text is ``repr`` too. An empty cell is a missing value.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Literal

from genki.i18n import Language
from office.data import OfficeData
from office.results import Result, SessionRecord
from records.database import Database
from records.resident_csv import write_residents_csv
from records.residents import Resident, ResidentRepository

ExportKind = Literal["results", "records", "residents"]
EXPORT_KINDS: tuple[ExportKind, ...] = ("results", "records", "residents")
ENCODING = "utf-8-sig"  # UTF-8 with BOM, as records/resident_csv.py writes
LINE_END = "\r\n"

# Main values: column -> {result name: path of keys into its values}. A trial's name is its test
# (kiosk/station/measurements.py), an assessment's its battery (programs/batteries).
MAIN_VALUES: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "total": {"sppb": ("total",), "kihon_checklist": ("total",), "mext65": ("total_points",)},
    "rating": {"sppb": ("band",), "awgs2019": ("status",), "mext65": ("grade",),
               "kihon_checklist": ("frailty_band",), "fall_risk": ("one_leg_grade",)},
    "grip_kg": {"grip": ("awgs", "max_kg"), "awgs2019": ("grip_kg",)},
    "tug_s": {"fall_risk": ("tug_s",)},
    "gait_s": {"sppb": ("gait_time_s",), "gait_4m": ("time_s",)},
    "gait_speed_m_s": {"gait_4m": ("speed_m_s",), "awgs2019": ("gait_speed_m_s",)},
    "chair_stand_s": {"sppb": ("chair_stand_time_s",), "chair_stand_5x": ("time_s",)},
    "one_leg_stance_s": {"fall_risk": ("one_leg_stance_s",), "mext65": ("one_leg_stance_s",)},
    "stance_hold_s": {"stance_side_by_side": ("hold_s",), "stance_semi_tandem": ("hold_s",),
                      "stance_tandem": ("hold_s",)},
    "sway_velocity_cm_s": {"stabilometry": ("eyes_open", "mean_velocity_cm_s")},
    "sway_velocity_mm_s": {"sway_eo": ("mean_velocity_mm_s",), "sway_ec": ("mean_velocity_mm_s",)},
}  # fmt: skip
TRIAL_MAIN_VALUES: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "grip_kg": {"grip": ("peak_kgf",)},  # a single grip trial's peak; the assessment's best
}
RESULT_COLUMNS: tuple[str, ...] = (
    "message_id", "facility_id", "kiosk_id", "resident_uuid", "resident_code", "resident_name",
    "kind", "name", "performed_at", *MAIN_VALUES,
    "table_status", "quality_flags", "algorithm_version", "values_json",
)  # fmt: skip
RECORD_COLUMNS: tuple[str, ...] = (
    "message_id", "facility_id", "kiosk_id", "session_uuid", "resident_uuid", "resident_code",
    "resident_name", "date", "start_time", "end_time", "started_at", "ended_at", "programme",
    "level", "staff", "vitals_outcome", "rpe", "pain", "exercises_json", "body_json",
)  # fmt: skip


class UnknownExportError(ValueError):
    """An export kind that does not exist; the message names the kinds that do."""


def cell(value: object) -> str:
    """Return a value as CSV text that reads back identical (module docstring)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, int | str):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return json_cell(value)


def json_cell(value: object) -> str:
    """Return a value as compact JSON text (Japanese kept as it is, floats as ``repr``)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _path(values: Mapping[str, Any], keys: Sequence[str]) -> object:
    found: object = values
    for key in keys:
        if not isinstance(found, Mapping):
            return None
        found = found.get(key)
    return found


def main_values(kind: str, name: str, values: Mapping[str, Any]) -> dict[str, object]:
    """Return the main values of one result by column (MAIN_VALUES); absent ones are None."""
    tables = {**MAIN_VALUES, **TRIAL_MAIN_VALUES} if kind == "trial" else MAIN_VALUES
    found: dict[str, object] = {}
    for column in MAIN_VALUES:
        keys = tables[column].get(name)
        found[column] = None if keys is None else _path(values, keys)
    return found


def resident_name(resident: Resident | None) -> str:
    """Return a resident's name as written on documents (family name, a space, given name)."""
    if resident is None:
        return ""
    return f"{resident.fields.family_name} {resident.fields.given_name}"


def result_row(result: Result, resident: Resident | None) -> list[str]:
    """Return one results row in RESULT_COLUMNS order."""
    values = result.values
    flags = values.get("quality_flags")
    row: list[object] = [
        result.message_id, result.facility_id, result.kiosk_id, result.resident_uuid,
        resident.code if resident else "", resident_name(resident), result.kind, result.name,
        result.performed_at, *main_values(result.kind, result.name, values).values(),
        values.get("table_status"), None if flags is None else json_cell(flags),
        values.get("algorithm_version"), json_cell(dict(values)),
    ]  # fmt: skip
    return [cell(value) for value in row]


def _local_time(moment: datetime | None) -> str:
    return "" if moment is None else f"{moment.astimezone():%H:%M}"


def _moment(text: object) -> datetime | None:
    return datetime.fromisoformat(text) if isinstance(text, str) and text else None


def record_row(session: SessionRecord, resident: Resident | None) -> list[str]:
    """Return one implementation-record row in RECORD_COLUMNS order (clock times local)."""
    body = session.body
    ended = _moment(body.get("ended_at"))
    vitals = body.get("vitals")
    outcome = vitals.get("outcome") if isinstance(vitals, Mapping) else vitals
    row: list[object] = [
        session.message_id, session.facility_id, session.kiosk_id, body.get("session_uuid"),
        session.resident_uuid, resident.code if resident else "", resident_name(resident),
        session.started_at.astimezone().date(), _local_time(session.started_at),
        _local_time(ended), session.started_at, ended, body.get("programme"), body.get("level"),
        body.get("staff"), outcome, body.get("rpe"), body.get("pain"),
        json_cell(body.get("exercises") or []), json_cell(dict(body)),
    ]  # fmt: skip
    return [cell(value) for value in row]


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """Return a CSV file as Excel in Japan opens it: UTF-8 with BOM, CRLF line ends."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator=LINE_END)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(ENCODING)


def read_csv(path: Path) -> list[dict[str, str]]:
    """Read an export back: one mapping of column to cell text per data row."""
    with path.open(encoding=ENCODING, newline="") as file:
        return list(csv.DictReader(file))


def number(text: str) -> int | float | None:
    """Read a number cell written by ``cell`` back to the identical int or float (empty: None)."""
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        return float(text)


def day_start(day: date) -> datetime:
    """Return the start of a local calendar day as an aware datetime."""
    return datetime.combine(day, time()).astimezone()


def export_csv(
    database: Database,
    kind: str,
    path: Path,
    *,
    facility_id: str | None = None,
    since: date | None = None,
    until: date | None = None,
    language: Language = "ja",
) -> int:
    """Write one export (module docstring) to ``path``; return the number of data rows.

    ``since`` and ``until`` are local calendar days, both included; they filter results by the
    time they were performed and sessions by their start. The residents export lists every
    resident of ``facility_id`` (active or not) and needs it; ``language`` is its header row.
    """
    if kind not in EXPORT_KINDS:
        raise UnknownExportError(f"no export {kind!r}; expected one of {', '.join(EXPORT_KINDS)}")
    if kind == "residents":
        if facility_id is None:
            raise UnknownExportError("the residents export needs a facility id")
        found = ResidentRepository(database, facility_id).list(include_inactive=True)
        path.write_bytes(write_residents_csv(((r.fields, r.active) for r in found), language))
        return len(found)
    data = OfficeData(database, facility_id)
    start = None if since is None else day_start(since)
    end = None if until is None else day_start(until + timedelta(days=1))
    rows: list[list[str]]
    if kind == "results":
        people = data.roster()
        rows = [
            result_row(r, people.get(r.resident_uuid)) for r in data.results(since=start, until=end)
        ]
        path.write_bytes(csv_bytes(RESULT_COLUMNS, rows))
    else:
        people = data.roster()
        rows = [
            record_row(s, people.get(s.resident_uuid))
            for s in data.sessions(since=start, until=end)
        ]
        path.write_bytes(csv_bytes(RECORD_COLUMNS, rows))
    return len(rows)
