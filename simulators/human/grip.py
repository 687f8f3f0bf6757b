"""Grip trials on a hanging force gauge: a seeded force curve in kgf and the ground truth behind it.

Model. The gauge is tared and unloaded until the squeeze starts (``onset_s``). The force rises
as a raised cosine over ``rise_s`` to a level that then declines smoothly over the hold,
``level(τ) = 1 − (1 − r)·(1 − e^(−τ/τc)) / (1 − e^(−hold/τc))`` with τc = hold/2, so that it
ends at ``r`` times its start; at ``release_s`` it falls back to zero as a raised cosine. While
the hand is active a physiological tremor (one sinusoid of 8–12 Hz, 0.5 % of the level) rides on
the force. The noise-free curve is scaled so that its maximum is exactly the peak asked for (or
drawn); the gauge reading adds Gaussian sensor noise. Everything random comes from
``numpy.random.default_rng(seed)``, drawn in a fixed order, so a seed reproduces a trial exactly
whether or not ``peak_kgf`` is given.

Ground truth is taken from the noise-free curve: ``peak_kgf`` is its maximum, ``time_to_peak_s``
the time of that maximum (to the nearest sample) after ``onset_s``. Scorers read the noisy force:
with the default noise (SD 0.02 kgf) the maximum of the reading stays within 0.1 kg of the truth
peak; in ``grip-noisy`` (SD 0.08 kgf plus three one-sample spikes of 0.5–1.5 kgf) a scorer is
expected to be within 0.3 kg after rejecting one-sample spikes (e.g. a 3-sample median).

Model choices, not norms: the peak range (12–35 kgf, a span that covers many older adults'
grip, not a reference value), every duration, the decline ratios and the tremor.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

GRIP_SCENARIOS: Mapping[str, str] = MappingProxyType(
    {
        "grip-max": "a maximal squeeze of about 3 s between quiet baselines (6–8 s in all)",
        "grip-fatigue": "a sustained 10–20 s squeeze declining to 60–80 % of its peak",
        "grip-noisy": "grip-max read with 4× the sensor noise and three one-sample spikes",
        "unloaded": "the tared gauge hanging unloaded for 5 s: zero force plus sensor noise",
    }
)
PEAK_RANGE_KGF = (12.0, 35.0)  # model choice, not a norm
NOISE_SD_KGF = 0.02  # default sensor noise
NOISY_SD_KGF = 0.08  # grip-noisy
SPIKES, SPIKE_RANGE_KGF = 3, (0.5, 1.5)  # grip-noisy: one-sample spikes of either sign
TREMOR_RANGE_HZ, TREMOR_SHARE = (8.0, 12.0), 0.005
UNLOADED_S = 5.0


@dataclass(frozen=True, slots=True)
class GripTruth:
    """What a grip trial encoded; times in seconds from the first sample, None when unloaded."""

    scenario: str
    seed: int
    rate_hz: float
    peak_kgf: float  # maximum of the noise-free force
    noise_sd_kgf: float  # standard deviation of the sensor noise
    onset_s: float | None = None  # the force starts to rise
    rise_s: float | None = None  # duration of the rise
    time_to_peak_s: float | None = None  # from onset to the sample of the noise-free maximum
    hold_s: float | None = None  # from the end of the rise to the start of the release
    release_s: float | None = None  # the force starts to fall back to zero
    release_duration_s: float | None = None  # back at zero this long after ``release_s``
    fatigue_ratio: float | None = None  # grip-fatigue: mean of the hold's last 1 s / peak
    spikes_s: tuple[float, ...] = ()  # grip-noisy: times of the one-sample spikes


@dataclass(frozen=True, slots=True, eq=False)
class GripSignal:
    """A grip trial sampled at ``truth.rate_hz``: what the gauge reads and the noise-free force."""

    time_s: FloatArray
    force_kgf: FloatArray
    true_force_kgf: FloatArray
    truth: GripTruth


@dataclass(frozen=True, slots=True)
class _Shape:
    """Drawn timing of a squeeze (s) and its decline ratio."""

    onset_s: float
    rise_s: float
    hold_s: float
    release_duration_s: float
    after_s: float
    ratio: float

    @property
    def release_s(self) -> float:
        """When the release starts."""
        return self.onset_s + self.rise_s + self.hold_s

    @property
    def duration_s(self) -> float:
        """The whole trial."""
        return self.release_s + self.release_duration_s + self.after_s


def _draw_shape(rng: np.random.Generator, *, fatigue: bool) -> _Shape:
    onset, rise = rng.uniform(0.8, 1.2), rng.uniform(0.3, 0.8)
    hold = rng.uniform(10.0, 20.0) if fatigue else rng.uniform(2.7, 3.3) - rise
    ratio = rng.uniform(0.6, 0.8) if fatigue else rng.uniform(0.94, 0.98)
    release, after = rng.uniform(0.2, 0.4), rng.uniform(2.0, 3.0)
    return _Shape(onset, rise, hold, release, after, ratio)


def _ramp(t: FloatArray, start_s: float, duration_s: float) -> FloatArray:
    """Return 0 → 1 as a raised cosine from ``start_s`` over ``duration_s``."""
    x = np.clip((t - start_s) / duration_s, 0.0, 1.0)
    ramp: FloatArray = 0.5 - 0.5 * np.cos(np.pi * x)
    return ramp


def _squeeze(t: FloatArray, shape: _Shape, rng: np.random.Generator) -> FloatArray:
    """Noise-free force of one squeeze with a peak of about 1 (module docstring)."""
    active = _ramp(t, shape.onset_s, shape.rise_s) - _ramp(
        t, shape.release_s, shape.release_duration_s
    )
    tau_s = shape.hold_s / 2
    held = np.clip(t - shape.onset_s - shape.rise_s, 0.0, shape.hold_s)
    decline = (1 - np.exp(-held / tau_s)) / (1 - math.exp(-shape.hold_s / tau_s))
    level = 1 - (1 - shape.ratio) * decline
    tremor_hz, phase = rng.uniform(*TREMOR_RANGE_HZ), rng.uniform(0, 2 * math.pi)
    tremor = TREMOR_SHARE * np.sin(2 * math.pi * tremor_hz * t + phase)
    force: FloatArray = active * (level + tremor)
    return force


def _check(scenario: str, rate_hz: float, peak_kgf: float | None, noise_sd: float | None) -> None:
    if scenario not in GRIP_SCENARIOS:
        known = ", ".join(GRIP_SCENARIOS)
        raise ValueError(f"unknown grip scenario {scenario!r}; expected one of {known}")
    if not 10.0 <= rate_hz <= 10_000.0:
        raise ValueError(f"rate_hz={rate_hz}; expected 10 to 10000 Hz (e.g. 80)")
    if peak_kgf is not None and not 0.0 < peak_kgf <= 200.0:
        raise ValueError(f"peak_kgf={peak_kgf}; expected more than 0 and at most 200 kgf")
    if noise_sd is not None and not noise_sd >= 0.0:
        raise ValueError(f"noise_sd_kgf={noise_sd}; expected 0 or more")


def grip_trial(
    scenario: str,
    *,
    seed: int,
    rate_hz: float = 80.0,
    peak_kgf: float | None = None,
    noise_sd_kgf: float | None = None,
) -> GripSignal:
    """Generate a grip trial by scenario name (``GRIP_SCENARIOS``); arrays are read-only.

    ``peak_kgf`` None draws a peak from ``PEAK_RANGE_KGF``; ``noise_sd_kgf`` None takes the
    scenario's sensor noise (0.02 kgf, 0.08 kgf for grip-noisy).
    """
    _check(scenario, rate_hz, peak_kgf, noise_sd_kgf)
    rng = np.random.default_rng(seed)
    drawn_peak = float(rng.uniform(*PEAK_RANGE_KGF))
    noisy = scenario == "grip-noisy"
    noise_sd = (NOISY_SD_KGF if noisy else NOISE_SD_KGF) if noise_sd_kgf is None else noise_sd_kgf
    if scenario == "unloaded":
        t = np.arange(round(UNLOADED_S * rate_hz)) / rate_hz
        clean = np.zeros_like(t)
        truth = GripTruth(scenario, seed, rate_hz, peak_kgf=0.0, noise_sd_kgf=noise_sd)
        return _finish(t, clean, clean + rng.normal(0.0, noise_sd, t.size), truth)
    shape = _draw_shape(rng, fatigue=scenario == "grip-fatigue")
    t = np.arange(round(shape.duration_s * rate_hz)) / rate_hz
    squeeze = _squeeze(t, shape, rng)
    peak = drawn_peak if peak_kgf is None else peak_kgf
    clean = squeeze * (peak / squeeze.max())
    reading = clean + rng.normal(0.0, noise_sd, t.size)
    spikes = _add_spikes(t, reading, rng) if noisy else ()
    last_second = (t >= shape.release_s - 1.0) & (t < shape.release_s)
    truth = GripTruth(
        scenario,
        seed,
        rate_hz,
        peak_kgf=float(clean.max()),
        noise_sd_kgf=noise_sd,
        onset_s=shape.onset_s,
        rise_s=shape.rise_s,
        time_to_peak_s=float(t[np.argmax(clean)]) - shape.onset_s,
        hold_s=shape.hold_s,
        release_s=shape.release_s,
        release_duration_s=shape.release_duration_s,
        fatigue_ratio=(
            float(clean[last_second].mean()) / float(clean.max())
            if scenario == "grip-fatigue"
            else None
        ),
        spikes_s=spikes,
    )
    return _finish(t, clean, reading, truth)


def _add_spikes(t: FloatArray, reading: FloatArray, rng: np.random.Generator) -> tuple[float, ...]:
    """Add one-sample spikes, at least 3 samples apart, to ``reading``; return their times."""
    where = rng.choice(t.size // 3, size=SPIKES, replace=False) * 3 + 1
    reading[where] += rng.uniform(*SPIKE_RANGE_KGF, SPIKES) * rng.choice([-1.0, 1.0], SPIKES)
    return tuple(float(t[i]) for i in np.sort(where))


def _finish(t: FloatArray, clean: FloatArray, reading: FloatArray, truth: GripTruth) -> GripSignal:
    for array in (t, clean, reading):
        array.flags.writeable = False
    return GripSignal(t, reading, clean, truth)
