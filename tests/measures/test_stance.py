"""One-leg stance and stance holds recover the simulated ground truth within the stated window."""

from __future__ import annotations

import numpy as np
import pytest

from measures.errors import SignalError
from measures.stance import DETECTION_WINDOW_S, one_leg_stance, stance_hold
from simulators.human.scenarios import generate

SEEDS = range(8)


@pytest.mark.parametrize("frail", [False, True])
@pytest.mark.parametrize("seed", SEEDS)
def test_one_leg_lift_off_and_touchdown_match_the_ground_truth(seed: int, frail: bool) -> None:
    rate = 1000.0
    signal = generate(
        "one-leg", rate_hz=rate, duration_s=40, seed=seed, frail=frail, event_s=5, hold_s=20
    )
    result = one_leg_stance(signal.fz_n, signal.ground_truth.cop_ml_mm, rate)
    truth = signal.ground_truth.events_s
    tolerance = 1 / rate + DETECTION_WINDOW_S
    assert result.start_s == pytest.approx(truth["lift_off_s"], abs=tolerance)
    assert result.end_s == pytest.approx(truth["touchdown_s"], abs=tolerance)
    assert result.hold_s == pytest.approx(20.0, abs=2 * tolerance)
    assert result.quality_flags == ()


def test_one_leg_hold_is_capped_at_120_s_or_60_s_by_option() -> None:
    signal = generate("one-leg", rate_hz=50, duration_s=140, seed=1, event_s=5, hold_s=130)
    mext = one_leg_stance(signal.fz_n, signal.ground_truth.cop_ml_mm, 50)
    assert mext.hold_s == 120.0
    assert mext.quality_flags == ("reached_cap",)
    short = one_leg_stance(signal.fz_n, signal.ground_truth.cop_ml_mm, 50, cap_s=60)
    assert short.hold_s == 60.0


def test_stepping_off_the_plate_ends_the_stance() -> None:
    signal = generate("one-leg", rate_hz=100, duration_s=30, seed=2, event_s=5, hold_s=40)
    fz = signal.fz_n.copy()
    fz[1200:] = 0.0
    result = one_leg_stance(fz, signal.ground_truth.cop_ml_mm, 100)
    assert result.end_s == pytest.approx(12.0, abs=0.02)


def test_no_lift_off_and_an_unfinished_recording_are_flagged() -> None:
    quiet = generate("quiet-eo", rate_hz=100, duration_s=20, seed=3)
    assert one_leg_stance(quiet.fz_n, quiet.ground_truth.cop_ml_mm, 100).quality_flags == (
        "no_lift_off",
    )
    still_up = generate("one-leg", rate_hz=100, duration_s=20, seed=3, event_s=5, hold_s=30)
    result = one_leg_stance(still_up.fz_n, still_up.ground_truth.cop_ml_mm, 100)
    assert result.quality_flags == ("recording_ended_before_touchdown",)
    assert result.end_s is None


@pytest.mark.parametrize("seed", SEEDS)
def test_tandem_step_out_is_found(seed: int) -> None:
    signal = generate(
        "tandem", rate_hz=100, duration_s=15, seed=seed, frail=True, event_s=0, hold_s=6.5
    )
    result = stance_hold(
        signal.fz_n, signal.ground_truth.cop_ml_mm, signal.ground_truth.cop_ap_mm, 100
    )
    assert result.end_s == pytest.approx(
        signal.ground_truth.events_s["step_out_s"], abs=0.01 + DETECTION_WINDOW_S
    )
    assert result.hold_s == pytest.approx(6.5, abs=0.11)


def test_a_held_sppb_stance_is_capped_at_10_s() -> None:
    signal = generate("quiet-eo", rate_hz=100, duration_s=12, seed=4)
    result = stance_hold(
        signal.fz_n, signal.ground_truth.cop_ml_mm, signal.ground_truth.cop_ap_mm, 100
    )
    assert result.hold_s == 10.0
    assert result.quality_flags == ("reached_cap",)


def test_missing_cop_is_refused() -> None:
    with pytest.raises(SignalError, match="NaN"):
        one_leg_stance(np.zeros(500), np.full(500, np.nan), 100)
