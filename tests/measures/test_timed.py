"""Stopwatch and 6-minute-walk arithmetic."""

from __future__ import annotations

import pytest

from measures.timed import TimedFlag, mat_stands, six_minute_walk, stopwatch
from simulators.human.seat_mat import chair_stands_on_mat


def test_a_start_and_a_stop_give_the_time_between() -> None:
    assert stopwatch([10.25, 22.75]).time_s == pytest.approx(12.5)


@pytest.mark.parametrize("presses", [[], [1.0], [1.0, 2.0, 3.0], [5.0, 4.0], [3.0, 3.0]])
def test_anything_but_one_start_and_one_stop_is_refused(presses: list[float]) -> None:
    result = stopwatch(presses)
    assert result.time_s is None
    assert result.flags == (TimedFlag.WRONG_PRESS_COUNT,)


def test_laps_plus_the_final_partial_lap() -> None:
    # 30 m course: passes at 50, 100, ..., 350 s are 7 laps; 400 s is after the 6 minutes.
    # 7 x 30 + 12.5 = 222.5 m
    walk = six_minute_walk(
        start_s=0.0,
        pass_times_s=[50.0 * k for k in range(1, 9)],
        lap_length_m=30.0,
        final_partial_m=12.5,
        protocol="mext_usual_pace",
    )
    assert (walk.laps, walk.distance_m, walk.flags) == (7, 222.5, ())
    assert walk.lap_times_s == (50.0,) * 7


def test_a_walk_stopped_early_is_flagged() -> None:
    walk = six_minute_walk(
        start_s=100.0,
        pass_times_s=[150.0, 210.0, 280.0],
        lap_length_m=45.7,
        final_partial_m=10.0,
        protocol="senior_fitness_test",
        end_s=250.0,
    )
    assert walk.laps == 2  # the pass at 280 s is after the walk ended
    assert walk.distance_m == pytest.approx(2 * 45.7 + 10.0)
    assert walk.duration_s == 150.0
    assert walk.flags == (TimedFlag.STOPPED_EARLY,)


def test_bad_entries_name_what_is_expected() -> None:
    with pytest.raises(ValueError, match="expected one of mext_usual_pace"):
        six_minute_walk(
            start_s=0, pass_times_s=[], lap_length_m=30, final_partial_m=0, protocol="x"
        )
    with pytest.raises(ValueError, match="partial lap from 0 up to"):
        six_minute_walk(
            start_s=0, pass_times_s=[], lap_length_m=30, final_partial_m=30, protocol="ats_clinical"
        )
    no_laps = six_minute_walk(
        start_s=0, pass_times_s=[], lap_length_m=30, final_partial_m=5, protocol="ats_clinical"
    )
    assert no_laps.flags == (TimedFlag.NO_LAPS,)


@pytest.mark.parametrize("seed", range(5))
def test_stands_on_a_seat_mat_are_counted_exactly(seed: int) -> None:
    mat = chair_stands_on_mat(seed=seed, repetitions=5)
    states = [int(loaded) for _, loaded in mat.changes]
    times = [t for t, _ in mat.changes]
    stands = mat_stands(states, times)
    assert stands.count == 5
    assert stands.seat_off_s == pytest.approx(mat.truth.seat_off_s)
    assert stands.seat_on_s == pytest.approx(mat.truth.seat_on_s)
    assert stands.flags == ()
    unfinished = mat_stands(states[:-1], times[:-1])
    assert (unfinished.count, unfinished.flags) == (5, (TimedFlag.INCOMPLETE_REPETITION,))
