"""Reading numeric columns from delimited text files with a header row (CSV, TSV, semicolons)."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import numpy.typing as npt

from genki.cli.context import BadInputError

DELIMITERS = ("\t", ";", ",")


def _delimiter(header: str) -> str:
    """Return the first of tab, semicolon, comma that occurs in the header line (comma if none)."""
    return next((candidate for candidate in DELIMITERS if candidate in header), ",")


def _number(path: Path, line: int, column: str, cell: str) -> float:
    """Return one cell as a finite float, or raise BadInputError naming line and column."""
    try:
        value = float(cell)
    except ValueError:
        raise BadInputError(
            f"{path}, line {line}, column {column!r}: {cell!r} is not a number"
        ) from None
    if not math.isfinite(value):
        raise BadInputError(
            f"{path}, line {line}, column {column!r}: {cell!r} is not a finite number"
        )
    return value


def read_columns(path: Path, names: list[str]) -> list[npt.NDArray[np.float64]]:
    """Read the named numeric columns of a delimited text file with a header row."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header_line = handle.readline()
            handle.seek(0)
            reader = csv.reader(handle, delimiter=_delimiter(header_line))
            header = [cell.strip() for cell in next(reader, [])]
            missing = [name for name in names if name not in header]
            if missing:
                available = ", ".join(repr(cell) for cell in header) or "none"
                raise BadInputError(
                    f"{path}: no column {missing[0]!r}; available columns: {available}"
                )
            indexes = [header.index(name) for name in names]
            columns: list[list[float]] = [[] for _ in names]
            for row in reader:
                if not any(cell.strip() for cell in row):
                    continue
                for values, index, name in zip(columns, indexes, names, strict=True):
                    cell = row[index].strip() if index < len(row) else ""
                    values.append(_number(path, reader.line_num, name, cell))
    except OSError as exc:
        raise BadInputError(f"{path}: cannot be read ({exc.strerror})") from exc
    except (UnicodeDecodeError, csv.Error) as exc:
        raise BadInputError(f"{path}: not a text table with a header row ({exc})") from exc
    return [np.asarray(values, dtype=np.float64) for values in columns]
