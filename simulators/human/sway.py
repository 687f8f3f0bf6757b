"""The person on the plate: body weight and quiet-stance sway, a seeded two-axis COP process.

Model. Each axis of the centre of pressure (COP) is the response of a damped second-order system
(an inverted pendulum held by feedback) to white noise: power spectrum
``S(f) ∝ 1 / ((1 − u²)² + (2ζu)²)`` with ``u = f / f0``. The noise is shaped in the frequency
domain and brought back by an inverse FFT, then scaled to the target RMS exactly. The RMS velocity
of such a process is ``2π·f0·RMS`` whatever the damping, so each axis's ``f0`` follows from its
share of a target mean velocity. The signal is periodic over its length (it can be looped without
a seam) and fully determined by the ``numpy.random.Generator`` passed in.

Model choices (not clinical values): ζ = 1.5 (overdamped: the spectrum falls monotonically, most
power below 1 Hz); the ML axis's RMS velocity is 0.65 times the AP axis's (the BDS firm-surface
trials below have ML/AP mean-velocity ratios 0.43–1.12, median 0.61); the per-axis RMS values.

Cited targets, checked by tests/simulators/test_sway_model.py:

- Mean velocity, robust: within one SD of the pooled healthy values quoted in REFERENCE.md §8.2
  (Kim LS et al. 1997, 60 s: path 92.85 ± 25.21 cm eyes open, 142.34 ± 49.34 cm eyes closed,
  i.e. 15.5 ± 4.2 and 23.7 ± 8.2 mm/s). The robust profiles aim at 14 and 20 mm/s.
- Frail: within 25 % of the older adult of the BDS sample in ../shared/data (Santos & Duarte
  2016, subject 14, 75 y, firm surface): published COPvelo 2.71 cm/s eyes open and 4.47 cm/s
  eyes closed (the targets); RMS ML 5.5 and 5.6 mm, AP 15.4 and 11.4 mm (computed from the trial
  files with the REFERENCE.md §8.3 definition).
- RMS, robust: within the firm-surface trials of the BDS adults under 60 (subjects 6, 9, 15),
  computed from their files: ML 1.2–4.2 mm, AP 2.3–5.5 mm.
- Spectrum: F50 of each axis (REFERENCE.md §8.5 set-up) within the BDS firm trials' span,
  0.067–0.667 Hz (computed from the files); the combined mean frequency and the 95 % ellipse area
  within the published BDS firm values (COPmfreq 0.076–0.43 Hz, COParea 0.82–28.4 cm²).

Eyes closed sways more and faster than eyes open, frail more than robust (REFERENCE.md §8.2: Kim
reports larger values with the eyes closed and over 60 years).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy.special import ellipe

FloatArray = npt.NDArray[np.float64]
Profile = Literal["robust", "frail"]
PROFILES: tuple[Profile, ...] = ("robust", "frail")
DAMPING = 1.5  # model choice: overdamped, so the spectrum falls monotonically
ML_AP_VELOCITY = 0.65  # model choice: ML RMS velocity / AP RMS velocity
GRAVITY_M_S2 = 9.80665


@dataclass(frozen=True, slots=True)
class AxisSway:
    """One axis of the sway process: RMS about the mean (mm) and natural frequency (Hz)."""

    rms_mm: float
    natural_hz: float
    damping: float = DAMPING

    @property
    def rms_velocity_mm_s(self) -> float:
        """RMS velocity of this axis (mm/s): 2π·f0·RMS for the damped second-order process."""
        return 2 * math.pi * self.natural_hz * self.rms_mm


@dataclass(frozen=True, slots=True)
class SwayProfile:
    """The two axes of a sway condition: medio-lateral (ML, x) and antero-posterior (AP, y)."""

    ml: AxisSway
    ap: AxisSway

    def scaled(
        self, *, amplitude: float = 1.0, frequency: float = 1.0, ap_amplitude: float | None = None
    ) -> SwayProfile:
        """Return the profile with RMS values (AP's separately if given) and frequencies scaled."""
        ap = amplitude if ap_amplitude is None else ap_amplitude
        return SwayProfile(
            AxisSway(self.ml.rms_mm * amplitude, self.ml.natural_hz * frequency, self.ml.damping),
            AxisSway(self.ap.rms_mm * ap, self.ap.natural_hz * frequency, self.ap.damping),
        )


def _axes(rms_ml_mm: float, rms_ap_mm: float, mean_velocity_mm_s: float) -> SwayProfile:
    """Profile with these RMS values whose resultant COP speed has the mean asked for.

    The velocity is Gaussian with per-axis SDs σ_ap and ML_AP_VELOCITY·σ_ap; the mean of its
    magnitude is √(2/π)·σ_ap·E(1 − r²), E the complete elliptic integral of the second kind.
    """
    ratio = ML_AP_VELOCITY
    sigma_ap = mean_velocity_mm_s / (math.sqrt(2 / math.pi) * float(ellipe(1 - ratio**2)))
    return SwayProfile(
        AxisSway(rms_ml_mm, ratio * sigma_ap / (2 * math.pi * rms_ml_mm)),
        AxisSway(rms_ap_mm, sigma_ap / (2 * math.pi * rms_ap_mm)),
    )


# (profile, eyes closed) → sway: RMS ML, RMS AP (mm, model choices) and mean velocity (mm/s).
SWAY_PROFILES: dict[tuple[Profile, bool], SwayProfile] = {
    ("robust", False): _axes(3.0, 4.5, 14.0),
    ("robust", True): _axes(3.5, 5.0, 20.0),
    ("frail", False): _axes(5.0, 12.0, 27.1),
    ("frail", True): _axes(5.5, 13.5, 44.7),
}


def sway_profile(profile: Profile = "robust", *, eyes_closed: bool = False) -> SwayProfile:
    """Return the quiet-stance sway of a profile with the eyes open or closed."""
    try:
        return SWAY_PROFILES[(profile, eyes_closed)]
    except KeyError:
        raise ValueError(f"unknown profile {profile!r}; expected robust or frail") from None


@dataclass(frozen=True, slots=True)
class Person:
    """Who stands on the plate: body weight (kg) and sway profile (robust or frail)."""

    weight_kg: float = 60.0
    profile: Profile = "robust"

    def __post_init__(self) -> None:
        if not 10.0 <= self.weight_kg <= 300.0:
            raise ValueError(f"weight_kg={self.weight_kg}; expected 10 to 300 kg")
        if self.profile not in PROFILES:
            raise ValueError(f"profile={self.profile!r}; expected one of {', '.join(PROFILES)}")

    @property
    def weight_n(self) -> float:
        """Body weight in newtons."""
        return self.weight_kg * GRAVITY_M_S2


def power_shape(freqs_hz: FloatArray, axis: AxisSway) -> FloatArray:
    """Relative power spectrum of one axis at ``freqs_hz`` (1 at 0 Hz)."""
    u = freqs_hz / axis.natural_hz
    shape: FloatArray = 1.0 / ((1.0 - u**2) ** 2 + (2.0 * axis.damping * u) ** 2)
    return shape


def _axis(rng: np.random.Generator, n: int, rate_hz: float, axis: AxisSway) -> FloatArray:
    if n < 2:
        return np.zeros(n)
    freqs: FloatArray = np.fft.rfftfreq(n, 1.0 / rate_hz).astype(np.float64)
    amplitude = np.sqrt(power_shape(freqs, axis))
    amplitude[0] = 0.0
    noise = rng.standard_normal(freqs.size) + 1j * rng.standard_normal(freqs.size)
    signal = np.fft.irfft(amplitude * noise, n)
    scaled: FloatArray = signal * (axis.rms_mm / signal.std())
    return scaled


def sway(
    rng: np.random.Generator, n_samples: int, rate_hz: float, profile: SwayProfile
) -> tuple[FloatArray, FloatArray]:
    """Return (ML, AP) COP sway in mm about zero, periodic over ``n_samples``; ML is drawn first."""
    ml = _axis(rng, n_samples, rate_hz, profile.ml)
    ap = _axis(rng, n_samples, rate_hz, profile.ap)
    return ml, ap
