"""Every published per-trial value of the BDS subset (Santos & Duarte 2016) reproduced to 1e-6.

Inputs as in ../shared/data/README.md: COP = [COPx, COPy] = [AP, ML] in cm (× 10 → mm), all
N = 6000 samples at 100 Hz, ``filter="none"`` (no filtering, detrending or trimming).

- COParea: our primary 95 % prediction ellipse (finite-n F form, ddof = 1) — the same definition
  as REFERENCE.md §8.4, compared directly (mm² / 100 → cm²).
- COPvelo: the data set divides the resultant path by N / f_s (60 s), not by our
  T = (N − 1) / f_s (REFERENCE.md §8). The test applies the data set's definition explicitly:
  ``path_length_mm / 10 / (samples / rate_hz)``; genki stores N and f_s so this is recomputable.
- COPmfreq: the data set combines the per-axis mean frequencies (our §8.5 set-up, which is the
  data set's Welch call) weighted by the plain sums of the PSD ordinates (``np.sum(P)``, not the
  trapezoid integral). The test applies that weighting to our Welch PSDs explicitly.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from measures.results import SwayResult
from measures.spectrum import welch_psd
from measures.stabilometry import romberg, score_sway
from programs.batteries import Resident
from programs.batteries.stabilometry import results_from_sway, score_stabilometry

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "bds"
RATE_HZ = 100.0
TOLERANCE = 1e-6
needs_data = pytest.mark.skipif(
    not DATA.exists(), reason="../shared/data is not beside this checkout"
)


def _published() -> dict[str, dict[str, str]]:
    if not DATA.exists():
        return {}
    with (DATA / "BDSinfoCOP_subset.tsv").open(encoding="utf-8", newline="") as handle:
        return {row["Trial"]: row for row in csv.DictReader(handle, delimiter="\t")}


PUBLISHED = _published()
TRIALS = sorted(PUBLISHED)


@cache
def _cop_cm(trial: str) -> tuple[np.ndarray, np.ndarray]:
    """Return (AP, ML) COP in cm: columns COPx[cm] and COPy[cm] of the trial file."""
    with (DATA / f"{trial}.txt").open(encoding="utf-8") as handle:
        header = handle.readline().strip().split("\t")
    table = np.loadtxt(DATA / f"{trial}.txt", delimiter="\t", skiprows=1)
    return table[:, header.index("COPx[cm]")], table[:, header.index("COPy[cm]")]


@cache
def _scored(trial: str) -> SwayResult:
    ap_cm, ml_cm = _cop_cm(trial)
    return score_sway(ml_cm * 10, ap_cm * 10, RATE_HZ)


def _published_value(trial: str, column: str) -> float:
    return float(PUBLISHED[trial][column])


@needs_data
def test_the_subset_holds_the_eleven_documented_trials() -> None:
    assert len(TRIALS) == 11
    for trial in TRIALS:
        assert _scored(trial).samples == 6000


@needs_data
@pytest.mark.parametrize("trial", TRIALS)
def test_cop_area_is_our_primary_prediction_ellipse(trial: str) -> None:
    area_cm2 = _scored(trial).ellipse95_area_mm2 / 100
    assert area_cm2 == pytest.approx(_published_value(trial, "COParea"), rel=TOLERANCE)


@needs_data
@pytest.mark.parametrize("trial", TRIALS)
def test_cop_velocity_with_the_data_sets_n_over_fs_duration(trial: str) -> None:
    result = _scored(trial)
    nominal_duration_s = result.samples / result.rate_hz
    velocity_cm_s = result.path_length_mm / 10 / nominal_duration_s
    assert velocity_cm_s == pytest.approx(_published_value(trial, "COPvelo"), rel=TOLERANCE)
    # Our own mean velocity uses T = (N − 1) / f_s and is larger by exactly N / (N − 1).
    ratio = result.mean_velocity_mm_s / 10 / _published_value(trial, "COPvelo")
    assert ratio == pytest.approx(6000 / 5999, rel=TOLERANCE)


@needs_data
@pytest.mark.parametrize("trial", TRIALS)
def test_cop_mean_frequency_with_the_data_sets_plain_sum_weighting(trial: str) -> None:
    result = _scored(trial)
    ap_cm, ml_cm = _cop_cm(trial)
    weight_ap = float(welch_psd(ap_cm, RATE_HZ)[1].sum())
    weight_ml = float(welch_psd(ml_cm, RATE_HZ)[1].sum())
    combined = (
        result.mean_frequency_ap_hz * weight_ap + result.mean_frequency_ml_hz * weight_ml
    ) / (weight_ap + weight_ml)
    assert combined == pytest.approx(_published_value(trial, "COPmfreq"), rel=TOLERANCE)


ROMBERG_PAIRS = [
    # (EO trial, EC trial, COParea EC/EO, COPvelo EC/EO) as printed in the README (3 decimals)
    ("BDS00098", "BDS00101", 1.078, 0.987),
    ("BDS00072", "BDS00071", 1.580, 1.609),
    ("BDS00174", "BDS00176", 1.606, 1.102),
    ("BDS00162", "BDS00157", 0.869, 1.650),
    ("BDS00166", "BDS00165", 3.171, 1.524),
]


@needs_data
@pytest.mark.parametrize(("eo", "ec", "area_ratio", "velocity_ratio"), ROMBERG_PAIRS)
def test_romberg_ratios_match_the_published_single_trial_ratios(
    eo: str, ec: str, area_ratio: float, velocity_ratio: float
) -> None:
    ratios = romberg(_scored(eo), _scored(ec))
    published_area = _published_value(ec, "COParea") / _published_value(eo, "COParea")
    published_velocity = _published_value(ec, "COPvelo") / _published_value(eo, "COPvelo")
    assert ratios.ellipse95_area_ratio == pytest.approx(published_area, rel=TOLERANCE)
    assert ratios.mean_velocity_ratio == pytest.approx(published_velocity, rel=TOLERANCE)
    assert ratios.path_length_ratio == pytest.approx(published_velocity, rel=TOLERANCE)
    assert round(ratios.ellipse95_area_ratio, 3) == area_ratio
    assert round(ratios.mean_velocity_ratio, 3) == velocity_ratio


@needs_data
@pytest.mark.parametrize(("eo", "ec", "area_ratio", "velocity_ratio"), ROMBERG_PAIRS)
def test_the_stabilometry_battery_gives_the_published_velocity_ratios(
    eo: str, ec: str, area_ratio: float, velocity_ratio: float
) -> None:
    del area_ratio  # the battery reports 外周面積, not the data set's ellipse area
    results = results_from_sway(_scored(eo), _scored(ec))
    scored = score_stabilometry(Resident("F", 70), results)
    assert round(scored.romberg["path_length"] or 0.0, 3) == velocity_ratio
    assert round(scored.romberg["mean_velocity"] or 0.0, 3) == velocity_ratio
    assert scored.quality_flags == ()
