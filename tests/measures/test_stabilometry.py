"""Stabilometry against the reference test vectors of REFERENCE.md §8.4–§8.6 and its own rules.

Vector A is given in cm; the scorer works in mm, so lengths are compared ×10 and areas ×100
(the formulas are unit-free, §8). "To the digits shown" means within one unit of the last digit.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import signal, stats

from measures.ellipse import (
    covariance,
    ellipse_area_chi2,
    ellipse_area_prieto,
    f_quantile,
    prediction_ellipse,
)
from measures.errors import (
    BadRateError,
    NonFiniteSampleError,
    SetupMismatchError,
    SignalError,
    TooFewSamplesError,
)
from measures.filters import lowpass10, resample20
from measures.results import SWAY_JSON_KEYS, QualityFlag
from measures.spectrum import spectrum_features, welch_psd
from measures.stabilometry import envelope_area, romberg, score_sway

X_CM = np.array([0.0, 1.0, 2.0, 1.5, -0.5, -1.0, 0.5, 0.2, -0.3, 1.1])
Y_CM = np.array([0.0, 0.5, -0.5, 1.0, 1.5, -1.0, -0.2, 0.8, 0.3, -0.6])


def _digits(value: float, expected: float, last_digit: float) -> None:
    assert abs(value - expected) <= last_digit, (value, expected)


@pytest.fixture(scope="module")
def vector_a() -> object:
    return score_sway(X_CM * 10, Y_CM * 10, 20.0)


def test_vector_a_covariance_determinant_and_f_quantile() -> None:
    s = covariance(X_CM, Y_CM)
    expected = [[0.896111111, -0.027777778], [-0.027777778, 0.617333333]]
    np.testing.assert_allclose(s, expected, atol=1e-9)
    _digits(float(np.linalg.det(s)), 0.552427654321, 1e-12)
    _digits(f_quantile(10), 4.458970107525, 1e-12)


def test_vector_a_ellipse_areas_in_cm2() -> None:
    _digits(prediction_ellipse(X_CM, Y_CM).area, 25.768986761, 1e-9)
    _digits(ellipse_area_chi2(X_CM, Y_CM), 13.990092052, 1e-9)
    _digits(ellipse_area_prieto(X_CM, Y_CM), 18.741081281, 1e-9)


@pytest.mark.parametrize(
    ("field", "expected_cm", "power", "last_digit"),
    [
        ("ellipse95_area_mm2", 25.768986761, 2, 1e-9),
        ("ellipse95_area_chi2_mm2", 13.990092052, 2, 1e-9),
        ("ellipse95_area_prieto_mm2", 18.741081281, 2, 1e-9),
        ("path_length_mm", 13.839918081, 1, 1e-9),
        ("mean_velocity_mm_s", 30.755373512, 1, 1e-9),
        ("path_length_ml_mm", 8.7, 1, 0.1),
        ("path_length_ap_mm", 9.2, 1, 0.1),
        ("rect_area_mm2", 7.5, 2, 0.1),
        ("rms_area_mm2", 4.279163353, 2, 1e-9),
        ("rms_ml_mm", 0.898053451, 1, 1e-9),
        ("rms_ap_mm", 0.745385806, 1, 1e-9),
        ("sway_area_per_second_mm2_s", 10.795555556, 2, 1e-9),
    ],
)
def test_vector_a_scored_in_mm_matches_the_reference_in_cm(
    vector_a: object, field: str, expected_cm: float, power: int, last_digit: float
) -> None:
    _digits(getattr(vector_a, field) / 10**power, expected_cm, last_digit)


def test_vector_a_duration_is_the_time_spanned_by_the_samples(vector_a: object) -> None:
    assert vector_a.duration_s == pytest.approx(0.45)  # type: ignore[attr-defined]
    assert vector_a.samples == 10  # type: ignore[attr-defined]


def _unit_circle(points: int = 3600) -> tuple[np.ndarray, np.ndarray]:
    angles = np.radians((np.arange(points) + 0.5) * 360.0 / points)
    return np.cos(angles), np.sin(angles)


@pytest.mark.parametrize(("sector_deg", "expected"), [(3.0, 3.140157375), (1.0, 3.141433159)])
def test_vector_b_envelope_area_of_the_unit_circle(sector_deg: float, expected: float) -> None:
    x, y = _unit_circle()
    _digits(envelope_area(x - x.mean(), y - y.mean(), sector_deg), expected, 1e-9)
    assert score_sway(x, y, 20.0, envelope_sector_deg=sector_deg).envelope_area_mm2 == (
        pytest.approx(expected, abs=1e-9)
    )


def test_vector_b_rms_and_rectangle_areas_of_the_unit_circle() -> None:
    result = score_sway(*_unit_circle(), 20.0)
    assert result.rms_area_mm2 == pytest.approx(math.pi, abs=1e-5)
    assert result.rect_area_mm2 == pytest.approx(4.0, abs=1e-5)
    assert result.envelope_sector_deg == 3.0


def test_envelope_puts_minus_180_degrees_in_sector_zero_and_is_not_the_convex_hull() -> None:
    x = np.array([-1.0, 1.0, 0.0, 0.0])
    y = np.array([0.0, 0.0, 1.0, -1.0])
    # Four points on the axes: sectors of 90° give the square's area 2, as the hull would;
    # with 3° sectors the triangles between neighbouring occupied sectors give the same square.
    assert envelope_area(x, y, 90.0) == pytest.approx(2.0)
    assert envelope_area(x, y, 3.0) == pytest.approx(2.0)
    # A point at −180° lands in sector 0 together with +180° - only the larger radius counts.
    x2 = np.array([-1.0, -2.0, 1.0, 0.0, 0.0])
    y2 = np.array([-0.0, 0.0, 0.0, 1.0, -1.0])
    assert envelope_area(x2, y2, 90.0) == pytest.approx(3.0)


def test_envelope_rejects_a_sector_width_that_does_not_divide_360() -> None:
    with pytest.raises(SignalError, match="divisor of 360"):
        envelope_area(X_CM, Y_CM, 7.0)


def _spectrum_signal(rate_hz: float) -> np.ndarray:
    t = np.arange(round(60 * rate_hz)) / rate_hz
    return 0.5 * np.sin(2 * np.pi * 0.2 * t) + 0.2 * np.sin(2 * np.pi * 1.0 * t + 0.3)


@pytest.mark.parametrize(("rate_hz", "nperseg"), [(20.0, 600), (100.0, 3000)])
def test_vector_c_spectrum_set_up_and_features(rate_hz: float, nperseg: int) -> None:
    x = _spectrum_signal(rate_hz)
    freqs, _ = welch_psd(x, rate_hz)
    assert (x.size // 2, freqs.size) == (nperseg, nperseg // 2 + 1)
    assert (x.size - x.size // 4) // (nperseg - x.size // 4) == 3  # segments
    assert freqs[1] - freqs[0] == pytest.approx(1 / 30, abs=1e-15)
    features = spectrum_features(x, rate_hz)
    assert features.peak_frequency_hz == pytest.approx(0.2, abs=1e-12)
    _digits(features.f50_hz, 0.233333, 1e-6)
    _digits(features.f80_hz, 0.266667, 1e-6)
    _digits(features.f95_hz, 1.033333, 1e-6)
    assert features.f50_hz == pytest.approx(7 / 30, abs=1e-12)
    assert features.f80_hz == pytest.approx(8 / 30, abs=1e-12)
    assert features.f95_hz == pytest.approx(31 / 30, abs=1e-12)
    assert abs(features.mean_frequency_hz - 9 / 29) <= 1e-12
    assert abs(features.total_power - 0.145) <= 1e-12


def test_vector_c_through_score_sway_on_both_axes() -> None:
    x = _spectrum_signal(20.0)
    result = score_sway(x, x[::-1].copy(), 20.0)
    assert result.f50_ml_hz == pytest.approx(7 / 30, abs=1e-12)
    assert result.spectrum_ml.f80_hz == pytest.approx(8 / 30, abs=1e-12)
    assert result.f95_ml_hz == pytest.approx(31 / 30, abs=1e-12)
    assert result.mean_frequency_ml_hz == pytest.approx(9 / 29, abs=1e-12)
    assert result.spectrum_ml.total_power == pytest.approx(0.145, abs=1e-12)
    assert (result.psd_nperseg, result.psd_resolution_hz) == (600, pytest.approx(1 / 30))
    assert "nperseg=N//2" in result.psd_setup


@pytest.mark.parametrize(
    ("n", "f95", "k", "two_f"),
    [
        (10, 4.458970, 11.035951, 8.917940),
        (100, 3.089203, 6.303865, 6.178406),
        (1200, 3.003236, 6.016495, 6.006472),
        (6000, 2.997229, 5.996457, 5.994458),
    ],
)
def test_ellipse_factor_table_of_section_8_4(n: int, f95: float, k: float, two_f: float) -> None:
    rng = np.random.default_rng(n)
    ellipse = prediction_ellipse(rng.normal(size=n), rng.normal(size=n))
    _digits(ellipse.f_quantile, f95, 1e-6)
    _digits(ellipse.k, k, 1e-6)
    _digits(2 * ellipse.f_quantile, two_f, 1e-6)
    _digits(float(stats.chi2.ppf(0.95, 2)), 5.991465, 1e-6)


def test_ellipse_axes_and_angle_of_a_tilted_cloud() -> None:
    rng = np.random.default_rng(7)
    print("seed 7")
    major, minor = rng.normal(scale=3.0, size=20000), rng.normal(scale=1.0, size=20000)
    angle = math.radians(30.0)
    x = major * math.cos(angle) - minor * math.sin(angle)
    y = major * math.sin(angle) + minor * math.cos(angle)
    ellipse = prediction_ellipse(x, y)
    assert ellipse.angle_deg == pytest.approx(30.0, abs=1.0)
    assert ellipse.semi_major / ellipse.semi_minor == pytest.approx(3.0, rel=0.03)
    assert ellipse.area == pytest.approx(math.pi * ellipse.semi_major * ellipse.semi_minor)
    assert ellipse.semi_major == pytest.approx(math.sqrt(ellipse.k) * 3.0, rel=0.03)


def _walk(seed: int, samples: int = 1200) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return np.cumsum(rng.normal(size=samples)), np.cumsum(rng.normal(size=samples))


def test_measures_do_not_depend_on_where_the_cop_is_on_the_plate() -> None:
    ml, ap = _walk(1)
    here, there = score_sway(ml, ap, 20.0), score_sway(ml + 150.0, ap - 80.0, 20.0)
    for key in SWAY_JSON_KEYS:
        if isinstance(here.as_json()[key], float):
            assert here.as_json()[key] == pytest.approx(there.as_json()[key], rel=1e-9), key


def test_json_has_exactly_the_documented_keys_and_mean_velocity_is_per_axis() -> None:
    ml, ap = _walk(2)
    result = score_sway(ml, ap, 20.0)
    values = result.as_json()
    assert tuple(values) == SWAY_JSON_KEYS
    assert values["filter"] == "none"
    assert values["samples"] == 1200
    assert values["duration_s"] == pytest.approx(1199 / 20)
    assert result.mean_velocity_ml_mm_s == pytest.approx(result.path_length_ml_mm / (1199 / 20))
    assert result.rms_mm == pytest.approx(math.hypot(result.rms_ml_mm, result.rms_ap_mm))
    assert result.path_length_per_area_1_mm == pytest.approx(
        result.path_length_mm / result.envelope_area_mm2
    )
    assert result.algorithm_version == "stabilometry/1"
    assert result.quality_flags == ()


def test_short_recordings_are_flagged_against_the_60_s_protocol() -> None:
    ml, ap = _walk(3, samples=1199)
    assert QualityFlag.SHORT_RECORDING in score_sway(ml, ap, 20.0).quality_flags


def test_a_flat_axis_gives_nan_spectra_null_json_and_flags() -> None:
    ml = np.zeros(1200)
    ap = np.cumsum(np.random.default_rng(4).normal(size=1200))
    result = score_sway(ml, ap, 20.0)
    assert math.isnan(result.f50_ml_hz)
    assert result.ellipse95_area_mm2 == 0.0
    assert math.isnan(result.path_length_per_area_1_mm)
    assert {QualityFlag.FLAT_AXIS, QualityFlag.DEGENERATE_ENVELOPE} <= set(result.quality_flags)
    assert result.as_json()["f50_ml_hz"] is None
    assert result.as_json()["path_length_per_area_1_mm"] is None


@pytest.mark.parametrize(
    ("ml", "ap", "rate", "error", "message"),
    [
        (np.zeros(9), np.zeros(9), 20.0, TooFewSamplesError, "9 samples given"),
        (np.zeros(20), np.zeros(19), 20.0, SignalError, "different lengths"),
        (np.zeros((2, 10)), np.zeros((2, 10)), 20.0, SignalError, "1-D"),
        (np.r_[np.zeros(12), np.nan], np.zeros(13), 20.0, NonFiniteSampleError, "ML sample 12"),
        (np.zeros(13), np.r_[np.inf, np.zeros(12)], 20.0, NonFiniteSampleError, "AP sample 0"),
        (np.zeros(20), np.zeros(20), 0.0, BadRateError, "positive finite"),
        (np.zeros(20), np.zeros(20), math.nan, BadRateError, "positive finite"),
    ],
)
def test_unusable_signals_raise_signal_errors_that_say_why(
    ml: np.ndarray, ap: np.ndarray, rate: float, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        score_sway(ml, ap, rate)


def test_unknown_filter_is_refused_with_the_choices() -> None:
    ml, ap = _walk(5)
    with pytest.raises(SignalError, match="none, lowpass10, resample20"):
        score_sway(ml, ap, 20.0, filter="median")  # type: ignore[arg-type]


def test_lowpass10_has_no_phase_lag_and_removes_fast_noise() -> None:
    rate = 1000.0
    t = np.arange(60_000) / rate
    slow = 5 * np.sin(2 * np.pi * 0.5 * t)
    fast = np.sin(2 * np.pi * 40.0 * t)
    filtered = lowpass10(slow + fast, rate)
    middle = slice(1000, -1000)
    assert np.max(np.abs(filtered[middle] - slow[middle])) < 0.02
    with pytest.raises(BadRateError, match="above 20 Hz"):
        lowpass10(slow[:100], 20.0)


def test_lowpass10_shortens_the_path_of_a_noisy_trial_and_is_recorded() -> None:
    rng = np.random.default_rng(6)
    ml, ap = _walk(6, samples=60_000)
    ml, ap = ml * 0.05 + rng.normal(scale=0.2, size=ml.size), ap * 0.05
    raw, smooth = score_sway(ml, ap, 1000.0), score_sway(ml, ap, 1000.0, filter="lowpass10")
    assert smooth.filter == "lowpass10"
    assert smooth.path_length_mm < raw.path_length_mm / 2


def test_resample20_scores_at_20_hz_and_keeps_slow_sway() -> None:
    rate = 100.0
    t = np.arange(6000) / rate
    ml = 5 * np.sin(2 * np.pi * 0.2 * t)
    result = score_sway(ml, 3 * np.cos(2 * np.pi * 0.3 * t), rate, filter="resample20")
    assert (result.rate_hz, result.source_rate_hz, result.samples) == (20.0, 100.0, 1200)
    assert result.filter == "resample20"
    assert result.rms_ml_mm == pytest.approx(5 / math.sqrt(2), rel=2e-3)
    down = resample20(ml, rate)
    np.testing.assert_allclose(down[10:-10], ml[::5][10:-10], atol=1e-3)
    assert resample20(ml, 20.0) is ml
    with pytest.raises(BadRateError, match="at least 20 Hz"):
        resample20(ml, 10.0)


def test_romberg_ratios_are_eyes_closed_over_eyes_open() -> None:
    ml, ap = _walk(8)
    eyes_open = score_sway(ml, ap, 20.0)
    eyes_closed = score_sway(2 * ml, 2 * ap, 20.0)
    ratios = romberg(eyes_open, eyes_closed)
    assert ratios.path_length_ratio == pytest.approx(2.0)
    assert ratios.mean_velocity_ratio == pytest.approx(2.0)
    assert ratios.envelope_area_ratio == pytest.approx(4.0)
    assert ratios.ellipse95_area_ratio == pytest.approx(4.0)
    assert ratios.rect_area_ratio == pytest.approx(4.0)
    assert ratios.rms_area_ratio == pytest.approx(4.0)
    assert ratios.rms_ratio == pytest.approx(2.0)
    assert ratios.sway_area_per_second_ratio == pytest.approx(4.0)
    assert ratios.quality_flags == ()
    assert set(ratios.as_json()) >= {"envelope_area_ratio", "path_length_ratio", "filter"}


def test_romberg_refuses_different_set_ups_and_flags_what_it_cannot_compare() -> None:
    ml, ap = _walk(9)
    eyes_open = score_sway(ml, ap, 20.0)
    with pytest.raises(SetupMismatchError, match="same rate and filter"):
        romberg(eyes_open, score_sway(ml, ap, 25.0))
    flat = score_sway(np.zeros(1200), np.zeros(1200), 20.0)
    ratios = romberg(flat, score_sway(ml[:1000], ap[:1000], 20.0))
    assert math.isnan(ratios.envelope_area_ratio)
    assert ratios.as_json()["envelope_area_ratio"] is None
    assert set(ratios.quality_flags) == {
        QualityFlag.DURATION_MISMATCH,
        QualityFlag.UNDEFINED_RATIO,
    }


def test_spectrum_of_the_reference_setup_equals_scipy_called_directly() -> None:
    x = _walk(10)[0]
    freqs, power = welch_psd(x, 20.0)
    f_ref, p_ref = signal.welch(
        x, fs=20.0, window=signal.get_window("hann", 600), noverlap=300, nfft=600
    )
    np.testing.assert_array_equal(freqs, f_ref)
    np.testing.assert_allclose(power, p_ref, rtol=1e-12)
