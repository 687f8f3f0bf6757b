"""``genki bench office``: how fast the office viewer opens and shows a resident (headless).

A temporary SQLite office database is filled by office.sample with 50 residents × 12 months of
simulated results (sessions twice a week, a monthly SPPB with three grip trials, quarterly
fall-risk and AWGS 2019 batteries), stored as real inbox payloads through the ingest's
``store_batch``. Then the viewer runs headless (Textual's test driver, 80×24): ``open_s`` is the
time from creating the app to the residents table holding every resident; ``resident_page_s``
the time from opening a resident's page to its data being shown, median and p95 over several
residents. Budget (issue 9): open ≤ 2 s, a resident page ≤ 300 ms. Printed, never asserted.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

import click
import numpy as np

from office.data import OfficeData
from office.sample import simulate_facility
from office.view import OfficeApp
from office.view.base import OfficeScreen
from office.view.resident import ResidentScreen
from office.view.residents import ResidentsScreen
from records import open_database

PAUSE_S = 0.005  # how often the bench looks whether the screen has its data


async def _until_shown(app: OfficeApp, screen_type: type[OfficeScreen]) -> None:
    while not (isinstance(app.screen, screen_type) and app.screen.snapshot is not None):
        await asyncio.sleep(PAUSE_S)
    await app.screen.workers.wait_for_complete()


async def _measure(data: OfficeData, uuids: list[str], today: date) -> tuple[float, list[float]]:
    started = time.perf_counter()
    app = OfficeApp(data, language="en", today=today)
    async with app.run_test(size=(80, 24)) as pilot:
        await _until_shown(app, ResidentsScreen)
        await pilot.pause()
        open_s = time.perf_counter() - started
        pages = []
        for uuid in uuids:
            started = time.perf_counter()
            app.push_screen(ResidentScreen(uuid))
            await _until_shown(app, ResidentScreen)
            await pilot.pause()
            pages.append(time.perf_counter() - started)
            app.pop_screen()
            await pilot.pause()
    return open_s, pages


@click.command(name="office")
@click.option("--residents", type=click.IntRange(min=1), default=50, show_default=True)
@click.option("--months", type=click.IntRange(min=1), default=12, show_default=True)
@click.option("--pages", type=click.IntRange(min=1), default=10, show_default=True,
              help="How many resident pages to open.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="End with one JSON object of the figures.")
def office_bench(residents: int, months: int, pages: int, *, as_json: bool) -> None:
    """Office viewer: open time and resident-page time over a simulated facility's year."""
    folder = Path(tempfile.mkdtemp(prefix="genki-bench-office-"))
    database = open_database(f"sqlite:///{folder / 'office.sqlite3'}")
    today = date.today()  # noqa: DTZ011 - the office's local day
    seeded = time.perf_counter()
    facility = simulate_facility(database, residents=residents, months=months, end=today)
    seed_s = time.perf_counter() - seeded
    uuids = [r.uuid for r in facility.residents][:: max(1, residents // pages)][:pages]
    open_s, page_s = asyncio.run(_measure(OfficeData(database), uuids, today))
    database.close()
    figures = {
        "residents": residents,
        "months": months,
        "messages": facility.messages,
        "seed_s": round(seed_s, 2),
        "open_s": round(open_s, 3),
        "resident_page_s": round(statistics.median(page_s), 3),
        "resident_page_p95_s": round(float(np.percentile(page_s, 95)), 3),
        "pages": len(page_s),
    }
    click.echo(
        f"office viewer over {residents} residents × {months} months ({facility.messages} "
        f"messages): open {figures['open_s']} s (budget 2 s); resident page median "
        f"{figures['resident_page_s']} s, p95 {figures['resident_page_p95_s']} s over "
        f"{len(page_s)} pages (budget 0.3 s)"
    )
    if as_json:
        click.echo(json.dumps(figures))
