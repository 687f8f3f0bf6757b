"""The ``genki`` command line: one entry point, a subcommand per job, the only place that prints.

Exit codes: 0 success, 1 an operation failed (device, storage), 2 bad input (arguments, files,
configuration). Every error names what is wrong and what is expected.
"""

from __future__ import annotations

from pathlib import Path

import click

from genki import __version__
from genki.cli.battery import battery_group
from genki.cli.bench import bench
from genki.cli.config_cmd import config_group
from genki.cli.context import CliContext
from genki.cli.demo_cmd import demo_command
from genki.cli.devices import devices
from genki.cli.kiosk_cmd import kiosk_command
from genki.cli.office import office_group
from genki.cli.programs import programs_group
from genki.cli.residents import residents
from genki.cli.score import score
from genki.cli.screen import screen_group
from genki.cli.simulate import simulate
from genki.cli.sync_cmd import sync_group


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="genki")
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Configuration file (default: $GENKI_CONFIG, then genki.toml in the user config dir).",
)
@click.option(
    "--lang",
    type=click.Choice(["ja", "en"]),
    help="Language of messages (default: the configured language).",
)
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None, lang: str | None) -> None:
    """genki: exercise-room kiosk and monitoring station for elderly-care facilities."""
    ctx.obj = CliContext(config_path=config_path, language_override=lang)
    ctx.call_on_close(ctx.obj.close)


cli.add_command(residents)
cli.add_command(battery_group)
cli.add_command(bench)
cli.add_command(config_group)
cli.add_command(demo_command)
cli.add_command(devices)
cli.add_command(kiosk_command)
cli.add_command(score)
cli.add_command(screen_group)
cli.add_command(simulate)
cli.add_command(office_group)
cli.add_command(programs_group)
cli.add_command(sync_group)


def main() -> None:
    """Run the command line (console-script entry point)."""
    cli(prog_name="genki")
