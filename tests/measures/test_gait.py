"""Gate timing (chronopic-timer.md §6) against its worked examples and the simulated walker."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from measures.gait import GateFlag, find_crossings, time_gates
from simulators.human.walk import walk_through_gates


def intervals_to_times(intervals_s: list[float]) -> list[int]:
    """Device time line: the first interval is idle time and is not added (§4.3)."""
    return [0, *itertools.accumulate(round(dt * 1e6) for dt in intervals_s[1:])]


def test_the_published_gait_speed_example() -> None:
    """§7.2: 6.00 m, t_walk = 0.420 + 0.080 + 0.060 + 6.280 = 6.840 s, v = 0.877 19 m/s."""
    times = intervals_to_times([25.3, 0.42, 0.08, 0.06, 6.28, 0.40])
    crossings = find_crossings([1, 0, 1, 0, 1, 0], times, [False, *[True] * 5])
    trial = time_gates(crossings, [0.0, 6.0])
    assert trial.valid
    assert trial.total_time_s == pytest.approx(6.84, abs=1e-9)
    assert trial.mean_speed_m_s == pytest.approx(0.87719, abs=1e-5)


def test_the_published_split_times_example() -> None:
    """§7.3: splits 0.400 + 2.900 = 3.300 s and 0.380 + 2.960 = 3.340 s; total 6.640 s."""
    times = intervals_to_times([12.0, 0.40, 2.90, 0.38, 2.96, 0.39])
    trial = time_gates(find_crossings([1, 0] * 3, times, [True] * 6), [0.0, 3.0, 6.0])
    assert trial.splits_s == pytest.approx((3.30, 3.34))
    assert trial.speeds_m_s == pytest.approx((0.90909, 0.89820), abs=1e-5)
    assert trial.mean_speed_m_s == pytest.approx(0.90361, abs=1e-5)


def test_a_lost_frame_between_the_gates_invalidates_the_trial() -> None:
    times = intervals_to_times([1.0, 0.4, 6.0, 0.4])
    trial = time_gates(find_crossings([1, 0, 1, 0], times, [True, True, False, True]), [0, 6])
    assert GateFlag.BROKEN_TIME_LINE in trial.flags


def test_someone_else_walking_through_is_a_wrong_count() -> None:
    times = intervals_to_times([1.0, 0.4, 3.0, 0.4, 3.0, 0.4])
    trial = time_gates(find_crossings([1, 0] * 3, times, [True] * 6), [0, 6])
    assert trial.flags == (GateFlag.WRONG_CROSSING_COUNT,)


def test_stopping_in_a_gate_and_impossible_speeds_are_flagged() -> None:
    long_stop = intervals_to_times([1.0, 3.5, 6.0, 0.4])
    assert (
        GateFlag.LONG_CROSSING
        in time_gates(find_crossings([1, 0, 1, 0], long_stop, [True] * 4), [0, 6]).flags
    )
    too_fast = intervals_to_times([1.0, 0.2, 0.3, 0.2])
    assert (
        GateFlag.SPEED_OUT_OF_RANGE
        in time_gates(
            find_crossings([1, 0, 1, 0], too_fast, [True] * 4, merge_window_s=0.1), [0, 6]
        ).flags
    )
    unfinished = intervals_to_times([1.0, 0.4, 6.0])
    assert (
        GateFlag.UNFINISHED_CROSSING
        in time_gates(find_crossings([1, 0, 1], unfinished, [True] * 3), [0, 6]).flags
    )


@pytest.mark.parametrize("seed", range(20))
def test_the_simulated_walker_is_timed_within_10_ms(seed: int) -> None:
    walk = walk_through_gates(seed=seed, gate_positions_m=(0.0, 4.0), arm_probability=0.5)
    states = [int(cut) for _, cut in walk.changes]
    times = [round(t * 1e6) for t, _ in walk.changes]
    trial = time_gates(find_crossings(states, times, [True] * len(times)), [0.0, 4.0])
    assert trial.valid
    assert trial.total_time_s == pytest.approx(walk.truth.walking_time_s, abs=0.010)
    assert trial.mean_speed_m_s == pytest.approx(walk.truth.speed_m_s, rel=0.01)


@given(
    st.lists(st.tuples(st.integers(0, 1), st.integers(0, 5_000_000), st.booleans()), max_size=40)
)
def test_any_event_sequence_is_grouped_without_error(events: list[tuple[int, int, bool]]) -> None:
    states = [s for s, _, _ in events]
    times = list(itertools.accumulate(dt for _, dt, _ in events))
    crossings = find_crossings(states, times, [c for _, _, c in events])
    assert all(c.end_s is None or c.end_s >= c.start_s for c in crossings)
    time_gates(crossings, [0.0, 4.0])
