"""Last writer wins: the pure rule that settles a resident changed in two databases.

Every resident row carries a **stamp**: when its latest change was written (``updated_at``, the
writer's clock, UTC) and by whom (``updated_by``: ``"office"`` or a kiosk id). A change travels
with its stamp and keeps it in every database it reaches, so all databases compare the same
pairs. An incoming change replaces the stored one only if its stamp is later; equal times are
settled by the writer id (the larger id wins), so every database picks the same winner whatever
order the changes arrive in.

Guaranteed: the outcome depends only on the two stamps (no arrival order, no local clock), so
databases that have seen the same changes hold the same values. Not guaranteed: that the winner
is the change made last in real time; a writer whose clock runs ahead wins against later
changes from others. Keep the clocks of the office and the kiosks synchronised (NTP).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from records.resident_fields import ResidentFields

OFFICE_WRITER = "office"  # the office station's writer id (also its broker username)


@dataclass(frozen=True, slots=True, order=True)
class Stamp:
    """Who wrote a resident's latest change, and when; ordered by time, then writer id."""

    updated_at: datetime
    updated_by: str

    def as_json(self) -> dict[str, str]:
        """Return the stamp for an audit event."""
        at = self.updated_at.astimezone(UTC).isoformat()
        return {"updated_at": at, "updated_by": self.updated_by}


@dataclass(frozen=True, slots=True)
class SyncedResident:
    """A resident as it travels between databases: identity, values, active flag and stamp.

    Residents are never deleted: a deactivation is a change of ``active`` like any other.
    """

    uuid: str
    fields: ResidentFields
    active: bool
    stamp: Stamp


class Verdict(StrEnum):
    """What to do with an incoming change, given what is stored."""

    NEW = "new"  # no resident with this uuid is stored: add it
    LATER = "later"  # the incoming stamp is later: replace the stored values
    SAME = "same"  # the very change is stored already: nothing to do
    EARLIER = "earlier"  # the stored change is later: ignore the incoming one


def judge(stored: Stamp | None, incoming: Stamp) -> Verdict:
    """Return the verdict of last writer wins for ``incoming`` against ``stored``."""
    if stored is None:
        return Verdict.NEW
    if incoming == stored:
        return Verdict.SAME
    return Verdict.LATER if incoming > stored else Verdict.EARLIER
