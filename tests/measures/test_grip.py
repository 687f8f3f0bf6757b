"""Grip trial scores: exact on piecewise-linear traces, close to the simulator's truth, flagged."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from measures.errors import NonFiniteSampleError, SignalError, TooFewSamplesError
from measures.grip import DEFINITIONS_STATUS, GripFlag, GripStream, score_grip
from simulators.human.grip import grip_trial

# A sustained squeeze at 100 Hz: rest 1 s; 0 → 8 kgf in 0.1 s (80 kgf/s), → 20 kgf at 1.5 s
# (30 kgf/s); a linear decline to 14 kgf at 11.5 s (0.6 kgf/s); release within one sample.
KNOTS_S = (0.0, 1.0, 1.1, 1.5, 11.5, 11.51, 12.5)
KNOTS_KGF = (0.0, 0.0, 8.0, 20.0, 14.0, 0.0, 0.0)


def _sustained(time_s: np.ndarray) -> np.ndarray:
    return np.interp(time_s, KNOTS_S, KNOTS_KGF)


def _regular() -> np.ndarray:
    return np.arange(1251) / 100


def test_a_piecewise_linear_squeeze_gives_its_analytic_scores() -> None:
    time = _regular()
    result = score_grip(time, _sustained(time))
    assert result.peak_kgf == 20.0
    assert result.peak_time_s == 1.5
    assert result.onset_time_s == 1.0
    assert result.time_to_peak_s == pytest.approx(0.5)
    assert result.rfd_0_100_kgf_s == pytest.approx(80.0)
    assert result.rfd_0_200_kgf_s == pytest.approx((8.0 + 0.1 * 30.0) / 0.2)
    # ≥ 18 kgf from 1.1 + 10/30 s on the rise to 1.5 + 0.1/0.03 s on the decline
    assert result.hold_90_s == pytest.approx((1.5 + 0.1 / 0.03) - (1.1 + 10 / 30))
    # 50 % (10 kgf) is crossed 4/14 of the way through the release sample
    assert result.fatigue_resistance_50_s == pytest.approx(11.5 + 0.01 * 4 / 14 - 1.5)
    # mean over the last second before 11.5 s is the decline's value at 11.0 s: 14.3 kgf
    assert result.fatigue_index_pct == pytest.approx(100 * (20.0 - 14.3) / 20.0)
    assert result.quality_flags == ()
    assert result.definitions_status == DEFINITIONS_STATUS == "UNVERIFIED"


def test_irregular_time_stamps_give_the_same_scores() -> None:
    rng = np.random.default_rng(11)
    jittered = np.cumsum(rng.uniform(0.006, 0.014, 1400))
    time = np.union1d(jittered[jittered < 12.5], KNOTS_S)
    regular = score_grip(_regular(), _sustained(_regular()))
    irregular = score_grip(time, _sustained(time))
    for name in ("peak_kgf", "time_to_peak_s", "rfd_0_100_kgf_s", "rfd_0_200_kgf_s", "hold_90_s"):
        assert getattr(irregular, name) == pytest.approx(getattr(regular, name)), name
    assert irregular.fatigue_index_pct == pytest.approx(regular.fatigue_index_pct, abs=0.01)
    assert irregular.quality_flags == ()


def test_a_short_squeeze_has_no_fatigue_index() -> None:
    time = np.arange(600) / 100
    force = np.interp(time, (0, 1, 1.5, 4, 4.2, 6), (0, 0, 25, 24, 0, 0))
    result = score_grip(time, force)
    assert result.hold_90_s is not None
    assert result.fatigue_resistance_50_s == pytest.approx(4.0 + (24 - 12.5) / 120 - 1.5)
    assert result.fatigue_index_pct is None


@pytest.mark.parametrize("seed", range(8))
def test_simulated_maximal_squeezes_match_their_truth(seed: int) -> None:
    signal = grip_trial("grip-max", seed=seed)
    truth = signal.truth
    assert truth.onset_s is not None
    assert truth.time_to_peak_s is not None
    result = score_grip(signal.time_s, signal.force_kgf)
    assert result.peak_kgf == float(np.max(signal.force_kgf))
    assert result.peak_kgf == pytest.approx(truth.peak_kgf, abs=0.1)
    assert result.onset_time_s == pytest.approx(truth.onset_s, abs=0.05)
    assert result.time_to_peak_s == pytest.approx(truth.time_to_peak_s, abs=0.1)
    assert result.quality_flags == ()


@pytest.mark.parametrize("seed", range(8))
def test_simulated_sustained_squeezes_give_the_true_fatigue(seed: int) -> None:
    signal = grip_trial("grip-fatigue", seed=seed)
    truth = signal.truth
    assert truth.fatigue_ratio is not None
    assert truth.release_s is not None
    assert truth.release_duration_s is not None
    result = score_grip(signal.time_s, signal.force_kgf)
    assert result.fatigue_index_pct == pytest.approx(100 * (1 - truth.fatigue_ratio), abs=2.0)
    assert result.fatigue_resistance_50_s is not None
    fallen_s = result.peak_time_s + result.fatigue_resistance_50_s
    assert truth.release_s < fallen_s < truth.release_s + truth.release_duration_s


def test_an_unloaded_gauge_is_no_effort_and_reports_only_the_peak() -> None:
    signal = grip_trial("unloaded", seed=4)
    result = score_grip(signal.time_s, signal.force_kgf)
    assert result.quality_flags == (GripFlag.NO_EFFORT,)
    assert result.peak_kgf == float(np.max(signal.force_kgf))
    assert (result.onset_time_s, result.hold_90_s, result.fatigue_index_pct) == (None, None, None)


def test_a_recording_that_starts_during_the_squeeze_is_flagged() -> None:
    time = _regular()
    result = score_grip(time[130:], _sustained(time)[130:])
    assert GripFlag.STARTS_LOADED in result.quality_flags
    assert (result.onset_time_s, result.time_to_peak_s, result.rfd_0_100_kgf_s) == (
        None,
        None,
        None,
    )
    assert result.peak_kgf == 20.0


def test_a_recording_cut_at_the_peak_is_flagged_as_possibly_truncated() -> None:
    time = np.arange(151) / 100
    result = score_grip(time, _sustained(time))
    assert result.quality_flags == (GripFlag.PEAK_AT_END, GripFlag.ENDS_LOADED)
    assert result.peak_kgf == 20.0
    assert result.hold_90_s is None
    assert result.fatigue_resistance_50_s is None


def test_missing_samples_are_flagged_as_time_gaps() -> None:
    time = _regular()
    kept = np.r_[0:500, 540:1251]
    result = score_grip(time[kept], _sustained(time)[kept])
    assert result.quality_flags == (GripFlag.TIME_GAPS,)


def test_a_negative_offset_is_flagged_as_a_tare_problem() -> None:
    time = _regular()
    result = score_grip(time, _sustained(time) - 1.0)
    assert GripFlag.NEGATIVE_FORCE in result.quality_flags
    assert result.peak_kgf == 19.0


def test_time_that_does_not_increase_is_refused_with_its_index() -> None:
    time = _regular()
    time[7] = time[6]
    with pytest.raises(SignalError, match=r"time_s\[7\] = 0.06 is not after time_s\[6\]"):
        score_grip(time, _sustained(time))


def test_non_finite_and_too_short_input_is_refused() -> None:
    with pytest.raises(NonFiniteSampleError, match="force_kgf sample 2"):
        score_grip([0, 1, 2], [0, 1, np.nan])
    with pytest.raises(TooFewSamplesError, match="2 samples given; expected at least 3"):
        score_grip([0, 1], [0, 1])


def test_as_json_lists_every_score_and_the_flag_names() -> None:
    time = np.arange(151) / 100
    values = score_grip(time, _sustained(time)).as_json()
    assert values["quality_flags"] == ["peak_at_end", "ends_loaded"]
    assert values["definitions_status"] == "UNVERIFIED"
    assert values["peak_kgf"] == 20.0


@st.composite
def _traces(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    size = draw(st.integers(min_value=3, max_value=200))
    steps = draw(st.lists(st.floats(1e-3, 1.0), min_size=size, max_size=size))
    forces = draw(st.lists(st.floats(-200.0, 200.0, allow_nan=False), min_size=size, max_size=size))
    return np.cumsum(steps), np.asarray(forces)


@settings(max_examples=300, deadline=None)
@given(_traces())
def test_random_finite_traces_never_crash_and_the_peak_is_the_largest_sample(
    trace: tuple[np.ndarray, np.ndarray],
) -> None:
    time, force = trace
    result = score_grip(time, force)
    assert result.peak_kgf == float(force.max())
    for value in result.as_json().values():
        assert not isinstance(value, float) or np.isfinite(value)


@given(st.integers(1, 50), st.integers(0, 10_000))
def test_streaming_finish_equals_the_batch_score(chunk: int, seed: int) -> None:
    signal = grip_trial("grip-max", seed=seed % 100)
    stream = GripStream()
    for start in range(0, signal.time_s.size, chunk):
        live = stream.update(
            signal.time_s[start : start + chunk], signal.force_kgf[start : start + chunk]
        )
        assert live.peak_kgf == signal.force_kgf[: start + chunk].max()
    assert stream.finish() == score_grip(signal.time_s, signal.force_kgf)
