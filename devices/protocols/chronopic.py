"""Chronopic serial timer (chronopic-timer.md): pure decoding of the byte stream into timer events.

The box sends a 5-byte frame ``58 ss t2 t1 t0`` on every stable input change: the new state (1 ON,
0 OFF) and the time since the previous change in 8 µs counts, most significant byte first (§2.1).
It answers ``E`` with ``45 ss``, ``J`` with ``4A``, ``a`` with one debounce byte, and an unknown
command with ``2D 31`` (§2). Intervals are exact on the device clock; the host receipt time is
only for logs (§3).

``ChronopicDecoder`` splits the stream into messages (§4.2): unknown bytes are discarded and
counted, a frame unfinished 50 ms after its first byte is dropped, and an invalid state byte
makes the decoder discard everything until the line has been silent for 100 ms, after which the
caller sends ``E`` (``needs_status``) and the device time line restarts. ``TimerEventBuilder``
turns event frames into timer events (§4.3): a sequence number, the running device time,
and the flags ``first``, ``saturated`` and ``after_gap`` (two events in a row with the same state
mean an odd number of frames were lost). Pure: the caller passes the host clock in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from devices.errors import ProtocolError

COUNT_US: Final = 8  # one timer count (§3.1)
BAUDRATE: Final = 9600
EVENT: Final = 0x58  # 'X'
STATUS: Final = 0x45  # 'E'
PROBE: Final = 0x4A  # 'J'
DEBOUNCE_QUERY: Final = 0x61  # 'a'
ERROR_REPLY: Final = b"-1"
SATURATED_TOP_BYTE: Final = 0xFF
FRAME_TIMEOUT_NS: Final = 50_000_000  # a frame is sent back to back (§4.2)
RESYNC_SILENCE_NS: Final = 100_000_000  # after an invalid frame (§4.2)
_DEBOUNCE_FIRST, _DEBOUNCE_LAST = 0x30, 0x3F  # '0' + d, d in 10 ms units (plausible range)
_ERROR_FIRST = 0x2D  # '-'
_FRAME_LENGTHS: Final = {EVENT: 5, STATUS: 2, PROBE: 1, _ERROR_FIRST: 2}


class ChronopicFrameError(ProtocolError):
    """A frame that breaks §2 (state byte not 0 or 1, a malformed error reply)."""


def probe_command() -> bytes:
    """Return the probe the host sends once to identify the port (§4.1)."""
    return bytes([PROBE])


def status_command() -> bytes:
    """Return the state request (§4.1, after every resynchronisation)."""
    return bytes([STATUS])


def debounce_command() -> bytes:
    """Return the debounce query (staff screen only)."""
    return bytes([DEBOUNCE_QUERY])


@dataclass(frozen=True, slots=True)
class EventFrame:
    """``58 ss t2 t1 t0``: the input became ``state``, ``counts`` × 8 µs after the last change."""

    state: int
    counts: int

    @property
    def dt_us(self) -> int:
        """The interval in microseconds."""
        return self.counts * COUNT_US

    @property
    def saturated(self) -> bool:
        """``t2 = FF``: a long idle whose exact length is unknown (§3)."""
        return self.counts >> 16 == SATURATED_TOP_BYTE


@dataclass(frozen=True, slots=True)
class StatusReply:
    """``45 ss``: the current input state."""

    state: int


@dataclass(frozen=True, slots=True)
class ProbeReply:
    """``4A``: the port is a Chronopic."""


@dataclass(frozen=True, slots=True)
class DebounceReply:
    """``0x30 + d``: the debounce time is d × 10 ms."""

    debounce_ms: int


@dataclass(frozen=True, slots=True)
class ErrorReply:
    """``2D 31`` ("-1"): the multitest build did not know the command."""


Message = EventFrame | StatusReply | ProbeReply | DebounceReply | ErrorReply


def decode_frame(frame: bytes) -> Message:
    """Decode one complete frame (§2.1); raise ChronopicFrameError for an invalid one."""
    if not frame:
        raise ChronopicFrameError(
            "empty frame; expected one of 58, 45, 4A, 2D 31 or a debounce byte"
        )
    head = frame[0]
    expected = _FRAME_LENGTHS.get(head, 1)
    if len(frame) != expected:
        raise ChronopicFrameError(
            f"frame {frame.hex(' ')} has {len(frame)} bytes; expected {expected}"
        )
    if head in (EVENT, STATUS) and frame[1] not in (0, 1):
        raise ChronopicFrameError(
            f"state byte {frame[1]} in {frame.hex(' ')}; expected 0 (OFF) or 1 (ON)"
        )
    if head == EVENT:
        return EventFrame(frame[1], int.from_bytes(frame[2:5], "big"))
    if head == STATUS:
        return StatusReply(frame[1])
    if head == PROBE:
        return ProbeReply()
    if head == _ERROR_FIRST:
        if frame != ERROR_REPLY:
            raise ChronopicFrameError(f"{frame.hex(' ')} is not the error reply 2D 31")
        return ErrorReply()
    if _DEBOUNCE_FIRST <= head <= _DEBOUNCE_LAST:
        return DebounceReply((head - _DEBOUNCE_FIRST) * 10)
    raise ChronopicFrameError(f"byte {head:02X} starts no Chronopic frame")


class ChronopicDecoder:
    """Splits the byte stream into messages, with the resynchronisation rules of §4.2."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._first_byte_ns = 0
        self._last_byte_ns = 0
        self._resyncing = False
        self.needs_status = False
        self._debounce_expected = False
        self.bytes_discarded = 0
        self.invalid_frames = 0
        self.timed_out_frames = 0

    def feed(self, data: bytes, t_mono_ns: int) -> list[Message]:
        """Decode the bytes received at ``t_mono_ns``; return the complete messages."""
        messages: list[Message] = []
        self.poll(t_mono_ns)
        for byte in data:
            if self._resyncing:
                self.bytes_discarded += 1
                continue
            if not self._buffer:
                if not self._starts_frame(byte):
                    self.bytes_discarded += 1
                    continue
                self._first_byte_ns = t_mono_ns
            self._buffer.append(byte)
            if len(self._buffer) == _FRAME_LENGTHS.get(self._buffer[0], 1):
                messages.extend(self._complete())
        if data:
            self._last_byte_ns = t_mono_ns
        return messages

    def poll(self, t_mono_ns: int) -> None:
        """Apply the timeouts: drop a stale partial frame, end a resynchronisation after silence."""
        if self._buffer and t_mono_ns - self._first_byte_ns > FRAME_TIMEOUT_NS:
            self.bytes_discarded += len(self._buffer)
            self.timed_out_frames += 1
            self._buffer.clear()
        if self._resyncing and t_mono_ns - self._last_byte_ns >= RESYNC_SILENCE_NS:
            self._resyncing = False
            self.needs_status = True

    def status_sent(self) -> None:
        """Record that the caller has sent ``E`` after a resynchronisation."""
        self.needs_status = False

    def debounce_requested(self) -> None:
        """Record that the caller has sent ``a``: the next digit byte is the debounce reply."""
        self._debounce_expected = True

    def _starts_frame(self, byte: int) -> bool:
        if byte in _FRAME_LENGTHS:
            return True
        if self._debounce_expected and _DEBOUNCE_FIRST <= byte <= _DEBOUNCE_LAST:
            self._debounce_expected = False
            return True
        return False

    def _complete(self) -> list[Message]:
        frame = bytes(self._buffer)
        self._buffer.clear()
        try:
            return [decode_frame(frame)]
        except ChronopicFrameError:
            self.invalid_frames += 1
            self.bytes_discarded += len(frame)
            self._resyncing = True
            return []


@dataclass(frozen=True, slots=True)
class BuiltEvent:
    """An event frame placed on the device time line (§4.3)."""

    seq: int
    state: int
    dt_us: int
    device_time_us: int
    first: bool
    saturated: bool
    after_gap: bool
    lost_frames: int


class TimerEventBuilder:
    """Numbers the events of one connection and keeps the running device time (§4.3).

    ``device_time_us`` is the sum of the intervals since the first event (whose own interval
    refers to an unknown earlier edge and is not added). It is not continuous across a gap or a
    saturated event; those events carry the flags so that measurements spanning them are refused.
    """

    def __init__(self) -> None:
        self._seq = 0
        self._state: int | None = None
        self._device_time_us = 0

    def restart(self) -> None:
        """Start a new time line (after a reconnect or a resynchronisation)."""
        self._state = None

    def add(self, frame: EventFrame) -> BuiltEvent:
        """Place one event frame on the time line."""
        first = self._state is None
        lost = 0 if first or frame.state != self._state else 1
        if first:
            self._device_time_us = 0
        else:
            self._device_time_us += frame.dt_us
        event = BuiltEvent(
            seq=self._seq,
            state=frame.state,
            dt_us=frame.dt_us,
            device_time_us=self._device_time_us,
            first=first,
            saturated=frame.saturated,
            after_gap=lost > 0,
            lost_frames=lost,
        )
        self._seq += 1
        self._state = frame.state
        return event
