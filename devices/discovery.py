"""Finding devices: a BLE scan and the USB serial ports, each result with the URL that opens it.

A BLE device is recognised by its advertised name (Tindeq Progressor, GKFP plates) or by the
SIG health service it advertises. Serial ports say nothing about the protocol behind them, so a
USB serial port is listed with the URL of each serial protocol.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import serial.tools.list_ports

from devices.drivers.ble_health import PROFILES, service_uuid
from devices.protocols import gkfp_ble, progressor
from devices.transports.ble import BleBackend, ble_loop, scan

SERIAL_PROTOCOLS = ("gkfp", "hx711", "chronopic")
_PROFILE_BY_SERVICE: Mapping[str, str] = {
    service_uuid(profile): name for name, profile in PROFILES.items()
}


@dataclass(frozen=True, slots=True)
class FoundDevice:
    """A device genki can open: what it is, and its URLs (one per possible protocol)."""

    transport: str
    name: str
    kind: str
    urls: tuple[str, ...]
    rssi: int | None = None


def ble_profile(name: str | None, service_uuids: Sequence[str]) -> str | None:
    """Return the genki profile of an advertising device, or None when genki cannot use it."""
    if name and name.startswith(progressor.NAME_PREFIX):
        return "progressor"
    if (name and name.startswith(gkfp_ble.NAME_PREFIX)) or gkfp_ble.SERVICE_UUID in service_uuids:
        return "gkfp"
    return next((_PROFILE_BY_SERVICE[u] for u in service_uuids if u in _PROFILE_BY_SERVICE), None)


def scan_ble(seconds: float, backend: BleBackend | None = None) -> list[FoundDevice]:
    """Scan for ``seconds``; return the BLE devices genki can open, strongest signal first."""
    found = ble_loop().run(scan(backend or BleBackend(), seconds), timeout=seconds + 10)
    devices = []
    for address, (device, advertisement) in found.items():
        name = advertisement.local_name or device.name or ""
        profile = ble_profile(name, [u.lower() for u in advertisement.service_uuids])
        if profile is not None:
            url = f"ble://{address}?profile={profile}"
            devices.append(FoundDevice("ble", name, profile, (url,), advertisement.rssi))
    return sorted(devices, key=lambda d: -(d.rssi or -999))


def serial_ports() -> list[FoundDevice]:
    """Return the USB serial ports, each with a URL per serial protocol genki speaks."""
    return [
        FoundDevice(
            "serial",
            port.description,
            "serial port",
            tuple(f"serial://{port.device}?protocol={p}" for p in SERIAL_PROTOCOLS),
        )
        for port in serial.tools.list_ports.comports()
        if port.vid is not None  # USB adapters only; built-in UARTs report no vendor
    ]
