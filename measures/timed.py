"""Manually timed tests, mat and lap counting, pure: a stopwatch, seat-mat stands, 6-minute walk.

Stopwatch (TUG and any test timed by hand, REFERENCE.md §3): a start press and a stop press,
from the on-screen buttons or a USB button, give the time between them. More or fewer presses,
or a stop before the start, make the trial invalid rather than guessing.

6-minute walk (REFERENCE.md §5): the distance is the completed laps times the lap length plus the
final partial lap, measured by staff when the 6 minutes end. Lap passes come from a gate (or
presses) at the start line; a pass after the 6 minutes does not count. The protocol id (MEXT
usual pace, clinical ATS, Senior Fitness Test) is stored with the result, because the protocols
are not interchangeable (§5).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

ALGORITHM_VERSION = "timed/1"
SIX_MINUTES_S = 360.0
PROTOCOLS = ("mext_usual_pace", "ats_clinical", "senior_fitness_test")


class TimedFlag(StrEnum):
    """Why a timed result is incomplete or cannot be scored."""

    WRONG_PRESS_COUNT = "wrong_press_count"
    """Not exactly one start and one stop."""
    STOPPED_EARLY = "stopped_early"
    """The walk ended before 6 minutes (the distance is what was walked)."""
    NO_LAPS = "no_laps"
    """No lap pass was recorded."""
    INCOMPLETE_REPETITION = "incomplete_repetition"
    """The last stand had not come back to the seat when the recording ended."""


@dataclass(frozen=True, slots=True)
class StopwatchResult:
    """Time between a start and a stop press (s), or None when the presses do not allow it."""

    time_s: float | None
    flags: tuple[TimedFlag, ...]
    algorithm_version: str = ALGORITHM_VERSION


@dataclass(frozen=True, slots=True)
class SixMinuteWalk:
    """Distance walked in 6 minutes, with the laps that make it up."""

    distance_m: float
    laps: int
    lap_times_s: tuple[float, ...]
    final_partial_m: float
    duration_s: float
    protocol: str
    flags: tuple[TimedFlag, ...]
    algorithm_version: str = ALGORITHM_VERSION


def stopwatch(press_times_s: Sequence[float]) -> StopwatchResult:
    """Return the time from the first press (start) to the second (stop)."""
    presses = list(press_times_s)
    if len(presses) != 2 or presses[1] <= presses[0]:
        return StopwatchResult(None, (TimedFlag.WRONG_PRESS_COUNT,))
    return StopwatchResult(presses[1] - presses[0], ())


@dataclass(frozen=True, slots=True)
class MatStands:
    """Stands counted from a seat contact mat: when the seat was left and taken again (s)."""

    count: int
    seat_off_s: tuple[float, ...]
    seat_on_s: tuple[float, ...]
    flags: tuple[TimedFlag, ...]
    algorithm_version: str = ALGORITHM_VERSION


def mat_stands(
    states: Sequence[int], device_time_s: Sequence[float], *, loaded_state: int = 1
) -> MatStands:
    """Count stands from a seat mat's changes (chronopic-timer.md §6.4): each unloading is one.

    A stand that has not come back to the seat by the end is counted and flagged incomplete.
    """
    offs = [t for s, t in zip(states, device_time_s, strict=True) if s != loaded_state]
    ons = [t for s, t in zip(states, device_time_s, strict=True) if s == loaded_state]
    ons = [t for t in ons if offs and t > offs[0]]
    flags = (TimedFlag.INCOMPLETE_REPETITION,) if len(ons) < len(offs) else ()
    return MatStands(len(offs), tuple(offs), tuple(ons), flags)


def six_minute_walk(
    *,
    start_s: float,
    pass_times_s: Sequence[float],
    lap_length_m: float,
    final_partial_m: float,
    protocol: str,
    end_s: float | None = None,
) -> SixMinuteWalk:
    """Distance from lap passes after ``start_s`` plus the final partial lap.

    ``end_s`` is when the walk ended if it ended before 6 minutes (the person stopped); the
    distance is then what was walked and the result is flagged.
    """
    if protocol not in PROTOCOLS:
        raise ValueError(f"protocol {protocol!r}; expected one of {', '.join(PROTOCOLS)}")
    if lap_length_m <= 0 or not 0 <= final_partial_m < lap_length_m:
        raise ValueError(
            f"lap length {lap_length_m} m and final partial lap {final_partial_m} m; expected a "
            "positive lap length and a partial lap from 0 up to (not including) one lap"
        )
    stop_s = start_s + SIX_MINUTES_S if end_s is None else min(end_s, start_s + SIX_MINUTES_S)
    passes = sorted(t for t in pass_times_s if start_s < t <= stop_s)
    lap_times = tuple(b - a for a, b in itertools.pairwise([start_s, *passes]))
    flags: list[TimedFlag] = []
    if end_s is not None and end_s < start_s + SIX_MINUTES_S:
        flags.append(TimedFlag.STOPPED_EARLY)
    if not passes:
        flags.append(TimedFlag.NO_LAPS)
    return SixMinuteWalk(
        distance_m=len(passes) * lap_length_m + final_partial_m,
        laps=len(passes),
        lap_times_s=lap_times,
        final_partial_m=final_partial_m,
        duration_s=stop_s - start_s,
        protocol=protocol,
        flags=tuple(flags),
    )
