"""GKFP/1 codec against every golden vector of genki-forceplate.md §2.11, and fuzzed."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.calibration import PlateCalibration, centre_of_pressure, forces_n
from devices.protocols.gkfp import (
    AckFrame,
    Discontinuity,
    Gap,
    GkfpDecoder,
    SamplesFrame,
    StatusFrame,
    crc16_ccitt_false,
    encode_command,
)


def hexbytes(text: str) -> bytes:
    return bytes.fromhex(" ".join(text.split()))


V1 = hexbytes(
    "A5 5A 01 01 01 00 01 04 E8 03 00 00 A0 86 01 00 60 79 FE FF FF FF 7F 00 00 00 80 FF 0F D5"
)
V3 = hexbytes(
    """A5 5A 01 01 02 01 02 04 80 96 98 00
    00 52 03 00 00 C3 02 00 00 80 02 00 00 77 02 00
    00 56 03 00 00 BF 02 00 00 82 02 00 00 77 02 00
    BE 97"""
)
V4 = {
    "A5 5A 01 03 00 00 06 00 01 00 E8 03 00 00 64 62": (0x01, 0, 1000),
    "A5 5A 01 03 00 00 06 00 02 00 00 00 00 00 FD F4": (0x02, 0, 0),
    "A5 5A 01 03 00 00 06 00 03 00 F4 01 00 00 D1 D3": (0x03, 0, 500),
    "A5 5A 01 03 00 00 06 00 04 00 00 00 00 00 1C 79": (0x04, 0, 0),
    "A5 5A 01 03 00 00 06 00 FF 01 00 00 00 00 53 81": (0xFF, 1, 0),
    "A5 5A 01 03 00 00 06 00 01 02 00 00 00 00 9E 7E": (0x01, 2, 0),
}
V5 = hexbytes(
    """A5 5A 01 02 01 00 46 00 01 02 03 00
    47 4B 46 50 2D 30 30 30 31 32 33 00 00 00 00 00
    E8 03 0A 04 00 00 00 00 00 00 00 00 FA 43 00 00 C8 43
    00 00 80 3A 00 00 48 C1 00 00 80 3A 00 00 50 40
    00 00 80 3A 00 00 00 00 00 00 80 3A 00 00 F8 C0 40 E3"""
)
V6 = hexbytes(
    """A5 5A 01 01 FF FF 01 04 18 FC FF FF 01 00 00 00 02 00 00 00 03 00 00 00 04 00 00 00 02 D8
    A5 5A 01 01 00 00 01 04 00 00 00 00 05 00 00 00 06 00 00 00 07 00 00 00 08 00 00 00 EB B2"""
)


def v7_frame(header: str) -> bytes:
    body = hexbytes(header) + bytes(160)
    return body + crc16_ccitt_false(body[2:]).to_bytes(2, "little")


def test_crc_check_value() -> None:
    assert crc16_ccitt_false(b"123456789") == 0x29B1


def test_v1_one_sample_decodes_to_raw_counts() -> None:
    [frame] = GkfpDecoder().feed(V1)
    assert isinstance(frame, SamplesFrame)
    assert (frame.seq, frame.tick_us) == (1, 1000)
    assert frame.counts.tolist() == [[100_000, -100_000, 8_388_607, -8_388_608]]


def test_v2_a_bad_crc_is_dropped_counted_and_shows_as_a_lost_frame() -> None:
    decoder = GkfpDecoder()
    seq0 = v7_frame("A5 5A 01 01 00 00 0A 04 00 00 00 00")
    corrupt = V1[:-1] + b"\xd4"
    seq2 = v7_frame("A5 5A 01 01 02 00 0A 04 00 00 00 00")
    assert len(decoder.feed(seq0)) == 1
    assert decoder.feed(corrupt) == []
    assert decoder.crc_errors == 1
    events = decoder.feed(seq2)
    assert isinstance(events[0], Gap)
    assert events[0].lost_frames == 1


def test_v3_with_v5_calibration_gives_the_published_forces_and_cop() -> None:
    decoder = GkfpDecoder()
    [status] = decoder.feed(V5)
    assert isinstance(status, StatusFrame)
    assert (status.serial, status.fw_version, status.rate_hz) == ("GKFP-000123", (1, 2, 3), 1000)
    assert (status.samples_per_frame, status.channels, status.flags) == (10, 4, 0)
    assert (status.spacing_x_mm, status.spacing_y_mm) == (500.0, 400.0)
    assert status.offsets == (-12.5, 3.25, 0.0, -7.75)
    calibration = PlateCalibration(
        status.slopes, status.offsets, status.spacing_x_mm, status.spacing_y_mm
    )
    [frame] = GkfpDecoder(rate_hz=1000).feed(V3)
    assert isinstance(frame, SamplesFrame)
    assert (frame.seq, frame.tick_us) == (258, 10_000_000)
    forces = forces_n(calibration, frame.counts)
    np.testing.assert_allclose(forces, [[200, 180, 160, 150], [201, 179, 160.5, 150]])
    fz, ml, ap = centre_of_pressure(calibration, forces)
    np.testing.assert_allclose(fz, [690.0, 690.5])
    np.testing.assert_allclose(ml, [-10.8696, -11.7668], atol=5e-5)
    np.testing.assert_allclose(ap, [20.2899, 20.1303], atol=5e-5)


@pytest.mark.parametrize(("frame_hex", "expected"), list(V4.items()))
def test_v4_acks(frame_hex: str, expected: tuple[int, int, int]) -> None:
    [ack] = GkfpDecoder().feed(hexbytes(frame_hex))
    assert isinstance(ack, AckFrame)
    assert (ack.command, ack.result, ack.value) == expected


def test_v6_wrap_around_is_contiguous_and_device_time_keeps_rising() -> None:
    events = GkfpDecoder(rate_hz=1000).feed(V6)
    assert [type(e) for e in events] == [SamplesFrame, SamplesFrame]
    first, second = events
    assert isinstance(first, SamplesFrame)
    assert isinstance(second, SamplesFrame)
    assert second.device_time_us - first.device_time_us == 1000


def test_v7_gap_reports_missing_samples_and_lost_frames() -> None:
    decoder = GkfpDecoder(rate_hz=1000)
    decoder.feed(v7_frame("A5 5A 01 01 05 00 0A 04 40 4B 4C 00"))
    second = v7_frame("A5 5A 01 01 07 00 0A 04 60 99 4C 00")
    assert second[-2:] == b"\x2c\x18"
    events = decoder.feed(second)
    assert events[0] == Gap(missing_samples=10, lost_frames=1)
    assert decoder.missing_samples == 10


def test_a_clock_jump_back_is_a_discontinuity() -> None:
    decoder = GkfpDecoder(rate_hz=1000)
    decoder.feed(v7_frame("A5 5A 01 01 05 00 0A 04 40 4B 4C 00"))
    events = decoder.feed(v7_frame("A5 5A 01 01 06 00 0A 04 00 00 00 00"))
    assert isinstance(events[0], Discontinuity)


def test_v8_command_lines() -> None:
    assert encode_command("START", 1000) == hexbytes("53 54 41 52 54 20 31 30 30 30 0A")
    assert encode_command("STOP") == hexbytes("53 54 4F 50 0A")
    assert encode_command("TARE") == hexbytes("54 41 52 45 0A")
    assert encode_command("INFO") == hexbytes("49 4E 46 4F 0A")
    with pytest.raises(ValueError, match="dividing 1 000 000"):
        encode_command("START", 300)


def test_garbage_between_frames_is_skipped_and_counted() -> None:
    decoder = GkfpDecoder()
    events = decoder.feed(b"\x00\x01\xa5\x02" + V1 + b"xyz" + V1)
    assert sum(isinstance(e, SamplesFrame) for e in events) == 2
    assert decoder.bytes_discarded == 7


STREAM = V5 + V3 + b"\x99" * 5 + V1 + hexbytes(next(iter(V4)))


@given(st.lists(st.integers(0, len(STREAM)), max_size=8))
def test_a_valid_stream_decodes_the_same_however_it_is_split(cuts: list[int]) -> None:
    whole = GkfpDecoder().feed(STREAM)
    decoder = GkfpDecoder()
    parts: list[object] = []
    bounds = [0, *sorted(cuts), len(STREAM)]
    for start, end in itertools.pairwise(bounds):
        parts.extend(decoder.feed(STREAM[start:end]))
    assert repr(parts) == repr(whole)


@given(st.lists(st.binary(max_size=300), max_size=10))
def test_arbitrary_bytes_never_raise_and_the_buffer_stays_bounded(chunks: list[bytes]) -> None:
    decoder = GkfpDecoder(rate_hz=1000)
    for chunk in chunks:
        decoder.feed(chunk)
        assert len(decoder._buffer) <= 14 + 4 * 64 * 8
