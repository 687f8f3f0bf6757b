"""GKFP/1 binary force-plate protocol: a pure, incremental codec (genki-forceplate.md §2).

Frames start with ``A5 5A``, carry version 1, a type (SAMPLES, STATUS, ACK), a 16-bit sequence
counter shared by all frames, and end with a CRC-16/CCITT-FALSE over everything from the version
byte (§2.2–2.7). The decoder follows the host rules of §2.9: it searches for the sync bytes and
counts what it skips, validates the header, drops and counts frames whose CRC fails and resumes
one byte after their ``A5`` (never trusting the announced length), and checks sequence numbers
and sample ticks to report lost frames, missing samples and discontinuities. Bad bytes are
counted, never raised: a device's bytes are untrusted input.
"""

from __future__ import annotations

import binascii
import struct
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

SYNC = b"\xa5\x5a"
VERSION = 1
TYPE_SAMPLES, TYPE_STATUS, TYPE_ACK = 0x01, 0x02, 0x03
MAX_SAMPLES, MAX_CHANNELS, MAX_PAYLOAD = 64, 8, 1024
STATUS_FIXED_BYTES = 38
ACK_BYTES = 6
TICK_MODULUS = 1 << 32
SEQ_MODULUS = 1 << 16
MAX_GAP_US = 60_000_000
COMMAND_CODES = {"START": 0x01, "STOP": 0x02, "TARE": 0x03, "INFO": 0x04}
STATUS_HEAD = struct.Struct("<BBBB16sHBBHIff")


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no final XOR) — §2.7."""
    return binascii.crc_hqx(data, 0xFFFF)


@dataclass(frozen=True, slots=True)
class SamplesFrame:
    """A SAMPLES frame: raw counts (n × c) from ``tick_us``; ``device_time_us`` is unwrapped."""

    seq: int
    tick_us: int
    device_time_us: int
    counts: npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class StatusFrame:
    """A STATUS frame (§2.5): identity, configuration, flags and the plate's own calibration."""

    seq: int
    fw_version: tuple[int, int, int]
    state: int
    serial: str
    rate_hz: int
    samples_per_frame: int
    channels: int
    flags: int
    dropped_samples: int
    spacing_x_mm: float
    spacing_y_mm: float
    slopes: tuple[float, ...]
    offsets: tuple[float, ...]

    @property
    def adc_fault(self) -> bool:
        """Flag b0: a channel delivers no data or is saturated."""
        return bool(self.flags & 0x01)

    @property
    def overrun(self) -> bool:
        """Flag b1: the device dropped samples since the previous STATUS."""
        return bool(self.flags & 0x02)

    @property
    def default_calibration(self) -> bool:
        """Flag b2: no stored calibration; the slopes are placeholders."""
        return bool(self.flags & 0x04)

    @property
    def tare_active(self) -> bool:
        """Flag b3: offsets come from a TARE since power-up."""
        return bool(self.flags & 0x08)


@dataclass(frozen=True, slots=True)
class AckFrame:
    """An ACK frame (§2.6): which command, its result code and value."""

    seq: int
    command: int
    result: int
    value: int


@dataclass(frozen=True, slots=True)
class Gap:
    """Frames or samples lost before the frame that revealed them (§2.9 steps 4–5)."""

    missing_samples: int
    lost_frames: int


@dataclass(frozen=True, slots=True)
class Discontinuity:
    """The device clock jumped back or far ahead (reset or clock fault); timing restarts."""

    reason: str


GkfpEvent = SamplesFrame | StatusFrame | AckFrame | Gap | Discontinuity


def encode_command(
    command: Literal["START", "STOP", "TARE", "INFO"], argument: int | None = None
) -> bytes:
    """Return a command line (§2.8); ``START`` takes an optional valid rate (§2.1)."""
    if argument is None:
        return f"{command}\n".encode("ascii")
    if command != "START":
        raise ValueError(f"{command} takes no argument")
    if not 1 <= argument <= 1000 or 1_000_000 % argument:
        raise ValueError(
            f"rate {argument} Hz given; expected 1 to 1000 Hz dividing 1 000 000 (e.g. 1000, 500)"
        )
    return f"START {argument}\n".encode("ascii")


def _frame_length(header: bytes | bytearray) -> int | None:
    """Length announced by a valid 8-byte header, or None when the header is invalid."""
    if header[2] != VERSION:
        return None
    kind = header[3]
    if kind == TYPE_SAMPLES:
        n, c = header[6], header[7]
        return 14 + 4 * n * c if 1 <= n <= MAX_SAMPLES and 1 <= c <= MAX_CHANNELS else None
    if kind in (TYPE_STATUS, TYPE_ACK):
        payload = header[6] | header[7] << 8
        return 10 + payload if payload <= MAX_PAYLOAD else None
    return None


def _signed32(value: int) -> int:
    value %= TICK_MODULUS
    return value - TICK_MODULUS if value >= TICK_MODULUS // 2 else value


class GkfpDecoder:
    """Incremental GKFP/1 decoder: feed any chunks of bytes, get events, read the counters."""

    def __init__(self, rate_hz: int | None = None) -> None:
        self._buffer = bytearray()
        self._period_us: float | None = None
        self._prev_seq: int | None = None
        self._prev_tick: int | None = None
        self._prev_n = 0
        self._epoch_us = 0
        self.frames = 0
        self.crc_errors = 0
        self.bytes_discarded = 0
        self.malformed_frames = 0
        self.lost_frames = 0
        self.missing_samples = 0
        self.discontinuities = 0
        if rate_hz is not None:
            self.set_rate(rate_hz)

    def set_rate(self, rate_hz: int) -> None:
        """Set the sample rate used for the tick check (from START's ACK or STATUS)."""
        if rate_hz <= 0:
            raise ValueError(f"rate {rate_hz} Hz given; expected a positive rate")
        self._period_us = 1_000_000 / rate_hz

    def feed(self, data: bytes) -> list[GkfpEvent]:
        """Decode every whole frame now in the buffer; keep a partial frame for the next call."""
        buffer = self._buffer
        buffer += data
        events: list[GkfpEvent] = []
        pos = 0
        while True:
            start = buffer.find(SYNC, pos)
            if start < 0:
                keep = len(buffer) - (1 if buffer.endswith(SYNC[:1]) else 0)
                self.bytes_discarded += keep - pos if keep > pos else 0
                pos = max(pos, keep)
                break
            self.bytes_discarded += start - pos
            pos = start
            if len(buffer) - pos < 8:
                break
            length = _frame_length(buffer[pos : pos + 8])
            if length is None:
                pos += 1
                self.bytes_discarded += 1
                continue
            if len(buffer) - pos < length:
                break
            frame = bytes(buffer[pos : pos + length])
            if crc16_ccitt_false(frame[2:-2]) != int.from_bytes(frame[-2:], "little"):
                self.crc_errors += 1
                pos += 1
                self.bytes_discarded += 1
                continue
            pos += length
            self._decode(frame, events)
        del buffer[:pos]
        return events

    def _decode(self, frame: bytes, events: list[GkfpEvent]) -> None:
        self.frames += 1
        seq = frame[4] | frame[5] << 8
        lost = 0 if self._prev_seq is None else (seq - self._prev_seq - 1) % SEQ_MODULUS
        self._prev_seq = seq
        self.lost_frames += lost
        kind = frame[3]
        if kind == TYPE_SAMPLES:
            self._samples(seq, frame, lost, events)
            return
        if lost:
            events.append(Gap(missing_samples=0, lost_frames=lost))
        parsed = _status(seq, frame[8:-2]) if kind == TYPE_STATUS else _ack(seq, frame[8:-2])
        if parsed is None:
            self.malformed_frames += 1
        else:
            events.append(parsed)

    def _samples(self, seq: int, frame: bytes, lost: int, events: list[GkfpEvent]) -> None:
        n, c = frame[6], frame[7]
        tick = int.from_bytes(frame[8:12], "little")
        missing = self._missing_before(tick, events)
        if missing or lost:
            self.missing_samples += missing
            events.append(Gap(missing_samples=missing, lost_frames=lost))
        self._prev_tick, self._prev_n = tick, n
        counts = np.frombuffer(frame, dtype="<i4", count=n * c, offset=12).astype(np.int64)
        events.append(SamplesFrame(seq, tick, self._epoch_us + tick, counts.reshape(n, c)))

    def _missing_before(self, tick: int, events: list[GkfpEvent]) -> int:
        """Return the samples missing before ``tick`` (§2.9 step 5), tracking clock wraps."""
        if self._prev_tick is None:
            return 0
        if self._period_us is not None:
            expected = self._prev_tick + round(self._prev_n * self._period_us)
            d = _signed32(tick - expected)
            if d < 0 or d > MAX_GAP_US:
                self.discontinuities += 1
                self._epoch_us = 0
                events.append(Discontinuity(f"device clock jumped by {d} µs (reset?)"))
                return 0
            if tick < self._prev_tick:
                self._epoch_us += TICK_MODULUS
            return round(d / self._period_us)
        if tick < self._prev_tick:
            self._epoch_us += TICK_MODULUS
        return 0


def _status(seq: int, payload: bytes) -> StatusFrame | None:
    if len(payload) < STATUS_FIXED_BYTES:
        return None
    fields = STATUS_HEAD.unpack_from(payload)
    major, minor, patch, state, serial, rate, per_frame, channels, flags, dropped, sx, sy = fields
    if len(payload) < STATUS_FIXED_BYTES + 8 * channels:
        return None
    pairs = struct.unpack_from(f"<{2 * channels}f", payload, STATUS_FIXED_BYTES)
    return StatusFrame(
        seq=seq,
        fw_version=(major, minor, patch),
        state=state,
        serial=serial.rstrip(b"\x00").decode("ascii", errors="replace"),
        rate_hz=rate,
        samples_per_frame=per_frame,
        channels=channels,
        flags=flags,
        dropped_samples=dropped,
        spacing_x_mm=sx,
        spacing_y_mm=sy,
        slopes=tuple(pairs[0::2]),
        offsets=tuple(pairs[1::2]),
    )


def _ack(seq: int, payload: bytes) -> AckFrame | None:
    if len(payload) < ACK_BYTES:
        return None
    command, result, value = struct.unpack_from("<BBI", payload)
    return AckFrame(seq=seq, command=command, result=result, value=value)
