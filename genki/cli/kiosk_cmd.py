"""``genki kiosk [--serve]``: the kiosk app on this terminal, or served to browsers.

The devices come from ``[devices]`` in genki.toml: ``plate`` (or ``force_plate``) is the force
plate, ``gauge`` (or ``grip``) the grip dynamometer and ``timer`` (or ``chronopic``) the Chronopic
with the photocell gates of the 4-m walk the station measures with; ``cuff``, ``oximeter`` and
``thermometer`` fill in the health check. With ``--serve`` the
app runs once per browser connection through textual-serve, with the same configuration. While
the kiosk runs, its outbox publisher sends saved results to the office through ``[broker]`` and
follows the facility's roster (sync.roster.RosterFollower): residents registered at the office
appear on the kiosk, residents registered or changed here go to the office.
"""

from __future__ import annotations

import shlex
import sys

import click

from genki.cli.context import CliContext
from genki.cli.sync_cmd import broker_settings
from genki.settings_file import settings_path
from kiosk.desk import Desk
from kiosk.station.measurements import Role
from kiosk.station.service import Station
from kiosk.ui.app import KioskApp
from programs.screening import default_rules
from sync.roster import RosterFollower

pass_cli = click.make_pass_decorator(CliContext)
STATION_ROLES: dict[str, Role] = {
    "plate": "plate", "force_plate": "plate", "gauge": "gauge", "grip": "gauge",
    "timer": "timer", "chronopic": "timer",
    "cuff": "cuff", "blood_pressure": "cuff", "oximeter": "oximeter",
    "pulse_oximeter": "oximeter", "thermometer": "thermometer",
}  # fmt: skip


@click.command(name="kiosk")
@click.option("--serve", is_flag=True, help="Serve the kiosk to web browsers (textual-serve).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to serve on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@pass_cli
def kiosk_command(cli: CliContext, /, *, serve: bool, host: str, port: int) -> None:
    """Run the exercise-room kiosk (Japanese by default; --lang en for English)."""
    config = cli.loaded.config
    if serve:
        from textual_serve.server import Server  # noqa: PLC0415 - only --serve needs it

        command = [sys.executable, "-m", "genki", "--lang", cli.language]
        if cli.loaded.path is not None:
            command += ["--config", str(cli.loaded.path)]
        Server(shlex.join([*command, "kiosk"]), host=host, port=port, title="genki").serve()
        return
    database = cli.database()
    rules = default_rules().adjusted(config.screening.thresholds)
    desk = Desk(database, facility_id=config.facility.id, kiosk_id=config.kiosk.id, rules=rules)
    devices = {STATION_ROLES[r]: url for r, url in config.devices.items() if r in STATION_ROLES}
    publisher = RosterFollower(database, broker_settings(config.broker), config.facility.id,
                               config.kiosk.id)  # fmt: skip
    publisher.start()  # sends saved results to the office and follows the roster when it can
    try:
        with Station(database, facility_id=config.facility.id, kiosk_id=config.kiosk.id,
                     devices=devices) as station:  # fmt: skip
            app = KioskApp(desk, station=station, language=cli.language,
                           pin_hash=config.trainer.pin_hash,
                           config_path=settings_path(cli.loaded))  # fmt: skip
            app.run()
    finally:
        publisher.stop()
