"""``genki bench acquisition``: two simulated 1000 Hz plates through real ptys, read by the drivers.

The simulators run as separate processes (``genki simulate forceplate``) so that only the
acquisition side (transport, codec, calibration, centre of pressure) is charged to this process.
CPU is this process's CPU time over the wall time, as a percentage of one core.
"""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import time
from contextlib import ExitStack

import click

from devices.frames import ConnectionState, DeviceStatus, ForceBlock, Frame
from devices.registry import open_device
from genki.cli.context import OperationFailedError

PLATES = 2
RATE_HZ = 1000


def _start_simulator(stack: ExitStack, seed: int) -> str:
    command = [
        sys.executable, "-m", "genki", "simulate", "forceplate", "--protocol", "gkfp",
        "--rate", str(RATE_HZ), "--scenario", "quiet-eo", "--seed", str(seed),
    ]  # fmt: skip
    process = stack.enter_context(
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True),  # noqa: S603
    )
    stack.callback(process.terminate)
    assert process.stdout is not None  # noqa: S101 - PIPE was requested
    url = process.stdout.readline().strip()
    if not url:
        raise OperationFailedError(
            f"the force-plate simulator ({' '.join(command[1:])}) ended before printing its URL "
            f"(exit code {process.wait()})"
        )
    return url


@click.command()
@click.option("--seconds", type=click.FloatRange(min=1.0), default=60.0, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="End with one JSON object of the figures.")
def acquisition(seconds: float, *, as_json: bool) -> None:
    """Acquisition budget: 2 plates x 4 channels x 1000 Hz, CPU of one core and samples lost."""
    frames: queue.Queue[Frame] = queue.Queue()
    received = missing = 0
    with ExitStack() as stack:
        urls = [_start_simulator(stack, seed) for seed in range(PLATES)]
        plates = [open_device(url) for url in urls]
        for plate in plates:
            plate.start(frames.put)
            stack.callback(plate.stop)
        wall0, cpu0 = time.monotonic(), time.process_time()
        while time.monotonic() - wall0 < seconds:
            try:
                frame = frames.get(timeout=0.5)
            except queue.Empty:
                continue
            if isinstance(frame, ForceBlock):
                received += frame.n_samples
            elif isinstance(frame, DeviceStatus):
                missing += frame.missing_samples
                if frame.state in (ConnectionState.LOST, ConnectionState.CLOSED):
                    raise click.ClickException(f"plate lost during the benchmark: {frame.message}")
        wall, cpu = time.monotonic() - wall0, time.process_time() - cpu0
    figures = {
        "cpu_percent_one_core": round(100.0 * cpu / wall, 2),
        "samples_lost": missing,
        "samples": received,
        "seconds": round(wall, 3),
        "plates": PLATES,
        "rate_hz": RATE_HZ,
    }
    click.echo(
        f"{PLATES} plates x 4 channels x {RATE_HZ} Hz for {wall:.1f} s: "
        f"{received} samples, {missing} lost, CPU {figures['cpu_percent_one_core']} % of one core"
    )
    if as_json:
        click.echo(json.dumps(figures))
