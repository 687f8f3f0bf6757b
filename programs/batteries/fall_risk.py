"""Fall-risk set (REFERENCE.md §3, §6): Timed Up and Go, one-leg stance, functional reach.

Raw results, any of which may be absent: ``tug_s`` (s), ``one_leg_stance_s`` (eyes open, s),
``functional_reach_cm`` (manual entry, cm).

- TUG: higher fall risk at t ≥ 13.5 s (Shumway-Cook 2000; low sensitivity, so a shorter time
  never means "safe from falls"), "worse than average for age" beyond Bohannon's 2006 limits
  (60–99 years; no comparison outside), and the MADS criterion t ≥ 11 s.
- One-leg stance: injurious-fall risk below 5 s (Vellas 1997), the MADS criterion below 15 s,
  and the PARTIAL five-grade norm by sex on whole seconds.
- ``mads_functional``: one of the two MADS functional criteria is met (true), neither is met
  with both measured (false), otherwise null; MADS itself also needs a locomotor disease and
  rank J or A, which genki does not assess.
- Functional reach: REFERENCE.md has no cut-off, so the reach is reported without a comparison.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from programs.batteries.entry import Entry, Resident
from programs.batteries.tables import (
    ALGORITHM_VERSION,
    BatteryTables,
    Table,
    battery_tables,
    cited,
    result_json,
    weakest,
)
from programs.grip import Provenance

FIELDS = ("tug_s", "one_leg_stance_s", "functional_reach_cm")
MADS = ("tug_s", "one_leg_stance_s")


@dataclass(frozen=True, slots=True)
class FallRiskResult:
    """Each test's value and findings (null when not measured or not comparable), and the tables."""

    tug_s: float | None
    tug_higher_fall_risk: bool | None
    tug_worse_than_age_average: bool | None
    one_leg_stance_s: float | None
    one_leg_injurious_fall_risk: bool | None
    one_leg_grade: str | None
    mads_functional: bool | None
    mads_by: tuple[str, ...]
    functional_reach_cm: float | None
    table_status: str
    tables: tuple[Provenance, ...]
    algorithm_version: str = ALGORITHM_VERSION

    def as_json(self) -> dict[str, Any]:
        """Return the result as printed by ``genki battery score --json``."""
        return result_json(self)


def _met(table: Table, value: float | None, *path: str | int) -> bool | None:
    """Whether ``value`` meets the condition at ``path``; None when there is no value."""
    return None if value is None else table.condition(*path).met(value)


def _any_met(findings: Collection[bool | None]) -> bool | None:
    """Return true if a finding is met, false if all were measured and none is, else None."""
    if any(findings):
        return True
    return None if None in findings else False


def score_fall_risk(
    resident: Resident, results: object, *, tables: BatteryTables | None = None
) -> FallRiskResult:
    """Rate the fall-risk tests from raw results (see the module docstring)."""
    tables = tables or battery_tables("fall_risk")
    entry = Entry(results, "results", FIELDS)
    tug, one_leg = entry.number("tug_s"), entry.number("one_leg_stance_s")
    risk, norms = tables["tug_shumway_cook_2000"], tables["tug_bohannon_2006"]
    injurious, grades = tables["one_leg_vellas_1997"], tables["one_leg_grades_tmig"]
    mads = tables["mads_2006"]
    band = norms.age_band(resident.age_years, "age_bands")
    worse = None if band is None else _met(norms, tug, "age_bands", band, "worse_than_average")
    grade = None if one_leg is None else grades.lookup(grades.record(one_leg), resident.sex)
    mads_met = {
        name: _met(mads, value, name) for name, value in zip(MADS, (tug, one_leg), strict=True)
    }
    used = [
        *([risk] if tug is not None else []),
        *([norms] if worse is not None else []),
        *([injurious, grades] if one_leg is not None else []),
        *([mads] if tug is not None or one_leg is not None else []),
    ]
    return FallRiskResult(
        tug_s=tug,
        tug_higher_fall_risk=_met(risk, tug, "higher_risk"),
        tug_worse_than_age_average=worse,
        one_leg_stance_s=one_leg,
        one_leg_injurious_fall_risk=_met(injurious, one_leg, "injurious_fall_risk"),
        one_leg_grade=None if grade is None else str(grade.result),
        mads_functional=_any_met(list(mads_met.values())),
        mads_by=tuple(name for name, met in mads_met.items() if met),
        functional_reach_cm=entry.number("functional_reach_cm"),
        table_status=weakest(t.status for t in used),
        tables=cited(t.provenance for t in used),
    )
