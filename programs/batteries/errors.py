"""Errors raised by programs.batteries.

::

    BatteryError          a battery cannot be scored as asked
    ├── TableError        a table file is not what genki expects (also a ValueError)
    └── EntryError        a raw result that breaks its field's rule (also a ValueError)

``EntryError`` carries the field (a path such as ``results.gait_4m_s[1]``), the value given, a
problem code and its parameters, so the command line can say it in the user's language; its
English message names the field and what is allowed.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from genki.i18n import Language, text

EXPECTED = {
    "missing": "a value is required",
    "range": "expected a number from {low} to {high} {unit}",
    "integer": "expected a whole number from {low} to {high} {unit}",
    "bool": "expected true or false",
    "object": "expected an object {{…}}",
    "length": "expected a list of {count} values",
    "choice": "expected one of {choices}",
    "unknown": "not a field here; expected one of {choices}",
    "skipped": "not tested after {after}; leave it out",
    "conflict": "give either this or {other}, not both",
    "requires": "needs {other} as well",
}


class BatteryError(Exception):
    """A battery cannot be scored as asked."""


class TableError(BatteryError, ValueError):
    """A table file is not what genki expects; the message names the file, table and key."""


class EntryError(BatteryError, ValueError):
    """A raw result that breaks its field's rule: which field, the value, what is allowed."""

    def __init__(self, field: str, value: object, problem: str, **params: object) -> None:
        super().__init__(f"{field} = {value!r}: {EXPECTED[problem].format(**params)}")
        self.field = field
        self.value = value
        self.problem = problem
        self.params: Mapping[str, object] = MappingProxyType(params)

    def expected(self, language: Language) -> str:
        """Return what the field allows, in ``language`` (units translated)."""
        params = dict(self.params)
        if "unit" in params:
            params["unit"] = text(f"battery.unit.{params['unit']}", language)
        return text(f"battery.error.{self.problem}", language, **params)
