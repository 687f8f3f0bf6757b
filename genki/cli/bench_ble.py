"""``genki bench ble``: notifications/s through the emulated link; notification-to-score latency.

Both figures run the whole receiving path: the emulated Progressor on bumble's in-process link,
bleak with the bumble backend, bleak-retry-connector, the transport, the Progressor codec and
driver, and the streaming grip scorer. Throughput replays a grip trial ``THROUGHPUT_SPEED``
times faster than real time and counts the notifications whose samples reached the scorer per
second (what is still queued when the replay stops is scored and timed too) and the samples
lost. Latency replays at the real 80 Hz and measures, for each notification, the time from the
emulated device's send to the moment its block has been scored. The emulated link is far faster
than a radio (testing-without-hardware.md §3.3), so these are figures for the host's share only.
"""

from __future__ import annotations

import contextlib
import json
import queue
import time
from dataclasses import dataclass, field
from typing import cast

import click
import numpy as np

from devices.frames import DeviceStatus, Frame, GaugeBlock
from devices.registry import open_device
from genki.simulated_devices import SimulatedBleDevice
from measures.grip import GripStream
from simulators.ble.progressor import ProgressorPeripheral

THROUGHPUT_SPEED = 40  # 80 Hz x 40 = 3200 samples/s, 1600 notifications/s at the default MTU


@dataclass
class _Tally:
    """What reached the scorer: blocks (one per notification), samples, losses, latencies."""

    blocks: int = 0
    samples: int = 0
    lost: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    last_ns: int = 0


def _run(url: str, seconds: float) -> _Tally:
    """Stream ``url`` for ``seconds``, then score what is still queued; return the tally."""
    device = cast("SimulatedBleDevice", open_device(url))
    gauge = cast("ProgressorPeripheral", device.peripheral)
    frames: queue.Queue[Frame] = queue.Queue()
    scorer, tally = GripStream(), _Tally()

    def consume(frame: Frame) -> None:
        if isinstance(frame, GaugeBlock):
            scorer.update(frame.device_time_s, frame.force_kgf)
            tally.last_ns = time.monotonic_ns()
            tally.blocks += 1
            tally.samples += frame.n_samples
            sent_ns = gauge.trace.sent_at_ns.get(round(frame.device_time_s[0] * 1e6))
            if sent_ns is not None:
                tally.latencies_ms.append((tally.last_ns - sent_ns) / 1e6)
        elif isinstance(frame, DeviceStatus):
            tally.lost += frame.missing_samples

    device.start(frames.put)
    started_ns = time.monotonic_ns()
    try:
        while time.monotonic_ns() - started_ns < seconds * 1e9:
            with contextlib.suppress(queue.Empty):
                consume(frames.get(timeout=0.1))
    finally:
        device.stop()
    while not frames.empty():  # what the scorer had not caught up with counts, and its time
        consume(frames.get_nowait())
    tally.last_ns -= started_ns
    return tally


@click.command()
@click.option("--seconds", type=click.FloatRange(min=1.0), default=10.0, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="End with one JSON object of the figures.")
def ble(seconds: float, *, as_json: bool) -> None:
    """BLE budget: notifications/s through the emulated link, notification-to-score latency."""
    fast = _run(
        f"ble+sim://progressor?scenario=grip-fatigue&seed=1&speed={THROUGHPUT_SPEED}", seconds
    )
    real = _run("ble+sim://progressor?scenario=grip-max&seed=2", seconds)
    fast_s = fast.last_ns / 1e9
    latencies = real.latencies_ms
    p50, p99 = np.percentile(latencies, [50, 99]) if latencies else (float("nan"),) * 2
    figures = {
        "notifications_per_s": round(fast.blocks / fast_s, 1),
        "samples_per_s": round(fast.samples / fast_s, 1),
        "samples_lost_fast": fast.lost,
        "latency_p50_ms": round(float(p50), 3),
        "latency_p99_ms": round(float(p99), 3),
        "latency_max_ms": round(max(latencies, default=float("nan")), 3),
        "latency_notifications": len(latencies),
        "samples_lost_real_time": real.lost,
        "seconds": seconds,
    }
    click.echo(
        f"emulated link: {figures['notifications_per_s']} notifications/s sustained "
        f"({figures['samples_per_s']} samples/s, {fast.lost} lost); notification to scored "
        f"sample at 80 Hz: p50 {figures['latency_p50_ms']} ms, p99 {figures['latency_p99_ms']} ms "
        f"over {len(latencies)} notifications ({real.lost} samples lost)"
    )
    if as_json:
        click.echo(json.dumps(figures))
