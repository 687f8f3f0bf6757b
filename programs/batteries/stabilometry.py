"""Stabilometry pair (重心動揺検査, REFERENCE.md §8): eyes open, then eyes closed, ロンベルグ率.

Raw results: ``eyes_open`` and ``eyes_closed``, either of which may be absent, each an object
of the Japanese parameters of one trial (§8.2) as a stabilometer prints them or as genki scored
them from a recording (``results_from_sway``): ``duration_s`` (the recording length),
``path_length_cm`` (総軌跡長), ``mean_velocity_cm_s`` (単位時間軌跡長; computed as path length ÷
duration when not entered), ``envelope_area_cm2`` (外周面積), ``rect_area_cm2`` (矩形面積) and
``rms_area_cm2`` (実効値面積).

- Each trial is echoed with 単位面積軌跡長 = 総軌跡長 ÷ 外周面積 (§8.2) added.
- ``romberg``: eyes-closed ÷ eyes-open value of each parameter measured in both trials (§8.2,
  PARTIAL); ``romberg_primary`` names the parameter most often reported (外周面積).
- ``quality_flags``: ``short_recording`` when a trial is shorter than the protocol's 60 s
  (§8.1, PARTIAL), ``duration_mismatch`` when the two trials differ in length (their areas then
  mix durations), ``undefined_ratio`` when an eyes-open value is zero.
- REFERENCE.md has no verified Japanese norm and no cut-off for a ratio, so nothing is judged.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from measures.errors import SetupMismatchError
from measures.results import QualityFlag, SwayResult
from programs.batteries.entry import Entry, Resident
from programs.batteries.tables import (
    ALGORITHM_VERSION,
    BatteryTables,
    battery_tables,
    cited,
    result_json,
    weakest,
)
from programs.grip import Provenance

TRIALS = ("eyes_open", "eyes_closed")
FIELDS = TRIALS
UNITS = {
    "path_length": "cm",
    "mean_velocity": "cm_s",
    "envelope_area": "cm2",
    "rect_area": "cm2",
    "rms_area": "cm2",
}
TRIAL_FIELDS = ("duration_s", *(f"{name}_{unit}" for name, unit in UNITS.items()))
Trial = Mapping[str, float | None]


@dataclass(frozen=True, slots=True)
class StabilometryResult:
    """Both trials' parameters, the Romberg ratios, quality flags and the tables used."""

    eyes_open: Trial | None
    eyes_closed: Trial | None
    romberg: Mapping[str, float | None]
    romberg_primary: str
    quality_flags: tuple[str, ...]
    table_status: str
    tables: tuple[Provenance, ...]
    algorithm_version: str = ALGORITHM_VERSION

    def as_json(self) -> dict[str, Any]:
        """Return the result as printed by ``genki battery score --json``."""
        return result_json(self)


def _field(parameter: str) -> str:
    """Return the trial field of a Romberg parameter, e.g. ``envelope_area_cm2``."""
    return f"{parameter}_{UNITS[parameter]}"


def _trial(results: Entry, name: str) -> Trial | None:
    """Read one trial's parameters and add mean velocity and 単位面積軌跡長 where they follow."""
    value = results.values.get(name)
    if value is None:
        return None
    entry = Entry(value, results.field(name), TRIAL_FIELDS)
    values = {field: entry.number(field) for field in TRIAL_FIELDS}
    path, duration = values["path_length_cm"], values["duration_s"]
    if values["mean_velocity_cm_s"] is None and path is not None and duration:
        values["mean_velocity_cm_s"] = path / duration
    envelope = values["envelope_area_cm2"]
    values["path_length_per_area_1_cm"] = path / envelope if path is not None and envelope else None
    return MappingProxyType(values)


def _ratio(closed: float | None, opened: float | None) -> float | None:
    """Return closed ÷ opened, None when either is missing or the eyes-open value is zero."""
    if closed is None or opened is None or opened == 0:
        return None
    return closed / opened


def _flags(
    opened: Trial | None, closed: Trial | None, protocol_s: float, parameters: tuple[str, ...]
) -> tuple[str, ...]:
    """Return the pair's quality flags (see the module docstring)."""
    durations = [t["duration_s"] for t in (opened, closed) if t is not None]
    flags = []
    if any(d is not None and d < protocol_s for d in durations):
        flags.append(QualityFlag.SHORT_RECORDING)
    if opened is not None and closed is not None:
        if None not in durations and durations[0] != durations[1]:
            flags.append(QualityFlag.DURATION_MISMATCH)
        if any(opened[_field(name)] == 0 for name in parameters):
            flags.append(QualityFlag.UNDEFINED_RATIO)
    return tuple(str(flag) for flag in flags)


def score_stabilometry(
    _resident: Resident, results: object, *, tables: BatteryTables | None = None
) -> StabilometryResult:
    """Report the stabilometry pair and its Romberg ratios (see the module docstring)."""
    tables = tables or battery_tables("stabilometry")
    protocol, ratio = tables["protocol_jsner_1988"], tables["romberg_ratio"]
    parameters = ratio.items(str, "parameters")
    if unknown := sorted(set(parameters) - set(UNITS)):
        raise ratio.error(["parameters"], f"names from {', '.join(UNITS)}, not {unknown}")
    entry = Entry(results, "results", FIELDS)
    opened, closed = (_trial(entry, name) for name in TRIALS)
    both = opened is not None and closed is not None
    romberg = {
        name: _ratio(closed[_field(name)], opened[_field(name)])
        if opened is not None and closed is not None
        else None
        for name in parameters
    }
    used = [protocol, *([ratio] if both else [])]
    return StabilometryResult(
        eyes_open=opened,
        eyes_closed=closed,
        romberg=MappingProxyType(romberg),
        romberg_primary=ratio.get(str, "primary"),
        quality_flags=_flags(opened, closed, protocol.number("duration_s"), parameters),
        table_status=weakest(t.status for t in used),
        tables=cited(t.provenance for t in used),
    )


def _sway_trial(sway: SwayResult) -> dict[str, float | None]:
    """Return one scored recording as the raw results of a trial, in cm."""
    values = {
        "duration_s": sway.samples / sway.source_rate_hz,
        "path_length_cm": sway.path_length_mm / 10,
        "mean_velocity_cm_s": sway.mean_velocity_mm_s / 10,
        "envelope_area_cm2": sway.envelope_area_mm2 / 100,
        "rect_area_cm2": sway.rect_area_mm2 / 100,
        "rms_area_cm2": sway.rms_area_mm2 / 100,
    }
    return {name: value if math.isfinite(value) else None for name, value in values.items()}


def results_from_sway(eyes_open: SwayResult, eyes_closed: SwayResult) -> dict[str, object]:
    """Return the raw results of a pair genki recorded and scored (measures.stabilometry).

    The duration is the recording length N / f_s, the protocol's 60 s; the mean velocity is the
    scorer's own (path length ÷ (N − 1) / f_s, §8). Raises SetupMismatchError when the two
    trials were scored at different rates or with different filters: their ratios would mix them.
    """
    if (eyes_open.rate_hz, eyes_open.filter) != (eyes_closed.rate_hz, eyes_closed.filter):
        raise SetupMismatchError(
            f"eyes open at {eyes_open.rate_hz:g} Hz/{eyes_open.filter}, eyes closed at "
            f"{eyes_closed.rate_hz:g} Hz/{eyes_closed.filter}; expected the same for both trials"
        )
    return {"eyes_open": _sway_trial(eyes_open), "eyes_closed": _sway_trial(eyes_closed)}
