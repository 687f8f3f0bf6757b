"""GKFP/1 over BLE (genki-forceplate.md §4a): the serial codec and session on another transport."""

from __future__ import annotations

import queue
import time
from typing import cast

from devices.frames import ConnectionState, DeviceStatus, ForceBlock, Frame
from devices.registry import open_device
from genki.simulated_devices import SimulatedBleDevice
from simulators.ble.force_plate import BleForcePlatePeripheral


def read_plate(url: str, samples: int) -> tuple[list[Frame], SimulatedBleDevice]:
    device = cast("SimulatedBleDevice", open_device(url))
    frames: queue.Queue[Frame] = queue.Queue()
    seen: list[Frame] = []
    device.start(frames.put)
    try:
        deadline = time.monotonic() + 15
        while sum(f.n_samples for f in seen if isinstance(f, ForceBlock)) < samples:
            assert time.monotonic() < deadline, "the plate stopped streaming"
            try:
                seen.append(frames.get(timeout=0.1))
            except queue.Empty:
                continue
    finally:
        device.stop()
    return seen, device


def test_the_byte_stream_crosses_notifications_and_decodes_gap_free() -> None:
    frames, device = read_plate("ble+sim://force-plate?scenario=quiet-eo&seed=2", samples=500)
    blocks = [f for f in frames if isinstance(f, ForceBlock)]
    assert device.device_id == "GKFP-SIM0001"  # from the plate's STATUS frame
    assert blocks[0].rate_hz == 250
    indices = [b.first_sample_index for b in blocks]
    sizes = [b.n_samples for b in blocks]
    assert indices == [sum(sizes[:k]) for k in range(len(sizes))]  # consecutive, nothing lost
    statuses = [f for f in frames if isinstance(f, DeviceStatus)]
    assert {s.state for s in statuses} == {ConnectionState.CONNECTING, ConnectionState.STREAMING}
    plate = cast("BleForcePlatePeripheral", device.peripheral)
    assert plate.notifications > len(blocks)  # frames are cut across notifications


def test_plate_faults_over_ble_are_counted_exactly() -> None:
    url = "ble+sim://force-plate?scenario=quiet-eo&seed=3&faults=crc=2,drop=1"
    frames, device = read_plate(url, samples=600)
    statuses = [f for f in frames if isinstance(f, DeviceStatus)]
    injected = cast("BleForcePlatePeripheral", device.peripheral).plate.injected
    assert max(s.crc_errors for s in statuses) == injected.corrupted_frames == 2
    assert sum(s.missing_samples for s in statuses) == injected.missing_samples
