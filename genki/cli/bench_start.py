"""``genki bench start``: kiosk start to first screen (DESIGN.md budget: ≤ 2 s).

Each run starts a fresh Python process, as ``genki kiosk`` is started: it imports the kiosk, opens
its database, opens the station with a simulated 1000 Hz force plate (the real serial driver on a
pseudo-terminal) and runs the app headless until the home screen is on the screen; the time runs
from just before the process is spawned to that first screen. The plate simulator runs in the
parent, so its start is not charged to the kiosk. Printed, never asserted.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import click


async def _first_screen(database_path: str, plate_url: str) -> None:
    from kiosk.desk import Desk  # noqa: PLC0415 - imports are part of what is timed
    from kiosk.station.service import Station  # noqa: PLC0415
    from kiosk.ui.app import KioskApp  # noqa: PLC0415
    from kiosk.ui.resident import HomeScreen  # noqa: PLC0415
    from records import open_database  # noqa: PLC0415

    database = open_database(f"sqlite:///{database_path}")
    with Station(database, facility_id="bench", kiosk_id="bench",
                 devices={"plate": plate_url}) as station:  # fmt: skip
        app = KioskApp(Desk(database, facility_id="bench", kiosk_id="bench"), station=station)
        async with app.run_test(size=(80, 24)) as pilot:
            while not isinstance(app.screen, HomeScreen):
                await pilot.pause(0.005)
            await pilot.pause()  # the first refresh of the home screen
            print(time.time(), flush=True)  # the one line the parent reads


def _start_once(database_path: Path, plate_url: str) -> float:
    spawned = time.time()
    child = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "genki.cli.bench_start", str(database_path), plate_url],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    if child.returncode != 0:
        raise click.ClickException(f"the kiosk did not start: {child.stderr.strip()[-2000:]}")
    return float(child.stdout.split()[-1]) - spawned


@click.command(name="start")
@click.option("--runs", type=click.IntRange(1, 20), default=5, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="End with one JSON object of the figures.")
def start_bench(runs: int, *, as_json: bool) -> None:
    """Kiosk start to first screen (median and worst of RUNS fresh processes)."""
    from records import open_database  # noqa: PLC0415 - only the bench needs them here
    from simulators.forceplate.device import GkfpPlate, PlateConfig  # noqa: PLC0415
    from simulators.human.scenarios import generate  # noqa: PLC0415
    from simulators.pty_runner import PtyRunner  # noqa: PLC0415

    database_path = Path(tempfile.mkdtemp(prefix="genki-bench-start-")) / "kiosk.sqlite3"
    open_database(f"sqlite:///{database_path}").close()  # created and migrated once, as installed
    person = generate("quiet-eo", rate_hz=1000, duration_s=60, seed=1)
    with PtyRunner(GkfpPlate(person, PlateConfig(seed=1)), rate_hz=1000) as plate:
        url = f"serial://{plate.path}?protocol=gkfp"
        times = [_start_once(database_path, url) for _ in range(runs)]
    figures = {"runs": runs, "start_s": round(statistics.median(times), 3),
               "worst_s": round(max(times), 3)}  # fmt: skip
    click.echo(
        f"kiosk start → first screen: median {figures['start_s']} s, worst {figures['worst_s']} s "
        f"over {runs} fresh processes (budget ≤ 2 s)"
    )
    if as_json:
        click.echo(json.dumps(figures))


if __name__ == "__main__":
    asyncio.run(_first_screen(sys.argv[1], sys.argv[2]))
