"""Errors raised by records/.

::

    StorageError                      storage cannot do what was asked
    ├── DatabaseCorruptError          quick_check failed; the file is left untouched
    ├── DatabaseVersionError          the file was written by a newer genki (unknown migration)
    ├── DatabaseUnavailableError      the file cannot be opened or written (permissions, disk, lock)
    ├── StorageUnsafeError            a new test is refused: low disk space, read-only storage,
    │                                 a failed write probe or quick_check (records.health)
    ├── RecordingIntegrityError       a raw recording's bytes do not match its SHA-256
    ├── NotFoundError                 no record with that key
    └── InvalidRecordError            input that breaks a rule; carries every FieldProblem found
        └── DuplicateError            a unique key (e.g. resident code) is already taken
    CsvFormatError                    a CSV file that cannot be read as the expected table
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from types import MappingProxyType


@dataclasses.dataclass(frozen=True, slots=True)
class FieldProblem:
    """One bad value: which field, the value given, and a catalogue key saying what is allowed.

    ``line`` is the 1-based line of a CSV file (header is line 1) when the value came from one.
    ``params`` fills the message's placeholders (e.g. the maximum length).
    """

    field: str
    value: str
    message_key: str
    params: Mapping[str, str] = dataclasses.field(default_factory=lambda: MappingProxyType({}))
    line: int | None = None


class StorageError(Exception):
    """Storage cannot do what was asked."""


class DatabaseCorruptError(StorageError):
    """The database file failed its integrity check; it has been left untouched."""


class DatabaseVersionError(StorageError):
    """The database file was migrated by a newer genki than this one."""


class DatabaseUnavailableError(StorageError):
    """The database file cannot be opened or written."""


class StorageUnsafeError(StorageError):
    """Storage is not safe for a new test; ``problems`` says what is wrong and what to do."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("storage is not safe for a new test: " + " ".join(self.problems))


class RecordingIntegrityError(StorageError):
    """A stored raw recording does not match its SHA-256 checksum."""


class NotFoundError(StorageError):
    """No record with the given key."""


class InvalidRecordError(StorageError):
    """Input that breaks a rule; ``problems`` lists every one found."""

    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        self.problems = tuple(problems)
        summary = "; ".join(f"{p.field}={p.value!r} ({p.message_key})" for p in self.problems)
        super().__init__(f"invalid input: {summary}")


class DuplicateError(InvalidRecordError):
    """A unique key is already taken."""


class CsvFormatError(Exception):
    """A CSV file that cannot be read as the expected table (encoding, header)."""

    def __init__(self, message_key: str, **params: str) -> None:
        self.message_key = message_key
        self.params = params
        super().__init__(f"{message_key}: {params}")
