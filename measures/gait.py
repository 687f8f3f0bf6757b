"""Walking times from photocell gates on one timer input (chronopic-timer.md §6), pure.

Input: the timer's input changes in order, as arrays — the electrical state (0/1), the device
time in µs (the running sum of the device's own intervals) and a "continuous" mask that is False
for an event after lost frames, after a saturated interval, or at the start of a time line.

Definition (§6.2): a **crossing** starts at a "cut" (``state == blocked_state``) and ends at the
"clear" that is not followed by another cut within the merge window ``W`` (default 0.5 s; short
re-cuts by an arm belong to the same crossing). Its time is its first cut. Walking time between
crossing ``k`` and ``k+1`` is the difference of their times on the device clock; speed is the
gate distance over that time. A trial is valid with exactly as many crossings as gates, no break
of the time line between the first and the last crossing, each crossing shorter than 3 s and
every speed within 0.05–3.0 m/s (limits are defaults for the measurement protocol to confirm).

Gait speed over 4 m is the SPPB course (REFERENCE.md §2.2; the faster of two trials counts, which
the battery scorer applies); the same function times any distance and split course (§6.3). With
an acceleration zone the first gate stands that far after the start line; without one it stands
on the start line and the walker starts just behind its beam. Either way the time runs from the
first gate's cut, so the zone is part of the course description (``acceleration_zone_m`` in the
result), not of the arithmetic.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

ALGORITHM_VERSION = "gates/1"
MERGE_WINDOW_S = 0.5
MAX_CROSSING_S = 3.0
SPEED_RANGE_M_S = (0.05, 3.0)


class GateFlag(StrEnum):
    """Why a gate trial cannot be scored as it stands."""

    WRONG_CROSSING_COUNT = "wrong_crossing_count"
    """More or fewer crossings than gates (e.g. someone else walked through)."""
    BROKEN_TIME_LINE = "broken_time_line"
    """Frames were lost or an interval saturated between the first and the last crossing."""
    LONG_CROSSING = "long_crossing"
    """A beam stayed cut for more than 3 s (someone stopped in the gate)."""
    SPEED_OUT_OF_RANGE = "speed_out_of_range"
    """A segment speed outside 0.05–3.0 m/s."""
    UNFINISHED_CROSSING = "unfinished_crossing"
    """The recording ended with a beam still cut."""


@dataclass(frozen=True, slots=True)
class Crossing:
    """One passage through a gate: first cut and last clear on the device clock (s)."""

    start_s: float
    end_s: float | None
    continuous: bool


@dataclass(frozen=True, slots=True)
class GateTrial:
    """Split times and speeds between consecutive gates, with validity flags."""

    crossings: tuple[Crossing, ...]
    splits_s: tuple[float, ...]
    speeds_m_s: tuple[float, ...]
    total_time_s: float | None
    mean_speed_m_s: float | None
    flags: tuple[GateFlag, ...]
    acceleration_zone_m: float = 0.0
    algorithm_version: str = ALGORITHM_VERSION

    @property
    def valid(self) -> bool:
        """Whether the trial can be scored."""
        return not self.flags


def find_crossings(
    states: npt.ArrayLike,
    device_time_us: npt.ArrayLike,
    continuous: npt.ArrayLike,
    *,
    blocked_state: int = 1,
    merge_window_s: float = MERGE_WINDOW_S,
) -> tuple[Crossing, ...]:
    """Group the cuts and clears into crossings (§6.2 step 1)."""
    state = np.asarray(states, dtype=np.int64)
    t_s = np.asarray(device_time_us, dtype=np.float64) / 1e6
    ok = np.asarray(continuous, dtype=bool)
    if not state.shape == t_s.shape == ok.shape:
        raise ValueError("states, device_time_us and continuous must have the same length")
    crossings: list[Crossing] = []
    start: float | None = None
    end: float | None = None
    joined = True
    for s, t, c in zip(state, t_s, ok, strict=True):
        if s == blocked_state:
            if start is not None and end is not None and t - end > merge_window_s:
                crossings.append(Crossing(start, end, joined))
                start = None
            if start is None:
                start, joined = float(t), bool(c)
            else:
                joined = joined and bool(c)
            end = None
        elif start is not None:
            end, joined = float(t), joined and bool(c)
    if start is not None:
        crossings.append(Crossing(start, end, joined))
    return tuple(crossings)


def time_gates(
    crossings: Sequence[Crossing],
    gate_positions_m: Sequence[float],
    *,
    acceleration_zone_m: float = 0.0,
) -> GateTrial:
    """Split times and speeds over gates at ``gate_positions_m`` (§6.2 steps 2-5, §6.3).

    Every event after the first crossing's first cut belongs to a later crossing, so the time
    line is continuous from the first crossing to the last when every later crossing is.
    """
    positions = list(gate_positions_m)
    if len(positions) < 2 or positions != sorted(set(positions)):
        raise ValueError("expected at least two gate positions in increasing order, in metres")
    flags: list[GateFlag] = []
    if len(crossings) != len(positions):
        flags.append(GateFlag.WRONG_CROSSING_COUNT)
        return GateTrial(tuple(crossings), (), (), None, None, tuple(flags), acceleration_zone_m)
    starts = [c.start_s for c in crossings]
    if not all(c.continuous for c in crossings[1:]):
        flags.append(GateFlag.BROKEN_TIME_LINE)
    if any(c.end_s is None for c in crossings):
        flags.append(GateFlag.UNFINISHED_CROSSING)
    if any(c.end_s is not None and c.end_s - c.start_s > MAX_CROSSING_S for c in crossings):
        flags.append(GateFlag.LONG_CROSSING)
    splits = tuple(b - a for a, b in itertools.pairwise(starts))
    lengths = [b - a for a, b in itertools.pairwise(positions)]
    speeds = tuple(
        length / split if split > 0 else float("inf")
        for length, split in zip(lengths, splits, strict=True)
    )
    low, high = SPEED_RANGE_M_S
    if not all(low <= v <= high for v in speeds):
        flags.append(GateFlag.SPEED_OUT_OF_RANGE)
    total = starts[-1] - starts[0]
    mean_speed = (positions[-1] - positions[0]) / total if total > 0 else None
    return GateTrial(
        tuple(crossings), splits, speeds, total, mean_speed, tuple(flags), acceleration_zone_m
    )
