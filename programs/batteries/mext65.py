"""MEXT 新体力テスト 65〜79歳 (REFERENCE.md §7): ADL screening, six items, points, total, grade.

Raw results:

- ``adl_answers``: the 12 ADL answers, each 1, 2 or 3 (§7.2); their sum is the ADL total. The
  screening (§7.3) gives the ADL band and the item rules met, and from them ``items_allowed``.
  Its consequences are UNVERIFIED: they are advice to staff, who confirm before a flagged item
  is started, so an item entered anyway is still scored.
- The six items, any of which may be absent: ``grip_kg`` (the recorded value, or
  ``{"right": [...], "left": [...]}`` trials, of which the mean of the best right and best left
  is recorded by the grip rule of programs.grip), ``sit_ups``, ``sit_and_reach_cm``,
  ``one_leg_stance_s``, ``obstacle_walk_10m_s``, ``walk_6min_m``: a number or a list of the
  item's trials; the best trial is recorded with the item's resolution and rounding (§7.1).

Item points (§7.4) come from the sex's table for ages 65–79; outside those ages no points are
given (``age_in_tables`` false, §0.3). ``total_points`` and the grade by age band (§7.5) need
all six items. The points and grade tables are UNVERIFIED, and ``table_status`` says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from programs.batteries.entry import Entry, Resident, field_ranges
from programs.batteries.tables import (
    ALGORITHM_VERSION,
    BatteryTables,
    Condition,
    Table,
    battery_tables,
    cited,
    result_json,
    weakest,
)
from programs.grip import GripTables, Provenance, Sex, default_grip_tables, record_whole_kg

ITEMS = (
    "grip_kg", "sit_ups", "sit_and_reach_cm", "one_leg_stance_s", "obstacle_walk_10m_s",
    "walk_6min_m",
)  # fmt: skip
FIELDS = ("adl_answers", *ITEMS)
HANDS = ("right", "left")
BOUNDS = {"at_least": "ge", "at_most": "le"}
_Screening = tuple[str, tuple[str, ...], set[str]]


@dataclass(frozen=True, slots=True)
class MextResult:
    """ADL screening, recorded values, item points, total and grade, with the tables' status."""

    adl_total: int
    adl_band: str
    adl_rules_met: tuple[str, ...]
    items_allowed: tuple[str, ...]
    recorded: Mapping[str, float]
    item_points: Mapping[str, int]
    total_points: int | None
    grade: str | None
    age_in_tables: bool
    table_status: str
    tables: tuple[Provenance, ...]
    algorithm_version: str = ALGORITHM_VERSION

    def as_json(self) -> dict[str, Any]:
        """Return the result as printed by ``genki battery score --json``."""
        return result_json(self)


def _screening(adl_total: int, answers: tuple[int, ...], tables: BatteryTables) -> _Screening:
    """Return the ADL band, the item rules met and the items they exclude."""
    bands, rules = tables["mext65_adl_bands"], tables["mext65_adl_rules"]
    band = str(bands.lookup(adl_total, "rows").result)
    excluded = set(bands.items(str, "excludes", band))
    met = []
    for index in range(len(rules.get(tuple, "rules"))):
        any_1, none_1 = (
            any(answers[q - 1] == 1 for q in rules.items(int, "rules", index, key))
            for key in ("answer_1_any", "answer_1_none")
        )
        if any_1 and not none_1:
            met.append(rules.get(str, "rules", index, "id"))
            excluded.update(rules.items(str, "rules", index, "excludes"))
    return band, tuple(met), excluded


def _grip(entry: Entry, trials: int, grip_tables: GripTables) -> float | None:
    """Return the recorded grip: from the entered value, or from trials of both hands."""
    value, rounding = entry.values.get("grip_kg"), grip_tables.mext_rounding
    if not isinstance(value, Mapping):
        mean = entry.number("grip_kg")
        return None if mean is None else record_whole_kg(mean, rounding)
    hands = Entry(value, entry.field("grip_kg"), HANDS)
    best = [
        hands.require(hand, max(hands.trials(hand, trials, limits="grip_kg"), default=None))
        for hand in HANDS
    ]
    return record_whole_kg(sum(best) / len(best), rounding)


def _recorded(entry: Entry, tables: BatteryTables, grip_tables: GripTables) -> dict[str, float]:
    """Return the recorded value of every item entered."""
    recorded = {}
    for item in ITEMS:
        table = tables[f"mext65_{item}"]
        if item == "grip_kg":
            value = _grip(entry, int(table.number("trials")), grip_tables)
        else:
            trials = entry.trials(item, int(table.number("trials")))
            value = table.best_of(trials) if trials else None
        if value is not None:
            recorded[item] = value
    return recorded


def item_points(table: Table, sex: Sex, item: str, value: float) -> int:
    """Return an item's points: the first bound the recorded value meets, else the minimum."""
    (key,) = (key for key in BOUNDS if key in table.get(MappingProxyType, sex, item))
    bounds = table.numbers(sex, item, key)
    points = table.items(int, "points")
    return next(
        (
            p
            for p, bound in zip(points, bounds, strict=True)
            if Condition(BOUNDS[key], bound).met(value)
        ),
        int(table.number("min_points")),
    )


def score_mext65(
    resident: Resident,
    results: object,
    *,
    tables: BatteryTables | None = None,
    grip_tables: GripTables | None = None,
) -> MextResult:
    """Score the MEXT 65–79 battery from raw results (see the module docstring)."""
    tables = tables or battery_tables("mext65")
    grip_tables = grip_tables or default_grip_tables()
    entry = Entry(results, "results", FIELDS)
    adl = tables["mext65_adl"]
    check = field_ranges()["adl_answers"].check
    answers = tuple(
        int(a) for a in entry.answers("adl_answers", int(adl.number("questions")), check)
    )
    adl_points = adl.items(int, "answer_points")
    adl_total = sum(adl_points[answer - 1] for answer in answers)
    band, rules_met, excluded = _screening(adl_total, answers, tables)
    recorded = _recorded(entry, tables, grip_tables)
    points_table, grades = tables["mext65_points"], tables["mext65_grades"]
    low, high = points_table.numbers("ages")
    in_tables = low <= resident.age_years <= high
    points = {
        item: item_points(points_table, resident.sex, item, value)
        for item, value in recorded.items()
        if in_tables
    }
    total = sum(points.values()) if len(points) == len(ITEMS) else None
    age_band = grades.age_band(resident.age_years, "age_bands")
    grade = None
    if total is not None and age_band is not None:
        grade = str(grades.lookup(total, "age_bands", age_band, "rows").result)
    used = [
        adl, tables["mext65_adl_bands"], tables["mext65_adl_rules"],
        *(tables[f"mext65_{item}"] for item in recorded),
        *([points_table] if points else []),
        *([grades] if grade is not None else []),
    ]  # fmt: skip
    provenance = [t.provenance for t in used] + (
        [grip_tables.mext] if "grip_kg" in recorded else []
    )
    return MextResult(
        adl_total=adl_total,
        adl_band=band,
        adl_rules_met=rules_met,
        items_allowed=tuple(item for item in ITEMS if item not in excluded),
        recorded=MappingProxyType(recorded),
        item_points=MappingProxyType(points),
        total_points=total,
        grade=grade,
        age_in_tables=in_tables,
        table_status=weakest(p.status for p in provenance),
        tables=cited(provenance),
    )
