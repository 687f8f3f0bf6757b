"""The Chronopic driver over a real pseudo-terminal, against the simulated box and a walker."""

from __future__ import annotations

import queue
import time

import pytest

from devices.frames import DeviceStatus, Frame, TimerEvent
from devices.registry import open_device
from simulators.human.walk import walk_through_gates
from simulators.pty_runner import PtyRunner
from simulators.timer.chronopic import TimerFaults, beam_box

GATES_M = (0.0, 1.5)


def events_from(box_faults: TimerFaults | None, seed: int) -> tuple[list[Frame], float]:
    walk = walk_through_gates(
        seed=seed, gate_positions_m=GATES_M, speed_m_s=1.0, start_s=0.4, arm_probability=1.0
    )
    frames: queue.Queue[Frame] = queue.Queue()
    with PtyRunner(beam_box(walk.changes, faults=box_faults, seed=seed)) as runner:
        timer = open_device(f"serial://{runner.path}?protocol=chronopic")
        timer.start(frames.put)
        try:
            end = time.monotonic() + walk.changes[-1][0] + 0.5
            seen: list[Frame] = []
            while time.monotonic() < end:
                try:
                    seen.append(frames.get(timeout=0.05))
                except queue.Empty:
                    continue
        finally:
            timer.stop()
    return seen, walk.truth.walking_time_s


def cut_times_s(frames: list[Frame]) -> list[float]:
    """Crossing starts: a cut not within 0.5 s of the last clear (chronopic-timer.md §6.2)."""
    starts: list[float] = []
    last_clear_us: int | None = None
    for event in (f for f in frames if isinstance(f, TimerEvent)):
        if event.state == 0:
            last_clear_us = event.device_time_us
        elif last_clear_us is None or event.device_time_us - last_clear_us > 500_000:
            starts.append(event.device_time_us / 1e6)
    return starts


@pytest.mark.parametrize("seed", [1, 2])
def test_a_walk_between_two_gates_is_timed_from_the_device_clock(seed: int) -> None:
    frames, true_walking_s = events_from(None, seed)
    crossings = cut_times_s(frames)
    assert len(crossings) == 2
    assert crossings[1] - crossings[0] == pytest.approx(true_walking_s, abs=1e-4)


def test_a_dropped_frame_is_reported_and_an_invalid_one_resynchronises() -> None:
    frames, _ = events_from(TimerFaults(drop=frozenset({2}), invalid=frozenset({4})), seed=3)
    statuses = [f for f in frames if isinstance(f, DeviceStatus)]
    assert sum(s.lost_frames for s in statuses) >= 1
    assert any(s.discontinuity for s in statuses)
    assert max(s.parse_failures for s in statuses) == 1
    events = [f for f in frames if isinstance(f, TimerEvent)]
    assert any(e.after_gap for e in events)
