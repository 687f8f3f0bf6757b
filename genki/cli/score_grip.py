"""``genki score grip``: score grip trials recorded as force-time CSV and apply the grip rules.

The file has a header row with ``time_s`` and ``force_kgf`` (one trial), optionally ``hand``
(left/right or L/R) and ``trial`` for several trials in one file; rows are grouped by hand and
trial, and time must increase within each trial. Output: per-trial scores (measures.grip), best
per hand, the MEXT and AWGS 2019 values, asymmetry, and the AWGS rating with ``--sex``, each rule
with the provenance of its table (programs.grip).
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import click

from genki.cli.context import BadInputError, CliContext
from genki.i18n import Language, text
from measures.errors import MeasureError
from measures.grip import score_grip
from programs.grip import GripAssessment, GripTrial, Hand, Sex, assess_grip

pass_cli = click.make_pass_decorator(CliContext)
REQUIRED = ("time_s", "force_kgf")
HAND_NAMES: dict[str, Hand] = {"left": "left", "l": "left", "right": "right", "r": "right"}
DELIMITERS = ("\t", ";", ",")


@dataclass
class _TrialRows:
    """Samples of one trial as read, with the line each trial starts on."""

    hand: Hand | None
    label: str
    line: int
    time_s: list[float] = field(default_factory=list)
    force_kgf: list[float] = field(default_factory=list)


class _Reader:
    """Read a grip CSV into trials; every problem is a BadInputError in the user's language."""

    def __init__(self, path: Path, language: Language) -> None:
        self.path = path
        self.language = language

    def error(self, key: str, **params: object) -> BadInputError:
        """Return the bad-input error ``grip.error.KEY`` naming this file."""
        return BadInputError(text(f"grip.error.{key}", self.language, file=self.path, **params))

    def number(self, line: int, column: str, cell: str) -> float:
        """Return one cell as a finite float."""
        try:
            value = float(cell)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise self.error("not_number", line=line, column=column, value=cell)
        return value

    def hand(self, line: int, cell: str) -> Hand:
        """Return the hand named by a cell (left, right, L, R; any case)."""
        hand = HAND_NAMES.get(cell.strip().lower())
        if hand is None:
            raise self.error("hand", line=line, value=cell)
        return hand

    def trials(self) -> list[_TrialRows]:
        """Read the file and return its trials in the order they first appear."""
        try:
            with self.path.open(encoding="utf-8-sig", newline="") as handle:
                return self._read(handle)
        except OSError as exc:
            raise self.error("unreadable", reason=exc.strerror) from exc
        except (UnicodeDecodeError, csv.Error) as exc:
            raise self.error("not_text", reason=exc) from exc

    def _rows(self, handle: TextIO) -> Iterator[tuple[int, dict[str, str]]]:
        header_line = handle.readline()
        handle.seek(0)
        delimiter = next((d for d in DELIMITERS if d in header_line), ",")
        reader = csv.reader(handle, delimiter=delimiter)
        header = [cell.strip() for cell in next(reader, [])]
        for column in REQUIRED:
            if column not in header:
                available = ", ".join(header) or "—"
                raise self.error("missing_column", column=column, available=available)
        for row in reader:
            if any(cell.strip() for cell in row):
                cells = [cell.strip() for cell in row] + [""] * (len(header) - len(row))
                yield reader.line_num, dict(zip(header, cells, strict=False))

    def _read(self, handle: TextIO) -> list[_TrialRows]:
        trials: dict[tuple[Hand | None, str], _TrialRows] = {}
        for line, row in self._rows(handle):
            hand = self.hand(line, row["hand"]) if "hand" in row else None
            label = row.get("trial", "1")
            if not label:
                raise self.error("trial", line=line)
            trial = trials.setdefault((hand, label), _TrialRows(hand, label, line))
            time_s = self.number(line, "time_s", row["time_s"])
            if trial.time_s and time_s <= trial.time_s[-1]:
                raise self.error("time_order", line=line, value=time_s, previous=trial.time_s[-1])
            trial.time_s.append(time_s)
            trial.force_kgf.append(self.number(line, "force_kgf", row["force_kgf"]))
        if not trials:
            raise self.error("empty")
        return list(trials.values())


def _hand_text(hand: Hand | None, language: Language) -> str:
    return text(f"grip.hand.{hand or 'unknown'}", language)


def _score(reader: _Reader, rows: _TrialRows) -> GripTrial:
    try:
        result = score_grip(rows.time_s, rows.force_kgf)
    except MeasureError as exc:
        hand = _hand_text(rows.hand, reader.language)
        raise reader.error("unscorable", hand=hand, trial=rows.label, detail=exc) from exc
    return GripTrial(rows.hand, rows.label, result)


def _value(number: float | int | None, digits: int, language: Language) -> str:
    return text("grip.none", language) if number is None else f"{number:.{digits}f}"


def _trial_lines(trial: GripTrial, language: Language) -> list[str]:
    r = trial.result
    lines = [
        text(
            "grip.trial",
            language,
            hand=_hand_text(trial.hand, language),
            trial=trial.label,
            peak=_value(r.peak_kgf, 1, language),
            time_to_peak=_value(r.time_to_peak_s, 2, language),
            rfd_100=_value(r.rfd_0_100_kgf_s, 0, language),
            rfd_200=_value(r.rfd_0_200_kgf_s, 0, language),
            hold=_value(r.hold_90_s, 2, language),
        )
    ]
    if r.fatigue_index_pct is not None:
        resistance = _value(r.fatigue_resistance_50_s, 1, language)
        index = _value(r.fatigue_index_pct, 1, language)
        lines.append(text("grip.fatigue", language, resistance=resistance, index=index))
    if r.quality_flags:
        flags = "; ".join(text(f"grip.flag.{flag}", language) for flag in r.quality_flags)
        lines.append(text("grip.flags", language, flags=flags))
    if not trial.usable:
        lines.append(text("grip.not_used", language))
    return lines


def _summary(path: Path, assessment: GripAssessment, language: Language) -> str:
    """Return the assessment as readable lines in ``language``."""
    a = assessment

    def status(value: str) -> str:
        return text(f"grip.status.{value}", language)

    lines = [text("grip.title", language, file=path)]
    for trial in a.trials:
        lines += _trial_lines(trial, language)
    left, right = _value(a.best_left_kg, 1, language), _value(a.best_right_kg, 1, language)
    lines.append(text("grip.best", language, left=left, right=right))
    if a.mext.recorded_kg is None:
        lines.append(text("grip.mext_missing", language))
    else:
        lines.append(
            text(
                "grip.mext",
                language,
                recorded=a.mext.recorded_kg,
                mean=_value(a.mext.mean_kg, 2, language),
                rounding=text(f"grip.rounding.{a.mext.rounding}", language),
                status=status(a.mext.table.status),
            )
        )
    count, minimum = a.awgs.trials_used, a.awgs.min_trials
    if a.awgs.max_kg is None:
        lines.append(text("grip.awgs_missing", language, minimum=minimum, count=count))
    else:
        value, awgs_status = _value(a.awgs.max_kg, 1, language), status(a.awgs.table.status)
        lines.append(text("grip.awgs", language, value=value, count=count, status=awgs_status))
    if a.asymmetry_pct is not None:
        lines.append(text("grip.asymmetry", language, pct=_value(a.asymmetry_pct, 1, language)))
    tables = [a.mext.table, a.awgs.table]
    if a.rating is not None:
        sex = text("sex.male" if a.rating.sex == "M" else "sex.female", language)
        key = "grip.rating_low" if a.rating.low else "grip.rating_ok"
        cutoff, rating_status = f"{a.rating.cutoff_kg:.1f}", status(a.rating.table.status)
        lines.append(text(key, language, sex=sex, cutoff=cutoff, status=rating_status))
        tables.append(a.rating.table)
    lines.append(text("grip.definitions", language))
    lines += [
        text("grip.source", language, table=t.id, source=t.source, status=status(t.status))
        for t in tables
    ]
    return "\n".join(lines)


@click.command(name="grip")
@click.option(
    "--input",
    "input_path",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="CSV with a header time_s,force_kgf and optionally hand (left/right, L/R) and trial.",
)
@click.option(
    "--sex",
    type=click.Choice(["F", "M"], case_sensitive=False),
    help="F or M: rate the AWGS 2019 low grip cut-off for this sex.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@pass_cli
def grip(cli: CliContext, /, *, input_path: Path, sex: Sex | None, as_json: bool) -> None:
    """Grip trials (kgf over time): scores per trial, MEXT and AWGS 2019 rules."""
    reader = _Reader(input_path, cli.language)
    trials = [_score(reader, rows) for rows in reader.trials()]
    assessment = assess_grip(trials, sex=sex)
    if as_json:
        document = {"input": str(input_path), "sex": sex, **assessment.as_json()}
        click.echo(json.dumps(document, ensure_ascii=False, allow_nan=False))
        return
    click.echo(_summary(input_path, assessment, cli.language))
