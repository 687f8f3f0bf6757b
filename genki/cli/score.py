"""``genki score``: score recorded COP files (CSV or TSV with a header row) from the terminal.

``genki score sway`` prints every stabilometry measure of one trial; ``genki score romberg``
prints the eyes-closed ÷ eyes-open ratios of a pair. The delimiter (tab, semicolon or comma) is
taken from the header line, so the BDS data set's tab-separated files are read as they are.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from genki.cli.context import BadInputError
from genki.cli.score_grip import grip
from genki.cli.score_plate_tests import chair_stand, tug_plate
from genki.cli.score_timed import gait, six_minute_walk_command, tug
from genki.cli.tables import read_columns
from measures.errors import MeasureError
from measures.filters import FILTERS, Filter
from measures.results import JsonValue, SwayResult
from measures.spectrum import SPECTRUM_WARNING
from measures.stabilometry import romberg, score_sway

UNIT_TO_MM = {"m": 1000.0, "cm": 10.0, "mm": 1.0}


def _score_file(
    path: Path, *, rate: float, ap: str, ml: str, unit: str, filter_name: Filter
) -> SwayResult:
    """Read one trial file and score it, turning measure errors into BadInputError."""
    ap_values, ml_values = read_columns(path, [ap, ml])
    scale = UNIT_TO_MM[unit]
    try:
        return score_sway(ml_values * scale, ap_values * scale, rate, filter=filter_name)
    except MeasureError as exc:
        raise BadInputError(f"{path}: {exc}") from exc


def _trial_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add the options that say how to read and preprocess a trial file."""
    options = [
        click.option("--rate", type=float, required=True, help="Sampling rate (Hz)."),
        click.option("--ap", "ap", required=True, help="Column holding the AP COP."),
        click.option("--ml", "ml", required=True, help="Column holding the ML COP."),
        click.option(
            "--unit", type=click.Choice(list(UNIT_TO_MM)), required=True, help="COP unit."
        ),
        click.option(
            "--filter",
            "filter_name",
            type=click.Choice(list(FILTERS)),
            default="none",
            show_default=True,
            help="Preprocessing: none, zero-phase 10 Hz low-pass, or resampling to 20 Hz.",
        ),
        click.option("--json", "as_json", is_flag=True, help="Print one JSON object."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _json(values: dict[str, JsonValue]) -> str:
    return json.dumps(values, ensure_ascii=False, allow_nan=False)


def _format(value: JsonValue) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _summary(result: SwayResult) -> str:
    """Return a readable multi-line summary of one trial."""
    values = result.as_json()
    lines = [
        (
            f"{result.samples} samples at {result.rate_hz:g} Hz ({result.duration_s:.2f} s), "
            f"filter {result.filter}"
        ),
        *(f"  {key:<28} {_format(values[key])}" for key in values if key not in _HEADER_KEYS),
    ]
    if result.quality_flags:
        lines.append(f"  quality flags: {', '.join(result.quality_flags)}")
    lines.append(f"Note: {SPECTRUM_WARNING}")
    return "\n".join(lines)


_HEADER_KEYS = frozenset({"samples", "duration_s", "rate_hz", "filter"})


@click.group()
def score() -> None:
    """Score recorded trials from CSV or TSV files."""


@score.command()
@click.option(
    "--input",
    "input_path",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="CSV or TSV file with a header row.",
)
@_trial_options
def sway(
    *,
    input_path: Path,
    rate: float,
    ap: str,
    ml: str,
    unit: str,
    filter_name: Filter,
    as_json: bool,
) -> None:
    """Stabilometry of one quiet-stance trial (REFERENCE.md §8)."""
    result = _score_file(input_path, rate=rate, ap=ap, ml=ml, unit=unit, filter_name=filter_name)
    click.echo(_json(result.as_json()) if as_json else _summary(result))


@score.command(name="romberg")
@click.option("--eo", "eo_path", type=click.Path(path_type=Path, dir_okay=False), required=True)
@click.option("--ec", "ec_path", type=click.Path(path_type=Path, dir_okay=False), required=True)
@_trial_options
def romberg_command(  # noqa: PLR0913 - one parameter per documented option
    *,
    eo_path: Path,
    ec_path: Path,
    rate: float,
    ap: str,
    ml: str,
    unit: str,
    filter_name: Filter,
    as_json: bool,
) -> None:
    """Romberg ratios (eyes closed ÷ eyes open) of a trial pair (REFERENCE.md §8.2)."""
    eyes_open, eyes_closed = (
        _score_file(path, rate=rate, ap=ap, ml=ml, unit=unit, filter_name=filter_name)
        for path in (eo_path, ec_path)
    )
    try:
        ratios = romberg(eyes_open, eyes_closed).as_json()
    except MeasureError as exc:
        raise BadInputError(str(exc)) from exc
    if as_json:
        click.echo(_json(ratios))
        return
    click.echo(f"Romberg ratios (eyes closed ÷ eyes open), {rate:g} Hz, filter {filter_name}")
    for key, value in ratios.items():
        if key.endswith("_ratio"):
            click.echo(f"  {key:<28} {_format(value)}")
    if ratios["quality_flags"]:
        click.echo(f"  quality flags: {ratios['quality_flags']}")


score.add_command(grip)
score.add_command(gait)
score.add_command(tug)
score.add_command(six_minute_walk_command)
score.add_command(chair_stand)
score.add_command(tug_plate)
