"""``genki config``: show the effective configuration and hash a trainer PIN."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from genki.config import (
    CONFIG_ENV_VAR,
    LoadedConfig,
    check_pin,
    config_values,
    format_value,
    hash_pin,
    masked,
    user_config_path,
)

if TYPE_CHECKING:
    from genki.cli.context import CliContext


@click.group("config")
def config_group() -> None:
    """Show the configuration (genki.toml) and prepare values for it."""


@config_group.command("show")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
@click.pass_obj
def show(obj: CliContext, *, as_json: bool) -> None:
    """Print every setting with its effective value and where it came from."""
    loaded = obj.loaded
    values = {key: masked(key, value) for key, value in config_values(loaded.config).items()}
    if as_json:
        document = {
            "file": None if loaded.path is None else str(loaded.path),
            "found_by": loaded.path_source,
            "values": {
                key: {"value": value, "source": loaded.sources[key]}
                for key, value in values.items()
            },
        }
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
        return
    click.echo(_file_line(loaded))
    rows = [(f"{key} = {_display(value)}", loaded.sources[key]) for key, value in values.items()]
    width = max(len(setting) for setting, _ in rows)
    for setting, source in rows:
        click.echo(f"{setting.ljust(width)}  # {source}")


@config_group.command("hash-pin")
def hash_pin_command() -> None:
    """Ask for a trainer PIN (4 to 8 digits) and print the line for [trainer] in genki.toml."""
    pin = click.prompt(
        "Trainer PIN (4 to 8 digits)",
        hide_input=True,
        confirmation_prompt=True,
        value_proc=_checked_pin,
        err=True,
    )
    click.echo(f'pin_hash = "{hash_pin(pin)}"')
    click.echo("Put this line in the [trainer] section of genki.toml.", err=True)


def _checked_pin(value: str) -> str:
    try:
        return check_pin(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _file_line(loaded: LoadedConfig) -> str:
    if loaded.path is None:
        return (
            f"configuration file: none found (looked for {user_config_path()}; "
            f"use --config or ${CONFIG_ENV_VAR} to name one); using defaults"
        )
    return f"configuration file: {loaded.path} (found by {loaded.path_source})"


def _display(value: object) -> str:
    return "(not set)" if value is None else format_value(value)
