"""One-leg stance and timed stance holds from a force plate under the feet.

One-leg stance (開眼片脚立ち, REFERENCE.md §6.1: timing starts when the foot leaves the floor and
stops when it touches down, the support foot shifts, or the person steps off; MEXT stops at
120 s). Detection rule, on the medio-lateral COP smoothed by a centred moving average of
``SMOOTHING_S``:

1. Baseline: the median smoothed ML over the first ``BASELINE_S`` of two-foot standing.
2. The COP staying more than ``SHIFT_MM`` from the baseline for ``SUSTAIN_S`` marks the weight
   transfer to the stance foot; the one-leg level is the median over the following
   ``BASELINE_S``.
3. Lift-off is the start of the first stretch of at least ``SUSTAIN_S`` in which the COP has
   covered half of the way from the baseline to the one-leg level.
4. Touchdown is the start of the first later stretch (after at least ``MIN_HOLD_S``) of at least
   ``SUSTAIN_S`` in which the COP is back across that midpoint (the free foot carries weight
   again), the vertical force is below half its baseline (the person steps off), or the COP is
   more than ``SHIFT_MM`` past the baseline on the other side. Requiring a sustained stretch keeps
   brief sway excursions from counting as events without delaying the event times.

Assumptions: the participant starts on both feet for at least ``BASELINE_S``; feet are together
(closed stance), so the transfer moves the COP by about half the distance between the feet
(≈ 40–50 mm, well above ``SHIFT_MM``); the free foot is held off the plate. Event times are
accurate to one sample plus the smoothing window (``DETECTION_WINDOW_S``). Timed stance holds
(SPPB side-by-side, semi-tandem, tandem, REFERENCE.md §2.1) end at the first step-out: the COP
leaving the baseline by more than ``STEP_OUT_MM`` or the vertical force falling below half.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from measures.errors import SignalError

FloatArray = npt.NDArray[np.float64]
ALGORITHM_VERSION = "stance-1"
SMOOTHING_S = 0.1
DETECTION_WINDOW_S = SMOOTHING_S
BASELINE_S = 1.0
SHIFT_MM = 20.0
SUSTAIN_S = 0.3
MIN_HOLD_S = 0.5
STEP_OUT_MM = 30.0
MEXT_CAP_S = 120.0
SPPB_HOLD_S = 10.0


@dataclass(frozen=True, slots=True)
class StanceResult:
    """A timed stance: hold time (s, capped), event times (s from the start) and quality flags."""

    hold_s: float
    start_s: float | None
    end_s: float | None
    cap_s: float
    quality_flags: tuple[str, ...]
    algorithm_version: str = ALGORITHM_VERSION


def _smooth(values: FloatArray, rate_hz: float) -> FloatArray:
    width = max(1, round(SMOOTHING_S * rate_hz) | 1)
    padded = np.pad(values, width // 2, mode="edge")
    kernel = np.ones(width) / width
    smoothed: FloatArray = np.convolve(padded, kernel, mode="valid")
    return smoothed


def _check(fz: FloatArray, ml: FloatArray, rate_hz: float) -> None:
    if fz.shape != ml.shape or fz.ndim != 1:
        raise SignalError(f"Fz and COP must be 1-D of equal length; got {fz.shape} and {ml.shape}")
    if fz.size < 2 * BASELINE_S * rate_hz:
        raise SignalError(
            f"{fz.size} samples given; expected at least {2 * BASELINE_S:g} s of data"
        )
    if not (np.isfinite(fz).all() and np.isfinite(ml).all()):
        raise SignalError("the signal contains NaN or infinite values (nobody on the plate?)")


def _first(mask: npt.NDArray[np.bool_], start: int, length: int = 1) -> int | None:
    """Return the first index ≥ ``start`` that begins ``length`` consecutive True values."""
    window = mask[start:].astype(np.int64)
    if window.size < length:
        return None
    counts = np.convolve(window, np.ones(length, dtype=np.int64), mode="valid")
    hits = np.flatnonzero(counts == length)
    return int(hits[0]) + start if hits.size else None


def one_leg_stance(
    fz_n: npt.ArrayLike, cop_ml_mm: npt.ArrayLike, rate_hz: float, *, cap_s: float = MEXT_CAP_S
) -> StanceResult:
    """Time a one-leg stance from Fz and the medio-lateral COP (rule in the module docstring)."""
    fz, ml = np.asarray(fz_n, dtype=np.float64), np.asarray(cop_ml_mm, dtype=np.float64)
    _check(fz, ml, rate_hz)
    smooth = _smooth(ml, rate_hz)
    base_n = round(BASELINE_S * rate_hz)
    baseline, fz_baseline = float(np.median(smooth[:base_n])), float(np.median(fz[:base_n]))
    sustain = round(SUSTAIN_S * rate_hz)
    shifted = _first(np.abs(smooth - baseline) > SHIFT_MM, base_n, sustain)
    if shifted is None:
        return StanceResult(0.0, None, None, cap_s, ("no_lift_off",))
    side = math.copysign(1.0, smooth[shifted] - baseline)
    relative = side * (smooth - baseline)
    half = float(np.median(relative[shifted + sustain : shifted + sustain + base_n])) / 2
    lift = _first(relative >= half, base_n, sustain)
    if lift is None:
        return StanceResult(0.0, None, None, cap_s, ("no_lift_off",))
    ended = (relative < half) | (fz < fz_baseline / 2) | (relative < -SHIFT_MM)
    touch = _first(ended, lift + round(MIN_HOLD_S * rate_hz), sustain)
    return _timed(lift, touch, n=fz.size, rate_hz=rate_hz, cap_s=cap_s)


def _timed(start: int, end: int | None, *, n: int, rate_hz: float, cap_s: float) -> StanceResult:
    start_s = start / rate_hz
    end_s = None if end is None else end / rate_hz
    held = ((n - 1) / rate_hz if end_s is None else end_s) - start_s
    flags: list[str] = []
    if held >= cap_s:
        flags.append("reached_cap")
    elif end_s is None:
        flags.append("recording_ended_before_touchdown")
    return StanceResult(min(held, cap_s), start_s, end_s, cap_s, tuple(flags))


def stance_hold(
    fz_n: npt.ArrayLike,
    cop_ml_mm: npt.ArrayLike,
    cop_ap_mm: npt.ArrayLike,
    rate_hz: float,
    *,
    cap_s: float = SPPB_HOLD_S,
) -> StanceResult:
    """Time a stance held from the start of the recording until the first step-out."""
    fz, ml = np.asarray(fz_n, dtype=np.float64), np.asarray(cop_ml_mm, dtype=np.float64)
    ap = np.asarray(cop_ap_mm, dtype=np.float64)
    _check(fz, ml, rate_hz)
    base_n = round(BASELINE_S * rate_hz)
    smooth_ml, smooth_ap = _smooth(ml, rate_hz), _smooth(ap, rate_hz)
    distance = np.hypot(
        smooth_ml - np.median(smooth_ml[:base_n]), smooth_ap - np.median(smooth_ap[:base_n])
    )
    stepped = (distance > STEP_OUT_MM) | (fz < np.median(fz[:base_n]) / 2)
    broken = _first(stepped, base_n, round(SUSTAIN_S * rate_hz))
    return _timed(0, broken, n=fz.size, rate_hz=rate_hz, cap_s=cap_s)
