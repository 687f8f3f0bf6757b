"""IEEE-11073 SFLOAT/FLOAT numbers and the GATT Date Time field (ble-health-profiles.md §2, §3).

Pure functions of bytes, little-endian throughout (§1). Exponents are sign-extended (§2.1, §2.2;
see the warning in §2.5 about decoders that use offset binary). Special values (§2.3): NaN, NRes
and the reserved value decode to ``nan`` (missing), +INF to ``inf`` (out of range high) and −INF
to ``-inf`` (out of range low). Every reader is bounds-checked: a value too short for a field
raises ``ProtocolError`` naming the field and the byte counts.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from devices.errors import ProtocolError

SFLOAT_SPECIAL: Final[Mapping[int, float]] = {
    0x07FF: math.nan,  # NaN
    0x0800: math.nan,  # NRes
    0x0801: math.nan,  # reserved
    0x07FE: math.inf,  # +INF
    0x0802: -math.inf,  # -INF
}
FLOAT_SPECIAL: Final[Mapping[int, float]] = {
    0x007FFFFF: math.nan,  # NaN
    0x00800000: math.nan,  # NRes
    0x00800001: math.nan,  # reserved
    0x007FFFFE: math.inf,  # +INF
    0x00800002: -math.inf,  # -INF
}
DATE_TIME_BYTES: Final = 7
_DATE_TIME_LIMITS: Final = (
    ("month", 1, 12, True),
    ("day", 1, 31, True),
    ("hours", 0, 23, False),
    ("minutes", 0, 59, False),
    ("seconds", 0, 59, False),
)


def _signed(value: int, bits: int) -> int:
    """Sign-extend a ``bits``-wide two's-complement value."""
    return value - (1 << bits) if value >= 1 << (bits - 1) else value


def _check_raw(raw: int, bits: int, name: str) -> None:
    """Reject a raw number that does not fit the format's width."""
    if not 0 <= raw < 1 << bits:
        raise ProtocolError(f"{name} raw value {raw:#x} outside 0x0..{(1 << bits) - 1:#x}")


def _scale(mantissa: int, exponent: int) -> float:
    """Return mantissa × 10^exponent, correctly rounded (division for negative exponents, §2.1)."""
    power: int = 10 ** abs(exponent)
    return mantissa / power if exponent < 0 else float(mantissa * power)


def split_sfloat(raw: int) -> tuple[int, int]:
    """Return the sign-extended (mantissa, exponent) pair of a 16-bit SFLOAT (§2.1)."""
    _check_raw(raw, 16, "SFLOAT")
    return _signed(raw & 0x0FFF, 12), _signed(raw >> 12, 4)


def split_float(raw: int) -> tuple[int, int]:
    """Return the sign-extended (mantissa, exponent) pair of a 32-bit FLOAT (§2.2)."""
    _check_raw(raw, 32, "FLOAT")
    return _signed(raw & 0xFFFFFF, 24), _signed(raw >> 24, 8)


def decode_sfloat(raw: int) -> float:
    """Decode a 16-bit SFLOAT (§2.1); special values per §2.3 become nan, inf or -inf."""
    mantissa, exponent = split_sfloat(raw)
    special = SFLOAT_SPECIAL.get(raw)
    return _scale(mantissa, exponent) if special is None else special


def decode_float(raw: int) -> float:
    """Decode a 32-bit FLOAT (§2.2); special values per §2.3 become nan, inf or -inf."""
    mantissa, exponent = split_float(raw)
    special = FLOAT_SPECIAL.get(raw)
    return _scale(mantissa, exponent) if special is None else special


def _field_bytes(data: bytes, offset: int, size: int, field: str) -> bytes:
    """Return ``size`` bytes of ``data`` at ``offset`` or raise naming the field (§1)."""
    if offset < 0 or offset + size > len(data):
        raise ProtocolError(
            f"{field}: needs {size} bytes at offset {offset}, but the value has {len(data)} bytes"
        )
    return bytes(data[offset : offset + size])


def read_uint(data: bytes, offset: int, size: int, field: str = "uint") -> int:
    """Read an unsigned little-endian integer of ``size`` bytes (§1)."""
    return int.from_bytes(_field_bytes(data, offset, size, field), "little")


def read_sfloat(data: bytes, offset: int, field: str = "SFLOAT") -> float:
    """Read and decode the 2-byte SFLOAT at ``offset`` (§2.1, §2.3)."""
    return decode_sfloat(read_uint(data, offset, 2, field))


def read_float(data: bytes, offset: int, field: str = "FLOAT") -> float:
    """Read and decode the 4-byte FLOAT at ``offset`` (§2.2, §2.3)."""
    return decode_float(read_uint(data, offset, 4, field))


@dataclass(frozen=True, slots=True)
class DateTimeFields:
    """A Date Time as sent (§3.1): year, month or day ``None`` when unknown; device local time."""

    year: int | None
    month: int | None
    day: int | None
    hours: int
    minutes: int
    seconds: int

    def to_datetime(self) -> datetime | None:
        """Return a naive local datetime (§3.1 has no zone), or None if a date part is unknown."""
        if self.year is None or self.month is None or self.day is None:
            return None
        # The device clock has no time zone (§3.1): a naive local time is the faithful value.
        return datetime(  # noqa: DTZ001
            self.year, self.month, self.day, self.hours, self.minutes, self.seconds
        )


def read_date_time_fields(data: bytes, offset: int, field: str = "date time") -> DateTimeFields:
    """Read the 7-byte Date Time at ``offset``, keeping unknown (0) date parts as None (§3.1)."""
    raw = _field_bytes(data, offset, DATE_TIME_BYTES, field)
    year = int.from_bytes(raw[:2], "little")
    if year != 0 and not 1582 <= year <= 9999:
        raise ProtocolError(f"{field}: year {year} outside 1582..9999 (0 = unknown)")
    parts = dict(zip(("month", "day", "hours", "minutes", "seconds"), raw[2:], strict=True))
    for name, low, high, zero_is_unknown in _DATE_TIME_LIMITS:
        value = parts[name]
        if not (low <= value <= high or (zero_is_unknown and value == 0)):
            raise ProtocolError(f"{field}: {name} {value} outside {low}..{high}")
    month, day = parts["month"], parts["day"]
    if month and day > calendar.monthrange(year or 2000, month)[1]:
        raise ProtocolError(f"{field}: day {day} does not exist in month {month} of year {year}")
    return DateTimeFields(
        year=year or None,
        month=month or None,
        day=day or None,
        hours=parts["hours"],
        minutes=parts["minutes"],
        seconds=parts["seconds"],
    )


def decode_date_time(data: bytes, offset: int = 0) -> datetime | None:
    """Decode the Date Time at ``offset`` (§3.1); None when the year, month or day is unknown."""
    return read_date_time_fields(data, offset).to_datetime()


class FieldReader:
    """Reads the fields of one characteristic value in order, bounds-checked (§1)."""

    def __init__(self, data: bytes, characteristic: str) -> None:
        self._data = bytes(data)
        self._name = characteristic
        self.offset = 0

    @property
    def remaining(self) -> int:
        """Bytes not read yet (trailing bytes once every announced field is read)."""
        return len(self._data) - self.offset

    def uint(self, size: int, field: str) -> int:
        """Read an unsigned little-endian integer of ``size`` bytes."""
        value = read_uint(self._data, self.offset, size, f"{self._name} {field}")
        self.offset += size
        return value

    def sfloat(self, field: str) -> float:
        """Read an SFLOAT (§2.1)."""
        value = read_sfloat(self._data, self.offset, f"{self._name} {field}")
        self.offset += 2
        return value

    def float32(self, field: str) -> float:
        """Read a FLOAT (§2.2)."""
        value = read_float(self._data, self.offset, f"{self._name} {field}")
        self.offset += 4
        return value

    def date_time(self, field: str = "time stamp") -> DateTimeFields:
        """Read a Date Time (§3.1)."""
        value = read_date_time_fields(self._data, self.offset, f"{self._name} {field}")
        self.offset += DATE_TIME_BYTES
        return value
