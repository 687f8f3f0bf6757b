"""Versioned payloads, all defined here: JSON documents whose ``schema`` names type and version.

- ``genki.result/1`` (kiosk → office, ``…/results``): ``message_id`` (UUID fixed when the outbox
  row was written), ``kiosk_seq`` (per-kiosk, from 1, never reset), ``facility_id``,
  ``kiosk_id``, ``created_at``, ``kind`` (what the body is, e.g. ``assessment``) and ``body``.
- ``genki.ack/1`` (office → kiosk, ``…/acks``): the message ids the office has committed.
- ``genki.status/1`` (kiosk, retained ``…/status``): online (birth) or offline (last will),
  ``at`` (when the kiosk wrote it) and, optionally, the kiosk's ``backlog`` (outbox rows the
  office has not acknowledged, 0 to MAX_BACKLOG) with ``oldest_unacked_at`` (when the oldest of
  them was saved: given exactly when the backlog is positive). The last will and kiosks older than
  these fields leave both out, which means "not known"; the schema id stays ``genki.status/1``.
- ``genki.roster/1`` (office → kiosks, retained ``genki/v1/<facility>/roster/<uuid>``): one
  resident of the facility (``ResidentEntry``). A kiosk's own resident changes travel to the
  office as ``genki.result/1`` of kind ``resident`` whose body is a ``ResidentEntry``.

A ``ResidentEntry`` carries the resident's fields, ``active`` (residents are never deleted; a
deactivation is ``active: false``), and the stamp of the change: ``updated_at`` (the writer's
clock, UTC) and ``updated_by`` (``office`` or a kiosk id). Its fields are checked by the same
rules as any other input (records.resident_fields). ``certified_on`` (the certification date) is
left out when not recorded, so an entry without one is what versions before the field wrote;
an entry with one is refused by those versions (update the kiosks before recording dates).

Payloads are untrusted on receipt: ``decode`` refuses anything oversized, not JSON, of an unknown
schema or not matching its model, with a PayloadError whose ``reason`` is stored in quarantine.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any, Literal, Self, TypeVar

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    ValidationError,
    model_serializer,
    model_validator,
)

from records.errors import InvalidRecordError
from records.resident_fields import (
    CODE_MAX,
    NAME_MAX,
    NOTES_MAX,
    RESIDENT_FIELDS,
    ResidentFields,
    parse_resident,
)
from sync.errors import PayloadError

MAX_PAYLOAD_BYTES = 65_536  # results are scored summaries; raw signals stay on the kiosk
RESULT_SCHEMA, ACK_SCHEMA, STATUS_SCHEMA = "genki.result/1", "genki.ack/1", "genki.status/1"
ROSTER_SCHEMA = "genki.roster/1"
RESIDENT_KIND = "resident"  # the kind of a kiosk's genki.result/1 announcing a resident change
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
MAX_ACKED_IDS = 10_000
MAX_BACKLOG = 1_000_000_000  # a bound on a status message's backlog, far above any real outbox


class _Document(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, strict=False)

    def encode(self) -> bytes:
        """Return the payload as compact UTF-8 JSON."""
        return self.model_dump_json(by_alias=True).encode("utf-8")


class _Payload(_Document):
    facility_id: str = Field(pattern=ID_PATTERN)
    kiosk_id: str = Field(pattern=ID_PATTERN)


class ResultMessage(_Payload):
    """A kiosk record announced to the office."""

    schema_: Literal["genki.result/1"] = Field("genki.result/1", alias="schema")
    message_id: str = Field(pattern=UUID_PATTERN)
    kiosk_seq: int = Field(ge=1)
    created_at: AwareDatetime
    kind: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    body: dict[str, Any]


class AckMessage(_Payload):
    """The office's end-to-end acknowledgement: these messages are committed."""

    schema_: Literal["genki.ack/1"] = Field("genki.ack/1", alias="schema")
    message_ids: tuple[str, ...] = Field(max_length=MAX_ACKED_IDS)


class StatusMessage(_Payload):
    """A kiosk's retained link status: birth (online) or last will (offline), maybe its backlog.

    ``backlog`` is a whole number in [0, MAX_BACKLOG] or absent; ``oldest_unacked_at`` is a
    timezone-aware time given exactly when ``backlog`` is positive.
    """

    schema_: Literal["genki.status/1"] = Field("genki.status/1", alias="schema")
    online: bool
    at: datetime | None = None
    backlog: int | None = Field(None, ge=0, le=MAX_BACKLOG, strict=True)
    oldest_unacked_at: AwareDatetime | None = None

    @model_validator(mode="after")
    def _oldest_goes_with_a_backlog(self) -> Self:
        has_backlog = self.backlog is not None and self.backlog > 0
        if has_backlog != (self.oldest_unacked_at is not None):
            raise ValueError(
                f"backlog {self.backlog!r} with oldest_unacked_at "
                f"{self.oldest_unacked_at!r}; expected oldest_unacked_at exactly when the "
                "backlog is positive"
            )
        return self

    def encode(self) -> bytes:
        """Return the payload as compact UTF-8 JSON, leaving out a backlog that is not known.

        A status without a backlog is then what kiosks wrote before the field existed, so
        offices that do not know the field still accept it.
        """
        if self.backlog is not None:
            return super().encode()
        unknown = {"backlog", "oldest_unacked_at"}
        return self.model_dump_json(by_alias=True, exclude=unknown).encode("utf-8")


def _text(value: object) -> str:
    """Return a resident field's value as an entry holds it ("" for an unrecorded date)."""
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else str(value)


class ResidentEntry(_Document):
    """One resident with the stamp of its latest change (see the module docstring)."""

    uuid: str = Field(pattern=UUID_PATTERN)
    code: str = Field(max_length=CODE_MAX)
    family_name: str = Field(max_length=NAME_MAX)
    given_name: str = Field(max_length=NAME_MAX)
    family_kana: str = Field(max_length=NAME_MAX)
    given_kana: str = Field(max_length=NAME_MAX)
    sex: str = Field(max_length=20)
    birth_date: str = Field(max_length=40)
    care_level: str = Field(max_length=40)
    certified_on: str = Field("", max_length=40)  # "" (left out of the JSON): not recorded
    notes: str = Field("", max_length=NOTES_MAX)
    active: bool
    updated_at: AwareDatetime
    updated_by: str = Field(pattern=ID_PATTERN)

    def resident_fields(self) -> ResidentFields:
        """Return the checked fields; raise InvalidRecordError naming every problem.

        A birth date later than the day after the change was written is refused.
        """
        raw = {name: str(getattr(self, name)) for name in RESIDENT_FIELDS}
        return parse_resident(raw, self.updated_at.date() + timedelta(days=1))

    @model_serializer(mode="wrap")
    def _without_an_unrecorded_certification(
        self, handler: SerializerFunctionWrapHandler
    ) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if not data.get("certified_on"):
            data.pop("certified_on", None)
        return data

    @model_validator(mode="after")
    def _fields_follow_the_rules(self) -> Self:
        try:
            self.resident_fields()
        except InvalidRecordError as exc:
            problems = ", ".join(f"{p.field} {p.value!r} ({p.message_key})" for p in exc.problems)
            raise ValueError(f"resident fields break the rules: {problems}") from exc
        return self

    @classmethod
    def of(
        cls,
        uuid: str,
        values: ResidentFields,
        *,
        active: bool,
        updated_at: datetime,
        updated_by: str,
    ) -> ResidentEntry:
        """Return the entry of a stored resident."""
        stored = {name: _text(getattr(values, name)) for name in RESIDENT_FIELDS}
        return cls(uuid=uuid, active=active, updated_at=updated_at, updated_by=updated_by, **stored)


class RosterMessage(_Document):
    """One resident of a facility's roster, published by the office (retained)."""

    schema_: Literal["genki.roster/1"] = Field("genki.roster/1", alias="schema")
    facility_id: str = Field(pattern=ID_PATTERN)
    resident: ResidentEntry


SCHEMAS: dict[str, type[_Document]] = {
    RESULT_SCHEMA: ResultMessage,
    ACK_SCHEMA: AckMessage,
    STATUS_SCHEMA: StatusMessage,
    ROSTER_SCHEMA: RosterMessage,
}
_P = TypeVar("_P", bound=_Document)


def decode(payload: bytes, model: type[_P]) -> _P:
    """Return the payload as ``model``; raise PayloadError: oversized, malformed, unknown_schema."""
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise PayloadError(
            "oversized", f"{len(payload)} bytes; expected at most {MAX_PAYLOAD_BYTES} bytes"
        )
    try:
        document = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PayloadError("malformed", f"not UTF-8 JSON: {exc}") from exc
    schema = document.get("schema") if isinstance(document, dict) else None
    if schema not in SCHEMAS:
        raise PayloadError(
            "unknown_schema", f"schema {schema!r}; expected one of {', '.join(SCHEMAS)}"
        )
    if SCHEMAS[schema] is not model:
        raise PayloadError("malformed", f"schema {schema!r} on a {model.__name__} channel")
    try:
        return model.model_validate(document)
    except ValidationError as exc:
        raise PayloadError("malformed", _problems(exc)) from exc


def _problems(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(map(str, error['loc'])) or 'payload'}: {error['msg']}"
        for error in exc.errors()[:5]
    )


def resident_entry(body: Mapping[str, Any]) -> ResidentEntry:
    """Return the body of a ``resident`` result as an entry; raise PayloadError (malformed)."""
    try:
        return ResidentEntry.model_validate(body)
    except ValidationError as exc:
        raise PayloadError("malformed", f"resident body: {_problems(exc)}") from exc
