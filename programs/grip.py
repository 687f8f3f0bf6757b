"""Grip assessment from several trials per hand: best per hand, the MEXT and AWGS 2019 rules.

- A trial flagged ``no_effort`` (measures.grip) is no measurement of strength: it is listed but
  left out of every rule below.
- Best per hand: the largest ``peak_kgf`` among that hand's trials.
- MEXT 新体力テスト 65〜79歳 (REFERENCE.md §7.1, UNVERIFIED): the mean of the best right and the
  best left, recorded in whole kg with the rounding of the table; needs both hands.
- AWGS 2019 (REFERENCE.md §1.5, UNVERIFIED): the maximum of all trials, both hands, at least
  ``min_trials`` of them.
- AWGS 2019 low grip (REFERENCE.md §1.1, CONFIRMED): men grip < 28.0 kg, women grip < 18.0 kg,
  applied to the AWGS maximum when the sex is given.
- Asymmetry: |best right − best left| ÷ the stronger hand's best × 100, a description only: no
  cut-off is applied, so no source is needed for one.

The rules' numbers are data (``programs/data/grip.toml``), loaded and checked here; every
result carries the provenance (source, status) of the tables it used.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal, get_args

from measures.grip import GripFlag, GripTrialResult

Hand = Literal["left", "right"]
Sex = Literal["M", "F"]
HANDS: tuple[Hand, ...] = get_args(Hand)
SEXES: tuple[Sex, ...] = get_args(Sex)
STATUSES = ("CONFIRMED", "PARTIAL", "UNVERIFIED")
ROUNDINGS = ("half_up", "truncate")
TABLE_IDS = ("mext_grip_record", "awgs2019_grip_protocol", "awgs2019_low_grip")


class GripTableError(ValueError):
    """The grip table file is not what genki expects; the message names the table and field."""


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a table comes from and how far it has been checked (REFERENCE.md §0.2)."""

    id: str
    title: str
    reference: str
    source: str
    status: str
    check_against: str
    notes: str

    def as_json(self) -> dict[str, str]:
        """Return the provenance as a JSON-ready dictionary."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class GripTables:
    """The grip rules' numbers with their provenance."""

    mext: Provenance
    mext_rounding: str
    awgs_protocol: Provenance
    awgs_min_trials: int
    awgs_low: Provenance
    awgs_low_below_kg: Mapping[Sex, float]


@dataclass(frozen=True, slots=True)
class GripTrial:
    """One scored trial and the hand it was done with (None when the file does not say)."""

    hand: Hand | None
    label: str
    result: GripTrialResult

    @property
    def usable(self) -> bool:
        """Whether the trial counts for the rules (a squeeze was detected)."""
        return GripFlag.NO_EFFORT not in self.result.quality_flags


@dataclass(frozen=True, slots=True)
class MextGrip:
    """MEXT 握力: mean of the best right and left (kg) and the recorded whole-kg value."""

    mean_kg: float | None
    recorded_kg: int | None
    rounding: str
    missing: str
    table: Provenance


@dataclass(frozen=True, slots=True)
class AwgsGrip:
    """AWGS 2019 grip: the maximum of all usable trials (kg), if there are enough of them."""

    max_kg: float | None
    trials_used: int
    min_trials: int
    missing: str
    table: Provenance


@dataclass(frozen=True, slots=True)
class AwgsRating:
    """AWGS 2019 low muscle strength: grip below the sex-specific cut-off."""

    sex: Sex
    cutoff_kg: float
    low: bool
    table: Provenance


@dataclass(frozen=True, slots=True)
class GripAssessment:
    """A grip assessment: the trials, the best per hand, the rules and the AWGS rating."""

    trials: tuple[GripTrial, ...]
    best_left_kg: float | None
    best_right_kg: float | None
    mext: MextGrip
    awgs: AwgsGrip
    rating: AwgsRating | None
    asymmetry_pct: float | None
    stronger_hand: Hand | None

    def as_json(self) -> dict[str, Any]:
        """Return the assessment as printed by ``genki score grip --json``."""
        return {
            "trials": [
                {"hand": t.hand, "trial": t.label, "used": t.usable, **t.result.as_json()}
                for t in self.trials
            ],
            "best_kg": {"left": self.best_left_kg, "right": self.best_right_kg},
            "mext": _without_table(self.mext) | {"table": self.mext.table.as_json()},
            "awgs": _without_table(self.awgs) | {"table": self.awgs.table.as_json()},
            "awgs_rating": None
            if self.rating is None
            else _without_table(self.rating) | {"table": self.rating.table.as_json()},
            "asymmetry_pct": self.asymmetry_pct,
            "stronger_hand": self.stronger_hand,
        }


def _without_table(result: MextGrip | AwgsGrip | AwgsRating) -> dict[str, Any]:
    values = asdict(result)
    del values["table"]
    return values


def _text(table: Mapping[str, Any], name: str, key: str) -> str:
    value = table.get(key)
    if not isinstance(value, str):
        raise GripTableError(f"[tables.{name}] {key}: expected a string, got {value!r}")
    return value


def _provenance(tables: Mapping[str, Any], name: str) -> Provenance:
    table = tables.get(name)
    if not isinstance(table, dict):
        raise GripTableError(
            f"no [tables.{name}] table; expected the tables {', '.join(TABLE_IDS)}"
        )
    fields = ("title", "reference", "source", "status", "check_against", "notes")
    provenance = Provenance(name, *(_text(table, name, key) for key in fields))
    if provenance.status not in STATUSES:
        raise GripTableError(
            f"[tables.{name}] status {provenance.status!r}; expected one of {', '.join(STATUSES)}"
        )
    if provenance.status != "CONFIRMED" and not provenance.check_against:
        raise GripTableError(f"[tables.{name}] is {provenance.status}: check_against is required")
    return provenance


def _cutoffs(table: Mapping[str, Any]) -> dict[Sex, float]:
    below = table.get("low_below_kg")
    if not isinstance(below, dict) or set(below) != set(SEXES):
        raise GripTableError("[tables.awgs2019_low_grip] low_below_kg: expected { M = …, F = … }")
    values = {sex: below[sex] for sex in SEXES}
    if not all(isinstance(v, int | float) and v > 0 for v in values.values()):
        raise GripTableError("[tables.awgs2019_low_grip] low_below_kg: expected positive numbers")
    return {sex: float(value) for sex, value in values.items()}


def parse_grip_tables(text: str) -> GripTables:
    """Parse and check the grip table file (TOML text); raise GripTableError naming the problem."""
    try:
        tables = tomllib.loads(text).get("tables", {})
    except tomllib.TOMLDecodeError as exc:
        raise GripTableError(f"not valid TOML: {exc}") from exc
    mext, protocol, low = (_provenance(tables, name) for name in TABLE_IDS)
    rounding = tables[mext.id].get("rounding")
    if rounding not in ROUNDINGS:
        raise GripTableError(
            f"[tables.{mext.id}] rounding {rounding!r}; expected one of {', '.join(ROUNDINGS)}"
        )
    min_trials = tables[protocol.id].get("min_trials")
    if not isinstance(min_trials, int) or min_trials < 1:
        raise GripTableError(
            f"[tables.{protocol.id}] min_trials {min_trials!r}; expected a whole number ≥ 1"
        )
    return GripTables(mext, rounding, protocol, min_trials, low, _cutoffs(tables[low.id]))


@cache
def default_grip_tables() -> GripTables:
    """Load genki's grip tables from ``programs/data/grip.toml``."""
    return parse_grip_tables(
        resources.files("programs.data").joinpath("grip.toml").read_text("utf-8")
    )


def record_whole_kg(mean_kg: float, rounding: str) -> int:
    """Bring a mean grip (kg) to whole kg: ``half_up`` (x.5 goes up) or ``truncate``."""
    value = round(mean_kg, 6)  # representation noise of the mean must not decide the rounding
    return math.floor(value + 0.5) if rounding == "half_up" else math.floor(value)


def _best(trials: Sequence[GripTrial], hand: Hand) -> float | None:
    peaks = [t.result.peak_kgf for t in trials if t.hand == hand]
    return max(peaks, default=None)


def _mext(left: float | None, right: float | None, tables: GripTables) -> MextGrip:
    if left is None or right is None:
        return MextGrip(None, None, tables.mext_rounding, "both_hands_needed", tables.mext)
    mean = (left + right) / 2
    recorded = record_whole_kg(mean, tables.mext_rounding)
    return MextGrip(mean, recorded, tables.mext_rounding, "", tables.mext)


def _awgs(used: Sequence[GripTrial], tables: GripTables) -> AwgsGrip:
    minimum = tables.awgs_min_trials
    if len(used) < minimum:
        return AwgsGrip(None, len(used), minimum, "too_few_trials", tables.awgs_protocol)
    best = max(t.result.peak_kgf for t in used)
    return AwgsGrip(best, len(used), minimum, "", tables.awgs_protocol)


def _asymmetry(left: float | None, right: float | None) -> tuple[float | None, Hand | None]:
    if left is None or right is None or max(left, right) <= 0:
        return None, None
    stronger: Hand | None = None if left == right else ("left" if left > right else "right")
    return 100.0 * abs(left - right) / max(left, right), stronger


def assess_grip(
    trials: Sequence[GripTrial], *, sex: Sex | None = None, tables: GripTables | None = None
) -> GripAssessment:
    """Apply the grip rules to scored trials; rate AWGS low grip when ``sex`` is given."""
    tables = tables or default_grip_tables()
    used = [t for t in trials if t.usable]
    left, right = _best(used, "left"), _best(used, "right")
    awgs = _awgs(used, tables)
    rating = None
    if sex is not None and awgs.max_kg is not None:
        cutoff = tables.awgs_low_below_kg[sex]
        rating = AwgsRating(sex, cutoff, awgs.max_kg < cutoff, tables.awgs_low)
    asymmetry, stronger = _asymmetry(left, right)
    return GripAssessment(
        trials=tuple(trials),
        best_left_kg=left,
        best_right_kg=right,
        mext=_mext(left, right, tables),
        awgs=awgs,
        rating=rating,
        asymmetry_pct=asymmetry,
        stronger_hand=stronger,
    )
