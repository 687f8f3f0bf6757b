"""The simulator's own encoders and firmware against genki-forceplate.md's golden vectors.

Frames are checked byte for byte against V1, V3–V8 and the HX711 lines. The simulated firmware is
driven directly (no pty) and its output read back with a small parser below that trusts the
announced lengths and checks CRCs with binascii, a third CRC implementation.
"""

from __future__ import annotations

import binascii
import struct
from dataclasses import dataclass

import numpy as np
import pytest

from simulators.forceplate import wire
from simulators.forceplate.device import (
    GkfpPlate,
    Hx711Plate,
    PlateConfig,
    raw_counts,
    samples_per_frame,
)
from simulators.forceplate.faults import (
    FaultKind,
    FaultPlan,
    gkfp_garbage,
    hx711_garbage,
    parse_faults,
)
from simulators.human.scenarios import generate

V5_CALIBRATION = ((2**-10, -12.5), (2**-10, 3.25), (2**-10, 0.0), (2**-10, -7.75))


def hexbytes(text: str) -> bytes:
    return bytes.fromhex(" ".join(text.split()))


@dataclass
class Parsed:
    kind: int
    seq: int
    raw: bytes
    crc_ok: bool

    @property
    def tick(self) -> int:
        return int(struct.unpack_from("<I", self.raw, 8)[0])

    @property
    def counts(self) -> np.ndarray:
        n, c = self.raw[6], self.raw[7]
        return np.frombuffer(self.raw[12:-2], "<i4").reshape(n, c)

    @property
    def ack(self) -> tuple[int, int, int]:
        command, result, value = struct.unpack_from("<BBI", self.raw, 8)
        return command, result, value


def parse(stream: bytes) -> tuple[list[Parsed], int]:
    """Frames in a byte stream and the number of bytes outside frames."""
    frames, skipped, i = [], 0, 0
    while i + 8 <= len(stream):
        if stream[i : i + 2] != b"\xa5\x5a":
            skipped, i = skipped + 1, i + 1
            continue
        kind = stream[i + 3]
        size = 14 + 4 * stream[i + 6] * stream[i + 7] if kind == 1 else 10 + stream[i + 6]
        raw = stream[i : i + size]
        crc = binascii.crc_hqx(raw[2:-2], 0xFFFF)
        frames.append(Parsed(kind, raw[4] | raw[5] << 8, raw, crc == raw[-2] | raw[-1] << 8))
        i += size
    return frames, skipped + len(stream) - i


# --- codec: golden vectors -------------------------------------------------------------------


def test_both_crc_implementations_give_the_check_value_and_agree_with_binascii() -> None:
    assert wire.crc16(b"123456789") == wire.crc16_bitwise(b"123456789") == 0x29B1
    rng = np.random.default_rng(7)
    for size in (0, 1, 2, 31, 174):
        data = rng.integers(0, 256, size).astype(np.uint8).tobytes()
        assert wire.crc16(data) == wire.crc16_bitwise(data) == binascii.crc_hqx(data, 0xFFFF)


def test_v1_one_sample_frame_is_byte_exact() -> None:
    frame = wire.samples_frame(1, 1000, [[100_000, -100_000, 8_388_607, -8_388_608]])
    assert frame == hexbytes(
        "A5 5A 01 01 01 00 01 04 E8 03 00 00 A0 86 01 00 60 79 FE FF FF FF 7F 00 00 00 80 FF 0F D5"
    )


def test_v3_two_sample_frame_is_byte_exact_and_its_counts_follow_from_the_v5_calibration() -> None:
    forces = np.array([[200.0, 180.0, 160.0, 150.0], [201.0, 179.0, 160.5, 150.0]])
    counts = raw_counts(forces, rng=np.random.default_rng(0), noise_counts=0.0)
    expected = [[217_600, 180_992, 163_840, 161_536], [218_624, 179_968, 164_352, 161_536]]
    assert counts.tolist() == expected
    assert wire.samples_frame(0x0102, 10_000_000, counts) == hexbytes(
        """A5 5A 01 01 02 01 02 04 80 96 98 00
        00 52 03 00 00 C3 02 00 00 80 02 00 00 77 02 00
        00 56 03 00 00 BF 02 00 00 82 02 00 00 77 02 00 BE 97"""
    )


V4 = [
    ("START 1000", "A5 5A 01 03 00 00 06 00 01 00 E8 03 00 00 64 62"),
    ("STOP", "A5 5A 01 03 00 00 06 00 02 00 00 00 00 00 FD F4"),
    ("TARE", "A5 5A 01 03 00 00 06 00 03 00 F4 01 00 00 D1 D3"),
    ("INFO", "A5 5A 01 03 00 00 06 00 04 00 00 00 00 00 1C 79"),
    ("HELLO", "A5 5A 01 03 00 00 06 00 FF 01 00 00 00 00 53 81"),
    ("START 999", "A5 5A 01 03 00 00 06 00 01 02 00 00 00 00 9E 7E"),
]


def test_v4_ack_frames_are_byte_exact() -> None:
    codes = [(0x01, 0, 1000), (0x02, 0, 0), (0x03, 0, 500), (0x04, 0, 0), (0xFF, 1, 0), (1, 2, 0)]
    for (command, result, value), (_, expected) in zip(codes, V4, strict=True):
        assert wire.ack_frame(0, command, result, value) == hexbytes(expected)


@pytest.mark.parametrize(("line", "expected"), V4)
def test_a_fresh_plate_answers_each_command_line_with_the_v4_ack(line: str, expected: str) -> None:
    plate = GkfpPlate(generate("quiet-eo", rate_hz=1000, duration_s=2, seed=0), PlateConfig())
    reply = plate.receive(line.encode() + b"\n", 0)
    frames, _ = parse(reply)
    assert frames[0].raw == hexbytes(expected)
    assert [f.kind for f in frames].count(wire.ACK) == 1


def test_v5_status_frame_is_byte_exact() -> None:
    fields = wire.StatusFields("GKFP-000123", 1000, 10, (500.0, 400.0), V5_CALIBRATION, (1, 2, 3))
    assert wire.status_frame(1, fields) == hexbytes(
        """A5 5A 01 02 01 00 46 00 01 02 03 00
        47 4B 46 50 2D 30 30 30 31 32 33 00 00 00 00 00 E8 03 0A 04 00 00 00 00 00 00
        00 00 FA 43 00 00 C8 43 00 00 80 3A 00 00 48 C1 00 00 80 3A 00 00 50 40
        00 00 80 3A 00 00 00 00 00 00 80 3A 00 00 F8 C0 40 E3"""
    )


def test_v6_wrap_and_v7_gap_frames_are_byte_exact() -> None:
    assert wire.samples_frame(0xFFFF, 0xFFFFFC18, [[1, 2, 3, 4]]) == hexbytes(
        "A5 5A 01 01 FF FF 01 04 18 FC FF FF 01 00 00 00 02 00 00 00 03 00 00 00 04 00 00 00 02 D8"
    )
    assert wire.samples_frame(0x10000, 1 << 32, [[5, 6, 7, 8]]) == hexbytes(
        "A5 5A 01 01 00 00 01 04 00 00 00 00 05 00 00 00 06 00 00 00 07 00 00 00 08 00 00 00 EB B2"
    )
    zeros = np.zeros((10, 4), dtype=np.int64)
    first, second = wire.samples_frame(5, 5_000_000, zeros), wire.samples_frame(7, 5_020_000, zeros)
    assert len(first) == 174
    assert first[:12] + first[-2:] == hexbytes("A5 5A 01 01 05 00 0A 04 40 4B 4C 00 5F 51")
    assert second[:12] + second[-2:] == hexbytes("A5 5A 01 01 07 00 0A 04 60 99 4C 00 2C 18")


def test_v8_command_lines_are_byte_exact() -> None:
    assert wire.command_line("START", 1000) == hexbytes("53 54 41 52 54 20 31 30 30 30 0A")
    assert wire.command_line("STOP") == hexbytes("53 54 4F 50 0A")
    assert wire.command_line("TARE") == hexbytes("54 41 52 45 0A")
    assert wire.command_line("INFO") == hexbytes("49 4E 46 4F 0A")


def test_hx711_records_and_banner_match_the_golden_lines() -> None:
    assert wire.hx711_line(12345, [217_600, 180_992, 163_840, 161_536]) == (
        b"12345,217600,180992,163840,161536\r\n"
    )
    second = wire.hx711_line(12358, [218_624, 179_968, 164_352, 161_536])
    assert second.replace(b"\r", b"") == b"12358,218624,179968,164352,161536\n"
    assert wire.hx711_line((1 << 32) + 7, [0, -1, 2, -3]) == b"7,0,-1,2,-3\r\n"
    assert wire.hx711_banner("HX-0042", 80) == b"# GKHX/1 fw=1.0.0 sn=HX-0042 rate=80\r\n"


# --- faults ------------------------------------------------------------------------------------


def test_fault_specs_parse_and_bad_ones_show_an_example() -> None:
    assert parse_faults("crc=3,drop=2,garbage=1,unplug=5:7") == FaultPlan(3, 2, 1, (5.0, 7.0))
    assert parse_faults(" crc=every:10 , ") == FaultPlan(crc_every=10)
    for bad in ("crc=x", "unplug=7:5", "colour=3", "drop=every:0", "unplug=1", "garbage=-1"):
        with pytest.raises(ValueError, match="for example crc=3"):
            parse_faults(bad)


def test_counted_faults_hit_exactly_n_distinct_frames_and_every_k_hits_every_kth() -> None:
    plan = FaultPlan(crc=3, drop=2, garbage=4)
    kinds: tuple[FaultKind, ...] = ("crc", "drop", "garbage")
    hits = {kind: [i for i in range(10_000) if plan.hits(kind, i)] for kind in kinds}
    assert [len(hits[kind]) for kind in kinds] == [3, 2, 4]
    assert not set(hits["crc"]) & set(hits["drop"])
    assert max(max(v) for v in hits.values()) < 200  # within 2 s at 100 frames per second
    every = FaultPlan(drop_every=5)
    assert [i for i in range(20) if every.hits("drop", i)] == [4, 9, 14, 19]


def test_garbage_can_never_start_a_frame_or_an_information_line() -> None:
    for seed in range(200):
        rng = np.random.default_rng(seed)
        assert 0xA5 not in gkfp_garbage(rng)
        line = hx711_garbage(rng)
        assert line.endswith(b"\r\n")
        assert line[:-2].isalpha()
        assert line[:-2].isupper()


# --- GKFP/1 firmware ---------------------------------------------------------------------------


def _plate(**config: object) -> GkfpPlate:
    signal = generate("quiet-eo", rate_hz=1000, duration_s=10, seed=3)
    return GkfpPlate(signal, PlateConfig(**config))  # type: ignore[arg-type]


def test_start_is_acknowledged_before_the_first_samples_and_stop_after_the_last() -> None:
    plate = _plate()
    assert parse(plate.power_up(0))[0][0].kind == wire.STATUS  # unsolicited STATUS, seq 0
    assert plate.advance(500_000, online=True) == b""  # idle: nothing until START
    started, _ = parse(plate.receive(b"START 1000\r\n", 500_000))
    assert [(f.kind, f.seq) for f in started] == [(wire.ACK, 1), (wire.STATUS, 2)]
    assert started[0].ack == (wire.START, wire.OK, 1000)
    stream = plate.advance(1_500_000, online=True) + plate.receive(b"STOP\n", 1_500_000)
    frames, skipped = parse(stream)
    samples = [f for f in frames if f.kind == wire.SAMPLES]
    assert skipped == 0
    assert len(samples) == 100  # 1 s at 1000 Hz, 10 samples per frame
    assert [f.seq for f in frames] == list(range(3, 3 + len(frames)))
    assert [f.tick for f in samples] == list(range(500_000, 1_500_000, 10_000))
    assert [f.kind for f in frames[-2:]] == [wire.ACK, wire.STATUS]
    assert frames[-2].ack == (wire.STOP, wire.OK, 0)
    assert plate.advance(3_000_000, online=True) == b""


def test_every_command_line_gets_exactly_one_ack_with_the_right_result() -> None:
    plate = _plate()
    lines = b"\n\r\nstart\nSTART 1000 1\nSTOP 1\nSTART 250\nSTART 500\nSTART\nSTART 250\n"
    lines += b"X" * 40 + b"\nINFO\n"
    acks = [f.ack[:2] for f in parse(plate.receive(lines, 0))[0] if f.kind == wire.ACK]
    assert acks == [
        (0xFF, wire.UNKNOWN_COMMAND),  # lower case
        (wire.START, wire.BAD_ARGUMENT),
        (wire.STOP, wire.BAD_ARGUMENT),
        (wire.START, wire.OK),  # 250 Hz from IDLE
        (wire.START, wire.INVALID_STATE),  # streaming at another rate
        (wire.START, wire.OK),  # START alone: the rate in use
        (wire.START, wire.OK),
        (0xFF, wire.UNKNOWN_COMMAND),  # longer than 32 bytes
        (wire.INFO, wire.OK),
    ]


def test_rates_below_1000_hz_use_at_most_100_frames_per_second() -> None:
    rates = (1000, 500, 250, 200, 125, 100, 80, 1)
    assert [samples_per_frame(rate) for rate in rates] == [10, 5, 3, 2, 2, 1, 1, 1]
    plate = _plate()
    plate.receive(b"START 250\n", 0)
    frames = [f for f in parse(plate.advance(1_000_000, online=True))[0] if f.kind == 1]
    assert len(frames) == 83
    assert {f.counts.shape for f in frames} == {(3, 4)}
    assert frames[1].tick - frames[0].tick == 12_000


def test_tare_acknowledges_the_sample_count_then_reports_the_new_offsets() -> None:
    plate = _plate()
    frames, _ = parse(plate.receive(b"TARE\n", 0) + plate.advance(600_000, online=True))
    assert frames[0].ack == (wire.TARE, wire.OK, 500)
    status = frames[-1].raw
    assert status[3] == wire.STATUS
    flags = struct.unpack_from("<H", status, 8 + 24)[0]
    assert flags & wire.FLAG_TARE_ACTIVE
    offsets = struct.unpack_from("<8f", status, 8 + 38)[1::2]
    loads = generate("quiet-eo", rate_hz=1000, duration_s=10, seed=3).loads_n[:500].mean(axis=0)
    # the person standing on the plate is tared away: offset = stored offset − their mean load
    np.testing.assert_allclose(offsets, np.array([-12.5, 3.25, 0.0, -7.75]) - loads, atol=0.01)


def test_the_tick_wraps_at_2_to_the_32_without_a_gap() -> None:
    plate = _plate(tick_origin_us=(1 << 32) - 25_000)
    plate.receive(b"START\n", 0)
    ticks = [f.tick for f in parse(plate.advance(39_000, online=True))[0] if f.kind == 1]
    assert ticks == [(1 << 32) - 25_000, (1 << 32) - 15_000, (1 << 32) - 5_000, 5_000]


def test_a_late_step_catches_up_with_every_frame_due_in_one_burst() -> None:
    plate = _plate()
    plate.receive(b"START\n", 0)
    burst = [f for f in parse(plate.advance(2_000_000, online=True))[0] if f.kind == 1]
    assert len(burst) == 200
    assert np.all(np.diff([f.tick for f in burst]) == 10_000)


def test_planned_faults_are_injected_and_counted_exactly() -> None:
    plate = _plate(faults=FaultPlan(crc=3, drop=2, garbage=2))
    plate.receive(b"START\n", 0)
    frames, skipped = parse(plate.advance(3_000_000, online=True))
    samples = [f for f in frames if f.kind == wire.SAMPLES]
    injected = plate.injected
    assert injected.corrupted_frames == 3
    assert injected.dropped_frames == 2
    assert injected.garbage_bursts == 2
    assert sum(not f.crc_ok for f in samples) == 3
    assert skipped == injected.garbage_bytes
    seqs = [f.seq for f in samples]
    assert seqs[-1] - seqs[0] + 1 - len(seqs) == injected.dropped_frames  # seq numbers kept
    good = [f for f in samples if f.crc_ok]
    gaps = (np.diff([f.tick for f in good]) - 10_000) // 1000
    assert gaps.sum() == injected.dropped_samples + injected.corrupted_samples == 50
    assert injected.samples_sent == 10 * len(samples)


def test_frames_nobody_can_receive_are_counted_offline_and_never_faulted() -> None:
    plate = _plate(faults=FaultPlan(crc_every=2))
    plate.receive(b"START\n", 0)
    assert plate.advance(1_000_000, online=False) == b""
    assert (plate.injected.offline_frames, plate.injected.corrupted_frames) == (100, 0)


# --- HX711 board -------------------------------------------------------------------------------


def test_an_hx711_board_prints_its_banner_after_the_startup_delay_then_records() -> None:
    signal = generate("quiet-eo", rate_hz=80, duration_s=10, seed=1)
    board = Hx711Plate(signal, PlateConfig(serial="HX-7", rate_hz=80, startup_delay_s=0.5))
    board.power_up(0)
    assert board.advance(499_000, online=True) == b""
    lines = board.advance(1_500_000, online=True).split(b"\r\n")
    assert lines[0] == b"# GKHX/1 fw=1.0.0 sn=HX-7 rate=80"
    t_ms = [int(line.split(b",")[0]) for line in lines[1:-1]]
    assert len(t_ms) == 81
    assert t_ms[0] == 500
    assert set(np.diff(t_ms)) == {12, 13}
    assert board.receive(b"?\n", 1_500_000) == b"# GKHX/1 fw=1.0.0 sn=HX-7 rate=80\r\n"
    board.host_opened(2_000_000)  # DTR reset: millis() restarts, banner again
    assert board.advance(2_600_000, online=True).startswith(b"# GKHX/1")
