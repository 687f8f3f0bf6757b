"""Preprocessing of COP signals before scoring; the result always records which was used.

- ``none`` (default offline): the signal as recorded.
- ``lowpass10``: zero-phase low-pass at 10 Hz, a 2nd-order Butterworth run forward and backward
  (``scipy.signal.sosfiltfilt``, so 4th-order magnitude response and no phase lag). Quiet-stance
  sway has almost all its power below 2 Hz (REFERENCE.md §8.5 test vector C), so the filter
  removes sensor noise that would inflate path length at high sampling rates. Needs a rate
  above 20 Hz.
"""

from __future__ import annotations

from typing import Literal, get_args

import numpy as np
import numpy.typing as npt
from scipy import signal

from measures.errors import SignalError

Filter = Literal["none", "lowpass10"]
FILTERS: tuple[Filter, ...] = get_args(Filter)
LOWPASS_HZ = 10.0
LOWPASS_ORDER = 2


def preprocess(
    values: npt.NDArray[np.float64], rate_hz: float, name: Filter
) -> npt.NDArray[np.float64]:
    """Apply the named preprocessing to one axis."""
    if name == "none":
        return values
    if name != "lowpass10":
        raise SignalError(f"filter {name!r}; expected one of {', '.join(FILTERS)}")
    if rate_hz <= 2 * LOWPASS_HZ:
        raise SignalError(f"lowpass10 needs a rate above {2 * LOWPASS_HZ:g} Hz; got {rate_hz:g} Hz")
    sos = signal.butter(LOWPASS_ORDER, LOWPASS_HZ, fs=rate_hz, output="sos")
    filtered: npt.NDArray[np.float64] = signal.sosfiltfilt(sos, values)
    return filtered
