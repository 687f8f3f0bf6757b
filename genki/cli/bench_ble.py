"""``genki bench ble``: notifications/s through the emulated link; notification-to-score latency.

Both figures run the whole receiving path: the emulated Progressor on bumble's in-process link,
bleak with the bumble backend, bleak-retry-connector, the transport, the Progressor codec and
driver, and the streaming grip scorer. Throughput replays a grip trial ``speed`` times faster
than real time and counts the notifications the transport received per second and the samples
lost. Latency replays at the real 80 Hz and measures, for each notification, the time from the
emulated device's send to the moment its block has been scored. The emulated link is far faster
than a radio (testing-without-hardware.md §3.3), so these are figures for the host's share only.
"""

from __future__ import annotations

import json
import queue
import time
from typing import cast

import click
import numpy as np

from devices.frames import DeviceStatus, Frame, GaugeBlock
from devices.registry import open_device
from devices.transports.ble import BleTransport
from genki.simulated_devices import SimulatedBleDevice
from measures.grip import GripStream
from simulators.ble.progressor import ProgressorPeripheral

THROUGHPUT_SPEED = 100  # 80 Hz x 100 = 8000 samples/s, 4000 notifications/s at the default MTU


def _run(url: str, seconds: float) -> tuple[SimulatedBleDevice, list[float], int, int, float]:
    """Stream ``url`` for ``seconds``; return the device, latencies (ms), samples, lost, wall s."""
    device = cast("SimulatedBleDevice", open_device(url))
    gauge = cast("ProgressorPeripheral", device.peripheral)
    frames: queue.Queue[Frame] = queue.Queue()
    scorer = GripStream()
    latencies_ms: list[float] = []
    samples = lost = 0
    device.start(frames.put)
    started = time.monotonic()
    try:
        while time.monotonic() - started < seconds:
            try:
                frame = frames.get(timeout=0.1)
            except queue.Empty:
                continue
            if isinstance(frame, GaugeBlock):
                scorer.update(frame.device_time_s, frame.force_kgf)
                scored_ns = time.monotonic_ns()
                samples += frame.n_samples
                sent_ns = gauge.trace.sent_at_ns.get(round(frame.device_time_s[0] * 1e6))
                if sent_ns is not None:
                    latencies_ms.append((scored_ns - sent_ns) / 1e6)
            elif isinstance(frame, DeviceStatus):
                lost += frame.missing_samples
        wall = time.monotonic() - started
    finally:
        device.stop()
    return device, latencies_ms, samples, lost, wall


@click.command()
@click.option("--seconds", type=click.FloatRange(min=1.0), default=10.0, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="End with one JSON object of the figures.")
def ble(seconds: float, *, as_json: bool) -> None:
    """BLE budget: notifications/s through the emulated link, notification-to-score latency."""
    fast = f"ble+sim://progressor?scenario=grip-fatigue&seed=1&speed={THROUGHPUT_SPEED}"
    device, _, fast_samples, fast_lost, fast_wall = _run(fast, seconds)
    transport = device.driver.transport
    notifications = transport.counters.notifications if isinstance(transport, BleTransport) else 0
    _, latencies, _, lost, _ = _run("ble+sim://progressor?scenario=grip-max&seed=2", seconds)
    p50, p99 = np.percentile(latencies, [50, 99]) if latencies else (float("nan"),) * 2
    figures = {
        "notifications_per_s": round(notifications / fast_wall, 1),
        "samples_per_s": round(fast_samples / fast_wall, 1),
        "samples_lost_fast": fast_lost,
        "latency_p50_ms": round(float(p50), 3),
        "latency_p99_ms": round(float(p99), 3),
        "latency_max_ms": round(max(latencies, default=float("nan")), 3),
        "latency_notifications": len(latencies),
        "samples_lost_real_time": lost,
        "seconds": seconds,
    }
    click.echo(
        f"emulated link: {figures['notifications_per_s']} notifications/s sustained "
        f"({figures['samples_per_s']} samples/s, {fast_lost} lost); notification to scored "
        f"sample at 80 Hz: p50 {figures['latency_p50_ms']} ms, p99 {figures['latency_p99_ms']} ms "
        f"over {len(latencies)} notifications ({lost} samples lost)"
    )
    if as_json:
        click.echo(json.dumps(figures))
