"""``genki bench``: measure the performance budgets of DESIGN.md (printed, never asserted)."""

from __future__ import annotations

import click

from genki.cli.bench_acquisition import acquisition
from genki.cli.bench_ble import ble
from genki.cli.bench_office import office_bench
from genki.cli.bench_start import start_bench
from genki.cli.bench_sway import sway
from genki.cli.bench_sync import sync_bench
from genki.cli.bench_ui import ui_bench


@click.group()
def bench() -> None:
    """Measure performance budgets; --json ends with one JSON object of the figures."""


bench.add_command(acquisition)
bench.add_command(ble)
bench.add_command(office_bench)
bench.add_command(start_bench)
bench.add_command(sway)
bench.add_command(sync_bench)
bench.add_command(ui_bench)
