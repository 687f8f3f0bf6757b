"""BLE driver factories: ``ble://ADDRESS?profile=P`` or ``ble://name:PREFIX?profile=P``.

Every factory takes an optional bleak backend, so the same drivers run on the platform's stack and
on the emulated peripherals of ``simulators.ble`` (testing-without-hardware.md §3).
"""

from __future__ import annotations

from devices.drivers.ble_health import PROFILES, HealthSession, profile_named
from devices.drivers.gkfp import CalibrationLookup, GkfpSession
from devices.drivers.progressor import ProgressorSession
from devices.drivers.streaming import StreamingDriver
from devices.errors import DeviceUrlError
from devices.protocols import gkfp_ble
from devices.transports.ble import BleBackend, BleByteStream, BleTarget, BleTransport
from devices.url import DeviceUrl

NAME_PREFIX = "name:"
PROFILE_NAMES = ("gkfp", "progressor", *sorted(PROFILES))


def ble_target(url: DeviceUrl) -> BleTarget:
    """Return the peripheral a BLE URL names: ``name:PREFIX`` or an address."""
    if url.location.startswith(NAME_PREFIX):
        prefix = url.location.removeprefix(NAME_PREFIX)
        if not prefix:
            raise DeviceUrlError(f"{url.text!r} names no device; expected ble://name:Progressor")
        return BleTarget(name_prefix=prefix)
    return BleTarget(address=url.location)


def open_ble(
    url: DeviceUrl, lookup: CalibrationLookup | None, backend: BleBackend | None = None
) -> StreamingDriver[BleTransport] | StreamingDriver[BleByteStream]:
    """Return a driver for the BLE device and profile that ``url`` names."""
    profile = url.option("profile") or ""
    target = ble_target(url)
    if profile == "gkfp":
        transport = BleTransport(
            target,
            notify_uuids=(gkfp_ble.STREAM_UUID,),
            write_uuid=gkfp_ble.COMMAND_UUID,
            backend=backend,
        )
        return StreamingDriver(BleByteStream(transport), GkfpSession(url, lookup))
    if profile == "progressor":
        url.check_options(frozenset({"profile", "tare"}))
        tare = url.option("tare", "yes")
        if tare not in {"yes", "no"}:
            raise DeviceUrlError(f"tare={tare!r} in {url.text!r}; expected tare=yes or tare=no")
        gauge = ProgressorSession(str(target), device_tare=tare == "yes")
        transport = BleTransport(
            target, notify_uuids=gauge.notify_uuids, write_uuid=gauge.write_uuid, backend=backend
        )
        return StreamingDriver(transport, gauge)
    if profile not in PROFILES:
        raise DeviceUrlError(
            f"profile={profile!r} in {url.text!r}; expected one of {', '.join(PROFILE_NAMES)}"
        )
    url.check_options(frozenset({"profile"}))
    session = HealthSession(str(target), profile_named(profile))
    transport = BleTransport(
        target,
        notify_uuids=session.notify_uuids,
        optional_uuids=session.optional_uuids,
        backend=backend,
    )
    return StreamingDriver(transport, session)
