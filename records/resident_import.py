"""From the bytes of a residents CSV file to validated rows, collecting every problem at once."""

from __future__ import annotations

from datetime import date

from records.errors import FieldProblem, InvalidRecordError
from records.resident_csv import decode_csv_bytes, read_resident_rows
from records.resident_fields import ResidentFields, parse_resident


def parse_resident_csv(data: bytes, today: date) -> list[tuple[int, ResidentFields]]:
    """Return (line, resident) for every row, or raise with every bad row's problems.

    Raises CsvFormatError when the file as a whole cannot be read (encoding, header) and
    InvalidRecordError listing each bad value with its line, including codes repeated in the file.
    """
    rows, problems = read_resident_rows(decode_csv_bytes(data))
    problems = list(problems)
    parsed: list[tuple[int, ResidentFields]] = []
    first_line_of_code: dict[str, int] = {}
    for row in rows:
        try:
            values = parse_resident(row.values, today, line=row.line)
        except InvalidRecordError as exc:
            problems.extend(exc.problems)
            continue
        if values.code in first_line_of_code:
            problems.append(
                FieldProblem(
                    "code",
                    values.code,
                    "problem.duplicate_in_file",
                    {"first_line": str(first_line_of_code[values.code])},
                    line=row.line,
                )
            )
            continue
        first_line_of_code[values.code] = row.line
        parsed.append((row.line, values))
    if problems:
        raise InvalidRecordError(sorted(problems, key=lambda p: (p.line or 0, p.field)))
    return parsed
