"""The human sway model: seeded, in its stated ranges, and scenarios with their ground truth."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from devices.calibration import PlateCalibration, centre_of_pressure
from measures.spectrum import welch_psd
from measures.stabilometry import score_sway
from simulators.human.scenarios import generate
from simulators.human.sway import profile, sway


def _mean_velocity(ml: np.ndarray, ap: np.ndarray, rate_hz: float) -> float:
    return float(np.hypot(np.diff(ml), np.diff(ap)).sum() / ((ml.size - 1) / rate_hz))


def test_the_same_seed_gives_the_same_sway() -> None:
    first = sway(np.random.default_rng(3), 1000, 100.0, profile(eyes_closed=False, frail=False))
    second = sway(np.random.default_rng(3), 1000, 100.0, profile(eyes_closed=False, frail=False))
    np.testing.assert_array_equal(first[0], second[0])


def test_robust_eyes_open_sway_is_near_the_quoted_healthy_velocity() -> None:
    ml, ap = sway(np.random.default_rng(1), 60_000, 1000.0, profile(eyes_closed=False, frail=False))
    assert ml.std() == pytest.approx(3.0)
    assert ap.std() == pytest.approx(4.0)
    # Kim et al. 1997 (REFERENCE.md §8.2, orientation only): 15.5 mm/s eyes open, SD 4.2 mm/s.
    assert 15.5 - 2 * 4.2 < _mean_velocity(ml, ap, 1000.0) < 15.5 + 2 * 4.2


def test_eyes_closed_and_frailty_sway_more_and_faster() -> None:
    rng = np.random.default_rng(2)
    velocities = {
        (ec, frail): _mean_velocity(
            *sway(rng, 60_000, 1000.0, profile(eyes_closed=ec, frail=frail)), 1000.0
        )
        for ec in (False, True)
        for frail in (False, True)
    }
    assert velocities[(True, False)] > velocities[(False, False)]
    assert velocities[(False, True)] > velocities[(False, False)]
    assert velocities[(True, True)] == max(velocities.values())


def test_most_sway_power_is_below_one_hertz() -> None:
    ml, _ = sway(np.random.default_rng(4), 60_000, 1000.0, profile(eyes_closed=False, frail=False))
    power = np.abs(np.fft.rfft(ml)) ** 2
    freqs = np.fft.rfftfreq(ml.size, 1 / 1000.0)
    assert power[freqs < 1.0].sum() / power.sum() > 0.8


def test_corner_loads_reproduce_the_encoded_cop_through_the_plate_formula() -> None:
    signal = generate("one-leg", rate_hz=100, duration_s=30, seed=9, event_s=5, hold_s=10)
    calibration = PlateCalibration((1.0,) * 4, (0.0,) * 4, 500.0, 400.0)
    _fz, ml, ap = centre_of_pressure(calibration, signal.loads_n)
    np.testing.assert_allclose(ml, signal.ground_truth.cop_ml_mm, atol=1e-9)
    np.testing.assert_allclose(ap, signal.ground_truth.cop_ap_mm, atol=1e-9)
    assert signal.ground_truth.events_s == {"lift_off_s": 5.0, "touchdown_s": 15.0}
    on_leg = ml[(np.arange(ml.size) / 100 > 6) & (np.arange(ml.size) / 100 < 14)]
    assert on_leg.mean() > 30.0


def test_stepping_on_and_off_loads_and_unloads_the_plate() -> None:
    signal = generate("step-on-off", rate_hz=100, duration_s=20, seed=1, event_s=2, hold_s=10)
    assert signal.fz_n[0] == 0.0
    assert signal.fz_n[700] == pytest.approx(60 * 9.80665)
    assert signal.fz_n[-1] == 0.0


def test_sit_to_stand_loads_the_feet_on_each_rise() -> None:
    signal = generate("sit-to-stand", rate_hz=100, duration_s=25, seed=1, event_s=2, hold_s=5)
    weight = 60 * 9.80665
    assert signal.fz_n[0] == pytest.approx(0.25 * weight)
    above = signal.fz_n > 1.1 * weight
    rises = int(np.count_nonzero(above[1:] & ~above[:-1]))
    assert rises == 5
    assert len(signal.ground_truth.events_s) == 10


BDS = Path(__file__).resolve().parents[3] / "shared" / "data" / "bds"


@pytest.mark.skipif(not BDS.exists(), reason="../shared/data is not beside this checkout")
@pytest.mark.parametrize(
    ("eyes_closed", "frail"), [(False, False), (False, True), (True, False), (True, True)]
)
def test_simulated_sway_lies_within_the_published_bds_firm_surface_values(
    eyes_closed: bool, frail: bool
) -> None:
    with (BDS / "BDSinfoCOP_subset.tsv").open(encoding="utf-8", newline="") as handle:
        firm = [row for row in csv.DictReader(handle, delimiter="\t") if row["Surface"] == "Firm"]
    published = {
        key: [float(row[key]) for row in firm] for key in ("COParea", "COPvelo", "COPmfreq")
    }
    ml, ap = sway(
        np.random.default_rng(5), 6000, 100.0, profile(eyes_closed=eyes_closed, frail=frail)
    )
    result = score_sway(ml, ap, 100.0)
    _, power_ap = welch_psd(ap, 100.0)
    _, power_ml = welch_psd(ml, 100.0)
    mean_frequency = (
        result.spectrum_ap.mean_frequency_hz * power_ap.sum()
        + result.spectrum_ml.mean_frequency_hz * power_ml.sum()
    ) / (power_ap.sum() + power_ml.sum())
    simulated = {
        "COParea": result.ellipse95.area / 100,
        "COPvelo": result.path_length_mm / 10 / 60,
        "COPmfreq": mean_frequency,
    }
    for key, value in simulated.items():
        assert min(published[key]) <= value <= max(published[key]), key
