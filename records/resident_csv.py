"""The residents CSV file: read as Excel writes it, written so that Excel opens it directly.

Files are read as UTF-8, UTF-8 with BOM or Shift_JIS (cp932) and written as UTF-8 with BOM and CRLF.
Headers may be the English field names or the Japanese column names offices use; each data row
keeps its physical line number so problems can be reported where a person will look for them.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from records.errors import CsvFormatError, FieldProblem, InvalidRecordError
from records.resident_fields import (
    CARE_LEVEL_LABELS_JA,
    REQUIRED_FIELDS,
    RESIDENT_FIELDS,
    SEX_LABELS_JA,
    ResidentFields,
)

ACTIVE = "active"
CSV_HEADERS: Mapping[str, tuple[str, ...]] = {
    "code": ("code", "利用者コード", "コード", "利用者番号"),
    "family_name": ("family_name", "姓", "氏"),
    "given_name": ("given_name", "名"),
    "family_kana": ("family_kana", "セイ", "姓(カナ)", "せい"),
    "given_kana": ("given_kana", "メイ", "名(カナ)", "めい"),
    "sex": ("sex", "性別"),
    "birth_date": ("birth_date", "生年月日"),
    "care_level": ("care_level", "介護度", "要介護度"),
    "certified_on": ("certified_on", "認定日"),
    "notes": ("notes", "備考"),
    ACTIVE: ("active", "有効"),
}
ACTIVE_VALUES: Mapping[str, bool] = {
    "true": True, "1": True, "はい": True, "yes": True, "有効": True,
    "false": False, "0": False, "いいえ": False, "no": False, "無効": False,
}  # fmt: skip
ENCODINGS = ("utf-8-sig", "cp932")


@dataclass(frozen=True, slots=True)
class CsvRow:
    """One data row: field name to raw text, and the line where the row starts (header is 1)."""

    line: int
    values: Mapping[str, str]


def _header_key(name: str) -> str:
    return unicodedata.normalize("NFKC", name).strip().casefold()


_FIELD_BY_HEADER = {
    _header_key(alias): f for f, aliases in CSV_HEADERS.items() for alias in aliases
}


def decode_csv_bytes(data: bytes) -> str:
    """Decode a CSV file as UTF-8 (with or without BOM) or, failing that, Shift_JIS (cp932)."""
    if not data.strip():
        raise CsvFormatError("csv.empty")
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CsvFormatError("csv.encoding")


def _columns(header: list[str]) -> list[str]:
    columns: list[str] = []
    for name in header:
        field = _FIELD_BY_HEADER.get(_header_key(name))
        if field is None:
            expected = ", ".join(aliases[0] for aliases in CSV_HEADERS.values())
            raise CsvFormatError("csv.unknown_column", column=name, expected=expected)
        if field in columns:
            raise CsvFormatError("csv.duplicate_column", column=name)
        columns.append(field)
    for field in RESIDENT_FIELDS:
        if field in REQUIRED_FIELDS and field not in columns:
            raise CsvFormatError("csv.missing_column", column=field)
    return columns


def read_resident_rows(text: str) -> tuple[list[CsvRow], list[FieldProblem]]:
    """Split a decoded CSV file into rows keyed by field; rows with extra cells are problems."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None or not any(cell.strip() for cell in header):
        raise CsvFormatError("csv.empty")
    columns = _columns(header)
    rows: list[CsvRow] = []
    problems: list[FieldProblem] = []
    line = reader.line_num + 1
    for cells in reader:
        start, line = line, reader.line_num + 1
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(columns):
            extra = ",".join(cells[len(columns) :])
            problems.append(FieldProblem("*", extra, "problem.extra_cells", line=start))
            continue
        rows.append(CsvRow(start, dict(zip(columns, cells, strict=False))))
    return rows, problems


def parse_active(raw: str, line: int | None = None) -> bool:
    """Read an ``active`` cell (true/false, 1/0, はい/いいえ); empty means active."""
    text = _header_key(raw)
    if not text:
        return True
    if text not in ACTIVE_VALUES:
        raise InvalidRecordError([FieldProblem(ACTIVE, raw, "problem.active", line=line)])
    return ACTIVE_VALUES[text]


def write_residents_csv(
    rows: Iterable[tuple[ResidentFields, bool]], language: Literal["ja", "en"]
) -> bytes:
    """Write residents with their active flag as an Excel-friendly CSV (UTF-8 with BOM, CRLF)."""
    japanese = language == "ja"
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(aliases[1] if japanese else aliases[0] for aliases in CSV_HEADERS.values())
    for fields, active in rows:
        writer.writerow(
            [
                fields.code,
                fields.family_name,
                fields.given_name,
                fields.family_kana,
                fields.given_kana,
                SEX_LABELS_JA[fields.sex] if japanese else fields.sex.value,
                fields.birth_date.isoformat(),
                CARE_LEVEL_LABELS_JA[fields.care_level] if japanese else fields.care_level.value,
                fields.certified_on.isoformat() if fields.certified_on else "",
                fields.notes,
                ("はい" if active else "いいえ") if japanese else str(active).lower(),
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")
