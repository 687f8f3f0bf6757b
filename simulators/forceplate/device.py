"""Simulated plate firmware: the GKFP/1 state machine (§2.8) and an HX711 streaming board (§3.2).

A device turns "samples due up to index k" into bytes: the caller (the pty runner) owns time. The
sample clock runs from power-up whether or not the device streams, so the tick of the first frame
after a START shows where in time it is. Counts are ``round((F − offset) / slope)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from simulators.forceplate import wire
from simulators.forceplate.faults import FaultPlan, InjectedFaults
from simulators.human.scenarios import ScenarioSignal

START, STOP, TARE, INFO, UNPARSEABLE = 0x01, 0x02, 0x03, 0x04, 0xFF
OK, UNKNOWN_COMMAND, BAD_ARGUMENT, INVALID_STATE = 0x00, 0x01, 0x02, 0x03
DEFAULT_SLOPE = 2.0**-10
DEFAULT_OFFSETS = (-12.5, 3.25, 0.0, -7.75)
MAX_COUNT = (1 << 23) - 1
HX711_FAULTS_AFTER_S = 2.0  # boards stream from power-up: leave the host time to open the port


@dataclass
class PlateConfig:
    """Identity, rate and calibration of a simulated plate."""

    serial: str = "GKFP-SIM0001"
    rate_hz: int = 1000
    spacing_mm: tuple[float, float] = (500.0, 400.0)
    slopes: tuple[float, ...] = (DEFAULT_SLOPE,) * 4
    offsets: tuple[float, ...] = DEFAULT_OFFSETS
    faults: FaultPlan = field(default_factory=FaultPlan)
    seed: int = 0

    @property
    def samples_per_frame(self) -> int:
        """Samples per SAMPLES frame: at most 100 frames per second."""
        return max(1, self.rate_hz // 100)


class SimulatedPlate:
    """Shared by both protocols: the signal as raw counts, the sample clock, injected faults."""

    def __init__(self, signal: ScenarioSignal, config: PlateConfig) -> None:
        self.config = config
        raw = (signal.loads_n - np.asarray(config.offsets)) / np.asarray(config.slopes)
        self._counts = np.clip(np.rint(raw), -MAX_COUNT - 1, MAX_COUNT).astype(np.int64)
        self._rng = np.random.default_rng(config.seed)
        self.injected = InjectedFaults()
        self.next_index = 0

    def counts(self, start: int, stop: int) -> npt.NDArray[np.int64]:
        """Raw counts of samples [start, stop), looping over the scenario."""
        rows = np.arange(start, stop) % self._counts.shape[0]
        selected: npt.NDArray[np.int64] = self._counts[rows]
        return selected

    def skip(self, due_index: int) -> None:
        """Let the sample clock run without sending (no host to send to): those samples are lost."""
        self.next_index = max(self.next_index, due_index)

    def garbage(self) -> bytes:
        """Return a burst of random bytes without 0xA5."""
        size = int(self._rng.integers(3, 40))
        data = bytes(int(b) for b in self._rng.integers(0, 0xA5, size))
        self.injected.garbage_bursts += 1
        self.injected.garbage_bytes += size
        return data


class GkfpPlate(SimulatedPlate):
    """GKFP/1 firmware: commands, STATUS, SAMPLES frames with faults."""

    def __init__(self, signal: ScenarioSignal, config: PlateConfig) -> None:
        super().__init__(signal, config)
        self.streaming = False
        self._seq = 0
        self._frame_index = 0

    def _next_seq(self) -> int:
        seq, self._seq = self._seq, (self._seq + 1) & 0xFFFF
        return seq

    def _status(self) -> bytes:
        c = self.config
        return wire.status_frame(
            self._next_seq(),
            serial=c.serial,
            rate_hz=c.rate_hz,
            samples_per_frame=c.samples_per_frame,
            streaming=self.streaming,
            flags=0,
            spacing_mm=c.spacing_mm,
            calibration=tuple(zip(c.slopes, c.offsets, strict=True)),
        )

    def command(self, line: bytes, due_index: int) -> bytes:
        """Answer one command line with exactly one ACK (and STATUS after INFO)."""
        words = line.strip(b"\r").decode("ascii", errors="replace").split()
        if not words:
            return b""
        keyword, args = words[0], words[1:]
        if keyword == "STOP" and not args:
            self.streaming = False
            return wire.ack_frame(self._next_seq(), STOP, OK)
        if keyword == "INFO" and not args:
            return wire.ack_frame(self._next_seq(), INFO, OK) + self._status()
        if keyword == "START":
            return self._start(args, due_index)
        if keyword == "TARE":
            return wire.ack_frame(self._next_seq(), TARE, OK, max(1, self.config.rate_hz // 2))
        return wire.ack_frame(self._next_seq(), UNPARSEABLE, UNKNOWN_COMMAND)

    def _start(self, args: list[str], due_index: int) -> bytes:
        rate = self.config.rate_hz
        if args and args != [str(rate)]:
            code = INVALID_STATE if self.streaming else BAD_ARGUMENT
            return wire.ack_frame(self._next_seq(), START, code)
        if not self.streaming:
            self.streaming = True
            self.next_index = due_index
        return wire.ack_frame(self._next_seq(), START, OK, rate)

    def produce(self, due_index: int) -> bytes:
        """Frames for every whole frame of samples due, or nothing while idle."""
        if not self.streaming:
            self.next_index = due_index
            return b""
        n, period_us = self.config.samples_per_frame, 1_000_000 // self.config.rate_hz
        out = bytearray()
        while self.next_index + n <= due_index:
            start, self.next_index = self.next_index, self.next_index + n
            out += self._frame(start, n, period_us)
        return bytes(out)

    def _frame(self, start: int, n: int, period_us: int) -> bytes:
        faults, index = self.config.faults, self._frame_index
        self._frame_index += 1
        if faults.hits("drop", index):
            self.injected.dropped_frames += 1
            self.injected.dropped_samples += n
            return b""
        frame = bytearray(
            wire.samples_frame(self._next_seq(), start * period_us, self.counts(start, start + n))
        )
        if faults.hits("crc", index):
            frame[-1] ^= 0xFF
            self.injected.corrupted_frames += 1
        if faults.hits("garbage", index):
            frame += self.garbage()
        return bytes(frame)


class Hx711Plate(SimulatedPlate):
    """An HX711 board: a banner, then one line per sample, no commands."""

    def command(self, line: bytes, due_index: int) -> bytes:  # noqa: ARG002 - same interface
        """Answer ``?`` with the banner; ignore anything else."""
        return (
            wire.hx711_banner(self.config.serial, self.config.rate_hz)
            if line.strip() == b"?"
            else b""
        )

    def banner(self) -> bytes:
        """Return the line printed after a reset."""
        return wire.hx711_banner(self.config.serial, self.config.rate_hz)

    def produce(self, due_index: int) -> bytes:
        """Lines for every sample due, with dropped lines and garbage as injected."""
        start, self.next_index = self.next_index, due_index
        if due_index <= start:
            return b""
        out = bytearray()
        first_fault = round(HX711_FAULTS_AFTER_S * self.config.rate_hz)
        for index in range(start, due_index):
            if self.config.faults.hits("drop", index - first_fault):
                self.injected.dropped_frames += 1
                self.injected.dropped_samples += 1
                continue
            t_ms = np.array([round(index * 1000 / self.config.rate_hz)])
            out += wire.hx711_lines(t_ms, self.counts(index, index + 1))
        return bytes(out)
