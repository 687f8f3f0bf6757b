"""The Progressor driver through bleak against the emulated gauge replaying seeded grip trials."""

from __future__ import annotations

import queue
import time
from collections.abc import Callable
from typing import cast

import numpy as np
import pytest

from devices.drivers.progressor import ProgressorSession
from devices.frames import ConnectionState, DeviceStatus, Frame, GaugeBlock
from devices.registry import open_device
from genki.simulated_devices import SimulatedBleDevice
from measures.grip import score_grip
from simulators.human.grip import GripTruth


def stream(
    url: str, seconds: float, done: Callable[[list[Frame]], bool] = lambda _: False
) -> tuple[list[Frame], SimulatedBleDevice]:
    device = cast("SimulatedBleDevice", open_device(url))
    frames: queue.Queue[Frame] = queue.Queue()
    seen: list[Frame] = []
    device.start(frames.put)
    try:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                frame = frames.get(timeout=0.05)
            except queue.Empty:
                continue
            seen.append(frame)
            if done(seen):
                break
    finally:
        device.stop()
    return seen, device


def blocks(frames: list[Frame]) -> tuple[np.ndarray, np.ndarray]:
    gauge = [f for f in frames if isinstance(f, GaugeBlock)]
    return np.concatenate([b.device_time_s for b in gauge]), np.concatenate(
        [b.force_kgf for b in gauge]
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_simulated_grip_trial_scores_its_true_peak_within_0_1_kg(seed: int) -> None:
    url = f"ble+sim://progressor?scenario=grip-max&seed={seed}&speed=4"
    frames, device = stream(url, seconds=2.5)
    time_s, force = blocks(frames)
    truth = cast("GripTruth", device.emulation.truth)
    assert time_s[-1] - time_s[0] > truth.release_s + 0.5  # the whole squeeze was recorded
    result = score_grip(time_s, force)
    assert abs(result.peak_kgf - truth.peak_kgf) <= 0.1
    session = cast("ProgressorSession", device.driver.session)
    assert session.battery_mv == 3915
    assert session.tare_check is not None
    assert session.tare_check.ok
    assert force[0] == pytest.approx(0.0, abs=0.2)  # the untared first samples were dropped


def test_lost_notifications_are_counted_as_missing_samples_and_garbage_is_rejected() -> None:
    url = "ble+sim://progressor?seed=1&speed=4&drop_every=25&garbage_every=40"
    frames, device = stream(url, seconds=2.0)
    statuses = [f for f in frames if isinstance(f, DeviceStatus)]
    gauge = cast("SimulatedBleDevice", device).peripheral
    missing = sum(s.missing_samples for s in statuses)
    dropped = gauge.trace.dropped_samples  # type: ignore[attr-defined]
    assert dropped > 0
    assert missing == pytest.approx(dropped, abs=2)  # the trace also counts the last notifications
    assert max(s.parse_failures for s in statuses) >= 1


def reconnected_with_data(frames: list[Frame]) -> bool:
    states = [f.state for f in frames if isinstance(f, DeviceStatus)]
    return states.count(ConnectionState.STREAMING) >= 2 and isinstance(frames[-1], GaugeBlock)


def test_a_gauge_switched_off_is_reported_within_5_s_and_reconnects_when_back() -> None:
    url = "ble+sim://progressor?seed=2&off_after_s=1.0&on_after_s=1.0"
    frames, _ = stream(url, seconds=15.0, done=reconnected_with_data)
    states = [(f.state, f.t_mono_ns) for f in frames if isinstance(f, DeviceStatus)]
    lost = [t for s, t in states if s is ConnectionState.LOST]
    samples = [f.t_mono_ns for f in frames if isinstance(f, GaugeBlock)]
    assert lost
    last_before = max(t for t in samples if t < lost[0])
    assert (lost[0] - last_before) / 1e9 < 5.0
    assert [s for s, _ in states].count(ConnectionState.STREAMING) >= 2
    assert any(t > lost[0] for t in samples)  # data flows again after the reconnect
