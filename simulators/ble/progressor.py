"""An emulated Tindeq Progressor (tindeq-progressor.md): a force gauge replaying a grip trial.

An independent implementation of the device side: the UUIDs, command tags and the sample layout
(float32 kgf + u32 µs, little-endian) are written here from the specification. Commands arrive on
the control point as ``[tag]`` or ``[tag, 00]`` (both forms are in use, §3). START_WEIGHT_MEAS
replays the trial's samples in real time (``speed`` > 1 replays faster) with time stamps from a
free-running µs clock that wraps at 2³²; samples are packed into notifications as the MTU allows
(2 per notification at the default ATT MTU). After the trial the gauge reads zero plus the
unremoved offset until STOP. TARE (only while streaming) zeroes the current reading. Version and
battery queries get tag-0 answers; ENTER_SLEEP switches the device off.

Faults (``ProgressorFaults``): notifications left out (``drop_every``), garbage notifications
(``garbage_every``), a slow link (``slow_link_s`` per notification) and a low-power warning
(tag 4) after a number of notifications; switching off mid-trial is the base class's
``power_off``.
"""

from __future__ import annotations

import asyncio
import struct
import time
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
]

SERVICE_UUID = "7e4e1701-1ea6-40c9-9dcc-13d34ffead57"
DATA_POINT_UUID = "7e4e1702-1ea6-40c9-9dcc-13d34ffead57"
CONTROL_POINT_UUID = "7e4e1703-1ea6-40c9-9dcc-13d34ffead57"
DEFAULT_NAME = "Progressor_5A1M"

_TARE, _START, _STOP, _VERSION, _SLEEP, _BATTERY = 0x64, 0x65, 0x66, 0x6B, 0x6E, 0x6F
_SAMPLE = struct.Struct("<fI")
_WRAP = 1 << 32
_GARBAGE = (b"\x01\x07\x00\x00\x48\x41\xe8\x03\x00", b"\x09\x00", b"\x01\x08\x00\x00\xc0\x7f")


@dataclass(frozen=True, slots=True)
class ProgressorFaults:
    """Which notifications go wrong: every k-th dropped or followed by garbage (0: never)."""

    drop_every: int = 0
    garbage_every: int = 0
    slow_link_s: float = 0.0
    low_power_after: int = 0


@dataclass
class SentTrace:
    """Ground truth: every sample notified (kgf as float32, device µs) and when each left."""

    weights_kgf: list[float] = field(default_factory=list)
    timestamps_us: list[int] = field(default_factory=list)
    notifications: int = 0
    dropped_samples: int = 0
    garbage: int = 0
    sent_at_ns: dict[int, int] = field(default_factory=dict)  # first sample's µs -> host clock


class ProgressorPeripheral(Peripheral):
    """A Progressor that replays ``force_kgf`` at ``time_s`` each time streaming starts."""

    def __init__(  # noqa: PLR0913 (the trial, the device's state and the faults)
        self,
        link: LocalLink,
        time_s: npt.ArrayLike,
        force_kgf: npt.ArrayLike,
        *,
        name: str = DEFAULT_NAME,
        tare_offset_kgf: float = 0.0,
        battery_mv: int = 3915,
        version: str = "1.2.3-sim",
        clock_start_us: int = 0,
        speed: float = 1.0,
        faults: ProgressorFaults | None = None,
    ) -> None:
        self.time_s = np.asarray(time_s, dtype=np.float64)
        self.force_kgf = np.asarray(force_kgf, dtype=np.float64)
        if self.time_s.shape != self.force_kgf.shape or self.time_s.size < 2:
            raise ValueError("expected time_s and force_kgf of the same length, 2 samples or more")
        self.period_s = float(np.median(np.diff(self.time_s)))
        self.offset_kgf = tare_offset_kgf
        self.battery_mv = battery_mv
        self.version = version
        self.speed = speed
        self.faults = faults or ProgressorFaults()
        self.trace = SentTrace()
        self.commands: list[bytes] = []
        self._clock_start_us = clock_start_us
        self._clock0 = time.monotonic()
        self._tare_kgf = 0.0
        self._reading_kgf = tare_offset_kgf
        self._stream: asyncio.Task[None] | None = None
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
        """Whether START has been received and STOP has not."""
        return self._stream is not None and not self._stream.done()

    async def stop(self) -> None:
        """Stop streaming and leave the link."""
        self._stop_stream()
        await super().stop()

    def _on_write(self, _connection: Any, value: bytes) -> None:
        self.commands.append(bytes(value))
        if not value:
            return
        tag = value[0]
        if tag == _START and not self.streaming:
            self._stream = asyncio.get_running_loop().create_task(self._replay())
        elif tag == _STOP:
            self._stop_stream()
        elif tag == _TARE and self.streaming:
            self._tare_kgf = self._reading_kgf
        elif tag == _VERSION:
            self._answer(self.version.encode("ascii"))
        elif tag == _BATTERY:
            self._answer(self.battery_mv.to_bytes(4, "little"))
        elif tag == _SLEEP:
            self._stop_stream()
            asyncio.get_running_loop().create_task(self.power_off())

    def _answer(self, payload: bytes) -> None:
        asyncio.get_running_loop().create_task(
            self.notify(self.data_point, bytes([0, len(payload)]) + payload)
        )

    def _stop_stream(self) -> None:
        if self._stream is not None:
            self._stream.cancel()
            self._stream = None

    def _device_us(self) -> int:
        return self._clock_start_us + round((time.monotonic() - self._clock0) * 1e6)

    async def _replay(self) -> None:
        """Send the samples as they fall due, in full notifications; then zeros until STOP.

        A notification leaves when it is full (as many samples as the MTU allows), so at the
        default MTU a 80 Hz stream is 40 notifications of 2 samples per second.
        """
        first_us = self._device_us()
        period_us = self.period_s * 1e6
        started = time.monotonic()
        k = 0
        while True:
            per_notification = max(1, self.max_payload() // _SAMPLE.size)
            elapsed_us = (time.monotonic() - started) * 1e6 * self.speed
            due = int(elapsed_us // period_us) + 1
            while due - k >= per_notification:
                indices = range(k, k + per_notification)
                await self._send(
                    [self._sample(j, first_us + round(j * period_us)) for j in indices]
                )
                k += per_notification
            full_at_s = (k + per_notification - 1) * period_us / self.speed / 1e6
            await asyncio.sleep(max(0.0, full_at_s - (time.monotonic() - started)))

    def _sample(self, index: int, device_us: int) -> tuple[float, int]:
        force = self.force_kgf[index] if index < self.force_kgf.size else 0.0
        self._reading_kgf = float(force) + self.offset_kgf
        weight = float(np.float32(self._reading_kgf - self._tare_kgf))
        return weight, device_us % _WRAP

    async def _send(self, samples: list[tuple[float, int]]) -> None:
        trace, faults = self.trace, self.faults
        trace.notifications += 1
        if faults.slow_link_s:
            await asyncio.sleep(faults.slow_link_s)
        if faults.drop_every and trace.notifications % faults.drop_every == 0:
            trace.dropped_samples += len(samples)
            return
        payload = b"".join(_SAMPLE.pack(w, t) for w, t in samples)
        trace.sent_at_ns[samples[0][1]] = time.monotonic_ns()
        await self.notify(self.data_point, bytes([1, len(payload)]) + payload)
        for weight, stamp in samples:
            trace.weights_kgf.append(weight)
            trace.timestamps_us.append(stamp)
        if faults.garbage_every and trace.notifications % faults.garbage_every == 0:
            trace.garbage += 1
            await self.notify(self.data_point, _GARBAGE[trace.garbage % len(_GARBAGE)])
        if faults.low_power_after and trace.notifications == faults.low_power_after:
            await self.notify(self.data_point, b"\x04\x00")
