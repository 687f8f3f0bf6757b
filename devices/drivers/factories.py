"""Driver factories named by the registry: a URL in, a ready (not yet started) driver out."""

from __future__ import annotations

from devices.drivers.chronopic import DEFAULT_BAUDRATE as CHRONOPIC_BAUDRATE
from devices.drivers.chronopic import ChronopicSession
from devices.drivers.gkfp import DEFAULT_BAUDRATE as GKFP_BAUDRATE
from devices.drivers.gkfp import CalibrationLookup, GkfpSession
from devices.drivers.hx711 import DEFAULT_BAUDRATE as HX711_BAUDRATE
from devices.drivers.hx711 import Hx711Session
from devices.drivers.streaming import StreamingDriver
from devices.errors import DeviceUrlError
from devices.transports.serial_port import SerialTransport
from devices.url import DeviceUrl


def _baudrate(url: DeviceUrl, default: int) -> int:
    text = url.option("baudrate", str(default)) or str(default)
    if not text.isdigit():
        raise DeviceUrlError(f"baudrate={text!r} in {url.text!r}; expected a number like 115200")
    return int(text)


def open_gkfp_serial(
    url: DeviceUrl, lookup: CalibrationLookup | None
) -> StreamingDriver[SerialTransport]:
    """Return a driver for a GKFP/1 plate on a serial port."""
    session = GkfpSession(url, lookup)
    return StreamingDriver(
        SerialTransport(url.location, baudrate=_baudrate(url, GKFP_BAUDRATE)), session
    )


def open_hx711_serial(
    url: DeviceUrl, lookup: CalibrationLookup | None
) -> StreamingDriver[SerialTransport]:
    """Return a driver for an HX711 ASCII plate on a serial port."""
    session = Hx711Session(url, lookup)
    return StreamingDriver(
        SerialTransport(url.location, baudrate=_baudrate(url, HX711_BAUDRATE)), session
    )


def open_chronopic_serial(
    url: DeviceUrl,
    lookup: CalibrationLookup | None,  # noqa: ARG001 (timers have no calibration)
) -> StreamingDriver[SerialTransport]:
    """Return a driver for a Chronopic timer on a serial port (9600 8N1)."""
    return StreamingDriver(
        SerialTransport(url.location, baudrate=_baudrate(url, CHRONOPIC_BAUDRATE)),
        ChronopicSession(url),
    )
