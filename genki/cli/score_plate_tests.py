"""``genki score chair-stand|tug-plate``: chair stands and a TUG from a recorded force-plate CSV.

The file is what ``genki devices read`` writes for a plate: a header row with ``time_s`` and
``fz_n`` (other columns are ignored). The samples are put back on their grid from the time
stamps, at ``--rate`` or the rate of the median time step, so dropped samples become gaps that
the result flags. Definitions of every event are in measures.chair_stand and measures.tug_plate.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
import numpy as np
import numpy.typing as npt

from genki.cli.context import BadInputError, CliContext
from genki.cli.tables import read_columns
from genki.i18n import Language, text
from measures.chair_stand import (
    FiveTimesResult,
    ThirtySecondResult,
    five_times_sit_to_stand,
    thirty_second_chair_stand,
)
from measures.errors import MeasureError
from measures.tug_plate import tug_from_plate

FloatArray = npt.NDArray[np.float64]
Result = TypeVar("Result")
pass_cli = click.make_pass_decorator(CliContext)
MAX_MISSING_FRACTION = 0.5
TESTS: dict[str, Callable[[FloatArray, float], FiveTimesResult | ThirtySecondResult]] = {
    "five-times": five_times_sit_to_stand,
    "thirty-seconds": thirty_second_chair_stand,
}
INPUT = click.option(
    "--input",
    "path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="Force-plate CSV from `genki devices read` (columns time_s and fz_n).",
)
RATE = click.option(
    "--rate",
    type=click.FloatRange(min=0.0, min_open=True),
    help="Sampling rate (Hz) [from the median time step].",
)
JSON = click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")


def read_force(path: Path, rate_hz: float | None, language: Language) -> tuple[FloatArray, float]:
    """Return Fz on its sample grid (NaN where a sample is missing) and the rate (Hz)."""
    time_s, fz_n = read_columns(path, ["time_s", "fz_n"])
    steps = np.diff(time_s)
    if time_s.size < 2 or not (steps > 0).all():
        raise BadInputError(text("plate_tests.error.time", language, file=path))
    rate = rate_hz or round(float(1.0 / np.median(steps)), 3)
    index = np.rint((time_s - time_s[0]) * rate).astype(np.int64)
    if index[-1] + 1 > time_s.size / (1.0 - MAX_MISSING_FRACTION):
        raise BadInputError(text("plate_tests.error.gaps", language, file=path, rate=f"{rate:g}"))
    grid = np.full(index[-1] + 1, np.nan)
    grid[index] = fz_n
    return grid, rate


def _scored(
    path: Path,
    rate_hz: float | None,
    language: Language,
    score: Callable[[FloatArray, float], Result],
) -> tuple[Result, float]:
    """Read the file and score it, turning measure errors into BadInputError."""
    fz_n, rate = read_force(path, rate_hz, language)
    try:
        return score(fz_n, rate), rate
    except MeasureError as exc:
        detail = text("plate_tests.error.unscorable", language, file=path, detail=exc)
        raise BadInputError(detail) from exc


def _emit(
    path: Path, values: dict[str, Any], headline: str, language: Language, *, as_json: bool
) -> None:
    if as_json:
        click.echo(json.dumps(values, ensure_ascii=False, allow_nan=False))
        return
    click.echo(text("plate_tests.title", language, file=path, rate=f"{values['rate_hz']:g}"))
    click.echo(f"  {headline}")
    flags = values["quality_flags"]
    if flags:
        shown = "; ".join(text(f"plate_tests.flag.{flag}", language) for flag in flags)
        click.echo(text("plate_tests.flags", language, flags=shown))
    click.echo(text("plate_tests.definitions", language))


def _seconds(value: float | None, language: Language) -> str:
    return text("plate_tests.none", language) if value is None else f"{value:.2f}"


def _chair_stand_headline(values: dict[str, Any], language: Language) -> str:
    if "time_s" not in values:
        duration = f"{values['duration_s']:.1f}"
        return text(
            "plate_tests.thirty_seconds", language, count=values["count"], duration=duration
        )
    splits = ", ".join(f"{split:.2f}" for split in values["stand_times_s"])
    splits = splits or text("plate_tests.none", language)
    time = _seconds(values["time_s"], language)
    return text("plate_tests.five_times", language, time=time, count=values["count"], splits=splits)


@click.command(name="chair-stand")
@INPUT
@click.option("--test", type=click.Choice(list(TESTS)), default="five-times", show_default=True)
@RATE
@JSON
@pass_cli
def chair_stand(
    cli: CliContext, /, path: Path, *, test: str, rate: float | None, as_json: bool
) -> None:
    """Score a five-times or 30-second chair stand from the force under the feet."""
    result, rate_hz = _scored(path, rate, cli.language, TESTS[test])
    values = {"test": test, **dataclasses.asdict(result), "rate_hz": rate_hz}
    _emit(path, values, _chair_stand_headline(values, cli.language), cli.language, as_json=as_json)


@click.command(name="tug-plate")
@INPUT
@RATE
@JSON
@pass_cli
def tug_plate(cli: CliContext, /, path: Path, *, rate: float | None, as_json: bool) -> None:
    """Time a Timed Up and Go from a plate under the feet: rise onset to seated again."""
    result, rate_hz = _scored(path, rate, cli.language, tug_from_plate)
    values = {**dataclasses.asdict(result), "rate_hz": rate_hz}
    headline = text("plate_tests.tug", cli.language, time=_seconds(result.time_s, cli.language))
    _emit(path, values, headline, cli.language, as_json=as_json)
