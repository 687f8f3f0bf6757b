"""Progressor codec against every golden vector of tindeq-progressor.md §8, and fuzzed."""

from __future__ import annotations

import contextlib
import math
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.errors import ProtocolError
from devices.protocols.progressor import (
    CONTROL_POINT_UUID,
    DATA_POINT_UUID,
    NAME_PREFIX,
    QUERIES,
    SERVICE_UUID,
    Command,
    CommandResponse,
    LowPowerWarning,
    ProgressorDecoder,
    RfdNotification,
    SampleClock,
    WeightSamples,
    decode_notification,
    encode_command,
    interpret_response,
)


def hexbytes(text: str) -> bytes:
    return bytes.fromhex(" ".join(text.split()))


def samples(*pairs: tuple[float, int]) -> bytes:
    """A tag-1 notification built from the §4.2 layout, independently of the decoder."""
    payload = b"".join(struct.pack("<fI", weight, stamp) for weight, stamp in pairs)
    return bytes([1, len(payload)]) + payload


def test_gatt_layout_matches_section_1() -> None:
    assert SERVICE_UUID == "7e4e1701-1ea6-40c9-9dcc-13d34ffead57"
    assert DATA_POINT_UUID == "7e4e1702-1ea6-40c9-9dcc-13d34ffead57"
    assert CONTROL_POINT_UUID == "7e4e1703-1ea6-40c9-9dcc-13d34ffead57"
    assert NAME_PREFIX == "Progressor"


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (Command.START_WEIGHT_MEAS, "65"),
        (Command.STOP_WEIGHT_MEAS, "66"),
        (Command.TARE_SCALE, "64"),
        (Command.GET_BATTERY_VOLTAGE, "6F"),
        (Command.GET_APP_VERSION, "6B"),
        (Command.ENTER_SLEEP, "6E"),
    ],
)
def test_command_golden_vectors_are_single_bytes(command: Command, expected: str) -> None:
    assert encode_command(command) == hexbytes(expected)


def test_command_tags_run_from_tare_to_get_calibration() -> None:
    assert [int(c) for c in Command] == list(range(0x64, 0x73))


def test_set_calibration_is_refused_because_it_carries_a_value() -> None:
    with pytest.raises(ValueError, match="SET_CALIBRATION"):
        encode_command(Command.SET_CALIBRATION)


def test_one_sample_decodes_to_12_5_kg_at_1000_us() -> None:
    message = decode_notification(hexbytes("01 08 00 00 48 41 E8 03 00 00"))
    assert message == WeightSamples((12.5,), (1000,), 0)
    assert isinstance(message, WeightSamples)
    assert message.forces_n == (122.583125,)


def test_two_samples_decode_in_order() -> None:
    message = decode_notification(hexbytes("01 10 00 00 48 41 E8 03 00 00 00 00 4C 41 BC 34 00 00"))
    assert message == WeightSamples((12.5, 12.75), (1000, 13500), 0)


def test_negative_weight_after_tare_is_valid() -> None:
    message = decode_notification(hexbytes("01 08 00 00 80 BE D0 07 00 00"))
    assert message == WeightSamples((-0.25,), (2000,), 0)


def test_nan_weight_is_skipped_and_counted() -> None:
    message = decode_notification(hexbytes("01 08 00 00 C0 7F D0 07 00 00"))
    assert message == WeightSamples((), (), nan_skipped=1)


def test_nan_between_samples_keeps_the_others_with_their_time_stamps() -> None:
    message = decode_notification(samples((1.0, 10), (math.nan, 20), (3.0, 30)))
    assert message == WeightSamples((1.0, 3.0), (10, 30), nan_skipped=1)


def test_decoder_counts_skipped_nans() -> None:
    decoder = ProgressorDecoder()
    decoder.feed(hexbytes("01 08 00 00 C0 7F D0 07 00 00"))
    decoder.feed(samples((math.nan, 1), (math.nan, 2)))
    assert decoder.nan_skipped == 3
    assert decoder.protocol_errors == 0


def test_length_not_a_multiple_of_8_is_rejected() -> None:
    with pytest.raises(ProtocolError, match="multiple of 8"):
        decode_notification(hexbytes("01 07 00 00 48 41 E8 03 00"))


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ("", "at least 2"),
        ("01", "at least 2"),
        ("01 08 00 00 48 41 E8 03 00", "announces 8 payload bytes but 7"),
        ("01 08 00 00 48 41 E8 03 00 00 00", "announces 8 payload bytes but 9"),
        ("05 00", "unknown notification tag 5"),
        ("FF 01 00", "unknown notification tag 255"),
    ],
)
def test_malformed_notifications_raise_protocol_errors(data: str, match: str) -> None:
    with pytest.raises(ProtocolError, match=match):
        decode_notification(hexbytes(data))


def test_decoder_counts_and_reraises_protocol_errors() -> None:
    decoder = ProgressorDecoder()
    with pytest.raises(ProtocolError):
        decoder.feed(hexbytes("01 07 00 00 48 41 E8 03 00"))
    assert decoder.protocol_errors == 1


def test_low_power_warning_with_empty_payload() -> None:
    assert decode_notification(hexbytes("04 00")) == LowPowerWarning(b"")
    decoder = ProgressorDecoder()
    assert decoder.feed(hexbytes("04 02 01 02")) == LowPowerWarning(b"\x01\x02")
    assert decoder.low_power_warnings == 1


def test_rfd_notifications_keep_their_undocumented_payload() -> None:
    assert decode_notification(hexbytes("02 01 AA")) == RfdNotification(2, b"\xaa")
    assert decode_notification(hexbytes("03 00")) == RfdNotification(3, b"")


def test_battery_response_is_3915_mv() -> None:
    assert decode_notification(hexbytes("00 04 4B 0F 00 00")) == CommandResponse(b"\x4b\x0f\0\0")
    decoder = ProgressorDecoder()
    decoder.expect(Command.GET_BATTERY_VOLTAGE)
    answer = decoder.feed(hexbytes("00 04 4B 0F 00 00"))
    assert answer == CommandResponse(b"\x4b\x0f\0\0", Command.GET_BATTERY_VOLTAGE, 3915)
    assert decoder.outstanding is None


@pytest.mark.parametrize(
    ("query", "payload", "value"),
    [
        (Command.GET_APP_VERSION, b"1.2.3", "1.2.3"),
        (Command.GET_APP_VERSION, b"", ""),
        (Command.GET_ERROR_INFORMATION, b"HardFault at 0x1234", "HardFault at 0x1234"),
        (Command.GET_ERROR_INFORMATION, b"", ""),
        (Command.GET_ERROR_INFORMATION, b"\xff\xfe", ""),
        (Command.GET_BATTERY_VOLTAGE, hexbytes("4B 0F 00 00"), 3915),
        (Command.GET_PROGRESSOR_ID, hexbytes("EF CD AB 12"), "12ABCDEF"),
        (Command.GET_PROGRESSOR_ID, hexbytes("01 02 03 04 05 06 07 08"), "0807060504030201"),
        (Command.GET_CALIBRATION, struct.pack("<3f", 1.5, -0.25, 0.125), (1.5, -0.25, 0.125)),
    ],
)
def test_responses_are_interpreted_for_their_query(
    query: Command, payload: bytes, value: object
) -> None:
    assert interpret_response(query, payload) == value


@pytest.mark.parametrize(
    ("query", "payload", "match"),
    [
        (Command.GET_BATTERY_VOLTAGE, "4B 0F 00", "3 bytes; expected 4"),
        (Command.GET_BATTERY_VOLTAGE, "4B 0F 00 00 00", "5 bytes; expected 4"),
        (Command.GET_CALIBRATION, "00 00 80 3F", "4 bytes; expected 12"),
        (Command.GET_PROGRESSOR_ID, "", "expected 1 to 8"),
        (Command.GET_PROGRESSOR_ID, "00 " * 9, "expected 1 to 8"),
        (Command.GET_APP_VERSION, "80", "not ASCII"),
    ],
)
def test_wrong_answers_raise_protocol_errors(query: Command, payload: str, match: str) -> None:
    with pytest.raises(ProtocolError, match=match):
        interpret_response(query, hexbytes(payload))


def test_a_command_without_an_answer_is_not_a_query() -> None:
    with pytest.raises(ValueError, match="no tag-0 answer"):
        ProgressorDecoder().expect(Command.START_WEIGHT_MEAS)
    with pytest.raises(ValueError, match="not answered"):
        interpret_response(Command.TARE_SCALE, b"")


def test_response_without_outstanding_query_is_counted_and_dropped() -> None:
    decoder = ProgressorDecoder()
    assert decoder.feed(hexbytes("00 04 4B 0F 00 00")) is None
    assert decoder.unexpected_responses == 1
    assert decoder.protocol_errors == 0


def test_only_one_query_may_be_outstanding() -> None:
    decoder = ProgressorDecoder()
    decoder.expect(Command.GET_APP_VERSION)
    with pytest.raises(RuntimeError, match="GET_APP_VERSION is outstanding"):
        decoder.expect(Command.GET_BATTERY_VOLTAGE)
    decoder.expect(None)
    decoder.expect(Command.GET_BATTERY_VOLTAGE)
    assert decoder.outstanding is Command.GET_BATTERY_VOLTAGE


def test_weight_samples_between_query_and_answer_pass_through() -> None:
    decoder = ProgressorDecoder()
    decoder.expect(Command.GET_APP_VERSION)
    assert decoder.feed(samples((1.0, 100))) == WeightSamples((1.0,), (100,))
    assert decoder.outstanding is Command.GET_APP_VERSION
    answer = decoder.feed(b"\x00\x031.0")
    assert answer == CommandResponse(b"1.0", Command.GET_APP_VERSION, "1.0")


def test_a_malformed_answer_consumes_the_query_and_counts_an_error() -> None:
    decoder = ProgressorDecoder()
    decoder.expect(Command.GET_BATTERY_VOLTAGE)
    with pytest.raises(ProtocolError):
        decoder.feed(hexbytes("00 02 4B 0F"))
    assert decoder.protocol_errors == 1
    assert decoder.outstanding is None


def test_reset_stream_gives_a_fresh_clock_and_clears_the_query() -> None:
    decoder = ProgressorDecoder()
    decoder.clock.add([0, 12_500])
    decoder.expect(Command.GET_APP_VERSION)
    decoder.reset_stream()
    assert decoder.clock.samples == 0
    assert decoder.outstanding is None


def at_80_hz(first: int, count: int) -> list[int]:
    return [first + 12_500 * k for k in range(count)]


def test_clock_gives_device_time_in_seconds_and_measures_80_hz() -> None:
    clock = SampleClock()
    first = clock.add([1000, 13_500])
    assert first.device_time_s == (0.001, 0.0135)
    assert first.rate_hz == pytest.approx(80.0)
    assert first.rate_measured
    assert first.missing_samples == 0
    assert clock.add(at_80_hz(26_000, 100)).rate_hz == pytest.approx(80.0)


def test_clock_reports_the_nominal_rate_until_it_has_a_difference() -> None:
    timing = SampleClock().add([5000])
    assert not timing.rate_measured
    assert timing.rate_hz == 80.0


def test_clock_measures_other_rates_from_the_median_difference() -> None:
    clock = SampleClock()
    stamps = [k * 10_000 + (300 if k % 7 == 0 else 0) for k in range(200)]
    assert clock.add(stamps).rate_hz == pytest.approx(100.0)
    assert clock.period_s == pytest.approx(0.01)


def test_one_lost_notification_of_two_samples_at_80_hz_is_two_missing_samples() -> None:
    clock = SampleClock()
    stamps = at_80_hz(0, 20)
    timings = [clock.add(stamps[k : k + 2]) for k in range(0, 20, 2) if k != 10]
    assert [t.missing_samples for t in timings] == [0, 0, 0, 0, 0, 2, 0, 0, 0]
    assert clock.missing_samples == 2
    assert timings[5].device_time_s == (0.15, 0.1625)


def test_a_difference_up_to_1_5_periods_is_not_a_gap() -> None:
    clock = SampleClock()
    clock.add(at_80_hz(0, 10))
    assert clock.add([112_500 + 18_750]).missing_samples == 0
    assert clock.add([131_250 + 18_751]).missing_samples == 1


def test_gaps_are_not_judged_before_the_period_is_known() -> None:
    clock = SampleClock()
    assert clock.add([0, 12_500, 50_000]).missing_samples == 0


def test_timestamp_wrap_is_unwrapped() -> None:
    clock = SampleClock()
    top = (1 << 32) - 5_000
    timing = clock.add([top - 12_500, top, top + 12_500 - (1 << 32), top + 25_000 - (1 << 32)])
    assert timing.wrapped
    assert not timing.restarted
    assert timing.missing_samples == 0
    expected = [(top + 12_500 * k) / 1e6 for k in range(-1, 3)]
    assert timing.device_time_s == pytest.approx(expected, abs=1e-9)
    assert clock.wraps == 1


def test_small_backwards_jump_is_a_restart_and_time_keeps_increasing() -> None:
    clock = SampleClock()
    clock.add(at_80_hz(5_000_000, 10))
    timing = clock.add([0, 12_500])
    assert timing.restarted
    assert not timing.wrapped
    assert timing.missing_samples == 0
    last = (5_000_000 + 9 * 12_500) / 1e6
    assert timing.device_time_s == pytest.approx((last + 0.0125, last + 0.025))
    assert clock.restarts == 1


def test_equal_time_stamps_do_not_break_the_period() -> None:
    clock = SampleClock()
    timing = clock.add([0, 0, 12_500, 12_500, 25_000, 25_000, 37_500])
    assert timing.rate_hz == pytest.approx(80.0)
    assert timing.missing_samples == 0


@given(data=st.binary(max_size=40))
def test_any_bytes_decode_or_raise_protocol_error(data: bytes) -> None:
    with contextlib.suppress(ProtocolError):
        decode_notification(data)


@given(query=st.sampled_from(sorted(QUERIES)), payload=st.binary(max_size=20))
def test_any_answer_is_interpreted_or_raises_protocol_error(query: Command, payload: bytes) -> None:
    with contextlib.suppress(ProtocolError):
        interpret_response(query, payload)


notification = st.one_of(
    st.binary(max_size=24),
    st.builds(
        lambda tag, body: bytes([tag, len(body)]) + body, st.integers(0, 5), st.binary(max_size=40)
    ),
    st.lists(st.tuples(st.floats(width=32), st.integers(0, 2**32 - 1)), min_size=1, max_size=4).map(
        lambda pairs: samples(*pairs)
    ),
)
step = st.one_of(notification, st.sampled_from(sorted(QUERIES)), st.none())


@given(steps=st.lists(step, max_size=30))
def test_decoder_fed_random_sequences_decodes_or_raises_protocol_error(
    steps: list[bytes | Command | None],
) -> None:
    decoder = ProgressorDecoder()
    errors = 0
    last_time_s = -math.inf
    for item in steps:
        if not isinstance(item, bytes):
            decoder.expect(None)
            decoder.expect(item)
            continue
        try:
            message = decoder.feed(item)
        except ProtocolError:
            errors += 1
            continue
        if isinstance(message, WeightSamples):
            timing = decoder.clock.add(message.timestamps_us)
            assert all(t >= last_time_s for t in timing.device_time_s)
            assert sorted(timing.device_time_s) == list(timing.device_time_s)
            last_time_s = timing.device_time_s[-1] if timing.device_time_s else last_time_s
            assert timing.missing_samples >= 0
            assert timing.rate_hz > 0
    assert decoder.protocol_errors == errors
