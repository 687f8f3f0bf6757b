"""Stabilometry against the reference test vectors of REFERENCE.md §8.6 (A, B, C)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from measures.errors import SignalError
from measures.stabilometry import envelope_area, romberg, score_sway

X = [0.0, 1.0, 2.0, 1.5, -0.5, -1.0, 0.5, 0.2, -0.3, 1.1]
Y = [0.0, 0.5, -0.5, 1.0, 1.5, -1.0, -0.2, 0.8, 0.3, -0.6]


def close(value: float, expected: float, digits: int = 9) -> None:
    assert abs(value - expected) <= 10.0**-digits, (value, expected)


def test_vector_a_japanese_parameters_and_ellipses() -> None:
    result = score_sway(X, Y, 20.0)
    close(result.path_length_mm, 13.839918081)
    close(result.mean_velocity_mm_s, 30.755373512)
    close(result.path_length_ml_mm, 8.7)
    close(result.path_length_ap_mm, 9.2)
    close(result.rect_area_mm2, 7.5)
    close(result.rms_area_mm2, 4.279163353)
    close(result.rms_ml_mm, 0.898053451)
    close(result.rms_ap_mm, 0.745385806)
    close(result.sway_area_per_second_mm2_s, 10.795555556)
    close(result.ellipse95.area, 25.768986761)
    close(result.ellipse95.area_chi2, 13.990092052)
    close(result.ellipse95.area_prieto, 18.741081281)
    assert result.duration_s == pytest.approx(0.45)
    assert result.quality_flags == ("duration_below_60_s",)


def test_vector_b_envelope_rms_and_rectangle_areas_of_a_circle() -> None:
    angles = np.radians((np.arange(3600) + 0.5) * 360 / 3600)
    x, y = np.cos(angles), np.sin(angles)
    close(envelope_area(x, y), 60 * math.sin(math.radians(3)))
    close(envelope_area(x, y, 1.0), 180 * math.sin(math.radians(1)))
    result = score_sway(x, y, 100.0)
    assert result.rms_area_mm2 == pytest.approx(math.pi, abs=1e-5)
    assert result.rect_area_mm2 == pytest.approx(4.0, abs=1e-5)


@pytest.mark.parametrize("rate_hz", [20, 100])
def test_vector_c_spectrum(rate_hz: int) -> None:
    t = np.arange(60 * rate_hz) / rate_hz
    signal = 0.5 * np.sin(2 * np.pi * 0.2 * t) + 0.2 * np.sin(2 * np.pi * 1.0 * t + 0.3)
    spectrum = score_sway(signal, signal, rate_hz).spectrum_ap
    assert spectrum.peak_frequency_hz == pytest.approx(0.2, abs=1e-12)
    close(spectrum.f50_hz, 7 / 30, 6)
    close(spectrum.f80_hz, 8 / 30, 6)
    close(spectrum.f95_hz, 31 / 30, 6)
    assert spectrum.mean_frequency_hz == pytest.approx(9 / 29, abs=1e-12)
    assert spectrum.total_power == pytest.approx(0.145, abs=1e-12)


def test_the_json_summary_has_exactly_the_documented_keys() -> None:
    keys = set(score_sway(X * 3, Y * 3, 20.0).as_json())
    assert keys == {
        "path_length_mm", "path_length_ap_mm", "path_length_ml_mm", "mean_velocity_mm_s",
        "mean_velocity_ap_mm_s", "mean_velocity_ml_mm_s", "rms_ap_mm", "rms_ml_mm", "rms_mm",
        "range_ap_mm", "range_ml_mm", "ellipse95_area_mm2", "sway_area_per_second_mm2_s",
        "envelope_area_mm2", "rect_area_mm2", "rms_area_mm2", "path_length_per_area_1_mm",
        "f50_ap_hz", "f95_ap_hz", "f50_ml_hz", "f95_ml_hz", "mean_frequency_ap_hz",
        "mean_frequency_ml_hz", "samples", "duration_s", "rate_hz", "filter",
    }  # fmt: skip


def test_lowpass_filter_is_recorded_and_removes_high_frequency_noise() -> None:
    rng = np.random.default_rng(7)
    t = np.arange(60_000) / 1000
    sway = 3 * np.sin(2 * np.pi * 0.3 * t)
    noisy = sway + rng.normal(0, 0.05, t.size)
    raw = score_sway(noisy, sway, 1000.0)
    filtered = score_sway(noisy, sway, 1000.0, filter="lowpass10")
    assert filtered.filter == "lowpass10"
    assert filtered.path_length_ml_mm < raw.path_length_ml_mm / 5


def test_romberg_ratios_divide_eyes_closed_by_eyes_open() -> None:
    opened = score_sway(X * 3, Y * 3, 20.0)
    closed = score_sway([2 * v for v in X * 3], [2 * v for v in Y * 3], 20.0)
    ratios = romberg(opened, closed)
    assert ratios.path_length == pytest.approx(2.0)
    assert ratios.rect_area == pytest.approx(4.0)
    assert ratios.ellipse95_area == pytest.approx(4.0)


@pytest.mark.parametrize(
    ("ml", "ap", "rate", "message"),
    [
        ([0.0] * 5, [0.0] * 5, 20.0, "at least 10"),
        ([0.0] * 20, [0.0] * 19, 20.0, "equal length"),
        ([0.0] * 19 + [math.nan], [0.0] * 20, 20.0, "NaN"),
        ([0.0] * 20, [0.0] * 20, 0.0, "positive sampling rate"),
    ],
)
def test_unusable_signals_are_refused_with_the_reason(
    ml: list[float], ap: list[float], rate: float, message: str
) -> None:
    with pytest.raises(SignalError, match=message):
        score_sway(ml, ap, rate)
