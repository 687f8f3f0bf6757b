"""Timed Up and Go timed automatically by a force plate under the feet (REFERENCE.md §3).

The person sits on a chair with the feet on the plate, rises, walks off the plate along the
course, turns, comes back onto the plate, turns and sits. The plate sees only the vertical force
under the feet (Fz): part of the body weight seated, all of it standing, nothing while walking
the course. Rules, all genki's (fractions are of the way from a seated level to standing; times
are seconds from the first sample, interpolated between samples as in measures.chair_stand):

1. Seated levels: the median Fz over the first and over the last ``BASELINE_S``. Standing level:
   the median of the samples above the midpoint between the first seated level and the highest
   sample (measures.chair_stand).
2. **Start, rise onset**: the first stand of measures.chair_stand against the first seated level:
   the last up-crossing of ``ONSET_FRACTION`` before Fz first reaches half way.
3. **Off the plate**: the first fall, after standing, below the off level, ``OFF_FRACTION`` of
   the first seated level (the feet carry less than half of what they carried seated: both have
   left the plate).
4. **Back on the plate**: the next rise above the off level.
5. **Stop, seated again**: the last down-crossing, after coming back, of ``ONSET_FRACTION`` of the
   way from the last seated level to standing.

The time is stop − start. Using the last seated level lets the feet carry a different load after
sitting than before. The test is not timed (time None) when no rise is found, when the feet never
leave the plate, or when the recording does not end seated: its last ``BASELINE_S`` median lies
between the off level and the half level (flagged stopped early otherwise).

Assumptions: the recording starts with the person seated, feet on the plate, for at least
``BASELINE_S``, and ends after at least ``BASELINE_S`` seated again; the plate reads about 0 N
when empty (zeroed); the first step leaves the plate with both feet, and the walk back ends on
it. Compared with a stopwatch started at "go", the time leaves out the reaction time. NaN or
infinite samples are gaps, skipped and flagged. Cut-offs apply only with the protocol of their
source (course length, chair, pace); the caller stores those with the result.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from measures.chair_stand import (
    ONSET_FRACTION,
    STANDING_FRACTION,
    Levels,
    QualityFlag,
    Stand,
    Trace,
    find_stands,
)

ALGORITHM_VERSION = "tug-plate/1"
BASELINE_S = 1.0
OFF_FRACTION = 0.5


@dataclass(frozen=True, slots=True)
class TugPlateResult:
    """A plate-timed TUG: the time (s) and the events it is made of (s from the first sample)."""

    time_s: float | None
    onset_s: float | None
    off_plate_s: float | None
    back_on_plate_s: float | None
    seated_s: float | None
    seated_n: float
    standing_n: float
    quality_flags: tuple[str, ...]
    algorithm_version: str = ALGORITHM_VERSION


def _events(
    trace: Trace, stand: Stand, start: Levels, end: Levels
) -> tuple[list[float], QualityFlag | None]:
    """Return the events in order from the rise onset, and the flag that stopped the search."""
    off_n, seated_n = OFF_FRACTION * start.seated_n, end.at(ONSET_FRACTION)
    events = [stand.onset_s]
    off = trace.crossings(off_n, rising=False, after_s=stand.standing_s)[:1]
    if not off.size:
        return events, QualityFlag.STAYED_ON_PLATE
    events.append(float(trace.crossing_s(off, off_n)[0]))
    back = trace.crossings(off_n, rising=True, after_s=events[-1])[:1]
    if not back.size:
        return events, QualityFlag.STOPPED_EARLY
    events.append(float(trace.crossing_s(back, off_n)[0]))
    seated = trace.crossings(seated_n, rising=False, after_s=events[-1])[-1:]
    if not seated.size or not off_n < end.seated_n < end.at(STANDING_FRACTION):
        return events, QualityFlag.STOPPED_EARLY
    events.append(float(trace.crossing_s(seated, seated_n)[0]))
    return events, None


def tug_from_plate(fz_n: npt.ArrayLike, rate_hz: float) -> TugPlateResult:
    """Time a TUG from Fz under the feet: rise onset to seated again (module docstring)."""
    trace = Trace.of(fz_n, rate_hz)
    first_n = float(np.median(trace.fz[trace.t <= trace.t[0] + BASELINE_S]))
    last_n = float(np.median(trace.fz[trace.t >= trace.t[-1] - BASELINE_S]))
    standing_n = trace.standing_level(first_n)
    start = Levels(first_n, standing_n)
    stands, incomplete_s = find_stands(trace, start)
    flags: list[str] = []
    if stands:
        events, flag = _events(trace, stands[0], start, Levels(last_n, standing_n))
        if any(t <= stands[0].standing_s for t in incomplete_s):
            flags.append(QualityFlag.INCOMPLETE_REPETITION)
    else:
        events, flag = [], QualityFlag.NO_RISE
    if trace.gap_samples:
        flags.append(QualityFlag.SIGNAL_GAP)
    if flag is not None:
        flags.append(flag)
    onset_s, off_s, back_s, seated_s = (*events, None, None, None, None)[:4]
    time_s = None if seated_s is None or onset_s is None else seated_s - onset_s
    return TugPlateResult(
        time_s, onset_s, off_s, back_s, seated_s, first_n, standing_n, tuple(flags)
    )
