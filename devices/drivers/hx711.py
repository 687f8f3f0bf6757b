"""HX711 ASCII force plate over a serial port (genki-forceplate.md §3).

The board streams on its own from power-up; most Arduino-class boards reset when the port opens,
so the session waits ``startup_wait_s`` before reading. Records become calibrated ForceBlocks;
gaps found in the device clock, parse failures and device resets become DeviceStatus frames.
Calibration comes from the store by the serial number in the board's banner, else from the URL
options ``slope``, ``offset`` and ``spacing_mm``; boards that print g, kg, N or lb need no slope.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from devices.calibration import PlateCalibration
from devices.drivers.gkfp import parse_spacing
from devices.drivers.plate_frames import CountedSession, StreamCounters, force_block
from devices.errors import DeviceUrlError
from devices.frames import Frame
from devices.protocols.hx711 import (
    Discontinuity,
    Gap,
    Hx711Config,
    Hx711Decoder,
    Hx711Record,
    InfoLine,
    default_slope_n_per_unit,
)
from devices.transports.base import ByteTransport
from devices.url import DeviceUrl

CalibrationLookup = Callable[[str], PlateCalibration | None]

CODEC_OPTIONS = frozenset({"terminator", "separator", "columns", "units", "skip_lines"})
URL_OPTIONS = CODEC_OPTIONS | {
    "protocol", "baudrate", "startup_wait_s", "slope", "offset", "spacing_mm", "rate",
}  # fmt: skip
DEFAULT_BAUDRATE = 115_200
NOMINAL_RATE_HZ = 80.0


def _numbers(url: DeviceUrl, name: str, default: str) -> tuple[float, ...]:
    text = url.option(name, default) or default
    try:
        values = tuple(float(part) for part in text.split(","))
    except ValueError:
        values = ()
    if len(values) == 1:
        values = values * 4
    if len(values) != 4:
        raise DeviceUrlError(
            f"{name}={text!r} in {url.text!r}; expected one number or four comma-separated "
            f"numbers (FL,FR,BL,BR), for example {name}=0.0009765625"
        )
    return values


def url_calibration(url: DeviceUrl, units: str) -> PlateCalibration:
    """Build the calibration given in a URL (slope, offset, spacing_mm)."""
    spacing = url.option("spacing_mm")
    if spacing is None:
        raise DeviceUrlError(
            f"{url.text!r} gives no plate geometry; add spacing_mm=AxB (sensor spacing in mm, "
            "left-right by front-back), for example spacing_mm=433x238"
        )
    if units == "counts" and url.option("slope") is None:
        raise DeviceUrlError(
            f"{url.text!r} reads raw counts but gives no calibration; add slope= (N per count) "
            "and offset= (N), or calibrate the plate so its calibration is stored"
        )
    default_slope = "1" if units == "counts" else str(default_slope_n_per_unit(units))
    return PlateCalibration(
        slopes=_numbers(url, "slope", default_slope),
        offsets=_numbers(url, "offset", "0"),
        spacing_x_mm=parse_spacing(spacing, url)[0],
        spacing_y_mm=parse_spacing(spacing, url)[1],
    )


class Hx711Session(CountedSession):
    """The HX711 line protocol for one plate: startup wait, decoding, calibration."""

    def __init__(self, url: DeviceUrl, calibration_lookup: CalibrationLookup | None = None) -> None:
        url.check_options(URL_OPTIONS)
        self.device_id = url.location
        self._config = Hx711Config.from_options(
            {k: v for k, v in url.options.items() if k in CODEC_OPTIONS}
        )
        self._lookup = calibration_lookup
        self._startup_wait_s = float(url.option("startup_wait_s", "2.0") or 2.0)
        self._nominal_rate_hz = float(url.option("rate", str(NOMINAL_RATE_HZ)) or NOMINAL_RATE_HZ)
        self.calibration = url_calibration(url, self._config.units)
        self._decoder = Hx711Decoder(self._config)
        self._counters = StreamCounters()

    def open_stream(self, transport: ByteTransport) -> list[Frame]:  # noqa: ARG002 - protocol
        """Wait for the board to start after the port opened (it resets on open)."""
        time.sleep(self._startup_wait_s)
        return []

    def read(self, transport: ByteTransport) -> list[Frame]:
        """Decode the bytes the transport received now."""
        data = transport.read()
        return self.feed(data, time.monotonic_ns()) if data else []

    def feed(self, data: bytes, t_mono_ns: int) -> list[Frame]:
        """Decode lines into blocks (split at gaps) and status frames."""
        frames: list[Frame] = []
        pending: list[Hx711Record] = []
        for event in self._decoder.feed(data):
            if isinstance(event, Hx711Record):
                pending.append(event)
                continue
            frames.extend(self._flush(pending, t_mono_ns))
            pending = []
            if isinstance(event, Gap):
                self._counters.total_missing_samples += event.missing_samples
                self._counters.next_sample_index += event.missing_samples
                frames.append(self._status(t_mono_ns, missing_samples=event.missing_samples))
            elif isinstance(event, Discontinuity):
                frames.append(self._status(t_mono_ns, discontinuity=True, message=event.reason))
            elif isinstance(event, InfoLine):
                self._identify(event.text)
        frames.extend(self._flush(pending, t_mono_ns))
        if self._decoder.parse_failures != self._counters.parse_failures:
            self._counters.parse_failures = self._decoder.parse_failures
            frames.append(self._status(t_mono_ns, message="lines that could not be read"))
        return frames

    def _identify(self, banner: str) -> None:
        for field in banner.split():
            if field.startswith("sn="):
                self.device_id = field[3:] or self.device_id
                stored = self._lookup(self.device_id) if self._lookup else None
                self.calibration = stored or self.calibration

    def _flush(self, records: list[Hx711Record], t_mono_ns: int) -> list[Frame]:
        if not records:
            return []
        raw = np.array([record.values for record in records], dtype=np.float64)
        block = force_block(
            device_id=self.device_id,
            seq=None,
            t_mono_ns=t_mono_ns,
            rate_hz=self._decoder.rate_hz or self._nominal_rate_hz,
            first_sample_index=self._counters.next_sample_index,
            device_time_s=np.array([record.t_ms for record in records]) / 1000.0,
            raw=raw,
            raw_unit=self._config.units,
            calibration=self.calibration,
        )
        self._counters.next_sample_index += len(records)
        return [block]

    def poll(self, transport: ByteTransport, t_mono_ns: int) -> list[Frame]:  # noqa: ARG002
        """Nothing to probe: the board has no commands besides its banner request."""
        return []

    def close_stream(self, transport: ByteTransport) -> None:
        """Nothing to stop: the board streams until the port closes."""
