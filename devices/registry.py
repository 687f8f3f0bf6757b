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
    from devices.drivers.streaming import FrameSink

CalibrationLookup = Callable[[str], "PlateCalibration | None"]

# (scheme, protocol or profile) -> "module:factory"
DRIVERS: dict[tuple[str, str], str] = {
    ("serial", "gkfp"): "devices.drivers.factories:open_gkfp_serial",
    ("serial", "hx711"): "devices.drivers.factories:open_hx711_serial",
    ("serial", "chronopic"): "devices.drivers.factories:open_chronopic_serial",
    **{
        ("ble", profile): "devices.drivers.ble_factories:open_ble"
        for profile in (
            "progressor",
            "gkfp",
            "blood_pressure",
            "heart_rate",
            "pulse_oximeter",
            "thermometer",
            "weight_scale",
        )
    },
    ("manual", ""): "devices.drivers.manual_timer:open_manual_timer",
    # Emulated peripherals are composed at the top layer: devices/ never imports simulators/.
    ("ble+sim", ""): "genki.simulated_devices:open_simulated_ble",
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
    protocol = url.option("protocol") or url.option("profile")
    key = (url.scheme, protocol or "")
    if key not in DRIVERS:
        same_scheme = sorted(k for k in DRIVERS if k[0] == url.scheme) or sorted(DRIVERS)
        option = "profile" if url.scheme == "ble" else "protocol"
        known = ", ".join(
            f"{s}://...?{option}={p}" if p else f"{s}://DEVICE" for s, p in same_scheme
        )
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
