"""Result types of the stabilometry scorers: frozen, slotted, unit-suffixed, JSON-ready.

Lengths are in mm, areas in mm², velocities in mm/s, frequencies in Hz, times in s. Japanese
reports use cm and cm² (1 cm = 10 mm, 1 cm² = 100 mm²; REFERENCE.md §8).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from measures.ellipse import PredictionEllipse
from measures.filters import Filter
from measures.spectrum import SpectrumFeatures

ALGORITHM_VERSION = "stabilometry/1"
JsonValue = float | int | str | None

SWAY_JSON_KEYS: tuple[str, ...] = (
    "path_length_mm",
    "path_length_ap_mm",
    "path_length_ml_mm",
    "mean_velocity_mm_s",
    "mean_velocity_ap_mm_s",
    "mean_velocity_ml_mm_s",
    "rms_ap_mm",
    "rms_ml_mm",
    "rms_mm",
    "range_ap_mm",
    "range_ml_mm",
    "ellipse95_area_mm2",
    "sway_area_per_second_mm2_s",
    "envelope_area_mm2",
    "rect_area_mm2",
    "rms_area_mm2",
    "path_length_per_area_1_mm",
    "f50_ap_hz",
    "f95_ap_hz",
    "f50_ml_hz",
    "f95_ml_hz",
    "mean_frequency_ap_hz",
    "mean_frequency_ml_hz",
    "samples",
    "duration_s",
    "rate_hz",
    "filter",
)


class QualityFlag(StrEnum):
    """Conditions that limit how a stabilometry result may be read or compared."""

    SHORT_RECORDING = "short_recording"
    """N / f_s below the 60-s protocol of REFERENCE.md §8.1: not comparable with 60-s values."""
    FLAT_AXIS = "flat_axis"
    """An axis has no variance: its spectral features are NaN and the ellipse is degenerate."""
    DEGENERATE_ENVELOPE = "degenerate_envelope"
    """外周面積 is zero up to rounding (points on one line through the mean): 単位面積軌跡長 NaN."""
    DURATION_MISMATCH = "duration_mismatch"
    """Romberg pair of different lengths: area ratios mix durations (Schubert & Kirchner 2014)."""
    UNDEFINED_RATIO = "undefined_ratio"
    """A Romberg ratio whose eyes-open value is zero or NaN: that ratio is NaN."""


def _json_number(value: float | int | str) -> JsonValue:
    """Return ``value`` for JSON, with NaN and infinities as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


@dataclass(frozen=True, slots=True)
class SwayResult:
    """Every stabilometry measure of one trial (REFERENCE.md §8); see measures.stabilometry.

    ``duration_s`` is T = (N − 1) / f_s (project convention, §8); ``rate_hz`` is the rate the
    measures were computed at (20 Hz after ``resample20``), ``source_rate_hz`` the input's.
    ``ellipse95`` is the primary prediction ellipse in mm (area mm², semi-axes mm, angle °);
    ``spectrum_ap``/``spectrum_ml`` hold the Welch features per axis (total power in mm²), with
    the set-up in ``psd_setup`` (§8.5); the JSON frequency keys are properties over them.
    """

    samples: int
    rate_hz: float
    source_rate_hz: float
    duration_s: float
    filter: Filter
    path_length_mm: float
    path_length_ap_mm: float
    path_length_ml_mm: float
    mean_velocity_mm_s: float
    mean_velocity_ap_mm_s: float
    mean_velocity_ml_mm_s: float
    rms_ap_mm: float
    rms_ml_mm: float
    rms_mm: float
    range_ap_mm: float
    range_ml_mm: float
    ellipse95: PredictionEllipse
    ellipse95_area_chi2_mm2: float
    ellipse95_area_prieto_mm2: float
    sway_area_per_second_mm2_s: float
    envelope_area_mm2: float
    envelope_sector_deg: float
    rect_area_mm2: float
    rms_area_mm2: float
    path_length_per_area_1_mm: float
    spectrum_ap: SpectrumFeatures
    spectrum_ml: SpectrumFeatures
    psd_nperseg: int
    psd_resolution_hz: float
    psd_setup: str
    quality_flags: tuple[QualityFlag, ...]
    algorithm_version: str = ALGORITHM_VERSION

    @property
    def ellipse95_area_mm2(self) -> float:
        """Area of the primary 95 % prediction ellipse (mm², §8.4)."""
        return self.ellipse95.area

    @property
    def f50_ap_hz(self) -> float:
        """AP F50 (Hz): first bin with half the cumulative power (§8.5)."""
        return self.spectrum_ap.f50_hz

    @property
    def f95_ap_hz(self) -> float:
        """AP F95 (Hz) (§8.5)."""
        return self.spectrum_ap.f95_hz

    @property
    def mean_frequency_ap_hz(self) -> float:
        """AP mean frequency ∫fP df / ∫P df (Hz) (§8.5)."""
        return self.spectrum_ap.mean_frequency_hz

    @property
    def f50_ml_hz(self) -> float:
        """ML F50 (Hz) (§8.5)."""
        return self.spectrum_ml.f50_hz

    @property
    def f95_ml_hz(self) -> float:
        """ML F95 (Hz) (§8.5)."""
        return self.spectrum_ml.f95_hz

    @property
    def mean_frequency_ml_hz(self) -> float:
        """ML mean frequency (Hz) (§8.5)."""
        return self.spectrum_ml.mean_frequency_hz

    def as_json(self) -> dict[str, JsonValue]:
        """Return the flat summary of ``genki score sway --json`` (exactly SWAY_JSON_KEYS)."""
        return {key: _json_number(getattr(self, key)) for key in SWAY_JSON_KEYS}


ROMBERG_RATIOS: tuple[str, ...] = (
    "path_length",
    "mean_velocity",
    "envelope_area",
    "ellipse95_area",
    "rect_area",
    "rms_area",
    "rms",
    "sway_area_per_second",
)


@dataclass(frozen=True, slots=True)
class RombergResult:
    """ロンベルグ率: eyes-closed ÷ eyes-open value of the same parameter (REFERENCE.md §8.2)."""

    path_length_ratio: float
    mean_velocity_ratio: float
    envelope_area_ratio: float
    ellipse95_area_ratio: float
    rect_area_ratio: float
    rms_area_ratio: float
    rms_ratio: float
    sway_area_per_second_ratio: float
    rate_hz: float
    filter: Filter
    quality_flags: tuple[QualityFlag, ...]
    algorithm_version: str = ALGORITHM_VERSION

    def as_json(self) -> dict[str, JsonValue]:
        """Return the ratios (``<parameter>_ratio``) with the rate and filter they share."""
        values: dict[str, JsonValue] = {
            f"{name}_ratio": _json_number(getattr(self, f"{name}_ratio")) for name in ROMBERG_RATIOS
        }
        values["rate_hz"] = self.rate_hz
        values["filter"] = self.filter
        values["quality_flags"] = ",".join(self.quality_flags)
        return values
