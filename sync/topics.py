"""MQTT topics: ``genki/v1/<facility>/<kiosk>/<channel>`` (DESIGN.md, sync).

Channels: ``results`` and ``status`` (kiosk → office; status is retained, birth and last will),
``acks`` (office → kiosk). Facility and kiosk ids are single topic levels without wildcards.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sync.errors import TopicError

PREFIX = "genki/v1"
RESULTS, STATUS, ACKS = "results", "status", "acks"
CHANNELS = (RESULTS, STATUS, ACKS)
ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


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
