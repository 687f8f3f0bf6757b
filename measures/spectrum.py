"""Welch power spectral density features of one COP axis, with the set-up of REFERENCE.md §8.5.

Welch (``scipy.signal.welch``): periodic Hann window, nperseg = N // 2, noverlap = N // 4,
nfft = N // 2, per-segment constant detrend, one-sided density, mean of segments (3 segments,
Δf = f_s / (N // 2)). Features: total power (trapezoid integral), F50/F80/F95 (first bin whose
cumulative trapezoid area reaches the fraction), mean frequency (∫fP / ∫P, trapezoid) and peak
frequency (first maximum). Spectral features depend on this set-up (Vieira et al. 2009): results
carry it and are only compared with results of the same set-up and duration.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import integrate, signal

WELCH_SETUP = "welch hann nperseg=N//2 noverlap=N//4 nfft=N//2 detrend=constant density"


@dataclass(frozen=True, slots=True)
class SpectrumFeatures:
    """Spectral features of one axis (Hz, and unit² for total power)."""

    f50_hz: float
    f80_hz: float
    f95_hz: float
    mean_frequency_hz: float
    peak_frequency_hz: float
    total_power: float


def welch_psd(
    values: npt.NDArray[np.float64], rate_hz: float
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Return (frequencies in Hz, PSD in unit²/Hz) with the §8.5 set-up."""
    n = values.size
    freqs, power = signal.welch(
        values,
        fs=rate_hz,
        window="hann",
        nperseg=n // 2,
        noverlap=n // 4,
        nfft=n // 2,
        detrend="constant",
        scaling="density",
        average="mean",
    )
    return freqs, power


def spectrum_features(values: npt.NDArray[np.float64], rate_hz: float) -> SpectrumFeatures:
    """Return the §8.5 features of one axis."""
    freqs, power = welch_psd(values, rate_hz)
    cumulative = integrate.cumulative_trapezoid(power, freqs, initial=0)
    total = float(cumulative[-1])

    def quantile(q: float) -> float:
        return float(freqs[np.argmax(cumulative >= q * total)])

    mean_frequency = float(integrate.trapezoid(freqs * power, freqs)) / total if total else 0.0
    return SpectrumFeatures(
        f50_hz=quantile(0.50),
        f80_hz=quantile(0.80),
        f95_hz=quantile(0.95),
        mean_frequency_hz=mean_frequency,
        peak_frequency_hz=float(freqs[np.argmax(power)]),
        total_power=total,
    )
