"""``genki score``: score a recorded signal offline and print the result (JSON with --json)."""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable
from pathlib import Path

import click
import numpy as np

from genki.cli.context import BadInputError
from measures.errors import SignalError
from measures.filters import FILTERS
from measures.stabilometry import SwayResult, romberg, score_sway

UNIT_TO_MM = {"m": 1000.0, "cm": 10.0, "mm": 1.0}


def read_columns(path: Path, names: tuple[str, str]) -> tuple[np.ndarray, np.ndarray]:
    """Read two numeric columns by header name from a CSV or TSV file."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInputError(f"cannot read {path}: {exc}") from exc
    lines = text.splitlines()
    if not lines:
        raise BadInputError(f"{path} is empty; expected a header row and one row per sample")
    delimiter = "\t" if lines[0].count("\t") >= lines[0].count(",") else ","
    rows = csv.reader(lines, delimiter=delimiter)
    header = [cell.strip() for cell in next(rows)]
    missing = [name for name in names if name not in header]
    if missing:
        raise BadInputError(
            f"column {missing[0]!r} is not in {path}; its columns are: {', '.join(header)}"
        )
    indices = [header.index(name) for name in names]
    values: list[list[float]] = [[], []]
    for line_number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        for axis, index in enumerate(indices):
            cell = row[index].strip() if index < len(row) else ""
            try:
                number = float(cell)
            except ValueError:
                number = math.nan
            if not math.isfinite(number):
                raise BadInputError(
                    f"{path} line {line_number}, column {names[axis]!r}: {cell!r} is not a "
                    "finite number"
                )
            values[axis].append(number)
    return np.asarray(values[0]), np.asarray(values[1])


def _score(path: Path, options: dict[str, object]) -> SwayResult:
    ml, ap = read_columns(path, (str(options["ml"]), str(options["ap"])))
    scale = UNIT_TO_MM[str(options["unit"])]
    try:
        return score_sway(ml * scale, ap * scale, float(options["rate"]), filter=options["filter"])  # type: ignore[arg-type]
    except SignalError as exc:
        raise BadInputError(f"{path}: {exc}") from exc


def _signal_options(command: Callable[..., None]) -> Callable[..., None]:
    for option in reversed(
        [
            click.option(
                "--rate", type=click.FloatRange(min=0, min_open=True), required=True, help="Hz."
            ),
            click.option("--ap", required=True, help="Column of the antero-posterior COP."),
            click.option("--ml", required=True, help="Column of the medio-lateral COP."),
            click.option("--unit", type=click.Choice(list(UNIT_TO_MM)), required=True),
            click.option("--filter", type=click.Choice(FILTERS), default="none", show_default=True),
            click.option("--json", "as_json", is_flag=True, help="Print one JSON object."),
        ]
    ):
        command = option(command)
    return command


@click.group()
def score() -> None:
    """Score recorded signals offline."""


@score.command()
@click.option(
    "--input", "input_path", type=click.Path(path_type=Path, dir_okay=False), required=True
)
@_signal_options
def sway(input_path: Path, **options: object) -> None:
    """Stabilometry of a quiet-stance COP recording (REFERENCE.md §8)."""
    result = _score(input_path, options)
    summary = result.as_json()
    if options["as_json"]:
        click.echo(json.dumps(summary))
        return
    for key, value in summary.items():
        click.echo(f"{key:>28}: {value:.4f}" if isinstance(value, float) else f"{key:>28}: {value}")


@score.command(name="romberg")
@click.option(
    "--eo", type=click.Path(path_type=Path, dir_okay=False), required=True, help="Eyes open."
)
@click.option(
    "--ec", type=click.Path(path_type=Path, dir_okay=False), required=True, help="Eyes closed."
)
@_signal_options
def romberg_command(eo: Path, ec: Path, **options: object) -> None:
    """Romberg ratios (eyes closed ÷ eyes open) of a stabilometry pair."""
    ratios = romberg(_score(eo, options), _score(ec, options)).as_json()
    if options["as_json"]:
        click.echo(json.dumps(ratios))
        return
    for key, value in ratios.items():
        click.echo(f"{key:>24}: {value:.4f}")
