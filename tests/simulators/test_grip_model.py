"""The grip-trial model: determinism, ground truth against the signal, scenario shapes."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import medfilt

from simulators.human.grip import GRIP_SCENARIOS, GripSignal, grip_trial

SEEDS = range(200)


def hold_last_second(signal: GripSignal) -> np.ndarray:
    release_s = signal.truth.release_s
    assert release_s is not None
    return (signal.time_s >= release_s - 1.0) & (signal.time_s < release_s)


@pytest.mark.parametrize("scenario", list(GRIP_SCENARIOS))
def test_same_seed_gives_the_same_trial(scenario: str) -> None:
    first, second = grip_trial(scenario, seed=7), grip_trial(scenario, seed=7)
    np.testing.assert_array_equal(first.force_kgf, second.force_kgf)
    np.testing.assert_array_equal(first.true_force_kgf, second.true_force_kgf)
    assert first.truth == second.truth


@pytest.mark.parametrize("scenario", list(GRIP_SCENARIOS))
def test_different_seeds_give_different_trials(scenario: str) -> None:
    first, second = grip_trial(scenario, seed=1), grip_trial(scenario, seed=2)
    assert first.force_kgf.shape != second.force_kgf.shape or not np.array_equal(
        first.force_kgf, second.force_kgf
    )


@pytest.mark.parametrize("scenario", list(GRIP_SCENARIOS))
def test_time_axis_starts_at_zero_at_the_rate_asked_for(scenario: str) -> None:
    signal = grip_trial(scenario, seed=3, rate_hz=100.0)
    assert signal.time_s[0] == 0.0
    np.testing.assert_allclose(np.diff(signal.time_s), 0.01)
    assert signal.force_kgf.shape == signal.time_s.shape == signal.true_force_kgf.shape
    assert signal.truth.rate_hz == 100.0
    assert not signal.force_kgf.flags.writeable


@pytest.mark.parametrize("scenario", list(GRIP_SCENARIOS))
def test_truth_peak_is_the_maximum_of_the_noise_free_force(scenario: str) -> None:
    for seed in range(20):
        signal = grip_trial(scenario, seed=seed)
        assert signal.truth.peak_kgf == signal.true_force_kgf.max()


def test_peak_asked_for_is_the_truth_peak() -> None:
    assert grip_trial("grip-max", seed=4, peak_kgf=18.5).truth.peak_kgf == pytest.approx(18.5)


def test_drawn_peaks_span_the_simulated_range() -> None:
    peaks = [grip_trial("grip-max", seed=seed).truth.peak_kgf for seed in SEEDS]
    assert 12.0 <= min(peaks) < 14.0
    assert 33.0 < max(peaks) <= 35.0


def test_grip_max_reading_peak_is_within_0_1_kg_of_the_truth() -> None:
    for seed in SEEDS:
        signal = grip_trial("grip-max", seed=seed)
        error = abs(signal.force_kgf.max() - signal.truth.peak_kgf)
        assert error <= 0.1, f"seed {seed}: reading peak {error:.3f} kg from the truth"


def test_grip_noisy_peak_is_within_0_3_kg_after_rejecting_spikes() -> None:
    for seed in SEEDS:
        signal = grip_trial("grip-noisy", seed=seed)
        assert len(signal.truth.spikes_s) == 3
        error = abs(medfilt(signal.force_kgf, 3).max() - signal.truth.peak_kgf)
        assert error <= 0.3, f"seed {seed}: filtered peak {error:.3f} kg from the truth"


def test_grip_max_timing_is_plausible() -> None:
    for seed in SEEDS:
        signal = grip_trial("grip-max", seed=seed)
        truth = signal.truth
        assert truth.onset_s is not None
        assert truth.rise_s is not None
        assert truth.time_to_peak_s is not None
        assert truth.hold_s is not None
        assert 0.8 <= truth.onset_s <= 1.2
        assert 0.3 <= truth.rise_s <= 0.8
        assert abs(truth.time_to_peak_s - truth.rise_s) < 0.15, f"seed {seed}"
        assert 2.7 <= truth.rise_s + truth.hold_s <= 3.3
        assert 6.0 <= signal.time_s[-1] <= 8.0
        before_onset = signal.time_s < truth.onset_s
        assert np.all(signal.true_force_kgf[before_onset] == 0.0)
        assert truth.fatigue_ratio is None


def test_force_is_back_to_zero_after_the_release() -> None:
    signal = grip_trial("grip-max", seed=5)
    truth = signal.truth
    assert truth.release_s is not None
    assert truth.release_duration_s is not None
    after = signal.time_s >= truth.release_s + truth.release_duration_s
    assert after.sum() > 80
    np.testing.assert_allclose(signal.true_force_kgf[after], 0.0, atol=1e-12)


def test_fatigue_decline_matches_the_truth_ratio() -> None:
    for seed in range(50):
        signal = grip_trial("grip-fatigue", seed=seed)
        truth = signal.truth
        assert truth.hold_s is not None
        assert truth.fatigue_ratio is not None
        assert 10.0 <= truth.hold_s <= 20.0
        assert 0.58 <= truth.fatigue_ratio <= 0.82
        measured = signal.force_kgf[hold_last_second(signal)].mean() / signal.force_kgf.max()
        assert measured == pytest.approx(truth.fatigue_ratio, abs=0.01), f"seed {seed}"


def test_unloaded_gauge_reads_zero_mean_with_the_sensor_noise() -> None:
    signal = grip_trial("unloaded", seed=9)
    assert signal.truth.peak_kgf == 0.0
    assert signal.truth.onset_s is None
    assert abs(signal.force_kgf.mean()) < 0.01
    assert signal.force_kgf.std() == pytest.approx(0.02, rel=0.15)


def test_noise_can_be_set_and_switched_off() -> None:
    signal = grip_trial("grip-max", seed=2, noise_sd_kgf=0.0)
    np.testing.assert_array_equal(signal.force_kgf, signal.true_force_kgf)


def test_unknown_scenario_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="unknown grip scenario 'grip-min'") as error:
        grip_trial("grip-min", seed=0)
    for name in GRIP_SCENARIOS:
        assert name in str(error.value)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"rate_hz": 0.0}, "rate_hz"),
        ({"peak_kgf": -1.0}, "peak_kgf"),
        ({"noise_sd_kgf": -0.1}, "noise_sd_kgf"),
    ],
)
def test_bad_settings_are_refused(kwargs: dict[str, float], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        grip_trial("grip-max", seed=0, **kwargs)
