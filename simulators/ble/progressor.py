"""An emulated Tindeq Progressor (tindeq-progressor.md): a force gauge replaying a grip trial.

An independent implementation of the device side: the UUIDs, command tags and the sample layout
(float32 kgf + u32 µs, little-endian) are written here from the specification. Commands arrive on
the control point as ``[tag]`` or ``[tag, 00]`` (both forms are in use, §3); unknown tags are
ignored. The gauge samples the trial (``time_s``, ``force_kgf``, linearly interpolated) at
``rate_hz`` from its first time on. START_WEIGHT_MEAS replays those samples in real time
(``speed`` > 1 replays faster) with time stamps ``period`` apart from a µs clock that wraps at
2³²; the clock reads ``clock_start_us`` at the first START after power-up and then runs freely
(at ``speed`` times real time). Samples leave in full notifications of as many samples as the
MTU allows (2 at the default ATT MTU, 30 at 247). After the trial the gauge reads zero until
STOP. Every reading carries ``tare_offset_kgf`` until a TARE (only while streaming) zeroes the
current reading. Version, battery and error-log queries get tag-0 answers; ENTER_SLEEP switches
the device off. The gauge stops measuring when its link drops (a model choice).

Faults (``ProgressorFaults``): data notifications left out (``drop_every``, the 0-based indices
in ``drop_notifications``, or each with ``drop_probability``, seeded), a garbage notification
after every ``garbage_every``-th one, a slow link (``slow_link_s`` before each notification) and a
low-power warning (tag 4) after ``low_power_after`` notifications; on demand ``send_garbage`` and
``send_low_power_warning``; switching off mid-trial is the base class's ``power_off``. Garbage
comes in three kinds: a tag-1 length that is not a multiple of 8, an unknown tag, and a NaN
weight carrying the last sample's time stamp (so it never looks like a missing sample).

Ground truth (``trace``): every sample notified, as (kgf rounded to float32, device µs), the
notifications sent, dropped and the garbage sent; ``samples_kgf`` holds what the gauge measures
at each of its samples before offset and tare.
"""

from __future__ import annotations

import asyncio
import math
import struct
import time
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from bumble.gatt import Characteristic, Service

from simulators.ble.link import LocalLink
from simulators.ble.peripheral import Peripheral

__all__ = [
    "CONTROL_POINT_UUID",
    "DATA_POINT_UUID",
    "DEFAULT_NAME",
    "SERVICE_UUID",
    "ProgressorFaults",
    "ProgressorPeripheral",
    "SentTrace",
]

SERVICE_UUID = "7e4e1701-1ea6-40c9-9dcc-13d34ffead57"
DATA_POINT_UUID = "7e4e1702-1ea6-40c9-9dcc-13d34ffead57"
CONTROL_POINT_UUID = "7e4e1703-1ea6-40c9-9dcc-13d34ffead57"
DEFAULT_NAME = "Progressor_5A1C"

_TARE, _START, _STOP, _VERSION, _ERRORS, _SLEEP, _BATTERY = 0x64, 0x65, 0x66, 0x6B, 0x6C, 0x6E, 0x6F
_SAMPLE = struct.Struct("<fI")
_HEADER = 2  # tag, length
_MAX_SAMPLES = 255 // _SAMPLE.size  # the length byte limits a notification to 31 samples
_WRAP = 1 << 32
_NAN = struct.pack("<f", math.nan)


@dataclass(frozen=True, slots=True)
class ProgressorFaults:
    """Which data notifications go wrong (every k-th, listed, random) and how the link behaves."""

    drop_every: int = 0
    drop_notifications: tuple[int, ...] = ()  # 0-based indices of data notifications
    drop_probability: float = 0.0
    garbage_every: int = 0
    slow_link_s: float = 0.0
    low_power_after: int = 0
    seed: int = 0


@dataclass
class SentTrace:
    """Ground truth: the samples notified (kgf as float32, device µs) and what else was sent."""

    weights_kgf: list[float] = field(default_factory=list)
    timestamps_us: list[int] = field(default_factory=list)
    notifications: int = 0  # tag-1 notifications sent
    dropped_notifications: int = 0
    dropped_samples: int = 0
    garbage: list[bytes] = field(default_factory=list)
    low_power_warnings: int = 0
    sent_at_ns: dict[int, int] = field(default_factory=dict)  # first sample's µs -> host clock

    @property
    def samples(self) -> list[tuple[float, int]]:
        """The samples notified, as (kgf, device µs) pairs."""
        return list(zip(self.weights_kgf, self.timestamps_us, strict=True))


class ProgressorPeripheral(Peripheral):
    """A Progressor that replays the trial (``time_s``, ``force_kgf``) at each START."""

    def __init__(  # noqa: PLR0913 (the trial, the device's state and the faults)
        self,
        link: LocalLink,
        time_s: npt.ArrayLike,
        force_kgf: npt.ArrayLike,
        *,
        name: str = DEFAULT_NAME,
        rate_hz: float = 80.0,
        tare_offset_kgf: float = 0.0,
        battery_mv: int = 3915,
        version: str = "1.2.3-sim",
        clock_start_us: int = 0,
        speed: float = 1.0,
        faults: ProgressorFaults | None = None,
    ) -> None:
        source_t = np.asarray(time_s, dtype=np.float64)
        source_f = np.asarray(force_kgf, dtype=np.float64)
        if source_t.shape != source_f.shape or source_t.ndim != 1 or source_t.size < 2:
            raise ValueError("expected time_s and force_kgf of the same length, 2 samples or more")
        if rate_hz <= 0 or speed <= 0:
            raise ValueError(f"rate_hz={rate_hz}, speed={speed}; expected positive numbers")
        count = math.floor((source_t[-1] - source_t[0]) * rate_hz + 1e-6) + 1
        self.samples_kgf = np.interp(source_t[0] + np.arange(count) / rate_hz, source_t, source_f)
        self.rate_hz = rate_hz
        self.offset_kgf = tare_offset_kgf
        self.battery_mv = battery_mv
        self.version = version
        self.clock_start_us = clock_start_us
        self.speed = speed
        self.faults = faults or ProgressorFaults()
        self.trace = SentTrace()
        self.commands: list[bytes] = []
        self._rng = np.random.default_rng(self.faults.seed)
        self._epoch: tuple[float, int] | None = None  # (monotonic s, device µs) at the first START
        self._tare_kgf = 0.0
        self._reading_kgf = tare_offset_kgf
        self._data_index = 0
        self._last_stamp = 0
        self._stream: asyncio.Task[None] | None = None
        self._background: set[asyncio.Task[None]] = set()
        self.data_point = Characteristic(
            DATA_POINT_UUID, Characteristic.Properties.NOTIFY, Characteristic.READABLE, b""
        )
        self.control_point = Characteristic(
            CONTROL_POINT_UUID, Characteristic.Properties.WRITE, Characteristic.WRITEABLE, b""
        )
        self.control_point.on("write", self._on_write)
        super().__init__(
            link,
            name,
            [Service(SERVICE_UUID, [self.data_point, self.control_point])],
            [SERVICE_UUID],
        )

    @property
    def streaming(self) -> bool:
        """Whether START has been received and neither STOP nor a link loss has followed."""
        return self._stream is not None and not self._stream.done()

    def samples_per_notification(self) -> int:
        """Return the samples of a full tag-1 notification at the current MTU (2 at MTU 23)."""
        return max(1, min(_MAX_SAMPLES, (self.max_payload() - _HEADER) // _SAMPLE.size))

    async def start(self) -> None:
        """Switch on: the µs clock restarts at ``clock_start_us`` with the next START."""
        if not self.is_on:
            self._epoch = None
        await super().start()

    async def stop(self) -> None:
        """Stop streaming and leave the link."""
        self._stop_stream()
        await super().stop()

    async def send_garbage(self, count: int, seed: int = 0) -> list[bytes]:
        """Notify ``count`` invalid notifications drawn with ``seed``; return them."""
        rng = np.random.default_rng(seed)
        sent = [self._garbage(int(rng.integers(3)), rng) for _ in range(count)]
        for payload in sent:
            await self._notify_garbage(payload)
        return sent

    async def send_low_power_warning(self) -> None:
        """Notify a low-power warning (tag 4, empty payload)."""
        if self.is_subscribed(self.data_point):
            self.trace.low_power_warnings += 1
        await self._notify(b"\x04\x00")

    def _on_write(self, _connection: Any, value: bytes) -> None:
        self.commands.append(bytes(value))
        tag = value[0] if value else None
        if tag == _START and not self.streaming:
            self._stream = asyncio.get_running_loop().create_task(self._replay())
        elif tag == _STOP:
            self._stop_stream()
        elif tag == _TARE and self.streaming:
            self._tare_kgf = self._reading_kgf
        elif tag == _VERSION:
            text = self.version.encode("ascii")
            self._spawn(self._notify(bytes([0, len(text)]) + text))
        elif tag == _ERRORS:
            self._spawn(self._notify(b"\x00\x00"))  # no crash log
        elif tag == _BATTERY:
            self._spawn(self._notify(b"\x00\x04" + self.battery_mv.to_bytes(4, "little")))
        elif tag == _SLEEP:
            self._stop_stream()
            self._spawn(self.power_off())

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def _stop_stream(self) -> None:
        if self._stream is not None:
            self._stream.cancel()
            self._stream = None

    def _device_us(self) -> int:
        now = time.monotonic()
        if self._epoch is None:
            self._epoch = (now, self.clock_start_us)
        started, start_us = self._epoch
        return start_us + round((now - started) * self.speed * 1e6)

    async def _replay(self) -> None:
        """Send the samples as they fall due, in full notifications; then zeros until STOP."""
        first_us = self._device_us()
        started = time.monotonic()
        sent = 0
        while self.connection_count:
            per_notification = self.samples_per_notification()
            due = int((time.monotonic() - started) * self.speed * self.rate_hz) + 1
            while due - sent >= per_notification:
                await self._send_samples(range(sent, sent + per_notification), first_us)
                sent += per_notification
            full_at_s = (sent + per_notification - 1) / (self.rate_hz * self.speed)
            await asyncio.sleep(max(0.0, full_at_s - (time.monotonic() - started)))
        self._stream = None

    def _sample(self, index: int, first_us: int) -> tuple[float, int]:
        force = float(self.samples_kgf[index]) if index < self.samples_kgf.size else 0.0
        self._reading_kgf = force + self.offset_kgf
        weight = float(np.float32(self._reading_kgf - self._tare_kgf))
        return weight, (first_us + round(index * 1e6 / self.rate_hz)) % _WRAP

    def _dropped(self, index: int) -> bool:
        faults = self.faults
        return (
            (faults.drop_every > 0 and (index + 1) % faults.drop_every == 0)
            or index in faults.drop_notifications
            or (faults.drop_probability > 0 and self._rng.random() < faults.drop_probability)
        )

    async def _send_samples(self, indices: range, first_us: int) -> None:
        samples = [self._sample(j, first_us) for j in indices]
        trace, faults, index = self.trace, self.faults, self._data_index
        self._data_index += 1
        if self._dropped(index):
            trace.dropped_notifications += 1
            trace.dropped_samples += len(samples)
        else:
            payload = b"".join(_SAMPLE.pack(w, t) for w, t in samples)
            if self.is_subscribed(self.data_point):
                trace.notifications += 1
                trace.sent_at_ns[samples[0][1]] = time.monotonic_ns()
                trace.weights_kgf.extend(w for w, _ in samples)
                trace.timestamps_us.extend(t for _, t in samples)
                self._last_stamp = samples[-1][1]
            await self._notify(bytes([1, len(payload)]) + payload)
        if faults.garbage_every and (index + 1) % faults.garbage_every == 0:
            kind = (index + 1) // faults.garbage_every - 1
            await self._notify_garbage(self._garbage(kind % 3, self._rng))
        if faults.low_power_after and index + 1 == faults.low_power_after:
            await self.send_low_power_warning()

    def _garbage(self, kind: int, rng: np.random.Generator) -> bytes:
        """Kind 0: a tag-1 length not a multiple of 8; 1: an unknown tag; 2: a NaN weight."""
        if kind == 0:
            length = int(rng.choice([1, 3, 7, 9, 15]))
            return bytes([1, length]) + rng.bytes(length)
        if kind == 1:
            length = int(rng.integers(0, 9))
            return bytes([int(rng.integers(5, 256)), length]) + rng.bytes(length)
        return b"\x01\x08" + _NAN + self._last_stamp.to_bytes(4, "little")

    async def _notify_garbage(self, payload: bytes) -> None:
        if self.is_subscribed(self.data_point):
            self.trace.garbage.append(payload)
        await self._notify(payload)

    async def _notify(self, value: bytes) -> None:
        if self.faults.slow_link_s:
            await asyncio.sleep(self.faults.slow_link_s)
        await self.notify(self.data_point, value)
