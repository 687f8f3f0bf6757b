"""Quiet-stance sway: a seeded two-axis centre-of-pressure process with a realistic spectrum.

Each axis is Gaussian noise shaped in the frequency domain to a second-order low-pass spectrum
``S(f) ∝ 1 / (1 + (f/fc)²)²`` (most power below 1 Hz, as in quiet stance), then scaled to a
target RMS. For this spectrum the RMS velocity is ``2π·fc·RMS``, so ``fc`` is chosen from the
target mean velocity (mean |v| = √(2/π)·RMS velocity for Gaussian velocity). The signal is built
by an inverse FFT, so it is periodic over its length and can be looped without a seam.

Targets are model choices, not norms. They are set so that a robust older adult's eyes-open
mean velocity (about 14 mm/s) sits near the pooled healthy value quoted for orientation in
REFERENCE.md §8.2 (Kim et al. 1997: 92.85 cm in 60 s = 15.5 mm/s eyes open, 23.7 mm/s eyes
closed); eyes closed and frailty scale amplitude and velocity up, in that direction. A test
checks that every condition's 95 % ellipse area, mean velocity and mean frequency lie within the
published values of the BDS firm-surface trials in ../shared/data (Santos & Duarte 2016).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class SwayProfile:
    """Target per-axis RMS (mm) and mean absolute velocity (mm/s) of the COP."""

    rms_ml_mm: float
    rms_ap_mm: float
    velocity_ml_mm_s: float
    velocity_ap_mm_s: float

    def scaled(self, amplitude: float, velocity: float) -> SwayProfile:
        """Return the profile with amplitude and velocity scaled."""
        return SwayProfile(
            self.rms_ml_mm * amplitude,
            self.rms_ap_mm * amplitude,
            self.velocity_ml_mm_s * velocity,
            self.velocity_ap_mm_s * velocity,
        )


ROBUST_EYES_OPEN = SwayProfile(
    rms_ml_mm=3.0, rms_ap_mm=4.0, velocity_ml_mm_s=7.0, velocity_ap_mm_s=10.0
)
EYES_CLOSED_SCALE = (1.3, 1.5)  # (amplitude, velocity), model choice
FRAIL_SCALE = (1.5, 1.6)  # (amplitude, velocity), model choice


def profile(*, eyes_closed: bool, frail: bool) -> SwayProfile:
    """Return the sway targets for a condition."""
    result = ROBUST_EYES_OPEN
    if eyes_closed:
        result = result.scaled(*EYES_CLOSED_SCALE)
    if frail:
        result = result.scaled(*FRAIL_SCALE)
    return result


def _axis(
    rng: np.random.Generator, n: int, rate_hz: float, *, rms: float, velocity: float
) -> FloatArray:
    corner_hz = velocity / (math.sqrt(2 / math.pi) * 2 * math.pi * rms)
    freqs = np.fft.rfftfreq(n, 1 / rate_hz)
    amplitude = 1.0 / (1.0 + (freqs / corner_hz) ** 2)
    amplitude[0] = 0.0
    spectrum = amplitude * (rng.standard_normal(freqs.size) + 1j * rng.standard_normal(freqs.size))
    signal = np.fft.irfft(spectrum, n)
    scaled: FloatArray = signal * (rms / signal.std())
    return scaled


def sway(
    rng: np.random.Generator, n_samples: int, rate_hz: float, targets: SwayProfile
) -> tuple[FloatArray, FloatArray]:
    """Return (ML, AP) COP sway in mm around zero, periodic over ``n_samples``."""
    ml = _axis(rng, n_samples, rate_hz, rms=targets.rms_ml_mm, velocity=targets.velocity_ml_mm_s)
    ap = _axis(rng, n_samples, rate_hz, rms=targets.rms_ap_mm, velocity=targets.velocity_ap_mm_s)
    return ml, ap
