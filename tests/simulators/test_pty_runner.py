"""Simulated plates behind real pseudo-terminals, read by pyserial as an adapter would.

The host side here is deliberately small and independent of devices/: it writes command lines,
splits frames by their announced lengths and checks CRCs with binascii.
"""

from __future__ import annotations

import binascii
import struct
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import serial

from simulators.forceplate.device import GkfpPlate, Hx711Plate, PlateConfig
from simulators.forceplate.faults import FaultPlan
from simulators.human.scenarios import generate
from simulators.pty_runner import PtyRunner

ACK, SAMPLES, STATUS = 0x03, 0x01, 0x02


@dataclass
class Frame:
    kind: int
    seq: int
    raw: bytes
    crc_ok: bool
    at: float  # host monotonic time when the bytes were read

    @property
    def tick(self) -> int:
        return int(struct.unpack_from("<I", self.raw, 8)[0])

    @property
    def n(self) -> int:
        return self.raw[6]


class Host:
    """A minimal GKFP/1 host on pyserial: keeps every byte and when it arrived."""

    def __init__(self, path: Path) -> None:
        self.port = serial.Serial(str(path), baudrate=921_600, timeout=0.02)
        self.chunks: list[tuple[float, bytes]] = []

    def pump(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            data = self.port.read(4096)
            if data:
                self.chunks.append((time.monotonic(), data))

    def parse(self) -> tuple[list[Frame], int]:
        """Frames received so far and the bytes found outside frames."""
        stream = b"".join(data for _, data in self.chunks)
        arrival = np.cumsum([len(data) for _, data in self.chunks])
        times = [at for at, _ in self.chunks]
        frames, skipped, i = [], 0, 0
        while i + 8 <= len(stream):
            if stream[i : i + 2] != b"\xa5\x5a":
                skipped, i = skipped + 1, i + 1
                continue
            kind = stream[i + 3]
            size = 14 + 4 * stream[i + 6] * stream[i + 7] if kind == SAMPLES else 10 + stream[i + 6]
            if i + size > len(stream):
                break
            raw = stream[i : i + size]
            ok = binascii.crc_hqx(raw[2:-2], 0xFFFF) == raw[-2] | raw[-1] << 8
            at = times[int(np.searchsorted(arrival, i + size))] if times else 0.0
            frames.append(Frame(kind, raw[4] | raw[5] << 8, raw, ok, at))
            i += size
        return frames, skipped

    def acks(self) -> list[tuple[int, int, int]]:
        frames, _ = self.parse()
        return [struct.unpack_from("<BBI", f.raw, 8) for f in frames if f.kind == ACK]

    def command(self, line: bytes, timeout_s: float = 1.0) -> tuple[int, int, int]:
        """Send a line and wait for its ACK (command code, result, value)."""
        before = len(self.acks())
        self.port.write(line)
        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            self.pump(0.02)
            acks = self.acks()
            if len(acks) > before:
                return acks[before]
        raise AssertionError(f"no ACK for {line!r}")

    def open_stream(self) -> None:
        assert self.command(b"STOP\n")[:2] == (0x02, 0)
        assert self.command(b"INFO\n")[:2] == (0x04, 0)
        assert self.command(b"START 1000\n") == (0x01, 0, 1000)


@pytest.fixture
def plate(request: pytest.FixtureRequest) -> Iterator[tuple[GkfpPlate, PtyRunner]]:
    faults: FaultPlan = getattr(request, "param", FaultPlan())
    signal = generate("quiet-eo", rate_hz=1000, duration_s=20, seed=2)
    device = GkfpPlate(signal, PlateConfig(faults=faults, seed=2))
    with PtyRunner(device, unplug=faults.unplug, rate_hz=1000) as runner:
        yield device, runner


def test_a_gkfp_plate_answers_the_opening_sequence_and_streams_in_real_time(
    plate: tuple[GkfpPlate, PtyRunner],
) -> None:
    device, runner = plate
    assert str(runner.path).startswith("/dev/pts/")
    host = Host(runner.path)
    host.open_stream()
    host.pump(2.0)
    assert host.command(b"STOP\n")[:2] == (0x02, 0)
    host.pump(0.2)
    frames, skipped = host.parse()
    status = next(f.raw for f in frames if f.kind == STATUS)
    assert status[12:24] == b"GKFP-SIM0001"
    assert struct.unpack_from("<HBB", status, 8 + 20) == (1000, 10, 4)
    kinds = [f.kind for f in frames]
    first_samples = kinds.index(SAMPLES)
    assert kinds[first_samples - 2 : first_samples] == [ACK, STATUS]  # ACK(START), then STATUS
    assert kinds[-2:] == [ACK, STATUS]  # ACK(STOP) after the last SAMPLES frame
    samples = [f for f in frames if f.kind == SAMPLES]
    assert skipped == 0
    assert all(f.crc_ok for f in frames)
    assert np.all(np.diff([f.seq for f in frames]) == 1)
    assert np.all(np.diff([f.tick for f in samples]) == 10_000)
    rate = 10 * (len(samples) - 1) / (samples[-1].at - samples[0].at)
    assert rate == pytest.approx(1000, rel=0.03)
    assert device.injected.samples_sent == 10 * len(samples)


@pytest.mark.parametrize("plate", [FaultPlan(crc=3, drop=2, garbage=2)], indirect=True)
def test_injected_faults_reach_the_host_exactly_as_counted(
    plate: tuple[GkfpPlate, PtyRunner],
) -> None:
    device, runner = plate
    host = Host(runner.path)
    host.open_stream()
    host.pump(1.5)
    host.command(b"STOP\n")
    frames, skipped = host.parse()
    samples = [f for f in frames if f.kind == SAMPLES]
    good = [f for f in samples if f.crc_ok]
    injected = device.injected
    assert len(samples) - len(good) == injected.corrupted_frames == 3
    assert skipped == injected.garbage_bytes > 0
    assert injected.garbage_bursts == 2
    lost = (samples[-1].seq - samples[0].seq + 1) - len(samples)
    assert lost == injected.dropped_frames == 2
    missing = (good[-1].tick - good[0].tick) // 1000 + 10 - 10 * len(good)
    assert missing == injected.dropped_samples + injected.corrupted_samples == 50
    assert injected.frames_sent == len(samples)
    assert injected.offline_frames == injected.overflow_bytes == 0


@pytest.mark.parametrize("plate", [FaultPlan(crc_every=10)], indirect=True)
def test_every_kth_frame_can_be_corrupted(plate: tuple[GkfpPlate, PtyRunner]) -> None:
    device, runner = plate
    host = Host(runner.path)
    host.open_stream()
    host.pump(0.5)
    host.command(b"STOP\n")
    bad = [i for i, f in enumerate(f for f in host.parse()[0] if f.kind == SAMPLES) if not f.crc_ok]
    assert bad == list(range(9, 9 + 10 * len(bad), 10))
    assert len(bad) == device.injected.corrupted_frames >= 4


@pytest.mark.parametrize("plate", [FaultPlan(unplug=(0.8, 1.4))], indirect=True)
def test_an_unplugged_plate_comes_back_at_the_same_path_and_the_time_away_is_a_gap(
    plate: tuple[GkfpPlate, PtyRunner],
) -> None:
    device, runner = plate
    path = runner.path
    assert path.is_symlink()
    host = Host(path)
    host.open_stream()
    with pytest.raises(serial.SerialException, match="returned no data"):
        host.pump(3.0)
    before, _ = host.parse()
    host.port.close()
    deadline = time.monotonic() + 3.0
    while not runner.plugged and time.monotonic() < deadline:
        time.sleep(0.02)
    again = Host(path)
    again.open_stream()
    again.pump(0.3)
    after = [f for f in again.parse()[0] if f.kind == SAMPLES]
    last_before = [f for f in before if f.kind == SAMPLES][-1]
    assert runner.path == path
    assert runner.slave_path.startswith("/dev/pts/")
    assert runner.slave_path == str(path.resolve())
    assert after[0].seq > last_before.seq  # the plate kept its power: no reset
    assert after[0].tick - last_before.tick >= 500_000  # the time away shows as a gap
    assert (device.injected.unplugs, device.injected.replugs) == (1, 1)
    assert device.injected.offline_frames > 40


def test_unplug_and_replug_on_request_keep_a_stable_path() -> None:
    signal = generate("quiet-eo", rate_hz=100, duration_s=5, seed=1)
    device = GkfpPlate(signal, PlateConfig(rate_hz=100))
    with PtyRunner(device, stable_path=True) as runner:
        host = Host(runner.path)
        assert host.command(b"INFO\n")[:2] == (0x04, 0)
        runner.unplug()
        assert not runner.plugged
        with pytest.raises(serial.SerialException):
            host.pump(0.5)
        host.port.close()
        runner.replug()
        assert Host(runner.path).command(b"INFO\n")[:2] == (0x04, 0)


def test_a_stream_left_running_by_a_closed_host_is_stopped_by_the_next_one(
    plate: tuple[GkfpPlate, PtyRunner],
) -> None:
    device, runner = plate
    first = Host(runner.path)
    first.open_stream()
    first.pump(0.2)
    first.port.close()
    time.sleep(0.3)
    assert not runner.host_connected
    second = Host(runner.path)
    second.pump(0.2)
    assert any(f.kind == SAMPLES for f in second.parse()[0])  # still streaming
    assert second.command(b"STOP\n")[:2] == (0x02, 0)
    assert len(second.acks()) == 1
    assert device.injected.offline_frames >= 20


def test_an_hx711_board_resets_when_the_port_opens_then_prints_its_banner_and_records() -> None:
    signal = generate("quiet-eo", rate_hz=80, duration_s=20, seed=3)
    config = PlateConfig(serial="HX-9", rate_hz=80, startup_delay_s=0.3)
    board = Hx711Plate(signal, config)
    with PtyRunner(board, rate_hz=80) as runner:
        for _ in range(2):  # the second open resets the board again
            host = Host(runner.path)
            host.pump(0.25)
            assert b"".join(d for _, d in host.chunks) == b""  # still booting
            host.pump(1.0)
            host.port.write(b"?\n")
            host.pump(0.1)
            lines = b"".join(d for _, d in host.chunks).split(b"\r\n")
            assert lines[0] == b"# GKHX/1 fw=1.0.0 sn=HX-9 rate=80"
            records = [line for line in lines[1:-1] if not line.startswith(b"#")]
            t_ms = [int(line.split(b",")[0]) for line in records]
            assert lines.count(b"# GKHX/1 fw=1.0.0 sn=HX-9 rate=80") == 2  # boot and "?"
            assert 300 <= t_ms[0] <= 320
            assert set(np.diff(t_ms)) <= {12, 13}
            assert len(records) == pytest.approx(80 * (1.35 - 0.3), abs=6)
            host.port.close()
            time.sleep(0.1)
