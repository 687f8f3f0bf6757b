"""From the bytes of a residents CSV file to validated rows, collecting every problem at once."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from records.errors import FieldProblem, InvalidRecordError
from records.resident_csv import ACTIVE, decode_csv_bytes, parse_active, read_resident_rows
from records.resident_fields import EMPTY_VALUES, ResidentFields, parse_resident


@dataclass(frozen=True, slots=True)
class ImportRow:
    """A validated resident and its line; ``active`` is None when the file has no such column.

    ``absent`` names the optional fields the file has no column for: an update keeps their
    stored values (a file from before a column existed clears nothing).
    """

    line: int
    fields: ResidentFields
    active: bool | None
    absent: frozenset[str] = frozenset()

    def over(self, stored: ResidentFields) -> ResidentFields:
        """Return the row's fields, with the stored value of every absent field."""
        return replace(self.fields, **{name: getattr(stored, name) for name in self.absent})


def _parse_row(line: int, values: dict[str, str], today: date) -> ImportRow:
    active_text = values.pop(ACTIVE, None)
    problems: list[FieldProblem] = []
    active = None
    try:
        fields = parse_resident(values, today, line=line)
    except InvalidRecordError as exc:
        problems.extend(exc.problems)
    try:
        active = None if active_text is None else parse_active(active_text, line)
    except InvalidRecordError as exc:
        problems.extend(exc.problems)
    if problems:
        raise InvalidRecordError(problems)
    return ImportRow(line, fields, active, frozenset(EMPTY_VALUES) - set(values))


def parse_resident_csv(data: bytes, today: date) -> list[ImportRow]:
    """Return every row of a residents CSV file, or raise with every bad row's problems.

    Raises CsvFormatError when the file as a whole cannot be read (encoding, header) and
    InvalidRecordError listing each bad value with its line, including codes repeated in the file.
    """
    rows, problems = read_resident_rows(decode_csv_bytes(data))
    parsed: list[ImportRow] = []
    first_line_of_code: dict[str, int] = {}
    for row in rows:
        try:
            imported = _parse_row(row.line, dict(row.values), today)
        except InvalidRecordError as exc:
            problems.extend(exc.problems)
            continue
        code = imported.fields.code
        if code in first_line_of_code:
            first = {"first_line": str(first_line_of_code[code])}
            problems.append(
                FieldProblem("code", code, "problem.duplicate_in_file", first, line=row.line)
            )
            continue
        first_line_of_code[code] = row.line
        parsed.append(imported)
    if problems:
        raise InvalidRecordError(sorted(problems, key=lambda p: (p.line or 0, p.field)))
    return parsed
