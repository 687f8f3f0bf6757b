"""AWGS 2019 sarcopenia (REFERENCE.md §1): case finding, low strength, performance and mass, status.

Raw results:

- ``grip_kg`` (required): the AWGS grip, the maximum of the trials (programs.grip).
- ``gait_speed_m_s`` (with ``gait_course_m``, the course it was measured on), ``chair_stand_5x_s``
  (s), ``sppb_total``: any of the three performance measures; one meeting its criterion makes
  low physical performance true (§1.1). None entered: ``low_performance`` is null.
- ``smi_kg_m2`` with ``smi_method`` (``dxa`` or ``bia``): muscle mass, when measured; the method
  selects the cut-off. Not entered: ``low_muscle_mass`` is null.
- ``calf_cm``, ``sarc_f`` (0–10): case finding (§1.2); SARC-CalF when both are entered.

Status (§1.4): ``possible_sarcopenia`` when strength or performance is low and mass was not
measured; ``sarcopenia`` when mass is low too; ``severe_sarcopenia`` when mass, strength and
performance are all low; otherwise ``no_sarcopenia`` (with mass measured and not low, the low
findings are still reported, without a sarcopenia label). The gait criterion is defined on a 6-m
walk; a gait speed from another course is an approximation (PARTIAL) and the result says so.
Entered values are compared with the cut-offs as they are (REFERENCE.md gives no rounding rule).
"""

from __future__ import annotations

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
from programs.grip import GripTables, Provenance, Sex, default_grip_tables

FIELDS = (
    "grip_kg", "gait_speed_m_s", "gait_course_m", "chair_stand_5x_s", "sppb_total",
    "smi_kg_m2", "smi_method", "calf_cm", "sarc_f",
)  # fmt: skip
PERFORMANCE = ("gait_speed_m_s", "chair_stand_5x_s", "sppb_total")
SMI_METHODS = ("dxa", "bia")


@dataclass(frozen=True, slots=True)
class AwgsResult:
    """The AWGS 2019 status, its three findings (null when not measured) and the case finding."""

    status: str
    low_strength: bool
    low_performance: bool | None
    low_muscle_mass: bool | None
    low_performance_by: tuple[str, ...]
    gait_course_m: float | None
    case_finding: bool | None
    case_finding_by: tuple[str, ...]
    sarc_calf: int | None
    table_status: str
    tables: tuple[Provenance, ...]
    algorithm_version: str = ALGORITHM_VERSION

    def as_json(self) -> dict[str, Any]:
        """Return the result as printed by ``genki battery score --json``."""
        return result_json(self)


def classify(*, low_strength: bool, low_performance: bool | None, low_mass: bool | None) -> str:
    """Return the AWGS 2019 status from the three findings (None: not measured)."""
    if not (low_strength or low_performance) or low_mass is False:
        return "no_sarcopenia"
    if low_mass is None:
        return "possible_sarcopenia"
    return "severe_sarcopenia" if low_strength and low_performance else "sarcopenia"


def _performance(entry: Entry, tables: BatteryTables) -> tuple[tuple[str, ...], list[Table]]:
    """Return the measures meeting their criterion and the tables used (none when unmeasured)."""
    table = tables["awgs2019_low_performance"]
    measured = {name: entry.number(name) for name in PERFORMANCE}
    low_by = tuple(
        name for name, value in measured.items()
        if value is not None and table.condition(name).met(value)
    )  # fmt: skip
    used = [table] if any(v is not None for v in measured.values()) else []
    course = entry.number("gait_course_m")
    if course is not None and not entry.given("gait_speed_m_s"):
        raise entry.error("gait_course_m", "requires", other="gait_speed_m_s")
    approximation = tables["awgs2019_gait_course"]
    if course is not None and course != approximation.number("course_m"):
        used.append(approximation)
    return low_by, used


def _low_mass(entry: Entry, table: Table, sex: Sex) -> bool | None:
    smi, method = entry.number("smi_kg_m2"), entry.choice("smi_method", SMI_METHODS)
    if smi is None and method is not None:
        raise entry.error("smi_method", "requires", other="smi_kg_m2")
    if smi is None:
        return None
    return table.condition(entry.require("smi_method", method), sex).met(smi)


def _case_finding(
    entry: Entry, table: Table, sex: Sex
) -> tuple[dict[str, bool | None], int | None]:
    """Return each case-finding tool's finding (None: not entered) and the SARC-CalF score."""
    calf, sarc_f = entry.number("calf_cm"), entry.number("sarc_f")
    calf_low = None if calf is None else table.condition("calf_cm", sex).met(calf)
    sarc_calf = None
    if sarc_f is not None and calf_low is not None:
        sarc_calf = int(sarc_f) + (
            int(table.number("sarc_calf_low_calf_points")) if calf_low else 0
        )
    findings = {
        "calf_cm": calf_low,
        "sarc_f": None if sarc_f is None else table.condition("sarc_f").met(sarc_f),
        "sarc_calf": None if sarc_calf is None else table.condition("sarc_calf").met(sarc_calf),
    }
    return findings, sarc_calf


def score_awgs2019(
    resident: Resident,
    results: object,
    *,
    tables: BatteryTables | None = None,
    grip_tables: GripTables | None = None,
) -> AwgsResult:
    """Classify sarcopenia by AWGS 2019 from raw results (see the module docstring)."""
    tables = tables or battery_tables("awgs2019")
    grip_tables = grip_tables or default_grip_tables()
    entry = Entry(results, "results", FIELDS)
    grip = entry.require("grip_kg", entry.number("grip_kg"))
    low_strength = grip < grip_tables.awgs_low_below_kg[resident.sex]
    low_by, performance_tables = _performance(entry, tables)
    low_performance = bool(low_by) if performance_tables else None
    low_mass = _low_mass(entry, tables["awgs2019_low_mass"], resident.sex)
    case_table = tables["awgs2019_case_finding"]
    findings, sarc_calf = _case_finding(entry, case_table, resident.sex)
    entered = [name for name, finding in findings.items() if finding is not None]
    used = [
        grip_tables.awgs_low,
        *(t.provenance for t in performance_tables),
        *([tables["awgs2019_low_mass"].provenance] if low_mass is not None else []),
        *([case_table.provenance] if entered else []),
        tables["awgs2019_classification"].provenance,
    ]
    return AwgsResult(
        status=classify(
            low_strength=low_strength, low_performance=low_performance, low_mass=low_mass
        ),
        low_strength=low_strength,
        low_performance=low_performance,
        low_muscle_mass=low_mass,
        low_performance_by=low_by,
        gait_course_m=entry.number("gait_course_m"),
        case_finding=any(findings[name] for name in entered) if entered else None,
        case_finding_by=tuple(name for name in entered if findings[name]),
        sarc_calf=sarc_calf,
        table_status=weakest(p.status for p in used),
        tables=cited(used),
    )
