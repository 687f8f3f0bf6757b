"""Force-plate wire formats, written independently of devices/ from genki-forceplate.md.

Constants are literals here on purpose: if this encoder and the adapter's decoder disagree, the
tests between them fail. The CRC is a bitwise CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF).
"""

from __future__ import annotations

import struct

import numpy as np
import numpy.typing as npt


def crc16(data: bytes) -> int:
    """Bitwise CRC-16/CCITT-FALSE."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


def _frame(kind: int, seq: int, body: bytes) -> bytes:
    covered = bytes([0x01, kind]) + struct.pack("<H", seq & 0xFFFF) + body
    return b"\xa5\x5a" + covered + struct.pack("<H", crc16(covered))


def samples_frame(seq: int, tick_us: int, counts: npt.NDArray[np.int64]) -> bytes:
    """Return a SAMPLES frame (type 0x01) of n × c raw counts taken from ``tick_us``."""
    n, c = counts.shape
    body = struct.pack("<BBI", n, c, tick_us & 0xFFFFFFFF) + counts.astype("<i4").tobytes()
    return _frame(0x01, seq, body)


def status_frame(  # noqa: PLR0913 - one argument per STATUS field that varies
    seq: int,
    *,
    serial: str,
    rate_hz: int,
    samples_per_frame: int,
    streaming: bool,
    flags: int,
    spacing_mm: tuple[float, float],
    calibration: tuple[tuple[float, float], ...],
) -> bytes:
    """Return a STATUS frame (type 0x02) with firmware 1.0.0."""
    payload = struct.pack(
        "<BBBB16sHBBHIff",
        1, 0, 0, 1 if streaming else 0, serial.encode("ascii")[:16], rate_hz,
        samples_per_frame, len(calibration), flags, 0, spacing_mm[0], spacing_mm[1],
    )  # fmt: skip
    payload += b"".join(struct.pack("<ff", slope, offset) for slope, offset in calibration)
    return _frame(0x02, seq, struct.pack("<H", len(payload)) + payload)


def ack_frame(seq: int, command: int, result: int, value: int = 0) -> bytes:
    """Return an ACK frame (type 0x03)."""
    return _frame(0x03, seq, struct.pack("<HBBI", 6, command, result, value))


def hx711_lines(t_ms: npt.NDArray[np.int64], counts: npt.NDArray[np.int64]) -> bytes:
    """Canonical HX711 records ``t_ms,FL,FR,BL,BR`` with Arduino's CR LF."""
    rows = np.column_stack([t_ms % (1 << 32), counts])
    return "".join(",".join(str(int(v)) for v in row) + "\r\n" for row in rows).encode("ascii")


def hx711_banner(serial: str, rate_hz: int) -> bytes:
    """Return the information line an HX711 board prints after a reset."""
    return f"# GKHX/1 fw=1.0.0 sn={serial} rate={rate_hz}\r\n".encode("ascii")
