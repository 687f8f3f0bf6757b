"""Chronopic codec: every golden vector of chronopic-timer.md §7, resynchronisation, fuzzing."""

from __future__ import annotations

import contextlib
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.protocols.chronopic import (
    ChronopicDecoder,
    ChronopicFrameError,
    DebounceReply,
    ErrorReply,
    EventFrame,
    ProbeReply,
    StatusReply,
    TimerEventBuilder,
    debounce_command,
    decode_frame,
    probe_command,
    status_command,
)

MS = 1_000_000  # ns


@pytest.mark.parametrize(
    ("hex_bytes", "message"),
    [
        ("58 01 00 30 D4", EventFrame(1, 12_500)),
        ("58 00 00 00 00", EventFrame(0, 0)),
        ("58 01 01 E8 48", EventFrame(1, 125_000)),
        ("58 00 07 A1 20", EventFrame(0, 500_000)),
        ("45 00", StatusReply(0)),
        ("45 01", StatusReply(1)),
        ("4A", ProbeReply()),
        ("35", DebounceReply(50)),
        ("2D 31", ErrorReply()),
    ],
)
def test_golden_frames(hex_bytes: str, message: object) -> None:
    assert decode_frame(bytes.fromhex(hex_bytes)) == message


def test_intervals_and_saturation() -> None:
    assert EventFrame(1, 12_500).dt_us == 100_000
    assert EventFrame(1, 125_000).dt_us == 1_000_000
    assert EventFrame(0, 500_000).dt_us == 4_000_000
    saturated = decode_frame(bytes.fromhex("58 01 FF 00 00"))
    assert isinstance(saturated, EventFrame)
    assert saturated.saturated
    assert not EventFrame(1, 0xFEFFFF).saturated


def test_host_commands() -> None:
    assert (status_command(), probe_command(), debounce_command()) == (b"E", b"J", b"a")


def test_an_invalid_state_byte_is_refused() -> None:
    with pytest.raises(ChronopicFrameError, match="state byte 2"):
        decode_frame(bytes.fromhex("58 02 00 30 D4"))


def test_gait_speed_stream_gives_the_published_walking_time() -> None:
    """§7.2: 6.00 m, blocked_state 1: t_walk = 6.840 000 s, v = 0.877 19 m/s."""
    stream = bytes.fromhex(
        "45 00 58 01 30 41 84 58 00 00 CD 14 58 01 00 27 10"
        "58 00 00 1D 4C 58 01 0B FA 68 58 00 00 C3 50"
    )
    decoder, builder = ChronopicDecoder(), TimerEventBuilder()
    messages = decoder.feed(stream, 0)
    assert messages[0] == StatusReply(0)
    events = [builder.add(m) for m in messages[1:] if isinstance(m, EventFrame)]
    assert [e.state for e in events] == [1, 0, 1, 0, 1, 0]
    assert events[0].first
    assert events[0].device_time_us == 0
    t_walk_us = events[4].device_time_us - events[0].device_time_us
    assert t_walk_us == 6_840_000
    assert 6.00 / (t_walk_us / 1e6) == pytest.approx(0.87719, abs=1e-5)
    assert not any(e.after_gap or e.saturated for e in events)


def test_split_times_stream() -> None:
    """§7.3: splits 3.300 s and 3.340 s, total 6.640 s."""
    stream = bytes.fromhex(
        "58 01 16 E3 60 58 00 00 C3 50 58 01 05 88 04 58 00 00 B9 8C 58 01 05 A5 50 58 00 00 BE 6E"
    )
    builder = TimerEventBuilder()
    events = [builder.add(m) for m in ChronopicDecoder().feed(stream, 0)]  # type: ignore[arg-type]
    cuts = [e.device_time_us for e in events if e.state == 1]
    assert [b - a for a, b in itertools.pairwise(cuts)] == [3_300_000, 3_340_000]
    assert cuts[-1] - cuts[0] == 6_640_000


def test_two_events_with_the_same_state_mean_a_lost_frame() -> None:
    """§7.4."""
    builder = TimerEventBuilder()
    builder.add(EventFrame(1, 100))
    second = builder.add(EventFrame(1, 200))
    assert second.after_gap
    assert second.lost_frames == 1


def test_bytes_split_anywhere_decode_the_same() -> None:
    stream = bytes.fromhex("58 01 00 30 D4 45 01 4A")
    decoder = ChronopicDecoder()
    messages = [m for byte in stream for m in decoder.feed(bytes([byte]), 1 * MS)]
    assert messages == [EventFrame(1, 12_500), StatusReply(1), ProbeReply()]


def test_a_debounce_byte_counts_only_as_the_answer_to_a_query() -> None:
    decoder = ChronopicDecoder()
    assert decoder.feed(b"5", 0) == []
    decoder.debounce_requested()
    assert decoder.feed(b"55", 0) == [DebounceReply(50)]
    assert decoder.bytes_discarded == 2


def test_unknown_bytes_are_discarded_and_counted() -> None:
    decoder = ChronopicDecoder()
    assert decoder.feed(b"\x00\xff\x58\x01\x00\x30\xd4", 0) == [EventFrame(1, 12_500)]
    assert decoder.bytes_discarded == 2


def test_a_frame_unfinished_after_50_ms_is_dropped() -> None:
    decoder = ChronopicDecoder()
    assert decoder.feed(bytes.fromhex("58 01 00"), 0) == []
    assert decoder.feed(bytes.fromhex("30 D4"), 51 * MS) == []
    assert decoder.timed_out_frames == 1
    assert decoder.feed(bytes.fromhex("45 01"), 52 * MS) == [StatusReply(1)]


def test_an_invalid_frame_discards_until_100_ms_of_silence_then_asks_for_the_state() -> None:
    decoder = ChronopicDecoder()
    assert decoder.feed(bytes.fromhex("58 02 00 30 D4 45 01"), 0) == []
    assert decoder.invalid_frames == 1
    assert decoder.feed(bytes.fromhex("58 01 00 30 D4"), 60 * MS) == []  # still inside the silence
    decoder.poll(120 * MS)
    assert not decoder.needs_status  # only 60 ms of silence so far
    decoder.poll(161 * MS)
    assert decoder.needs_status
    decoder.status_sent()
    assert decoder.feed(bytes.fromhex("45 00"), 170 * MS) == [StatusReply(0)]


@given(st.lists(st.binary(max_size=40), max_size=30), st.integers(0, 10**6))
def test_arbitrary_bytes_never_crash_the_decoder(chunks: list[bytes], step_us: int) -> None:
    decoder, builder = ChronopicDecoder(), TimerEventBuilder()
    for index, chunk in enumerate(chunks):
        for message in decoder.feed(chunk, index * step_us * 1000):
            if isinstance(message, EventFrame):
                event = builder.add(message)
                assert event.device_time_us >= 0


@given(st.binary(max_size=8))
def test_decode_frame_raises_only_its_typed_error(frame: bytes) -> None:
    with contextlib.suppress(ChronopicFrameError):
        decode_frame(frame)
