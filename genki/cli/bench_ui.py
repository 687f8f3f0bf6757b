"""``genki bench ui``: sensor → screen latency and frame rate of the live trace (headless).

A simulated 1000 Hz plate streams through the real serial driver into the station; the kiosk app
runs headless (Textual's test driver, 80×24) on the device-test screen while a sway trial records.
For every screen refresh that shows new samples, the latency is the time from the newest sample's
arrival at the host (its block's ``t_mono_ns``) to the end of that refresh. The frame rate counts
those refreshes per second. Budget (DESIGN.md): p99 ≤ 50 ms, and the frame rate holds while
streaming. Printed, never asserted.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
from datetime import date
from pathlib import Path

import click
import numpy as np

from genki.config import hash_pin
from kiosk.desk import Desk
from kiosk.station.service import Station
from kiosk.ui.app import KioskApp
from kiosk.ui.trainer import DeviceTestScreen
from records import open_database
from records.resident_fields import CareLevel, ResidentFields, Sex
from records.residents import ResidentRepository
from simulators.forceplate.device import GkfpPlate, PlateConfig
from simulators.human.scenarios import generate
from simulators.pty_runner import PtyRunner

RESIDENT = ResidentFields(
    code="B001", family_name="計測", given_name="太郎", family_kana="ケイソク",
    given_kana="タロウ", sex=Sex.MALE, birth_date=date(1945, 1, 1), care_level=CareLevel.SUPPORT_1,
)  # fmt: skip


async def _measure(app: KioskApp, seconds: float) -> tuple[list[int], float]:
    async with app.run_test(size=(80, 24)) as pilot:
        resident = app.desk.find(RESIDENT.code)
        assert resident is not None  # noqa: S101 - added just before
        app.push_screen(DeviceTestScreen(resident, "sway_eo"))
        await pilot.pause(0.5)
        assert app.station is not None  # noqa: S101 - given below
        app.station.ready()
        await pilot.pause(1.0)  # the countdown, then recording
        app.trace_latencies_ns = []
        started = time.monotonic()
        await asyncio.sleep(seconds)
        elapsed = time.monotonic() - started
        latencies, app.trace_latencies_ns = app.trace_latencies_ns, None
    return latencies, elapsed


@click.command(name="ui")
@click.option("--seconds", type=click.FloatRange(min=2.0), default=10.0, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="End with one JSON object of the figures.")
def ui_bench(seconds: float, *, as_json: bool) -> None:
    """Sensor → screen latency (p50, p99) and frame rate while a 1000 Hz plate streams."""
    folder = Path(tempfile.mkdtemp(prefix="genki-bench-ui-"))
    database = open_database(f"sqlite:///{folder / 'kiosk.sqlite3'}")
    ResidentRepository(database, "bench").add(RESIDENT, actor="bench")
    person = generate("quiet-eo", rate_hz=1000, duration_s=60, seed=1)
    with PtyRunner(GkfpPlate(person, PlateConfig(seed=1)), rate_hz=1000) as plate, Station(
        database, facility_id="bench", kiosk_id="bench",
        devices={"plate": f"serial://{plate.path}?protocol=gkfp"}, countdown_s=0.5,
        record_seconds={"sway_eo": seconds + 30},
    ) as station:  # fmt: skip
        desk = Desk(database, facility_id="bench", kiosk_id="bench")
        app = KioskApp(desk, station=station, language="en", pin_hash=hash_pin("0000"))
        latencies, elapsed = asyncio.run(_measure(app, seconds))
        streamed = next(d for d in station.view.devices if d.role == "plate")
    database.close()
    ms = np.asarray(latencies, dtype=np.float64) / 1e6
    figures = {
        "seconds": round(elapsed, 2),
        "frames": int(ms.size),
        "fps": round(ms.size / elapsed, 1),
        "p50_ms": round(float(np.percentile(ms, 50)), 2) if ms.size else None,
        "p99_ms": round(float(np.percentile(ms, 99)), 2) if ms.size else None,
        "max_ms": round(float(ms.max()), 2) if ms.size else None,
        "samples": streamed.samples,
        "missing_samples": streamed.missing_samples,
    }
    click.echo(
        f"sensor → screen: p50 {figures['p50_ms']} ms, p99 {figures['p99_ms']} ms, "
        f"max {figures['max_ms']} ms over {figures['frames']} frames; {figures['fps']} frames/s; "
        f"{figures['samples']} samples streamed, {figures['missing_samples']} missing"
    )
    if as_json:
        click.echo(json.dumps(figures))
