"""Versioned payloads, all defined here: JSON documents whose ``schema`` names type and version.

- ``genki.result/1`` (kiosk → office, ``…/results``): ``message_id`` (UUID fixed when the outbox
  row was written), ``kiosk_seq`` (per-kiosk, from 1, never reset), ``facility_id``,
  ``kiosk_id``, ``created_at``, ``kind`` (what the body is, e.g. ``assessment``) and ``body``.
- ``genki.ack/1`` (office → kiosk, ``…/acks``): the message ids the office has committed.
- ``genki.status/1`` (kiosk, retained ``…/status``): online (birth) or offline (last will).

Payloads are untrusted on receipt: ``decode`` refuses anything oversized, not JSON, of an unknown
schema or not matching its model, with a PayloadError whose ``reason`` is stored in quarantine.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from sync.errors import PayloadError

MAX_PAYLOAD_BYTES = 65_536  # results are scored summaries; raw signals stay on the kiosk
RESULT_SCHEMA, ACK_SCHEMA, STATUS_SCHEMA = "genki.result/1", "genki.ack/1", "genki.status/1"
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
MAX_ACKED_IDS = 10_000


class _Payload(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, strict=False)

    facility_id: str = Field(pattern=ID_PATTERN)
    kiosk_id: str = Field(pattern=ID_PATTERN)

    def encode(self) -> bytes:
        """Return the payload as compact UTF-8 JSON."""
        return self.model_dump_json(by_alias=True).encode("utf-8")


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
    """A kiosk's retained link status: birth (online) or last will (offline)."""

    schema_: Literal["genki.status/1"] = Field("genki.status/1", alias="schema")
    online: bool
    at: datetime | None = None


SCHEMAS: dict[str, type[_Payload]] = {
    RESULT_SCHEMA: ResultMessage,
    ACK_SCHEMA: AckMessage,
    STATUS_SCHEMA: StatusMessage,
}
_P = TypeVar("_P", bound=_Payload)


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
        problems = "; ".join(
            f"{'.'.join(map(str, error['loc'])) or 'payload'}: {error['msg']}"
            for error in exc.errors()[:5]
        )
        raise PayloadError("malformed", problems) from exc
