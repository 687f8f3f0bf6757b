"""Shared input checks for the signal scorers: shapes, finiteness, sampling rate."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from measures.errors import BadRateError, NonFiniteSampleError, SignalError, TooFewSamplesError

FloatArray = npt.NDArray[np.float64]


def as_signal(values: npt.ArrayLike, axis: str) -> FloatArray:
    """Return ``values`` as a 1-D float64 array of finite numbers, or raise SignalError."""
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1:
        raise SignalError(f"{axis} has shape {array.shape}; expected a 1-D series of samples")
    finite = np.isfinite(array)
    if not finite.all():
        raise NonFiniteSampleError(axis, int(np.argmin(finite)))
    return array


def check_rate(rate_hz: float) -> float:
    """Return the rate as a float if it is positive and finite, or raise BadRateError."""
    rate = float(rate_hz)
    if not (math.isfinite(rate) and rate > 0):
        raise BadRateError(f"sampling rate {rate_hz!r} Hz; expected a positive finite number")
    return rate


def check_lengths(minimum: int, **series: FloatArray) -> int:
    """Return the common length of the named series, at least ``minimum``, or raise SignalError."""
    lengths = {name: values.size for name, values in series.items()}
    if len(set(lengths.values())) != 1:
        shown = ", ".join(f"{name} {size}" for name, size in lengths.items())
        raise SignalError(f"series of different lengths ({shown}); expected equal lengths")
    length = next(iter(lengths.values()))
    if length < minimum:
        raise TooFewSamplesError(f"{length} samples given; expected at least {minimum}")
    return length
