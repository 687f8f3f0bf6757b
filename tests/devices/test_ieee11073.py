"""SFLOAT, FLOAT and Date Time against every golden vector of ble-health-profiles.md §2–§3."""

from __future__ import annotations

import contextlib
import math
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.errors import ProtocolError
from devices.protocols.ieee11073 import (
    DateTimeFields,
    FieldReader,
    decode_date_time,
    decode_float,
    decode_sfloat,
    read_date_time_fields,
    read_float,
    read_sfloat,
    split_float,
    split_sfloat,
)


def hexbytes(text: str) -> bytes:
    return bytes.fromhex(" ".join(text.split()))


# §2.4: bytes, (mantissa, exponent), value
SFLOAT_VECTORS = [
    ("8A 00", (138, 0), 138.0),
    ("BD F0", (189, -1), 18.9),
    ("9F F0", (159, -1), 15.9),
    ("64 00", (100, 0), 100.0),
    ("E8 F3", (1000, -1), 100.0),
    ("57 F0", (87, -1), 8.7),
    ("66 E3", (870, -2), 8.70),
    ("F6 FF", (-10, -1), -1.0),
    ("62 80", (98, -8), 9.8e-7),
    ("0A 70", (10, 7), 1.0e8),
]


@pytest.mark.parametrize(("wire", "pair", "value"), SFLOAT_VECTORS)
def test_sfloat_golden_vectors_decode_to_the_published_pair_and_value(
    wire: str, pair: tuple[int, int], value: float
) -> None:
    raw = int.from_bytes(hexbytes(wire), "little")
    assert split_sfloat(raw) == pair
    assert decode_sfloat(raw) == value
    assert read_sfloat(hexbytes(wire), 0) == value


def test_float_golden_vector_is_37_60() -> None:
    data = hexbytes("B0 0E 00 FE")
    assert split_float(int.from_bytes(data, "little")) == (3760, -2)
    assert read_float(data, 0) == 37.6


def test_both_encodings_of_100_percent_are_equal() -> None:
    assert read_sfloat(hexbytes("64 00"), 0) == read_sfloat(hexbytes("E8 F3"), 0) == 100.0


def test_the_bluetooth_sig_offset_binary_errors_of_section_2_5_are_not_repeated() -> None:
    assert read_sfloat(hexbytes("8A 00"), 0) != pytest.approx(1.38e-6)
    assert read_float(hexbytes("B0 0E 00 FE"), 0) < 100
    assert read_sfloat(hexbytes("F6 7F"), 0) == -1e8


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        ("FF 07", math.nan),
        ("00 08", math.nan),
        ("01 08", math.nan),
        ("FE 07", math.inf),
        ("02 08", -math.inf),
    ],
)
def test_sfloat_special_values(wire: str, expected: float) -> None:
    value = read_sfloat(hexbytes(wire), 0)
    assert value == expected or (math.isnan(value) and math.isnan(expected))


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        ("FF FF 7F 00", math.nan),
        ("00 00 80 00", math.nan),
        ("01 00 80 00", math.nan),
        ("FE FF 7F 00", math.inf),
        ("02 00 80 00", -math.inf),
    ],
)
def test_float_special_values(wire: str, expected: float) -> None:
    value = read_float(hexbytes(wire), 0)
    assert value == expected or (math.isnan(value) and math.isnan(expected))


def test_special_mantissas_with_a_nonzero_exponent_are_ordinary_numbers() -> None:
    assert read_sfloat(hexbytes("FF 17"), 0) == 20470.0
    assert read_float(hexbytes("FF FF 7F 01"), 0) == 83886070.0


def test_read_at_an_offset() -> None:
    assert read_sfloat(hexbytes("1E 8A 00"), 1) == 138.0
    assert read_float(hexbytes("06 B0 0E 00 FE"), 1) == 37.6


@pytest.mark.parametrize("raw", [-1, 0x10000])
def test_sfloat_raw_out_of_range_is_a_protocol_error(raw: int) -> None:
    with pytest.raises(ProtocolError, match="SFLOAT raw value"):
        decode_sfloat(raw)


@pytest.mark.parametrize("raw", [-1, 1 << 32])
def test_float_raw_out_of_range_is_a_protocol_error(raw: int) -> None:
    with pytest.raises(ProtocolError, match="FLOAT raw value"):
        decode_float(raw)


def test_truncated_numbers_name_the_field_and_byte_counts() -> None:
    with pytest.raises(ProtocolError, match=r"systolic: needs 2 bytes at offset 1, .* has 2 bytes"):
        read_sfloat(b"\x00\x8a", 1, "systolic")
    with pytest.raises(ProtocolError, match=r"FLOAT: needs 4 bytes at offset 0, .* has 3 bytes"):
        read_float(b"\xb0\x0e\x00", 0)
    with pytest.raises(ProtocolError, match="needs 2 bytes at offset -1"):
        read_sfloat(b"\x00\x00", -1)


# §3.1: bytes, datetime or None, fields as sent
DATE_TIME_VECTORS = [
    ("DC 07 0C 05 0B 32 1B", datetime(2012, 12, 5, 11, 50, 27), (2012, 12, 5, 11, 50, 27)),  # noqa: DTZ001
    ("E2 07 04 11 0F 33 00", datetime(2018, 4, 17, 15, 51, 0), (2018, 4, 17, 15, 51, 0)),  # noqa: DTZ001
    ("00 00 00 00 12 1A 20", None, (None, None, None, 18, 26, 32)),
    ("00 00 04 11 14 29 3B", None, (None, 4, 17, 20, 41, 59)),
    ("E8 07 0B 1D 17 08 39", datetime(2024, 11, 29, 23, 8, 57), (2024, 11, 29, 23, 8, 57)),  # noqa: DTZ001
    ("DD 07 08 1A 09 0A 14", datetime(2013, 8, 26, 9, 10, 20), (2013, 8, 26, 9, 10, 20)),  # noqa: DTZ001
]


@pytest.mark.parametrize(("wire", "expected", "fields"), DATE_TIME_VECTORS)
def test_date_time_golden_vectors(
    wire: str, expected: datetime | None, fields: tuple[int | None, ...]
) -> None:
    data = hexbytes(wire)
    assert decode_date_time(data, 0) == expected
    assert read_date_time_fields(data, 0) == DateTimeFields(*fields)  # type: ignore[arg-type]
    if expected is not None:
        assert expected.tzinfo is None


def test_a_six_byte_date_time_is_invalid() -> None:
    with pytest.raises(ProtocolError, match=r"needs 7 bytes at offset 0, .* has 6 bytes"):
        decode_date_time(hexbytes("E2 07 04 11 0F 33"), 0)


def test_a_date_time_at_an_offset() -> None:
    data = hexbytes("FF DC 07 0C 05 0B 32 1B")
    assert decode_date_time(data, 1) == datetime(2012, 12, 5, 11, 50, 27)  # noqa: DTZ001


@pytest.mark.parametrize(
    ("wire", "message"),
    [
        ("2D 06 01 01 00 00 00", "year 1581"),
        ("10 27 01 01 00 00 00", "year 10000"),
        ("E8 07 0D 01 00 00 00", "month 13"),
        ("E8 07 01 20 00 00 00", "day 32"),
        ("E8 07 01 01 18 00 00", "hours 24"),
        ("E8 07 01 01 00 3C 00", "minutes 60"),
        ("E8 07 01 01 00 00 3C", "seconds 60"),
        ("E7 07 02 1D 00 00 00", "day 29 does not exist in month 2"),
        ("00 00 02 1E 00 00 00", "day 30 does not exist in month 2"),
    ],
)
def test_out_of_range_date_time_fields_are_protocol_errors(wire: str, message: str) -> None:
    with pytest.raises(ProtocolError, match=message):
        decode_date_time(hexbytes(wire), 0)


def test_february_29_is_accepted_in_a_leap_year_and_with_an_unknown_year() -> None:
    assert decode_date_time(hexbytes("E8 07 02 1D 00 00 00")) == datetime(2024, 2, 29)  # noqa: DTZ001
    assert read_date_time_fields(hexbytes("00 00 02 1D 00 00 00"), 0).day == 29


def test_field_reader_reads_in_order_and_names_the_characteristic() -> None:
    reader = FieldReader(hexbytes("1E 8A 00 B0 0E 00 FE DC 07 0C 05 0B 32 1B 01"), "Test 0x0000")
    assert reader.uint(1, "flags") == 0x1E
    assert reader.sfloat("systolic") == 138.0
    assert reader.float32("temperature") == 37.6
    assert reader.date_time().year == 2012
    assert reader.remaining == 1
    assert reader.uint(1, "user ID") == 1
    with pytest.raises(ProtocolError, match=r"Test 0x0000 status: needs 2 bytes at offset 15"):
        reader.uint(2, "status")


@given(st.integers(min_value=0, max_value=0xFFFF))
def test_every_sfloat_decodes_to_a_float(raw: int) -> None:
    value = decode_sfloat(raw)
    mantissa, exponent = split_sfloat(raw)
    if not math.isnan(value) and not math.isinf(value):
        assert value == pytest.approx(mantissa * 10.0**exponent, rel=1e-12)


@given(st.integers(min_value=0, max_value=0xFFFFFFFF))
def test_every_float_decodes_to_a_float(raw: int) -> None:
    assert isinstance(decode_float(raw), float)


@given(st.binary(max_size=12), st.integers(min_value=-2, max_value=12))
def test_arbitrary_bytes_either_decode_or_raise_protocol_error(data: bytes, offset: int) -> None:
    for read in (read_sfloat, read_float, decode_date_time):
        with contextlib.suppress(ProtocolError):
            read(data, offset)
