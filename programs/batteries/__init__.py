"""Standardized test batteries as data plus pure scoring: raw results in, a frozen result out.

Batteries: ``sppb`` (REFERENCE.md §2), ``awgs2019`` (§1), ``mext65`` (§7), ``fall_risk`` (§3, §6),
``kihon_checklist`` (§10) and ``stabilometry`` (the eyes-open/eyes-closed pair, §8), one module
each. Every cut-off, point table and grade table is a table in ``programs/data/<battery>.toml``
with its provenance (tables.py); every input field has a unit and a range (entry.py,
``programs/data/battery_entry.toml``). Each result names the tables it used and carries the
weakest of their statuses as ``table_status``.

An input document is ``{"battery": NAME, "resident": {"sex": "F"|"M", "age_years": N},
"results": {...}}``; ``score_battery`` reads one and raises EntryError (a ValueError) naming the
field and what is allowed when something is wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from programs.batteries.awgs2019 import score_awgs2019
from programs.batteries.entry import Entry, Resident
from programs.batteries.errors import BatteryError, EntryError, TableError
from programs.batteries.fall_risk import score_fall_risk
from programs.batteries.kihon_checklist import score_kihon_checklist
from programs.batteries.mext65 import score_mext65
from programs.batteries.sppb import score_sppb
from programs.batteries.stabilometry import score_stabilometry

__all__ = [
    "BATTERIES",
    "BatteryError",
    "BatteryResult",
    "EntryError",
    "Resident",
    "ScoredBattery",
    "TableError",
    "score_battery",
]


class BatteryResult(Protocol):
    """What every battery's result offers."""

    @property
    def table_status(self) -> str:
        """The weakest status of the tables the result used."""

    def as_json(self) -> dict[str, Any]:
        """Return the result as JSON-ready values."""


BATTERIES: Mapping[str, Callable[[Resident, object], BatteryResult]] = {
    "sppb": lambda _resident, results: score_sppb(results),
    "awgs2019": score_awgs2019,
    "mext65": score_mext65,
    "fall_risk": score_fall_risk,
    "kihon_checklist": lambda _resident, results: score_kihon_checklist(results),
    "stabilometry": score_stabilometry,
}


@dataclass(frozen=True, slots=True)
class ScoredBattery:
    """One scored input document: which battery, who, and the battery's result."""

    battery: str
    resident: Resident
    result: BatteryResult

    def as_json(self) -> dict[str, Any]:
        """Return the document printed by ``genki battery score --json``."""
        return {
            "battery": self.battery,
            "resident": self.resident.as_json(),
        } | self.result.as_json()


def score_battery(document: object) -> ScoredBattery:
    """Score an input document (parsed JSON) with the battery it names."""
    entry = Entry(document, "", ("battery", "resident", "results"))
    battery = entry.require("battery", entry.choice("battery", tuple(BATTERIES)))
    resident = Resident.read(entry.require("resident", entry.values.get("resident")))
    results = entry.require("results", entry.values.get("results"))
    return ScoredBattery(battery, resident, BATTERIES[battery](resident, results))
