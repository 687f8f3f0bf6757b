"""Stabilometry (重心動揺検査): Japanese parameters and international COP sway measures.

Definitions follow REFERENCE.md §8 exactly, on the mean-removed COP (x = medio-lateral,
y = antero-posterior, mm) after the recorded preprocessing:

- path length (総軌跡長, LNG) Σ√(Δx² + Δy²), per axis Σ|Δx|, Σ|Δy| (§8.2);
- mean velocity LNG / T with T = (N − 1) / f_s, the project's duration convention (§8, Prieto 1996);
- RMS per axis √mean(x̃²) (1/N) and resultant √(rms_x² + rms_y²) (§8.3, Prieto 1996);
- range per axis; 矩形面積 = range_x · range_y; 実効値面積 = π(σ_x² + σ_y²) (1/N) (§8.2);
- 外周面積: largest radius per 3° sector, triangles between consecutive non-empty sectors (§8.2);
- 単位面積軌跡長 = LNG / 外周面積 (§8.2);
- sway area per second (1/(2T)) Σ|x̃ᵢ₊₁ỹᵢ − x̃ᵢỹᵢ₊₁| (§8.3, Prieto 1996);
- 95 % prediction ellipse (measures.ellipse, §8.4) and Welch spectra (measures.spectrum, §8.5);
- ロンベルグ率: eyes closed ÷ eyes open of the same parameter (§8.2).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import numpy.typing as npt

from measures.ellipse import Ellipse, prediction_ellipse
from measures.errors import SignalError
from measures.filters import Filter, preprocess
from measures.spectrum import WELCH_SETUP, SpectrumFeatures, spectrum_features

FloatArray = npt.NDArray[np.float64]
ALGORITHM_VERSION = "stabilometry-1"
MIN_SAMPLES = 10
PROTOCOL_DURATION_S = 60.0  # Japanese convention, REFERENCE.md §8.1
ENVELOPE_SECTOR_DEG = 3.0


@dataclass(frozen=True, slots=True)
class SwayResult:
    """Every stabilometry measure of one trial (lengths in mm, areas in mm², times in s)."""

    samples: int
    rate_hz: float
    duration_s: float
    filter: str
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
    ellipse95: Ellipse
    sway_area_per_second_mm2_s: float
    envelope_area_mm2: float
    rect_area_mm2: float
    rms_area_mm2: float
    path_length_per_area_1_mm: float
    spectrum_ap: SpectrumFeatures
    spectrum_ml: SpectrumFeatures
    spectrum_setup: str
    quality_flags: tuple[str, ...]
    algorithm_version: str = ALGORITHM_VERSION

    def as_json(self) -> dict[str, float | int | str]:
        """Return the flat summary printed by ``genki score sway --json``."""
        return {
            "path_length_mm": self.path_length_mm,
            "path_length_ap_mm": self.path_length_ap_mm,
            "path_length_ml_mm": self.path_length_ml_mm,
            "mean_velocity_mm_s": self.mean_velocity_mm_s,
            "mean_velocity_ap_mm_s": self.mean_velocity_ap_mm_s,
            "mean_velocity_ml_mm_s": self.mean_velocity_ml_mm_s,
            "rms_ap_mm": self.rms_ap_mm,
            "rms_ml_mm": self.rms_ml_mm,
            "rms_mm": self.rms_mm,
            "range_ap_mm": self.range_ap_mm,
            "range_ml_mm": self.range_ml_mm,
            "ellipse95_area_mm2": self.ellipse95.area,
            "sway_area_per_second_mm2_s": self.sway_area_per_second_mm2_s,
            "envelope_area_mm2": self.envelope_area_mm2,
            "rect_area_mm2": self.rect_area_mm2,
            "rms_area_mm2": self.rms_area_mm2,
            "path_length_per_area_1_mm": self.path_length_per_area_1_mm,
            "f50_ap_hz": self.spectrum_ap.f50_hz,
            "f95_ap_hz": self.spectrum_ap.f95_hz,
            "f50_ml_hz": self.spectrum_ml.f50_hz,
            "f95_ml_hz": self.spectrum_ml.f95_hz,
            "mean_frequency_ap_hz": self.spectrum_ap.mean_frequency_hz,
            "mean_frequency_ml_hz": self.spectrum_ml.mean_frequency_hz,
            "samples": self.samples,
            "duration_s": self.duration_s,
            "rate_hz": self.rate_hz,
            "filter": self.filter,
        }


def envelope_area(x: FloatArray, y: FloatArray, sector_deg: float = ENVELOPE_SECTOR_DEG) -> float:
    """外周面積 of mean-removed points: the REFERENCE.md §8.2 sector algorithm."""
    sectors = round(360.0 / sector_deg)
    radius = np.hypot(x, y)
    theta = np.degrees(np.arctan2(y, x))
    index = np.clip(np.ceil((theta + 180.0) / sector_deg).astype(np.int64) - 1, 0, sectors - 1)
    largest = np.full(sectors, -1.0)
    np.maximum.at(largest, index, radius)
    occupied = np.flatnonzero(largest >= 0)
    if occupied.size < 2:
        return 0.0
    following = np.roll(occupied, -1)
    steps = (following - occupied) % sectors
    steps[steps == 0] = sectors
    angles = np.radians(steps * sector_deg)
    return float(0.5 * np.sum(largest[occupied] * largest[following] * np.sin(angles)))


def _check(ml: FloatArray, ap: FloatArray, rate_hz: float) -> None:
    if ml.shape != ap.shape or ml.ndim != 1:
        raise SignalError(f"ML and AP must be 1-D of equal length; got {ml.shape} and {ap.shape}")
    if ml.size < MIN_SAMPLES:
        raise SignalError(f"{ml.size} samples given; expected at least {MIN_SAMPLES}")
    if not (np.isfinite(ml).all() and np.isfinite(ap).all()):
        raise SignalError("the COP contains NaN or infinite values; expected finite numbers only")
    if not (math.isfinite(rate_hz) and rate_hz > 0):
        raise SignalError(f"rate {rate_hz} Hz given; expected a positive sampling rate")


def score_sway(
    ml_mm: npt.ArrayLike,
    ap_mm: npt.ArrayLike,
    rate_hz: float,
    *,
    filter: Filter = "none",  # noqa: A002
) -> SwayResult:
    """Score one quiet-stance trial from its COP (mm) sampled at ``rate_hz``."""
    ml_raw, ap_raw = np.asarray(ml_mm, dtype=np.float64), np.asarray(ap_mm, dtype=np.float64)
    _check(ml_raw, ap_raw, rate_hz)
    x = preprocess(ml_raw, rate_hz, filter)
    y = preprocess(ap_raw, rate_hz, filter)
    x, y = x - x.mean(), y - y.mean()
    n = x.size
    duration = (n - 1) / rate_hz
    dx, dy = np.diff(x), np.diff(y)
    path = float(np.hypot(dx, dy).sum())
    path_ml, path_ap = float(np.abs(dx).sum()), float(np.abs(dy).sum())
    rms_ml, rms_ap = float(np.sqrt(np.mean(x**2))), float(np.sqrt(np.mean(y**2)))
    range_ml, range_ap = float(np.ptp(x)), float(np.ptp(y))
    envelope = envelope_area(x, y)
    swept = float(np.abs(x[1:] * y[:-1] - x[:-1] * y[1:]).sum()) / (2 * duration)
    flags = ("duration_below_60_s",) if duration < PROTOCOL_DURATION_S - 1 / rate_hz else ()
    return SwayResult(
        samples=n,
        rate_hz=rate_hz,
        duration_s=duration,
        filter=filter,
        path_length_mm=path,
        path_length_ap_mm=path_ap,
        path_length_ml_mm=path_ml,
        mean_velocity_mm_s=path / duration,
        mean_velocity_ap_mm_s=path_ap / duration,
        mean_velocity_ml_mm_s=path_ml / duration,
        rms_ap_mm=rms_ap,
        rms_ml_mm=rms_ml,
        rms_mm=math.hypot(rms_ml, rms_ap),
        range_ap_mm=range_ap,
        range_ml_mm=range_ml,
        ellipse95=prediction_ellipse(x, y),
        sway_area_per_second_mm2_s=swept,
        envelope_area_mm2=envelope,
        rect_area_mm2=range_ml * range_ap,
        rms_area_mm2=math.pi * (rms_ml**2 + rms_ap**2),
        path_length_per_area_1_mm=path / envelope if envelope > 0 else math.inf,
        spectrum_ap=spectrum_features(y, rate_hz),
        spectrum_ml=spectrum_features(x, rate_hz),
        spectrum_setup=WELCH_SETUP,
        quality_flags=flags,
    )


@dataclass(frozen=True, slots=True)
class RombergResult:
    """ロンベルグ率: eyes-closed ÷ eyes-open for the usual parameters (REFERENCE.md §8.2)."""

    path_length: float
    envelope_area: float
    rect_area: float
    rms_area: float
    ellipse95_area: float
    mean_velocity: float

    def as_json(self) -> dict[str, float]:
        """Return the ratios as a flat dictionary."""
        return {f"romberg_{name}": value for name, value in asdict(self).items()}


def _ratio(closed: float, opened: float) -> float:
    return closed / opened if opened > 0 else math.inf


def romberg(eyes_open: SwayResult, eyes_closed: SwayResult) -> RombergResult:
    """Return the Romberg ratios of an eyes-open / eyes-closed pair."""
    return RombergResult(
        path_length=_ratio(eyes_closed.path_length_mm, eyes_open.path_length_mm),
        envelope_area=_ratio(eyes_closed.envelope_area_mm2, eyes_open.envelope_area_mm2),
        rect_area=_ratio(eyes_closed.rect_area_mm2, eyes_open.rect_area_mm2),
        rms_area=_ratio(eyes_closed.rms_area_mm2, eyes_open.rms_area_mm2),
        ellipse95_area=_ratio(eyes_closed.ellipse95.area, eyes_open.ellipse95.area),
        mean_velocity=_ratio(eyes_closed.mean_velocity_mm_s, eyes_open.mean_velocity_mm_s),
    )
