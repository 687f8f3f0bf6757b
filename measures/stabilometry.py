"""Stabilometry (重心動揺検査): Japanese parameters and international COP sway measures.

Every definition follows REFERENCE.md §8 exactly. Notation: x = ML (左右), y = AP (前後) COP in
mm, N samples at f_s, x̃ = x − x̄, ỹ = y − ȳ, T = (N − 1) / f_s (project duration convention).
All measures are computed on the COP after the recorded preprocessing (measures.filters) and,
apart from the spectra (which see the series itself, §8.5), on the mean-removed COP.

- 総軌跡長 (path_length): Σ √(Δx² + Δy²); 左右/前後軌跡長 Σ|Δx|, Σ|Δy| (§8.2);
- mean velocity (単位時間軌跡長): path length / T, per axis likewise (§8.2, §8.3);
- RMS per axis √mean(x̃²), √mean(ỹ²) with 1/N; resultant √(rms_x² + rms_y²) (§8.3);
- range per axis: max − min (§8.3); 矩形面積 = range_x · range_y (§8.2);
- 実効値面積 = π (σ_x² + σ_y²) with 1/N moments (§8.2);
- 外周面積: largest radius per Δθ sector, triangles between consecutive sectors (§8.2);
- 単位面積軌跡長 = path length / 外周面積 (§8.2);
- sway area per second = (1/(2T)) Σ |x̃ᵢ₊₁ỹᵢ − x̃ᵢỹᵢ₊₁| (§8.3);
- 95 % prediction ellipse: finite-n F form and its variants (measures.ellipse, §8.4);
- spectra: Welch PSD features per axis (measures.spectrum, §8.5);
- ロンベルグ率: eyes closed ÷ eyes open of the same parameter (§8.2).

To compare the Japanese parameters with Japanese reference values, score with
``filter="resample20"`` (anti-alias low-pass and 20 Hz, the §8.1 project convention); the result
states the rate and filter it was computed with.

Sources: Prieto TE et al. IEEE Trans Biomed Eng 1996;43(9):956-966; Duarte M, Freitas SMSF. Rev
Bras Fisioter 2010;14(3):183-192; Imaoka K et al. Equilibrium Res Suppl 1997;12:1-84 (外周面積 as in
an open implementation); Quijoux F et al. Physiol Rep 2021;9(22):e15067.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from measures.ellipse import (
    covariance,
    ellipse_area_chi2,
    ellipse_area_prieto,
    prediction_ellipse,
)
from measures.errors import SetupMismatchError, SignalError
from measures.filters import Filter, check_filter, preprocess
from measures.results import QualityFlag, RombergResult, SwayResult
from measures.signals import FloatArray, as_signal, check_lengths, check_rate
from measures.spectrum import WELCH_SETUP, spectrum_features

MIN_SAMPLES = 10
ENVELOPE_SECTOR_DEG = 3.0
PROTOCOL_DURATION_S = 60.0
DEGENERATE_RELATIVE_AREA = 1e-12


def path_lengths(x: FloatArray, y: FloatArray) -> tuple[float, float, float]:
    """Return (総軌跡長 Σ√(Δx²+Δy²), 左右 Σ|Δx|, 前後 Σ|Δy|) in the input unit (§8.2)."""
    dx, dy = np.diff(x), np.diff(y)
    return float(np.hypot(dx, dy).sum()), float(np.abs(dx).sum()), float(np.abs(dy).sum())


def envelope_area(x: FloatArray, y: FloatArray, sector_deg: float = ENVELOPE_SECTOR_DEG) -> float:
    """Return 外周面積 of mean-removed points by the REFERENCE.md §8.2 sector algorithm.

    θ = atan2(ỹ, x̃) in degrees (−180, 180]; sector k covers (−180 + kΔθ, −180 + (k+1)Δθ], θ = −180
    goes to sector 0; R_k is the largest radius in sector k; walking round the non-empty sectors,
    each consecutive pair (k, k′) (wrapping round) adds ½ R_k R_k′ sin(((k′ − k) mod K) Δθ).
    Default Δθ = 3° (the Imaoka-based open implementation). Not the convex-hull area.
    """
    sectors = round(360.0 / sector_deg)
    if sectors < 3 or not math.isclose(sectors * sector_deg, 360.0):
        raise SignalError(f"sector width {sector_deg}°; expected a divisor of 360° up to 120°")
    radius = np.hypot(x, y)
    theta = np.degrees(np.arctan2(y, x))
    index = np.ceil((theta + 180.0) / sector_deg).astype(np.int64) - 1
    np.clip(index, 0, sectors - 1, out=index)
    largest = np.full(sectors, -1.0)
    np.maximum.at(largest, index, radius)
    occupied = np.flatnonzero(largest >= 0.0)
    following = np.roll(occupied, -1)
    steps = (following - occupied) % sectors
    triangles = largest[occupied] * largest[following] * np.sin(np.radians(steps * sector_deg))
    return float(0.5 * triangles.sum())


def sway_area_per_second(x: FloatArray, y: FloatArray, duration_s: float) -> float:
    """Return (1/(2T)) Σ|x̃ᵢ₊₁ỹᵢ − x̃ᵢỹᵢ₊₁| of mean-removed points (§8.3, Prieto 1996)."""
    swept = np.abs(x[1:] * y[:-1] - x[:-1] * y[1:]).sum()
    return float(swept) / (2.0 * duration_s)


def _prepare(
    ml_mm: npt.ArrayLike, ap_mm: npt.ArrayLike, rate_hz: float, filter_name: str
) -> tuple[FloatArray, FloatArray, float, Filter]:
    """Check the input, apply the preprocessing and return (x, y, rate, filter)."""
    rate = check_rate(rate_hz)
    chosen = check_filter(filter_name)
    ml, ap = as_signal(ml_mm, "ML"), as_signal(ap_mm, "AP")
    check_lengths(MIN_SAMPLES, ML=ml, AP=ap)
    x, y, rate_out = preprocess(ml, ap, rate, chosen)
    check_lengths(MIN_SAMPLES, ML=x, AP=y)
    return x, y, rate_out, chosen


def _degenerate(x: FloatArray, y: FloatArray, envelope: float) -> bool:
    """Return whether 外周面積 is zero up to rounding (points on one line through the mean)."""
    return not envelope > DEGENERATE_RELATIVE_AREA * float(np.max(x * x + y * y))


def _flags(x: FloatArray, y: FloatArray, rate_hz: float, envelope: float) -> list[QualityFlag]:
    flags: list[QualityFlag] = []
    if x.size / rate_hz < PROTOCOL_DURATION_S - 0.5 / rate_hz:
        flags.append(QualityFlag.SHORT_RECORDING)
    if not (np.ptp(x) > 0 and np.ptp(y) > 0):
        flags.append(QualityFlag.FLAT_AXIS)
    if _degenerate(x, y, envelope):
        flags.append(QualityFlag.DEGENERATE_ENVELOPE)
    return flags


def score_sway(
    ml_mm: npt.ArrayLike,
    ap_mm: npt.ArrayLike,
    rate_hz: float,
    *,
    filter: Filter = "none",  # noqa: A002 - the documented option name
    envelope_sector_deg: float = ENVELOPE_SECTOR_DEG,
) -> SwayResult:
    """Score one quiet-stance trial from its ML and AP COP (mm) by REFERENCE.md §8.

    Raises SignalError (fewer than 10 samples, NaN or infinite samples, unequal lengths, a bad
    rate or filter). Definitions: see the module docstring and each helper's docstring.
    """
    xs, ys, rate, chosen = _prepare(ml_mm, ap_mm, rate_hz, filter)
    x, y = xs - xs.mean(), ys - ys.mean()
    n = x.size
    duration = (n - 1) / rate
    path, path_ml, path_ap = path_lengths(x, y)
    var_ml, var_ap = float(np.mean(x * x)), float(np.mean(y * y))
    rms_ml, rms_ap = math.sqrt(var_ml), math.sqrt(var_ap)
    range_ml, range_ap = float(np.ptp(x)), float(np.ptp(y))
    envelope = envelope_area(x, y, envelope_sector_deg)
    cov = covariance(x, y)
    return SwayResult(
        samples=n,
        rate_hz=rate,
        source_rate_hz=float(rate_hz),
        duration_s=duration,
        filter=chosen,
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
        ellipse95=prediction_ellipse(x, y, cov=cov),
        ellipse95_area_chi2_mm2=ellipse_area_chi2(x, y, cov=cov),
        ellipse95_area_prieto_mm2=ellipse_area_prieto(x, y, cov=cov),
        sway_area_per_second_mm2_s=sway_area_per_second(x, y, duration),
        envelope_area_mm2=envelope,
        envelope_sector_deg=envelope_sector_deg,
        rect_area_mm2=range_ml * range_ap,
        rms_area_mm2=math.pi * (var_ml + var_ap),
        path_length_per_area_1_mm=math.nan if _degenerate(x, y, envelope) else path / envelope,
        spectrum_ap=spectrum_features(ys, rate),
        spectrum_ml=spectrum_features(xs, rate),
        psd_nperseg=n // 2,
        psd_resolution_hz=rate / (n // 2),
        psd_setup=WELCH_SETUP,
        quality_flags=tuple(_flags(x, y, rate, envelope)),
    )


def _ratio(closed: float, opened: float) -> float:
    """Return closed / opened, NaN when the eyes-open value is zero or not finite."""
    if not (math.isfinite(opened) and opened != 0 and math.isfinite(closed)):
        return math.nan
    return closed / opened


def romberg(eo: SwayResult, ec: SwayResult) -> RombergResult:
    """Return ロンベルグ率 = eyes-closed ÷ eyes-open value of each parameter (REFERENCE.md §8.2).

    Most often reported for 外周面積, also for 総軌跡長 (PARTIAL, two secondary sources agree).
    Raises SetupMismatchError when the two trials differ in rate or filter; flags a pair of
    different lengths (areas then mix durations) and any ratio with a zero eyes-open value.
    """
    if eo.rate_hz != ec.rate_hz or eo.filter != ec.filter:
        raise SetupMismatchError(
            f"eyes open at {eo.rate_hz:g} Hz/{eo.filter}, eyes closed at {ec.rate_hz:g} Hz/"
            f"{ec.filter}; expected the same rate and filter for both trials"
        )
    pairs = {
        "path_length": (ec.path_length_mm, eo.path_length_mm),
        "mean_velocity": (ec.mean_velocity_mm_s, eo.mean_velocity_mm_s),
        "envelope_area": (ec.envelope_area_mm2, eo.envelope_area_mm2),
        "ellipse95_area": (ec.ellipse95_area_mm2, eo.ellipse95_area_mm2),
        "rect_area": (ec.rect_area_mm2, eo.rect_area_mm2),
        "rms_area": (ec.rms_area_mm2, eo.rms_area_mm2),
        "rms": (ec.rms_mm, eo.rms_mm),
        "sway_area_per_second": (ec.sway_area_per_second_mm2_s, eo.sway_area_per_second_mm2_s),
    }
    ratios = {name: _ratio(closed, opened) for name, (closed, opened) in pairs.items()}
    flags: list[QualityFlag] = []
    if eo.samples != ec.samples:
        flags.append(QualityFlag.DURATION_MISMATCH)
    if any(math.isnan(value) for value in ratios.values()):
        flags.append(QualityFlag.UNDEFINED_RATIO)
    return RombergResult(
        path_length_ratio=ratios["path_length"],
        mean_velocity_ratio=ratios["mean_velocity"],
        envelope_area_ratio=ratios["envelope_area"],
        ellipse95_area_ratio=ratios["ellipse95_area"],
        rect_area_ratio=ratios["rect_area"],
        rms_area_ratio=ratios["rms_area"],
        rms_ratio=ratios["rms"],
        sway_area_per_second_ratio=ratios["sway_area_per_second"],
        rate_hz=eo.rate_hz,
        filter=eo.filter,
        quality_flags=tuple(flags),
    )
