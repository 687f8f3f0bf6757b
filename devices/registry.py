"""Opening devices from URLs through one lazy registry (python-can's ``Bus`` is the model).

A URL's scheme and ``protocol`` option pick a driver factory, imported only when first used, so a
kiosk without a BLE stack can still open serial plates. Simulated devices are just other URLs.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from devices.errors import DeviceUrlError
from devices.url import DeviceUrl, parse_device_url

if TYPE_CHECKING:
    from devices.calibration import PlateCalibration
    from devices.drivers.serial_plate import FrameSink

CalibrationLookup = Callable[[str], "PlateCalibration | None"]

# (scheme, protocol) -> "module:factory"
DRIVERS: dict[tuple[str, str], str] = {
    ("serial", "gkfp"): "devices.drivers.factories:open_gkfp_serial",
    ("serial", "hx711"): "devices.drivers.factories:open_hx711_serial",
}


class Device(Protocol):
    """What every opened device offers the station."""

    @property
    def device_id(self) -> str:
        """The device's identity (serial number when known)."""

    def start(self, sink: FrameSink) -> None:
        """Connect and stream frames into ``sink`` from a background thread."""

    def stop(self) -> None:
        """Stop streaming and release the device."""


def _factory(url: DeviceUrl) -> Callable[[DeviceUrl, CalibrationLookup | None], Device]:
    protocol = url.option("protocol")
    key = (url.scheme, protocol or "")
    if key not in DRIVERS:
        known = ", ".join(f"{s}://...?protocol={p}" for s, p in sorted(DRIVERS))
        raise DeviceUrlError(f"no driver for {url.text!r}; known device URLs: {known}")
    module_name, name = DRIVERS[key].split(":")
    factory: Callable[[DeviceUrl, CalibrationLookup | None], Device] = getattr(
        importlib.import_module(module_name), name
    )
    return factory


def open_device(url: str, *, calibration_lookup: CalibrationLookup | None = None) -> Device:
    """Return the (not yet started) device that ``url`` names."""
    parsed = parse_device_url(url)
    return _factory(parsed)(parsed, calibration_lookup)
