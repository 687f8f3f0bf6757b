"""Preprocessing of COP signals before scoring; every result records which one was used.

Choices (``Filter``):

- ``none`` (default): the signal as recorded. International measures are computed at the native
  rate (REFERENCE.md §8.1).
- ``lowpass10``: zero-phase low-pass at 10 Hz: a 2nd-order Butterworth section
  (``scipy.signal.butter(2, 10, fs=rate, output="sos")``) run forward and backward
  (``scipy.signal.sosfiltfilt``, default odd padding), so the magnitude response is squared
  (−6 dB at 10 Hz, 4th-order roll-off) and there is no phase lag. Quiet-stance sway has almost
  all of its power below 2 Hz; the filter removes sensor noise that would inflate path length at
  high sampling rates (REFERENCE.md §8.1). Needs a rate above 20 Hz and at least 10 samples.
- ``resample20``: the Japanese comparison convention of REFERENCE.md §8.1 (project convention,
  PARTIAL basis): anti-alias low-pass and resampling to 20 Hz with
  ``scipy.signal.resample_poly(x, up, down, padtype="line")`` (Kaiser-windowed FIR, delay
  compensated, so zero phase), up/down the reduced fraction 20 / rate. A 20 Hz input is passed
  through unchanged; rates below 20 Hz are refused. The result's ``rate_hz`` is then 20 Hz.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Literal, get_args

import numpy as np
import numpy.typing as npt

from measures.errors import BadRateError, SignalError

FloatArray = npt.NDArray[np.float64]
Filter = Literal["none", "lowpass10", "resample20"]
FILTERS: tuple[Filter, ...] = get_args(Filter)
LOWPASS_CUTOFF_HZ = 10.0
LOWPASS_ORDER = 2
JAPANESE_RATE_HZ = 20.0
_MAX_RATIO_DENOMINATOR = 10_000


def check_filter(name: str) -> Filter:
    """Return ``name`` as a Filter, or raise SignalError listing the choices."""
    for choice in FILTERS:
        if name == choice:
            return choice
    raise SignalError(f"filter {name!r}; expected one of {', '.join(FILTERS)}")


def lowpass10(values: FloatArray, rate_hz: float) -> FloatArray:
    """Return ``values`` low-passed at 10 Hz with zero phase (Butterworth 2, forward-backward)."""
    if rate_hz <= 2 * LOWPASS_CUTOFF_HZ:
        raise BadRateError(
            f"lowpass10 needs a rate above {2 * LOWPASS_CUTOFF_HZ:g} Hz; got {rate_hz:g} Hz"
        )
    from scipy import signal  # noqa: PLC0415 - scipy loads on first use, not at kiosk start

    sos = signal.butter(LOWPASS_ORDER, LOWPASS_CUTOFF_HZ, fs=rate_hz, output="sos")
    filtered: FloatArray = signal.sosfiltfilt(sos, values)
    return filtered


def resample20(values: FloatArray, rate_hz: float) -> FloatArray:
    """Return ``values`` anti-alias filtered and resampled to 20 Hz (REFERENCE.md §8.1)."""
    if rate_hz < JAPANESE_RATE_HZ:
        raise BadRateError(f"resample20 needs a rate of at least 20 Hz; got {rate_hz:g} Hz")
    ratio = Fraction(JAPANESE_RATE_HZ / rate_hz).limit_denominator(_MAX_RATIO_DENOMINATOR)
    if ratio == 1:
        return values
    from scipy import signal  # noqa: PLC0415 - scipy loads on first use, not at kiosk start

    resampled: FloatArray = signal.resample_poly(
        values, ratio.numerator, ratio.denominator, padtype="line"
    )
    return resampled


def preprocess(
    ml: FloatArray, ap: FloatArray, rate_hz: float, name: Filter
) -> tuple[FloatArray, FloatArray, float]:
    """Apply the named preprocessing to both axes; return them and the rate they are now at."""
    if name == "none":
        return ml, ap, rate_hz
    if name == "lowpass10":
        return lowpass10(ml, rate_hz), lowpass10(ap, rate_hz), rate_hz
    if name == "resample20":
        return resample20(ml, rate_hz), resample20(ap, rate_hz), JAPANESE_RATE_HZ
    raise SignalError(f"filter {name!r}; expected one of {', '.join(FILTERS)}")
