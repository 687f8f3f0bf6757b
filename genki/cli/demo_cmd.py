"""``genki demo``: the kiosk with simulated devices, a broker and the office, on this machine.

The simulated devices (genki.demo): a force plate on which a demo resident does what the current
test or exercise asks, a grip gauge, and timing gates 4 m apart that the resident walks through
after each 4-m walk trial's countdown.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

from genki.cli.context import CliContext
from genki.config import hash_pin
from genki.demo import DEMO_PIN, running_demo
from kiosk.ui.app import KioskApp

pass_cli = click.make_pass_decorator(CliContext)


@click.command(name="demo")
@click.option(
    "--data", "folder", type=click.Path(path_type=Path, file_okay=False),
    help="Keep the demo's databases in this folder (default: a new temporary folder).",
)  # fmt: skip
@pass_cli
def demo_command(cli: CliContext, /, *, folder: Path | None) -> None:
    """Run everything on this machine: simulated devices, broker, office, kiosk.

    The simulated devices are a force plate, a grip gauge, a blood-pressure cuff, a pulse
    oximeter and timing gates. Quit with Ctrl+Q.
    """
    folder = folder or Path(tempfile.mkdtemp(prefix="genki-demo-"))
    language = cli.language
    with running_demo(folder) as demo:
        hint = KioskApp.demo_hint(language, pin=DEMO_PIN, folder=folder)
        app = KioskApp(demo.desk, station=demo.station, language=language,
                       pin_hash=hash_pin(DEMO_PIN), hint=hint)  # fmt: skip
        app.run()
    click.echo(hint)
