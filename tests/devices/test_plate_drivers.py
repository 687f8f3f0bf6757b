"""Force-plate drivers against simulated plates through real pseudo-terminals.

The simulator is an independent implementation of the wire formats (simulators/), so these tests
check the whole path a real plate's bytes take: pty, pyserial, codec, calibration, CoP, counters.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pytest

from devices.frames import ConnectionState, DeviceStatus, ForceBlock, Frame
from devices.registry import open_device
from measures.stabilometry import score_sway
from simulators.forceplate.device import GkfpPlate, Hx711Plate, PlateConfig
from simulators.forceplate.faults import FaultPlan
from simulators.human.scenarios import generate
from simulators.pty_runner import PtyRunner


@dataclass
class Received:
    blocks: list[ForceBlock] = field(default_factory=list)
    statuses: list[DeviceStatus] = field(default_factory=list)

    @property
    def samples(self) -> int:
        return sum(b.n_samples for b in self.blocks)

    @property
    def missing(self) -> int:
        return sum(s.missing_samples for s in self.statuses)


def _collect(url: str, seconds: float) -> Received:
    frames: queue.Queue[Frame] = queue.Queue()
    device = open_device(url)
    device.start(frames.put)
    time.sleep(seconds)
    device.stop()
    received = Received()
    while not frames.empty():
        frame = frames.get()
        if isinstance(frame, ForceBlock):
            received.blocks.append(frame)
        else:
            received.statuses.append(frame)
    return received


@pytest.fixture
def gkfp_plate(request: pytest.FixtureRequest) -> Iterator[tuple[GkfpPlate, PtyRunner]]:
    faults: FaultPlan = getattr(request, "param", FaultPlan())
    person = generate("quiet-eo", rate_hz=1000, duration_s=30, seed=11)
    plate = GkfpPlate(person, PlateConfig(faults=faults, seed=11))
    runner = PtyRunner(plate, rate_hz=1000, unplug=faults.unplug)
    runner.start()
    yield plate, runner
    runner.stop()


def test_a_gkfp_plate_streams_every_sample_with_the_encoded_centre_of_pressure(
    gkfp_plate: tuple[GkfpPlate, PtyRunner],
) -> None:
    _plate, runner = gkfp_plate
    received = _collect(f"serial://{runner.path}?protocol=gkfp", 3.0)
    assert received.missing == 0
    assert received.samples > 2500
    indices = np.concatenate(
        [b.first_sample_index + np.arange(b.n_samples) for b in received.blocks]
    )
    assert np.array_equal(indices, np.arange(indices.size))
    truth = generate("quiet-eo", rate_hz=1000, duration_s=30, seed=11)
    start = round(received.blocks[0].device_time_s[0] * 1000)
    ml = np.concatenate([b.cop_ml_mm for b in received.blocks])
    np.testing.assert_allclose(ml, truth.ground_truth.cop_ml_mm[start : start + ml.size], atol=0.01)
    ap = np.concatenate([b.cop_ap_mm for b in received.blocks])
    true_ap = truth.ground_truth.cop_ap_mm[start : start + ap.size]
    true_ml = truth.ground_truth.cop_ml_mm[start : start + ml.size]
    scored = score_sway(ml, ap, 1000.0).path_length_mm
    assert scored == pytest.approx(score_sway(true_ml, true_ap, 1000.0).path_length_mm, rel=0.01)
    assert received.blocks[0].device_id == "GKFP-SIM0001"
    assert [s.state for s in received.statuses] == [
        ConnectionState.CONNECTING, ConnectionState.STREAMING, ConnectionState.CLOSED,
    ]  # fmt: skip


@pytest.mark.parametrize("gkfp_plate", [FaultPlan(crc=3, drop=2, garbage=2)], indirect=True)
def test_injected_faults_are_reported_exactly(gkfp_plate: tuple[GkfpPlate, PtyRunner]) -> None:
    plate, runner = gkfp_plate
    received = _collect(f"serial://{runner.path}?protocol=gkfp", 3.0)
    injected = plate.injected
    assert (injected.corrupted_frames, injected.dropped_frames, injected.garbage_bursts) == (
        3,
        2,
        2,
    )
    samples_per_frame = plate.config.samples_per_frame
    assert received.missing == injected.dropped_samples + 3 * samples_per_frame
    assert received.statuses[-1].crc_errors == 3
    assert received.statuses[-1].total_missing_samples == received.missing


@pytest.mark.parametrize("gkfp_plate", [FaultPlan(unplug=(1.0, 2.0))], indirect=True)
def test_an_unplugged_plate_is_reported_lost_and_streams_again_when_back(
    gkfp_plate: tuple[GkfpPlate, PtyRunner],
) -> None:
    _plate, runner = gkfp_plate
    received = _collect(f"serial://{runner.path}?protocol=gkfp", 4.0)
    states = [s.state for s in received.statuses]
    assert ConnectionState.LOST in states
    assert ConnectionState.RECONNECTING in states
    assert any(
        s.state is ConnectionState.STREAMING and s.message == "reconnected"
        for s in received.statuses
    )
    assert received.blocks[-1].device_time_s[-1] > 3.0
    assert received.missing > 500  # the time the plate was away shows as a gap, never silently


def test_an_hx711_plate_streams_at_its_measured_rate_with_gaps_counted() -> None:
    person = generate("quiet-eo", rate_hz=80, duration_s=30, seed=5)
    plate = Hx711Plate(person, PlateConfig(rate_hz=80, faults=FaultPlan(drop=2), serial="HX-1"))
    runner = PtyRunner(plate, rate_hz=80, startup_output=plate.banner(), startup_delay_s=0.2)
    runner.start()
    url = (
        f"serial://{runner.path}?protocol=hx711&slope=0.0009765625&offset=-12.5,3.25,0,-7.75"
        "&spacing_mm=500x400&startup_wait_s=0.1"
    )
    try:
        received = _collect(url, 4.0)
    finally:
        runner.stop()
    assert plate.injected.dropped_samples == 2
    assert received.missing == 2
    assert received.blocks[-1].device_id == "HX-1"
    assert received.blocks[-1].rate_hz == pytest.approx(80, rel=0.05)
    fz = np.concatenate([b.fz_n for b in received.blocks])
    np.testing.assert_allclose(fz, 60 * 9.80665, atol=0.01)
