"""Five-times and 30-second chair stands from the vertical force under the feet, or timed by hand.

The plate is under the feet of a person seated on a chair (REFERENCE.md §2.3 SPPB repeated chair
stands, §4.1 Senior Fitness Test 30-second chair stand). Seated, the feet carry part of the body
weight; standing, all of it. Every time below is seconds from the first sample, interpolated
linearly between the two samples on either side of a crossing.

Fz is first low-passed at 10 Hz with zero phase (measures.filters.lowpass10; rates above
20 Hz, 10 samples or more), so sensor noise does not make Fz flicker across a level; a rise
or a sit has almost all of its content below 3 Hz, so the event times do not move.

Levels, estimated from the data:

- seated level: the ``SEATED_QUANTILE`` quantile of Fz (the feet never carry less than seated);
- standing level: the median of the samples above the midpoint between the seated level and the
  highest sample (quiet standing lies there; the rise peaks are few and lie above it).

Events (genki's definitions; a fraction is of the way from the seated to the standing level):

- **standing**: Fz up-crosses ``STANDING_FRACTION`` (half the load is on the feet);
- **rise onset**: the last up-crossing of ``ONSET_FRACTION`` before standing;
- **sitting**: Fz down-crosses the half level after standing;
- **seated again**: the next down-crossing of the onset level.

A stand counts only after the load has been back at the onset level (a person hovering at half
way is not standing up again). A rise that leaves the onset level and falls back without reaching
half way, or a sit that turns back before the onset level, is an *incomplete repetition* when it
lasts ``MIN_EXCURSION_S`` or more (shorter ones are noise flickering across a level).

Five-times test (§2.3: "time from the start signal to full standing at the 5th stand", timing
points PARTIAL): the plate cannot hear the start signal, so genki starts at the first rise onset
and stops when the 5th stand is standing. The stand times are the splits: from the start to the
first standing, then from each standing to the next. Both points are load events, so a plate
time is shorter than a stopwatch time by the reaction time and the last half of the 5th rise.

30-second test (§4.1: full stands in 30 s; a stand more than half-way up at 30 s counts): the
window starts at the first rise onset; a stand counts when it is standing by the end of the
window, which is §4.1's half-way rule in load terms.

Assumptions: the recording starts seated, the feet stay on the plate, the chair is off it. NaN
or infinite samples are gaps: bridged by straight lines for the low-pass, left out of the
crossings (which interpolate across them), and flagged. The hand-timed path takes start and
stop presses (measures.timed) and the count entered by staff.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

import numpy as np
import numpy.typing as npt

from measures.errors import SignalError, TooFewSamplesError
from measures.filters import LOWPASS_CUTOFF_HZ, lowpass10
from measures.signals import check_rate
from measures.timed import stopwatch

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
ALGORITHM_VERSION = "chair-stand/1"
SEATED_QUANTILE = 0.05
ONSET_FRACTION = 0.1
STANDING_FRACTION = 0.5
MIN_EXCURSION_S = 0.2
FIVE_STANDS = 5
THIRTY_S = 30.0
MAX_THIRTY_SECOND_COUNT = 60
MAX_FORCE_N = 1e6  # far above any plate's range; larger values are not a force signal
LOWPASS_MIN_SAMPLES = 10  # what the forward-backward filter's padding needs
Source = Literal["force_plate", "manual"]


class QualityFlag(StrEnum):
    """Why a chair-stand or plate TUG result needs a second look or cannot be scored."""

    INCOMPLETE_REPETITION = "incomplete_repetition"
    """A rise fell back before half way, or a sit turned back before the seat."""
    FEWER_THAN_FIVE = "fewer_than_five"
    """The five-times test has fewer than 5 stands: no time."""
    STOPPED_EARLY = "stopped_early"
    """The recording or the test ended before the test did (30 s, or seated again)."""
    SIGNAL_GAP = "signal_gap"
    """The signal has NaN or infinite samples; crossings were interpolated across them."""
    NO_RISE = "no_rise"
    """No rise to standing was found."""
    STAYED_ON_PLATE = "stayed_on_plate"
    """TUG: the feet never left the plate, so the walk was not seen."""


@dataclass(frozen=True, slots=True)
class Levels:
    """The seated and standing vertical force (N) the fractions of the module doc refer to."""

    seated_n: float
    standing_n: float

    def at(self, fraction: float) -> float:
        """Return the force ``fraction`` of the way from seated to standing (N)."""
        return self.seated_n + fraction * (self.standing_n - self.seated_n)


@dataclass(frozen=True, slots=True)
class Trace:
    """The finite samples of a force signal: their times (s), values (N) and the gap count."""

    t: FloatArray
    fz: FloatArray
    gap_samples: int

    @classmethod
    def of(cls, fz_n: npt.ArrayLike, rate_hz: float) -> Trace:
        """Keep the finite samples of ``fz_n``, low-passed; raise SignalError unless 2 remain.

        A finite sample beyond ±``MAX_FORCE_N`` raises SignalError too.
        """
        fz = np.asarray(fz_n, dtype=np.float64)
        if fz.ndim != 1:
            raise SignalError(f"Fz has shape {fz.shape}; expected a 1-D series of samples")
        rate = check_rate(rate_hz)
        index = np.flatnonzero(np.isfinite(fz))
        if index.size < 2:
            raise TooFewSamplesError(f"{index.size} finite Fz samples given; expected at least 2")
        beyond = np.flatnonzero(np.abs(fz[index]) > MAX_FORCE_N)
        if beyond.size:
            raise SignalError(
                f"Fz sample {index[beyond[0]]} is {fz[index[beyond[0]]]:g} N; "
                f"expected at most {MAX_FORCE_N:g} N either way"
            )
        if rate > 2 * LOWPASS_CUTOFF_HZ and fz.size >= LOWPASS_MIN_SAMPLES:
            bridged = np.interp(np.arange(fz.size), index, fz[index])  # lines across the gaps
            fz = lowpass10(bridged, rate)
        return cls(index / rate, fz[index], fz.size - index.size)

    def crossing_s(self, after: IntArray, level: float) -> FloatArray:
        """Return when Fz passes ``level`` between samples ``after − 1`` and ``after`` (s)."""
        v0, v1 = self.fz[after - 1], self.fz[after]
        t0, t1 = self.t[after - 1], self.t[after]
        times: FloatArray = t0 + (level - v0) / (v1 - v0) * (t1 - t0)
        return times

    def crossings(self, level: float, *, rising: bool, after_s: float) -> IntArray:
        """Return the samples after ``after_s`` at which Fz has just crossed ``level``."""
        above = self.fz >= level if rising else self.fz <= level
        hits = np.flatnonzero(above[1:] & ~above[:-1]) + 1
        return hits[self.t[hits] > after_s]

    def standing_level(self, seated_n: float) -> float:
        """Median of the samples above the midpoint between ``seated_n`` and the highest one."""
        return float(np.median(self.fz[self.fz >= (seated_n + self.fz.max()) / 2]))


@dataclass(frozen=True, slots=True)
class Stand:
    """One repetition (s from the first sample); a stand not yet sat down has None."""

    onset_s: float
    standing_s: float
    sitting_s: float | None
    seated_s: float | None


@dataclass(frozen=True, slots=True)
class StandDetection:
    """Every stand of a recording, the incomplete repetitions (when they fell back, s), gaps."""

    levels: Levels
    stands: tuple[Stand, ...]
    incomplete_s: tuple[float, ...]
    gap_samples: int
    end_s: float


@dataclass(frozen=True, slots=True)
class FiveTimesResult:
    """Five-times chair stand: total time and splits (s), or None when it cannot be timed.

    ``count`` is the stands done, at most 5; the splits run from the start to each standing.
    """

    time_s: float | None
    count: int
    stand_times_s: tuple[float, ...]
    start_s: float | None
    stop_s: float | None
    stands: tuple[Stand, ...]
    source: Source
    quality_flags: tuple[str, ...]
    algorithm_version: str = ALGORITHM_VERSION


@dataclass(frozen=True, slots=True)
class ThirtySecondResult:
    """30-second chair stand: stands counted in the window, and the window scored (s)."""

    count: int
    start_s: float | None
    duration_s: float
    stands: tuple[Stand, ...]
    source: Source
    quality_flags: tuple[str, ...]
    algorithm_version: str = ALGORITHM_VERSION


def _band_runs(fz: FloatArray, low_n: float, high_n: float) -> tuple[IntArray, IntArray, IntArray]:
    """Return the runs at or below ``low_n`` (band 0) or at or above ``high_n`` (band 2).

    Each run is (first sample, one past its last sample, band). Runs in between are left out, so
    a run's neighbour is the last extreme the signal was in.
    """
    band = np.where(fz <= low_n, 0, np.where(fz >= high_n, 2, 1))
    starts = np.flatnonzero(np.diff(band, prepend=-1))
    ends = np.append(starts[1:], fz.size)
    keep = band[starts] != 1
    return starts[keep], ends[keep], band[starts][keep]


def find_stands(trace: Trace, levels: Levels) -> tuple[tuple[Stand, ...], tuple[float, ...]]:
    """Return the stands and the times the incomplete repetitions fell back (module docstring)."""
    onset_n, standing_n = levels.at(ONSET_FRACTION), levels.at(STANDING_FRACTION)
    starts, ends, bands = _band_runs(trace.fz, onset_n, standing_n)
    previous, current = bands[:-1], bands[1:]
    up = np.flatnonzero((previous == 0) & (current == 2)) + 1
    down = np.flatnonzero((previous == 2) & (current == 0)) + 1
    repeated = np.flatnonzero(previous == current) + 1
    repeated = repeated[trace.t[starts[repeated]] - trace.t[ends[repeated - 1]] >= MIN_EXCURSION_S]
    rises = zip(
        trace.crossing_s(ends[up - 1], onset_n).tolist(),
        trace.crossing_s(starts[up], standing_n).tolist(),
        np.searchsorted(down, up).tolist(),
        strict=True,
    )
    sittings = trace.crossing_s(ends[down - 1], standing_n).tolist()
    seateds = trace.crossing_s(starts[down], onset_n).tolist()
    stands = tuple(
        Stand(onset, standing, *((sittings[j], seateds[j]) if j < down.size else (None, None)))
        for onset, standing, j in rises
    )
    return stands, tuple(trace.t[starts[repeated]].tolist())


def detect_stands(fz_n: npt.ArrayLike, rate_hz: float) -> StandDetection:
    """Find every stand in a chair-stand recording (definitions in the module docstring)."""
    trace = Trace.of(fz_n, rate_hz)
    seated_n = float(np.quantile(trace.fz, SEATED_QUANTILE))
    levels = Levels(seated_n, trace.standing_level(seated_n))
    stands, incomplete_s = find_stands(trace, levels)
    return StandDetection(levels, stands, incomplete_s, trace.gap_samples, float(trace.t[-1]))


def _flags(detection: StandDetection, until_s: float, *extra: QualityFlag) -> tuple[str, ...]:
    flags = [*extra]
    if any(t <= until_s for t in detection.incomplete_s):
        flags.append(QualityFlag.INCOMPLETE_REPETITION)
    if detection.gap_samples:
        flags.append(QualityFlag.SIGNAL_GAP)
    if not detection.stands:
        flags.append(QualityFlag.NO_RISE)
    return tuple(flags)


def five_times_sit_to_stand(fz_n: npt.ArrayLike, rate_hz: float) -> FiveTimesResult:
    """Time the five-times chair stand from Fz: first rise onset to the 5th standing (s)."""
    detection = detect_stands(fz_n, rate_hz)
    stands = detection.stands[:FIVE_STANDS]
    marks = [stands[0].onset_s, *(stand.standing_s for stand in stands)] if stands else []
    splits = tuple(np.diff(marks).tolist())
    if len(stands) < FIVE_STANDS:
        flags = _flags(detection, detection.end_s, QualityFlag.FEWER_THAN_FIVE)
        start_s = marks[0] if marks else None
        return FiveTimesResult(
            None, len(stands), splits, start_s, None, stands, "force_plate", flags
        )
    start_s, stop_s = marks[0], marks[-1]
    flags = _flags(detection, stop_s)
    return FiveTimesResult(
        stop_s - start_s, FIVE_STANDS, splits, start_s, stop_s, stands, "force_plate", flags
    )


def thirty_second_chair_stand(fz_n: npt.ArrayLike, rate_hz: float) -> ThirtySecondResult:
    """Count the stands of a 30-second chair stand from Fz (window from the first rise onset)."""
    detection = detect_stands(fz_n, rate_hz)
    if not detection.stands:
        return ThirtySecondResult(0, None, 0.0, (), "force_plate", _flags(detection, np.inf))
    start_s = detection.stands[0].onset_s
    window_end_s = start_s + THIRTY_S
    counted = tuple(s for s in detection.stands if s.standing_s <= window_end_s)
    early = (QualityFlag.STOPPED_EARLY,) if detection.end_s < window_end_s else ()
    return ThirtySecondResult(
        len(counted),
        start_s,
        min(THIRTY_S, detection.end_s - start_s),
        counted,
        "force_plate",
        _flags(detection, window_end_s, *early),
    )


def _check_count(name: str, count: int, maximum: int) -> None:
    if not 0 <= count <= maximum:
        raise ValueError(f"{name} {count}; expected a whole number from 0 to {maximum}")


def five_times_manual(press_times_s: Sequence[float], stands: int) -> FiveTimesResult:
    """Five-times chair stand timed by hand: start and stop presses, and the stands completed."""
    _check_count("stands", stands, FIVE_STANDS)
    watch = stopwatch(press_times_s)
    flags: tuple[str, ...] = watch.flags
    if stands < FIVE_STANDS:
        flags = (*flags, QualityFlag.FEWER_THAN_FIVE)
    time_s = watch.time_s if stands == FIVE_STANDS else None
    start_s, stop_s = press_times_s if watch.time_s is not None else (None, None)
    return FiveTimesResult(time_s, stands, (), start_s, stop_s, (), "manual", flags)


def thirty_second_manual(count: int, press_times_s: Sequence[float] = ()) -> ThirtySecondResult:
    """30-second chair stand counted by hand; presses (start, stop), if given, time the window.

    A stop pressed before 30 s flags the result as stopped early.
    """
    _check_count("count", count, MAX_THIRTY_SECOND_COUNT)
    if not press_times_s:
        return ThirtySecondResult(count, None, THIRTY_S, (), "manual", ())
    watch = stopwatch(press_times_s)
    if watch.time_s is None:
        return ThirtySecondResult(count, None, THIRTY_S, (), "manual", watch.flags)
    early = (QualityFlag.STOPPED_EARLY,) if watch.time_s < THIRTY_S else ()
    duration_s = min(THIRTY_S, watch.time_s)
    return ThirtySecondResult(count, press_times_s[0], duration_s, (), "manual", early)
