"""Simulated plate firmware: the GKFP/1 state machine (§2.8) and an HX711 streaming board (§3.2).

A plate turns time into bytes; the caller (the pty runner) owns the clock and passes ``now_us``,
microseconds since power-up. Both plates sample on a grid fixed at power-up (sample k at
``k · period``), whether or not anybody listens, and read the person's loads at that moment
(the scenario signal, looped; nearest sample when the plate's rate differs from the signal's;
``place`` puts another load on, e.g. a calibration mass).
The ADC turns loads into counts with ``raw_counts`` (calibration ``F = slope·count + offset``,
Gaussian noise, 24-bit clipping), precomputed once for the whole signal.

GKFP/1 (§2.2–2.8): one sequence counter for every frame; STATUS at power-up, after INFO and TARE
and whenever the state or flags change; exactly one ACK per command line; ACK(START) before the
first SAMPLES frame and ACK(STOP) after the last; a free-running µs tick (``tick_origin_us`` at
power-up, wrapping at 2³²) that START does not reset; ``samples_per_frame`` = ⌈rate/100⌉, so at
most 100 frames per second (10 at 1000 Hz). TARE averages the next max(1, rate/2) samples. No ADC
failures are simulated, so the plate never enters FAULT. HX711 (§3.2): no state; a reset (at
power-up and, like an Arduino's DTR reset, whenever a host opens the port) restarts ``millis()``
and prints the banner after ``startup_delay_s``, then one record per sample; ``?`` prints the
banner again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import numpy.typing as npt

from simulators.forceplate import wire
from simulators.forceplate.faults import FaultPlan, InjectedFaults, gkfp_garbage, hx711_garbage

IntArray = npt.NDArray[np.int64]
DEFAULT_SLOPE = 2.0**-10  # N per count, golden vector V5
DEFAULT_OFFSETS = (-12.5, 3.25, 0.0, -7.75)  # N, golden vector V5
ADC_NOISE_COUNTS = 1.0  # model choice
COUNT_MIN, COUNT_MAX = -(1 << 23), (1 << 23) - 1
MAX_LINE_BYTES = 32  # §2.8, including the LF
KEYWORDS = {"START": wire.START, "STOP": wire.STOP, "TARE": wire.TARE, "INFO": wire.INFO}


class LoadSignal(Protocol):
    """What a plate reads: corner loads (n × 4: FL, FR, BL, BR, N) at ``rate_hz``, looped.

    A person's scenario (simulators.human.scenarios.ScenarioSignal) or a resting mass
    (simulators.forceplate.masses.StaticLoad).
    """

    @property
    def rate_hz(self) -> float:
        """Samples per second of ``loads_n``."""
        ...

    @property
    def loads_n(self) -> npt.NDArray[np.float64]:
        """Corner loads (n × 4, N)."""
        ...


def raw_counts(
    loads_n: npt.ArrayLike,
    *,
    rng: np.random.Generator,
    slopes: tuple[float, ...] = (DEFAULT_SLOPE,) * 4,
    offsets: tuple[float, ...] = DEFAULT_OFFSETS,
    noise_counts: float = ADC_NOISE_COUNTS,
) -> IntArray:
    """Raw 24-bit counts for loads (N): round((F − offset)/slope + noise), clipped to 24 bits."""
    exact = (np.asarray(loads_n, dtype=np.float64) - np.asarray(offsets)) / np.asarray(slopes)
    if noise_counts > 0:
        exact = exact + rng.normal(0.0, noise_counts, exact.shape)
    counts: IntArray = np.clip(np.rint(exact), COUNT_MIN, COUNT_MAX).astype(np.int64)
    return counts


def valid_rate(rate_hz: int) -> bool:
    """Whether GKFP/1 allows this rate: 1–1000 Hz with an integer period in µs (§2.1)."""
    return 1 <= rate_hz <= 1000 and 1_000_000 % rate_hz == 0


def samples_per_frame(rate_hz: int) -> int:
    """Return the samples per SAMPLES frame, ⌈rate/100⌉: at most 100 frames per second."""
    return min(64, max(1, math.ceil(rate_hz / 100)))


@dataclass(frozen=True, slots=True)
class PlateConfig:
    """Identity, rate, geometry, calibration, faults and timing of a simulated plate."""

    serial: str = "GKFP-SIM0001"
    rate_hz: int = 1000
    spacing_mm: tuple[float, float] = (500.0, 400.0)
    slopes: tuple[float, ...] = (DEFAULT_SLOPE,) * 4
    offsets: tuple[float, ...] = DEFAULT_OFFSETS
    faults: FaultPlan = field(default_factory=FaultPlan)
    seed: int = 0
    adc_noise_counts: float = ADC_NOISE_COUNTS
    firmware: tuple[int, int, int] = (1, 0, 0)
    default_calibration: bool = False  # STATUS flag b2
    tick_origin_us: int = 0  # GKFP/1 tick at power-up
    millis_origin_ms: int = 0  # HX711 millis() at a reset
    startup_delay_s: float = 2.0  # HX711: from a reset to the banner and the first record
    reset_on_open: bool = True  # HX711: a host opening the port resets the board (DTR)

    @property
    def samples_per_frame(self) -> int:
        """Samples per SAMPLES frame at the configured rate."""
        return samples_per_frame(self.rate_hz)


class _Loads:
    """The person's loads as raw counts, looked up by time since power-up.

    The signal's first row is read at ``origin_us`` and the signal loops both ways from there.
    """

    def __init__(self, signal: LoadSignal, config: PlateConfig, origin_us: int = 0) -> None:
        rng = np.random.default_rng(config.seed)
        self._counts = raw_counts(
            signal.loads_n,
            rng=rng,
            slopes=config.slopes,
            offsets=config.offsets,
            noise_counts=config.adc_noise_counts,
        )
        self._rate_hz = signal.rate_hz
        self._origin_us = origin_us

    def at(self, times_us: npt.ArrayLike) -> IntArray:
        """Return the counts (n × 4) of samples taken at ``times_us``, looping over the signal."""
        since_us = np.asarray(times_us, dtype=np.float64) - self._origin_us
        rows = np.rint(since_us * self._rate_hz / 1e6)
        selected: IntArray = self._counts[rows.astype(np.int64) % self._counts.shape[0]]
        return selected


class _Lines:
    """Splits received bytes into command lines; a line too long is kept only as a flag."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._buffer = bytearray()
        self._overlong = False

    def feed(self, data: bytes) -> list[bytes | None]:
        """Complete lines without LF (one CR stripped), None for a line over the limit."""
        lines: list[bytes | None] = []
        for byte in data:
            if byte == 0x0A:
                lines.append(None if self._overlong else bytes(self._buffer).removesuffix(b"\r"))
                self._buffer.clear()
                self._overlong = False
            elif len(self._buffer) + 2 > self._limit:
                self._overlong = True
            else:
                self._buffer.append(byte)
        return lines


class GkfpPlate:
    """GKFP/1 firmware: commands in, ACK/STATUS/SAMPLES frames out, faults as planned."""

    def __init__(self, signal: LoadSignal, config: PlateConfig) -> None:
        self.config = config
        self.injected = InjectedFaults()
        self._loads = _Loads(signal, config)
        self._rng = np.random.default_rng([config.seed, 1])
        self._power_on()

    def place(self, signal: LoadSignal, *, from_us: int = 0) -> None:
        """Put another load on the plate: samples taken from now on read ``signal`` (looped).

        The sample grid, sequence numbers and tick continue; only what the cells carry changes, as
        when a trainer moves a calibration mass. Safe to call while a runner drives the plate.
        ``from_us`` (µs since power-up) is when the signal's first row is read: 0 keeps the signal
        in step with power-up (a steady load does not care), ``now_us`` starts a person's scenario
        from its beginning now, so what the scenario does first (a quiet baseline, sitting before
        the first rise) is what the host sees first.
        """
        self._loads = _Loads(signal, self.config, from_us)

    def _power_on(self) -> None:
        self.state = wire.IDLE
        self.rate_hz = self.config.rate_hz
        self.offsets = self.config.offsets
        self.flags = wire.FLAG_DEFAULT_CALIBRATION if self.config.default_calibration else 0
        self._seq = 0
        self._next_sample = 0
        self._tare: tuple[int, int, int] | None = None  # first sample (µs), samples, period
        self._lines = _Lines(MAX_LINE_BYTES)
        self._fault_index = 0

    @property
    def period_us(self) -> int:
        """Sample period at the rate in use (µs)."""
        return 1_000_000 // self.rate_hz

    def _next_seq(self) -> int:
        seq, self._seq = self._seq, (self._seq + 1) & 0xFFFF
        return seq

    def status(self) -> bytes:
        """Return a STATUS frame with the current state, flags, rate and calibration."""
        fields = wire.StatusFields(
            serial=self.config.serial,
            rate_hz=self.rate_hz,
            samples_per_frame=samples_per_frame(self.rate_hz),
            spacing_mm=self.config.spacing_mm,
            calibration=tuple(zip(self.config.slopes, self.offsets, strict=True)),
            firmware=self.config.firmware,
            state=self.state,
            flags=self.flags,
        )
        return wire.status_frame(self._next_seq(), fields)

    def _ack(self, command: int, result: int, value: int = 0) -> bytes:
        return wire.ack_frame(self._next_seq(), command, result, value)

    def power_up(self, now_us: int) -> bytes:  # noqa: ARG002 - the runner's firmware interface
        """Reset to the power-up state; return the unsolicited STATUS (§2.5)."""
        self._power_on()
        return self.status()

    def host_opened(self, now_us: int) -> bytes:  # noqa: ARG002 - the runner's firmware interface
        """Do nothing: GKFP/1 firmware must not depend on DTR/RTS (§2.1)."""
        return b""

    def receive(self, data: bytes, now_us: int) -> bytes:
        """Answer the command lines in ``data`` (after sending every frame already due)."""
        out = bytearray(self.advance(now_us, online=True))
        for line in self._lines.feed(data):
            out += self._command(line, now_us)
        return bytes(out)

    def _command(self, line: bytes | None, now_us: int) -> bytes:
        if line is None:
            return self._ack(wire.UNPARSEABLE, wire.UNKNOWN_COMMAND)
        if not line:
            return b""
        keyword, space, argument = line.decode("ascii", errors="replace").partition(" ")
        code = KEYWORDS.get(keyword)
        if code is None:
            return self._ack(wire.UNPARSEABLE, wire.UNKNOWN_COMMAND)
        if code == wire.START and (not space or argument.isdecimal()):
            return self._start(int(argument) if space else self.rate_hz, now_us)
        if space:
            return self._ack(code, wire.BAD_ARGUMENT)
        handlers = {wire.STOP: self._stop, wire.TARE: self._start_tare, wire.INFO: self._info}
        return handlers[code](now_us)

    def _stop(self, now_us: int) -> bytes:  # noqa: ARG002 - one signature for every command
        was_streaming = self.state == wire.STREAMING
        self.state = wire.IDLE
        return self._ack(wire.STOP, wire.OK) + (self.status() if was_streaming else b"")

    def _start_tare(self, now_us: int) -> bytes:
        count, period = max(1, self.rate_hz // 2), self.period_us
        self._tare = (-(-now_us // period) * period, count, period)
        return self._ack(wire.TARE, wire.OK, count)

    def _info(self, now_us: int) -> bytes:  # noqa: ARG002 - one signature for every command
        return self._ack(wire.INFO, wire.OK) + self.status()

    def _start(self, rate_hz: int, now_us: int) -> bytes:
        if not valid_rate(rate_hz):
            return self._ack(wire.START, wire.BAD_ARGUMENT)
        if self.state == wire.STREAMING:
            if rate_hz != self.rate_hz:
                return self._ack(wire.START, wire.INVALID_STATE)
            return self._ack(wire.START, wire.OK, rate_hz)
        self.rate_hz, self.state = rate_hz, wire.STREAMING
        self._next_sample = -(-now_us // self.period_us)  # the first sample at or after now
        return self._ack(wire.START, wire.OK, rate_hz) + self.status()

    def advance(self, now_us: int, *, online: bool) -> bytes:
        """Every SAMPLES frame whose last sample is taken by ``now_us``, then a finished tare."""
        out = bytearray()
        n, period = samples_per_frame(self.rate_hz), self.period_us
        while self.state == wire.STREAMING and (self._next_sample + n - 1) * period <= now_us:
            out += self._samples(self._next_sample, n, online=online)
            self._next_sample += n
        if self._tare is not None and self._tare[0] + (self._tare[1] - 1) * self._tare[2] <= now_us:
            out += self._finish_tare(*self._tare)
        return bytes(out)

    def _finish_tare(self, first_us: int, count: int, period_us: int) -> bytes:
        self._tare = None
        mean = self._loads.at(first_us + np.arange(count) * period_us).mean(axis=0)
        slopes = self.config.slopes
        self.offsets = tuple(-slope * float(m) for slope, m in zip(slopes, mean, strict=True))
        self.flags |= wire.FLAG_TARE_ACTIVE
        return self.status()

    def _samples(self, first: int, n: int, *, online: bool) -> bytes:
        seq, injected = self._next_seq(), self.injected
        if not online:
            injected.offline_frames += 1
            injected.offline_samples += n
            return b""
        plan, index = self.config.faults, self._fault_index
        self._fault_index += 1
        out = b""
        if plan.hits("drop", index):
            injected.dropped_frames += 1
            injected.dropped_samples += n
        else:
            times_us = (first + np.arange(n)) * self.period_us
            tick = self.config.tick_origin_us + first * self.period_us
            out = wire.samples_frame(seq, tick, self._loads.at(times_us))
            injected.frames_sent += 1
            injected.samples_sent += n
            if plan.hits("crc", index):
                out = out[:-2] + bytes([out[-2] ^ 0xFF]) + out[-1:]
                injected.corrupted_frames += 1
                injected.corrupted_samples += n
        if plan.hits("garbage", index):
            burst = gkfp_garbage(self._rng)
            injected.garbage_bursts += 1
            injected.garbage_bytes += len(burst)
            out += burst
        return out


class Hx711Plate:
    """An HX711 board: after each reset a banner, then one ASCII record per sample."""

    def __init__(self, signal: LoadSignal, config: PlateConfig) -> None:
        self.config = config
        self.injected = InjectedFaults()
        self._loads = _Loads(signal, config)
        self._rng = np.random.default_rng([config.seed, 2])
        self._lines = _Lines(128)
        self._fault_index = 0
        self._reset_us: int | None = None
        self._banner_due = False
        self._next_sample = 0

    @property
    def period_us(self) -> float:
        """Sample period (µs)."""
        return 1e6 / self.config.rate_hz

    def banner(self) -> bytes:
        """Return the information line printed after a reset and on ``?``."""
        return wire.hx711_banner(self.config.serial, self.config.rate_hz)

    def _reset(self, now_us: int) -> None:
        self._reset_us = now_us
        self._banner_due = True
        self._next_sample = 0

    def power_up(self, now_us: int) -> bytes:
        """Boot: the banner and the records follow after the startup delay."""
        self._reset(now_us)
        return b""

    def host_opened(self, now_us: int) -> bytes:
        """Reset, as a board does when a host opens the port (DTR), unless configured not to."""
        if self.config.reset_on_open:
            self._reset(now_us)
        return b""

    def receive(self, data: bytes, now_us: int) -> bytes:
        """Answer ``?`` with the banner once booted; other input is ignored, as by the sketch."""
        out = self.advance(now_us, online=True)
        asked = sum(line is not None and line.strip() == b"?" for line in self._lines.feed(data))
        booting = self._reset_us is None or self._banner_due  # the sketch is not running yet
        return out + (b"" if booting else self.banner() * asked)

    def advance(self, now_us: int, *, online: bool) -> bytes:
        """Return the banner once booted, then a record for every sample taken by ``now_us``."""
        if self._reset_us is None:
            return b""
        boot_us = self._reset_us + self.config.startup_delay_s * 1e6
        out = bytearray()
        if self._banner_due and now_us >= boot_us:
            self._banner_due = False
            out += self.banner() if online else b""
        while now_us >= (taken_us := boot_us + self._next_sample * self.period_us):
            out += self._record(taken_us, online=online)
            self._next_sample += 1
        return bytes(out)

    def _record(self, taken_us: float, *, online: bool) -> bytes:
        injected = self.injected
        if not online:
            injected.offline_frames += 1
            injected.offline_samples += 1
            return b""
        plan, index = self.config.faults, self._fault_index
        self._fault_index += 1
        out = b""
        if plan.hits("drop", index):
            injected.dropped_frames += 1
            injected.dropped_samples += 1
        else:
            assert self._reset_us is not None  # noqa: S101 - set before any record
            t_ms = self.config.millis_origin_ms + int((taken_us - self._reset_us) // 1000)
            out = wire.hx711_line(t_ms, self._loads.at([taken_us])[0])
            injected.frames_sent += 1
            injected.samples_sent += 1
            if plan.hits("crc", index):
                out = b"O" + out[1:]  # the first digit of t_ms becomes a letter
                injected.corrupted_frames += 1
                injected.corrupted_samples += 1
        if plan.hits("garbage", index):
            burst = hx711_garbage(self._rng)
            injected.garbage_bursts += 1
            injected.garbage_bytes += len(burst)
            out += burst
        return out
