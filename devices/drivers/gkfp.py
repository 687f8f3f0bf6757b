"""GKFP/1 force plate over a serial port: the host behaviour of genki-forceplate.md §2.9.

Opening: STOP until acknowledged (ends a stream left running), INFO for the STATUS frame (serial
number, rate, geometry, calibration, fault flags), then START. Every received SAMPLES frame becomes
a calibrated ForceBlock; every gap, CRC error, discarded byte run or discontinuity becomes a
DeviceStatus, so nothing is lost silently. A stream with no samples for max(200 ms, 5 frame
periods) is stalled: INFO is sent, and without an answer within 1 s the port is reopened.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from devices.calibration import PlateCalibration
from devices.drivers.plate_frames import CountedSession, StreamCounters, force_block
from devices.errors import DeviceTimeoutError, DeviceUnavailableError, DeviceUrlError
from devices.frames import Frame
from devices.protocols.gkfp import (
    AckFrame,
    Discontinuity,
    Gap,
    GkfpDecoder,
    GkfpEvent,
    SamplesFrame,
    StatusFrame,
    encode_command,
)
from devices.transports.base import ByteTransport
from devices.url import DeviceUrl

CalibrationLookup = Callable[[str], PlateCalibration | None]

ACK_TIMEOUT_S = 1.0
STOP_ATTEMPTS = 3
COMMANDS = {"START": 0x01, "STOP": 0x02, "TARE": 0x03, "INFO": 0x04}
URL_OPTIONS = frozenset({"protocol", "profile", "rate", "spacing_mm", "baudrate"})
DEFAULT_BAUDRATE = 921_600


def parse_spacing(text: str, url: DeviceUrl) -> tuple[float, float]:
    """Read ``spacing_mm=AxB`` (left-right by front-back sensor spacing, mm)."""
    try:
        x_text, y_text = text.lower().split("x")
        spacing = (float(x_text), float(y_text))
    except ValueError:
        spacing = (0.0, 0.0)
    if not all(value > 0 for value in spacing):
        raise DeviceUrlError(
            f"spacing_mm={text!r} in {url.text!r}; expected two positive lengths in mm such as "
            "spacing_mm=433x238"
        )
    return spacing


class GkfpSession(CountedSession):
    """The GKFP/1 protocol for one plate: opening sequence, decoding, stall check."""

    def __init__(self, url: DeviceUrl, calibration_lookup: CalibrationLookup | None = None) -> None:
        url.check_options(URL_OPTIONS)
        self.device_id = url.location
        self._url = url
        self._lookup = calibration_lookup
        self._rate_hz = int(url.option("rate") or 0) or None
        spacing = url.option("spacing_mm")
        self._spacing = parse_spacing(spacing, url) if spacing else None
        self._decoder = GkfpDecoder()
        self._counters = StreamCounters()
        self.calibration: PlateCalibration | None = None
        self.plate_status: StatusFrame | None = None
        self._period_s = 0.0
        self._last_samples_ns = 0
        self._stall_probe_ns: int | None = None

    def open_stream(self, transport: ByteTransport) -> list[Frame]:
        """STOP, INFO, START (§2.9 opening); return any frames that followed START's ACK.

        The decoder lives as long as the session, so after a reconnect the device's sequence
        numbers and clock tell exactly how many samples the interruption cost (or that the plate
        was reset, a discontinuity).
        """
        self._stop_stream(transport)
        transport.write(encode_command("INFO"))
        events = self._await(transport, lambda e: isinstance(e, StatusFrame), "STATUS after INFO")
        status = next(e for e in events if isinstance(e, StatusFrame))
        self._configure(status)
        rate = self._rate_hz or status.rate_hz
        transport.write(encode_command("START", rate))
        events = self._await(transport, self._ack_for("START"), "ACK of START")
        ack = next(e for e in events if isinstance(e, AckFrame) and e.command == COMMANDS["START"])
        if ack.result != 0:
            raise DeviceUnavailableError(
                f"plate {self.device_id} refused START {rate} (result code {ack.result})"
            )
        self._decoder.set_rate(ack.value)
        self._period_s = 1.0 / ack.value
        self._last_samples_ns = time.monotonic_ns()
        after = events[events.index(ack) + 1 :]
        return self._frames(after, self._last_samples_ns)

    def _stop_stream(self, transport: ByteTransport) -> None:
        for _ in range(STOP_ATTEMPTS):
            transport.write(encode_command("STOP"))
            try:
                self._await(transport, self._ack_for("STOP"), "ACK of STOP")
            except DeviceTimeoutError:
                continue
            return
        raise DeviceTimeoutError(
            f"plate {self.device_id} did not acknowledge STOP {STOP_ATTEMPTS} times; check that "
            "it is a GKFP/1 plate and that the port and baud rate are right"
        )

    def _configure(self, status: StatusFrame) -> None:
        if status.channels != 4 or status.adc_fault:
            raise DeviceUnavailableError(
                f"plate {status.serial} reports {status.channels} channels"
                f"{' and an ADC fault' if status.adc_fault else ''}; expected 4 working channels"
            )
        self.plate_status = status
        self.device_id = status.serial or self.device_id
        stored = self._lookup(status.serial) if self._lookup else None
        calibration = stored or PlateCalibration(
            slopes=status.slopes,
            offsets=status.offsets,
            spacing_x_mm=status.spacing_x_mm,
            spacing_y_mm=status.spacing_y_mm,
        )
        if self._spacing is not None:
            calibration = calibration.with_spacing(*self._spacing)
        self.calibration = calibration

    @staticmethod
    def _ack_for(command: str) -> Callable[[GkfpEvent], bool]:
        code = COMMANDS[command]
        return lambda event: isinstance(event, AckFrame) and event.command == code

    def _await(
        self, transport: ByteTransport, done: Callable[[GkfpEvent], bool], what: str
    ) -> list[GkfpEvent]:
        deadline = time.monotonic() + ACK_TIMEOUT_S
        events: list[GkfpEvent] = []
        while time.monotonic() < deadline:
            events.extend(self._decoder.feed(transport.read()))
            if any(done(event) for event in events):
                return events
        raise DeviceTimeoutError(f"plate {self.device_id} sent no {what} within {ACK_TIMEOUT_S} s")

    def read(self, transport: ByteTransport) -> list[Frame]:
        """Decode the bytes the transport received now."""
        data = transport.read()
        return self.feed(data, time.monotonic_ns()) if data else []

    def feed(self, data: bytes, t_mono_ns: int) -> list[Frame]:
        """Decode received bytes into blocks and status frames."""
        return self._frames(self._decoder.feed(data), t_mono_ns)

    def _frames(self, events: list[GkfpEvent], t_mono_ns: int) -> list[Frame]:
        frames: list[Frame] = []
        for event in events:
            if isinstance(event, SamplesFrame):
                frames.append(self._block(event, t_mono_ns))
                self._last_samples_ns = t_mono_ns
                self._stall_probe_ns = None
            elif isinstance(event, Gap):
                self._counters.total_missing_samples += event.missing_samples
                self._counters.next_sample_index += event.missing_samples
                frames.append(
                    self._status(
                        t_mono_ns,
                        missing_samples=event.missing_samples,
                        lost_frames=event.lost_frames,
                        message=f"{event.missing_samples} samples missing",
                    )
                )
            elif isinstance(event, Discontinuity):
                frames.append(self._status(t_mono_ns, discontinuity=True, message=event.reason))
            elif isinstance(event, AckFrame):
                self._stall_probe_ns = None
        frames.extend(self._counter_changes(t_mono_ns))
        return frames

    def _block(self, event: SamplesFrame, t_mono_ns: int) -> Frame:
        assert self.calibration is not None  # noqa: S101 - set by open_stream before any sample
        n = event.counts.shape[0]
        offsets_s = np.arange(n, dtype=np.float64) * self._period_s
        block = force_block(
            device_id=self.device_id,
            seq=event.seq,
            t_mono_ns=t_mono_ns,
            rate_hz=1.0 / self._period_s,
            first_sample_index=self._counters.next_sample_index,
            device_time_s=event.device_time_us / 1e6 + offsets_s,
            raw=event.counts.astype(np.float64),
            raw_unit="counts",
            calibration=self.calibration,
        )
        self._counters.next_sample_index += n
        return block

    def _counter_changes(self, t_mono_ns: int) -> list[Frame]:
        crc, discarded = self._decoder.crc_errors, self._decoder.bytes_discarded
        if (crc, discarded) == (self._counters.crc_errors, self._counters.bytes_discarded):
            return []
        self._counters.crc_errors, self._counters.bytes_discarded = crc, discarded
        return [self._status(t_mono_ns, message=f"{crc} CRC errors, {discarded} bytes discarded")]

    def poll(self, transport: ByteTransport, t_mono_ns: int) -> list[Frame]:
        """Detect a stalled stream (§2.9 step 8): probe with INFO, give up after 1 s."""
        frame_period_s = 10 * self._period_s
        stall_ns = int(max(0.2, 5 * frame_period_s) * 1e9)
        if t_mono_ns - self._last_samples_ns < stall_ns:
            return []
        if self._stall_probe_ns is None:
            self._stall_probe_ns = t_mono_ns
            transport.write(encode_command("INFO"))
        elif t_mono_ns - self._stall_probe_ns > ACK_TIMEOUT_S * 1e9:
            raise DeviceUnavailableError(f"plate {self.device_id} stalled and does not answer INFO")
        return []

    def close_stream(self, transport: ByteTransport) -> None:
        """Send STOP before closing the port (no wait: the port closes anyway)."""
        transport.write(encode_command("STOP"))
