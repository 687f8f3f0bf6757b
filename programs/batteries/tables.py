"""Battery tables: one data file per battery, a provenance record per table (REFERENCE.md §0.2).

A file ``programs/data/<battery>.toml`` holds ``[tables.<id>]`` sections. Each names its
``title``, ``reference`` (the REFERENCE.md section), ``source``, ``status`` (CONFIRMED, PARTIAL or
UNVERIFIED, §0.1), ``check_against`` (required unless CONFIRMED) and ``notes``; the other keys
are the table's numbers. Two shapes are understood everywhere:

- a condition ``{ lt = 1.0 }``: one inequality (``lt``, ``le``, ``ge``, ``gt``) on the recorded
  value (§0.3);
- a row list ``[{ lt = 4.82, result = 4 }, …, { result = 1 }]``: checked in order, the first
  matching row gives the result, and the last row, with no inequality, takes the rest. A row may
  carry its own ``status`` where REFERENCE.md gives it a weaker one than its table.

A table with ``resolution`` and ``rounding`` (``none``, ``half_up``, ``truncate``, ``up``) says
how a raw measurement becomes the recorded value its inequalities apply to. The whole file is
checked when it is loaded; a problem raises TableError naming the file, table and key.
"""

from __future__ import annotations

import operator
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeVar

from programs.batteries.errors import TableError
from programs.grip import Provenance

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

ALGORITHM_VERSION = "batteries/1"
STATUSES = ("CONFIRMED", "PARTIAL", "UNVERIFIED")
PROVENANCE_FIELDS = ("title", "reference", "source", "status", "check_against", "notes")
COMPARISONS: Mapping[str, Callable[[float, float], bool]] = {
    "lt": operator.lt, "le": operator.le, "ge": operator.ge, "gt": operator.gt,
}  # fmt: skip
ROUNDINGS = {"half_up": ROUND_HALF_UP, "truncate": ROUND_FLOOR, "up": ROUND_CEILING}
BEST: Mapping[str, Callable[[Iterable[float]], float]] = {"max": max, "min": min}
_T = TypeVar("_T")


def weakest(statuses: Iterable[str]) -> str:
    """Return the least checked of ``statuses`` (CONFIRMED when there are none)."""
    return max(statuses, key=STATUSES.index, default=STATUSES[0])


@dataclass(frozen=True, slots=True)
class Condition:
    """One inequality on a recorded value, e.g. ``lt 1.0`` for "v < 1.0"."""

    comparison: str
    bound: float

    def met(self, value: float) -> bool:
        """Whether ``value`` satisfies the inequality."""
        return COMPARISONS[self.comparison](value, self.bound)


@dataclass(frozen=True, slots=True)
class Row:
    """One row of a row list: its result, its inequality (None on the last row), its status."""

    result: int | str
    condition: Condition | None
    status: str | None


@dataclass(frozen=True, slots=True)
class Table:
    """One table: its provenance and its checked contents."""

    file: str
    provenance: Provenance
    values: Mapping[str, object]

    @property
    def id(self) -> str:
        """The table's stable id."""
        return self.provenance.id

    @property
    def status(self) -> str:
        """The table's status (CONFIRMED, PARTIAL or UNVERIFIED)."""
        return self.provenance.status

    def error(self, path: Iterable[str | int], expected: str) -> TableError:
        """Return the error for a key that is missing or not the expected kind."""
        return TableError(
            f"{self.file} [tables.{self.id}] {'.'.join(map(str, path))}: expected {expected}"
        )

    def _at(self, path: tuple[str | int, ...]) -> object:
        node: object = self.values
        for key in path:
            if isinstance(node, Mapping) and key in node:
                node = node[key]
                continue
            if isinstance(node, tuple) and isinstance(key, int) and 0 <= key < len(node):
                node = node[key]
                continue
            raise self.error(path, "a value")
        return node

    def get(self, kind: type[_T], *path: str | int) -> _T:
        """Return the value at ``path`` (nested keys), checked to be a ``kind``."""
        value = self._at(path)
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            raise self.error(path, f"a {kind.__name__}")
        return value

    def number(self, *path: str | int) -> float:
        """Return the number at ``path``."""
        value = self._at(path)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(path, "a number")
        return value

    def items(self, kind: type[_T], *path: str | int) -> tuple[_T, ...]:
        """Return the list at ``path``, each element checked to be a ``kind``."""
        values = self.get(tuple, *path)
        if not all(isinstance(v, kind) and not isinstance(v, bool) for v in values):
            raise self.error(path, f"a list of {kind.__name__}")
        return values

    def numbers(self, *path: str | int) -> tuple[float, ...]:
        """Return the list of numbers at ``path``."""
        return tuple(self.number(*path, index) for index in range(len(self.get(tuple, *path))))

    def condition(self, *path: str | int) -> Condition:
        """Return the condition at ``path``."""
        return self.get(Condition, *path)

    def lookup(self, value: float, *path: str | int) -> Row:
        """Return the first row of the row list at ``path`` that ``value`` satisfies."""
        rows = self.items(Row, *path)
        return next(r for r in rows if r.condition is None or r.condition.met(value))

    def record(self, value: float) -> float:
        """Bring a raw measurement to the table's resolution with the table's rounding rule."""
        rounding = self.get(str, "rounding")
        if rounding == "none":
            return value
        step = Decimal(str(self.number("resolution")))
        recorded = Decimal(repr(value)).quantize(step, rounding=ROUNDINGS[rounding])
        return int(recorded) if step == step.to_integral_value() else float(recorded)

    def best_of(self, trials: Sequence[float]) -> float:
        """Return the recorded best trial (``best``: max or min), capped at ``ceiling`` if any."""
        recorded = self.record(BEST[self.get(str, "best")](trials))
        return min(recorded, self.number("ceiling")) if "ceiling" in self.values else recorded

    def age_band(self, age_years: int, *path: str) -> int | None:
        """Return the index in the list at ``path`` of the band whose ``ages`` hold the age."""
        for index in range(len(self.get(tuple, *path))):
            low, high = self.numbers(*path, index, "ages")
            if low <= age_years <= high:
                return index
        return None


@dataclass(frozen=True, slots=True)
class BatteryTables:
    """The tables of one battery's data file, by id."""

    file: str
    tables: Mapping[str, Table]

    def __getitem__(self, table_id: str) -> Table:
        """Return the table ``table_id``."""
        if table_id not in self.tables:
            available = ", ".join(self.tables)
            raise TableError(f"{self.file}: no [tables.{table_id}]; tables: {available}")
        return self.tables[table_id]


def _condition(value: Mapping[str, object], where: str) -> Condition:
    (comparison, bound), *rest = value.items()
    if (
        rest
        or comparison not in COMPARISONS
        or isinstance(bound, bool)
        or not isinstance(bound, int | float)
    ):
        raise TableError(f"{where}: expected one inequality on a number, such as {{ lt = 1.0 }}")
    return Condition(comparison, bound)


def _row(value: Mapping[str, object], where: str) -> Row:
    result, status = value["result"], value.get("status")
    if not isinstance(result, int | str) or (status is not None and status not in STATUSES):
        raise TableError(f"{where}: expected result = a number or text, and status in {STATUSES}")
    inequality = {k: v for k, v in value.items() if k not in ("result", "status")}
    condition = _condition(inequality, where) if inequality else None
    return Row(result, condition, None if status is None else str(status))


def _rows(items: tuple[object, ...], where: str) -> None:
    """Check a row list: rows only, an inequality on each but the last, none on the last."""
    rows = [item for item in items if isinstance(item, Row)]
    if len(rows) != len(items):
        raise TableError(f"{where}: expected rows only ({{ …, result = … }})")
    if any(r.condition is None for r in rows[:-1]) or rows[-1].condition is not None:
        raise TableError(f"{where}: expected an inequality on every row but the last, not on it")


def _contents(value: object, where: str) -> object:
    """Turn parsed TOML into conditions, row lists, read-only mappings and tuples."""
    if isinstance(value, dict):
        if "result" in value:
            return _row(value, where)
        if set(value) & set(COMPARISONS):
            return _condition(value, where)
        return MappingProxyType({k: _contents(v, f"{where}.{k}") for k, v in value.items()})
    if isinstance(value, list):
        items = tuple(_contents(v, f"{where}[{i}]") for i, v in enumerate(value))
        if any(isinstance(item, Row) for item in items):
            _rows(items, where)
        return items
    return value


def _provenance(table_id: str, table: Mapping[str, object], where: str) -> Provenance:
    texts = [table.get(key) for key in PROVENANCE_FIELDS]
    for key, value in zip(PROVENANCE_FIELDS, texts, strict=True):
        if not isinstance(value, str):
            raise TableError(f"{where} {key}: expected a string (provenance is mandatory)")
    provenance = Provenance(table_id, *(str(value) for value in texts))
    if provenance.status not in STATUSES:
        raise TableError(f"{where} status {provenance.status!r}; expected one of {STATUSES}")
    if provenance.status != "CONFIRMED" and not provenance.check_against:
        raise TableError(f"{where} is {provenance.status}: check_against is required")
    return provenance


def _table(file: str, table_id: str, table: object) -> Table:
    where = f"{file} [tables.{table_id}]"
    if not isinstance(table, dict):
        raise TableError(f"{where}: expected a table")
    provenance = _provenance(table_id, table, where)
    contents = MappingProxyType(
        {k: _contents(v, f"{where}.{k}") for k, v in table.items() if k not in PROVENANCE_FIELDS}
    )
    parsed = Table(file, provenance, contents)
    rounding = contents.get("rounding")
    if rounding is not None and rounding not in (*ROUNDINGS, "none"):
        raise parsed.error(["rounding"], f"one of none, {', '.join(ROUNDINGS)}")
    if rounding not in (None, "none") and parsed.number("resolution") <= 0:
        raise parsed.error(["resolution"], "a positive number")
    if contents.get("best", "max") not in BEST:
        raise parsed.error(["best"], "max or min")
    return parsed


def cited(used: Iterable[Provenance]) -> tuple[Provenance, ...]:
    """Return the provenance of each table used, once each, in order of first use."""
    return tuple({provenance.id: provenance for provenance in used}.values())


def _plain(value: object) -> object:
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    if isinstance(value, Provenance):
        return value.as_json()
    return value


def result_json(result: DataclassInstance) -> dict[str, Any]:
    """Return a battery result's fields as JSON-ready values (mappings, lists, provenance)."""
    return {field.name: _plain(getattr(result, field.name)) for field in fields(result)}


def parse_tables(file: str, text: str) -> BatteryTables:
    """Parse and check a battery table file (TOML text); raise TableError naming the problem."""
    try:
        tables = tomllib.loads(text).get("tables")
    except tomllib.TOMLDecodeError as exc:
        raise TableError(f"{file}: not valid TOML: {exc}") from exc
    if not isinstance(tables, dict) or not tables:
        raise TableError(f"{file}: no [tables.<id>] sections")
    return BatteryTables(file, {tid: _table(file, tid, t) for tid, t in tables.items()})


@cache
def battery_tables(battery: str) -> BatteryTables:
    """Load and check ``programs/data/<battery>.toml``."""
    file = f"{battery}.toml"
    return parse_tables(file, resources.files("programs.data").joinpath(file).read_text("utf-8"))
