"""``genki score gait|tug|six-minute-walk``: timed tests from a recorded timer-event CSV.

The file is what ``genki devices read`` writes for a timer: one row per input change with the
columns ``state``, ``device_time_us``, ``first``, ``saturated`` and ``after_gap`` (others are
ignored). Gate tests group the rows into crossings (measures.gait); a hand-timed test takes its
start and stop from two rows (measures.timed).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import click
import numpy as np

from genki.cli.context import BadInputError
from genki.cli.tables import read_columns
from measures.gait import MERGE_WINDOW_S, Crossing, find_crossings, time_gates
from measures.timed import PROTOCOLS, six_minute_walk, stopwatch

EVENT_COLUMNS = ["state", "device_time_us", "first", "saturated", "after_gap"]
INPUT = click.option(
    "--input",
    "path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="Timer-event CSV from `genki devices read`.",
)
JSON = click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")


def _crossings(path: Path, blocked_state: int, merge_window_s: float) -> tuple[Crossing, ...]:
    state, time_us, first, saturated, after_gap = read_columns(path, EVENT_COLUMNS)
    continuous = ~((first > 0) | (saturated > 0) | (after_gap > 0))
    return find_crossings(
        state, time_us, continuous, blocked_state=blocked_state, merge_window_s=merge_window_s
    )


def _gates(text: str) -> list[float]:
    try:
        gates = [float(part) for part in text.split(",")]
    except ValueError:
        gates = []
    if len(gates) < 2 or gates != sorted(set(gates)):
        raise BadInputError(
            f"--gates {text!r}; expected two or more gate positions in metres, increasing, "
            "for example --gates 0,4"
        )
    return gates


def _emit(values: dict[str, Any], *, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(values, ensure_ascii=False))
        return
    for key, value in values.items():
        click.echo(f"{key}: {value}")


@click.command()
@INPUT
@click.option("--gates", "gates_text", default="0,4", show_default=True, help="Gate positions, m.")
@click.option("--blocked-state", type=click.IntRange(0, 1), default=1, show_default=True)
@click.option("--merge-window", type=click.FloatRange(min=0.0), default=MERGE_WINDOW_S)
@click.option("--acceleration-zone", type=click.FloatRange(min=0.0), default=0.0, show_default=True,
              help="Metres walked before the first gate (recorded with the result).")  # fmt: skip
@JSON
def gait(
    path: Path,
    *,
    gates_text: str,
    blocked_state: int,
    merge_window: float,
    acceleration_zone: float,
    as_json: bool,
) -> None:
    """Time a walk between photocell gates: splits and speeds (a 4 m course for the SPPB)."""
    crossings = _crossings(path, blocked_state, merge_window)
    trial = time_gates(crossings, _gates(gates_text), acceleration_zone_m=acceleration_zone)
    values = dataclasses.asdict(trial)
    values["crossings"] = len(trial.crossings)
    values["valid"] = trial.valid
    _emit(values, as_json=as_json)


@click.command()
@INPUT
@JSON
def tug(path: Path, *, as_json: bool) -> None:
    """Time a Timed Up and Go by hand: the first row is the start press, the second the stop."""
    (time_us,) = read_columns(path, ["device_time_us"])
    result = stopwatch((time_us / 1e6).tolist())
    _emit({**dataclasses.asdict(result), "valid": not result.flags}, as_json=as_json)


@click.command(name="six-minute-walk")
@INPUT
@click.option("--lap-length", type=click.FloatRange(min=0.0, min_open=True), required=True)
@click.option("--final-partial", type=click.FloatRange(min=0.0), required=True)
@click.option("--protocol", type=click.Choice(PROTOCOLS), required=True)
@click.option("--blocked-state", type=click.IntRange(0, 1), default=1, show_default=True)
@JSON
def six_minute_walk_command(
    path: Path,
    *,
    lap_length: float,
    final_partial: float,
    protocol: str,
    blocked_state: int,
    as_json: bool,
) -> None:
    """Score a 6-minute walk: the first start-gate crossing starts it, each later one is a lap."""
    crossings = _crossings(path, blocked_state, MERGE_WINDOW_S)
    if not crossings:
        raise BadInputError(f"{path} has no gate crossing; expected the start and the lap passes")
    starts = np.array([c.start_s for c in crossings])
    try:
        walk = six_minute_walk(
            start_s=float(starts[0]),
            pass_times_s=starts[1:].tolist(),
            lap_length_m=lap_length,
            final_partial_m=final_partial,
            protocol=protocol,
        )
    except ValueError as exc:
        raise BadInputError(str(exc)) from exc
    _emit(dataclasses.asdict(walk), as_json=as_json)
