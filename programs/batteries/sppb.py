"""SPPB (REFERENCE.md §2): standing balance, gait, repeated chair stands, total and band.

Raw results:

- ``side_by_side_s``, ``semi_tandem_s``, ``tandem_s``: hold times (s), absent when not attempted.
  The stances go in this order and a stance not held 10 s ends the balance test (§2.5), so a
  time for a later stance is refused.
- ``gait_4m_s`` (or ``gait_3m_s``, the PARTIAL 3-m variant): up to two trials (s), the faster
  counts; an empty list when unable.
- ``chair_stand_single_ok``: the single stand with arms folded (pre-test); ``chair_stand_5x_s``:
  the time for five stands (s), null when unable. After a failed pre-test the five stands are not
  done (§2.3) and a time is refused.

Times are recorded to 0.01 s, rounded half up, before the rows of ``programs/data/sppb.toml``
apply. A component with no entry at all scores 0 and is listed in ``not_attempted`` (§2.5 rule 4).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from programs.batteries.entry import Entry
from programs.batteries.tables import (
    ALGORITHM_VERSION,
    BatteryTables,
    Row,
    Table,
    battery_tables,
    cited,
    result_json,
    weakest,
)
from programs.grip import Provenance

FIELDS = (
    "side_by_side_s", "semi_tandem_s", "tandem_s", "gait_4m_s", "gait_3m_s",
    "chair_stand_single_ok", "chair_stand_5x_s",
)  # fmt: skip
GAIT_TABLES = {"gait_4m_s": "sppb_gait_4m", "gait_3m_s": "sppb_gait_3m"}


@dataclass(frozen=True, slots=True)
class SppbResult:
    """Points per component, total (0–12), band, the recorded times and the tables used."""

    balance_points: int
    gait_points: int
    chair_points: int
    total: int
    band: str
    gait_course_m: int
    gait_time_s: float | None
    chair_stand_time_s: float | None
    not_attempted: tuple[str, ...]
    table_status: str
    tables: tuple[Provenance, ...]
    algorithm_version: str = ALGORITHM_VERSION

    def as_json(self) -> dict[str, Any]:
        """Return the result as printed by ``genki battery score --json``."""
        return result_json(self)


def _balance(entry: Entry, table: Table) -> int:
    """Add the stances' points in order until a stance is not held long enough."""
    stances = table.items(str, "sequence")
    points = 0
    for position, stance in enumerate(stances):
        held = entry.number(stance)
        row = None if held is None else table.lookup(table.record(held), stance)
        points += 0 if row is None else int(row.result)
        if row is not table.items(Row, stance)[0]:
            for later in stances[position + 1 :]:
                entry.skipped(later, after=stance)
            break
    return points


def _gait(entry: Entry, tables: BatteryTables) -> tuple[int, float | None, Table]:
    """Return the points, the faster recorded time and the course's table."""
    if entry.given("gait_4m_s") and entry.given("gait_3m_s"):
        raise entry.error("gait_3m_s", "conflict", other="gait_4m_s")
    name = "gait_3m_s" if entry.given("gait_3m_s") else "gait_4m_s"
    table = tables[GAIT_TABLES[name]]
    trials = entry.trials(name, int(table.number("trials")))
    if not trials:
        return int(table.number("unable")), None, table
    time_s = table.best_of(trials)
    return int(table.lookup(time_s, "rows").result), time_s, table


def _chair(entry: Entry, tables: BatteryTables) -> tuple[int, float | None, tuple[Table, ...]]:
    """Return the points, the recorded five-stand time and the tables that decided them."""
    pretest, stands = tables["sppb_chair_pretest"], tables["sppb_chair_stands"]
    single_ok = entry.flag("chair_stand_single_ok")
    if single_ok is not True:
        entry.skipped("chair_stand_5x_s", after="chair_stand_single_ok")
        return int(pretest.number("unable")), None, (pretest,) if single_ok is False else ()
    seconds = entry.number("chair_stand_5x_s")
    if seconds is None:
        return int(stands.number("unable")), None, (stands,)
    time_s = stands.record(seconds)
    return int(stands.lookup(time_s, "rows").result), time_s, (stands,)


def score_sppb(results: object, *, tables: BatteryTables | None = None) -> SppbResult:
    """Score an SPPB from its raw results (a mapping as described in the module docstring)."""
    tables = tables or battery_tables("sppb")
    entry = Entry(results, "results", FIELDS)
    balance = _balance(entry, tables["sppb_balance"])
    gait, gait_time, gait_table = _gait(entry, tables)
    chair, chair_time, chair_tables = _chair(entry, tables)
    total = balance + gait + chair
    bands = tables["sppb_bands"]
    band = bands.lookup(total, "rows")
    used = (tables["sppb_balance"], gait_table, *chair_tables, bands)
    attempted = {
        "balance": entry.given("side_by_side_s"),
        "gait": entry.given("gait_4m_s") or entry.given("gait_3m_s"),
        "chair": entry.given("chair_stand_single_ok"),
    }
    return SppbResult(
        balance_points=balance,
        gait_points=gait,
        chair_points=chair,
        total=total,
        band=str(band.result),
        gait_course_m=int(gait_table.number("course_m")),
        gait_time_s=gait_time,
        chair_stand_time_s=chair_time,
        not_attempted=tuple(name for name, done in attempted.items() if not done),
        table_status=weakest([*(t.status for t in used), band.status or bands.status]),
        tables=cited(t.provenance for t in used),
    )
