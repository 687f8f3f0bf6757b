"""Manual entry: raw results (parsed JSON) read field by field against each field's unit and range.

Ranges are data (``programs/data/battery_entry.toml``). A field is named by its path in the input
document, e.g. ``results.gait_4m_s[2]``; list positions count from 1 (the trial or question
number). Absent and ``null`` both mean "no result". A bad value raises EntryError naming the field
and what is allowed: a number outside its range, text or ``true`` where a number belongs, a list
of the wrong length, a field the battery does not know, a result for a test the sequence skips.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import TypeVar, cast

from programs.batteries.errors import EntryError
from programs.grip import SEXES, Sex

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class FieldRange:
    """A field's unit (a catalogue code) and inclusive range; ``integer`` wants a whole number."""

    unit: str
    low: float
    high: float
    integer: bool

    def check(self, field: str, value: object) -> float:
        """Return ``value`` as a number if it is one inside the range, else raise EntryError."""
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or not self.low <= value <= self.high
            or (self.integer and not float(value).is_integer())
        ):
            problem = "integer" if self.integer else "range"
            low, high = f"{self.low:g}", f"{self.high:g}"
            raise EntryError(field, value, problem, low=low, high=high, unit=self.unit)
        return int(value) if self.integer else float(value)


@cache
def field_ranges() -> Mapping[str, FieldRange]:
    """Load the entry ranges of every battery field."""
    text = resources.files("programs.data").joinpath("battery_entry.toml").read_text("utf-8")
    fields = tomllib.loads(text)["fields"]
    return MappingProxyType(
        {
            name: FieldRange(spec["unit"], spec["min"], spec["max"], spec.get("integer", False))
            for name, spec in fields.items()
        }
    )


def boolean(field: str, value: object) -> bool:
    """Return ``value`` if it is true or false, else raise EntryError."""
    if not isinstance(value, bool):
        raise EntryError(field, value, "bool")
    return value


class Entry:
    """One object of raw results, read with the rules of its fields."""

    def __init__(self, values: object, where: str, fields: Sequence[str]) -> None:
        if not isinstance(values, Mapping):
            raise EntryError(where, values, "object")
        for key, value in values.items():
            if key not in fields:
                raise EntryError(f"{where}.{key}", value, "unknown", choices=", ".join(fields))
        self.values: Mapping[str, object] = values
        self.where = where

    def field(self, name: str) -> str:
        """Return the path of field ``name``."""
        return f"{self.where}.{name}" if self.where else name

    def given(self, name: str) -> bool:
        """Whether field ``name`` has a value."""
        return self.values.get(name) is not None

    def error(self, name: str, problem: str, **params: object) -> EntryError:
        """Return the EntryError for field ``name``."""
        return EntryError(self.field(name), self.values.get(name), problem, **params)

    def require(self, name: str, value: _T | None) -> _T:
        """Return ``value``, or raise "a value is required" for field ``name`` when it is None."""
        if value is None:
            raise self.error(name, "missing")
        return value

    def number(self, name: str, *, limits: str | None = None) -> float | None:
        """Return a number checked against the range of ``limits`` (default: the field's own)."""
        value = self.values.get(name)
        if value is None:
            return None
        return field_ranges()[limits or name].check(self.field(name), value)

    def trials(self, name: str, most: int, *, limits: str | None = None) -> tuple[float, ...]:
        """Return a number (one trial) or a list of up to ``most`` trials; () when absent."""
        value = self.values.get(name)
        check = field_ranges()[limits or name].check
        if not isinstance(value, list):
            return () if value is None else (check(self.field(name), value),)
        if len(value) > most:
            raise self.error(name, "length", count=f"0–{most}")
        return tuple(check(f"{self.field(name)}[{i}]", v) for i, v in enumerate(value, 1))

    def flag(self, name: str) -> bool | None:
        """Return true, false, or None when absent."""
        value = self.values.get(name)
        return None if value is None else boolean(self.field(name), value)

    def choice(self, name: str, choices: Sequence[str]) -> str | None:
        """Return one of ``choices``, or None when absent."""
        value = self.values.get(name)
        if value is not None and value not in choices:
            raise self.error(name, "choice", choices=", ".join(choices))
        return cast("str | None", value)

    def answers(self, name: str, count: int, check: Callable[[str, object], _T]) -> tuple[_T, ...]:
        """Return a list of exactly ``count`` answers, each passed through ``check``."""
        value = self.values.get(name)
        if not isinstance(value, list) or len(value) != count:
            raise self.error(name, "missing" if value is None else "length", count=count)
        return tuple(check(f"{self.field(name)}[{i}]", v) for i, v in enumerate(value, 1))

    def skipped(self, name: str, *, after: str) -> None:
        """Refuse a result for ``name`` when the sequence ended at ``after`` before it."""
        if self.given(name):
            raise self.error(name, "skipped", after=after)


@dataclass(frozen=True, slots=True)
class Resident:
    """Who was tested: sex and completed years of age on the test day."""

    sex: Sex
    age_years: int

    def __post_init__(self) -> None:
        if self.sex not in SEXES:
            raise EntryError("resident.sex", self.sex, "choice", choices=", ".join(SEXES))
        field_ranges()["age_years"].check("resident.age_years", self.age_years)

    @classmethod
    def read(cls, value: object) -> Resident:
        """Read ``resident: {sex, age_years}`` from an input document."""
        entry = Entry(value, "resident", ("sex", "age_years"))
        sex = entry.require("sex", entry.choice("sex", SEXES))
        age = entry.require("age_years", entry.number("age_years"))
        return cls(cast("Sex", sex), int(age))

    def as_json(self) -> dict[str, object]:
        """Return the resident as printed in results."""
        return {"sex": self.sex, "age_years": self.age_years}
