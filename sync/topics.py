"""MQTT topics: ``genki/v1/<facility>/<kiosk>/<channel>`` (DESIGN.md, sync).

Channels: ``results`` and ``status`` (kiosk → office; status is retained, birth and last will),
``acks`` (office → kiosk). Facility and kiosk ids are single topic levels without wildcards.

The facility's roster (office → kiosks, retained) is ``genki/v1/<facility>/roster/<uuid>``, one
topic per resident. It has as many levels as a kiosk's topics, so ``roster`` is not a kiosk id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sync.errors import TopicError

PREFIX = "genki/v1"
RESULTS, STATUS, ACKS = "results", "status", "acks"
CHANNELS = (RESULTS, STATUS, ACKS)
ROSTER = "roster"
ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
RESIDENT_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass(frozen=True, slots=True)
class Topic:
    """A parsed topic: whose it is and which channel."""

    facility_id: str
    kiosk_id: str
    channel: str

    def __str__(self) -> str:
        return f"{PREFIX}/{self.facility_id}/{self.kiosk_id}/{self.channel}"


def topic(facility_id: str, kiosk_id: str, channel: str) -> str:
    """Return the topic of a kiosk's channel; ids must be plain ids (no ``/``, ``+``, ``#``)."""
    for name, value in (("facility id", facility_id), ("kiosk id", kiosk_id)):
        if not ID.fullmatch(value):
            raise TopicError(f"{name} {value!r}; expected 1 to 64 letters, digits, '-' or '_'")
    if kiosk_id == ROSTER:
        raise TopicError(
            f"kiosk id {ROSTER!r} is reserved for the facility roster; expected another"
        )
    if channel not in CHANNELS:
        raise TopicError(f"channel {channel!r}; expected one of {', '.join(CHANNELS)}")
    return str(Topic(facility_id, kiosk_id, channel))


def parse_topic(text: str) -> Topic:
    """Return the parts of a genki topic; raise TopicError naming what does not fit."""
    parts = text.split("/")
    if len(parts) != 5 or "/".join(parts[:2]) != PREFIX:
        raise TopicError(f"topic {text!r}; expected {PREFIX}/<facility>/<kiosk>/<channel>")
    facility_id, kiosk_id, channel = parts[2:]
    topic(facility_id, kiosk_id, channel)  # checks each part
    return Topic(facility_id, kiosk_id, channel)


def every_kiosk(channel: str, *, share_group: str | None = None) -> str:
    """Return the filter for one channel of every kiosk, shared among a group's workers if given."""
    pattern = f"{PREFIX}/+/+/{channel}"
    return pattern if share_group is None else f"$share/{share_group}/{pattern}"


def _check_facility(facility_id: str) -> None:
    if not ID.fullmatch(facility_id):
        raise TopicError(
            f"facility id {facility_id!r}; expected 1 to 64 letters, digits, '-' or '_'"
        )


def roster_topic(facility_id: str, resident_uuid: str) -> str:
    """Return the retained roster topic of one resident of a facility."""
    _check_facility(facility_id)
    if not RESIDENT_UUID.fullmatch(resident_uuid):
        raise TopicError(f"resident uuid {resident_uuid!r}; expected a lower-case UUID")
    return f"{PREFIX}/{facility_id}/{ROSTER}/{resident_uuid}"


def roster_filter(facility_id: str) -> str:
    """Return the filter of every resident of a facility's roster."""
    _check_facility(facility_id)
    return f"{PREFIX}/{facility_id}/{ROSTER}/+"


def parse_roster_topic(text: str) -> tuple[str, str]:
    """Return (facility id, resident uuid) of a roster topic; raise TopicError if it is not one."""
    parts = text.split("/")
    if len(parts) != 5 or "/".join(parts[:2]) != PREFIX or parts[3] != ROSTER:
        raise TopicError(f"topic {text!r}; expected {PREFIX}/<facility>/{ROSTER}/<resident uuid>")
    roster_topic(parts[2], parts[4])  # checks each part
    return parts[2], parts[4]
