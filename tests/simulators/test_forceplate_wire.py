"""The simulator's independent encoder reproduces the golden vectors of genki-forceplate.md."""

from __future__ import annotations

import numpy as np

from simulators.forceplate import wire
from simulators.forceplate.faults import FaultPlan, parse_faults


def hexbytes(text: str) -> bytes:
    return bytes.fromhex(" ".join(text.split()))


def test_crc_check_value() -> None:
    assert wire.crc16(b"123456789") == 0x29B1


def test_v1_and_v3_samples_frames() -> None:
    v1 = wire.samples_frame(1, 1000, np.array([[100_000, -100_000, 8_388_607, -8_388_608]]))
    assert v1 == hexbytes(
        "A5 5A 01 01 01 00 01 04 E8 03 00 00 A0 86 01 00 60 79 FE FF FF FF 7F 00 00 00 80 FF 0F D5"
    )
    counts = np.array([[217_600, 180_992, 163_840, 161_536], [218_624, 179_968, 164_352, 161_536]])
    assert wire.samples_frame(0x0102, 10_000_000, counts)[-2:] == b"\xbe\x97"


def test_v4_acks_and_v5_status() -> None:
    assert wire.ack_frame(0, 0x01, 0, 1000) == hexbytes(
        "A5 5A 01 03 00 00 06 00 01 00 E8 03 00 00 64 62"
    )
    assert wire.ack_frame(0, 0xFF, 1)[-2:] == b"\x53\x81"
    status = wire.status_frame(
        1,
        serial="GKFP-000123",
        rate_hz=1000,
        samples_per_frame=10,
        streaming=False,
        flags=0,
        spacing_mm=(500.0, 400.0),
        calibration=((2**-10, -12.5), (2**-10, 3.25), (2**-10, 0.0), (2**-10, -7.75)),
    )
    assert len(status) == 80
    assert status[8:11] == b"\x01\x00\x00"  # the simulator is firmware 1.0.0, V5 is 1.2.3
    assert status[12:][:16] == b"GKFP-000123\x00\x00\x00\x00\x00"


def test_v6_wrap_and_v7_gap_frames() -> None:
    wrap = wire.samples_frame(0xFFFF, 0xFFFFFC18, np.array([[1, 2, 3, 4]]))
    assert wrap[-2:] == b"\x02\xd8"
    zeros = np.zeros((10, 4), dtype=np.int64)
    assert wire.samples_frame(5, 5_000_000, zeros)[-2:] == b"\x5f\x51"
    assert wire.samples_frame(7, 5_020_000, zeros)[-2:] == b"\x2c\x18"


def test_hx711_lines_and_banner() -> None:
    line = wire.hx711_lines(np.array([12345]), np.array([[217_600, 180_992, 163_840, 161_536]]))
    assert line == b"12345,217600,180992,163840,161536\r\n"
    assert wire.hx711_banner("HX-0042", 80) == b"# GKHX/1 fw=1.0.0 sn=HX-0042 rate=80\r\n"


def test_fault_specs() -> None:
    assert parse_faults("crc=3,drop=2,garbage=1,unplug=5:7") == FaultPlan(3, 2, 1, (5.0, 7.0))
    plan = parse_faults("crc=2")
    hits = [i for i in range(200) if plan.hits("crc", i)]
    assert len(hits) == 2
    for bad in ("crc=x", "unplug=7:5", "colour=3"):
        try:
            parse_faults(bad)
        except ValueError as exc:
            assert "for example crc=3" in str(exc)
        else:
            raise AssertionError(bad)
