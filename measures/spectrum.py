"""Welch power spectral density of one COP axis and its features (REFERENCE.md §8.5).

Set-up (as implemented by Duarte, BMClab/BMC ``functions/psd.py``; Welch 1967), for N samples:
``scipy.signal.welch`` with the periodic Hann window (``get_window("hann", nperseg)``),
nperseg = N // 2, noverlap = N // 4, nfft = N // 2 (no zero padding), detrend = "constant"
(mean removed per segment), scaling = "density" (unit²/Hz), one-sided, segments averaged with the
mean: 3 segments, bin spacing f_s / (N // 2) ≈ 2 / T.

Features, with f the bin frequencies (0 … f_s/2) and P the PSD, A =
``cumulative_trapezoid(P, f, initial=0)``: total power A[−1]; F50/F80/F95 = f[j] at the first j
with A[j] ≥ q · A[−1]; mean frequency ∫fP df / ∫P df (trapezoid); peak frequency f at the first
maximum of P. A series with no power has no defined frequencies: those features are NaN.

Spectral features depend on this set-up (segment length, overlap, window, detrending, rate,
duration): the median frequency of the same recordings moved by up to 137 % between set-ups
(Vieira, Oliveira & Nadal 2009). Results carry ``WELCH_SETUP`` and are compared only with results
of the same set-up and duration.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
WELCH_SETUP = (
    "welch window=hann(periodic) nperseg=N//2 noverlap=N//4 nfft=N//2 "
    "detrend=constant scaling=density onesided average=mean"
)
SPECTRUM_WARNING = (
    "Spectral features depend on the estimator set-up (segment length, overlap, window, "
    "detrending, sampling rate, duration); compare only results with the same set-up and "
    "duration (Vieira et al. 2009: up to 137 % change in median frequency)."
)


@dataclass(frozen=True, slots=True)
class SpectrumFeatures:
    """Spectral features of one axis: frequencies in Hz, total power in unit² (NaN if no power)."""

    f50_hz: float
    f80_hz: float
    f95_hz: float
    mean_frequency_hz: float
    peak_frequency_hz: float
    total_power: float


def welch_psd(values: FloatArray, rate_hz: float) -> tuple[FloatArray, FloatArray]:
    """Return (frequencies in Hz, one-sided PSD in unit²/Hz) with the §8.5 set-up."""
    n = values.size
    from scipy import signal  # noqa: PLC0415 - scipy loads on first use, not at kiosk start

    freqs, power = signal.welch(
        values,
        fs=rate_hz,
        window="hann",
        nperseg=n // 2,
        noverlap=n // 4,
        nfft=n // 2,
        detrend="constant",
        return_onesided=True,
        scaling="density",
        average="mean",
    )
    return np.asarray(freqs, dtype=np.float64), np.asarray(power, dtype=np.float64)


def features_from_psd(freqs: FloatArray, power: FloatArray) -> SpectrumFeatures:
    """Return the §8.5 features of a PSD (trapezoid integrals, first bin reaching a fraction)."""
    from scipy import integrate  # noqa: PLC0415 - scipy loads on first use, not at kiosk start

    cumulative = integrate.cumulative_trapezoid(power, freqs, initial=0)
    total = float(cumulative[-1])
    if not total > 0:
        return SpectrumFeatures(math.nan, math.nan, math.nan, math.nan, math.nan, total)
    reached = cumulative[None, :] >= np.array([0.50, 0.80, 0.95])[:, None] * total
    f50, f80, f95 = (float(freqs[index]) for index in np.argmax(reached, axis=1))
    return SpectrumFeatures(
        f50_hz=f50,
        f80_hz=f80,
        f95_hz=f95,
        mean_frequency_hz=float(integrate.trapezoid(freqs * power, freqs)) / total,
        peak_frequency_hz=float(freqs[np.argmax(power)]),
        total_power=total,
    )


def spectrum_features(values: FloatArray, rate_hz: float) -> SpectrumFeatures:
    """Return the §8.5 spectral features of one axis sampled at ``rate_hz``."""
    return features_from_psd(*welch_psd(values, rate_hz))


def segment_length(samples: int) -> int:
    """Return the Welch segment length (nperseg = nfft = N // 2) used for ``samples`` samples."""
    return samples // 2
