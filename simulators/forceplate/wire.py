"""Force-plate wire formats, written from genki-forceplate.md independently of devices/.

Every constant is a literal here on purpose: this encoder and the adapter's decoder are two
implementations of one specification, so a disagreement between them fails the tests that join
them. GKFP/1 (§2): frames ``A5 5A``, version 1, type, seq (u16), body, then a CRC-16/CCITT-FALSE
over everything from the version byte, little-endian. The CRC has two implementations here, a
bitwise one and a table-driven one built from it, checked against each other and the spec's
check value. HX711 (§3.2): ASCII records ``<t_ms>,<FL>,<FR>,<BL>,<BR>`` with Arduino's CR LF and
a ``# GKHX/1`` banner.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

SYNC = b"\xa5\x5a"
VERSION = 0x01
SAMPLES, STATUS, ACK = 0x01, 0x02, 0x03
START, STOP, TARE, INFO, UNPARSEABLE = 0x01, 0x02, 0x03, 0x04, 0xFF
OK, UNKNOWN_COMMAND, BAD_ARGUMENT, INVALID_STATE, HARDWARE_ERROR = 0x00, 0x01, 0x02, 0x03, 0x04
IDLE, STREAMING, FAULT = 0, 1, 2
FLAG_ADC_FAULT, FLAG_OVERRUN, FLAG_DEFAULT_CALIBRATION, FLAG_TARE_ACTIVE = 0x1, 0x2, 0x4, 0x8
POLYNOMIAL = 0x1021
TICK_MODULUS = 1 << 32
MILLIS_MODULUS = 1 << 32


def crc16_bitwise(data: bytes, crc: int = 0xFFFF) -> int:
    """CRC-16/CCITT-FALSE one bit at a time (poly 0x1021, init 0xFFFF, no reflection, no XOR)."""
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ POLYNOMIAL) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


_TABLE = tuple(crc16_bitwise(bytes([i]), 0) for i in range(256))


def crc16(data: bytes) -> int:
    """CRC-16/CCITT-FALSE one byte at a time from a 256-entry table (§2.7)."""
    crc = 0xFFFF
    for byte in data:
        crc = ((crc << 8) & 0xFFFF) ^ _TABLE[(crc >> 8) ^ byte]
    return crc


def frame(kind: int, seq: int, body: bytes) -> bytes:
    """Wrap a body: sync, version, type, seq, body, CRC (little-endian) over version…body."""
    covered = struct.pack("<BBH", VERSION, kind, seq & 0xFFFF) + body
    return SYNC + covered + struct.pack("<H", crc16(covered))


def samples_frame(seq: int, tick_us: int, counts: npt.ArrayLike) -> bytes:
    """Return a SAMPLES frame (§2.3): n × c raw counts, sample 0 taken at ``tick_us``."""
    block = np.asarray(counts, dtype=np.int64)
    n, c = block.shape
    if not (1 <= n <= 64 and 1 <= c <= 8):
        raise ValueError(f"a SAMPLES frame holds 1-64 samples of 1-8 channels; got {n} x {c}")
    head = struct.pack("<BBI", n, c, tick_us % TICK_MODULUS)
    return frame(SAMPLES, seq, head + block.astype("<i4").tobytes())


@dataclass(frozen=True, slots=True)
class StatusFields:
    """The fields of a STATUS payload (§2.5); channels follow from the calibration's length."""

    serial: str
    rate_hz: int
    samples_per_frame: int
    spacing_mm: tuple[float, float]
    calibration: tuple[tuple[float, float], ...]  # (slope N/count, offset N) per channel
    firmware: tuple[int, int, int] = (1, 0, 0)
    state: int = IDLE
    flags: int = 0
    dropped_samples: int = 0


def status_frame(seq: int, fields: StatusFields) -> bytes:
    """Return a STATUS frame (§2.4, §2.5): 38 + 8·C payload bytes."""
    serial = fields.serial.encode("ascii")[:16]
    payload = struct.pack(
        "<BBBB16sHBBHIff",
        *fields.firmware, fields.state, serial, fields.rate_hz, fields.samples_per_frame,
        len(fields.calibration), fields.flags, fields.dropped_samples, *fields.spacing_mm,
    )  # fmt: skip
    payload += b"".join(struct.pack("<ff", slope, offset) for slope, offset in fields.calibration)
    return frame(STATUS, seq, struct.pack("<H", len(payload)) + payload)


def ack_frame(seq: int, command: int, result: int, value: int = 0) -> bytes:
    """Return an ACK frame (§2.6): command code, result code, u32 value."""
    return frame(ACK, seq, struct.pack("<HBBI", 6, command, result, value))


def command_line(keyword: str, argument: int | None = None) -> bytes:
    """Return a host command line (§2.8), e.g. ``START 1000`` + LF."""
    return (keyword if argument is None else f"{keyword} {argument}").encode("ascii") + b"\n"


def hx711_line(t_ms: int, counts: npt.ArrayLike) -> bytes:
    """Return one canonical HX711 record ``t_ms,c0,c1,c2,c3`` + CR LF (§3.2)."""
    values = ",".join(str(int(v)) for v in np.asarray(counts).ravel())
    return f"{t_ms % MILLIS_MODULUS},{values}\r\n".encode("ascii")


def hx711_banner(serial: str, rate_hz: int, firmware: str = "1.0.0") -> bytes:
    """Return the information line an HX711 board prints after a reset and on ``?`` (§3.2)."""
    return f"# GKHX/1 fw={firmware} sn={serial} rate={rate_hz}\r\n".encode("ascii")
