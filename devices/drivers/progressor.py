"""Tindeq Progressor over BLE (tindeq-progressor.md §2): weight samples in, ``GaugeBlock`` out.

Opening (§2): the transport subscribes to the data point before any command; the battery voltage
is queried (one query outstanding, answered within 1 s, §4.3); START_WEIGHT_MEAS starts the stream
and TARE_SCALE zeroes the unloaded gauge (device tare only works while streaming, §5). The host
then checks the tare over the next 0.5 s of device time (mean within ±0.2 kg, standard deviation
below 0.1 kg, §5) and reports the result; it never subtracts an offset of its own.

Every tag-1 notification becomes a block in kgf with the device time unwrapped; gaps in the
device time stamps, rejected notifications, skipped NaN samples and the low-power warning become
status frames. A stream that stops for ``STALL_S`` while the link stays up counts as a lost
device, so a trial is interrupted well within 5 s.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np

from devices.drivers.plate_frames import CountedSession, StreamCounters
from devices.errors import DeviceTimeoutError, DeviceUnavailableError, ProtocolError
from devices.frames import Frame, GaugeBlock
from devices.protocols.progressor import (
    CONTROL_POINT_UUID,
    DATA_POINT_UUID,
    Command,
    CommandResponse,
    LowPowerWarning,
    ProgressorDecoder,
    WeightSamples,
    encode_command,
)
from devices.transports.ble import BleTransport, Notification

_LOGGER = logging.getLogger(__name__)

QUERY_TIMEOUT_S = 1.0
STALL_S = 1.5
TARE_CHECK_S = 0.5
TARE_MEAN_LIMIT_KG = 0.2  # §5, "to be confirmed with the device"
TARE_SD_LIMIT_KG = 0.1  # §5, "to be confirmed with the device"


@dataclass(frozen=True, slots=True)
class TareCheck:
    """The host's check of the device tare (§5): the unloaded gauge must read near zero."""

    mean_kg: float
    sd_kg: float

    @property
    def ok(self) -> bool:
        """Whether both limits hold."""
        return abs(self.mean_kg) <= TARE_MEAN_LIMIT_KG and self.sd_kg < TARE_SD_LIMIT_KG


class ProgressorSession(CountedSession):
    """One Progressor: opening sequence, decoding into blocks, stall check."""

    notify_uuids = (DATA_POINT_UUID,)
    write_uuid = CONTROL_POINT_UUID

    def __init__(self, device_id: str, *, device_tare: bool = True) -> None:
        self.device_id = device_id
        self.device_tare = device_tare
        self.battery_mv: int | None = None
        self.low_power_warning = False
        self.tare_check: TareCheck | None = None
        self._decoder = ProgressorDecoder()
        self._counters = StreamCounters()
        self._tare_samples: list[float] = []
        self._tare_until_s: float | None = None
        self._last_samples_ns = 0
        self._pending: list[Frame] = []

    def open_stream(self, transport: BleTransport) -> list[Frame]:
        """Query the battery, start streaming and tare (§2 steps 4-5)."""
        self._decoder.reset_stream()
        battery = self._query(transport, Command.GET_BATTERY_VOLTAGE)
        self.battery_mv = battery if isinstance(battery, int) else None
        transport.write(encode_command(Command.START_WEIGHT_MEAS))
        if self.device_tare:
            transport.write(encode_command(Command.TARE_SCALE))
            self._discard_untared(transport)
            self._tare_samples, self._tare_until_s, self.tare_check = [], None, None
        self._last_samples_ns = time.monotonic_ns()
        frames, self._pending = self._pending, []
        return frames

    def _discard_untared(self, transport: BleTransport) -> None:
        """Drop the samples that arrived before the tare took effect.

        The tare is written with response and notifications arrive in order, so every sample
        notified before the device applied the tare has been received when the write returns.
        """
        index = self._counters.next_sample_index
        for notification in transport.read():
            untared: list[Frame] = []
            self._notification(notification, untared)
            self._pending.extend(f for f in untared if not isinstance(f, GaugeBlock))
        self._decoder.reset_stream()
        self._counters.next_sample_index = index

    def _query(self, transport: BleTransport, command: Command) -> object:
        self._decoder.expect(command)
        transport.write(encode_command(command))
        deadline = time.monotonic() + QUERY_TIMEOUT_S
        while time.monotonic() < deadline:
            for notification in transport.read():
                answer = self._notification(notification, self._pending)
                if answer is not None:
                    return answer
        self._decoder.expect(None)
        raise DeviceTimeoutError(
            f"Progressor {self.device_id} did not answer {command.name} within {QUERY_TIMEOUT_S} s"
        )

    def read(self, transport: BleTransport) -> list[Frame]:
        """Decode the notifications received since the last read."""
        frames: list[Frame] = []
        for notification in transport.read():
            self._notification(notification, frames)
        return frames

    def _notification(self, notification: Notification, frames: list[Frame]) -> object | None:
        """Turn one notification into frames; return a query's answer if it is one."""
        errors_before = self._decoder.protocol_errors
        try:
            message = self._decoder.feed(notification.data)
        except ProtocolError as exc:
            _LOGGER.info("%s: rejected %s: %s", self.device_id, notification.data.hex(), exc)
            message = None
        self._counters.parse_failures = self._decoder.protocol_errors + self._decoder.nan_skipped
        if isinstance(message, WeightSamples) and message.weights_kgf:
            frames.extend(self._samples(message, notification.t_mono_ns))
        elif isinstance(message, LowPowerWarning):
            self.low_power_warning = True
            frames.append(self._status(notification.t_mono_ns, message="low battery warning"))
        elif isinstance(message, CommandResponse):
            return message.value
        if self._decoder.protocol_errors != errors_before:
            frames.append(self._status(notification.t_mono_ns, message="notification rejected"))
        return None

    def _samples(self, message: WeightSamples, t_mono_ns: int) -> list[Frame]:
        timing = self._decoder.clock.add(message.timestamps_us)
        frames: list[Frame] = []
        if timing.missing_samples:
            self._counters.total_missing_samples += timing.missing_samples
            self._counters.next_sample_index += timing.missing_samples
            frames.append(
                self._status(
                    t_mono_ns,
                    missing_samples=timing.missing_samples,
                    message=f"{timing.missing_samples} samples missing",
                )
            )
        if timing.restarted:
            frames.append(self._status(t_mono_ns, discontinuity=True, message="clock restarted"))
        force = np.asarray(message.weights_kgf, dtype=np.float64)
        frames.append(
            GaugeBlock(
                device_id=self.device_id,
                seq=None,
                t_mono_ns=t_mono_ns,
                rate_hz=timing.rate_hz,
                first_sample_index=self._counters.next_sample_index,
                device_time_s=np.asarray(timing.device_time_s, dtype=np.float64),
                force_kgf=force,
            )
        )
        self._counters.next_sample_index += force.size
        self._last_samples_ns = t_mono_ns
        self._check_tare(timing.device_time_s, force, t_mono_ns, frames)
        return frames

    def _check_tare(
        self,
        device_time_s: tuple[float, ...],
        force: np.ndarray,
        t_mono_ns: int,
        frames: list[Frame],
    ) -> None:
        if not self.device_tare or self.tare_check is not None:
            return
        if self._tare_until_s is None:
            self._tare_until_s = device_time_s[0] + TARE_CHECK_S
        self._tare_samples.extend(
            f for t, f in zip(device_time_s, force, strict=True) if t < self._tare_until_s
        )
        if device_time_s[-1] >= self._tare_until_s:
            values = np.asarray(self._tare_samples)
            self.tare_check = TareCheck(float(values.mean()), float(values.std()))
            if not self.tare_check.ok:
                frames.append(
                    self._status(
                        t_mono_ns,
                        message=(
                            f"tare check failed: the gauge reads {self.tare_check.mean_kg:+.2f} kg "
                            f"(sd {self.tare_check.sd_kg:.2f} kg); unload it and tare again"
                        ),
                    )
                )

    def poll(self, transport: BleTransport, t_mono_ns: int) -> list[Frame]:  # noqa: ARG002
        """Treat a stream silent for ``STALL_S`` as a lost device (gone, or switched off)."""
        if t_mono_ns - self._last_samples_ns > STALL_S * 1e9:
            raise DeviceUnavailableError(
                f"Progressor {self.device_id} sent nothing for {STALL_S} s; is it switched on?"
            )
        return []

    def close_stream(self, transport: BleTransport) -> None:
        """Stop streaming (§2 step 6)."""
        transport.write(encode_command(Command.STOP_WEIGHT_MEAS))
