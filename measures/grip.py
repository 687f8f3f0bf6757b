"""One grip trial scored from a force-time series in kgf, as the Tindeq Progressor reports it.

Input: ``time_s`` (strictly increasing; the rate may be irregular or measured, so every measure
works from the time stamps, never from a nominal rate) and the tared force ``force_kgf``.

The grip value itself is ``peak_kgf``: exactly the largest sample, never smoothed, so that the
trial rules of the clinical reference (AWGS 2019 maximum, MEXT best per hand; programs.grip)
see what the gauge measured. ``../shared/clinical/REFERENCE.md`` defines no force-time measure
of a grip trial. The onset, RFD windows, hold and fatigue measures below are therefore **genki's
choice among published definitions, not definitions from the clinical reference**: their status
for the clinic is UNVERIFIED (``DEFINITIONS_STATUS``) and every result says so.

- ``baseline_kgf``: median of the samples in the first ``BASELINE_S``; their noise is the robust
  standard deviation 1.4826 · MAD (insensitive to one-sample spikes).
- Onset (automated threshold detection, one of the onset methods reviewed by Maffiuletti NA,
  Aagaard P, Blazevich AJ, et al. Eur J Appl Physiol 2016;116(6):1091-1116): the first sample
  before the peak at least ``ONSET_FRACTION`` of (peak − baseline) above the baseline, then back
  from there to the last sample within ``ONSET_NOISE_SD`` noise deviations of the baseline. The
  2.5 % and 3-deviation parameters are genki's.
- ``time_to_peak_s``: peak time − onset ("time to maximum value", one of the force-time
  indicators reviewed by Silva-Santos T, Guerra RS, Valdiviesso R, Amaral TF. Nutrients
  2024;16(12):1951).
- ``rfd_0_100_kgf_s``, ``rfd_0_200_kgf_s``: (F(onset + w) − F(onset)) / w for w = 0.1 and 0.2 s,
  F linearly interpolated between samples: windows timed from the onset as discussed by
  Maffiuletti et al. 2016, and used for handgrip in older women by Palmer TB, Maurya PS,
  Sisneros KP, Palmer BM. J Musculoskelet Neuronal Interact 2023;23(1):36-42.
- ``hold_90_s``: duration of the unbroken stretch around the peak in which F ≥ 90 % of the peak
  (crossings interpolated): a threshold-time measure of the fatigue-resistance kind (time until
  grip falls to 50 % of its maximum, Bautmans I, Mets T. Aging Clin Exp Res 2005,
  doi:10.1007/BF03324600; to 75/50/25 %, Almashaqbeh SF et al. J Biomed Phys Eng 2022,
  doi:10.31661/jbpe.v0i0.2009-1197) at a 90 % level chosen by genki. It is not the "T-90%" of
  the Japanese grip literature, which is the time to reach 90 % of the maximum.
- ``fatigue_resistance_50_s``: time from the peak until F first falls below 50 % of the peak,
  interpolated (Bautmans & Mets 2005).
- ``fatigue_index_pct``: only for a sustained effort (fatigue resistance ≥ ``SUSTAINED_MIN_S``):
  100 · (peak − F̄) / peak, F̄ the time-weighted mean force over the last ``FATIGUE_WINDOW_S``
  up to the last sample at or above 50 % of the peak. The percentage-decline fatigue index
  (first − last) / first · 100 of White C, Dixon K, Samuel D, Stokes M. SpringerPlus
  2013;2:451 applied within one sustained contraction, as the sustained-grip test of Kamimura T,
  Ikuta Y. J Rehabil Med 2001;33(5):225-229 reads late strength relative to the peak.

Quality flags (``GripFlag``) say what limits a trial; none of them changes ``peak_kgf``.
Detection limits (``MIN_EFFORT_KGF``, ``TARE_TOLERANCE_KGF``) are device plausibility bounds,
not clinical thresholds. Gaps use the rule of the Progressor codec (tindeq-progressor.md §4.2):
an interval above 1.5 times the median interval.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from measures.errors import SignalError
from measures.signals import FloatArray, as_signal, check_lengths

ALGORITHM_VERSION = "grip/1"
DEFINITIONS_STATUS = "UNVERIFIED"
DEFINITIONS_SOURCE = "genki's choice of published definitions (measures.grip), not REFERENCE.md"
MIN_SAMPLES = 3
BASELINE_S = 0.25
ONSET_FRACTION = 0.025
ONSET_NOISE_SD = 3.0
MAD_TO_SD = 1.4826
RFD_WINDOWS_S = (0.1, 0.2)
HOLD_FRACTION = 0.9
FATIGUE_FRACTION = 0.5
SUSTAINED_MIN_S = 5.0
FATIGUE_WINDOW_S = 1.0
MIN_EFFORT_KGF = 1.0  # detection limit: a smaller maximum is not scored as a squeeze
TARE_TOLERANCE_KGF = 0.5  # a tared gauge never reads below this
END_MARGIN_S = 0.1  # a peak this close to the last time stamp may be cut off
GAP_FACTOR = 1.5


class GripFlag(StrEnum):
    """Conditions that limit how a grip trial may be read."""

    NO_EFFORT = "no_effort"
    """The maximum is below MIN_EFFORT_KGF: no squeeze; only peak_kgf is reported."""
    STARTS_LOADED = "starts_loaded"
    """Force at the start is already above the onset level: onset, time to peak and RFD unknown."""
    PEAK_AT_END = "peak_at_end"
    """The peak lies within END_MARGIN_S of the last sample: the recording may be truncated."""
    ENDS_LOADED = "ends_loaded"
    """The force never falls below 50 % of the peak: hold and fatigue measures unknown."""
    TIME_GAPS = "time_gaps"
    """An interval between time stamps above GAP_FACTOR times the median: samples missing."""
    NEGATIVE_FORCE = "negative_force"
    """A sample below −TARE_TOLERANCE_KGF: tare problem (or a glitch); re-tare and repeat."""


@dataclass(frozen=True, slots=True)
class GripTrialResult:
    """Scores of one grip trial (definitions in the module docstring); None where not defined."""

    samples: int
    duration_s: float
    rate_hz: float
    peak_kgf: float
    peak_time_s: float
    baseline_kgf: float
    onset_time_s: float | None
    time_to_peak_s: float | None
    rfd_0_100_kgf_s: float | None
    rfd_0_200_kgf_s: float | None
    hold_90_s: float | None
    fatigue_resistance_50_s: float | None
    fatigue_index_pct: float | None
    quality_flags: tuple[GripFlag, ...]
    definitions_source: str = DEFINITIONS_SOURCE
    definitions_status: str = DEFINITIONS_STATUS
    algorithm_version: str = ALGORITHM_VERSION

    def as_json(self) -> dict[str, object]:
        """Return the scores as a JSON-ready dictionary (flags as a list of names)."""
        values = {field.name: getattr(self, field.name) for field in fields(self)}
        values["quality_flags"] = [str(flag) for flag in self.quality_flags]
        return values


@dataclass(frozen=True, slots=True)
class _Onset:
    """Onset-derived measures, all None when the onset cannot be found."""

    time_s: float | None = None
    time_to_peak_s: float | None = None
    rfd_kgf_s: tuple[float | None, ...] = (None,) * len(RFD_WINDOWS_S)


def _check_time(time: FloatArray) -> None:
    steps = np.diff(time)
    if steps.size and not (steps > 0).all():
        index = int(np.argmin(steps > 0)) + 1
        raise SignalError(
            f"time_s[{index}] = {time[index]:g} is not after time_s[{index - 1}] = "
            f"{time[index - 1]:g}; expected strictly increasing time stamps"
        )


def _crossing(time: FloatArray, force: FloatArray, before: int, level: float) -> float:
    """Time at which the line from sample ``before`` to the next one crosses ``level``."""
    after = before + 1
    share = (level - force[before]) / (force[after] - force[before])
    return float(time[before] + share * (time[after] - time[before]))


def _time_mean(time: FloatArray, force: FloatArray, start_s: float, end_s: float) -> float:
    """Time-weighted mean of the piecewise-linear force between ``start_s`` and ``end_s``."""
    if end_s <= start_s:
        return float(np.interp(end_s, time, force))
    inside = time[(time > start_s) & (time < end_s)]
    grid = np.concatenate(([start_s], inside, [end_s]))
    values = np.interp(grid, time, force)
    area = float(np.sum((values[1:] + values[:-1]) * np.diff(grid)) / 2)
    return area / (end_s - start_s)


def _onset(time: FloatArray, force: FloatArray, peak_index: int, window: FloatArray) -> _Onset:
    """Onset, time to peak and RFD (module docstring); empty when the trace starts loaded."""
    baseline = float(np.median(window))
    noise = MAD_TO_SD * float(np.median(np.abs(window - baseline)))
    peak = float(force[peak_index])
    level = baseline + ONSET_FRACTION * (peak - baseline)
    crossing = int(np.argmax(force[: peak_index + 1] >= level))
    quiet = np.flatnonzero(force[: crossing + 1] <= baseline + ONSET_NOISE_SD * noise)
    if baseline >= ONSET_FRACTION * peak or quiet.size == 0:
        return _Onset()
    onset = int(quiet[-1])
    onset_s = float(time[onset])
    rfd = tuple(
        None
        if onset_s + window_s > time[-1]
        else (float(np.interp(onset_s + window_s, time, force)) - float(force[onset])) / window_s
        for window_s in RFD_WINDOWS_S
    )
    return _Onset(onset_s, float(time[peak_index]) - onset_s, rfd)


def _hold(time: FloatArray, force: FloatArray, peak_index: int) -> float | None:
    """Length of the unbroken stretch around the peak at or above HOLD_FRACTION of the peak."""
    level = HOLD_FRACTION * float(force[peak_index])
    below_before = np.flatnonzero(force[:peak_index] < level)
    below_after = np.flatnonzero(force[peak_index:] < level)
    if below_before.size == 0 or below_after.size == 0:
        return None
    first, last = int(below_before[-1]), peak_index + int(below_after[0])
    return _crossing(time, force, last - 1, level) - _crossing(time, force, first, level)


def _fatigue(
    time: FloatArray, force: FloatArray, peak_index: int
) -> tuple[float | None, float | None]:
    """Fatigue resistance (time to 50 % of the peak) and, for a sustained effort, fatigue index."""
    peak = float(force[peak_index])
    level = FATIGUE_FRACTION * peak
    below = np.flatnonzero(force[peak_index:] < level)
    if below.size == 0:
        return None, None
    fallen = peak_index + int(below[0])
    resistance_s = _crossing(time, force, fallen - 1, level) - float(time[peak_index])
    if resistance_s < SUSTAINED_MIN_S:
        return resistance_s, None
    end_s = float(time[fallen - 1])
    start_s = max(end_s - FATIGUE_WINDOW_S, float(time[peak_index]))
    late = _time_mean(time, force, start_s, end_s)
    return resistance_s, 100.0 * (peak - late) / peak


def _flags(time: FloatArray, force: FloatArray, peak_index: int) -> list[GripFlag]:
    """Return the flags that hold whatever the effort: truncation, gaps, negative force."""
    flags = []
    if time[-1] - time[peak_index] <= END_MARGIN_S:
        flags.append(GripFlag.PEAK_AT_END)
    steps = np.diff(time)
    if (steps > GAP_FACTOR * float(np.median(steps))).any():
        flags.append(GripFlag.TIME_GAPS)
    if float(force.min()) < -TARE_TOLERANCE_KGF:
        flags.append(GripFlag.NEGATIVE_FORCE)
    return flags


def score_grip(time_s: npt.ArrayLike, force_kgf: npt.ArrayLike) -> GripTrialResult:
    """Score one grip trial from its time stamps (s) and tared force (kgf)."""
    time, force = as_signal(time_s, "time_s"), as_signal(force_kgf, "force_kgf")
    samples = check_lengths(MIN_SAMPLES, time_s=time, force_kgf=force)
    _check_time(time)
    peak_index = int(np.argmax(force))
    peak = float(force[peak_index])
    window = force[time - time[0] <= BASELINE_S]
    flags = _flags(time, force, peak_index)
    onset, hold, resistance, index = _Onset(), None, None, None
    if peak < MIN_EFFORT_KGF:
        flags.insert(0, GripFlag.NO_EFFORT)
    else:
        onset = _onset(time, force, peak_index, window)
        if onset.time_s is None:
            flags.insert(0, GripFlag.STARTS_LOADED)
        hold = _hold(time, force, peak_index)
        resistance, index = _fatigue(time, force, peak_index)
        if resistance is None:
            flags.append(GripFlag.ENDS_LOADED)
    return GripTrialResult(
        samples=samples,
        duration_s=float(time[-1] - time[0]),
        rate_hz=1.0 / float(np.median(np.diff(time))),
        peak_kgf=peak,
        peak_time_s=float(time[peak_index]),
        baseline_kgf=float(np.median(window)),
        onset_time_s=onset.time_s,
        time_to_peak_s=onset.time_to_peak_s,
        rfd_0_100_kgf_s=onset.rfd_kgf_s[0],
        rfd_0_200_kgf_s=onset.rfd_kgf_s[1],
        hold_90_s=hold,
        fatigue_resistance_50_s=resistance,
        fatigue_index_pct=index,
        quality_flags=tuple(sorted(flags, key=list(GripFlag).index)),
    )


@dataclass(frozen=True, slots=True)
class LiveGrip:
    """What the live view shows during a trial: the force now and the peak so far (kgf)."""

    force_kgf: float
    peak_kgf: float
    elapsed_s: float
    samples: int


class GripStream:
    """Streaming form of ``score_grip``: live values per block, ``finish()`` equals the batch."""

    def __init__(self) -> None:
        self._time: list[FloatArray] = []
        self._force: list[FloatArray] = []
        self._peak = -np.inf
        self._samples = 0

    def update(self, time_s: npt.ArrayLike, force_kgf: npt.ArrayLike) -> LiveGrip:
        """Take the next samples; return the live values."""
        time, force = as_signal(time_s, "time_s"), as_signal(force_kgf, "force_kgf")
        check_lengths(1, time_s=time, force_kgf=force)
        self._time.append(time)
        self._force.append(force)
        self._peak = max(self._peak, float(force.max()))
        self._samples += force.size
        start = float(self._time[0][0])
        return LiveGrip(float(force[-1]), self._peak, float(time[-1]) - start, self._samples)

    def finish(self) -> GripTrialResult:
        """Score the whole trial exactly as ``score_grip`` does."""
        if not self._time:
            raise SignalError("no samples were streamed; expected at least 3")
        return score_grip(np.concatenate(self._time), np.concatenate(self._force))
